"""The portal shell: the door, the session, the menu, the language."""

import pytest
from django.urls import reverse

from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.tests.factories import make_stakeholder


@pytest.fixture
def stakeholder(hr_lead):
    return make_stakeholder(hr_lead, preferred_language="es")


def test_open_portal_shows_home_with_menu_in_their_language(client, stakeholder):
    open_portal(client, stakeholder)
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'lang="es"' in html and 'dir="ltr"' in html
    assert reverse("portal:said:index") in html
    assert reverse("portal:details:index") in html
    assert "no-store" in response["Cache-Control"]


def test_without_portal_session_every_portal_page_is_the_ended_page(client, stakeholder):
    for name in ("portal:home", "portal:said:index", "portal:details:index"):
        response = client.get(reverse(name))
        assert response.status_code == 403
        assert b"Ask the person you work with for a new link" in response.content
