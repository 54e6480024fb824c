"""Rows for the self-check's tests, written directly: the intake, case and remedy actions are built elsewhere."""

from __future__ import annotations

import datetime
from itertools import count

from django.utils import timezone

from rightsloop.grievances.models import (
    ActionConfirmation,
    Appeal,
    CaseMessage,
    Grievance,
    HandlerExclusion,
    RemedyAction,
    RemedyPlan,
    StageChange,
)
from rightsloop.grievances.vocabulary import ActionStatus, MessageDirection, RemedyType

_numbers = count(1)


def at(day: datetime.date | str, hour: int = 12) -> datetime.datetime:
    """Noon (or `hour`) of a day, in the site's time zone."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), timezone.get_default_timezone())


def make_case(organisation, *, received: datetime.date | str = "2026-10-10", **fields) -> Grievance:
    number = next(_numbers)
    received_at = at(received) if not isinstance(received, datetime.datetime) else received
    values = {
        "organisation": organisation,
        "number": number,
        "reference": f"{number:08d}",
        "receipt_hash": "not-a-real-hash",
        "received_at": received_at,
        "acknowledge_due_on": received_at.date() + datetime.timedelta(days=7),
        "respond_due_on": received_at.date() + datetime.timedelta(days=90),
        "description": f"Secret account {number}: the app shared where I sleep.",
        "language": "en",
        "country": "KE",
    }
    values.update(fields)
    return Grievance.objects.create(**values)


def move(grievance: Grievance, to_stage: str, when: datetime.datetime, *, note: str = "", by=None) -> StageChange:
    """Record a stage change (and keep the case's own stage in step)."""
    change = StageChange.objects.create(grievance=grievance, from_stage=grievance.stage, to_stage=to_stage,
                                        note=note, by=by, at=when)
    grievance.stage = to_stage
    grievance.stage_changed_at = when
    grievance.save(update_fields=["stage", "stage_changed_at"])
    return change


def message(grievance: Grievance, direction: str = MessageDirection.TO_COMPLAINANT, *,
            when: datetime.datetime | None = None, seen: bool = False, text: str = "Private words") -> CaseMessage:
    when = when or grievance.received_at + datetime.timedelta(days=1)
    return CaseMessage.objects.create(grievance=grievance, direction=direction, text=text, created_at=when,
                                      seen_at=when + datetime.timedelta(hours=1) if seen else None)


def exclude_handler(grievance: Grievance, user, when: datetime.datetime, reason: str = "Named in the case"):
    return HandlerExclusion.objects.create(grievance=grievance, user=user, reason=reason, at=when)


def appeal(grievance: Grievance, *, previous, new, when: datetime.datetime) -> Appeal:
    return Appeal.objects.create(grievance=grievance, reason="They did not listen", from_stage=grievance.stage,
                                 previous_handler=previous, new_handler=new, filed_at=when)


def plan(organisation, *, grievances=(), engagement=None, when: datetime.datetime | None = None) -> RemedyPlan:
    made = RemedyPlan.objects.create(organisation=organisation, title="Remedy", engagement=engagement)
    if when is not None:
        RemedyPlan.objects.filter(pk=made.pk).update(created_at=when)
    for grievance in grievances:
        grievance.remedy_plan = made
        grievance.save(update_fields=["remedy_plan"])
    return made


def action(remedy_plan: RemedyPlan, owner, *, remedy_type: str = RemedyType.APOLOGY, when=None,
           status: str = ActionStatus.PLANNED, proposal=None) -> RemedyAction:
    made = RemedyAction.objects.create(plan=remedy_plan, remedy_type=remedy_type, description="Do a thing",
                                       owner=owner, due_on=datetime.date(2026, 12, 1), status=status,
                                       proposal=proposal)
    if when is not None:
        RemedyAction.objects.filter(pk=made.pk).update(created_at=when)
    return made


def confirm(remedy_action: RemedyAction, grievance: Grievance, answer: str, when: datetime.datetime,
            via: str = "follow_up") -> ActionConfirmation:
    return ActionConfirmation.objects.create(action=remedy_action, grievance=grievance, answer=answer,
                                             note="What they said", via=via, at=when)
