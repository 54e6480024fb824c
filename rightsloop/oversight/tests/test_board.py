"""The board view: five questions answered from every registered source, remembered, with the change since the
previous period."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rightsloop.core.evidence import MISSING, Question
from rightsloop.core.periods import Period
from rightsloop.oversight import actions
from rightsloop.oversight import board as figures
from rightsloop.oversight.models import BoardSnapshot, BriefingKind
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.tests.factories import make_risk


def test_every_question_is_answered_with_a_reading(organisation, hr_lead):
    view = figures.board_view(organisation, Period.containing(timezone.localdate()))
    assert [answer.question for answer in view.answers] == list(Question)
    assert all(answer.reading for answer in view.answers)
    assert view.empty, "a new organisation has recorded nothing"
    assert view.notes


def test_the_page_answers_the_board(board, hr_lead, sign_in):
    make_risk(hr_lead, title="Location data sold to brokers", scale=5, scope=5, irremediability=5, likelihood=5)
    response = sign_in(board).get(reverse("oversight:board"))
    assert response.status_code == 200
    page = response.content.decode()
    for question in Question:
        assert question.text in page
    assert "Location data sold to brokers" in page


def test_a_period_that_cannot_be_answered_says_why(board, sign_in):
    client = sign_in(board)
    response = client.get(reverse("oversight:board"), {"period": "2999-Q1"})
    assert response.status_code == 400
    assert "nothing to report for 2999" in response.content.decode()
    response = client.get(reverse("oversight:board"), {"period": "last year"})
    assert response.status_code == 400
    assert "is not a period" in response.content.decode()


def test_decision_makers_and_outsiders_do_not_see_the_board_view(decision_maker, outsider, sign_in):
    assert sign_in(decision_maker).get(reverse("oversight:board")).status_code == 403


def test_figures_are_remembered_and_refreshed_after_a_change(organisation, hr_lead, django_assert_max_num_queries):
    period = Period.containing(timezone.localdate())
    figures.board_view(organisation, period)
    assert BoardSnapshot.objects.filter(organisation=organisation).count() == 2  # the period and the one before
    with django_assert_max_num_queries(4):
        view = figures.board_view(organisation, period)
    assert view.fresh
    make_risk(hr_lead)
    # A change since: the stored figures are served, marked stale, and a refresh is queued (the test task backend
    # would run it at once, but on_commit never fires inside a test's transaction: run it as the worker would).
    stale = figures.board_view(organisation, period)
    assert not stale.fresh
    figures.compute(organisation, period)
    refreshed = figures.board_view(organisation, period)
    monitoring = next(item for answer in refreshed.answers for item in answer.evidence
                      if item.source == "risks.monitoring")
    assert refreshed.fresh
    assert next(f.value for f in monitoring.figures if f.key == "open_risks") == 1


def test_change_since_the_previous_period(organisation, hr_lead, board):
    today = timezone.localdate()
    period = Period.containing(today)
    earlier = period.previous()
    actions.record_briefing(held_on=earlier.start, kind=BriefingKind.TRAINING, topic="UNGPs for boards",
                            attendees=[board.user], by=hr_lead)
    actions.record_briefing(held_on=today, kind=BriefingKind.BRIEFING, topic="Market entry", attendees=[board.user],
                            by=hr_lead)
    actions.record_briefing(held_on=today, kind=BriefingKind.TRAINING, topic="Remedy", attendees=[], by=hr_lead)
    view = figures.board_view(organisation, period)
    skills = next(item for item in view.answers[3].evidence if item.source == "oversight.briefings")
    briefings = next(f for f in skills.figures if f.key == "briefings")
    assert (briefings.value, briefings.previous) == (2, 1)


def test_board_level_risk_never_reviewed_is_flagged_until_the_board_reviews_it(organisation, hr_lead, board):
    risk = make_risk(hr_lead, title="Shutdown orders", scale=5, scope=5, irremediability=5, likelihood=5)
    risk.refresh_from_db()
    assert risk.owner_level == "board"
    period = Period.containing(timezone.localdate())
    evidence = next(item for item in figures.gather(organisation, period, timezone.localdate())
                    if item.source == "risks.board")
    assert evidence.status == MISSING
    assert any("never reviewed" in finding.text for finding in evidence.findings)
    risk_actions.record_board_review(risk=risk, reviewed_on=timezone.localdate(), note="Keep; review in Q3",
                                     by=board)
    evidence = next(item for item in figures.gather(organisation, period, timezone.localdate())
                    if item.source == "risks.board")
    assert not any("never reviewed" in finding.text for finding in evidence.findings)
    assert next(f.value for f in evidence.figures if f.key == "board_reviews") == 1


def test_a_board_review_cannot_be_recorded_in_the_future_or_by_the_team(organisation, hr_lead, board):
    from django.core.exceptions import PermissionDenied, ValidationError

    risk = make_risk(hr_lead)
    with pytest.raises(ValidationError):
        risk_actions.record_board_review(risk=risk, reviewed_on=timezone.localdate() + datetime.timedelta(days=1),
                                         note="x", by=board)
    with pytest.raises(ValidationError):
        risk_actions.record_board_review(risk=risk, reviewed_on=timezone.localdate(), note="  ", by=board)
    with pytest.raises(PermissionDenied):
        risk_actions.record_board_review(risk=risk, reviewed_on=timezone.localdate(), note="x", by=hr_lead)
