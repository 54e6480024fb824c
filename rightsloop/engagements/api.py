"""JSON front door of engagements, inputs, decisions, loop closure and loop metrics."""


import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability, Function
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.stakeholders.models import AffectedGroup
from rightsloop.stakeholders.queries import access_stakeholder, shown_name
from rightsloop.stakeholders.vocabulary import Channel

from . import actions, queries
from .actions.feedback import permitted_channels
from .heard_api import HeardOut, heard_out
from .load import OverSolicited
from .load_api import LoadWarningOut, warning_out
from .reports import build_report
from .vocabulary import Attribution, EngagementType, InformationHandling, LoopState, Outcome, Phase

router = Router(tags=["engagements"])


def _require(viewer: Viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _value(member):
    return getattr(member, "value", member)


# Engagements ---------------------------------------------------------------

class EngagementIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    type: EngagementType
    phases: list[Phase] = Field(..., min_length=1, max_length=5)
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    purpose: str = Field("", max_length=10000)
    location: str = Field("", max_length=200)
    information_handling: InformationHandling = InformationHandling.CHATHAM_HOUSE
    handling_notes: str = Field("", max_length=5000)
    attending_functions: list[Function] = Field(default_factory=list, max_length=6)
    feedback_due_on: datetime.date | None = Field(
        None, description="Fixed at creation; defaults to the organisation's days after ends_on."
    )


class EngagementOut(Schema):
    id: int
    title: str
    type: str
    phases: list[str]
    starts_on: datetime.date
    ends_on: datetime.date
    purpose: str
    location: str
    information_handling: str
    handling_notes: str
    attending_functions: list[str]
    feedback_due_on: datetime.date
    owner: str
    inputs_count: int
    decided_count: int
    participants_with_inputs: int
    participants_closed: int
    loop_state: str
    loop_closed_at: datetime.datetime | None
    overdue: bool
    cancelled_at: datetime.datetime | None = Field(description="Cancelled by mistake: kept, left out of lists")

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.get_username()

    @staticmethod
    def resolve_participants_with_inputs(obj, context) -> int:
        return _counted_for(obj, context["request"].auth).participants_with_inputs

    @staticmethod
    def resolve_participants_closed(obj, context) -> int:
        return _counted_for(obj, context["request"].auth).participants_closed

    @staticmethod
    def resolve_loop_state(obj, context) -> str:
        return _counted_for(obj, context["request"].auth).loop_state

    @staticmethod
    def resolve_loop_closed_at(obj, context) -> datetime.datetime | None:
        return _counted_for(obj, context["request"].auth).loop_closed_at

    @staticmethod
    def resolve_overdue(obj, context) -> bool:
        return _counted_for(obj, context["request"].auth).is_overdue(timezone.localdate())


class EngagementQuery(Schema):
    q: str = Field("", max_length=100)
    type: EngagementType | None = None
    loop_state: LoopState | None = None
    overdue: bool = False
    cancelled: bool = Field(False, description="List the cancelled engagements instead")


def _plan(payload: EngagementIn) -> actions.EngagementPlan:
    return actions.EngagementPlan(
        title=payload.title, type=_value(payload.type), phases=[_value(p) for p in payload.phases],
        starts_on=payload.starts_on, ends_on=payload.ends_on, purpose=payload.purpose,
        location=payload.location, information_handling=_value(payload.information_handling),
        handling_notes=payload.handling_notes,
        attending_functions=[_value(f) for f in payload.attending_functions],
        feedback_due_on=payload.feedback_due_on,
    )


def _counted_for(engagement, viewer: Viewer):
    """The engagement with its participant counts and loop state as this caller may see them (once per object)."""
    if not getattr(engagement, "_hidden_left_out", False):
        queries.leave_out_hidden_people([engagement], viewer)
        engagement._hidden_left_out = True
    return engagement


@router.get("/engagements", response=documented({200: list[EngagementOut]}), summary="List engagements")
@paginate(ApiPages)
def list_engagements(request, filters: Query[EngagementQuery]):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_VIEW)
    return queries.engagement_list(viewer, queries.EngagementFilters(
        q=filters.q, type=_value(filters.type) or "", loop_state=_value(filters.loop_state) or "",
        overdue=filters.overdue, cancelled=filters.cancelled,
    ), timezone.localdate())


@router.post("/engagements", response=documented({201: EngagementOut}), summary="Create an engagement")
def create_engagement(request, payload: EngagementIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    engagement = actions.create_engagement(plan=_plan(payload), by=viewer)
    return Status(201, queries.access_engagement(viewer, engagement.pk))


@router.get("/engagements/{int:engagement_id}", response=documented({200: EngagementOut}), summary="One engagement")
def get_engagement(request, engagement_id: int):
    return queries.access_engagement(request.auth, engagement_id)


@router.get("/engagements/{int:engagement_id}/heard", response=documented({200: HeardOut}),
            summary="Who was heard in an engagement (S2): its speakers broken down, and the gaps; names no one")
def engagement_heard(request, engagement_id: int):
    viewer = request.auth
    engagement = queries.access_engagement(viewer, engagement_id)
    return heard_out(queries.who_was_heard_in(engagement, viewer), viewer)


@router.put("/engagements/{int:engagement_id}", response=documented({200: EngagementOut}),
            summary="Change an engagement")
def update_engagement(request, engagement_id: int, payload: EngagementIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    engagement = queries.access_engagement(viewer, engagement_id)
    actions.update_engagement(engagement=engagement, plan=_plan(payload), by=viewer)
    return queries.access_engagement(viewer, engagement_id)


# Participants --------------------------------------------------------------

ID = Field(..., ge=1, le=MAX_ID)


class ParticipantIn(Schema):
    stakeholder_id: int = ID
    via_proxy_id: int | None = Field(None, ge=1, le=MAX_ID)
    override_reason: str = Field("", max_length=5000)
    confirm_load: bool = Field(False, description=(
        "Engagement load: without it, a stakeholder already asked more than the organisation's thresholds "
        "allow is not added and the answer is 409 with the load (who asked, when, for what)"))


class ParticipantOut(Schema):
    id: int
    stakeholder_id: int
    name: str
    via_proxy_id: int | None
    direct_override: bool
    # The affected groups this proxy has relayed words for here (set when it first relays for each).
    speaks_for_group_ids: list[int]
    inputs_count: int
    undecided_count: int
    loop_closed: bool

    @staticmethod
    def resolve_name(obj, context) -> str:
        return shown_name(obj.stakeholder, context["request"].auth)

    @staticmethod
    def resolve_direct_override(obj) -> bool:
        return obj.engaged_directly_by_override

    @staticmethod
    def resolve_speaks_for_group_ids(obj) -> list[int]:
        return sorted(group.pk for group in obj.speaks_for.all())


def _groups(viewer: Viewer, ids: list[int], field: str) -> list[AffectedGroup]:
    """The organisation's affected groups with these ids; an unknown id is a 400 on `field`, never a 404 leak."""
    wanted = set(ids)
    groups = list(AffectedGroup.objects.for_organisation(viewer.organisation).filter(pk__in=wanted))
    if len(groups) != len(wanted):
        raise ValidationError({field: _("Unknown affected group.")})
    return groups


@router.get("/engagements/{int:engagement_id}/participants", response=documented({200: list[ParticipantOut]}),
            summary="Participants of an engagement")
def list_participants(request, engagement_id: int):
    engagement = queries.access_engagement(request.auth, engagement_id)
    return list(queries.participations(engagement, request.auth))


@router.post("/engagements/{int:engagement_id}/participants",
             response=documented({201: ParticipantOut, 409: LoadWarningOut}),
             summary="Add a participant (high-safety stakeholders through a proxy, or with an audited override; "
                     "an over-solicited stakeholder only with confirm_load)")
def add_participant(request, engagement_id: int, payload: ParticipantIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    engagement = queries.access_engagement(viewer, engagement_id)
    stakeholder = access_stakeholder(viewer, payload.stakeholder_id)
    proxy = access_stakeholder(viewer, payload.via_proxy_id) if payload.via_proxy_id else None
    try:
        participation = actions.add_participant(
            engagement=engagement, stakeholder=stakeholder, via_proxy=proxy,
            override_reason=payload.override_reason, confirm_load=payload.confirm_load, by=viewer,
        )
    except OverSolicited as warning:
        return Status(409, warning_out(warning.load))
    return Status(201, queries.access_participation(viewer, engagement, participation.pk))


# Inputs and decisions ------------------------------------------------------

class InputIn(Schema):
    text: str = Field(..., min_length=1, max_length=20000)
    speaker_id: int | None = Field(None, ge=1, le=MAX_ID, description="Participation id of who said it")
    group_id: int | None = Field(
        None, ge=1, le=MAX_ID,
        description="The affected group whose words the speaker (a credible proxy representing it) relays; "
                    "the input is then the group's, never a person's")
    attribution: Attribution | None = Field(
        None, description="Defaults to attributed only when the speaker consented and is not at high risk"
    )
    tags: list[str] = Field(default_factory=list, max_length=20)
    owning_function: Function | None = None
    language: str = Field("", max_length=3)


class TriageIn(Schema):
    owning_function: Function | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)


class DecisionIn(Schema):
    outcome: Outcome
    rationale: str = Field("", max_length=10000)
    next_step: str = Field("", max_length=5000)
    next_step_due: datetime.date | None = None


class DecisionOut(Schema):
    revision: int
    outcome: str
    rationale: str
    next_step: str
    next_step_due: datetime.date | None
    function: str
    decided_by: str
    decided_at: datetime.datetime

    @staticmethod
    def resolve_decided_by(obj) -> str:
        return obj.decided_by.get_username()


class InputOut(Schema):
    id: int
    engagement_id: int
    speaker_id: int | None
    speaker: str
    group_id: int | None
    group: str | None
    attribution: str
    text: str
    language: str
    tags: list[str]
    owning_function: str
    outcome: str
    decided_at: datetime.datetime | None
    recorded_at: datetime.datetime
    version: int = Field(description="1 as first recorded; each correction adds one (GET /inputs/{id}/versions)")
    withdrawn: bool = Field(description="Withdrawn with a reason: kept, but no longer counted")
    merged_into_id: int | None = Field(description="Recorded twice: the input it was merged into")

    @staticmethod
    def resolve_withdrawn(obj) -> bool:
        return obj.is_withdrawn

    @staticmethod
    def resolve_speaker(obj, context) -> str:
        return queries.speaker_label(obj, context["request"].auth)

    @staticmethod
    def resolve_speaker_id(obj, context) -> int | None:
        # The participation of a protected person the caller may not know of is not named, even by id.
        return None if queries.hidden_speaker(obj, context["request"].auth) else obj.speaker_id

    @staticmethod
    def resolve_group(obj) -> str | None:
        return obj.group.name if obj.group_id else None

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [tag.name for tag in obj.tags.all()]


class InputQuery(Schema):
    group_id: int | None = Field(None, ge=1, le=MAX_ID, description="Only what this affected group said")
    relayed: bool | None = Field(None, description="Only inputs relayed for a group (true) or none of them (false)")


class DecisionHistoryOut(Schema):
    input_id: int
    current: DecisionOut | None
    history: list[DecisionOut]


@router.get("/engagements/{int:engagement_id}/inputs", response=documented({200: list[InputOut]}),
            summary="Inputs of an engagement")
@paginate(ApiPages)
def list_inputs(request, engagement_id: int, filters: Query[InputQuery]):
    engagement = queries.access_engagement(request.auth, engagement_id)
    return queries.engagement_inputs(engagement, group=filters.group_id, relayed=filters.relayed)


# Mending mistakes ------------------------------------------------------------

class InputCorrectionIn(Schema):
    """Fields left out keep their value; a speaker the caller may not know of stays as recorded."""

    text: str | None = Field(None, min_length=1, max_length=20000)
    speaker_id: int | None = Field(None, ge=1, le=MAX_ID, description="Participation id of who said it (null: nobody)")
    group_id: int | None = Field(None, ge=1, le=MAX_ID, description="The affected group a proxy speaker relays")
    attribution: Attribution | None = None
    tags: list[str] | None = Field(None, max_length=20)


class InputVersionOut(Schema):
    version: int
    text: str
    speaker: str
    group: str | None
    attribution: str
    tags: list[str]
    changed_fields: list[str]
    replaced_by: str | None
    replaced_at: datetime.datetime

    @staticmethod
    def resolve_speaker(obj, context) -> str:
        return queries.speaker_label(obj, context["request"].auth)

    @staticmethod
    def resolve_group(obj) -> str | None:
        return obj.group.name if obj.group_id else None

    @staticmethod
    def resolve_replaced_by(obj) -> str | None:
        return obj.replaced_by.get_username() if obj.replaced_by_id else None


class MendReasonIn(Schema):
    reason: str = Field(..., min_length=1, max_length=2000)


class InputMergeIn(Schema):
    duplicate_id: int = Field(..., ge=1, le=MAX_ID, description="The input recorded twice; it is merged into this one")


def _input_out(item):
    return queries.engagement_inputs(item.engagement, mended=not item.stands).get(pk=item.pk)


@router.post("/inputs/{int:input_id}/corrections", response=documented({200: InputOut}),
             summary="Correct an input (text, speaker, attribution, tags); the version before is kept")
def correct_input(request, input_id: int, payload: InputCorrectionIn):
    viewer = request.auth
    _require(viewer, Capability.INPUTS_RECORD)
    item = queries.access_input(viewer, input_id)
    given = payload.model_fields_set
    speaker, group, attribution = item.speaker, item.group, item.attribution
    if "speaker_id" in given or "group_id" in given:
        speaker = (queries.access_participation(viewer, item.engagement, payload.speaker_id)
                   if payload.speaker_id else None)
        group = _groups(viewer, [payload.group_id], "group_id")[0] if payload.group_id else None
    if payload.attribution is not None:
        attribution = _value(payload.attribution)
    tags = payload.tags if payload.tags is not None else [tag.name for tag in item.tags.all()]
    actions.edit_input(input=item, text=payload.text if payload.text is not None else item.text, speaker=speaker,
                       group=group, attribution=attribution, tags=tags, by=viewer)
    return _input_out(item)


@router.get("/inputs/{int:input_id}/versions", response=documented({200: list[InputVersionOut]}),
            summary="Earlier versions of an input, newest first")
def input_versions(request, input_id: int):
    item = queries.access_input(request.auth, input_id)
    return list(item.versions.select_related("speaker__stakeholder", "speaker__via_proxy", "group", "replaced_by"))


@router.post("/inputs/{int:input_id}/withdrawal", response=documented({200: InputOut}),
             summary="Withdraw an input recorded by mistake (kept, with the reason; no longer counted)")
def withdraw_input(request, input_id: int, payload: MendReasonIn):
    viewer = request.auth
    _require(viewer, Capability.INPUTS_RECORD)
    item = queries.access_input(viewer, input_id)
    item = actions.withdraw_input(input=item, reason=payload.reason, by=viewer)
    return _input_out(item)


@router.post("/inputs/{int:input_id}/merge", response=documented({200: InputOut}),
             summary="Merge an input recorded twice into this one (the duplicate is kept, pointing at it)")
def merge_input(request, input_id: int, payload: InputMergeIn):
    viewer = request.auth
    _require(viewer, Capability.INPUTS_RECORD)
    keep = queries.access_input(viewer, input_id)
    duplicate = queries.access_input(viewer, payload.duplicate_id)
    keep = actions.merge_inputs(keep=keep, duplicate=duplicate, by=viewer)
    return _input_out(keep)


@router.post("/engagements/{int:engagement_id}/cancellation", response=documented({200: EngagementOut}),
             summary="Cancel an engagement created by mistake (refused once a feedback report was sent)")
def cancel_engagement(request, engagement_id: int, payload: MendReasonIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    engagement = queries.access_engagement(viewer, engagement_id)
    return actions.cancel_engagement(engagement=engagement, reason=payload.reason, by=viewer)


@router.post("/engagements/{int:engagement_id}/inputs", response=documented({200: InputOut, 201: InputOut}),
             summary="Record an input (send Idempotency-Key to make retries safe)")
def record_input(request, engagement_id: int, payload: InputIn,
                 idempotency_key: str = Header("", alias="Idempotency-Key", max_length=64)):
    viewer = request.auth
    _require(viewer, Capability.INPUTS_RECORD)
    engagement = queries.access_engagement(viewer, engagement_id)
    speaker = queries.access_participation(viewer, engagement, payload.speaker_id) if payload.speaker_id else None
    group = _groups(viewer, [payload.group_id], "group_id")[0] if payload.group_id else None
    item, created = actions.record_input(
        engagement=engagement, speaker=speaker, group=group, text=payload.text,
        attribution=_value(payload.attribution), tags=payload.tags,
        owning_function=_value(payload.owning_function) or "", language=payload.language,
        idempotency_key=idempotency_key, by=viewer,
    )
    return Status(201 if created else 200, _input_out(item))


@router.patch("/inputs/{int:input_id}", response=documented({200: InputOut}),
             summary="Triage an input: route and tag it")
def triage_input(request, input_id: int, payload: TriageIn):
    viewer = request.auth
    _require(viewer, Capability.INPUTS_RECORD)
    item = queries.access_input(viewer, input_id)
    actions.triage_input(input=item, owning_function=_value(payload.owning_function) or "",
                         tags=payload.tags, by=viewer)
    return _input_out(item)


@router.get("/inputs/{int:input_id}/decision", response=documented({200: DecisionHistoryOut}),
            summary="The decision on an input and its history")
def get_decision(request, input_id: int):
    item = queries.access_input(request.auth, input_id)
    history = list(queries.decision_history(item))
    return {"input_id": item.pk, "current": history[0] if history else None, "history": history}


@router.post("/inputs/{int:input_id}/decision", response=documented({201: DecisionOut}),
             summary="Decide (or revise the decision) on an input")
def decide(request, input_id: int, payload: DecisionIn):
    viewer = request.auth
    item = queries.access_input(viewer, input_id)
    decision = actions.record_decision(
        input=item, outcome=_value(payload.outcome), rationale=payload.rationale,
        next_step=payload.next_step, next_step_due=payload.next_step_due, by=viewer,
    )
    return Status(201, decision)


# Loop closure --------------------------------------------------------------

class ReportPreviewOut(Schema):
    language: str
    direction: str
    subject: str
    body: str
    html: str
    personal_note: str
    # The letter is the owner's human translation (language is the translation's).
    translated: bool
    # An attached translation no longer matches the letter and is not sent.
    translation_outdated: bool
    # The language the person prefers, when we have no translation into it.
    wanted_language: str
    reply_to: str


class DeliveryOut(Schema):
    id: int
    channel: str
    status: str
    language: str
    created_at: datetime.datetime
    delivered_at: datetime.datetime | None


class FeedbackOut(Schema):
    participant_id: int
    stakeholder_id: int
    name: str
    inputs_count: int
    undecided_count: int
    loop_closed: bool
    permitted_channels: list[str]
    preview: ReportPreviewOut
    deliveries: list[DeliveryOut]


class DeliveryIn(Schema):
    channel: Channel
    note: str = Field("", max_length=300)


def _preview(report) -> dict:
    return {
        "language": report.language, "direction": report.direction, "subject": report.subject,
        "body": report.body, "html": report.html, "personal_note": report.personal_note,
        "translated": report.translated, "translation_outdated": report.translation_outdated,
        "wanted_language": report.wanted_language, "reply_to": report.reply_to,
    }


def _feedback(participation, viewer) -> dict:
    report = build_report(participation, addressee=shown_name(participation.stakeholder, viewer))
    return {
        "participant_id": participation.pk,
        "stakeholder_id": participation.stakeholder_id,
        "name": shown_name(participation.stakeholder, viewer),
        "inputs_count": participation.inputs_count,
        "undecided_count": participation.undecided_count,
        "loop_closed": participation.loop_closed,
        "permitted_channels": permitted_channels(participation),
        "preview": _preview(report),
        "deliveries": list(queries.reports_for(participation)),
    }


@router.get("/engagements/{int:engagement_id}/feedback", response=documented({200: list[FeedbackOut]}),
            summary="Per-participant feedback reports and their delivery")
def list_feedback(request, engagement_id: int):
    viewer = request.auth
    _require(viewer, Capability.FEEDBACK_VIEW)
    engagement = queries.access_engagement(viewer, engagement_id)
    people = queries.participations(engagement, viewer).filter(inputs_count__gt=0)
    return [_feedback(p, viewer) for p in people]


@router.post("/engagements/{int:engagement_id}/feedback/{int:participant_id}/deliveries",
             response=documented({201: DeliveryOut}),
             summary="Send the report by email, or record its delivery by another safe channel")
def deliver_feedback(request, engagement_id: int, participant_id: int, payload: DeliveryIn):
    viewer = request.auth
    _require(viewer, Capability.FEEDBACK_SEND)
    engagement = queries.access_engagement(viewer, engagement_id)
    participation = queries.access_participation(viewer, engagement, participant_id)
    if payload.channel == Channel.EMAIL:
        report = actions.send_feedback_by_email(participation=participation, by=viewer)
    else:
        report = actions.mark_feedback_delivered(
            participation=participation, channel=_value(payload.channel), note=payload.note, by=viewer
        )
    report.refresh_from_db()
    return Status(201, report)


class PersonalNoteIn(Schema):
    note: str = Field(..., max_length=2000, description="Empty removes the note.")


class TranslationIn(Schema):
    text: str = Field(..., min_length=1, max_length=100_000)
    language: str = Field("", max_length=8,
                          description="ISO 639-1 code; empty: the language the person prefers.")


def _letter_participation(request, engagement_id: int, participant_id: int):
    viewer = request.auth
    _require(viewer, Capability.FEEDBACK_SEND)
    engagement = queries.access_engagement(viewer, engagement_id)
    return viewer, queries.access_participation(viewer, engagement, participant_id)


def _letter_out(participation, viewer) -> dict:
    participation.refresh_from_db()
    return _preview(build_report(participation, addressee=shown_name(participation.stakeholder, viewer)))


@router.put("/engagements/{int:engagement_id}/feedback/{int:participant_id}/note",
            response=documented({200: ReportPreviewOut}),
            summary="Write or remove the personal note in the participant's next letter")
def set_letter_note(request, engagement_id: int, participant_id: int, payload: PersonalNoteIn):
    viewer, participation = _letter_participation(request, engagement_id, participant_id)
    actions.set_personal_note(participation=participation, note=payload.note, by=viewer)
    return _letter_out(participation, viewer)


@router.put("/engagements/{int:engagement_id}/feedback/{int:participant_id}/translation",
            response=documented({200: ReportPreviewOut}),
            summary="Attach a human translation of the participant's letter, sent and printed instead")
def attach_letter_translation(request, engagement_id: int, participant_id: int, payload: TranslationIn):
    viewer, participation = _letter_participation(request, engagement_id, participant_id)
    actions.attach_translation(participation=participation, text=payload.text, language=payload.language or None,
                               by=viewer)
    return _letter_out(participation, viewer)


@router.delete("/engagements/{int:engagement_id}/feedback/{int:participant_id}/translation",
               response=documented({200: ReportPreviewOut}),
               summary="Remove the translation: the letter in our own wording is sent again")
def remove_letter_translation(request, engagement_id: int, participant_id: int):
    viewer, participation = _letter_participation(request, engagement_id, participant_id)
    actions.remove_translation(participation=participation, by=viewer)
    return _letter_out(participation, viewer)


# The letter is a PDF, not JSON: said in the schema, so clients (and the contract test) expect application/pdf.
PDF_LETTER = {"responses": {200: {"content": {"application/pdf": {"schema": {"type": "string",
                                                                             "format": "binary"}}}}}}


@router.get("/engagements/{int:engagement_id}/feedback/{int:participant_id}/letter.pdf",
            response=documented({200: None}), openapi_extra=PDF_LETTER,
            summary="The participant's letter as a PDF to post or hand over (made on demand, audited)")
def letter_pdf(request, engagement_id: int, participant_id: int):
    viewer, participation = _letter_participation(request, engagement_id, participant_id)
    _content, pdf = actions.download_letter_pdf(
        participation=participation, addressee=shown_name(participation.stakeholder, viewer), by=viewer)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="letter-{engagement_id}-{participant_id}.pdf"'
    response["Cache-Control"] = "no-store"
    return response


class SkippedOut(Schema):
    participant_id: int
    name: str
    reason: str


class ReadyReportsOut(Schema):
    sent: list[int] = Field(..., description="Participants whose letter is now on its way by email.")
    skipped: list[SkippedOut]


def _plan_out(plan, viewer) -> dict:
    return {
        "sent": [p.pk for p in plan.ready],
        "skipped": [{"participant_id": p.pk, "name": shown_name(p.stakeholder, viewer), "reason": reason}
                    for p, reason in plan.skipped],
    }


@router.post("/engagements/{int:engagement_id}/feedback/send-ready", response=documented({200: ReadyReportsOut}),
             summary="Email every participant whose letter is ready; say whom it left and why")
def send_ready_reports(request, engagement_id: int):
    viewer = request.auth
    _require(viewer, Capability.FEEDBACK_SEND)
    engagement = queries.access_engagement(viewer, engagement_id)
    return _plan_out(actions.send_ready_reports(engagement=engagement, by=viewer), viewer)


# Metrics -------------------------------------------------------------------

class LoopMetricsOut(Schema):
    awaiting_decision: int
    untriaged: int
    due_this_week: int
    overdue: int
    inputs_total: int
    decided_total: int
    share_decided: float | None
    median_days_to_feedback: float | None
    closed_loops: int
    broken_promises: int = Field(description="Next steps promised by a date now passed, with no decision since "
                                             "(listed by GET /promises?state=broken)")


@router.get("/metrics/loop", response=documented({200: LoopMetricsOut}),
            summary="Loop-closure metrics for the organisation")
def loop_metrics(request):
    viewer = request.auth
    _require(viewer, Capability.DASHBOARD_VIEW)
    return queries.loop_metrics(viewer, timezone.localdate())
