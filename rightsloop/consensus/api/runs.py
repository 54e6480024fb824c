"""Analysis runs, their results and what became of them, through the API: /api/v1/consensus/exercises/{id}/runs...

The same actions as the results page. A run's results are the JSON the models' docstring fixes, with figures of
groups under the exercise's min_group_size already left out; the map points carry participant numbers, never a
name or an id, and the group of a participant in a group too small to show is null. Asking for an analysis
queues one (202) and never runs it in the request; a run or exercise of another organisation 404s.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability, Function
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from .. import queries
from ..actions import analysis as analysis_actions
from ..actions import results as result_actions
from ..analysis import load_placements, run_message
from ..outcomes import outcome_for
from ..vocabulary import ResultKind, RunState
from . import router


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


class AnalysisRunOut(Schema):
    id: int
    state: str
    parameters: dict[str, Any]
    engine_version: str
    votes_as_of: datetime.datetime | None
    message: str
    seconds: float | None
    created_at: datetime.datetime
    started_at: datetime.datetime | None
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_message(obj) -> str:
        return run_message(obj)


class AnalysisRunDetailOut(AnalysisRunOut):
    results: dict[str, Any] = Field(description="Groups, per-statement figures (shown groups only), consensus, "
                                                "representative, divisive and group-informed consensus statements")


class OpinionMapOut(Schema):
    participants: list[int] = Field(description="Participant numbers (as in the Pol.is export), never ids")
    x: list[float]
    y: list[float]
    group: list[int | None] = Field(description="Group id; -1 not in a group; null in a group too small to show")


class FindingPickIn(Schema):
    statement: Annotated[int, Field(ge=0, le=2**31 - 1, description="The statement's number")]
    kind: ResultKind
    group: Annotated[int, Field(ge=-1, le=1000, description="The group a representative statement stands for; "
                                                           "-1 for common ground and divides")] = -1


class FindingPicksIn(Schema):
    picks: list[FindingPickIn] = Field(..., min_length=1, max_length=200)
    owning_function: Function | None = Field(None, description="The function that decides the inputs")


class ExerciseResultOut(Schema):
    id: int
    run_id: int
    statement_number: int
    kind: str
    group: int
    input_id: int

    @staticmethod
    def resolve_statement_number(obj) -> int:
        return obj.statement.number


class ExerciseOutcomeOut(Schema):
    statement_number: int
    statement_text: str
    kind: str
    group: int
    group_label: str
    input_id: int
    outcome: str
    outcome_label: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None
    decided_at: datetime.datetime | None


class OutcomeEmailsOut(Schema):
    emails: int = Field(description="Participants the outcome goes to by email (those we may safely email)")


@router.get("/exercises/{int:exercise_id}/runs", response=documented({200: list[AnalysisRunOut]}),
            summary="The analysis runs of an exercise, newest first")
@paginate(ApiPages)
def list_exercise_analysis_runs(request, exercise_id: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    return exercise.runs.defer("results", "placements").order_by("-created_at", "-id")


@router.get("/exercises/{int:exercise_id}/runs/{int:run_id}", response=documented({200: AnalysisRunDetailOut}),
            summary="One analysis run with its results")
def get_analysis_run(request, exercise_id: int, run_id: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    run = queries.access_run(exercise, run_id)
    if run.state != RunState.DONE:
        run.results = {}
    return run


@router.get("/exercises/{int:exercise_id}/runs/{int:run_id}/map", response=documented({200: OpinionMapOut}),
            summary="Where a run placed each participant (numbers, x, y, group; no names)")
def get_analysis_map(request, exercise_id: int, run_id: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    run = queries.access_run(exercise, run_id)
    placements = load_placements(run)
    shown = {int(g["id"]) for g in (run.results or {}).get("groups", []) if g.get("shown")}
    groups = [group if group < 0 or group in shown else None for group in placements.group.tolist()]
    return {"participants": placements.numbers.tolist(), "x": [round(v, 6) for v in placements.x.tolist()],
            "y": [round(v, 6) for v in placements.y.tolist()], "group": groups}


@router.post("/exercises/{int:exercise_id}/analyse", response=documented({202: AnalysisRunOut}),
             summary="Ask for an analysis; it is queued, never run in the request")
def request_exercise_analysis(request, exercise_id: int):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    run = analysis_actions.request_analysis(exercise=exercise, by=viewer, delay=datetime.timedelta(0))
    return Status(202, run)


@router.post("/exercises/{int:exercise_id}/runs/{int:run_id}/inputs",
             response=documented({201: list[ExerciseResultOut]}),
             summary="Turn findings of a finished run into inputs (a finding already an input is not doubled)")
def analysis_results_to_inputs(request, exercise_id: int, run_id: int, payload: FindingPicksIn):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    run = queries.access_run(exercise, run_id)
    picks = [result_actions.Pick(statement=p.statement, kind=getattr(p.kind, "value", p.kind), group=p.group)
             for p in payload.picks]
    function = getattr(payload.owning_function, "value", payload.owning_function) or ""
    return Status(201, result_actions.results_to_inputs(run=run, picks=picks, by=viewer, owning_function=function))


@router.get("/exercises/{int:exercise_id}/outcome", response=documented({200: list[ExerciseOutcomeOut]}),
            summary="What became of each finding turned into an input")
def get_exercise_outcome(request, exercise_id: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    return [{**item.__dict__, "outcome_label": item.outcome_label} for item in outcome_for(exercise)]


@router.post("/exercises/{int:exercise_id}/outcome/send", response=documented({202: OutcomeEmailsOut}),
             summary="Email the participants we may safely email a link to read the outcome")
def send_exercise_outcome(request, exercise_id: int):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    _require(viewer, Capability.FEEDBACK_SEND)
    return Status(202, {"emails": result_actions.send_outcome(exercise=exercise, by=viewer)})
