"""Reads of the handler's case list and case page: filters, the next deadline, counts that stay cheap.

The list never reads the sealed columns (what people told us): its rows carry numbers, dates, stage,
channel, language, country, product and the handler, which is all the list shows. At 100,000 cases a
filtered COUNT(*) would walk every matching row for a page number; the list counts at most COUNT_LIMIT
and says "more than" beyond that (the newest first, so what needs attention is on the first pages).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from rightsloop.accounts.viewer import Viewer
from rightsloop.core import countries

from . import queries
from .models import FINISHED_STAGES, Appeal, CaseMessage, Grievance, GrievanceQuerySet, HandlerExclusion
from .vocabulary import Stage

COUNT_LIMIT = 10_000
LIST_FIELDS = ("id", "organisation_id", "number", "received_at", "stage", "acknowledge_due_on", "respond_due_on",
               "responded_at", "handler", "channel", "language", "country", "product", "appeals_count",
               "escalation_level")


@dataclass(frozen=True)
class CaseFilters:
    stage: str = ""
    overdue: bool = False
    mine: bool = False
    unassigned: bool = False
    appealed: bool = False
    channel: str = ""
    country: str = ""


def case_list(viewer: Viewer, filters: CaseFilters, *, today: datetime.date) -> GrievanceQuerySet:
    """The cases the viewer may handle, filtered, newest first, without their content."""
    cases = queries.cases_for(viewer)
    if filters.stage:
        cases = cases.filter(stage=filters.stage)
    if filters.overdue:
        cases = cases.overdue(today)
    if filters.mine:
        cases = cases.filter(handler=viewer.user)
    if filters.unassigned:
        cases = cases.filter(handler__isnull=True)
    if filters.appealed:
        cases = cases.filter(appeals_count__gt=0)
    if filters.channel:
        cases = cases.filter(channel=filters.channel)
    if filters.country:
        cases = cases.filter(country=filters.country)
    return cases.select_related("handler").only(
        *LIST_FIELDS, "handler__first_name", "handler__last_name", "handler__username").order_by(
        "-received_at", "-id")


def limited_count(cases) -> tuple[int, bool]:
    """How many cases match, counted up to COUNT_LIMIT; and whether there are more."""
    counted = cases.order_by()[:COUNT_LIMIT + 1].count()
    return min(counted, COUNT_LIMIT), counted > COUNT_LIMIT


@dataclass(frozen=True)
class Deadline:
    due_on: datetime.date
    what: str  # "acknowledge" or "respond"
    overdue: bool


def next_deadline(case: Grievance, today: datetime.date) -> Deadline | None:
    """The promise the mechanism must keep next for this case, if it still owes one."""
    if case.stage == Stage.RECEIVED:
        return Deadline(case.acknowledge_due_on, "acknowledge", case.acknowledge_due_on < today)
    if case.stage not in FINISHED_STAGES and case.responded_at is None:
        return Deadline(case.respond_due_on, "respond", case.respond_due_on < today)
    return None


def country_name(code: str) -> str:
    found = countries.get(code) if code else None
    return found.local_name if found else code


def decorate(rows, today: datetime.date) -> None:
    """Give each listed case its next deadline and country name for the template."""
    for case in rows:
        case.deadline = next_deadline(case, today)
        case.country_name = country_name(case.country)


def case_page(grievance: Grievance) -> dict:
    """What the case page shows beyond the case itself, each read in one query."""
    return {
        "timeline": list(grievance.stage_changes.select_related("by").order_by("at", "id")),
        "messages": list(grievance.messages.select_related("author").order_by("created_at", "id")),
        "attachments": list(grievance.attachments.order_by("uploaded_at", "id")),
        "exclusions": list(HandlerExclusion.objects.filter(grievance=grievance).select_related("user", "by")
                           .order_by("at", "id")),
        "appeals": list(Appeal.objects.filter(grievance=grievance).select_related(
            "previous_handler", "new_handler").order_by("filed_at", "id")),
    }


def messages_of(grievance: Grievance):
    return CaseMessage.objects.filter(grievance=grievance).select_related("author").order_by("created_at", "id")

