"""X4 sessions: idle and absolute timeouts, a new key at each sign-in step, and every session ended on a change."""

import datetime
import re
import time

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.devices import Authenticator
from rightsloop.accounts.middleware import SESSION_ACTIVE_AT_KEY, SESSION_SIGNED_IN_AT_KEY
from rightsloop.accounts.models import User
from rightsloop.accounts.tests.factories import PASSWORD, make_authenticator
from rightsloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase 42"


def signed_out(client) -> bool:
    response = client.get("/")
    return response.status_code == 302 and response.url.startswith("/accounts/sign-in/")


def set_session(client, **values) -> None:
    session = client.session
    for key, value in values.items():
        session[key] = value
    session.save()


def test_idle_timeout_is_thirty_minutes_and_absolute_lifetime_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.RIGHTSLOOP_SESSION_MAX_AGE.total_seconds() == 12 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_a_session_idle_for_thirty_minutes_is_signed_out(hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert client.get("/").status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    assert signed_out(client)


def test_activity_renews_the_idle_timeout(hr_lead, sign_in):
    client = sign_in(hr_lead)
    set_session(client, **{SESSION_ACTIVE_AT_KEY: int(time.time()) - 120})
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=5))
    assert client.get("/").status_code == 200
    expires_in = Session.objects.get().expire_date - timezone.now()
    assert datetime.timedelta(minutes=29) < expires_in <= datetime.timedelta(minutes=30)


def test_a_session_is_signed_out_twelve_hours_after_sign_in_however_active(hr_lead, sign_in):
    client = sign_in(hr_lead)
    eleven_hours_ago = int(time.time()) - 11 * 3600
    set_session(client, **{SESSION_SIGNED_IN_AT_KEY: eleven_hours_ago, SESSION_ACTIVE_AT_KEY: int(time.time())})
    assert client.get("/").status_code == 200
    set_session(client, **{SESSION_SIGNED_IN_AT_KEY: int(time.time()) - 12 * 3600 - 1})
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/sign-in/")
    assert "Your session has ended" in response.content.decode()


def test_a_session_without_a_sign_in_time_is_signed_out(hr_lead, sign_in):
    client = sign_in(hr_lead)
    session = client.session
    del session[SESSION_SIGNED_IN_AT_KEY]
    session.save()
    assert signed_out(client)


def test_the_session_key_changes_at_the_password_and_again_at_the_code(hr_lead, client):
    device = make_authenticator(hr_lead.user)
    client.get("/accounts/sign-in/")  # the anonymous session that holds the CSRF secret
    anonymous = client.cookies["sessionid"].value
    client.post("/accounts/sign-in/", {"username": hr_lead.user.username, "password": PASSWORD})
    after_password = client.cookies["sessionid"].value
    client.post("/accounts/verify/", {"code": f"{totp(device.bin_key):06d}"})
    after_code = client.cookies["sessionid"].value

    assert len({anonymous, after_password, after_code}) == 3
    assert not Session.objects.filter(session_key__in=[anonymous, after_password]).exists()
    assert client.get("/").status_code == 200


def test_the_security_stamp_is_part_of_the_session_hash(hr_lead):
    user = hr_lead.user
    before = user.get_session_auth_hash()
    user.rotate_security_stamp()
    assert user.get_session_auth_hash() != before


def two_sessions(viewer, sign_in):
    return sign_in(viewer), sign_in(viewer)


def test_changing_the_password_signs_out_every_other_session(hr_lead, sign_in):
    this, other = two_sessions(hr_lead, sign_in)
    stamp = hr_lead.user.security_stamp
    response = this.post("/accounts/account/password/", {
        "old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.url == "/accounts/account/"
    assert User.objects.get(pk=hr_lead.user.pk).security_stamp != stamp
    assert signed_out(other)
    assert this.get("/").status_code == 200
    assert AuditEntry.objects.filter(action="password.changed").count() == 1


def test_replacing_the_authenticator_signs_out_every_other_session(hr_lead, sign_in):
    this, other = two_sessions(hr_lead, sign_in)
    old = make_authenticator(hr_lead.user)
    this.post("/accounts/account/authenticator/", {"step": "reauthenticate", "code": f"{totp(old.bin_key):06d}"})
    this.get("/accounts/account/authenticator/")
    new = Authenticator.objects.get(user=hr_lead.user, confirmed=False)
    this.post("/accounts/account/authenticator/", {"step": "confirm", "code": f"{totp(new.bin_key):06d}"})
    assert signed_out(other)
    assert this.get("/").status_code == 200


def test_new_recovery_codes_sign_out_every_other_session(hr_lead, sign_in):
    this, other = two_sessions(hr_lead, sign_in)
    device = make_authenticator(hr_lead.user)
    response = this.post("/accounts/account/recovery-codes/", {"code": f"{totp(device.bin_key):06d}"})
    assert len(re.findall("<li><code>", response.content.decode())) == 10
    assert signed_out(other)
    assert this.get("/").status_code == 200


def test_enrolling_the_first_authenticator_signs_out_other_password_only_sessions(hr_lead):
    this, other = Client(), Client()
    for client in (this, other):
        client.post("/accounts/sign-in/", {"username": hr_lead.user.username, "password": PASSWORD})
    this.get("/accounts/enrol/")
    pending = Authenticator.objects.get(user=hr_lead.user, confirmed=False)
    this.post("/accounts/enrol/", {"code": f"{totp(pending.bin_key):06d}"})
    assert this.get("/").status_code == 200
    assert signed_out(other)


def test_removing_the_second_factor_signs_out_everywhere(hr_lead, sign_in):
    first, second = two_sessions(hr_lead, sign_in)
    call_command("reset_mfa", hr_lead.user.username, "--reason", "test")
    assert signed_out(first) and signed_out(second)


# --- No session for anonymous error pages; expired sessions are purged on the schedule ------------------------


@pytest.mark.parametrize("path", ["/no-such-page/", "/stakeholders/987654321/", "/c/no-such-token/"])
def test_an_anonymous_error_page_creates_no_session(client, settings, path):
    response = client.get(path)

    assert response.status_code in (302, 404)
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_an_anonymous_post_with_a_wrong_csrf_token_is_refused_and_creates_no_session(settings):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/sign-in/",
                           {"csrfmiddlewaretoken": "x" * 64, "username": "someone", "password": "wrong"})

    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()
    assert Session.objects.count() == 0
    assert settings.SESSION_COOKIE_NAME not in response.cookies


def test_a_signed_in_csrf_failure_page_keeps_its_forms(hr_lead, sign_in):
    client = sign_in(hr_lead)
    client.handler.enforce_csrf_checks = True
    response = client.post("/accounts/sign-out/", {"csrfmiddlewaretoken": "x" * 64})

    assert response.status_code == 403
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()  # the language switcher's form


def test_the_sign_in_page_still_gets_a_session_for_its_form(client):
    response = client.get("/accounts/sign-in/")

    assert response.status_code == 200
    assert Session.objects.count() == 1


def test_the_purge_task_removes_expired_sessions_and_keeps_live_ones():
    from django.contrib.sessions.backends.db import SessionStore

    from rightsloop.core.tasks import purge_expired_sessions

    live, expired = SessionStore(), SessionStore()
    live["kept"] = expired["dropped"] = 1
    live.save()
    expired.save()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1))

    assert purge_expired_sessions.call() == 1

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert purge_expired_sessions.call() == 0  # safe to run twice
    assert Session.objects.count() == 1


def test_the_scheduler_enqueues_the_session_purge():
    from rightsloop.core.registry import site
    from rightsloop.core.tasks import purge_expired_sessions

    (schedule,) = [s for s in site.schedules if s.key == "purge-expired-sessions"]
    assert schedule.task is purge_expired_sessions
