"""API tokens: personal, minted with a fresh second factor, expiring, and revoked with the credentials behind them."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.models import ApiToken, Membership, hash_token
from rightsloop.accounts.tests.factories import make_authenticator
from rightsloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

METRICS = "/api/v1/metrics/loop"


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_revoking_a_token_without_an_active_membership_is_not_found_not_a_server_error(hr_lead, api, sign_in):
    client = sign_in(hr_lead)
    api(hr_lead)
    token = ApiToken.objects.get(membership__user=hr_lead.user)
    Membership.objects.filter(user=hr_lead.user).update(is_active=False)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="api_token.revoked").exists()


def code_now(user) -> str:
    return f"{totp(make_authenticator(user).bin_key):06d}"


def raw_token_on(page) -> str:
    return re.search(r"<code>(rl_[\w-]+)</code>", page.content.decode()).group(1)


def test_minting_a_token_on_its_page_needs_a_fresh_code(hr_lead, sign_in, client):
    page = sign_in(hr_lead)
    make_authenticator(hr_lead.user)
    missing = page.post("/accounts/tokens/", {"name": "reporting", "days": "90"})
    assert missing.status_code == 200 and "This field is required." in missing.content.decode()
    wrong = page.post("/accounts/tokens/", {"name": "reporting", "days": "90", "code": "000000"})
    assert "That code is wrong" in wrong.content.decode()
    assert not ApiToken.objects.exists()
    assert AuditEntry.objects.filter(action="mfa.code_refused").count() == 1

    make_authenticator(hr_lead.user).throttle_reset()
    minted = page.post("/accounts/tokens/", {"name": "reporting", "days": "30", "code": code_now(hr_lead.user)})
    raw = raw_token_on(minted)
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert abs(token.expires_at - (timezone.now() + datetime.timedelta(days=30))) < datetime.timedelta(minutes=1)
    assert client.get(METRICS, **bearer(raw)).status_code == 200
    issued = AuditEntry.objects.get(action="api_token.issued")
    assert "expires in 30 days" in issued.summary and raw not in issued.summary


def test_a_recovery_code_mints_a_token_once(hr_lead, sign_in):
    from rightsloop.accounts.mfa import make_recovery_codes, recovery_codes_left

    page = sign_in(hr_lead)
    make_authenticator(hr_lead.user)
    codes = make_recovery_codes(hr_lead.user)
    minted = page.post("/accounts/tokens/", {"name": "script", "days": "7", "code": codes[0]})
    assert raw_token_on(minted).startswith("rl_")
    assert recovery_codes_left(hr_lead.user) == 9
    again = page.post("/accounts/tokens/", {"name": "script", "days": "7", "code": codes[0]})
    assert "That code is wrong" in again.content.decode()
    assert ApiToken.objects.count() == 1


def test_a_token_lives_no_longer_than_the_setting_allows(hr_lead, settings):
    from rightsloop.accounts.actions import issue_api_token

    settings.RIGHTSLOOP_API_TOKEN_DAYS = 10
    membership = Membership.objects.get(user=hr_lead.user)
    token, _raw = issue_api_token(membership=membership, name="long", days=365, by=None)
    assert token.expires_at - timezone.now() <= datetime.timedelta(days=10)
    default, _raw = issue_api_token(membership=membership, name="default", by=None)
    assert default.expires_at - timezone.now() > datetime.timedelta(days=9, hours=23)


def test_an_expired_token_answers_401_and_is_marked_revoked_once(hr_lead, client):
    from rightsloop.accounts.actions import issue_api_token

    token, raw = issue_api_token(membership=Membership.objects.get(user=hr_lead.user), name="old", by=None)
    assert client.get(METRICS, **bearer(raw)).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    assert client.get(METRICS, **bearer(raw)).status_code == 401
    assert client.get(METRICS, **bearer(raw)).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_because == "expired"
    assert AuditEntry.objects.filter(action="api_token.expired", target_id=str(token.pk)).count() == 1


def test_last_use_is_written_at_most_once_a_minute(hr_lead, client):
    from rightsloop.accounts.actions import issue_api_token

    token, raw = issue_api_token(membership=Membership.objects.get(user=hr_lead.user), name="busy", by=None)
    client.get(METRICS, **bearer(raw))
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get(METRICS, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at == first
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - datetime.timedelta(minutes=2))
    client.get(METRICS, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at > first


def _live_token(viewer):
    from rightsloop.accounts.actions import issue_api_token

    membership = Membership.objects.get(user=viewer.user, organisation=viewer.organisation)
    return issue_api_token(membership=membership, name="live", by=None)


def _assert_revoked(token, raw, client, because: str):
    assert client.get(METRICS, **bearer(raw)).status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_because == because
    assert AuditEntry.objects.filter(action="api_token.revoked", target_id=str(token.pk)).count() == 1


def test_changing_the_password_revokes_the_owners_tokens(hr_lead, sign_in, client):
    token, raw = _live_token(hr_lead)
    new = "a long enough passphrase 42"
    sign_in(hr_lead).post("/accounts/account/password/", {
        "old_password": "correct horse battery staple", "new_password1": new, "new_password2": new})
    _assert_revoked(token, raw, client, "password")


def test_a_password_set_by_any_other_path_revokes_the_tokens_too(hr_lead, client):
    token, raw = _live_token(hr_lead)
    user = hr_lead.user
    user.set_password("an operator reset passphrase 7")  # as manage.py changepassword and the admin do
    user.save()
    _assert_revoked(token, raw, client, "password")


def test_resetting_the_second_factor_revokes_the_tokens(hr_lead, client):
    token, raw = _live_token(hr_lead)
    make_authenticator(hr_lead.user)
    call_command("reset_mfa", hr_lead.user.username, "--reason", "lost phone, checked on a video call")
    _assert_revoked(token, raw, client, "second_factor")


def test_replacing_the_authenticator_revokes_the_tokens(hr_lead, sign_in, client):
    from rightsloop.accounts import mfa

    token, raw = _live_token(hr_lead)
    page = sign_in(hr_lead)
    page.post("/accounts/account/authenticator/", {"step": "reauthenticate", "code": code_now(hr_lead.user)})
    page.get("/accounts/account/authenticator/")
    pending = mfa.pending_authenticator_for(hr_lead.user)
    page.post("/accounts/account/authenticator/", {"step": "confirm", "code": f"{totp(pending.bin_key):06d}"})
    _assert_revoked(token, raw, client, "second_factor")


def test_renewing_recovery_codes_keeps_the_tokens(hr_lead, sign_in, client):
    _token, raw = _live_token(hr_lead)
    sign_in(hr_lead).post("/accounts/account/recovery-codes/", {"code": code_now(hr_lead.user)})
    assert client.get(METRICS, **bearer(raw)).status_code == 200


def test_ending_the_membership_revokes_its_tokens(hr_lead, admin, sign_in, client):
    token, raw = _live_token(hr_lead)
    membership = Membership.objects.get(user=hr_lead.user)
    sign_in(admin).post(f"/accounts/members/{membership.pk}/", {"role": "hr_lead", "function": "", "is_active": ""})
    _assert_revoked(token, raw, client, "membership")
    # Coming back does not bring the old token back.
    sign_in(admin).post(f"/accounts/members/{membership.pk}/", {"role": "hr_lead", "function": "", "is_active": "on"})
    assert client.get(METRICS, **bearer(raw)).status_code == 401


def test_the_token_page_shows_created_expires_last_used_and_revoked_tokens(hr_lead, sign_in, client):
    from rightsloop.accounts.actions import revoke_api_token

    kept, raw = _live_token(hr_lead)
    client.get(METRICS, **bearer(raw))
    gone, _raw = _live_token(hr_lead)
    revoke_api_token(token=gone, by=hr_lead)
    kept.refresh_from_db()
    html = sign_in(hr_lead).get("/accounts/tokens/").content.decode()
    assert f"{kept.expires_at:%Y-%m-%d %H:%M}" in html
    assert f"{kept.last_used_at:%Y-%m-%d %H:%M}" in html
    assert "Revoked" in html and "revoked by its owner" in html
    # Only the live token can be revoked (through a page that asks first).
    assert html.count(f'href="/accounts/tokens/{kept.pk}/revoke/"') == 1
    assert f'/accounts/tokens/{gone.pk}/revoke/' not in html


def test_create_api_token_command_sets_the_expiry(hr_lead):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command("create_api_token", hr_lead.user.username, "--days", "3", stdout=out, stderr=err)
    token = ApiToken.objects.get(key_hash=hash_token(out.getvalue().strip()))
    assert token.expires_at - timezone.now() <= datetime.timedelta(days=3)
    assert "Expires" in err.getvalue()
