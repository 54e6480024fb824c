"""How the audit log names members (core.audit_log): by name, to anyone who may read the log."""

from django.utils.translation import gettext_lazy as _

from rightsloop.core.registry import AuditTarget

from .models import Membership, User


def _members(viewer):
    return User.objects.filter(memberships__organisation=viewer.organisation).distinct()


TARGETS = (
    AuditTarget(
        label="accounts.user", title=_("Member"), noun=_("a member"),
        visible=_members, name=lambda user: user.display_name,
    ),
    AuditTarget(
        label="accounts.membership", title=_("Membership"), noun=_("a member"),
        visible=lambda viewer: Membership.objects.filter(organisation=viewer.organisation).select_related("user"),
        name=lambda membership: membership.user.display_name,
    ),
)
