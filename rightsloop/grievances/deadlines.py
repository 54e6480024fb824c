"""When a case is late, by how much, and who must know (M2): pure rules, no database.

A due date is kept on the day itself: a case is overdue from the day after its due date. The acknowledgement is
owed while the case is still received; the substantive response while the case is open and was never answered.
An overdue case goes to the whole team (level 1); still overdue more than `escalate_after_days` days after its
due date, to the organisation's administrators too (level 2). The daily task (actions/deadlines.py) reads these
rules; the pages and the API show them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from .models import FINISHED_STAGES
from .vocabulary import Stage

ACKNOWLEDGE = "acknowledge"
RESPOND = "respond"

# How long before a due date the case's handler (or, unassigned, every handler) is reminded of it.
REMIND_BEFORE_DAYS = {ACKNOWLEDGE: 2, RESPOND: 14}

TEAM = 1
ADMINISTRATORS = 2


@dataclass(frozen=True)
class Lateness:
    """One deadline a case has missed: which, its date, and by how many days today is past it."""

    kind: str
    due_on: datetime.date
    days: int


def owes(*, kind: str, stage: str, responded: bool) -> bool:
    """Is the case still to meet this deadline (acknowledgement or substantive response)."""
    if kind == ACKNOWLEDGE:
        return stage == Stage.RECEIVED
    return stage not in FINISHED_STAGES and not responded


def days_late(due_on: datetime.date, today: datetime.date) -> int:
    """Days past the due date (0 on the day itself and before it)."""
    return max((today - due_on).days, 0)


def lateness(*, stage: str, acknowledge_due_on: datetime.date, respond_due_on: datetime.date, responded: bool,
             today: datetime.date) -> list[Lateness]:
    """The deadlines the case has missed as of today, the longest missed first."""
    missed = [
        Lateness(kind, due_on, days_late(due_on, today))
        for kind, due_on in ((ACKNOWLEDGE, acknowledge_due_on), (RESPOND, respond_due_on))
        if owes(kind=kind, stage=stage, responded=responded) and days_late(due_on, today) > 0
    ]
    return sorted(missed, key=lambda late: -late.days)


def level_for(days_overdue: int, *, escalate_after_days: int) -> int:
    """The escalation level a case overdue by this many days should be at: 0, 1 (the team) or 2 (administrators)."""
    if days_overdue <= 0:
        return 0
    if days_overdue > escalate_after_days:
        return ADMINISTRATORS
    return TEAM


def escalation(*, stage: str, acknowledge_due_on: datetime.date, respond_due_on: datetime.date, responded: bool,
               today: datetime.date, escalate_after_days: int) -> tuple[int, Lateness | None]:
    """The level the case should be at, and the missed deadline that puts it there (None when on time)."""
    missed = lateness(stage=stage, acknowledge_due_on=acknowledge_due_on, respond_due_on=respond_due_on,
                      responded=responded, today=today)
    if not missed:
        return 0, None
    return level_for(missed[0].days, escalate_after_days=escalate_after_days), missed[0]


def reminder_due(*, kind: str, due_on: datetime.date, today: datetime.date) -> bool:
    """Is today within the reminder window of this deadline (from REMIND_BEFORE_DAYS before it to the day itself)."""
    return due_on - datetime.timedelta(days=REMIND_BEFORE_DAYS[kind]) <= today <= due_on


def of_case(grievance, today: datetime.date) -> list[Lateness]:
    """The missed deadlines of a Grievance row (for pages and the API)."""
    return lateness(stage=grievance.stage, acknowledge_due_on=grievance.acknowledge_due_on,
                    respond_due_on=grievance.respond_due_on, responded=grievance.responded_at is not None,
                    today=today)
