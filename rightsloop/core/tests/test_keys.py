"""Where keys come from (environment, key files, generated key files) and which keys are refused."""

import base64
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured

from rightsloop.core import keys

NAMES = ("RIGHTSLOOP_KEK", "RIGHTSLOOP_KEK_FILE", "RIGHTSLOOP_PREVIOUS_KEKS", "RIGHTSLOOP_PREVIOUS_KEKS_FILES",
         "RIGHTSLOOP_AUDIT_KEY", "RIGHTSLOOP_AUDIT_KEY_FILE")


@pytest.fixture
def no_keys(monkeypatch, settings):
    """No key in the environment and no key folder: each test says where its keys come from."""
    for name in NAMES:
        monkeypatch.delenv(name, raising=False)
    settings.RIGHTSLOOP_KEY_DIR = None
    keys.forget()
    yield monkeypatch
    keys.forget()


def secret(byte: int, length: int = keys.KEY_BYTES) -> bytes:
    return bytes([byte]) * length


def key_file(folder, name: str, content: str):
    path = folder / name
    path.write_text(content)
    return str(path)


def test_keys_are_read_from_files(no_keys, tmp_path):
    no_keys.setenv("RIGHTSLOOP_KEK_FILE", key_file(tmp_path, "kek", keys.encode(secret(1)) + "\n"))
    no_keys.setenv("RIGHTSLOOP_AUDIT_KEY_FILE", key_file(tmp_path, "audit", keys.encode(secret(2))))
    no_keys.setenv("RIGHTSLOOP_PREVIOUS_KEKS_FILES", ",".join([
        key_file(tmp_path, "old1", keys.encode(secret(3))), " " + key_file(tmp_path, "old2", keys.encode(secret(4)))]))

    found = keys.key_encryption_keys()

    assert [k.secret for k in found] == [secret(1), secret(3), secret(4)]
    assert keys.current_kek() == keys.MasterKey(keys.key_id(secret(1)), secret(1))
    assert keys.audit_key() == secret(2)


def test_the_environment_wins_over_a_file_and_a_previous_key_equal_to_the_current_one_is_kept_once(
        no_keys, tmp_path):
    no_keys.setenv("RIGHTSLOOP_KEK", keys.encode(secret(5)))
    no_keys.setenv("RIGHTSLOOP_KEK_FILE", key_file(tmp_path, "kek", keys.encode(secret(6))))
    no_keys.setenv("RIGHTSLOOP_PREVIOUS_KEKS", f"{keys.encode(secret(5))},{keys.encode(secret(7))},")

    assert [k.secret for k in keys.key_encryption_keys()] == [secret(5), secret(7)]


@pytest.mark.parametrize(("text", "why"), [
    ("not base64 at all!", "is not base64url"),
    (base64.urlsafe_b64encode(secret(1, 16)).decode(), "must hold 32 random bytes"),
    (base64.urlsafe_b64encode(secret(1, 33)).decode(), "must hold 32 random bytes"),
    ("", "Set RIGHTSLOOP_KEK or RIGHTSLOOP_KEK_FILE"),
])
def test_a_bad_or_missing_key_encryption_key_is_refused(no_keys, text, why):
    if text:
        no_keys.setenv("RIGHTSLOOP_KEK", text)
    with pytest.raises(ImproperlyConfigured, match=why):
        keys.key_encryption_keys()


def test_a_bad_previous_key_or_audit_key_is_refused(no_keys, tmp_path):
    no_keys.setenv("RIGHTSLOOP_KEK", keys.encode(secret(1)))
    no_keys.setenv("RIGHTSLOOP_PREVIOUS_KEKS_FILES", key_file(tmp_path, "old", "short"))
    with pytest.raises(ImproperlyConfigured, match=r"RIGHTSLOOP_PREVIOUS_KEKS\[0\]"):
        keys.key_encryption_keys()
    no_keys.setenv("RIGHTSLOOP_AUDIT_KEY_FILE", key_file(tmp_path, "audit", keys.encode(secret(1, 31))))
    with pytest.raises(ImproperlyConfigured, match="RIGHTSLOOP_AUDIT_KEY must hold"):
        keys.audit_key()


def test_missing_keys_are_generated_once_into_private_files(no_keys, settings, tmp_path):
    settings.RIGHTSLOOP_KEY_DIR = str(tmp_path / "keys")

    first = keys.current_kek()
    audit = keys.audit_key()
    keys.forget()

    assert keys.current_kek() == first and keys.audit_key() == audit  # read back, not generated again
    assert first.secret != audit
    for name in ("rightsloop_kek", "rightsloop_audit_key"):
        path = tmp_path / "keys" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keys").stat().st_mode) == 0o700
    assert sorted(p.name for p in (tmp_path / "keys").iterdir()) == ["rightsloop_audit_key", "rightsloop_kek"]
