"""Second-factor devices whose secrets a copy of the database does not give away (django-otp custom devices).

django-otp's own TOTPDevice keeps the shared secret as hex and StaticToken keeps recovery codes in clear,
so whoever reads the tables holds every member's second factor. These two devices behave the same way at
sign-in (django-otp finds them as Device subclasses) but store:

- the authenticator's secret sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the key
  encryption key, which lives outside the database (core.keys); the sealed value names the KEK it was made
  under and is bound to its row and user, so it cannot be moved to another account;
- recovery codes as PBKDF2-SHA256 digests with a random salt per user: a check hashes the typed code once,
  and a guess at a stolen digest costs as much as a check.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice

from rightsloop.core import keys
from rightsloop.core.sealing import SealingError

SECRET_FORMAT = 3  # 1 byte format, 16 bytes KEK id, 12 bytes nonce, ciphertext+tag
_KEY_ID_BYTES = 16
_NONCE_BYTES = 12
SECRET_BYTES = 20  # 160 bits, as django-otp and RFC 4226 recommend


def _secret_key(kek: keys.MasterKey) -> bytes:
    # A key of its own for second-factor secrets: a leak of one purpose's key does not open the other's.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"rightsloop second factor secrets").derive(kek.secret)


def seal_secret(secret: bytes, aad: bytes) -> bytes:
    kek = keys.current_kek()
    nonce = os.urandom(_NONCE_BYTES)
    return bytes([SECRET_FORMAT]) + kek.key_id.encode() + nonce + AESGCM(_secret_key(kek)).encrypt(nonce, secret, aad)


def sealed_under(sealed: bytes) -> str:
    return sealed[1:1 + _KEY_ID_BYTES].decode("ascii", "replace")


def open_secret(sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < 1 + _KEY_ID_BYTES + _NONCE_BYTES + 16 or sealed[0] != SECRET_FORMAT:
        raise SealingError("not a sealed second-factor secret")
    key_id = sealed_under(sealed)
    kek = next((k for k in keys.key_encryption_keys() if k.key_id == key_id), None)
    if kek is None:
        raise SealingError(f"second-factor secret sealed under key {key_id}, which is not configured")
    start = 1 + _KEY_ID_BYTES
    try:
        return AESGCM(_secret_key(kek)).decrypt(sealed[start:start + _NONCE_BYTES], sealed[start + _NONCE_BYTES:], aad)
    except InvalidTag:
        raise SealingError("second-factor secret failed authentication") from None


def authenticator_aad(uid, user_id) -> bytes:
    """What a sealed secret is bound to: its row and its user."""
    return f"accounts.authenticator|key|{uid}|{user_id}".encode()


def recovery_code_digest(code: str, *, salt: str, iterations: int) -> str:
    return hashlib.pbkdf2_hmac("sha256", code.strip().lower().encode(), salt.encode(), iterations).hex()


class Authenticator(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP, RFC 6238) whose shared secret is stored sealed."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key_sealed = models.BinaryField()
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    # The time step of the last code accepted: a code of that step or an earlier one is refused (no replay).
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    # Checking a code, throttling and the otpauth:// address are django-otp's TOTP device's own code: they
    # read only bin_key and the fields above, so the check is exactly the library's.
    verify_token = TOTPDevice.verify_token
    get_throttle_factor = TOTPDevice.get_throttle_factor
    config_url = TOTPDevice.config_url
    _read_str_from_settings = TOTPDevice._read_str_from_settings

    def _aad(self) -> bytes:
        return authenticator_aad(self.uid, self.user_id)

    def set_secret(self, secret: bytes) -> None:
        """Seal a new shared secret into the row; the caller saves it."""
        self.key_sealed = seal_secret(secret, self._aad())
        self.__dict__["_bin_key"] = secret

    @property
    def bin_key(self) -> bytes:
        if "_bin_key" not in self.__dict__:
            self.__dict__["_bin_key"] = open_secret(bytes(self.key_sealed), self._aad())
        return self.__dict__["_bin_key"]

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.__dict__.pop("_bin_key", None)

    def save(self, *args, **kwargs):
        if not self.key_sealed:
            self.set_secret(secrets.token_bytes(SECRET_BYTES))
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "key_sealed"}
        super().save(*args, **kwargs)


@transaction.atomic
def reseal_authenticator_secrets() -> tuple[int, int]:
    """Seal every authenticator secret again under the current KEK; returns (resealed, already current)."""
    current = keys.current_kek().key_id
    changed = unchanged = 0
    for device in Authenticator.objects.select_for_update().order_by("pk"):
        if sealed_under(bytes(device.key_sealed)) == current:
            unchanged += 1
            continue
        device.set_secret(device.bin_key)
        device.save(update_fields=["key_sealed"])
        changed += 1
    return changed, unchanged


def _new_salt() -> str:
    return secrets.token_hex(16)


def _iterations() -> int:
    return settings.RIGHTSLOOP_RECOVERY_CODE_ITERATIONS


class RecoveryCodes(TimestampMixin, ThrottlingMixin, Device):
    """A user's single-use recovery codes, stored as salted PBKDF2 digests; a used code's digest is deleted."""

    salt = models.CharField(max_length=32, default=_new_salt, editable=False)
    # Kept per row so raising the setting later does not lock anyone out of codes made before.
    iterations = models.PositiveIntegerField(default=_iterations, editable=False)

    class Meta(Device.Meta):
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def digest(self, code: str) -> str:
        return recovery_code_digest(code, salt=self.salt, iterations=self.iterations)

    def replace_codes(self, codes: list[str]) -> None:
        """Forget every code of this device and keep only the digests of the new ones."""
        self.codes.all().delete()
        RecoveryCode.objects.bulk_create(RecoveryCode(device=self, digest=self.digest(code)) for code in codes)

    def get_throttle_factor(self):
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        # As django-otp's StaticDevice.verify_token, comparing digests instead of the codes themselves.
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        match = self.codes.filter(digest=self.digest(str(token))).first()
        if match is None:
            self.throttle_increment()
            return False
        match.delete()
        self.throttle_reset(commit=False)
        self.set_last_used_timestamp(commit=False)
        self.save()
        return True


class RecoveryCode(models.Model):
    """The digest of one unused recovery code."""

    device = models.ForeignKey(RecoveryCodes, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64, db_index=True)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code {self.pk} of {self.device_id}"
