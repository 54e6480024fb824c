"""JSON front door of shared assessments (G3): /api/v1/shared-assessments/...

The same actions and queries as the pages. Asking a pool partner who was asked to the same engagement already, by
any member, answers 409 with who asked and when; asking one asked too often by all members together answers 409
with code over_solicited unless `confirm_load` is true.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.assessments import queries as assessment_queries
from rightsloop.core.access import plausible_id
from rightsloop.core.api_errors import documented
from rightsloop.engagements.models import Engagement
from rightsloop.stakeholders.queries import access_stakeholder

from . import actions, load, queries
from .models import SharedAssessment
from .vocabulary import PoolConsentMethod

router = Router(tags=["shared assessments"])


class SharedConflictOut(Schema):
    detail: str
    code: str = Field(..., description="already_requested or over_solicited")
    errors: dict[str, list[str]] | None = None
    asked_by: str | None = Field(None, description="The member that asked already (already_requested)")
    asked_at: datetime.datetime | None = None


def _with_conflict(ok: dict) -> dict:
    return {**documented(ok), 409: SharedConflictOut}


class ShareAssessmentIn(Schema):
    assessment_id: int = Field(..., description="One of the organisation's own assessments")


class SharedMemberOut(Schema):
    organisation_id: int
    organisation: str
    joined_at: datetime.datetime
    lead: bool


class SpaceInvitationOut(Schema):
    id: int
    shared_assessment_id: int
    assessment_title: str
    organisation_id: int
    organisation: str = Field(..., description="The invited organisation")
    invited_by: str = Field(..., description="The organisation that invited")
    created_at: datetime.datetime


class SharedAssessmentOut(Schema):
    id: int
    assessment_id: int
    title: str
    technology: str
    countries: list[str]
    region: str
    scope: str
    starts_on: datetime.date
    ends_on: datetime.date
    status: str
    lead_id: int
    lead: str
    members: list[SharedMemberOut]


class SharedFindingOut(Schema):
    id: int
    title: str
    description: str
    countries: list[str]


class SharedHeardOut(Schema):
    inputs: int
    voices: int
    by_kind: dict[str, int] = Field(..., description="Voices per stakeholder kind code")
    by_region: dict[str, int] = Field(..., description="Voices per UN M49 region code (\"\": unknown)")
    by_language: dict[str, int] = Field(..., description="Voices per ISO 639 code")
    gaps: list[str]


class SharedAssessmentDetailOut(SharedAssessmentOut):
    findings: list[SharedFindingOut]
    invitations: list[SpaceInvitationOut] = Field(..., description="Sent and not answered yet")


class SpaceInviteIn(Schema):
    organisation_id: int


class SharedEngagementIn(Schema):
    engagement_id: int


class SharedEngagementOut(Schema):
    id: int
    title: str
    type: str
    starts_on: datetime.date
    ends_on: datetime.date
    organisation_id: int
    organisation: str


class SharedInputOut(Schema):
    id: int
    text: str
    speaker: str = Field(..., description="Named only when attributed and at normal safety level")
    language: str
    recorded_at: datetime.datetime
    outcome: str


class SharedInputsOut(Schema):
    engagement: SharedEngagementOut
    total: int = Field(..., description="Standing inputs in all; at most 200 are listed")
    inputs: list[SharedInputOut]


class PoolPartnerIn(Schema):
    stakeholder_id: int
    role: str = Field(..., max_length=24, description="assessments PartnerRole code")
    languages: list[str] = Field(default_factory=list, max_length=30, description="ISO 639 codes")
    consent_method: PoolConsentMethod
    consent_given_on: datetime.date


class PoolPartnerOut(Schema):
    id: int
    name: str = Field(..., description="A code name above normal safety level")
    organisation: str = Field(..., description="The partner's own organisation, when safe to show")
    country: str
    languages: list[str]
    role: str
    contributed_by: str
    mine: bool = Field(..., description="Put in the pool by the caller's organisation")


class PartnerRequestIn(Schema):
    engagement_id: int
    confirm_load: bool = False


class PartnerRequestOut(Schema):
    id: int
    partner_id: int
    engagement_id: int
    asked_by: str
    requested_at: datetime.datetime


class PoolLoadRowOut(Schema):
    engagement_id: int | None = Field(..., description="None for an engagement not shared with the caller")
    title: str
    organisation: str
    asked_at: datetime.datetime


class PoolLoadOut(Schema):
    partner_id: int
    count_90: int
    count_365: int
    over: bool
    requests: list[PoolLoadRowOut]


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _shared_out(shared: SharedAssessment) -> dict:
    assessment = shared.assessment
    return {
        "id": shared.pk, "assessment_id": assessment.pk, "title": assessment.title,
        "technology": assessment.technology, "countries": assessment.countries, "region": assessment.region,
        "scope": assessment.scope, "starts_on": assessment.starts_on, "ends_on": assessment.ends_on,
        "status": assessment.status, "lead_id": shared.lead_id, "lead": shared.lead.name,
        "members": [{"organisation_id": m.organisation_id, "organisation": m.organisation.name,
                     "joined_at": m.joined_at, "lead": m.organisation_id == shared.lead_id}
                    for m in queries.current_members(shared)],
    }


def _invitation_out(invitation) -> dict:
    return {"id": invitation.pk, "shared_assessment_id": invitation.shared_id,
            "assessment_title": invitation.shared.assessment.title, "organisation_id": invitation.organisation_id,
            "organisation": invitation.organisation.name, "invited_by": invitation.invited_by_organisation.name,
            "created_at": invitation.created_at}


def _engagement_out(engagement: Engagement) -> dict:
    return {"id": engagement.pk, "title": engagement.title, "type": engagement.type,
            "starts_on": engagement.starts_on, "ends_on": engagement.ends_on,
            "organisation_id": engagement.organisation_id, "organisation": engagement.organisation.name}


def _card_out(card: queries.PartnerCard) -> dict:
    return {"id": card.partner.pk, "name": card.name, "organisation": card.organisation, "country": card.country,
            "languages": card.languages, "role": card.role, "contributed_by": card.contributed_by, "mine": card.mine}


@router.get("", response=documented({200: list[SharedAssessmentOut]}),
            summary="Shared assessments the caller's organisation takes part in")
def list_shared_assessments(request):
    _require(request.auth, Capability.ENGAGEMENTS_VIEW)
    return [_shared_out(shared) for shared in queries.shared_assessments(request.auth)]


@router.post("", response=documented({201: SharedAssessmentOut}),
             summary="Share one of the organisation's assessments; the organisation becomes its lead")
def share_assessment(request, payload: ShareAssessmentIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    assessment = assessment_queries.access_assessment(viewer, payload.assessment_id, for_update=True)
    return Status(201, _shared_out(actions.share_assessment(assessment=assessment, by=viewer)))


@router.get("/invitations", response=documented({200: list[SpaceInvitationOut]}),
            summary="Open invitations addressed to the caller's organisation")
def list_shared_invitations(request):
    _require(request.auth, Capability.ENGAGEMENTS_VIEW)
    return [_invitation_out(invitation) for invitation in
            queries.open_invitations_for(request.auth).select_related("organisation")]


@router.post("/invitations/{int:invitation_id}/accept", response=documented({200: SharedMemberOut}),
             summary="Accept an invitation (the human rights team only)")
def accept_shared_invitation(request, invitation_id: int):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    invitation = queries.access_invitation_to_me(viewer, invitation_id)
    member = actions.accept_invitation(invitation=invitation, by=viewer)
    return {"organisation_id": member.organisation_id, "organisation": viewer.organisation.name,
            "joined_at": member.joined_at, "lead": False}


@router.post("/invitations/{int:invitation_id}/decline", response=documented({204: None}),
             summary="Decline an invitation (the human rights team only)")
def decline_shared_invitation(request, invitation_id: int):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    invitation = queries.access_invitation_to_me(viewer, invitation_id)
    actions.decline_invitation(invitation=invitation, by=viewer)
    return Status(204, None)


@router.post("/pool-partners/{int:partner_id}/withdraw", response=documented({204: None}),
             summary="Record that a partner the organisation put in a pool withdrew their consent")
def withdraw_pool_consent(request, partner_id: int):
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_EDIT)
    partner = queries.access_own_contribution(viewer, partner_id)
    actions.withdraw_pool_consent(partner=partner, by=viewer)
    return Status(204, None)


@router.get("/{int:shared_id}", response=documented({200: SharedAssessmentDetailOut}), summary="One shared assessment")
def get_shared_assessment(request, shared_id: int):
    _require(request.auth, Capability.ENGAGEMENTS_VIEW)
    shared = queries.access_shared(request.auth, shared_id)
    return {**_shared_out(shared),
            "findings": [{"id": f.pk, "title": f.title, "description": f.description, "countries": f.countries}
                         for f in queries.findings(shared)],
            "invitations": [_invitation_out(i) for i in queries.invitations_sent(shared).select_related(
                "shared__assessment")]}


@router.get("/{int:shared_id}/heard", response=documented({200: SharedHeardOut}),
            summary="Who was heard across every engagement held in it: counts and gaps, nobody named")
def shared_heard(request, shared_id: int):
    _require(request.auth, Capability.ENGAGEMENTS_VIEW)
    heard = queries.heard_across(queries.access_shared(request.auth, shared_id))
    return {"inputs": heard.inputs, "voices": heard.voices, "by_kind": {t.code: t[1] for t in heard.by_kind},
            "by_region": {t.code: t[1] for t in heard.by_region},
            "by_language": {t.code: t[1] for t in heard.by_language}, "gaps": list(heard.gaps)}


@router.post("/{int:shared_id}/invitations", response=documented({201: SpaceInvitationOut}),
             summary="Invite another organisation of the installation")
def invite_organisation(request, shared_id: int, payload: SpaceInviteIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    shared = queries.access_shared(viewer, shared_id)
    invitation = actions.invite_organisation(shared=shared, organisation_id=payload.organisation_id
                                             if plausible_id(payload.organisation_id) else 0, by=viewer)
    return Status(201, _invitation_out(invitation))


@router.post("/{int:shared_id}/leave", response=documented({204: None}),
             summary="Take the organisation out of the shared assessment (what it contributed stays)")
def leave_shared_assessment(request, shared_id: int):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    shared = queries.access_shared(viewer, shared_id)
    actions.leave(shared=shared, by=viewer)
    return Status(204, None)


@router.get("/{int:shared_id}/engagements", response=documented({200: list[SharedEngagementOut]}),
            summary="The engagements held in the shared assessment")
def list_shared_engagements(request, shared_id: int):
    _require(request.auth, Capability.ENGAGEMENTS_VIEW)
    shared = queries.access_shared(request.auth, shared_id)
    return [_engagement_out(engagement) for engagement in queries.shared_engagements(shared)]


@router.post("/{int:shared_id}/engagements", response=documented({201: SharedEngagementOut}),
             summary="Hold one of the organisation's engagements inside the shared assessment")
def share_engagement(request, shared_id: int, payload: SharedEngagementIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    shared = queries.access_shared(viewer, shared_id)
    if not plausible_id(payload.engagement_id):
        raise Http404
    engagement = Engagement.objects.for_organisation(viewer.organisation).filter(pk=payload.engagement_id).first()
    if engagement is None:
        raise Http404
    actions.share_engagement(shared=shared, engagement=engagement, by=viewer)
    return Status(201, _engagement_out(engagement))


@router.get("/{int:shared_id}/engagements/{int:engagement_id}/inputs", response=documented({200: SharedInputsOut}),
            summary="The standing inputs of a shared engagement, speakers named only as safety allows")
def list_shared_inputs(request, shared_id: int, engagement_id: int):
    _require(request.auth, Capability.ENGAGEMENTS_VIEW)
    shared = queries.access_shared(request.auth, shared_id)
    engagement = queries.access_shared_engagement(shared, engagement_id)
    inputs, total = queries.shared_inputs(engagement)
    return {"engagement": _engagement_out(engagement), "total": total,
            "inputs": [vars(row) for row in inputs]}


@router.get("/{int:shared_id}/partners", response=documented({200: list[PoolPartnerOut]}),
            summary="The pool of local partners (only those whose consent stands)")
def list_pool_partners(request, shared_id: int):
    _require(request.auth, Capability.ENGAGEMENTS_VIEW)
    shared = queries.access_shared(request.auth, shared_id)
    return [_card_out(card) for card in queries.partner_cards(request.auth, shared)]


@router.post("/{int:shared_id}/partners", response=documented({201: PoolPartnerOut}),
             summary="Put one of the organisation's stakeholders in the pool, on their recorded consent")
def contribute_partner(request, shared_id: int, payload: PoolPartnerIn):
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_EDIT)
    shared = queries.access_shared(viewer, shared_id)
    stakeholder = access_stakeholder(viewer, payload.stakeholder_id)
    partner = actions.contribute_partner(
        shared=shared, stakeholder=stakeholder, role=payload.role, languages=payload.languages,
        consent_method=str(getattr(payload.consent_method, "value", payload.consent_method)),
        consent_given_on=payload.consent_given_on, by=viewer)
    partner = queries.access_pool_partner(shared, partner.pk)
    return Status(201, _card_out(queries.card_of(viewer, partner)))


@router.get("/{int:shared_id}/partners/{int:partner_id}/load", response=documented({200: PoolLoadOut}),
            summary="How often the partner was asked, by all members together")
def pool_partner_load(request, shared_id: int, partner_id: int):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_VIEW)
    shared = queries.access_shared(viewer, shared_id)
    partner = queries.access_pool_partner(shared, partner_id)
    if not partner.in_pool:
        raise Http404
    found = load.pool_load(partner, seen_by=viewer.organisation)
    return {"partner_id": partner.pk, "count_90": found.count_90, "count_365": found.count_365, "over": found.over,
            "requests": [{"engagement_id": r.engagement_id or None, "title": r.title, "organisation": r.owner,
                          "asked_at": r.asked_at} for r in found.requests]}


@router.post("/{int:shared_id}/partners/{int:partner_id}/requests", response=_with_conflict({201: PartnerRequestOut}),
             summary="Ask a pool partner to an engagement of the shared assessment (once, whichever member asks)")
def request_pool_partner(request, shared_id: int, partner_id: int, payload: PartnerRequestIn):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_EDIT)
    shared = queries.access_shared(viewer, shared_id)
    partner = queries.access_pool_partner(shared, partner_id)
    engagement = queries.access_shared_engagement(shared, payload.engagement_id)
    try:
        made = actions.request_partner(shared=shared, partner=partner, engagement=engagement, by=viewer,
                                       confirm_load=payload.confirm_load)
    except actions.AlreadyRequested as error:
        return Status(409, {"detail": error.messages[0], "code": "already_requested",
                            "errors": error.message_dict, "asked_by": error.organisation_name,
                            "asked_at": error.on})
    except actions.PoolOverSolicited as error:
        return Status(409, {"detail": error.messages[0], "code": "over_solicited", "errors": error.message_dict})
    return Status(201, {"id": made.pk, "partner_id": partner.pk, "engagement_id": engagement.pk,
                        "asked_by": viewer.organisation.name, "requested_at": made.requested_at})

