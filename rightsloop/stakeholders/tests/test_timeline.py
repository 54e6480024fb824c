"""A stakeholder's timeline: its order, what each viewer may see of it, and its cost in queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders import actions, timeline
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def _history(by, stakeholder, *, engagements=1, said="Please publish how long you keep location data."):
    """Consent, then per engagement: an invitation, an input, a decision on it and a report delivered by post."""
    actions.record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True, method="written",
                           given_on=timezone.localdate() - datetime.timedelta(days=30), by=by)
    for _n in range(engagements):
        engagement = make_engagement(by)
        participation = make_participation(by, engagement, stakeholder)
        item = make_input(by, engagement, participation, text=said, attribution="attributed")
        engagement_actions.record_decision(input=item, outcome="not_adopted", rationale="The law requires it.",
                                           by=by)
        participation.refresh_from_db()
        engagement_actions.mark_feedback_delivered(participation=participation, channel="in_person", by=by)
    return engagement


def test_the_timeline_tells_the_loop_in_order(hr_lead):
    stakeholder = make_stakeholder(hr_lead, postal_address="1 Main Street, Nairobi")
    engagement = _history(hr_lead, stakeholder)
    actions.withdraw_consent(consent=stakeholder.consents.get(), by=hr_lead)
    kinds = [entry.kind for entry in timeline.timeline(hr_lead, stakeholder)]
    assert kinds == ["consent_recorded", "invited", "said", "decided", "reported", "consent_withdrawn"]
    said = next(e for e in timeline.timeline(hr_lead, stakeholder) if e.kind == "said")
    assert said.detail == "Please publish how long you keep location data."
    assert said.engagement_id == engagement.pk
    [line] = timeline.standing(hr_lead, stakeholder)
    assert line.state == "closed" and not line.overdue


def _consenting(by):
    stakeholder = make_stakeholder(by)
    actions.record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True, method="written",
                           given_on=timezone.localdate(), by=by)
    return stakeholder


def test_the_page_shows_the_timeline_and_the_loop_standing(hr_lead, sign_in):
    stakeholder = _consenting(hr_lead)
    engagement = make_engagement(hr_lead, title="Riders' workshop")
    participation = make_participation(hr_lead, engagement, stakeholder)
    make_input(hr_lead, engagement, participation, text="Pay riders for waiting time.", attribution="attributed")
    page = sign_in(hr_lead).get(f"/stakeholders/{stakeholder.pk}/").content.decode()
    assert "Invited to Riders&#x27; workshop" in page
    assert "Pay riders for waiting time." in page
    assert "1 input(s) awaiting a decision" in page


def test_anonymised_words_are_not_tied_to_the_person(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, stakeholder)
    make_input(hr_lead, engagement, participation, text="Something only they would say.", attribution="anonymised")
    entries = timeline.timeline(hr_lead, stakeholder)
    said = next(e for e in entries if e.kind == "said")
    assert said.detail == "" and "anonymously" in said.summary
    assert all("Something only they would say." not in e.detail for e in entries)


def test_a_protected_person_is_not_found_without_a_grant(hr_lead, organisation, sign_in, api):
    other = make_member(organisation, Role.HR_LEAD)
    stakeholder = make_stakeholder(hr_lead, safety_level="high", kind="affected")
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, stakeholder,
                                       override_reason="They asked to speak for themselves, in a safe place.")
    make_input(hr_lead, engagement, participation, text="Words of someone at risk.")
    assert sign_in(other).get(f"/stakeholders/{stakeholder.pk}/").status_code == 404
    assert api(other).get(f"/api/v1/stakeholders/{stakeholder.pk}/timeline").status_code == 404
    # The grant holder sees the history, but not the words beside a masked identity.
    mine = timeline.timeline(hr_lead, stakeholder)
    assert [e.kind for e in mine] == ["invited", "said"]
    assert all("Words of someone at risk." not in e.detail for e in mine)


def test_a_protected_proxy_is_not_named_to_who_may_not_know_of_it(hr_lead, organisation):
    other = make_member(organisation, Role.HR_LEAD)
    stakeholder = make_stakeholder(hr_lead, kind="affected")
    proxy = make_stakeholder(hr_lead, kind="proxy", safety_level="high", name="Secret Collective")
    engagement = make_engagement(hr_lead)
    make_participation(hr_lead, engagement, stakeholder, via_proxy=proxy)
    [invited] = timeline.timeline(other, stakeholder)
    assert invited.summary.endswith(", through a proxy") and "Secret" not in invited.summary
    [invited] = timeline.timeline(hr_lead, stakeholder)
    assert "Secret Collective" not in invited.summary  # a pseudonym, even to the grant holder


def test_the_board_and_decision_makers_see_no_more_than_before(board, decision_maker, hr_lead, sign_in):
    stakeholder = make_stakeholder(hr_lead)
    _history(hr_lead, stakeholder)
    for viewer in (board, decision_maker):
        assert sign_in(viewer).get(f"/stakeholders/{stakeholder.pk}/").status_code in (403, 404)


def test_a_remedy_dialogue_shows_only_to_grievance_handlers(hr_lead, auditor):
    stakeholder = make_stakeholder(hr_lead)
    engagement = make_engagement(hr_lead, type="remedy_dialogue", title="Remedy for case 12")
    make_participation(hr_lead, engagement, stakeholder)
    assert [e.kind for e in timeline.timeline(hr_lead, stakeholder)] == ["invited"]
    assert timeline.timeline(auditor, stakeholder) == []


def test_the_timeline_costs_the_same_queries_however_long(hr_lead, sign_in):
    short, long = make_stakeholder(hr_lead), make_stakeholder(hr_lead)
    _history(hr_lead, short, engagements=1)
    _history(hr_lead, long, engagements=6)
    client = sign_in(hr_lead)
    counts = []
    for stakeholder in (short, long):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/stakeholders/{stakeholder.pk}/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with CaptureQueriesContext(connection) as captured:
        entries = timeline.timeline(hr_lead, long)
    assert len(entries) == 1 + 6 * 4
    assert len(captured) <= 6


def test_the_page_paginates_a_long_timeline(hr_lead, sign_in):
    stakeholder = make_stakeholder(hr_lead)
    _history(hr_lead, stakeholder, engagements=6)  # 25 entries, 20 a page
    client = sign_in(hr_lead)
    first = client.get(f"/stakeholders/{stakeholder.pk}/").content.decode()
    assert "?timeline=2#timeline" in first
    second = client.get(f"/stakeholders/{stakeholder.pk}/?timeline=2").content.decode()
    assert 'start="21"' in second


def test_the_api_gives_the_same_timeline(hr_lead, api):
    stakeholder = make_stakeholder(hr_lead)
    _history(hr_lead, stakeholder, engagements=2)
    response = api(hr_lead).get(f"/api/v1/stakeholders/{stakeholder.pk}/timeline", {"page_size": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 9 and body["pages"] == 2 and len(body["entries"]) == 5
    assert [e["kind"] for e in body["entries"]] == ["consent_recorded", "invited", "said", "decided", "reported"]
    assert [s["state"] for s in body["standing"]] == ["closed", "closed"]
    assert api(hr_lead).get(f"/api/v1/stakeholders/{stakeholder.pk}/timeline", {"page": 0}).status_code == 400


def test_a_withdrawn_input_leaves_the_timeline(hr_lead):
    stakeholder = _consenting(hr_lead)
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, stakeholder)
    item = make_input(hr_lead, engagement, participation, text="Recorded against the wrong person.",
                      attribution="attributed")
    engagement_actions.withdraw_input(input=item, reason="Wrong speaker", by=hr_lead)
    assert [e.kind for e in timeline.timeline(hr_lead, stakeholder)] == ["consent_recorded", "invited"]
