"""JSON front door of relationship agreements: /api/v1/agreements."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented
from rightsloop.engagements.vocabulary import EngagementType
from rightsloop.stakeholders.queries import access_stakeholder, shown_name

from . import agreements, queries
from .agreements import AgreementTerms
from .models import Agreement, AgreementState, AgreementVersion, Answer, AnswerVia, BriefingTopic, TheyMay, WeMay

router = Router(tags=["agreements"])

Text = Field("", max_length=10000)


class TermsIn(Schema):
    starts_on: datetime.date
    review_on: datetime.date = Field(..., description="After starts_on; the owner is reminded 30 days before")
    engagements_expected: int | None = Field(None, ge=0, le=366, description="Over the 12 months from the start")
    engagement_kinds: list[EngagementType] = Field(default_factory=list, max_length=20)
    indicative_months: list[int] = Field(default_factory=list, max_length=12, description="Month numbers, 1 to 12")
    briefing_topics: list[BriefingTopic] = Field(default_factory=list, max_length=10)
    briefing_notes: str = Text
    feedback_within_days: int | None = Field(None, ge=1, le=365)
    loop_closure_notes: str = Text
    our_handling: str = Text
    their_handling: str = Text
    we_may: dict[WeMay, bool] = Field(default_factory=dict, description="What we may say about them")
    they_may: dict[TheyMay, bool] = Field(default_factory=dict, description="What they may say about us")
    attribution_notes: str = Text
    nda_scope: str = Field("", max_length=10000, description="Empty: no NDA; otherwise nda_sunset_on is required")
    nda_sunset_on: datetime.date | None = Field(None, description="After starts_on")
    compensation_terms: str = Text

    def terms(self) -> AgreementTerms:
        values = self.dict(exclude={"stakeholder_id"})
        values["engagement_kinds"] = [str(getattr(code, "value", code)) for code in values["engagement_kinds"]]
        values["briefing_topics"] = [str(getattr(code, "value", code)) for code in values["briefing_topics"]]
        for name in ("we_may", "they_may"):
            values[name] = {str(getattr(code, "value", code)): allowed for code, allowed in values[name].items()}
        return AgreementTerms(**values)


class AgreementIn(TermsIn):
    stakeholder_id: int


class AnswerIn(Schema):
    answer: Answer
    via: Literal["in_person", "email", "phone", "letter", "via_proxy"] = Field(
        ..., description="How the stakeholder's answer reached the member recording it")
    comment: str = Field("", max_length=5000, description="Their words; required when asking for changes")


class EndIn(Schema):
    reason: str = Field(..., min_length=1, max_length=500)


class VersionOut(Schema):
    number: int
    starts_on: datetime.date
    review_on: datetime.date
    engagements_expected: int | None
    engagement_kinds: list[str]
    indicative_months: list[int]
    briefing_topics: list[str]
    briefing_notes: str
    feedback_within_days: int | None
    loop_closure_notes: str
    our_handling: str
    their_handling: str
    we_may: dict[str, bool]
    they_may: dict[str, bool]
    attribution_notes: str
    nda_scope: str
    nda_sunset_on: datetime.date | None
    compensation_terms: str
    proposed_at: datetime.datetime | None
    answer: str
    answered_at: datetime.datetime | None
    answered_via: str
    answer_recorded_by: str | None = None
    comment: str

    @staticmethod
    def resolve_answer_recorded_by(obj: AgreementVersion) -> str | None:
        return obj.answer_recorded_by.get_username() if obj.answer_recorded_by_id else None


class AgreementOut(Schema):
    id: int
    stakeholder_id: int
    stakeholder_name: str
    state: AgreementState
    current_version: int | None
    accepted_version: int | None
    ended_on: datetime.date | None
    end_reason: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_current_version(obj: Agreement) -> int | None:
        return obj.current_version.number if obj.current_version_id else None

    @staticmethod
    def resolve_accepted_version(obj: Agreement) -> int | None:
        return obj.accepted_version.number if obj.accepted_version_id else None


class AgreementDetailOut(AgreementOut):
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj: Agreement) -> list[AgreementVersion]:
        return queries.versions_of(obj)


class ListFilters(Schema):
    state: AgreementState | None = None
    review_due: bool = False
    sunset_soon: bool = False
    stakeholder_id: int | None = None


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _out(agreement: Agreement, viewer) -> Agreement:
    agreement.stakeholder_name = shown_name(agreement.stakeholder, viewer)
    return agreement


_detail = _out


@router.get("", response=documented({200: list[AgreementOut]}), summary="List agreements (the 500 changed last)")
def list_agreements(request, filters: Query[ListFilters]):
    _require(request.viewer, Capability.RELATIONSHIPS_VIEW)
    found = queries.agreement_list(request.viewer, queries.AgreementFilters(
        state=filters.state.value if filters.state else "", review_due=filters.review_due,
        sunset_soon=filters.sunset_soon, stakeholder_id=filters.stakeholder_id))[:500]
    return [_out(agreement, request.viewer) for agreement in found]


@router.post("", response=documented({201: AgreementDetailOut}), summary="Draft an agreement with a stakeholder")
def create_agreement(request, payload: AgreementIn):
    _require(request.viewer, Capability.RELATIONSHIPS_EDIT)
    stakeholder = access_stakeholder(request.viewer, payload.stakeholder_id)
    agreement = agreements.create_agreement(stakeholder=stakeholder, terms=payload.terms(), by=request.viewer)
    return Status(201, _detail(queries.access_agreement(request.viewer, agreement.pk), request.viewer))


@router.get("/{int:agreement_id}", response=documented({200: AgreementDetailOut}),
            summary="One agreement, with every version")
def get_agreement(request, agreement_id: int):
    _require(request.viewer, Capability.RELATIONSHIPS_VIEW)
    return _detail(queries.access_agreement(request.viewer, agreement_id), request.viewer)


@router.put("/{int:agreement_id}", response=documented({200: AgreementDetailOut}),
            summary="Replace the terms of the draft version")
def update_agreement(request, agreement_id: int, payload: TermsIn):
    agreement = queries.access_agreement(request.viewer, agreement_id, for_update=True)
    agreements.update_draft(agreement=agreement, terms=payload.terms(), by=request.viewer)
    return _detail(queries.access_agreement(request.viewer, agreement_id), request.viewer)


def _step(request, agreement_id: int, step, **arguments) -> Agreement:
    agreement = queries.access_agreement(request.viewer, agreement_id, for_update=True)
    step(agreement=agreement, by=request.viewer, **arguments)
    return _detail(queries.access_agreement(request.viewer, agreement_id), request.viewer)


@router.post("/{int:agreement_id}/propose", response=documented({200: AgreementDetailOut}),
             summary="Propose the draft version to the stakeholder")
def propose_agreement(request, agreement_id: int):
    return _step(request, agreement_id, agreements.propose_agreement)


@router.post("/{int:agreement_id}/answer", response=documented({200: AgreementDetailOut}),
             summary="Record the stakeholder's answer on their behalf (who recorded it is kept)")
def answer_agreement(request, agreement_id: int, payload: AnswerIn):
    return _step(request, agreement_id, agreements.answer_agreement, answer=payload.answer.value,
                 comment=payload.comment, via=AnswerVia(payload.via).value)


@router.post("/{int:agreement_id}/revise", response=documented({200: AgreementDetailOut}),
             summary="Draft a new version from the newest terms")
def revise_agreement(request, agreement_id: int):
    return _step(request, agreement_id, agreements.revise_agreement)


@router.post("/{int:agreement_id}/review", response=documented({200: AgreementDetailOut}),
             summary="Put an accepted agreement under review")
def review_agreement(request, agreement_id: int):
    return _step(request, agreement_id, agreements.start_review)


@router.post("/{int:agreement_id}/end", response=documented({200: AgreementDetailOut}),
             summary="End the agreement (an NDA still binds until its sunset)")
def end_agreement(request, agreement_id: int, payload: EndIn):
    return _step(request, agreement_id, agreements.end_agreement, reason=payload.reason)
