"""The record of the board's briefings and trainings, and what question 4 reads from it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.evidence import MISSING, OK
from rightsloop.core.periods import Period
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.oversight import actions
from rightsloop.oversight.evidence import board_knowledge
from rightsloop.oversight.models import BoardBriefing, BriefingKind
from rightsloop.stakeholders.tests.factories import make_stakeholder


def test_no_briefing_on_record_is_flagged(organisation, board):
    today = timezone.localdate()
    evidence = board_knowledge(organisation, Period.containing(today), today)
    assert evidence.status == MISSING
    assert "no briefing" in evidence.reading.lower()


def test_a_board_briefed_and_hearing_stakeholders_is_answered_yes(organisation, hr_lead, board):
    today = timezone.localdate()
    person = make_stakeholder(hr_lead, name="Amina")
    actions.record_briefing(held_on=today, kind=BriefingKind.STAKEHOLDER_SESSION, topic="Community voices",
                            attendees=[board.user], stakeholders=[person], by=hr_lead)
    evidence = board_knowledge(organisation, Period.containing(today), today)
    assert evidence.status == OK
    values = {figure.key: figure.value for figure in evidence.figures}
    assert values["members_briefed"] == 1 and values["stakeholders_heard"] == 1 and values["days_since_briefing"] == 0


def test_a_stale_record_and_members_never_briefed_are_findings(organisation, hr_lead, board):
    today = timezone.localdate()
    make_member(organisation, Role.BOARD)
    actions.record_briefing(held_on=today - datetime.timedelta(days=400), kind=BriefingKind.TRAINING,
                            topic="UNGPs", attendees=[board.user], by=hr_lead)
    evidence = board_knowledge(organisation, Period.containing(today), today)
    assert evidence.status == MISSING
    assert any("more than a year ago" in finding.text for finding in evidence.findings)
    assert any("board members attended no briefing" in finding.text for finding in evidence.findings)


def test_bad_briefings_are_refused_with_reasons(organisation, other_organisation, hr_lead, board, decision_maker):
    today = timezone.localdate()
    stranger = make_member(other_organisation, Role.BOARD)
    with pytest.raises(ValidationError) as refused:
        actions.record_briefing(held_on=today + datetime.timedelta(days=2), kind="briefing", topic=" ",
                                attendees=[hr_lead.user, stranger.user], by=hr_lead)
    assert set(refused.value.message_dict) == {"held_on", "topic", "attendees"}
    with pytest.raises(ValidationError) as refused:
        actions.record_briefing(held_on=today, kind=BriefingKind.STAKEHOLDER_SESSION, topic="Voices",
                                attendees=[board.user], by=hr_lead)
    assert "stakeholders" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.record_briefing(held_on=today, kind="briefing", topic="x", attendees=[], by=board)


def test_recording_and_changing_a_briefing_through_the_pages(organisation, hr_lead, board, sign_in):
    client = sign_in(hr_lead)
    person = make_stakeholder(hr_lead, name="Otieno")
    make_participation(hr_lead, make_engagement(hr_lead), person)
    today = timezone.localdate().isoformat()
    refused = client.post(reverse("oversight:briefing-create"), {"held_on": today, "kind": "briefing"})
    assert refused.status_code == 400 and "This field is required" in refused.content.decode()
    created = client.post(reverse("oversight:briefing-create"), {
        "held_on": today, "kind": "stakeholder_session", "topic": "Fraud and accessibility",
        "attendees": [board.user.pk], "stakeholders": [person.pk]})
    assert created.status_code == 302
    briefing = BoardBriefing.objects.get()
    assert list(briefing.stakeholders.all()) == [person]
    changed = client.post(reverse("oversight:briefing-edit", args=[briefing.pk]), {
        "held_on": today, "kind": "briefing", "topic": "Fraud", "attendees": [board.user.pk]})
    assert changed.status_code == 302
    briefing.refresh_from_db()
    assert briefing.topic == "Fraud" and not briefing.stakeholders.exists()
    listed = sign_in(board).get(reverse("oversight:briefings")).content.decode()
    assert "Fraud" in listed


def test_a_person_the_editor_cannot_see_stays_on_the_briefing(organisation, hr_lead, admin, board, sign_in):
    hidden = make_stakeholder(hr_lead, name="Defender", safety_level="high")
    briefing = actions.record_briefing(held_on=timezone.localdate(), kind=BriefingKind.STAKEHOLDER_SESSION,
                                       topic="Voices", attendees=[board.user], stakeholders=[hidden], by=hr_lead)
    response = sign_in(admin).post(reverse("oversight:briefing-edit", args=[briefing.pk]), {
        "held_on": timezone.localdate().isoformat(), "kind": "stakeholder_session", "topic": "Voices again",
        "attendees": [board.user.pk]})
    assert response.status_code == 302
    assert list(briefing.stakeholders.all()) == [hidden]
