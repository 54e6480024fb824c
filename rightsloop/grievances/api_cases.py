"""JSON front door of case handling (M2): /api/v1/grievances and each action on a case.

The same actions and reads as the handler's pages. Only holders of grievances.handle read or change cases
(403 otherwise); a case of another organisation, one the token's member is excluded from, or a missing one
answers 404 alike. A broken rule answers 400 with field messages. The list carries no content; a case's
own resource carries everything, and each read of it is audited.
"""

import datetime
from typing import Annotated, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import MAX_ID, plausible_id
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.stakeholders.queries import access_stakeholder, shown_name, visible_groups
from rightsloop.stakeholders.vocabulary import Kind

from . import case_queries, queries, receipts
from .actions import cases, intake
from .models import Grievance
from .vocabulary import Channel, MessageVia, Mode, RaisedBy, Stage

router = Router(tags=["grievances"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _require(viewer: Viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _case(request, grievance_id: int) -> Grievance:
    _require(request.auth, Capability.GRIEVANCES_HANDLE)
    return queries.access_case(request.auth, grievance_id)


# The list ----------------------------------------------------------------------

class GrievanceListQuery(Schema):
    stage: Stage | None = None
    overdue: bool = False
    mine: bool = Field(False, description="Only the cases the token's member handles")
    unassigned: bool = False
    appealed: bool = False
    channel: Channel | None = None
    country: str | None = Field(None, min_length=2, max_length=2, description="ISO 3166 alpha-2")


class GrievanceFactsOut(Schema):
    id: int
    number: int
    label: str
    received_at: datetime.datetime
    stage: str
    handler_id: int | None
    channel: str
    language: str
    country: str
    product: str
    appeals_count: int
    escalation_level: int


class GrievanceSummaryOut(GrievanceFactsOut):
    next_deadline: datetime.date | None
    next_deadline_is: Literal["acknowledge", "respond"] | None
    overdue: bool

    @staticmethod
    def resolve_next_deadline(obj) -> datetime.date | None:
        deadline = case_queries.next_deadline(obj, timezone.localdate())
        return deadline.due_on if deadline else None

    @staticmethod
    def resolve_next_deadline_is(obj) -> str | None:
        deadline = case_queries.next_deadline(obj, timezone.localdate())
        return deadline.what if deadline else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        deadline = case_queries.next_deadline(obj, timezone.localdate())
        return bool(deadline and deadline.overdue)


@router.get("/grievances", response=documented({200: list[GrievanceSummaryOut]}),
            summary="The cases the token's member may handle, newest first (no content)")
@paginate(ApiPages)
def list_grievances(request, filters: Query[GrievanceListQuery]):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_HANDLE)
    chosen = case_queries.CaseFilters(
        stage=filters.stage.value if filters.stage else "", overdue=filters.overdue, mine=filters.mine,
        unassigned=filters.unassigned, appealed=filters.appealed,
        channel=filters.channel.value if filters.channel else "", country=(filters.country or "").upper())
    return case_queries.case_list(viewer, chosen, today=timezone.localdate())


# Recording a grievance received by another channel ------------------------------

class GrievanceRecordIn(Schema):
    channel: Literal["hotline", "sms", "letter", "in_person", "ngo", "email"] = Field(
        ..., description="Where the grievance reached the company")
    mode: Mode = Mode.ANONYMOUS
    raised_by: RaisedBy = RaisedBy.AFFECTED
    description: str = Field(..., max_length=intake.DESCRIPTION_MAX)
    country: str = Field("", max_length=2, description="ISO 3166 alpha-2")
    occurred_on: datetime.date | None = None
    when_text: str = Field("", max_length=intake.TEXT_LIMITS["when_text"])
    product: str = Field("", max_length=intake.TEXT_LIMITS["product"])
    affected_people: str = Field("", max_length=intake.TEXT_LIMITS["affected_people"])
    wanted_outcome: str = Field("", max_length=intake.TEXT_LIMITS["wanted_outcome"])
    complainant_name: str = Field("", max_length=intake.TEXT_LIMITS["complainant_name"],
                                  description="Confidential and named cases only")
    complainant_contact: str = Field("", max_length=intake.TEXT_LIMITS["complainant_contact"],
                                     description="Confidential and named cases only")
    represents: str = Field("", max_length=intake.TEXT_LIMITS["represents"],
                            description="For a proxy filing on behalf of a community: whom it represents")
    at_risk: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=30)
    supported_by_adviser: bool = False
    stakeholder_id: Id | None = Field(None, description="The person in the register (confidential or named)")
    proxy_id: Id | None = Field(None, description="The credible proxy who filed it")
    on_behalf_of_id: Id | None = Field(None, description="The affected group it was filed for")


class GrievanceRecordedOut(Schema):
    id: int
    number: int
    label: str
    reference: str
    receipt: str = Field(..., description="Shown once: hand it to the person. Only a hash of it is kept; the same "
                                          "Idempotency-Key answers the same receipt")
    stage: str
    acknowledge_due_on: datetime.date
    respond_due_on: datetime.date
    created: bool


def _stakeholder(viewer: Viewer, pk: int | None, field: str):
    if pk is None:
        return None
    try:
        return access_stakeholder(viewer, pk)
    except Http404:
        raise ValidationError({field: [_("No stakeholder with this number that you may see.")]}) from None


@router.post("/grievances", response=documented({200: GrievanceRecordedOut, 201: GrievanceRecordedOut}),
             summary="Record a grievance received by hotline, SMS, letter, in person, email or an NGO "
                     "(send Idempotency-Key to make retries safe; the receipt is in the answer only)")
def record_grievance(request, payload: GrievanceRecordIn,
                     idempotency_key: str = Header("", alias="Idempotency-Key", max_length=200)):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_RECORD)
    stakeholder = _stakeholder(viewer, payload.stakeholder_id, "stakeholder_id")
    proxy = _stakeholder(viewer, payload.proxy_id, "proxy_id")
    if proxy is not None and proxy.kind != Kind.PROXY:
        raise ValidationError({"proxy_id": [_("This stakeholder is not recorded as a credible proxy.")]})
    group = None
    if payload.on_behalf_of_id is not None:
        group = visible_groups(viewer).filter(pk=payload.on_behalf_of_id).first()
        if group is None:
            raise ValidationError({"on_behalf_of_id": [_("No affected group with this number that you may see.")]})
    report = intake.GrievanceReport(
        mode=payload.mode.value, raised_by=payload.raised_by.value, description=payload.description,
        country=payload.country, occurred_on=payload.occurred_on, when_text=payload.when_text,
        product=payload.product, affected_people=payload.affected_people, wanted_outcome=payload.wanted_outcome,
        complainant_name=payload.complainant_name, complainant_contact=payload.complainant_contact,
        represents=payload.represents, at_risk=payload.at_risk, supported_by_adviser=payload.supported_by_adviser)
    try:
        submitted = intake.submit_grievance(
            organisation=viewer.organisation, report=report, channel=payload.channel,
            submission_key=idempotency_key, by=viewer, stakeholder=stakeholder, proxy=proxy, on_behalf_of=group)
    except ValidationError as error:
        if not hasattr(error, "error_dict"):
            raise
        renamed = {"stakeholder": "stakeholder_id", "proxy": "proxy_id", "on_behalf_of": "on_behalf_of_id",
                   "submission_key": "Idempotency-Key"}
        raise ValidationError({renamed.get(key, key): value for key, value in error.message_dict.items()}) from None
    grievance = submitted.grievance
    return Status(201 if submitted.created else 200, {
        "id": grievance.pk, "number": grievance.number, "label": grievance.label, "reference": grievance.reference,
        "receipt": receipts.display(submitted.receipt), "stage": grievance.stage,
        "acknowledge_due_on": grievance.acknowledge_due_on, "respond_due_on": grievance.respond_due_on,
        "created": submitted.created})


# One case ----------------------------------------------------------------------

class GrievanceStageChangeOut(Schema):
    from_stage: str
    to_stage: str
    note: str
    by_id: int | None
    at: datetime.datetime


class GrievanceAttachmentOut(Schema):
    id: int
    file_name: str
    content_type: str
    size: int
    from_complainant: bool
    uploaded_at: datetime.datetime


class GrievanceExclusionOut(Schema):
    user_id: int
    reason: str
    by_id: int | None
    at: datetime.datetime


class GrievanceAppealOut(Schema):
    id: int
    reason: str
    from_stage: str
    previous_handler_id: int | None
    new_handler_id: int | None
    via: str
    filed_at: datetime.datetime


class GrievanceCaseOut(GrievanceFactsOut):
    next_deadline: datetime.date | None
    next_deadline_is: Literal["acknowledge", "respond"] | None
    overdue: bool
    mode: str
    raised_by: str
    interface_language: str
    occurred_on: datetime.date | None
    description: str
    when_text: str
    affected_people: str
    wanted_outcome: str
    complainant_name: str
    complainant_contact: str
    stakeholder_id: int | None
    stakeholder: str | None
    proxy_id: int | None
    proxy: str | None
    on_behalf_of_id: int | None
    represents: str
    supported_by_adviser: bool
    at_risk: list[str]
    rights: list[str]
    acknowledge_due_on: datetime.date
    respond_due_on: datetime.date
    acknowledged_at: datetime.datetime | None
    responded_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    not_admissible_reasons: str
    outcome_summary: str
    rights_reviewed_by_id: int | None
    rights_reviewed_at: datetime.datetime | None
    satisfaction: str
    satisfaction_note: str
    remedy_plan_id: int | None
    timeline: list[GrievanceStageChangeOut]
    attachments: list[GrievanceAttachmentOut]
    exclusions: list[GrievanceExclusionOut]
    appeals: list[GrievanceAppealOut]


def _case_out(request, grievance: Grievance) -> dict:
    viewer = request.auth
    cases.record_case_read(grievance=grievance, by=viewer, where=request.path)
    grievance = Grievance.objects.select_related("stakeholder", "proxy").get(pk=grievance.pk)
    page = case_queries.case_page(grievance)
    values = {name: getattr(grievance, name) for name in GrievanceCaseOut.model_fields
              if name not in ("timeline", "attachments", "exclusions", "appeals", "stakeholder", "proxy", "label",
                              "next_deadline", "next_deadline_is", "overdue")}
    deadline = case_queries.next_deadline(grievance, timezone.localdate())
    values.update(
        label=grievance.label, next_deadline=deadline.due_on if deadline else None,
        next_deadline_is=deadline.what if deadline else None, overdue=bool(deadline and deadline.overdue),
        stakeholder=shown_name(grievance.stakeholder, viewer) if grievance.stakeholder else None,
        proxy=shown_name(grievance.proxy, viewer) if grievance.proxy else None,
        timeline=page["timeline"], attachments=page["attachments"], exclusions=page["exclusions"],
        appeals=page["appeals"])
    return values


@router.get("/grievances/{int:grievance_id}", response=documented({200: GrievanceCaseOut}),
            summary="One case with everything on it (each read is audited)")
def get_grievance(request, grievance_id: int):
    return _case_out(request, _case(request, grievance_id))


class GrievanceNoteIn(Schema):
    note: str = Field("", max_length=cases.NOTE_MAX, description="What the person is told with the new stage")


@router.post("/grievances/{int:grievance_id}/acknowledge", response=documented({200: GrievanceCaseOut}),
             summary="Acknowledge a received case (the acknowledging handler takes an unassigned one)")
def acknowledge_grievance(request, grievance_id: int, payload: GrievanceNoteIn):
    grievance = _case(request, grievance_id)
    cases.acknowledge(grievance=grievance, note=payload.note, by=request.auth)
    return _case_out(request, grievance)


class GrievanceStageIn(Schema):
    to: Stage
    note: str = Field("", max_length=cases.NOTE_MAX, description="What the person is told with the new stage")
    reasons: str = Field("", max_length=cases.NOTE_MAX,
                         description="Required for not_admissible: why, and where else the person can go")


@router.post("/grievances/{int:grievance_id}/stage", response=documented({200: GrievanceCaseOut}),
             summary="Move a case to a stage its current stage allows")
def move_grievance(request, grievance_id: int, payload: GrievanceStageIn):
    grievance = _case(request, grievance_id)
    cases.move_stage(grievance=grievance, to=payload.to.value, note=payload.note, reasons=payload.reasons,
                     by=request.auth)
    return _case_out(request, grievance)


def _user(user_id: int, field: str):
    found = get_user_model().objects.filter(pk=user_id).first() if plausible_id(user_id) else None
    if found is None:
        raise ValidationError({field: [_("A case handler outside the organisation cannot be named.")]})
    return found


class GrievanceHandlerIn(Schema):
    handler_id: Id | None = Field(..., description="A member holding grievances.handle; null releases the case")


@router.post("/grievances/{int:grievance_id}/handler", response=documented({200: GrievanceCaseOut}),
             summary="Name the case's handler (or release it with null)")
def assign_grievance(request, grievance_id: int, payload: GrievanceHandlerIn):
    grievance = _case(request, grievance_id)
    handler = _user(payload.handler_id, "handler_id") if payload.handler_id is not None else None
    try:
        cases.assign_handler(grievance=grievance, handler=handler, by=request.auth)
    except ValidationError as error:
        raise ValidationError({"handler_id": error.message_dict.get("handler", error.messages)}) from None
    return _case_out(request, grievance)


class GrievanceExclusionIn(Schema):
    user_id: Id
    reason: str = Field(..., min_length=1, max_length=cases.REASON_MAX)


@router.post("/grievances/{int:grievance_id}/exclusions", response=documented({201: GrievanceExclusionOut}),
             summary="Keep a member out of the case for good (conflict of interest)")
def exclude_from_grievance(request, grievance_id: int, payload: GrievanceExclusionIn):
    grievance = _case(request, grievance_id)
    user = get_user_model().objects.filter(pk=payload.user_id).first()
    if user is None:
        raise ValidationError({"user_id": [_("Only a member of the organisation can be excluded from its cases.")]})
    try:
        exclusion = cases.exclude_handler(grievance=grievance, user=user, reason=payload.reason, by=request.auth)
    except ValidationError as error:
        raise ValidationError({("user_id" if key == "user" else key): value
                               for key, value in error.message_dict.items()}) from None
    return Status(201, exclusion)


class GrievanceMessageIn(Schema):
    kind: Literal["to_complainant", "internal", "from_complainant"] = Field(
        ..., description="to_complainant: shown on their follow-up page; internal: between handlers; "
                         "from_complainant: what they told staff or their proxy")
    text: str = Field(..., min_length=1, max_length=cases.MESSAGE_MAX)
    is_question: bool = Field(False, description="to_complainant only: the message awaits their answer")
    via: Literal["staff", "proxy"] = Field("staff", description="from_complainant only: how it reached you")


class GrievanceMessageOut(Schema):
    id: int
    direction: str
    via: str
    text: str
    is_question: bool
    author_id: int | None
    created_at: datetime.datetime
    seen_at: datetime.datetime | None


@router.post("/grievances/{int:grievance_id}/messages", response=documented({201: GrievanceMessageOut}),
             summary="Write to the person, add an internal note, or record what the person said")
def add_grievance_message(request, grievance_id: int, payload: GrievanceMessageIn):
    grievance = _case(request, grievance_id)
    viewer = request.auth
    if payload.kind == "to_complainant":
        message = cases.send_message(grievance=grievance, text=payload.text, is_question=payload.is_question,
                                     by=viewer)
    elif payload.kind == "internal":
        message = cases.add_internal_note(grievance=grievance, text=payload.text, by=viewer)
    else:
        via = MessageVia.PROXY if payload.via == "proxy" else MessageVia.STAFF
        message = cases.record_message_from_complainant(grievance=grievance, text=payload.text, via=via, by=viewer)
    return Status(201, message)


@router.get("/grievances/{int:grievance_id}/messages", response=documented({200: list[GrievanceMessageOut]}),
            summary="The case's messages both ways and its internal notes, oldest first")
@paginate(ApiPages)
def list_grievance_messages(request, grievance_id: int):
    grievance = _case(request, grievance_id)
    cases.record_case_read(grievance=grievance, by=request.auth, where=request.path)
    return case_queries.messages_of(grievance)


class GrievanceOutcomeIn(Schema):
    summary: str = Field(..., min_length=1, max_length=cases.OUTCOME_MAX)


@router.post("/grievances/{int:grievance_id}/outcome", response=documented({200: GrievanceCaseOut}),
             summary="Record or correct the outcome (a changed outcome needs a new rights review)")
def record_grievance_outcome(request, grievance_id: int, payload: GrievanceOutcomeIn):
    grievance = _case(request, grievance_id)
    cases.record_outcome(grievance=grievance, summary=payload.summary, by=request.auth)
    return _case_out(request, grievance)


@router.post("/grievances/{int:grievance_id}/rights-review", response=documented({200: GrievanceCaseOut}),
             summary="Record that the outcome was reviewed for rights compatibility")
def review_grievance_rights(request, grievance_id: int):
    grievance = _case(request, grievance_id)
    cases.review_rights(grievance=grievance, by=request.auth)
    return _case_out(request, grievance)


class GrievanceClassificationIn(Schema):
    rights: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=50)
    at_risk: list[Annotated[str, Field(max_length=64)]] = Field(default_factory=list, max_length=30)
    product: str = Field("", max_length=cases.PRODUCT_MAX)
    country: str = Field("", max_length=2)


@router.post("/grievances/{int:grievance_id}/classification", response=documented({200: GrievanceCaseOut}),
             summary="Set the rights at stake, groups at risk, product and country")
def classify_grievance(request, grievance_id: int, payload: GrievanceClassificationIn):
    grievance = _case(request, grievance_id)
    cases.set_classification(grievance=grievance, rights=payload.rights, at_risk=payload.at_risk,
                             product=payload.product, country=payload.country, by=request.auth)
    return _case_out(request, grievance)
