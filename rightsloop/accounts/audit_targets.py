"""How the audit log names members (core.audit_log): by name, to anyone who may read the log."""

from django.utils.translation import gettext_lazy as _

from rightsloop.core.registry import AuditTarget

from .models import User


def _members(viewer):
    return User.objects.filter(memberships__organisation=viewer.organisation).distinct()


TARGETS = (
    AuditTarget(
        label="accounts.user", title=_("Member"), noun=_("a member"),
        visible=_members, name=lambda user: user.display_name,
    ),
)
