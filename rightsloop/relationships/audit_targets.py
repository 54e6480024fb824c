"""How the audit log names relationship agreements (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget
from rightsloop.stakeholders.audit_targets import audit_name

from . import queries

TARGETS = (
    AuditTarget(
        label="relationships.agreement", title=gettext_lazy("Relationship agreement"),
        noun=gettext_lazy("a relationship agreement"),
        visible=lambda viewer: queries.visible_agreements(viewer).select_related("stakeholder"),
        name=lambda agreement: _("the agreement with %(person)s") % {"person": audit_name(agreement.stakeholder)},
        url=lambda agreement: reverse("relationships:agreement-detail", args=[agreement.pk]),
    ),
)
