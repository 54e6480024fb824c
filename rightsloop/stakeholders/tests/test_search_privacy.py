"""The register search never puts what was searched for (a name, an email address) in an address."""

import pytest

from .factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_a_search_is_posted_and_named_in_the_address_by_a_random_id(hr_lead, sign_in):
    for number in range(30):
        make_stakeholder(hr_lead, name=f"Wanjiru Collective {number:02d}")
    make_stakeholder(hr_lead, name="Someone Else")
    client = sign_in(hr_lead)
    response = client.post("/stakeholders/", {"q": "Wanjiru", "kind": "affected"})
    assert response.status_code == 302
    address = response["Location"]
    assert "Wanjiru" not in address and "q=" not in address and "search=" in address and "kind=affected" in address
    page = client.get(address).content.decode()
    assert "30 stakeholders" in page and "Someone Else" not in page
    # Paging keeps the search by its id; the text is in the form's box, never in a link.
    assert "Page 1 of 2" in page and "Wanjiru" not in "".join(
        part.split('"', 1)[0] for part in page.split('href="')[1:])
    assert "Wanjiru Collective" in client.get(f"{address}&page=2").content.decode()


def test_a_search_in_the_address_is_ignored(hr_lead, sign_in):
    make_stakeholder(hr_lead, name="Wanjiru Collective")
    make_stakeholder(hr_lead, name="Someone Else")
    page = sign_in(hr_lead).get("/stakeholders/?q=Wanjiru").content.decode()
    assert "Someone Else" in page


def test_a_saved_search_belongs_to_its_session(hr_lead, sign_in):
    make_stakeholder(hr_lead, name="Wanjiru Collective")
    make_stakeholder(hr_lead, name="Someone Else")
    address = sign_in(hr_lead).post("/stakeholders/", {"q": "Wanjiru"})["Location"]
    assert "Someone Else" in sign_in(hr_lead).get(address).content.decode()


def test_the_engagement_pages_search_the_register_by_post_too(hr_lead, sign_in):
    from rightsloop.engagements.tests.factories import make_engagement

    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, name="Wanjiru Collective", country="KE")
    make_stakeholder(hr_lead, name="Kamau Riders Proxy", kind="proxy", country="UG")
    client = sign_in(hr_lead)
    found = client.post(f"/engagements/{engagement.pk}/", {"find": "Wanjiru"})
    assert found.status_code == 302 and "Wanjiru" not in found["Location"] and "find=" in found["Location"]
    assert f"/participants/add/{person.pk}/" in client.get(found["Location"]).content.decode()
    invite = f"/engagements/{engagement.pk}/participants/add/{person.pk}/"
    proxy = client.post(invite, {"proxy_q": "Kamau"})
    assert proxy.status_code == 302 and "Kamau" not in proxy["Location"]
    assert "Kamau Riders Proxy" in client.get(proxy["Location"]).content.decode()
    # The text itself in the address finds nothing.
    assert f"/participants/add/{person.pk}/" not in client.get(
        f"/engagements/{engagement.pk}/?find=Wanjiru").content.decode()
