"""Raising a grievance from the stakeholder portal: the portal knows who the person is, so never anonymously.

A credible proxy may file on behalf of an affected group only while it holds a current mandate for that group
(stakeholders.Representation not ended); the mandate row is locked while the case is written, so a mandate ended
at the same moment cannot let one through. Everything else (validation, numbering, receipt, idempotency, audit
without content) is `submit_grievance`'s.
"""

from __future__ import annotations

import dataclasses

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from rightsloop.core.access import plausible_id
from rightsloop.stakeholders.models import AffectedGroup, Representation, Stakeholder

from ..vocabulary import Channel, Mode, RaisedBy
from .intake import GrievanceReport, Submitted, submit_grievance

# The ways a known person comes forward in the portal; anonymity is for the public page.
PORTAL_MODES = (Mode.CONFIDENTIAL, Mode.NAMED)


def mandated_groups(stakeholder: Stakeholder):
    """The affected groups this stakeholder may file for today: those it holds a current mandate for."""
    return (AffectedGroup.objects.filter(organisation_id=stakeholder.organisation_id,
                                         representations__proxy=stakeholder,
                                         representations__ended_at__isnull=True)
            .order_by("name", "id"))


def _mandate(stakeholder: Stakeholder, group_id) -> Representation:
    refused = ValidationError({"on_behalf_of": [_(
        "You can file on behalf of a group only while you hold a current mandate to represent it. This group "
        "is not one you represent today: choose one of your groups, or file for yourself. If your mandate should "
        "be recorded or renewed, ask the organisation.")]})
    if not plausible_id(group_id):
        raise refused
    mandate = (Representation.objects.select_for_update().select_related("group")
               .filter(proxy=stakeholder, group_id=int(group_id), ended_at__isnull=True,
                       group__organisation_id=stakeholder.organisation_id).first())
    if mandate is None:
        raise refused
    return mandate


@transaction.atomic
def raise_from_portal(*, stakeholder: Stakeholder, report: GrievanceReport, on_behalf_of=None,
                      submission_key: str = "") -> Submitted:
    """Record a grievance raised in the portal by `stakeholder`, for themselves or for a group it represents.

    `on_behalf_of` is the id of an affected group (None: for themselves). The stakeholder is linked to the
    case either way (the case's complainant known in the register); filing for a group also records them as
    the proxy, the group, and that the people were supported by a proxy.
    """
    if report.mode not in PORTAL_MODES:
        raise ValidationError({"mode": [_(
            "The portal knows who you are, so a grievance raised here cannot be anonymous. To stay anonymous, "
            "use the organisation's public grievance page instead.")]})
    proxy = group = None
    if on_behalf_of not in (None, ""):
        group = _mandate(stakeholder, on_behalf_of).group
        proxy = stakeholder
        if not (report.represents or "").strip():
            raise ValidationError({"represents": [_(
                "Say whom you represent in this case: which people of the group, or the whole group.")]})
        report = dataclasses.replace(report, raised_by=RaisedBy.ON_BEHALF, supported_by_adviser=True)
    else:
        report = dataclasses.replace(report, raised_by=RaisedBy.AFFECTED, represents="")
    return submit_grievance(organisation=stakeholder.organisation, report=report, channel=Channel.PORTAL,
                            submission_key=submission_key, stakeholder=stakeholder, proxy=proxy,
                            on_behalf_of=group)
