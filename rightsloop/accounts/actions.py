"""State changes for members, sign-in, second factors, passwords and API tokens; each writes the audit log."""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from rightsloop.core import audit
from rightsloop.core.models import Organisation

from . import mfa
from .devices import Authenticator, RecoveryCodes
from .models import ApiToken, Invitation, Membership, RevokedBecause, User, hash_token
from .viewer import Viewer, viewer_for


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
    """Create the user if needed and give them a role in the organisation: for operators only.

    The demo loader, management commands and tests call this; no page does, because it would let one
    organisation take in another's account. Administrators use create_account and invite_member.
    """
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
    if "is_active" in fields and not membership.is_active:
        revoke_api_tokens(membership=membership, because=RevokedBecause.MEMBERSHIP, by=by)
    if fields:
        audit.record(
            organisation=membership.organisation, by=by, action="member.changed",
            target=membership, summary=membership.user.get_username(), changed_fields=fields,
        )
    return membership


@transaction.atomic
def issue_api_token(
    *, membership: Membership, name: str, by: Viewer | None, days: int | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its raw key, which is shown once and never stored.

    It lives `days` days, never longer than RIGHTSLOOP_API_TOKEN_DAYS; the page asks for a fresh second
    factor before calling this (accounts.views.api_tokens).
    """
    longest = settings.RIGHTSLOOP_API_TOKEN_DAYS
    days = longest if days is None else max(1, min(days, longest))
    raw = ApiToken.generate()
    token = ApiToken.objects.create(
        membership=membership, name=name, key_hash=hash_token(raw), key_prefix=raw[:10],
        expires_at=timezone.now() + datetime.timedelta(days=days),
    )
    audit.record(
        organisation=membership.organisation, by=by, action="api_token.issued", target=token,
        summary=f"{membership.user.get_username()}: {name}; expires in {days} days",
    )
    return token, raw


def _revoke(token: ApiToken, *, because: str, by: Viewer | None, action: str = "api_token.revoked") -> None:
    token.revoked_at = timezone.now()
    token.revoked_because = because
    token.save(update_fields=["revoked_at", "revoked_because"])
    audit.record(
        organisation=token.membership.organisation, by=by, action=action, target=token,
        summary=f"{token.membership.user.get_username()}: {token.name}; {RevokedBecause(because).label}",
    )


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: Viewer) -> None:
    """The owner revokes one of their tokens; revoking it again changes nothing."""
    token = ApiToken.objects.select_for_update().select_related("membership__user", "membership__organisation").get(
        pk=token.pk)
    if token.revoked_at is None:
        _revoke(token, because=RevokedBecause.OWNER, by=by)


@transaction.atomic
def revoke_api_tokens(
    *, by: Viewer | None, because: str, user: User | None = None, membership: Membership | None = None,
) -> int:
    """Revoke every live token of a user (all their organisations) or of one membership; returns how many.

    Called when what stood behind the token changes: the password, the second factor, the membership.
    """
    tokens = ApiToken.objects.unrevoked().select_for_update().select_related(
        "membership__user", "membership__organisation")
    if user is not None:
        tokens = tokens.filter(membership__user=user)
    if membership is not None:
        tokens = tokens.filter(membership=membership)
    revoked = 0
    for token in tokens.order_by("pk"):
        _revoke(token, because=because, by=by)
        revoked += 1
    return revoked


@transaction.atomic
def expire_api_token(*, token: ApiToken) -> bool:
    """Mark a token that was presented after its expiry as revoked, once, so the audit log says when it ended."""
    token = ApiToken.objects.select_for_update().select_related(
        "membership__user", "membership__organisation").filter(pk=token.pk, revoked_at__isnull=True).first()
    if token is None or not token.is_expired:
        return False
    _revoke(token, because=RevokedBecause.EXPIRED, by=None, action="api_token.expired")
    return True


# --- Sign-in and second factors --------------------------------------------------------------------------------
# Each event writes exactly one audit entry. Entries name the user, never what they typed: no password, no code.


def _record_about(user: User, *, by: Viewer | None, action: str, summary: str) -> None:
    """Audit an event of the user's own account, in the organisation they act in (or their first one)."""
    context = by or viewer_for(user)
    audit.record(
        organisation=context.organisation if context else None, by=by, action=action, target=user,
        summary=summary,
    )


@transaction.atomic
def record_sign_in_refused(*, username: str, throttled: bool) -> None:
    """Audit a refused password step; an unknown username is not written down (it may be a mistyped password)."""
    user = User.objects.filter(username=username).first() if username else None
    reason = "too many failed sign-ins, cooling off" if throttled else "wrong username or password"
    if user is None:
        audit.record(organisation=None, by=None, action="sign_in.failed", summary=f"unknown username: {reason}")
        return
    _record_about(user, by=None, action="sign_in.failed", summary=f"{user.get_username()}: {reason}")


@transaction.atomic
def record_code_refused(*, user: User, throttled: bool, during_sign_in: bool, by: Viewer | None = None) -> None:
    """Audit a refused authenticator or recovery code, at sign-in or when confirming an account change."""
    reason = "code refused, waiting after repeated wrong codes" if throttled else "wrong or already used code"
    _record_about(
        user, by=by, action="sign_in.code_refused" if during_sign_in else "mfa.code_refused",
        summary=f"{user.get_username()}: {reason}",
    )


@transaction.atomic
def record_recovery_code_used(*, user: User, by: Viewer | None, purpose: str) -> None:
    _record_about(
        user, by=by, action="mfa.recovery_code_used",
        summary=f"{user.get_username()}: {purpose}; {mfa.recovery_codes_left(user)} recovery codes left",
    )


@transaction.atomic
def record_sign_in(*, user: User, device: Device, by: Viewer | None) -> None:
    """Audit a completed sign-in: password and second factor both accepted."""
    how = "a recovery code" if isinstance(device, RecoveryCodes) else "an authenticator code"
    _record_about(user, by=by, action="sign_in.succeeded", summary=f"{user.get_username()}: password and {how}")


@transaction.atomic
def confirm_authenticator(*, user: User, device: Authenticator, by: Viewer | None) -> list[str]:
    """Make a freshly confirmed authenticator the user's only one, issue new recovery codes and end other sessions.

    The caller has checked a code from the device (accounts.mfa.check_code) and keeps its own session
    with update_session_auth_hash. Returns the recovery codes, which are shown once.
    """
    replacing = Authenticator.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).exists()
    Authenticator.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    if replacing:
        revoke_api_tokens(user=user, because=RevokedBecause.SECOND_FACTOR, by=by)
    codes = mfa.make_recovery_codes(user)
    user.rotate_security_stamp()
    user.save(update_fields=["security_stamp"])
    _record_about(
        user, by=by, action="mfa.replaced" if replacing else "mfa.enrolled",
        summary=f"{user.get_username()}: {'new' if replacing else 'first'} authenticator app, "
        f"{len(codes)} new recovery codes; other sessions signed out",
    )
    return codes


@transaction.atomic
def renew_recovery_codes(*, user: User, by: Viewer | None) -> list[str]:
    """Replace the user's recovery codes and end their other sessions; returns the codes, shown once."""
    codes = mfa.make_recovery_codes(user)
    user.rotate_security_stamp()
    user.save(update_fields=["security_stamp"])
    _record_about(
        user, by=by, action="mfa.recovery_codes_renewed",
        summary=f"{user.get_username()}: {len(codes)} new recovery codes; other sessions signed out",
    )
    return codes


@transaction.atomic
def remove_second_factor(*, user: User, by: Viewer | None, reason: str) -> None:
    """Delete the user's authenticators and recovery codes and sign them out everywhere; they enrol again."""
    # django-otp's own device tables are emptied by migration 0007; cleared here too, so no secret outlives a reset.
    for model in (Authenticator, RecoveryCodes, TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()
    revoke_api_tokens(user=user, because=RevokedBecause.SECOND_FACTOR, by=by)
    user.rotate_security_stamp()
    user.save(update_fields=["security_stamp"])
    _record_about(user, by=by, action="mfa.removed", summary=f"{user.get_username()}: {reason}"[:300])


@transaction.atomic
def change_password(*, user: User, password: str, by: Viewer | None) -> None:
    """Set a new password (validated by the caller), sign the user out of every other session, revoke their tokens."""
    revoke_api_tokens(user=user, because=RevokedBecause.PASSWORD, by=by)
    user.set_password(password)
    user.rotate_security_stamp()
    user.save(update_fields=["password", "security_stamp"])
    _record_about(user, by=by, action="password.changed", summary=f"{user.get_username()}: other sessions signed out")


@transaction.atomic
def record_password_change_refused(*, user: User, by: Viewer | None) -> None:
    _record_about(
        user, by=by, action="password.change_refused", summary=f"{user.get_username()}: wrong current password",
    )


# --- Accounts and invitations, as administrators add members -----------------------------------------------------
# An administrator never learns whether an account exists outside their organisation: a new account gets a
# username the system chooses (so no typed name can collide), and an existing account is only ever invited,
# by a username and email address that are matched when its owner signs in.

INVITATION_DAYS = 14
_USERNAME_SUFFIX_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


class InvitationClosed(Exception):
    """The invitation was answered, withdrawn or has expired, or is not addressed to this account."""


class AlreadyMember(Exception):
    """The account already has a membership in the inviting organisation."""


def _new_username(*, first_name: str, last_name: str, email: str) -> str:
    """A free username from the person's name (or email) and a random suffix, so that it says nothing about others."""
    base = slugify(f"{first_name} {last_name}".strip() or email.partition("@")[0]).replace("-", ".")[:40] or "member"
    while True:
        suffix = "".join(secrets.choice(_USERNAME_SUFFIX_ALPHABET) for _n in range(4))
        username = f"{base}-{suffix}"
        if not User.objects.filter(username__iexact=username).exists():
            return username


@transaction.atomic
def create_account(
    *,
    organisation: Organisation,
    first_name: str,
    last_name: str,
    email: str,
    password: str,
    role: str,
    function: str = "",
    by: Viewer,
) -> Membership:
    """A new account with a username the system chooses, and its membership; the caller validated the password."""
    user = User(username=_new_username(first_name=first_name, last_name=last_name, email=email),
                email=email, first_name=first_name, last_name=last_name)
    user.set_password(password)
    user.save()
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, function=function)
    audit.record(
        organisation=organisation, by=by, action="member.added", target=membership,
        summary=f"{user.get_username()} as {role}: new account", changed_fields=["role", "function"],
    )
    return membership


@transaction.atomic
def invite_member(
    *, organisation: Organisation, username: str, email: str, role: str, function: str = "", by: Viewer | None,
) -> Invitation:
    """Invite whoever signs in with this username and email address; the same whether such an account exists or not."""
    invitation = Invitation.objects.create(
        organisation=organisation, username=username, email=email, role=role, function=function,
        invited_by=by.user if by else None,
        expires_at=timezone.now() + datetime.timedelta(days=INVITATION_DAYS),
    )
    audit.record(
        organisation=organisation, by=by, action="invitation.sent", target=invitation,
        summary=f"{username} as {role}", changed_fields=["role", "function"],
    )
    return invitation


@transaction.atomic
def withdraw_invitation(*, invitation: Invitation, by: Viewer) -> None:
    """Withdraw an invitation that was not accepted; withdrawing it again changes nothing."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.withdrawn_at is not None:
        return
    invitation.withdrawn_at = timezone.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit.record(
        organisation=invitation.organisation, by=by, action="invitation.withdrawn", target=invitation,
        summary=invitation.username,
    )


def _open_invitation_for(invitation: Invitation, user: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not invitation.is_open or not invitation.is_addressed_to(user):
        raise InvitationClosed
    return invitation


@transaction.atomic
def accept_invitation(*, invitation: Invitation, user: User) -> Membership:
    """The invited person joins the organisation: the only way an existing account gains a membership from a page.

    Accepting changes nothing else: the organisation the person signs into by default stays as it was
    until they choose another (accounts.viewer.choose_membership orders by name, not by arrival).
    """
    invitation = _open_invitation_for(invitation, user)
    if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise AlreadyMember
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role, function=invitation.function,
    )
    invitation.accepted_at = timezone.now()
    invitation.membership = membership
    invitation.save(update_fields=["accepted_at", "membership"])
    audit.record(
        organisation=invitation.organisation, by=Viewer.from_membership(membership), action="invitation.accepted",
        target=membership, summary=f"{user.get_username()} as {invitation.role}", changed_fields=["role", "function"],
    )
    return membership


@transaction.atomic
def decline_invitation(*, invitation: Invitation, user: User) -> None:
    """The invited person says no. Written to the operators' log only (no organisation): the inviting
    organisation keeps seeing the invitation as waiting until it expires, so a refusal never tells it
    that the account exists."""
    invitation = _open_invitation_for(invitation, user)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])
    audit.record(
        organisation=None, by=None, action="invitation.declined", target=invitation,
        summary=f"{user.get_username()} declined an invitation",
    )
