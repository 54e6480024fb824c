"""JSON API of the UNGP 31 self-check: /api/v1/grievance-self-check (docs/grievances/self-check.md).

The same figures as the page, for one period (2026-Q4, or 2026 for the year; the current quarter when left
out); a period that is neither answers 400. Recording the organisation's own assessment needs
grievances.configure and goes through the same action as the page.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented

from . import selfcheck
from .actions.assessments import NOTES_MAX, assess
from .vocabulary import Assessment, Criterion

router = Router(tags=["grievances"])


class SelfCheckQuery(Schema):
    period: str | None = Field(None, max_length=16, description="A quarter (2026-Q4) or a year (2026); "
                               "the current quarter when left out")


class SelfCheckPartOut(Schema):
    key: str
    label: str
    value: float | None
    shown: str


class SelfCheckFigureOut(Schema):
    key: str
    label: str
    kind: str = Field(description="count, share (0 to 1), days or text")
    value: float | None
    shown: str
    reading: str
    numerator: int | None
    denominator: int | None
    parts: list[SelfCheckPartOut]


class SelfCheckTrendPointOut(Schema):
    period: str
    value: float | None
    numerator: int | None
    denominator: int | None


class SelfCheckTrendOut(Schema):
    figure: str = Field(description="The key of the criterion's headline figure")
    kind: str
    points: list[SelfCheckTrendPointOut]


class SelfCheckAssessmentOut(Schema):
    id: int
    criterion: str
    assessment: str
    notes: str
    at: datetime.datetime


class SelfCheckCriterionOut(Schema):
    criterion: str
    label: str
    figures: list[SelfCheckFigureOut]
    trend: SelfCheckTrendOut
    assessment: SelfCheckAssessmentOut | None = Field(description="The standing assessment (the newest)")
    earlier_assessments: list[SelfCheckAssessmentOut] = Field(description="The few before it, newest first")


class SelfCheckOut(Schema):
    period: str
    starts_on: datetime.date
    ends_on: datetime.date = Field(description="The period's last day")
    criteria: list[SelfCheckCriterionOut]


class SelfCheckAssessmentIn(Schema):
    criterion: Criterion
    assessment: Assessment
    notes: str = Field("", max_length=NOTES_MAX)


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _judgement(criterion: str, judgement: selfcheck.Judgement | None) -> dict | None:
    if judgement is None:
        return None
    return {"id": judgement.id, "criterion": criterion, "assessment": judgement.assessment,
            "notes": judgement.notes, "at": judgement.at}


def _part(part: selfcheck.Part) -> dict:
    return {"key": part.key, "label": part.label, "value": part.value, "shown": part.shown}


def _figure(figure: selfcheck.Figure) -> dict:
    return {"key": figure.key, "label": figure.label, "kind": figure.kind, "value": figure.value,
            "shown": figure.shown, "reading": figure.reading, "numerator": figure.numerator,
            "denominator": figure.denominator, "parts": [_part(part) for part in figure.parts]}


def _criterion(item: selfcheck.CriterionCheck) -> dict:
    return {
        "criterion": item.criterion,
        "label": item.label,
        "figures": [_figure(figure) for figure in item.figures],
        "trend": {"figure": item.trend.key, "kind": item.trend.kind, "points": [
            {"period": point.period.code, "value": point.value, "numerator": point.numerator,
             "denominator": point.denominator} for point in item.trend.points]},
        "assessment": _judgement(item.criterion, item.standing),
        "earlier_assessments": [_judgement(item.criterion, earlier) for earlier in item.earlier],
    }


@router.get("/grievance-self-check", response=documented({200: SelfCheckOut}),
            summary="The UNGP 31 self-check of the grievance mechanism for a period")
def get_self_check(request, query: Query[SelfCheckQuery]):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_OVERSEE)
    try:
        period = selfcheck.parse_period(query.period)
    except selfcheck.BadPeriod as error:
        raise DjangoValidationError({"period": [str(error)]}) from None
    check = selfcheck.remembered_self_check(viewer.organisation, period)
    return {"period": period.code, "starts_on": period.start, "ends_on": period.end - datetime.timedelta(days=1),
            "criteria": [_criterion(item) for item in check.criteria]}


@router.post("/grievance-self-check/assessments", response=documented({201: SelfCheckAssessmentOut}),
             summary="Record the organisation's own assessment of one criterion (the earlier ones are kept)")
def post_assessment(request, payload: SelfCheckAssessmentIn):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_CONFIGURE)
    row = assess(organisation=viewer.organisation, criterion=payload.criterion.value,
                 assessment=payload.assessment.value, notes=payload.notes, by=viewer)
    return Status(201, {"id": row.pk, "criterion": row.criterion, "assessment": row.assessment,
                        "notes": row.notes, "at": row.at})
