"""The portal session: 30 minutes idle at most (time moved), 12 hours at most, sign-out, language, and what a
request without a portal session (a staff member's included) gets."""

import time

import pytest
from django.urls import reverse

from rightsloop.portal import access
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.actions import erase_stakeholder
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(hr_lead):
    return make_stakeholder(hr_lead, preferred_language="es")


REAL_TIME = time.time


def test_thirty_minutes_without_a_request_end_the_session(client, person, monkeypatch):
    open_portal(client, person)
    start = REAL_TIME()
    later = REAL_TIME
    monkeypatch.setattr(access.time, "time", lambda: start + 29 * 60 + (later() - start))
    assert client.get(reverse("portal:home")).status_code == 200  # activity renews the idle clock
    monkeypatch.setattr(access.time, "time", lambda: start + 58 * 60 + (later() - start))
    assert client.get(reverse("portal:home")).status_code == 200
    monkeypatch.setattr(access.time, "time", lambda: start + 88 * 60 + 1 + (later() - start))
    response = client.get(reverse("portal:home"))
    assert response.status_code == 403
    assert b"30 minutes without activity" in response.content
    # Ended for good: going back in time does not revive it.
    monkeypatch.undo()
    assert client.get(reverse("portal:home")).status_code == 403


def test_twelve_hours_end_the_session_however_active(client, person, monkeypatch):
    open_portal(client, person)
    session = client.session
    session[access.SESSION_OPENED_AT_KEY] = int(time.time()) - 12 * 3600 - 1
    session.save()
    assert client.get(reverse("portal:home")).status_code == 403


def test_the_server_side_session_expires_with_the_idle_time(client, person, settings):
    open_portal(client, person)
    assert client.session.get_expiry_age() <= 30 * 60 == settings.SESSION_COOKIE_AGE


def test_signing_out_ends_the_session(client, person):
    open_portal(client, person)
    response = client.post(reverse("portal:sign-out"))
    assert response.status_code == 302 and response.url == reverse("portal:signed-out")
    assert b"You have signed out" in client.get(response.url).content
    assert client.get(reverse("portal:home")).status_code == 403
    assert client.get(reverse("portal:sign-out")).status_code == 405


def test_erasure_ends_the_session(client, person, hr_lead):
    open_portal(client, person)
    erase_stakeholder(stakeholder=person, reason="asked", by=hr_lead)
    assert client.get(reverse("portal:home")).status_code == 403


def test_pages_speak_the_persons_language_and_it_can_be_changed(client, person):
    open_portal(client, person)
    page = client.get(reverse("portal:home"))
    assert 'lang="es"' in page.content.decode() and page["Content-Language"] == "es"
    response = client.post(reverse("portal:language"), {"language": "fr", "next": reverse("portal:details:index")})
    assert response.url == reverse("portal:details:index")
    assert 'lang="fr"' in client.get(reverse("portal:home")).content.decode()
    # Unknown languages and foreign addresses are ignored.
    assert client.post(reverse("portal:language"), {"language": "xx", "next": "https://evil.example/"}).url == (
        reverse("portal:home"))
    assert 'lang="fr"' in client.get(reverse("portal:home")).content.decode()


def test_a_preferred_language_the_interface_lacks_falls_back_to_the_organisations(client, hr_lead):
    person = make_stakeholder(hr_lead, preferred_language="sw")
    open_portal(client, person)
    assert 'lang="en"' in client.get(reverse("portal:home")).content.decode()


def test_a_staff_member_without_a_portal_session_gets_the_ended_page(hr_lead, sign_in, person):
    client = sign_in(hr_lead)
    for name in ("portal:home", "portal:said:index", "portal:engagements:index", "portal:details:index"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert b"Ask the person you work with for a new link" in response.content
        assert "no-store" in response["Cache-Control"]
