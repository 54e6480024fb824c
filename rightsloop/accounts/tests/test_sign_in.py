"""X4 sign-in: breached passwords, the second factor for every role, throttling, and one audit entry per event."""

import base64
import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.devices import Authenticator, RecoveryCode, RecoveryCodes
from rightsloop.accounts.models import User
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import (
    PASSWORD,
    current_code,
    make_authenticator,
    make_member,
    sign_in_with_code,
)
from rightsloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def post_password(client, username, password=PASSWORD, **extra):
    return client.post("/accounts/sign-in/", {"username": username, "password": password}, **extra)


def code_for(device: Authenticator, steps_ahead: int = 0) -> str:
    return f"{totp(device.bin_key, t0=device.t0 - steps_ahead * device.step):06d}"


def audit_actions(prefix: str = "") -> list[str]:
    return list(AuditEntry.objects.filter(action__startswith=prefix).order_by("id").values_list("action", flat=True))


def audit_text() -> str:
    return " ".join(f"{e.summary} {e.changed_fields} {e.target_id}" for e in AuditEntry.objects.all())


# --- 1. Passwords ------------------------------------------------------------------------------------------------


def test_argon2_hashes_staff_passwords():
    from config.settings import base

    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("password", ["iloveyou1234", "qwertyuiop1234", "password12345"])
def test_breached_passwords_are_refused_offline(password):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, User(username="lena"))
    assert "password_breached" in {error.code for error in refused.value.error_list}


def test_short_common_passwords_are_refused_by_djangos_list_and_a_passphrase_passes():
    with pytest.raises(ValidationError):
        validate_password("password", User(username="lena"))
    validate_password("a long enough passphrase 42", User(username="lena"))


def test_adding_a_member_with_a_breached_password_is_refused(admin, sign_in):
    response = sign_in(admin).post("/accounts/members/new/", {
        "first_name": "Lena", "email": "lena@example.org", "role": "hr_lead", "password": "iloveyou1234"})
    assert "appears in lists of breached passwords" in response.content.decode()
    assert not User.objects.filter(email="lena@example.org").exists()


# --- 2. The second factor --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.HR_LEAD, Role.DECISION_MAKER, Role.AUDITOR, Role.BOARD])
def test_every_role_needs_a_second_factor_after_the_password(organisation, role, client):
    member = make_member(organisation, role)
    response = post_password(client, member.user.username)
    assert response.status_code == 302 and response.url == "/accounts/enrol/?next=%2F"
    assert client.get("/").url == "/accounts/enrol/?next=%2F"
    make_authenticator(member.user)
    assert client.get("/").url == "/accounts/verify/?next=%2F"


def test_until_verified_only_the_sign_in_steps_open(hr_lead, client):
    make_authenticator(hr_lead.user)
    post_password(client, hr_lead.user.username)
    for path in ["/", "/stakeholders/", "/engagements/", "/accounts/account/", "/accounts/tokens/", "/audit/"]:
        response = client.get(path)
        assert response.status_code == 302 and response.url.startswith("/accounts/verify/?next="), path
    assert client.get("/accounts/verify/").status_code == 200
    assert client.get("/accounts/enrol/").url.startswith("/accounts/verify/")
    assert client.post("/accounts/sign-out/").url == "/accounts/sign-in/"
    assert client.get("/").url.startswith("/accounts/sign-in/")


def test_the_json_api_is_unaffected_by_the_second_factor(hr_lead, api, client):
    assert api(hr_lead).get("/api/v1/metrics/loop").status_code == 200
    # A password-only session opens no API door: the API knows bearer tokens only.
    post_password(client, hr_lead.user.username)
    assert client.get("/api/v1/metrics/loop").status_code == 401


def test_first_sign_in_enrols_an_authenticator_and_shows_ten_recovery_codes_once(hr_lead, client):
    post_password(client, hr_lead.user.username)
    page = client.get("/accounts/enrol/?next=/engagements/")
    html = page.content.decode()
    device = Authenticator.objects.get(user=hr_lead.user, confirmed=False)
    secret = re.search(r'id="authenticator-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert secret == base64.b32encode(device.bin_key).decode()
    assert "<svg" in html and "qr-code" in html
    assert client.get("/accounts/enrol/").content.decode().count(secret[:4]) >= 1  # the same secret on reload

    wrong = client.post("/accounts/enrol/", {"code": "000000", "next": "/engagements/"})
    assert wrong.status_code == 200 and "That code is wrong" in wrong.content.decode()
    device.throttle_reset()
    done = client.post("/accounts/enrol/", {"code": code_for(device), "next": "/engagements/"})

    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    stored = RecoveryCodes.objects.get(user=hr_lead.user)
    assert sorted(stored.digest(code) for code in codes) == sorted(stored.codes.values_list("digest", flat=True))
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/engagements/").status_code == 200
    assert "<li><code>" not in client.get("/accounts/account/").content.decode()
    assert audit_actions("mfa.") == ["mfa.enrolled"]
    assert audit_actions("sign_in.") == ["sign_in.code_refused", "sign_in.succeeded"]


def test_a_password_alone_cannot_add_an_authenticator_to_an_account_that_has_one(hr_lead, client):
    make_authenticator(hr_lead.user)
    post_password(client, hr_lead.user.username)
    assert client.get("/accounts/enrol/").url.startswith("/accounts/verify/")
    assert client.post("/accounts/enrol/", {"code": "123456"}).url.startswith("/accounts/verify/")
    assert Authenticator.objects.filter(user=hr_lead.user).count() == 1


def test_a_code_signs_in_and_the_same_code_is_refused_the_second_time(hr_lead):
    device = make_authenticator(hr_lead.user)
    code = code_for(device)
    first, second = Client(), Client()
    post_password(first, hr_lead.user.username)
    assert first.post("/accounts/verify/", {"code": code}).url == "/"
    assert first.get("/").status_code == 200

    post_password(second, hr_lead.user.username)
    replayed = second.post("/accounts/verify/", {"code": code})
    assert replayed.status_code == 200 and "already been used" in replayed.content.decode()
    assert second.get("/").url.startswith("/accounts/verify/")


def test_verify_keeps_a_safe_next_and_drops_another_host(hr_lead, client):
    device = make_authenticator(hr_lead.user)
    post_password(client, hr_lead.user.username)
    response = client.post("/accounts/verify/", {"code": code_for(device), "next": "https://evil.example/"})
    assert response.url == "/"


def test_a_recovery_code_signs_in_once(hr_lead, client):
    make_authenticator(hr_lead.user)
    from rightsloop.accounts.mfa import make_recovery_codes

    codes = make_recovery_codes(hr_lead.user)
    post_password(client, hr_lead.user.username)
    response = client.post("/accounts/verify/", {"code": codes[0].upper()})
    assert response.url == "/"
    assert "9 are left" in client.get("/").content.decode()
    assert RecoveryCode.objects.filter(device__user=hr_lead.user).count() == 9
    assert audit_actions("mfa.") == ["mfa.recovery_code_used"]
    assert audit_actions("sign_in.") == ["sign_in.succeeded"]

    again = Client()
    post_password(again, hr_lead.user.username)
    assert again.post("/accounts/verify/", {"code": codes[0]}).status_code == 200
    assert again.get("/").url.startswith("/accounts/verify/")


def test_replacing_the_authenticator_needs_a_current_code_and_a_code_from_the_new_app(hr_lead, sign_in):
    client = sign_in(hr_lead)
    old = make_authenticator(hr_lead.user)
    page = client.get("/accounts/account/authenticator/")
    assert "First confirm it is you" in page.content.decode()
    refused = client.post("/accounts/account/authenticator/", {"step": "reauthenticate", "code": "000000"})
    assert "That code is wrong" in refused.content.decode()
    old.throttle_reset()
    confirmed = client.post("/accounts/account/authenticator/", {"step": "reauthenticate", "code": code_for(old)})
    assert confirmed.url == "/accounts/account/authenticator/"
    assert "Set up your new authenticator app" in client.get("/accounts/account/authenticator/").content.decode()
    new = Authenticator.objects.get(user=hr_lead.user, confirmed=False)

    done = client.post("/accounts/account/authenticator/", {"step": "confirm", "code": code_for(new)})

    assert len(re.findall(r"<li><code>", done.content.decode())) == 10
    assert list(Authenticator.objects.filter(user=hr_lead.user).values_list("pk", flat=True)) == [new.pk]
    assert client.get("/").status_code == 200  # this session carries on with the new app
    assert audit_actions("mfa.") == ["mfa.code_refused", "mfa.replaced"]


def test_new_recovery_codes_need_a_current_code_and_retire_the_old_ones(hr_lead, sign_in):
    from rightsloop.accounts.mfa import make_recovery_codes

    client = sign_in(hr_lead)
    device = make_authenticator(hr_lead.user)
    old_codes = make_recovery_codes(hr_lead.user)
    assert client.post("/accounts/account/recovery-codes/", {"code": "000000"}).status_code == 200
    recovery = RecoveryCodes.objects.get(user=hr_lead.user)
    assert recovery.codes.filter(digest__in=[recovery.digest(code) for code in old_codes]).count() == 10
    device.throttle_reset()
    response = client.post("/accounts/account/recovery-codes/", {"code": code_for(device)})
    new_codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new_codes) == 10 and not set(new_codes) & set(old_codes)
    assert not recovery.codes.filter(digest__in=[recovery.digest(code) for code in old_codes]).exists()
    assert audit_actions("mfa.") == ["mfa.code_refused", "mfa.recovery_codes_renewed"]


def test_the_qr_code_is_inline_svg_without_script_or_style(hr_lead, client):
    post_password(client, hr_lead.user.username)
    html = client.get("/accounts/enrol/").content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<script" not in svg and "style=" not in svg and "href" not in svg


def test_reset_mfa_command_removes_the_second_factor(hr_lead):
    from django.core.management import call_command

    make_authenticator(hr_lead.user)
    call_command("reset_mfa", hr_lead.user.username, "--reason", "lost phone, identity checked by video call")
    assert not Authenticator.objects.filter(user=hr_lead.user).exists()
    assert not RecoveryCodes.objects.filter(user=hr_lead.user).exists()
    entry = AuditEntry.objects.get(action="mfa.removed")
    assert entry.organisation == hr_lead.organisation and "lost phone" in entry.summary


# --- 3. Throttling ---------------------------------------------------------------------------------------------


def age_failures(minutes: int) -> None:
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=minutes))


def test_five_wrong_passwords_cool_the_account_off_for_fifteen_minutes(hr_lead):
    username = hr_lead.user.username
    for attempt in range(4):
        assert post_password(Client(REMOTE_ADDR=f"10.0.0.{attempt}"), username, "wrong").status_code == 200
    fifth = post_password(Client(REMOTE_ADDR="10.0.0.9"), username, "wrong")
    assert fifth.status_code == 429
    assert "Too many failed sign-ins" in fifth.content.decode() and "Wait 15 minutes" in fifth.content.decode()
    # The right password from yet another address is refused too: the account cools off, wherever it is tried.
    assert post_password(Client(REMOTE_ADDR="10.0.0.10"), username).status_code == 429
    # Tries during the cool-off do not extend it: 15 minutes after the last counted failure, it is over.
    age_failures(14)
    assert post_password(Client(REMOTE_ADDR="10.0.0.11"), username).status_code == 429
    age_failures(16)
    assert post_password(Client(REMOTE_ADDR="10.0.0.12"), username).status_code == 302


def test_five_failures_from_one_address_cool_that_address_off_for_every_account(organisation):
    members = [make_member(organisation, Role.HR_LEAD) for _n in range(6)]
    for member in members[:5]:
        post_password(Client(REMOTE_ADDR="192.0.2.7"), member.user.username, "wrong")
    assert post_password(Client(REMOTE_ADDR="192.0.2.7"), members[5].user.username).status_code == 429
    assert post_password(Client(REMOTE_ADDR="192.0.2.8"), members[5].user.username).status_code == 302


def test_wrong_codes_count_like_wrong_passwords_and_sign_out_when_cooling_off(hr_lead, client):
    device = make_authenticator(hr_lead.user)
    post_password(client, hr_lead.user.username)
    for _n in range(4):
        device.throttle_reset()
        assert client.post("/accounts/verify/", {"code": "000000"}).status_code == 200
    device.throttle_reset()
    fifth = client.post("/accounts/verify/", {"code": "000000"})
    assert fifth.status_code == 429 and "Too many failed sign-ins" in fifth.content.decode()
    assert client.get("/").url.startswith("/accounts/sign-in/")
    assert post_password(Client(), hr_lead.user.username).status_code == 429


def test_a_password_alone_does_not_clear_the_failure_count_but_a_full_sign_in_does(hr_lead):
    for _n in range(3):
        post_password(Client(), hr_lead.user.username, "wrong")
    client = Client()
    post_password(client, hr_lead.user.username)
    assert AccessAttempt.objects.get().failures_since_start == 3
    client.post("/accounts/verify/", {"code": current_code(hr_lead.user)})
    assert not AccessAttempt.objects.exists()


def test_the_authenticator_throttles_codes_itself_with_a_capped_wait(hr_lead, client, settings):
    device = make_authenticator(hr_lead.user)
    post_password(client, hr_lead.user.username)
    client.post("/accounts/verify/", {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_enabled and device.throttling_failure_count == 1
    right_but_too_soon = client.post("/accounts/verify/", {"code": code_for(device)})
    assert "Too many wrong codes. Wait" in right_but_too_soon.content.decode()
    assert client.get("/").url.startswith("/accounts/verify/")
    # The doubling wait stops growing at RIGHTSLOOP_OTP_THROTTLE_MAX_FAILURES: no lock of days.
    Authenticator.objects.filter(pk=device.pk).update(
        throttling_failure_count=40, throttling_failure_timestamp=timezone.now() - datetime.timedelta(days=1))
    from rightsloop.accounts.mfa import check_code

    assert not check_code(user=hr_lead.user, code="000000").accepted
    device.refresh_from_db()
    assert device.throttling_failure_count == settings.RIGHTSLOOP_OTP_THROTTLE_MAX_FAILURES
    Authenticator.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(seconds=2 ** 7 + 1))
    assert check_code(user=hr_lead.user, code=code_for(device)).accepted


def test_wrong_current_passwords_on_the_password_page_count_as_failures(hr_lead, sign_in):
    client = sign_in(hr_lead)
    for _n in range(4):
        response = client.post("/accounts/account/password/", {
            "old_password": "wrong", "new_password1": "a long enough passphrase 42",
            "new_password2": "a long enough passphrase 42"})
        assert response.status_code == 200
    fifth = client.post("/accounts/account/password/", {
        "old_password": PASSWORD, "new_password1": "a long enough passphrase 42",
        "new_password2": "a long enough passphrase 42"})
    assert fifth.url == "/accounts/account/"  # the right password still works below the limit
    assert audit_actions("password.") == ["password.change_refused"] * 4 + ["password.changed"]


def test_five_wrong_current_passwords_sign_the_session_out(hr_lead, sign_in):
    client = sign_in(hr_lead)
    wrong = {"old_password": "wrong", "new_password1": "a long enough passphrase 42",
             "new_password2": "a long enough passphrase 42"}
    for _n in range(4):
        client.post("/accounts/account/password/", wrong)
    assert client.post("/accounts/account/password/", wrong).status_code == 429
    assert client.get("/").url.startswith("/accounts/sign-in/")
    hr_lead.user.refresh_from_db()
    assert hr_lead.user.check_password(PASSWORD)


# --- 5. The audit log: exactly one entry per event, never the password or the code -------------------------------


def test_a_failed_sign_in_of_an_unknown_username_writes_one_entry_without_what_was_typed(client):
    post_password(client, "my-secret-passphrase-typed-in-the-wrong-box", "hunter2-password")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.organisation, entry.actor) == ("sign_in.failed", None, None)
    assert "my-secret" not in audit_text() and "hunter2" not in audit_text()


def test_a_failed_sign_in_of_a_member_names_them_in_their_organisation(hr_lead, client):
    before = AuditEntry.objects.count()
    post_password(client, hr_lead.user.username, "hunter2-password")
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == before + 1
    assert (entry.action, entry.organisation, entry.target_id) == (
        "sign_in.failed", hr_lead.organisation, str(hr_lead.user.pk))
    assert hr_lead.user.username in entry.summary and "hunter2" not in audit_text()


def test_a_throttled_sign_in_writes_one_entry_saying_so(hr_lead):
    for _n in range(5):
        post_password(Client(), hr_lead.user.username, "wrong")
    before = AuditEntry.objects.count()
    post_password(Client(), hr_lead.user.username)
    entry = AuditEntry.objects.latest("id")
    assert AuditEntry.objects.count() == before + 1
    assert entry.action == "sign_in.failed" and "cooling off" in entry.summary


def test_a_sign_in_writes_one_success_entry_and_a_wrong_code_one_refusal_without_the_code(hr_lead, client):
    device = make_authenticator(hr_lead.user)
    post_password(client, hr_lead.user.username)
    assert audit_actions("sign_in.") == []
    client.post("/accounts/verify/", {"code": "987654"})
    device.throttle_reset()
    code = code_for(device)
    client.post("/accounts/verify/", {"code": code})
    assert audit_actions("sign_in.") == ["sign_in.code_refused", "sign_in.succeeded"]
    success = AuditEntry.objects.get(action="sign_in.succeeded")
    assert (success.organisation, success.actor, success.actor_role) == (
        hr_lead.organisation, hr_lead.user, hr_lead.role)
    assert "987654" not in audit_text() and code not in audit_text()


def test_sign_in_through_the_pages_helper(hr_lead, client):
    assert sign_in_with_code(client, hr_lead.user).url == "/"
