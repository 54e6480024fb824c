"""The pure deadline rules: when a case is late, by how much, and the escalation level it should be at."""

import datetime

import pytest

from rightsloop.grievances import deadlines
from rightsloop.grievances.vocabulary import Stage

TODAY = datetime.date(2026, 3, 10)
DAY = datetime.timedelta(days=1)


def late(stage=Stage.RECEIVED, ack=TODAY, respond=TODAY + 80 * DAY, responded=False, today=TODAY):
    return deadlines.lateness(stage=stage, acknowledge_due_on=ack, respond_due_on=respond, responded=responded,
                              today=today)


def test_due_today_is_not_late():
    assert late(ack=TODAY) == []


def test_due_yesterday_is_one_day_late():
    assert late(ack=TODAY - DAY) == [deadlines.Lateness("acknowledge", TODAY - DAY, 1)]


def test_an_acknowledged_case_owes_no_acknowledgement():
    assert late(stage=Stage.ACKNOWLEDGED, ack=TODAY - 5 * DAY) == []


def test_response_late_while_open_and_unanswered():
    assert late(stage=Stage.INVESTIGATING, ack=TODAY - 90 * DAY, respond=TODAY - 3 * DAY) == [
        deadlines.Lateness("respond", TODAY - 3 * DAY, 3)]
    assert late(stage=Stage.INVESTIGATING, respond=TODAY - 3 * DAY, responded=True) == []


@pytest.mark.parametrize("stage", [Stage.CLOSED, Stage.NOT_ADMISSIBLE])
def test_a_finished_case_owes_nothing(stage):
    assert late(stage=stage, ack=TODAY - 100 * DAY, respond=TODAY - 10 * DAY) == []


def test_both_late_the_longest_first():
    missed = late(ack=TODAY - 95 * DAY, respond=TODAY - 2 * DAY)
    assert [(m.kind, m.days) for m in missed] == [("acknowledge", 95), ("respond", 2)]


@pytest.mark.parametrize(("days", "level"), [(-3, 0), (0, 0), (1, 1), (7, 1), (8, 2), (60, 2)])
def test_level_at_the_boundaries(days, level):
    assert deadlines.level_for(days, escalate_after_days=7) == level


def test_escalation_names_the_deadline_that_drives_it():
    level, missed = deadlines.escalation(stage=Stage.RECEIVED, acknowledge_due_on=TODAY - 8 * DAY,
                                         respond_due_on=TODAY + 70 * DAY, responded=False, today=TODAY,
                                         escalate_after_days=7)
    assert level == 2 and missed.kind == "acknowledge" and missed.due_on == TODAY - 8 * DAY
    assert deadlines.escalation(stage=Stage.ACKNOWLEDGED, acknowledge_due_on=TODAY - 8 * DAY,
                                respond_due_on=TODAY + 70 * DAY, responded=False, today=TODAY,
                                escalate_after_days=7) == (0, None)


@pytest.mark.parametrize(("kind", "before", "due"), [
    ("acknowledge", 3, False), ("acknowledge", 2, True), ("acknowledge", 0, True), ("acknowledge", -1, False),
    ("respond", 15, False), ("respond", 14, True), ("respond", 1, True), ("respond", -1, False),
])
def test_reminder_window(kind, before, due):
    assert deadlines.reminder_due(kind=kind, due_on=TODAY + before * DAY, today=TODAY) is due
