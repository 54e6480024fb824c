"""JSON front door of remedy plans (M3): /api/v1/remedy-plans, /api/v1/remedy-actions, and the person's own
/api/v1/public/grievances/<slug>/follow-up/proposals and …/confirmations (no token: the receipt in the body,
checked and throttled as the intake's follow-up operations check it).

For case handlers (grievances.handle): the same actions as the plan page. A case, plan or action of another
organisation, or of a case the member is excluded from, answers 404 like a missing one; a broken rule
(a case already in a plan, an owner outside the organisation, a due date in the past, an answer on an action
not delivered) answers 400 with field messages.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import ErrorOut, documented
from rightsloop.core.models import Organisation
from rightsloop.engagements.actions.inputs import MAX_INPUT_LENGTH
from rightsloop.engagements.models import Input

from . import receipts, remedy_queries, throttle
from .actions import remedy as actions
from .actions.remedy import MAX_DESCRIPTION_LENGTH, MAX_NOTE_LENGTH
from .actions.remedy_answer import answer_proposed_remedy
from .models import Grievance, RemedyAction, RemedyPlan
from .queries import access_case, access_plan
from .vocabulary import ConfirmationAnswer, MessageVia, RemedyType

router = Router(tags=["grievances"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _require(viewer) -> None:
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        raise PermissionDenied(_("Your role does not allow this."))


class RemedyPlanIn(Schema):
    case_ids: list[Id] = Field(..., min_length=1, max_length=100, description="The cases the plan serves")
    title: str = Field(..., min_length=1, max_length=200)


class RemedyPlanCaseIn(Schema):
    case_id: Id


class RemedyProposalIn(Schema):
    case_id: Id = Field(..., description="The case whose people made the proposal")
    text: str = Field(..., min_length=1, max_length=MAX_INPUT_LENGTH)
    via: MessageVia = Field(MessageVia.API, description="How it reached us")


class RemedyActionIn(Schema):
    remedy_type: RemedyType
    description: str = Field(..., min_length=1, max_length=MAX_DESCRIPTION_LENGTH)
    owner_id: Id = Field(..., description="An active member of the organisation")
    due_on: datetime.date = Field(..., description="Not in the past")
    proposal_id: Id | None = Field(None, description="The proposal (an input of the plan's dialogue) it answers")


class RemedyActionPatch(Schema):
    remedy_type: RemedyType | None = None
    description: str | None = Field(None, min_length=1, max_length=MAX_DESCRIPTION_LENGTH)
    owner_id: Id | None = None
    due_on: datetime.date | None = None
    proposal_id: Id | None = None


class RemedyConfirmationIn(Schema):
    case_id: Id = Field(..., description="The case whose people answer")
    answer: ConfirmationAnswer
    note: str = Field("", max_length=MAX_NOTE_LENGTH)
    via: MessageVia = Field(MessageVia.STAFF, description="How their answer reached us")


class RemedyCaseOut(Schema):
    id: int
    number: int
    label: str
    stage: str


class RemedyProposalOut(Schema):
    id: int
    case_id: int | None
    text: str
    recorded_at: datetime.datetime
    outcome: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None


class RemedyConfirmationOut(Schema):
    id: int
    case_id: int
    answer: str
    note: str
    via: str
    at: datetime.datetime


class RemedyActionOut(Schema):
    id: int
    plan_id: int
    remedy_type: str
    description: str
    owner_id: int
    due_on: datetime.date
    status: str
    delivered_at: datetime.datetime | None
    confirmed_at: datetime.datetime | None
    disputed_at: datetime.datetime | None
    proposal_id: int | None
    confirmations: list[RemedyConfirmationOut]


class RemedyPlanOut(Schema):
    id: int
    title: str
    engagement_id: int | None
    created_at: datetime.datetime
    cases: list[RemedyCaseOut]
    proposals: list[RemedyProposalOut]
    actions: list[RemedyActionOut]


def _action_out(action: RemedyAction) -> dict:
    return {
        "id": action.pk, "plan_id": action.plan_id, "remedy_type": action.remedy_type,
        "description": action.description, "owner_id": action.owner_id, "due_on": action.due_on,
        "status": action.status, "delivered_at": action.delivered_at, "confirmed_at": action.confirmed_at,
        "disputed_at": action.disputed_at, "proposal_id": action.proposal_id,
        "confirmations": [{"id": c.pk, "case_id": c.grievance_id, "answer": c.answer, "note": c.note, "via": c.via,
                           "at": c.at} for c in action.confirmations.all()],
    }


def _plan_out(plan: RemedyPlan) -> dict:
    cases = remedy_queries.plan_cases(plan)
    proposals = []
    for item in remedy_queries.plan_proposals(plan, cases):
        decision = item.current_decision
        proposals.append({
            "id": item.pk, "case_id": item.case.pk if item.case else None, "text": item.text,
            "recorded_at": item.recorded_at, "outcome": item.outcome,
            "rationale": decision.rationale if decision else "", "next_step": decision.next_step if decision else "",
            "next_step_due": decision.next_step_due if decision else None,
        })
    return {
        "id": plan.pk, "title": plan.title, "engagement_id": plan.engagement_id, "created_at": plan.created_at,
        "cases": [{"id": case.pk, "number": case.number, "label": case.label, "stage": case.stage} for case in cases],
        "proposals": proposals,
        "actions": [_action_out(action) for action in remedy_queries.plan_actions(plan)],
    }


def _action(viewer, action_id: int) -> RemedyAction:
    return remedy_queries.access_action(viewer, action_id)


def _fresh_action(action: RemedyAction) -> dict:
    (found,) = [item for item in remedy_queries.plan_actions(action.plan) if item.pk == action.pk]
    return _action_out(found)


def _owner(owner_id: int):
    owner = get_user_model().objects.filter(pk=owner_id).first()
    if owner is None:
        raise DjangoValidationError({"owner_id": [_("The owner must be a member of the organisation.")]})
    return owner


def _proposal(plan: RemedyPlan, proposal_id: int | None) -> Input | None:
    if proposal_id is None:
        return None
    found = Input.objects.filter(pk=proposal_id, organisation_id=plan.organisation_id).first()
    if found is None or found.engagement_id != plan.engagement_id:
        raise DjangoValidationError({"proposal_id": [_("Choose a proposal made for this plan.")]})
    return found


@router.post("/remedy-plans", response=documented({201: RemedyPlanOut}),
             summary="Open a remedy plan for one case or a group of cases")
def create_remedy_plan(request, payload: RemedyPlanIn):
    viewer = request.auth
    _require(viewer)
    cases = [access_case(viewer, case_id) for case_id in dict.fromkeys(payload.case_ids)]
    plan = actions.create_plan(grievances=cases, title=payload.title, by=viewer)
    return Status(201, _plan_out(plan))


@router.get("/remedy-plans/{int:plan_id}", response=documented({200: RemedyPlanOut}),
            summary="A remedy plan: its cases, the proposals of the affected with their decisions, its actions")
def get_remedy_plan(request, plan_id: int):
    _require(request.auth)
    return _plan_out(access_plan(request.auth, plan_id))


@router.post("/remedy-plans/{int:plan_id}/cases", response=documented({200: RemedyPlanOut}),
             summary="Group another case into the plan")
def add_remedy_plan_case(request, plan_id: int, payload: RemedyPlanCaseIn):
    viewer = request.auth
    _require(viewer)
    plan = access_plan(viewer, plan_id)
    actions.add_case_to_plan(plan=plan, grievance=access_case(viewer, payload.case_id), by=viewer)
    return _plan_out(plan)


@router.post("/remedy-plans/{int:plan_id}/proposals", response=documented({201: RemedyProposalOut,
                                                                             200: RemedyProposalOut}),
             summary="Record what an affected person proposed (an input of the plan's dialogue); "
                     "an Idempotency-Key sent again answers 200 with the first one")
def add_remedy_proposal(request, plan_id: int, payload: RemedyProposalIn,
                        idempotency_key: str = Header("", alias="Idempotency-Key", max_length=64)):
    viewer = request.auth
    _require(viewer)
    plan = access_plan(viewer, plan_id)
    grievance = access_case(viewer, payload.case_id)
    if grievance.remedy_plan_id != plan.pk:
        raise DjangoValidationError({"case_id": [_("This case is not in the plan.")]})
    item, created = actions.record_proposal(plan=plan, grievance=grievance, text=payload.text, via=payload.via.value,
                                            by=viewer, submission_key=idempotency_key)
    (out,) = [proposal for proposal in _plan_out(plan)["proposals"] if proposal["id"] == item.pk]
    return Status(201 if created else 200, out)


@router.post("/remedy-plans/{int:plan_id}/actions", response=documented({201: RemedyActionOut}),
             summary="Add a corrective action with its owner and due date")
def add_remedy_action(request, plan_id: int, payload: RemedyActionIn):
    viewer = request.auth
    _require(viewer)
    plan = access_plan(viewer, plan_id)
    action = actions.add_action(plan=plan, remedy_type=payload.remedy_type.value, description=payload.description,
                                owner=_owner(payload.owner_id), due_on=payload.due_on,
                                proposal=_proposal(plan, payload.proposal_id), by=viewer)
    action.plan = plan
    return Status(201, _fresh_action(action))


@router.patch("/remedy-actions/{int:action_id}", response=documented({200: RemedyActionOut}),
              summary="Change an action not yet confirmed by the affected")
def update_remedy_action(request, action_id: int, payload: RemedyActionPatch):
    viewer = request.auth
    _require(viewer)
    action = _action(viewer, action_id)
    given = payload.dict(exclude_unset=True)
    if any(given.get(name, "") is None for name in ("remedy_type", "description", "owner_id", "due_on")):
        raise DjangoValidationError({"__all__": [_("Type, description, owner and due date cannot be emptied.")]})
    remedy_type = given.get("remedy_type", action.remedy_type)
    actions.update_action(
        action=action, remedy_type=getattr(remedy_type, "value", remedy_type),
        description=given.get("description", action.description),
        owner=_owner(given["owner_id"]) if "owner_id" in given else action.owner,
        due_on=given.get("due_on", action.due_on),
        proposal=_proposal(action.plan, given["proposal_id"]) if "proposal_id" in given else action.proposal,
        by=viewer)
    return _fresh_action(action)


@router.post("/remedy-actions/{int:action_id}/delivered", response=documented({200: RemedyActionOut}),
             summary="Mark an action delivered; the affected people are then asked to confirm or dispute it")
def deliver_remedy_action(request, action_id: int):
    viewer = request.auth
    _require(viewer)
    action = _action(viewer, action_id)
    actions.mark_delivered(action=action, by=viewer)
    return _fresh_action(action)


@router.post("/remedy-actions/{int:action_id}/confirmations", response=documented({201: RemedyActionOut}),
             summary="Record an affected person's answer on a delivered action (through a proxy, by phone…); "
                     "a dispute re-opens the action and a closed case")
def confirm_remedy_action(request, action_id: int, payload: RemedyConfirmationIn):
    viewer = request.auth
    _require(viewer)
    action = _action(viewer, action_id)
    grievance = access_case(viewer, payload.case_id)
    actions.confirm_or_dispute(action=action, grievance=grievance, answer=payload.answer.value, note=payload.note,
                               via=payload.via.value, by=viewer)
    return Status(201, _fresh_action(action))


# The affected person's side: no token, the receipt in the body -----------------------------------------------

class RemedyPublicProposalIn(Schema):
    receipt: str = Field(..., min_length=1, max_length=200, description="The case's receipt, as given at submission")
    text: str = Field(..., min_length=1, max_length=MAX_INPUT_LENGTH)


class RemedyPublicConfirmationIn(Schema):
    receipt: str = Field(..., min_length=1, max_length=200, description="The case's receipt, as given at submission")
    action_id: Id
    answer: ConfirmationAnswer
    note: str = Field("", max_length=MAX_NOTE_LENGTH)


class RemedyPublicAgreementIn(Schema):
    receipt: str = Field(..., min_length=1, max_length=200, description="The case's receipt, as given at submission")
    agree: bool
    note: str = Field("", max_length=MAX_NOTE_LENGTH, description="Needed when not agreeing: what is wrong with it")


class RemedyPublicAgreementOut(Schema):
    stage: str


class RemedyPublicProposalOut(Schema):
    id: int
    text: str
    outcome: str


class RemedyPublicActionOut(Schema):
    id: int
    remedy_type: str
    status: str
    due_on: datetime.date


def _followed_by_receipt(slug: str, typed: str) -> Grievance:
    """The case the receipt opens (as the intake's follow-up operations answer): 404 for an unknown organisation
    or a receipt that opens nothing, 400 for text that is not a receipt, Throttled while checks are paused."""
    organisation = Organisation.objects.filter(slug=slug).first() if len(slug) <= 50 else None
    if organisation is None:
        raise Http404
    if receipts.normalise(typed) is None:
        raise DjangoValidationError({"receipt": [_("A receipt is 32 digits. Check that you copied all eight groups "
                                                   "of four.")]})
    grievance = throttle.check_receipt(organisation, typed)
    if grievance is None:
        raise Http404
    return grievance


def _throttled(response: HttpResponse, paused: throttle.Throttled) -> Status:
    response.headers["Retry-After"] = str(paused.retry_after)
    return Status(429, {"detail": _("Too many wrong receipts were tried recently, so receipts are not checked for a "
                                     "while. Try again in %(minutes)d minutes. No case was opened, changed or "
                                     "lost.") % {"minutes": max(1, paused.retry_after // 60)}})


@router.post("/public/grievances/{slug}/follow-up/proposals", auth=None,
             response=documented({201: RemedyPublicProposalOut, 200: RemedyPublicProposalOut, 429: ErrorOut}),
             summary="The person proposes a remedy for their case (no token: the receipt opens the case); "
                     "an Idempotency-Key sent again answers 200 with the first proposal")
def propose_remedy_by_receipt(request, response: HttpResponse, slug: str, payload: RemedyPublicProposalIn,
                              idempotency_key: str = Header("", alias="Idempotency-Key", max_length=64)):
    add_never_cache_headers(response)
    try:
        grievance = _followed_by_receipt(slug, payload.receipt)
    except throttle.Throttled as paused:
        return _throttled(response, paused)
    if grievance.remedy_plan_id is None:
        raise DjangoValidationError({"__all__": [_("There is no remedy plan for this case yet.")]})
    item, created = actions.record_proposal(plan=grievance.remedy_plan, grievance=grievance, text=payload.text,
                                            via=MessageVia.API, submission_key=idempotency_key)
    return Status(201 if created else 200, {"id": item.pk, "text": item.text, "outcome": item.outcome})


@router.post("/public/grievances/{slug}/follow-up/confirmations", auth=None,
             response=documented({201: RemedyPublicActionOut, 429: ErrorOut}),
             summary="The person confirms or disputes a delivered action of their case's remedy (no token: the "
                     "receipt opens the case); a dispute re-opens it")
def confirm_remedy_by_receipt(request, response: HttpResponse, slug: str, payload: RemedyPublicConfirmationIn):
    add_never_cache_headers(response)
    try:
        grievance = _followed_by_receipt(slug, payload.receipt)
    except throttle.Throttled as paused:
        return _throttled(response, paused)
    action = (RemedyAction.objects.filter(pk=payload.action_id, plan_id=grievance.remedy_plan_id).first()
              if grievance.remedy_plan_id else None)
    if action is None:
        raise Http404
    actions.confirm_or_dispute(action=action, grievance=grievance, answer=payload.answer.value, note=payload.note,
                               via=MessageVia.API)
    action.refresh_from_db()
    return Status(201, {"id": action.pk, "remedy_type": action.remedy_type, "status": action.status,
                        "due_on": action.due_on})


@router.post("/public/grievances/{slug}/follow-up/remedy-agreement", auth=None,
             response=documented({200: RemedyPublicAgreementOut, 429: ErrorOut}),
             summary="The person agrees to the remedy proposed on their case, or says what is wrong with it (no token: "
                     "the receipt opens the case)")
def agree_remedy_by_receipt(request, response: HttpResponse, slug: str, payload: RemedyPublicAgreementIn):
    add_never_cache_headers(response)
    try:
        grievance = _followed_by_receipt(slug, payload.receipt)
    except throttle.Throttled as paused:
        return _throttled(response, paused)
    answered = answer_proposed_remedy(grievance=grievance, agree=payload.agree, note=payload.note, via=MessageVia.API)
    return Status(200, {"stage": answered.stage})
