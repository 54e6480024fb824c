"""The demo's portal link opens the portal of a stakeholder with something to see."""

import pytest
from django.urls import reverse

from rightsloop.demo.portal import load_portal
from rightsloop.portal.tests.conftest import build_portal_world

pytestmark = pytest.mark.django_db


def test_the_demo_link_opens_a_portal_with_inputs(client, hr_lead, outsider):
    world = build_portal_world(hr_lead, outsider)
    who, url = load_portal(organisation=hr_lead.organisation, hr_lead=hr_lead)
    assert who == world.person.name
    path = url.split("127.0.0.1:8000", 1)[-1]
    assert client.post(path).status_code == 302
    assert "Delete location history" in client.get(reverse("portal:said:index")).content.decode()
