"""How the audit log names the organisation itself (core.audit_log)."""

from django.utils.translation import gettext_lazy as _

from .models import Organisation
from .registry import AuditTarget

TARGETS = (
    AuditTarget(
        label="core.organisation", title=_("Organisation"), noun=_("the organisation"),
        visible=lambda viewer: Organisation.objects.filter(pk=viewer.organisation.pk), name=lambda org: org.name,
    ),
)
