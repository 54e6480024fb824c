"""JSON front door of the intake (M1): the public operations need no token, the recording of other channels does.

Public (`auth=None`): raise a grievance on an organisation's behalf of the person, then follow it with the receipt
(read the case as the person sees it, answer, say how satisfied they are, appeal). The same throttle as the
follow-up page: 429 while wrong receipts pause a reference or the organisation, with Retry-After. No address
is read or kept. An unknown organisation is 404; a receipt that opens nothing is 404 too.

With a token holding grievances.record: `POST /grievances/intake` records a grievance received by hotline, SMS,
letter, in person or through an NGO, with its channel, the proxy that filed it and the group it speaks for, and
gives the receipt to read out to the person.
"""

from __future__ import annotations

import datetime
from typing import Annotated

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
from rightsloop.stakeholders.queries import access_group, access_stakeholder

from . import receipts, stages, throttle
from .actions import follow_up as person
from .actions.intake import GrievanceReport, submission_digest, submit_grievance
from .models import CaseMessage, Grievance, GrievanceSettings
from .vocabulary import Channel, MessageDirection, MessageVia, Mode, RaisedBy, Satisfaction

router = Router(tags=["grievances"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=5_000_000)]
IdempotencyKey = Header("", alias="Idempotency-Key", max_length=200,
                        description="8 to 200 printable ASCII characters; the same key and text sent again answer "
                                    "200 with the first result")
PUBLIC_ERRORS = {**documented({}), 429: ErrorOut}


class GrievancePublicReportIn(Schema):
    mode: Mode = Field(Mode.ANONYMOUS, description="anonymous: name and contact must be empty; confidential or named: "
                                                   "give a name or a contact")
    raised_by: RaisedBy = RaisedBy.AFFECTED
    description: Text = Field(..., description="What happened, in any language; at most 20,000 characters")
    country: str = Field("", max_length=100, description="ISO 3166 alpha-2 code, where it happened")
    occurred_on: datetime.date | None = None
    when_text: Text = ""
    product: Text = ""
    affected_people: Text = ""
    wanted_outcome: Text = ""
    complainant_name: Text = ""
    complainant_contact: Text = ""
    represents: Text = ""
    at_risk: list[str] = Field(default_factory=list, max_length=50)
    supported_by_adviser: bool = False
    interface_language: str = Field("", max_length=20)

    def report(self) -> GrievanceReport:
        values = self.dict()
        values["mode"] = self.mode.value
        values["raised_by"] = self.raised_by.value
        return GrievanceReport(**values)


class GrievanceIntakeRecordIn(GrievancePublicReportIn):
    channel: Channel = Field(..., description="Where the grievance reached the organisation")
    stakeholder_id: Id | None = Field(None, description="The complainant, when known in the register "
                                                        "(confidential or named only)")
    proxy_id: Id | None = Field(None, description="The credible proxy who filed it")
    on_behalf_of_id: Id | None = Field(None, description="The affected group it speaks for")


class GrievanceReceiptOut(Schema):
    case: str = Field(..., description="The case's name (G-12): say it, it opens nothing")
    reference: str = Field(..., description="The receipt's first 7 digits: which case it opens, not secret")
    receipt: str = Field(..., description="32 digits in groups of four: shown once, stored nowhere")
    stage: str
    acknowledge_due_on: datetime.date
    respond_due_on: datetime.date


class GrievanceReceiptIn(Schema):
    receipt: str = Field(..., max_length=200, description="The 32 digits, spaces and dashes allowed, any script")


class GrievancePublicReplyIn(GrievanceReceiptIn):
    text: Text


class GrievancePublicSatisfactionIn(GrievanceReceiptIn):
    satisfaction: Satisfaction
    note: Text = ""


class GrievancePublicAppealIn(GrievanceReceiptIn):
    reason: Text


class GrievanceNextStepOut(Schema):
    text: str
    by: datetime.date | None = Field(None, description="Indicative")


class GrievanceTimelineOut(Schema):
    stage: str
    label: str
    at: datetime.datetime
    note: str


class GrievancePublicMessageOut(Schema):
    direction: str = Field(..., description="to_complainant or from_complainant")
    text: str
    is_question: bool
    at: datetime.datetime


class GrievancePublicCaseOut(Schema):
    case: str
    stage: str
    stage_label: str
    meaning: str
    next_step: GrievanceNextStepOut | None
    received_at: datetime.datetime
    acknowledge_due_on: datetime.date
    respond_due_on: datetime.date
    timeline: list[GrievanceTimelineOut]
    messages: list[GrievancePublicMessageOut]
    outcome: str
    not_admissible_reasons: str
    satisfaction: str
    may_give_satisfaction: bool
    may_appeal: bool
    appeals_count: int


def _organisation(slug: str) -> Organisation:
    found = Organisation.objects.filter(slug=slug).first() if len(slug) <= 50 else None
    if found is None:
        raise Http404
    return found


def _receipt_out(submitted) -> dict:
    grievance = submitted.grievance
    return {"case": grievance.label, "reference": grievance.reference, "receipt": receipts.display(submitted.receipt),
            "stage": grievance.stage, "acknowledge_due_on": grievance.acknowledge_due_on,
            "respond_due_on": grievance.respond_due_on}


def _throttled(response: HttpResponse, paused: throttle.Throttled) -> Status:
    response.headers["Retry-After"] = str(paused.retry_after)
    return Status(429, {"detail": _("Too many wrong receipts were tried recently, so receipts are not checked for a "
                                     "while. Try again in %(minutes)d minutes. No case was opened, changed or "
                                     "lost.") % {"minutes": max(1, paused.retry_after // 60)}})


def _case(organisation, typed: str) -> Grievance:
    if receipts.normalise(typed) is None:
        raise DjangoValidationError({"receipt": [_("A receipt is 32 digits. Check that you copied all eight groups "
                                                   "of four.")]})
    grievance = throttle.check_receipt(organisation, typed)
    if grievance is None:
        raise Http404
    return grievance


def case_out(grievance: Grievance) -> dict:
    """The case as the person sees it: no internal notes, no handler, no other case's anything."""
    changes = list(grievance.stage_changes.order_by("at", "id"))
    conversation = list(CaseMessage.objects.filter(grievance=grievance).exclude(
        direction=MessageDirection.INTERNAL).order_by("created_at", "id"))
    for row in (*changes, *conversation):
        row.grievance = grievance
    step = stages.next_step(stage=grievance.stage, acknowledge_due_on=grievance.acknowledge_due_on,
                            respond_due_on=grievance.respond_due_on, responded=grievance.responded_at is not None)
    return {
        "case": grievance.label, "stage": grievance.stage, "stage_label": grievance.get_stage_display(),
        "meaning": str(stages.MEANING.get(grievance.stage, "")),
        "next_step": {"text": step.text, "by": step.by} if step else None,
        "received_at": grievance.received_at, "acknowledge_due_on": grievance.acknowledge_due_on,
        "respond_due_on": grievance.respond_due_on,
        "timeline": [{"stage": c.to_stage, "label": c.get_to_stage_display(), "at": c.at, "note": c.note}
                     for c in changes],
        "messages": [{"direction": m.direction, "text": m.text, "is_question": m.is_question, "at": m.created_at}
                     for m in conversation],
        "outcome": grievance.outcome_summary, "not_admissible_reasons": grievance.not_admissible_reasons,
        "satisfaction": grievance.satisfaction, "may_give_satisfaction": person.has_outcome(grievance),
        "may_appeal": person.may_appeal(grievance), "appeals_count": grievance.appeals_count,
    }


def _fresh(grievance: Grievance) -> Grievance:
    return Grievance.objects.get(pk=grievance.pk)


@router.post("/public/grievances/{slug}", auth=None, url_name="public_grievance_submit",
             response={200: GrievanceReceiptOut, 201: GrievanceReceiptOut, 403: ErrorOut, **PUBLIC_ERRORS},
             summary="Raise a grievance (no token); send Idempotency-Key so a retry gives the same receipt")
def submit(request, response: HttpResponse, slug: str, payload: GrievancePublicReportIn,
           idempotency_key: str = IdempotencyKey):
    organisation = _organisation(slug)
    add_never_cache_headers(response)
    mechanism = GrievanceSettings.objects.filter(organisation=organisation).first()
    if mechanism is not None and not mechanism.intake_open:
        return Status(403, {"detail": _("This organisation's grievance page is not taking new grievances at the "
                                         "moment. Cases already raised can still be followed.")})
    submitted = submit_grievance(organisation=organisation, report=payload.report(), channel=Channel.API,
                                 submission_key=idempotency_key)
    return Status(201 if submitted.created else 200, _receipt_out(submitted))


@router.post("/public/grievances/{slug}/follow-up", auth=None, url_name="public_grievance_follow_up",
             response={200: GrievancePublicCaseOut, **PUBLIC_ERRORS},
             summary="Read a case with its receipt (no token): stage, next step, timeline, messages, outcome")
def read_case(request, response: HttpResponse, slug: str, payload: GrievanceReceiptIn):
    organisation = _organisation(slug)
    add_never_cache_headers(response)
    try:
        grievance = _case(organisation, payload.receipt)
    except throttle.Throttled as paused:
        return _throttled(response, paused)
    person.mark_seen(grievance)
    return case_out(grievance)


@router.post("/public/grievances/{slug}/follow-up/messages", auth=None, url_name="public_grievance_reply",
             response={200: GrievancePublicMessageOut, 201: GrievancePublicMessageOut, **PUBLIC_ERRORS},
             summary="Write to the people handling the case (no token); Idempotency-Key makes retries safe")
def reply(request, response: HttpResponse, slug: str, payload: GrievancePublicReplyIn,
          idempotency_key: str = IdempotencyKey):
    organisation = _organisation(slug)
    add_never_cache_headers(response)
    try:
        grievance = _case(organisation, payload.receipt)
    except throttle.Throttled as paused:
        return _throttled(response, paused)
    digest = submission_digest(idempotency_key.strip())
    sent_before = bool(digest) and CaseMessage.objects.filter(grievance=grievance, submission_key=digest).exists()
    message = person.reply(grievance=grievance, text=payload.text, via=MessageVia.API, submission_key=idempotency_key)
    return Status(200 if sent_before else 201, {"direction": message.direction, "text": message.text,
                                            "is_question": message.is_question, "at": message.created_at})


@router.post("/public/grievances/{slug}/follow-up/satisfaction", auth=None,
             url_name="public_grievance_satisfaction", response={200: GrievancePublicCaseOut, **PUBLIC_ERRORS},
             summary="Say how satisfied you are with the outcome (no token); may be changed")
def satisfaction(request, response: HttpResponse, slug: str, payload: GrievancePublicSatisfactionIn):
    organisation = _organisation(slug)
    add_never_cache_headers(response)
    try:
        grievance = _case(organisation, payload.receipt)
    except throttle.Throttled as paused:
        return _throttled(response, paused)
    person.give_satisfaction(grievance=grievance, satisfaction=payload.satisfaction.value, note=payload.note,
                             via=MessageVia.API)
    return case_out(_fresh(grievance))


@router.post("/public/grievances/{slug}/follow-up/appeal", auth=None, url_name="public_grievance_appeal",
             response={201: GrievancePublicCaseOut, **PUBLIC_ERRORS},
             summary="Appeal a closed or not-admissible case (no token): a different handler looks again")
def appeal(request, response: HttpResponse, slug: str, payload: GrievancePublicAppealIn):
    organisation = _organisation(slug)
    add_never_cache_headers(response)
    try:
        grievance = _case(organisation, payload.receipt)
    except throttle.Throttled as paused:
        return _throttled(response, paused)
    person.appeal(grievance=grievance, reason=payload.reason, via=MessageVia.API)
    return Status(201, case_out(_fresh(grievance)))


@router.post("/grievances/intake", url_name="grievance_record",
             response=documented({200: GrievanceReceiptOut, 201: GrievanceReceiptOut}),
             summary="Record a grievance received through another channel (hotline, SMS, letter, in person, NGO)")
def record(request, response: HttpResponse, payload: GrievanceIntakeRecordIn, idempotency_key: str = IdempotencyKey):
    viewer = request.auth
    if not (viewer.can(Capability.GRIEVANCES_RECORD) or viewer.can(Capability.GRIEVANCES_HANDLE)):
        raise PermissionDenied(_("Your role does not allow recording grievances."))
    add_never_cache_headers(response)
    stakeholder = access_stakeholder(viewer, payload.stakeholder_id) if payload.stakeholder_id else None
    proxy = access_stakeholder(viewer, payload.proxy_id) if payload.proxy_id else None
    on_behalf_of = access_group(viewer, payload.on_behalf_of_id) if payload.on_behalf_of_id else None
    values = payload.dict(exclude={"channel", "stakeholder_id", "proxy_id", "on_behalf_of_id"})
    values["mode"], values["raised_by"] = payload.mode.value, payload.raised_by.value
    submitted = submit_grievance(organisation=viewer.organisation, report=GrievanceReport(**values),
                                 channel=payload.channel.value, submission_key=idempotency_key, by=viewer,
                                 stakeholder=stakeholder, proxy=proxy, on_behalf_of=on_behalf_of)
    return Status(201 if submitted.created else 200, _receipt_out(submitted))
