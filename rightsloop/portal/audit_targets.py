"""How the audit log names portal sign-in links: by the stakeholder they open, as the reader may see them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rightsloop.core.registry import AuditTarget
from rightsloop.stakeholders.audit_targets import audit_name
from rightsloop.stakeholders.queries import visible_stakeholders

from .models import PortalLink

TARGETS = (
    AuditTarget(
        label="portal.portallink", title=_("Portal sign-in link"), noun=_("a stakeholder"),
        visible=lambda viewer: PortalLink.objects.filter(stakeholder__in=visible_stakeholders(viewer))
        .select_related("stakeholder"),
        name=lambda link: audit_name(link.stakeholder),
        url=lambda link: reverse("stakeholders:detail", args=[link.stakeholder_id]),
    ),
)
