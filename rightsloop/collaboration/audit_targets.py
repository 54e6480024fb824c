"""How the audit log names shared assessments and pool partners (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget

from . import queries
from .models import PoolPartner


def _own_contributions(viewer):
    # The organisation's own pool entries: the log of the company that contributed them, even after it left.
    return PoolPartner.objects.filter(organisation=viewer.organisation).select_related("stakeholder")


TARGETS = (
    AuditTarget(
        label="collaboration.sharedassessment", title=gettext_lazy("Shared assessment"),
        noun=gettext_lazy("a shared assessment"),
        visible=queries.shared_assessments,
        name=lambda shared: f"“{shared.assessment.title}”",
        url=lambda shared: reverse("collaboration:detail", args=[shared.pk]),
    ),
    AuditTarget(
        label="collaboration.poolpartner", title=gettext_lazy("Partner in a shared pool"),
        noun=gettext_lazy("a partner"),
        visible=_own_contributions,
        name=lambda partner: _("the partner %(name)s") % {"name": queries.shown_partner_name(partner.stakeholder)},
    ),
)
