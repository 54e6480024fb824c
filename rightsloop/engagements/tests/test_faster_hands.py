"""Faster hands on engagements: several participants at once, theme suggestions, fields shown for one outcome."""


import pytest
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.actions import add_participants
from rightsloop.engagements.load_models import LoadThresholds
from rightsloop.engagements.models import Engagement, Participation
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def _plan(**fields):
    today = timezone.localdate()
    return {"title": "Riders' workshop", "type": "workshop", "phases": ["identify"],
            "starts_on": today.isoformat(), "information_handling": "chatham_house", **fields}


def test_create_an_engagement_with_several_participants(hr_lead, sign_in):
    first, second = make_stakeholder(hr_lead, name="Amina Rider"), make_stakeholder(hr_lead, name="Juma Courier")
    client = sign_in(hr_lead)
    form = client.get("/engagements/new/").content.decode()
    assert 'name="participants"' in form and "data-searchable" in form and "Amina Rider (KE)" in form
    response = client.post("/engagements/new/", _plan(owner=hr_lead.user.pk, participants=[first.pk, second.pk]))
    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert set(engagement.participations.values_list("stakeholder_id", flat=True)) == {first.pk, second.pk}
    assert AuditEntry.objects.filter(action="participant.added").count() == 2
    assert "2 participants invited." in client.get(response.url).content.decode()


def test_edit_adds_more_and_lists_only_those_not_yet_invited(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    already, newcomer = make_stakeholder(hr_lead, name="Already Here"), make_stakeholder(hr_lead, name="New Comer")
    make_participation(hr_lead, engagement, already)
    client = sign_in(hr_lead)
    page = client.get(f"/engagements/{engagement.pk}/edit/").content.decode()
    assert "New Comer" in page and "Already Here" not in page
    data = _plan(title=engagement.title, starts_on=engagement.starts_on.isoformat(),
                 ends_on=engagement.ends_on.isoformat(), owner=hr_lead.user.pk, participants=[newcomer.pk])
    assert client.post(f"/engagements/{engagement.pk}/edit/", data).status_code == 302
    assert engagement.participations.count() == 2


def test_people_at_high_risk_and_people_hidden_are_never_listed(hr_lead, organisation, sign_in):
    other = make_member(organisation, Role.HR_LEAD)
    protected = make_stakeholder(hr_lead, name="Protected Person", safety_level="high")
    page = sign_in(hr_lead).get("/engagements/new/").content.decode()
    assert "Protected Person" not in page
    # Posted anyway (a forged form): refused as an invalid choice, nothing created.
    response = sign_in(other).post("/engagements/new/", _plan(owner=other.user.pk, participants=[protected.pk]))
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not Engagement.objects.exists()


def test_bad_input_rerenders_with_the_chosen_kept(hr_lead, sign_in):
    person = make_stakeholder(hr_lead, name="Chosen Person")
    response = sign_in(hr_lead).post("/engagements/new/", _plan(title="", owner=hr_lead.user.pk,
                                                                 participants=[person.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "This field is required." in page
    assert f'<option value="{person.pk}" selected>Chosen Person (KE)</option>' in page
    assert not Engagement.objects.exists() and not Participation.objects.exists()


def test_the_batch_leaves_out_whoever_needs_their_own_decision(hr_lead):
    LoadThresholds.objects.update_or_create(organisation=hr_lead.organisation,
                                            defaults={"warn_90": 1, "warn_365": 10})
    busy, fresh = make_stakeholder(hr_lead, name="Busy Person"), make_stakeholder(hr_lead, name="Fresh Person")
    protected = make_stakeholder(hr_lead, safety_level="high")
    for _n in range(2):
        make_participation(hr_lead, make_engagement(hr_lead), busy)
    engagement = make_engagement(hr_lead)
    added, left_out = add_participants(engagement=engagement, stakeholders=[busy, fresh, protected], by=hr_lead)
    assert [p.stakeholder_id for p in added] == [fresh.pk]
    assert {missed.stakeholder.pk for missed in left_out} == {busy.pk, protected.pk}
    assert set(engagement.participations.values_list("stakeholder_id", flat=True)) == {fresh.pk}


def test_themes_are_suggested_while_tagging(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    make_input(hr_lead, engagement, tags=["Data retention", "Wages"])
    page = sign_in(hr_lead).get(f"/engagements/{engagement.pk}/inputs/").content.decode()
    assert '<datalist id="tag-suggestions"><option value="Data retention"></option><option value="Wages">' in page
    assert 'list="tag-suggestions"' in page and page.count("data-tags") >= 2


def test_the_next_step_fields_say_they_are_for_decisions_under_consideration(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement)
    page = sign_in(hr_lead).get(f"/engagements/inputs/{item.pk}/decide/").content.decode()
    assert page.count('data-shown-for="outcome:under_consideration"') == 2
    assert "For decisions under consideration only." in page
    assert '<script src="/static/js/forms.js" defer></script>' in page or "js/forms" in page


def test_invite_several_found_with_the_search(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    first, second = make_stakeholder(hr_lead, name="Kibera Riders"), make_stakeholder(hr_lead, name="Kibera Youth")
    protected = make_stakeholder(hr_lead, name="Kibera Defender", safety_level="high")
    client = sign_in(hr_lead)
    found = client.post(f"/engagements/{engagement.pk}/", {"find": "kibera"}, follow=True).content.decode()
    assert f'name="stakeholders" value="{first.pk}"' in found
    assert f'name="stakeholders" value="{protected.pk}"' not in found  # their own page only: a proxy or override
    response = client.post(f"/engagements/{engagement.pk}/participants/add/",
                           {"stakeholders": [first.pk, second.pk, protected.pk, "x", "0"]}, follow=True)
    assert "2 participants invited." in response.content.decode()
    assert "was not invited: At high risk" in response.content.decode()
    assert set(engagement.participations.values_list("stakeholder_id", flat=True)) == {first.pk, second.pk}
    nothing = client.post(f"/engagements/{engagement.pk}/participants/add/", {}, follow=True)
    assert "Tick at least one person to invite." in nothing.content.decode()
