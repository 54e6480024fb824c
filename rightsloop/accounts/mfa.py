"""Authenticator apps (TOTP) and one-time recovery codes, on django-otp with our own devices (accounts.devices),
which keep the authenticator's secret sealed and recovery codes only as salted digests.

Checking a code lives here; what a successful check changes (and the audit entry it writes) lives in
accounts.actions, and the session side (django_otp.login) in the views.
"""

from __future__ import annotations

import datetime
import logging
from base64 import b32encode
from dataclasses import dataclass

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken

from rightsloop.core.sealing import SealingError

from .devices import Authenticator, RecoveryCode, RecoveryCodes
from .models import User

logger = logging.getLogger(__name__)

AUTHENTICATOR_NAME = "authenticator"
RECOVERY_CODES_NAME = "recovery codes"
# An enrolment left half-way is forgotten after this long.
PENDING_LIFETIME = datetime.timedelta(hours=1)


def authenticator_for(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def pending_authenticator_for(user: User) -> Authenticator | None:
    return Authenticator.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def recovery_codes_for(user: User) -> RecoveryCodes | None:
    return RecoveryCodes.objects.filter(user=user, confirmed=True).order_by("-pk").first()


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user, device__confirmed=True).count()


def new_pending_authenticator(user: User) -> Authenticator:
    """Create an unconfirmed authenticator with a fresh secret; it counts only once a first code confirms it."""
    Authenticator.objects.filter(
        user=user, confirmed=False, created_at__lt=timezone.now() - PENDING_LIFETIME
    ).delete()
    return Authenticator.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def secret(device: Authenticator) -> str:
    """The shared secret in the base32 form authenticator apps and oathtool accept."""
    return b32encode(device.bin_key).decode("ascii")


def grouped(text: str, size: int = 4) -> str:
    return " ".join(text[i:i + size] for i in range(0, len(text), size))


def qr_code_svg(device: Authenticator) -> str:
    """The otpauth:// address as inline SVG markup: no script, no style attribute, no request."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#000", light="#fff", title=_("QR code of your sign-in secret"), svgclass="qr-code",
    )


def current_code(device: Authenticator) -> str:
    """The code the device's authenticator shows now (for the demo's printout and the tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def make_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with new ones and return them: they are shown once."""
    device = recovery_codes_for(user)
    if device is None:
        device = RecoveryCodes.objects.create(user=user, name=RECOVERY_CODES_NAME, confirmed=True)
    # django-otp's code format (eight base32 characters, 40 random bits); only their digests are stored.
    codes = [StaticToken.random_token() for _n in range(settings.RIGHTSLOOP_RECOVERY_CODES)]
    device.replace_codes(codes)
    device.throttle_reset()
    return codes


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def is_authenticator_code(code: str) -> bool:
    # Authenticators give six digits; recovery codes are eight characters long.
    return code.isascii() and code.isdigit() and len(code) == 6


@dataclass(frozen=True)
class CodeCheck:
    """What became of one code: the device that accepted it, or when the device will take codes again."""

    device: Device | None
    wait_until: datetime.datetime | None = None

    @property
    def accepted(self) -> bool:
        return self.device is not None

    @property
    def with_recovery_code(self) -> bool:
        return isinstance(self.device, RecoveryCodes)

    def wait_seconds(self) -> int:
        if self.wait_until is None:
            return 0
        return max(1, int((self.wait_until - timezone.now()).total_seconds()) + 1)


@transaction.atomic
def check_code(*, user: User, code: str, device: Device | None = None) -> CodeCheck:
    """Verify a code once, against the given device or else the user's authenticator or recovery codes.

    The device row is locked while it is checked, so a code cannot be used twice by two requests at once;
    django-otp refuses an authenticator code of a time step already used, deletes a used recovery code,
    and doubles the wait after each wrong code, up to RIGHTSLOOP_OTP_THROTTLE_MAX_FAILURES.
    """
    code = normalise(code)
    if device is None:
        device = authenticator_for(user) if is_authenticator_code(code) else recovery_codes_for(user)
    if device is None or device.user_id != user.pk:
        return CodeCheck(None)
    device = type(device).objects.select_for_update().get(pk=device.pk)
    _cap_failures(device)
    allowed, details = device.verify_is_allowed()
    if not allowed:
        return CodeCheck(None, wait_until=(details or {}).get("locked_until"))
    try:
        accepted = device.verify_token(code)
    except SealingError:
        # The secret does not open (its key encryption key is not configured): refuse the code, never fail
        # the page, so recovery codes still sign in; the log tells the operator.
        logger.error("The authenticator of user %s cannot be opened: is RIGHTSLOOP_KEK right?", user.pk)
        accepted = False
    if accepted:
        return CodeCheck(device)
    _cap_failures(device)
    return CodeCheck(None)


def _cap_failures(device: Device) -> None:
    """django-otp doubles the wait after each wrong code without end; stop the count where the wait is 2**(cap-1) s."""
    cap = settings.RIGHTSLOOP_OTP_THROTTLE_MAX_FAILURES
    if device.throttling_failure_count > cap:
        device.throttling_failure_count = cap
        device.save(update_fields=["throttling_failure_count"])
