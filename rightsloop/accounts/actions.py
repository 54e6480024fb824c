"""State changes for members and API tokens; each writes the audit log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from rightsloop.core import audit
from rightsloop.core.models import Organisation

from .models import ApiToken, Membership, User, hash_token
from .viewer import Viewer


@transaction.atomic
def add_member(
    *,
    organisation: Organisation,
    username: str,
    email: str,
    first_name: str,
    last_name: str,
    password: str | None,
    role: str,
    function: str = "",
    by: Viewer | None,
) -> Membership:
    """Create the user if needed and give them a role in the organisation."""
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"email": email, "first_name": first_name, "last_name": last_name},
    )
    if created:
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save()
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, function=function
    )
    audit.record(
        organisation=organisation, by=by, action="member.added", target=membership,
        summary=f"{username} as {role}", changed_fields=["role", "function"],
    )
    return membership


@transaction.atomic
def change_member(
    *, membership: Membership, role: str, function: str, is_active: bool, by: Viewer
) -> Membership:
    """Change a member's role, function or access; permission changes are audited."""
    before = audit.snapshot(membership, ["role", "function", "is_active"])
    membership.role = role
    membership.function = function
    membership.is_active = is_active
    membership.save(update_fields=["role", "function", "is_active"])
    fields = audit.changed(membership, before, ["role", "function", "is_active"])
    if fields:
        audit.record(
            organisation=membership.organisation, by=by, action="member.changed",
            target=membership, summary=membership.user.get_username(), changed_fields=fields,
        )
    return membership


@transaction.atomic
def issue_api_token(*, membership: Membership, name: str, by: Viewer | None) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw key, which is shown once and never stored."""
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        membership=membership, name=name, key_hash=hash_token(raw), key_prefix=raw[:10]
    )
    audit.record(
        organisation=membership.organisation, by=by, action="api_token.issued", target=token,
        summary=f"{membership.user.get_username()}: {name}",
    )
    return token, raw


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: Viewer) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(
        organisation=token.membership.organisation, by=by, action="api_token.revoked",
        target=token, summary=token.name,
    )
