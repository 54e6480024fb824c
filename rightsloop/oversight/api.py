"""JSON API of the board view (O1): /api/v1/board, /api/v1/board-packs, /api/v1/board-briefings.

The same figures as the page, from the same remembered snapshot; links a viewer may not follow are left out.
A period that is neither a quarter (2026-Q3) nor a year (2026), or has not started, answers 400. Board packs are
requested here and rendered in the background; their status and progress are read back until ready.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.core.periods import Period, PeriodError
from rightsloop.stakeholders.queries import visible_stakeholders

from . import actions, board, queries
from .models import BoardBriefing, BoardPack, BriefingKind

router = Router(tags=["oversight"])
Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _period(key: str | None) -> Period:
    if not key:
        return Period.containing(timezone.localdate())
    try:
        period = Period.parse(key)
    except PeriodError as error:
        raise DjangoValidationError({"period": [str(error)]}) from None
    if not period.has_started(timezone.localdate()):
        raise DjangoValidationError({"period": [_("%(period)s has not started yet.") % {"period": period.label}]})
    return period


class PeriodQuery(Schema):
    period: str | None = Field(None, max_length=16, description="A quarter (2026-Q3) or a year (2026); the "
                               "running quarter when left out")


class FigureOut(Schema):
    key: str
    label: str
    value: float | None
    previous: float | None = Field(description="The same figure in the previous period")
    unit: str = Field(description="count, percent or days")
    better: str = Field(description="up, down, or empty when neither way is better")
    url: str = Field(description="Down to the evidence; empty when the caller may not follow it")


class FindingOut(Schema):
    text: str
    severity: str
    url: str


class TableOut(Schema):
    key: str
    title: str
    headings: list[str]
    rows: list[list[Any]]
    note: str


class ChartOut(Schema):
    kind: str
    key: str
    title: str
    description: str
    data: dict[str, Any]


class EvidenceOut(Schema):
    source: str
    title: str
    status: str = Field(description="ok, attention or missing")
    reading: str
    figures: list[FigureOut]
    findings: list[FindingOut]
    tables: list[TableOut]
    charts: list[ChartOut]


class AnswerOut(Schema):
    question: int
    text: str
    status: str
    reading: str
    evidence: list[EvidenceOut]


class BoardOut(Schema):
    period: str
    previous_period: str
    starts_on: datetime.date
    ends_on: datetime.date
    computed_at: datetime.datetime
    fresh: bool = Field(description="False while newer records are being counted in the background")
    empty: bool
    questions: list[AnswerOut]


def _link(item, viewer) -> str:
    url = item.get("url", "") if isinstance(item, dict) else item.url
    capability = item.get("capability", "") if isinstance(item, dict) else item.capability
    return url if url and (not capability or viewer.can(capability)) else ""


def _cell(cell, viewer):
    return _link(cell, viewer) if isinstance(cell, dict) else cell


def _evidence(item, viewer) -> dict:
    return {
        "source": item.source, "title": item.title, "status": item.status, "reading": item.reading,
        "figures": [{"key": f.key, "label": f.label, "value": f.value, "previous": f.previous, "unit": f.unit,
                     "better": f.better, "url": _link(f, viewer)} for f in item.figures],
        "findings": [{"text": f.text, "severity": f.severity, "url": _link(f, viewer)} for f in item.findings],
        "tables": [{"key": t.key, "title": t.title, "headings": t.headings, "note": t.note,
                    "rows": [[_cell(cell, viewer) for cell in row] for row in t.rows]} for t in item.tables],
        "charts": [{"kind": c.kind, "key": c.key, "title": c.title, "description": c.description, "data": c.data}
                   for c in item.charts],
    }


@router.get("/board", response=documented({200: BoardOut}), summary="The board view: the five questions answered")
def get_board(request, query: Query[PeriodQuery]):
    viewer = request.auth
    _require(viewer, Capability.OVERSIGHT_VIEW)
    period = _period(query.period)
    view = board.board_view(viewer.organisation, period)
    return {"period": period.key, "previous_period": view.previous.key, "starts_on": period.start,
            "ends_on": period.end, "computed_at": view.computed_at, "fresh": view.fresh, "empty": view.empty,
            "questions": [{"question": answer.number, "text": answer.text, "status": answer.status,
                           "reading": answer.reading, "evidence": [_evidence(item, viewer) for item in answer.evidence]}
                          for answer in view.answers]}


class PackIn(Schema):
    period: str = Field(max_length=16, description="A quarter (2026-Q3) or a year (2026)")


class PackOut(Schema):
    id: int
    period: str
    language: str
    status: str = Field(description="queued, rendering, ready or failed")
    progress: int = Field(description="Percent done")
    step: str
    requested_at: datetime.datetime
    finished_at: datetime.datetime | None
    pages: int | None
    size: int | None
    download: str = Field(description="The PDF's address once ready (signed-in page); empty before")


def _pack(pack: BoardPack) -> dict:
    return {"id": pack.pk, "period": pack.period, "language": pack.language, "status": pack.status,
            "progress": pack.progress, "step": pack.step, "requested_at": pack.requested_at,
            "finished_at": pack.finished_at, "pages": pack.pages, "size": pack.size,
            "download": reverse("oversight:pack-download", args=[pack.pk]) if pack.status == "ready" else ""}


@router.get("/board-packs", response=documented({200: list[PackOut]}), summary="Board packs, newest first")
@paginate(ApiPages)
def list_packs(request):
    viewer = request.auth
    _require(viewer, Capability.OVERSIGHT_VIEW)
    return [_pack(pack) for pack in queries.packs(viewer)]


@router.post("/board-packs", response=documented({202: PackOut}), summary="Prepare the board pack of a period")
def request_pack(request, body: PackIn):
    viewer = request.auth
    _require(viewer, Capability.OVERSIGHT_VIEW)
    pack = actions.request_board_pack(period=_period(body.period), by=viewer)
    pack.refresh_from_db()
    return Status(202, _pack(pack))


@router.get("/board-packs/{pack_id}", response=documented({200: PackOut}), summary="One board pack's status")
def get_pack(request, pack_id: Id):
    viewer = request.auth
    _require(viewer, Capability.OVERSIGHT_VIEW)
    return _pack(queries.access_pack(viewer, pack_id))


class BriefingIn(Schema):
    held_on: datetime.date
    kind: BriefingKind
    topic: str = Field(min_length=1, max_length=200)
    attendees: list[Id] = Field(default_factory=list, max_length=100, description="Board members' user ids")
    stakeholders: list[Id] = Field(default_factory=list, max_length=100,
                                   description="Ids of the stakeholders who spoke to the board")
    given_by: str = Field("", max_length=200)
    material: str = Field("", max_length=300)
    notes: str = Field("", max_length=10000)


class BriefingOut(Schema):
    id: int
    held_on: datetime.date
    kind: str
    topic: str
    attendees: list[int]
    stakeholders: list[int] = Field(description="Only those the caller may see")
    stakeholders_not_shown: int = Field(description="Stakeholders who spoke whom the caller may not see")
    given_by: str
    material: str
    notes: str


def _briefing(briefing: BoardBriefing, viewer) -> dict:
    everyone = [person.pk for person in briefing.stakeholders.all()]
    shown = list(visible_stakeholders(viewer).filter(pk__in=everyone).values_list("pk", flat=True))
    return {"id": briefing.pk, "held_on": briefing.held_on, "kind": briefing.kind, "topic": briefing.topic,
            "attendees": [user.pk for user in briefing.attendees.all()], "stakeholders": sorted(shown),
            "stakeholders_not_shown": len(everyone) - len(shown), "given_by": briefing.given_by,
            "material": briefing.material, "notes": briefing.notes}


@router.get("/board-briefings", response=documented({200: list[BriefingOut]}),
            summary="The board's briefings and trainings, newest first")
@paginate(ApiPages)
def list_briefings(request):
    viewer = request.auth
    _require(viewer, Capability.OVERSIGHT_VIEW)
    return [_briefing(briefing, viewer) for briefing in queries.briefings(viewer).prefetch_related("stakeholders")]


@router.post("/board-briefings", response=documented({201: BriefingOut}), summary="Record a board briefing")
def record_briefing(request, body: BriefingIn):
    viewer = request.auth
    _require(viewer, Capability.BOARD_BRIEFINGS_RECORD)
    members = {user.pk: user for user in queries.board_members(viewer.organisation).filter(pk__in=body.attendees)}
    if len(members) != len(set(body.attendees)):
        raise DjangoValidationError({"attendees": [_("Only the organisation's board members can be recorded as "
                                                     "attending.")]})
    people = list(visible_stakeholders(viewer).filter(pk__in=body.stakeholders))
    if len(people) != len(set(body.stakeholders)):
        raise Http404
    briefing = actions.record_briefing(
        held_on=body.held_on, kind=body.kind, topic=body.topic, attendees=list(members.values()),
        stakeholders=people, given_by=body.given_by, material=body.material, notes=body.notes, by=viewer)
    return Status(201, _briefing(briefing, viewer))
