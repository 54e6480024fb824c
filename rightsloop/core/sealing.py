"""Seal sensitive fields with AES-256-GCM under per-organisation and per-person data keys.

Three layers, all AES-GCM from the `cryptography` package (no home-made primitives):

- the key encryption key (KEK, core.keys) comes from outside the database and wraps
- each organisation's data keys (core.models.DataKey), which seal rows without an owner and wrap
- each person's own key (Stakeholder.sealed_key), which seals everything that identifies or quotes
  them. Erasing a person destroys their wrapped key: what was sealed under it becomes unreadable.

Every sealed value is bound to where it lives (model, field and the row's uid) through the AEAD's
associated data, so a ciphertext copied to another row or field fails to open, as does any edit.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from collections import OrderedDict
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import keys
from .models import DataKey

NONCE_BYTES = 12
ORGANISATION_FORMAT = 1  # 1 byte format, 2 bytes data key version, nonce, ciphertext+tag
PERSON_FORMAT = 2  # 1 byte format, nonce, ciphertext+tag


class SealingError(Exception):
    """A sealed value did not open: tampered, moved, truncated, or its key was destroyed."""


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    if len(sealed) < NONCE_BYTES + 16:
        raise SealingError("sealed value is truncated")
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], aad)
    except InvalidTag:
        raise SealingError("sealed value failed authentication") from None


# Data keys ---------------------------------------------------------------

def _wrap_aad(organisation_id: int, purpose: str, version: int) -> bytes:
    return f"rightsloop data key|{organisation_id}|{purpose}|{version}".encode()


def wrap_data_key(secret: bytes, *, organisation_id: int, purpose: str, version: int,
                  kek: keys.MasterKey) -> bytes:
    return _encrypt(kek.secret, secret, _wrap_aad(organisation_id, purpose, version))


def unwrap_data_key(row: DataKey) -> bytes:
    kek = next((k for k in keys.key_encryption_keys() if k.key_id == row.kek_id), None)
    if kek is None:
        raise SealingError(f"data key {row} is wrapped by a key encryption key that is not configured")
    return _decrypt(kek.secret, bytes(row.wrapped), _wrap_aad(row.organisation_id, row.purpose, row.version))


_data_keys: dict[tuple[int, str, int], bytes] = {}
_current_versions: dict[tuple[int, str], int] = {}


def _load(organisation_id: int, purpose: str, version: int | None) -> tuple[int, bytes]:
    rows = DataKey.objects.filter(organisation_id=organisation_id, purpose=purpose)
    row = rows.filter(version=version).first() if version else rows.order_by("-version").first()
    if row is None:
        if version:
            raise SealingError(f"organisation {organisation_id} has no {purpose} key version {version}")
        row = _create(organisation_id, purpose)
    secret = unwrap_data_key(row)
    _data_keys[(organisation_id, purpose, row.version)] = secret
    return row.version, secret


def _create(organisation_id: int, purpose: str) -> DataKey:
    kek = keys.current_kek()
    secret = os.urandom(keys.KEY_BYTES)
    try:
        with transaction.atomic():
            return DataKey.objects.create(
                organisation_id=organisation_id, purpose=purpose, version=1, kek_id=kek.key_id,
                wrapped=wrap_data_key(secret, organisation_id=organisation_id, purpose=purpose, version=1, kek=kek),
            )
    except IntegrityError:
        # Another process created it first; use theirs.
        return DataKey.objects.get(organisation_id=organisation_id, purpose=purpose, version=1)


def data_key(organisation_id: int, purpose: str = DataKey.Purpose.SEALING,
             version: int | None = None) -> tuple[int, bytes]:
    """The organisation's data key (the current version unless one is named), created on first use."""
    if version is None:
        version = _current_versions.get((organisation_id, purpose))
        if version is None:
            version, secret = _load(organisation_id, purpose, None)
            _current_versions[(organisation_id, purpose)] = version
            return version, secret
    cached = _data_keys.get((organisation_id, purpose, version))
    if cached is not None:
        return version, cached
    return _load(organisation_id, purpose, version)


def forget_cached_keys() -> None:
    """Drop every unwrapped key from memory (tests, and after keys were destroyed)."""
    _data_keys.clear()
    _current_versions.clear()
    _person_keys.clear()


@transaction.atomic
def rewrap_all(*, now=None) -> tuple[int, int]:
    """Re-wrap every data key under the current KEK; returns (re-wrapped, already current). Idempotent."""
    current = keys.current_kek()
    changed = unchanged = 0
    for row in DataKey.objects.select_for_update().order_by("pk"):
        if row.kek_id == current.key_id:
            unchanged += 1
            continue
        secret = unwrap_data_key(row)
        row.wrapped = wrap_data_key(secret, organisation_id=row.organisation_id, purpose=row.purpose,
                                    version=row.version, kek=current)
        row.kek_id = current.key_id
        row.rewrapped_at = now or timezone.now()
        row.save(update_fields=["wrapped", "kek_id", "rewrapped_at"])
        changed += 1
    return changed, unchanged


# Sealing keys ------------------------------------------------------------

@dataclass(frozen=True)
class OrganisationKey:
    """Seals rows that belong to no person (an input whose speaker was not recorded)."""

    organisation_id: int

    def seal(self, plaintext: str, aad: bytes) -> bytes:
        version, secret = data_key(self.organisation_id)
        return bytes([ORGANISATION_FORMAT]) + version.to_bytes(2, "big") + _encrypt(
            secret, plaintext.encode(), aad)

    def open(self, sealed: bytes, aad: bytes) -> str:
        if not sealed or sealed[0] != ORGANISATION_FORMAT or len(sealed) < 3:
            raise SealingError("not sealed under an organisation key")
        _version, secret = data_key(self.organisation_id, version=int.from_bytes(sealed[1:3], "big"))
        return _decrypt(secret, sealed[3:], aad).decode()


@dataclass(frozen=True)
class PersonKey:
    """Seals what identifies or quotes one person; destroying it erases them from every sealed row."""

    secret: bytes

    def seal(self, plaintext: str, aad: bytes) -> bytes:
        return bytes([PERSON_FORMAT]) + _encrypt(self.secret, plaintext.encode(), aad)

    def open(self, sealed: bytes, aad: bytes) -> str:
        if not sealed or sealed[0] != PERSON_FORMAT:
            raise SealingError("not sealed under a person's key")
        return _decrypt(self.secret, sealed[1:], aad).decode()


_person_keys: OrderedDict[bytes, bytes] = OrderedDict()
_PERSON_KEY_CACHE = 20_000


def _person_aad(uid) -> bytes:
    return f"rightsloop person key|{uid}".encode()


def new_person_key(organisation_id: int, uid) -> tuple[bytes, PersonKey]:
    """A fresh key for one person, and its wrapped form to store on their row."""
    secret = os.urandom(keys.KEY_BYTES)
    wrapped = OrganisationKey(organisation_id).seal(secret.hex(), _person_aad(uid))
    return wrapped, PersonKey(secret)


def unwrap_person_key(organisation_id: int, uid, wrapped: bytes) -> PersonKey:
    cache_key = hashlib.sha256(f"{organisation_id}|{uid}|".encode() + wrapped).digest()
    secret = _person_keys.get(cache_key)
    if secret is None:
        secret = bytes.fromhex(OrganisationKey(organisation_id).open(wrapped, _person_aad(uid)))
        _person_keys[cache_key] = secret
        if len(_person_keys) > _PERSON_KEY_CACHE:
            _person_keys.popitem(last=False)
    return PersonKey(secret)


# Blind index -------------------------------------------------------------

def blind_index(organisation_id: int, value: str) -> str:
    """A keyed fingerprint for exact-match lookups (email, name words) that reveals nothing without the key."""
    if not value:
        return ""
    _version, secret = data_key(organisation_id, DataKey.Purpose.BLIND_INDEX)
    return hmac.new(secret, value.encode(), hashlib.sha256).hexdigest()[:32]


# Model support -----------------------------------------------------------

ERASED = "\u2588" * 3  # what a field reads as once its person's key is destroyed


class Sealed(property):
    """A plaintext model attribute stored sealed in the `<name>_sealed` binary column.

    Reading opens (and caches) the value; writing marks it for sealing when the row is saved.
    Subclassing property lets Django accept it as a constructor keyword.
    """

    def __init__(self, doc: str = ""):
        super().__init__(self._get, self._set, None, doc)
        self.name = ""

    def __set_name__(self, owner, name):
        self.name = name
        self.column = f"{name}_sealed"

    def _get(self, instance):
        plain = instance.__dict__.setdefault("_plaintext", {})
        if self.name not in plain:
            plain[self.name] = instance.open_sealed_field(self.name, getattr(instance, self.column))
        return plain[self.name]

    def _set(self, instance, value):
        instance.__dict__.setdefault("_plaintext", {})[self.name] = "" if value is None else str(value)
        instance.__dict__.setdefault("_pending_seal", set()).add(self.name)


class SealedModel:
    """Mixin for models with Sealed attributes; the model says which key seals each row."""

    sealed_fields: tuple[str, ...] = ()

    def sealing_key(self) -> OrganisationKey | PersonKey | None:
        raise NotImplementedError

    def sealing_aad(self, name: str) -> bytes:
        return f"{self._meta.label_lower}|{name}|{self.uid}".encode()

    def open_sealed_field(self, name: str, sealed) -> str:
        sealed = bytes(sealed or b"")
        if not sealed:
            return ""
        key = self.sealing_key()
        if key is None:
            return ERASED
        return key.open(sealed, self.sealing_aad(name))

    def seal_pending(self) -> list[str]:
        """Seal every attribute written since the last save; returns the columns it set."""
        pending = self.__dict__.get("_pending_seal") or set()
        if not pending:
            return []
        key = self.sealing_key()
        columns = []
        for name in sorted(pending):
            value = self.__dict__["_plaintext"][name]
            if value and key is None:
                raise SealingError(f"cannot seal {name}: the key of this row was destroyed")
            setattr(self, f"{name}_sealed", key.seal(value, self.sealing_aad(name)) if value else b"")
            columns.append(f"{name}_sealed")
        pending.clear()
        return columns

    def forget_plaintext(self) -> None:
        self.__dict__.pop("_plaintext", None)
        self.__dict__.pop("_pending_seal", None)

    def save(self, *args, **kwargs):
        columns = self.seal_pending()
        if kwargs.get("update_fields") is not None and columns:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | set(columns)
        super().save(*args, **kwargs)

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self.forget_plaintext()
