"""Where secret keys come from: the environment or key files, never the database, never SECRET_KEY.

- `RIGHTSLOOP_KEK` / `RIGHTSLOOP_KEK_FILE`: the key encryption key that wraps every organisation's
  data keys (32 random bytes, base64url). `RIGHTSLOOP_PREVIOUS_KEKS` / `..._FILES` (comma-separated)
  keep older keys readable while `manage.py rotate_keys` re-wraps under the current one.
- `RIGHTSLOOP_AUDIT_KEY` / `RIGHTSLOOP_AUDIT_KEY_FILE`: the key that seals the audit chain.

In development and the demo (settings RIGHTSLOOP_KEY_DIR), missing keys are generated once into key
files beside the database, readable only by their owner. Production sets them explicitly.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

KEY_BYTES = 32


@dataclass(frozen=True)
class MasterKey:
    key_id: str
    secret: bytes


def encode(secret: bytes) -> str:
    return base64.urlsafe_b64encode(secret).decode()


def decode(text: str, name: str) -> bytes:
    try:
        secret = base64.urlsafe_b64decode(text.strip().encode())
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{name} is not base64url.") from None
    if len(secret) != KEY_BYTES:
        raise ImproperlyConfigured(f"{name} must hold {KEY_BYTES} random bytes.")
    return secret


def new_secret() -> str:
    return encode(secrets.token_bytes(KEY_BYTES))


def key_id(secret: bytes) -> str:
    """A short public name for a key: lets a ciphertext say which key wrapped it, reveals nothing."""
    return hashlib.sha256(b"rightsloop key id:" + secret).hexdigest()[:16]


def _generated(name: str) -> str | None:
    folder = getattr(settings, "RIGHTSLOOP_KEY_DIR", None)
    if not folder:
        return None
    path = Path(folder) / name.lower()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Write the whole key to a private temporary file, then link it into place: of two processes
        # starting at once, one wins and the other reads the winner's complete key.
        temporary = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(new_secret())
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return path.read_text()


def _read(name: str, *, required: bool = True) -> str | None:
    if os.environ.get(name):
        return os.environ[name]
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text()
    generated = _generated(name)
    if generated is None and required:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE (see docs/security.md).")
    return generated


def _read_list(name: str) -> list[str]:
    values = [v for v in os.environ.get(name, "").split(",") if v.strip()]
    for file_name in [v for v in os.environ.get(f"{name}_FILES", "").split(",") if v.strip()]:
        values.append(Path(file_name.strip()).read_text())
    return values


@cache
def key_encryption_keys() -> tuple[MasterKey, ...]:
    """The current key encryption key first, then any previous ones still accepted for unwrapping."""
    current = decode(_read("RIGHTSLOOP_KEK"), "RIGHTSLOOP_KEK")
    keys = [MasterKey(key_id(current), current)]
    for index, text in enumerate(_read_list("RIGHTSLOOP_PREVIOUS_KEKS")):
        secret = decode(text, f"RIGHTSLOOP_PREVIOUS_KEKS[{index}]")
        if all(k.secret != secret for k in keys):
            keys.append(MasterKey(key_id(secret), secret))
    return tuple(keys)


def current_kek() -> MasterKey:
    return key_encryption_keys()[0]


@cache
def audit_key() -> bytes:
    return decode(_read("RIGHTSLOOP_AUDIT_KEY"), "RIGHTSLOOP_AUDIT_KEY")


def forget() -> None:
    """Drop cached keys, after the environment changed (tests, key rotation)."""
    key_encryption_keys.cache_clear()
    audit_key.cache_clear()
