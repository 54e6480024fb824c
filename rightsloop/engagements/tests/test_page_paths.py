"""Page paths no other test ran: editing an engagement, a briefing refused, where a decision returns to."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.models import BriefingMaterial, Engagement
from rightsloop.engagements.tests.factories import make_engagement, make_input

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def edit_form(engagement, **changes) -> dict:
    data = {"title": engagement.title, "type": engagement.type, "phases": engagement.phases,
            "starts_on": engagement.starts_on.isoformat(), "ends_on": "", "information_handling": "chatham_house",
            "owner": engagement.owner_id, "attending_functions": ["product"]}
    data.update(changes)
    return data


def test_edit_an_engagement_through_its_page(hr_lead, admin, sign_in):
    engagement = make_engagement(hr_lead, title="Amharic moderation")
    client = sign_in(hr_lead)

    page = client.get(f"/engagements/{engagement.pk}/edit/").content.decode()
    assert 'value="Amharic moderation"' in page

    response = client.post(f"/engagements/{engagement.pk}/edit/", edit_form(
        engagement, title="Amharic and Tigrinya moderation", location="Addis Ababa", owner=admin.user.pk,
        ends_on=(engagement.starts_on + datetime.timedelta(days=1)).isoformat()))

    assert response.status_code == 302 and response.url == f"/engagements/{engagement.pk}/"
    engagement.refresh_from_db()
    assert (engagement.title, engagement.location, engagement.owner) == (
        "Amharic and Tigrinya moderation", "Addis Ababa", admin.user)
    entry = AuditEntry.objects.filter(organisation=hr_lead.organisation, target_id=str(engagement.pk)).first()
    assert {"title", "location", "owner_id"} <= set(entry.changed_fields)


def test_a_bad_engagement_edit_rerenders_and_changes_nothing(hr_lead, outsider, sign_in):
    engagement = make_engagement(hr_lead, title="Amharic moderation")
    before = Engagement.objects.filter(pk=engagement.pk).values().get()
    client = sign_in(hr_lead)

    ends_before = client.post(f"/engagements/{engagement.pk}/edit/", edit_form(
        engagement, title="Changed", ends_on=(engagement.starts_on - datetime.timedelta(days=1)).isoformat()))
    foreign_owner = client.post(f"/engagements/{engagement.pk}/edit/", edit_form(
        engagement, title="Changed", owner=outsider.user.pk))

    assert "The end date cannot be before the start date." in ends_before.content.decode()
    assert ends_before.context["form"].errors.keys() == {"ends_on"}
    assert foreign_owner.context["form"].errors.keys() == {"owner"}
    assert outsider.user.display_name not in foreign_owner.content.decode()
    assert Engagement.objects.filter(pk=engagement.pk).values().get() == before


def test_a_briefing_with_a_bad_link_is_refused_on_the_page(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)

    response = sign_in(hr_lead).post(f"/engagements/{engagement.pk}/briefings/", {
        "title": "Terms of reference", "link": "not a link", "shared_on": TODAY.isoformat()})

    assert response.status_code == 400
    assert "link" in response.context["briefing_form"].errors
    assert not BriefingMaterial.objects.exists()


@pytest.mark.parametrize("elsewhere", [
    "https://evil.example/steal", "//evil.example/", "https:evil.example", "/\\evil.example", "\\\\evil.example",
    "javascript:alert(1)", "http://testserver.evil.example/",
])
def test_a_decision_never_returns_to_another_site(hr_lead, decision_maker, sign_in, elsewhere):
    item = make_input(hr_lead, make_engagement(hr_lead), owning_function="product")

    response = sign_in(decision_maker).post(f"/engagements/inputs/{item.pk}/decide/", {
        "outcome": "adopted", "next": elsewhere})

    assert response.status_code == 302
    assert response.url == "/engagements/decisions/"
    item.refresh_from_db()
    assert item.outcome == "adopted"


def test_a_decision_returns_to_the_page_of_this_site_it_came_from(hr_lead, decision_maker, sign_in):
    item = make_input(hr_lead, make_engagement(hr_lead), owning_function="product")

    response = sign_in(decision_maker).post(f"/engagements/inputs/{item.pk}/decide/", {
        "outcome": "adopted", "next": "/engagements/decisions/?show=decided"})

    assert response.status_code == 302 and response.url == "/engagements/decisions/?show=decided"
