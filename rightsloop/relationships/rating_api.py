"""JSON front door of rating rounds and ratings: /api/v1/rating-rounds, /api/v1/ratings.

The same actions and queries as the pages: aggregates with small groups hidden for anyone who may view
relationships; one stakeholder's own ratings only for the relationship's owner and RATINGS_INDIVIDUAL.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from . import rating_queries, ratings
from .models import DIMENSIONS

router = Router(tags=["ratings"])


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


class RatingRoundIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    opens_on: datetime.date
    closes_on: datetime.date
    stakeholder_ids: list[int] = Field(default_factory=list, max_length=100_000,
                                       description="Stakeholders asked by id; others by the filters")
    kind: str = Field("", max_length=16, description="Everyone of this kind (affected, proxy, expert, other)")
    region: str = Field("", max_length=3, description="Everyone in this M49 region")
    global_south: bool | None = None
    language: str = Field("", max_length=3, description="Everyone speaking this ISO 639 language")


class RatingRoundOut(Schema):
    id: int
    title: str
    opens_on: datetime.date
    closes_on: datetime.date
    state: str = Field(..., description="scheduled, open or closed")
    closed_at: datetime.datetime | None
    invited: int = Field(..., description="People asked whom the caller may know of")
    answered: int

    @staticmethod
    def resolve_state(obj) -> str:
        return obj.state(timezone.localdate())


class RatingIn(Schema):
    round_id: int
    stakeholder_id: int
    trust: int = Field(..., ge=1, le=5)
    influence: int = Field(..., ge=1, le=5, description="Did their input change anything?")
    burden: int = Field(..., ge=1, le=5, description="5 means the effort asked of them is light")
    usefulness: int = Field(..., ge=1, le=5)
    safety: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=4000)
    language: str = Field("", max_length=8)


class RatingOut(Schema):
    id: int
    round_id: int
    stakeholder_id: int
    trust: int
    influence: int
    burden: int
    usefulness: int
    safety: int
    comment: str
    language: str
    given_offline: bool
    answered_at: datetime.datetime
    flag: str | None = Field(None, description="low, falling or low_and_falling when the rating flagged the "
                                               "relationship")

    @staticmethod
    def resolve_given_offline(obj) -> bool:
        return obj.recorded_by_id is not None

    @staticmethod
    def resolve_flag(obj) -> str | None:
        flag = getattr(obj, "flag", None)
        return flag.reason if flag is not None else None


class RatingFilters(Schema):
    round_id: int | None = Field(None, ge=1, le=2**63 - 1)
    stakeholder_id: int | None = Field(None, ge=1, le=2**63 - 1)


class RatingCellOut(Schema):
    count: int | None = Field(..., description="Answers; null when hidden")
    hidden: bool = Field(..., description="True when fewer answers than the smallest group shown")
    averages: dict[str, float | None]


class RatingGroupOut(Schema):
    code: str
    label: str
    cell: RatingCellOut


class RatingRoundTrendOut(Schema):
    round_id: int
    title: str
    opens_on: datetime.date
    overall: RatingCellOut
    by_kind: list[RatingGroupOut]
    by_region: list[RatingGroupOut]
    by_global_south: list[RatingGroupOut]


class RatingTrendOut(Schema):
    smallest_group: int
    dimensions: list[str]
    rounds: list[RatingRoundTrendOut]


def _cell(cell) -> dict:
    if cell is None:
        return {"count": 0, "hidden": False, "averages": dict.fromkeys(DIMENSIONS)}
    return {"count": cell.count if cell.shown else None, "hidden": bool(cell.count and not cell.shown),
            "averages": cell.averages}


@router.get("/rating-rounds", response=documented({200: list[RatingRoundOut]}), summary="List rating rounds")
def list_rounds(request):
    _require(request.auth, Capability.RELATIONSHIPS_VIEW)
    return rating_queries.with_counts(request.auth, list(rating_queries.rounds(request.auth)[:500]))


@router.post("/rating-rounds", response=documented({201: RatingRoundOut}), summary="Open a rating round")
def create_round(request, payload: RatingRoundIn):
    viewer = request.auth
    _require(viewer, Capability.RELATIONSHIPS_EDIT)
    chooser = ratings.Chooser(stakeholder_ids=tuple(payload.stakeholder_ids), kind=payload.kind,
                              region=payload.region, global_south=payload.global_south,
                              language=payload.language.lower())
    round = ratings.open_round(viewer=viewer, title=payload.title, opens_on=payload.opens_on,
                               closes_on=payload.closes_on, chooser=chooser)
    return Status(201, rating_queries.access_round(viewer, round.pk))


@router.get("/rating-rounds/{int:round_id}", response=documented({200: RatingRoundOut}), summary="One rating round")
def get_round(request, round_id: int):
    _require(request.auth, Capability.RELATIONSHIPS_VIEW)
    return rating_queries.access_round(request.auth, round_id)


@router.post("/rating-rounds/{int:round_id}/close", response=documented({200: RatingRoundOut}),
             summary="Close a rating round now")
def close_round(request, round_id: int):
    viewer = request.auth
    _require(viewer, Capability.RELATIONSHIPS_VIEW)
    round = rating_queries.access_round(viewer, round_id)
    _require(viewer, Capability.RELATIONSHIPS_EDIT)
    ratings.close_round(viewer=viewer, round=round)
    return rating_queries.access_round(viewer, round_id)


@router.get("/ratings", response=documented({200: list[RatingOut]}),
            summary="Ratings of the stakeholders whose own answers the caller may see")
@paginate(ApiPages)
def list_ratings(request, filters: Query[RatingFilters]):
    _require(request.auth, Capability.RELATIONSHIPS_VIEW)
    found = rating_queries.visible_ratings(request.auth).select_related("flag", "stakeholder")
    if filters.round_id:
        found = found.filter(round_id=filters.round_id)
    if filters.stakeholder_id:
        found = found.filter(stakeholder_id=filters.stakeholder_id)
    return found.order_by("-answered_at", "-id")


@router.post("/ratings", response=documented({201: RatingOut}),
             summary="Record an answer a stakeholder gave offline (or change it while the round is open)")
def record_rating(request, payload: RatingIn):
    viewer = request.auth
    _require(viewer, Capability.RELATIONSHIPS_EDIT)
    round = rating_queries.access_round(viewer, payload.round_id, for_update=True)
    stakeholder = rating_queries.access_rated_stakeholder(viewer, payload.stakeholder_id)
    rating = ratings.record_rating(round=round, stakeholder=stakeholder,
                                   scores={name: getattr(payload, name) for name in DIMENSIONS},
                                   comment=payload.comment, language=payload.language or stakeholder.preferred_language,
                                   by=viewer)
    return Status(201, rating_queries.visible_ratings(viewer).select_related("flag").get(pk=rating.pk))


@router.get("/ratings/trend", response=documented({200: RatingTrendOut}),
            summary="Averages per round, overall and by kind, region and Global South; small groups hidden")
def rating_trend(request):
    viewer = request.auth
    _require(viewer, Capability.RELATIONSHIPS_VIEW)
    trend = rating_queries.trend(viewer)
    rounds = []
    for round in trend.rounds:
        entry = {"round_id": round.pk, "title": round.title, "opens_on": round.opens_on,
                 "overall": _cell(trend.overall[round.pk])}
        for key in rating_queries.BREAKDOWNS:
            breakdown = trend.breakdowns[key]
            entry[f"by_{key}"] = [{"code": code, "label": label, "cell": _cell(breakdown.cell(round.pk, code))}
                                  for code, label in breakdown.groups if breakdown.cell(round.pk, code)]
        rounds.append(entry)
    return {"smallest_group": trend.smallest, "dimensions": list(DIMENSIONS), "rounds": rounds}
