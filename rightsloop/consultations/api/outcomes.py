"""Decisions per theme and the loop-closure messages: decide, list decisions, start or resume sending, status."""

import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.engagements.vocabulary import Outcome

from .. import loop, queries
from ..actions import outcomes as actions
from . import router
from .consultations import require


class ThemeDecisionIn(Schema):
    outcome: Outcome
    rationale: str = Field("", max_length=10000)
    next_step: str = Field("", max_length=5000)
    next_step_due: datetime.date | None = None


class ThemeDecisionOut(Schema):
    revision: int
    outcome: str
    function: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None
    decided_by: str
    decided_at: datetime.datetime

    @staticmethod
    def resolve_decided_by(obj) -> str:
        return obj.decided_by.get_username()


class ThemeDecisionsOut(Schema):
    theme_id: int
    label: str
    size: int
    owning_function: str
    stance: dict[str, int]
    outcome: str
    current: ThemeDecisionOut | None
    history: list[ThemeDecisionOut]


class MessageRunOut(Schema):
    id: int
    state: str
    total: int
    sent: int
    failed: int
    started_at: datetime.datetime
    heartbeat_at: datetime.datetime | None
    finished_at: datetime.datetime | None
    rate: float | None
    seconds_left: int | None


class SendingStatusOut(Schema):
    eligible: int
    sent: int
    failed: int
    unknown: int
    in_flight: int
    waiting: int
    without_contact: int
    without_consent: int
    blockers: list[str]
    run: MessageRunOut | None


def _run_out(run, now=None) -> dict:
    shown = loop.progress(run, now)
    return {"id": run.pk, "state": shown.state, "total": run.total, "sent": run.sent, "failed": run.failed,
            "started_at": run.started_at, "heartbeat_at": run.heartbeat_at, "finished_at": run.finished_at,
            "rate": shown.rate, "seconds_left": shown.seconds_left}


@router.get("/{int:consultation_id}/decisions", response=documented({200: list[ThemeDecisionsOut]}),
            summary="Every final theme with its decision and the decision's history")
def list_theme_decisions(request, consultation_id: int):
    consultation = queries.access_consultation(request.auth, consultation_id)
    rows = []
    for theme in loop.final_themes(consultation).prefetch_related("decisions__decided_by"):
        history = list(theme.decisions.all())
        rows.append({"theme_id": theme.pk, "label": theme.label, "size": theme.size,
                     "owning_function": theme.owning_function,
                     "stance": dict(loop.stance_split(theme, consultation)), "outcome": theme.outcome,
                     "current": theme.current_decision, "history": history})
    return rows


@router.post("/{int:consultation_id}/themes/{int:theme_id}/decision", response=documented({201: ThemeDecisionOut}),
             summary="Decide (or revise the decision) on a final theme")
def decide_theme(request, consultation_id: int, theme_id: int, payload: ThemeDecisionIn):
    viewer = request.auth
    require(viewer, Capability.DECISIONS_QUEUE)
    theme = queries.access_theme_to_decide(viewer, consultation_id, theme_id)
    decision = actions.decide_theme(
        theme=theme, outcome=getattr(payload.outcome, "value", payload.outcome), rationale=payload.rationale,
        next_step=payload.next_step, next_step_due=payload.next_step_due, by=viewer)
    return Status(201, decision)


class ThemeToDecideOut(Schema):
    id: int
    consultation_id: int
    consultation_title: str
    label: str
    description: str
    size: int
    owning_function: str
    routed_at: datetime.datetime | None
    outcome: str
    current: ThemeDecisionOut | None

    @staticmethod
    def resolve_consultation_title(obj) -> str:
        return obj.consultation.engagement.title

    @staticmethod
    def resolve_current(obj):
        return obj.current_decision


class ToDecideQuery(Schema):
    show: Literal["awaiting", "decided"] = "awaiting"


@router.get("/themes-to-decide", response=documented({200: list[ThemeToDecideOut]}),
            summary="Final themes routed for decision: to your function (decision makers), or every routed one")
@paginate(ApiPages)
def themes_to_decide(request, query: Query[ToDecideQuery]):
    viewer = request.auth
    require(viewer, Capability.DECISIONS_QUEUE)
    return queries.themes_to_decide(viewer, awaiting=query.show == "awaiting").select_related(
        "current_decision__decided_by")


@router.get("/{int:consultation_id}/messages", response=documented({200: SendingStatusOut}),
            summary="Loop-closure messages: who can be written to, what was sent, the latest sending's progress")
def message_status(request, consultation_id: int):
    consultation = queries.access_consultation(request.auth, consultation_id)
    now = timezone.now()
    counts = loop.sending_counts(consultation, now)
    latest = consultation.message_runs.first()
    return {**vars(counts), "blockers": loop.sending_blockers(consultation),
            "run": _run_out(latest, now) if latest else None}


@router.post("/{int:consultation_id}/messages", response=documented({201: MessageRunOut}),
             summary="Start sending the loop-closure messages (in the background)")
def start_messages(request, consultation_id: int):
    viewer = request.auth
    require(viewer, Capability.FEEDBACK_SEND)
    consultation = queries.access_consultation(viewer, consultation_id)
    run = actions.start_sending(consultation=consultation, by=viewer)
    return Status(201, _run_out(run))


@router.post("/{int:consultation_id}/messages/resume", response=documented({200: MessageRunOut}),
             summary="Resume an interrupted sending: only addresses not written to yet are sent to")
def resume_messages(request, consultation_id: int):
    viewer = request.auth
    require(viewer, Capability.FEEDBACK_SEND)
    consultation = queries.access_consultation(viewer, consultation_id)
    run = actions.resumable_run(consultation)
    if run is None:
        raise ValidationError(_("There is no interrupted sending to resume."))
    run = actions.resume_sending(run=run, by=viewer)
    return _run_out(run)
