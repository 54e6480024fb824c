"""Demo data for the stakeholder portal (P4): a portal link for one stakeholder, to print with the sign-ins.

Called by the demo loader once engagements, decisions and feedback exist:
    portal_url = load_portal(organisation=organisation, hr_lead=builder.hr_lead)
and printed: "Stakeholder portal (as <who>): <portal_url>". The link works once and for 7 days; a new one is
issued each time the demo loads.
"""

from __future__ import annotations

from django.db.models import Count, Q

from rightsloop.accounts.viewer import Viewer
from rightsloop.portal.actions.links import issue_portal_link
from rightsloop.portal.models import LinkChannel
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.vocabulary import SafetyLevel


def portal_stakeholder(organisation) -> Stakeholder | None:
    """The demo stakeholder with the most to see: the most inputs in their own name, at normal safety (the
    demo prints the link, which must never be done for a protected person)."""
    return (Stakeholder.objects.for_organisation(organisation)
            .filter(safety_level=SafetyLevel.NORMAL, erased_at__isnull=True)
            .annotate(said=Count("participations__inputs", filter=Q(participations__inputs__group__isnull=True)))
            .filter(said__gt=0).order_by("-said", "id").first())


def load_portal(*, organisation, hr_lead: Viewer, stakeholder: Stakeholder | None = None) -> tuple[str, str]:
    """Issue a handed-over portal link (through the real, audited action); returns (who, link)."""
    stakeholder = stakeholder or portal_stakeholder(organisation)
    if stakeholder is None:
        raise ValueError("The demo has no stakeholder with inputs to open a portal for.")
    issued = issue_portal_link(viewer=hr_lead, stakeholder=stakeholder, channel=LinkChannel.HANDED_OVER)
    return stakeholder.name, issued.url
