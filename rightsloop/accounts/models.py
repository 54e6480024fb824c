"""Users, their role in each organisation, and API tokens."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation

from .roles import Function, Role


def new_security_stamp() -> str:
    return secrets.token_hex(16)


class User(AbstractUser):
    """A staff member of one or more organisations."""

    # Part of every session's auth hash: changing it signs the user out everywhere (accounts.actions).
    security_stamp = models.CharField(max_length=32, default=new_security_stamp, editable=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.get_username()

    def save(self, *args, **kwargs):
        # set_password leaves _password set until the save; Django's silent hash upgrade at sign-in clears it
        # first. Whatever path changed the password (page, reset, admin, changepassword), tokens end with it.
        password_changed = self._password is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from .actions import revoke_api_tokens  # actions import this module

            revoke_api_tokens(user=self, because=RevokedBecause.PASSWORD, by=None)

    def rotate_security_stamp(self) -> None:
        """Invalidate every session of this user at their next request; the caller saves the user."""
        self.security_stamp = new_security_stamp()

    def get_session_auth_hash(self) -> str:
        return self._session_auth_hash()

    def get_session_auth_fallback_hash(self):
        for fallback_secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_auth_hash(secret=fallback_secret)

    def _session_auth_hash(self, secret: str | None = None) -> str:
        # Django's own hash covers the password only; the stamp adds MFA changes and explicit revocation.
        return salted_hmac(
            "rightsloop.accounts.User.get_session_auth_hash",
            f"{self.password}\x00{self.security_stamp}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(models.Model):
    """A user's role, and for decision makers their function, in one organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    function = models.CharField(
        _("function"), max_length=32, choices=Function.choices, blank=True,
        help_text=_("Decision makers see and decide the inputs routed to this function."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org"),
            models.CheckConstraint(
                condition=~models.Q(role="decision_maker") | ~models.Q(function=""),
                name="decision_maker_has_function",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.RIGHTSLOOP_API_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def unrevoked(self):
        return self.filter(revoked_at__isnull=True)

    def usable(self, now: datetime.datetime | None = None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now(),
                           membership__is_active=True, membership__user__is_active=True)


class RevokedBecause(models.TextChoices):
    OWNER = "owner", _("revoked by its owner")
    EXPIRED = "expired", _("expired")
    PASSWORD = "password", _("the password was changed")
    SECOND_FACTOR = "second_factor", _("the second factor was reset or replaced")
    MEMBERSHIP = "membership", _("the membership ended")


class ApiToken(models.Model):
    """A bearer token for the JSON API; only its hash is stored."""

    PREFIX = "rl_"

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    # Every token ends: a leaked one is worthless after this, even if nobody notices the leak.
    expires_at = models.DateTimeField(_("expires"))
    # Updated at most once a minute (rightsloop.api.BearerToken), not on every request.
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=32, choices=RevokedBecause.choices, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key_prefix}… ({self.name})"

    @classmethod
    def generate(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class InvitationQuerySet(models.QuerySet):
    def open(self):
        """Neither accepted, declined nor withdrawn, and not expired: the person may still answer it."""
        return self.filter(
            accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )

    def waiting(self):
        """What the inviting organisation sees as waiting: a declined invitation looks the same until it expires,
        so an administrator never learns from a refusal that an account exists."""
        return self.filter(accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now())

    def addressed_to(self, user: User):
        """Invitations whose username and email both match the account (case aside); an account without an email
        address matches none."""
        if not user.email:
            return self.none()
        return self.filter(username__iexact=user.get_username(), email__iexact=user.email)


class Invitation(models.Model):
    """An organisation's offer of a role to an account it cannot see; a membership exists only once its owner accepts.

    The administrator types a username and an email address. Nothing tells them whether such an account
    exists: the invitation is matched only when someone signs in with both (accounts.actions.invite_member).
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="invitations")
    username = models.CharField(_("username"), max_length=150)
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    function = models.CharField(_("function"), max_length=32, choices=Function.choices, blank=True)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    membership = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(role="decision_maker") | ~models.Q(function=""),
                name="invitation_decision_maker_has_function",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.username} → {self.organisation} ({self.role})"

    @property
    def is_open(self) -> bool:
        return (self.accepted_at is None and self.declined_at is None and self.withdrawn_at is None
                and self.expires_at > timezone.now())

    def is_addressed_to(self, user: User) -> bool:
        return bool(user.email) and (self.username.casefold() == user.get_username().casefold()
                                     and self.email.casefold() == user.email.casefold())


# The second-factor devices live in their own module; importing them here registers them with the app.
from .devices import Authenticator, RecoveryCode, RecoveryCodes  # noqa: E402, F401
