"""How the audit log names payments and grants (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget

from . import queries

TARGETS = (
    AuditTarget(
        label="resourcing.payment", title=gettext_lazy("Payment"), noun=gettext_lazy("a payment"),
        visible=lambda viewer: queries.visible_payments(viewer).select_related("stakeholder"),
        name=lambda payment: _("a payment to %(person)s") % {"person": queries.ledger_name(payment.stakeholder)},
        url=lambda payment: reverse("resourcing:payment", args=[payment.pk]),
    ),
    AuditTarget(
        label="resourcing.grant", title=gettext_lazy("Grant"), noun=gettext_lazy("a grant"),
        visible=lambda viewer: queries.visible_grants(viewer).select_related("grantee"),
        name=lambda grant: _("a grant to %(grantee)s") % {"grantee": queries.ledger_name(grant.grantee)},
        url=lambda grant: reverse("resourcing:grant", args=[grant.pk]),
    ),
)
