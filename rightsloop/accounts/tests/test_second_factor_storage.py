"""A copy of the database holds no second factor: authenticator secrets are sealed, recovery codes only digested."""

import base64
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django_otp.oath import totp

from rightsloop.accounts import mfa
from rightsloop.accounts.devices import Authenticator, RecoveryCodes
from rightsloop.accounts.tests.factories import PASSWORD, make_authenticator
from rightsloop.core import keys, sealing
from rightsloop.core.sealing import SealingError

pytestmark = pytest.mark.django_db


def table_dump() -> list[str]:
    """Every value of every row of every table, as text: bytes both as hex and as latin-1 (what a dump shows)."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 (names from the db)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview):
                        value = bytes(value)
                    if isinstance(value, bytes):
                        values += [value.hex(), value.decode("latin-1")]
                    elif value is not None:
                        values.append(str(value))
    return values


def found_in_dump(secrets_: list[str]) -> set[str]:
    dump = "\n".join(table_dump()).lower()
    return {s for s in secrets_ if s.lower() in dump}


def enrol_through_the_pages(user, client) -> tuple[bytes, list[str]]:
    client.post("/accounts/sign-in/", {"username": user.username, "password": PASSWORD})
    html = client.get("/accounts/enrol/").content.decode()
    secret = base64.b32decode(re.search(r'id="authenticator-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", ""))
    done = client.post("/accounts/enrol/", {"code": f"{totp(secret):06d}"})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    return secret, codes


def forms_of(secret: bytes) -> list[str]:
    return [base64.b32encode(secret).decode(), secret.hex(), secret.decode("latin-1")]


def test_the_tables_hold_neither_the_secret_nor_any_recovery_code_and_sign_in_still_works(hr_lead, client):
    secret, codes = enrol_through_the_pages(hr_lead.user, client)

    assert found_in_dump([*forms_of(secret), *codes]) == set()

    with_code, with_recovery = Client(), Client()
    with_code.post("/accounts/sign-in/", {"username": hr_lead.user.username, "password": PASSWORD})
    Authenticator.objects.filter(user=hr_lead.user).update(last_t=-1)  # the enrolment used this time step
    assert with_code.post("/accounts/verify/", {"code": f"{totp(secret):06d}"}).url == "/"
    with_recovery.post("/accounts/sign-in/", {"username": hr_lead.user.username, "password": PASSWORD})
    assert with_recovery.post("/accounts/verify/", {"code": codes[3]}).url == "/"
    assert with_recovery.get("/").status_code == 200
    assert mfa.recovery_codes_left(hr_lead.user) == 9


def test_the_dump_check_would_see_django_otps_clear_storage(hr_lead):
    # The check above can fail: django-otp's own devices store both in clear, and it finds them.
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    clear = TOTPDevice.objects.create(user=hr_lead.user, name="clear")
    static = StaticDevice.objects.create(user=hr_lead.user, name="clear")
    StaticToken.objects.create(device=static, token="abcd2345")
    assert found_in_dump([*forms_of(clear.bin_key), "abcd2345"]) == {clear.bin_key.hex(), "abcd2345"}


def test_a_sealed_secret_copied_to_another_account_does_not_open(hr_lead, admin):
    mine, theirs = make_authenticator(hr_lead.user), make_authenticator(admin.user)
    Authenticator.objects.filter(pk=theirs.pk).update(key_sealed=bytes(mine.key_sealed))
    with pytest.raises(SealingError):
        Authenticator.objects.get(pk=theirs.pk).bin_key  # noqa: B018


def test_without_the_key_encryption_key_the_secret_cannot_be_read(hr_lead, monkeypatch):
    device = make_authenticator(hr_lead.user)
    monkeypatch.setenv("RIGHTSLOOP_KEK", keys.new_secret())
    keys.forget()
    with pytest.raises(SealingError):
        Authenticator.objects.get(pk=device.pk).bin_key  # noqa: B018


def test_an_unreadable_secret_refuses_the_code_and_recovery_codes_still_sign_in(hr_lead, monkeypatch):
    make_authenticator(hr_lead.user)
    codes = mfa.make_recovery_codes(hr_lead.user)
    monkeypatch.setenv("RIGHTSLOOP_KEK", keys.new_secret())
    keys.forget()
    assert not mfa.check_code(user=hr_lead.user, code="123456").accepted
    assert mfa.check_code(user=hr_lead.user, code=codes[0]).with_recovery_code


def test_key_rotation_reseals_authenticator_secrets(hr_lead, monkeypatch):
    device = make_authenticator(hr_lead.user)
    secret = device.bin_key
    old, new = keys.encode(keys.current_kek().secret), keys.new_secret()
    monkeypatch.setenv("RIGHTSLOOP_KEK", new)
    monkeypatch.setenv("RIGHTSLOOP_PREVIOUS_KEKS", old)
    keys.forget()
    sealing.forget_cached_keys()
    out = StringIO()
    call_command("rotate_keys", stdout=out)
    assert "1 authenticator secret(s) resealed" in out.getvalue()
    monkeypatch.setenv("RIGHTSLOOP_PREVIOUS_KEKS", "")
    keys.forget()
    assert Authenticator.objects.get(pk=device.pk).bin_key == secret


def test_recovery_codes_are_throttled_and_single_use(hr_lead):
    codes = mfa.make_recovery_codes(hr_lead.user)
    assert not mfa.check_code(user=hr_lead.user, code="zzzzzzzz").accepted
    device = RecoveryCodes.objects.get(user=hr_lead.user)
    assert device.throttling_failure_count == 1
    waiting = mfa.check_code(user=hr_lead.user, code=codes[0])
    assert not waiting.accepted and waiting.wait_until is not None
    device.throttle_reset()
    assert mfa.check_code(user=hr_lead.user, code=codes[0]).with_recovery_code
    assert not mfa.check_code(user=hr_lead.user, code=codes[0]).accepted


def test_the_migration_converts_django_otp_devices_and_their_codes_keep_working(hr_lead):
    import importlib

    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    old_totp = TOTPDevice.objects.create(user=hr_lead.user, name="authenticator", confirmed=True)
    secret = old_totp.bin_key
    old_static = StaticDevice.objects.create(user=hr_lead.user, name="recovery codes", confirmed=True)
    for code in ("abcd2345", "efgh6723"):
        StaticToken.objects.create(device=old_static, token=code)

    migration = importlib.import_module("rightsloop.accounts.migrations.0007_sealed_second_factors")
    migration.convert_second_factors(apps, connection.schema_editor())

    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists() and not StaticToken.objects.exists()
    assert found_in_dump([*forms_of(secret), "abcd2345", "efgh6723"]) == set()
    assert mfa.authenticator_for(hr_lead.user).bin_key == secret
    assert mfa.check_code(user=hr_lead.user, code=f"{totp(secret):06d}").accepted
    assert mfa.check_code(user=hr_lead.user, code="EFGH-6723").with_recovery_code
    assert mfa.recovery_codes_left(hr_lead.user) == 1
