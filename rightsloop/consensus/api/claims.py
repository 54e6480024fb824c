"""JSON front door of competing claims: /api/v1/consensus/claims and a decision's weighings of them.

The same actions and queries as the pages. A broken rule (an unknown right, two matters, a holder who does not
take part) answers 400 with field messages and saves nothing. An engagement, claim, risk or decision of another
organisation is 'not found' (404) wherever it is named in the path or a filter; a risk, decision, participant or
group of another organisation named in a body is a 400 on its field, and never used. A claim's holder is given
as the viewer may see them (claim_columns): `holder_id` only where the label is the holder's own name.
"""

import datetime
import uuid
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core import rights
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.queries import access_engagement
from rightsloop.risks.models import Risk, StrategicDecision
from rightsloop.risks.queries import access_risk, access_strategic_decision
from rightsloop.stakeholders.models import AffectedGroup
from rightsloop.stakeholders.queries import hidden_from

from .. import claim_columns, queries
from ..actions import claims as actions
from ..models import Claim
from . import router

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Text = Annotated[str, Field(max_length=20_000)]
RightCode = Annotated[str, Field(min_length=1, max_length=60, description="A code of /api/v1/risks/rights")]
Matter = Literal["risk", "decision"]
HolderKind = Literal["participant", "group", "none"]


class ClaimIn(Schema):
    engagement_id: Id
    matter: Matter = Field(description="What the claim is on: a salient risk or a strategic decision")
    matter_id: Id = Field(description="The risk's or the decision's id")
    side: str = Field(..., max_length=80, description="A few words naming the position; one side, one column")
    holder: HolderKind = Field("none", description="Held by a participant of the engagement, by an affected group "
                                                   "(heard through a credible proxy taking part), or by nobody named")
    holder_id: Id | None = Field(None, description="The participation's id, or the affected group's")
    attribution: Literal["attributed", "anonymised"] | None = Field(
        None, description="Default: attributed only where the person consented to it")
    rights: list[RightCode] = Field(..., max_length=40)
    statement: Text
    evidence: Text = ""
    would_accept: Text = ""


class ClaimPatch(Schema):
    matter: Matter | None = None
    matter_id: Id | None = None
    side: str | None = Field(None, max_length=80)
    holder: HolderKind | None = None
    holder_id: Id | None = None
    attribution: Literal["attributed", "anonymised"] | None = None
    rights: list[RightCode] | None = Field(None, max_length=40)
    statement: Text | None = None
    evidence: Text | None = None
    would_accept: Text | None = None


class ClaimRightOut(Schema):
    code: str
    name: str


class ClaimWeighingOut(Schema):
    claim_id: int
    side: str
    decision_id: int
    decision_title: str
    how_weighed: str
    weighed_by: str | None
    weighed_at: datetime.datetime


class ClaimOut(Schema):
    id: int
    uid: uuid.UUID
    engagement_id: int
    matter: str
    matter_id: int
    matter_title: str
    side: str
    holder: str = Field(description="participant, group or none")
    holder_id: int | None = Field(description="Given only where the label is the holder's own name")
    holder_label: str
    attribution: str
    rights: list[ClaimRightOut]
    statement: str
    evidence: str
    would_accept: str
    weighings: list[ClaimWeighingOut]
    recorded_at: datetime.datetime
    updated_at: datetime.datetime


class ClaimWeighingIn(Schema):
    how_weighed: Text


def _weighing_out(weighing, claim: Claim) -> dict:
    return {"claim_id": claim.pk, "side": claim.side, "decision_id": weighing.decision_id,
            "decision_title": weighing.decision.title, "how_weighed": weighing.how_weighed,
            "weighed_by": weighing.weighed_by.get_username() if weighing.weighed_by_id else None,
            "weighed_at": weighing.weighed_at}


def _out(claim: Claim, holder: claim_columns.Holder) -> dict:
    matter = claim.risk or claim.decision
    kind = "participant" if claim.holder_id else "group" if claim.holder_group_id else "none"
    return {
        "id": claim.pk, "uid": claim.uid, "engagement_id": claim.engagement_id,
        "matter": "risk" if claim.risk_id else "decision", "matter_id": matter.pk, "matter_title": matter.title,
        "side": claim.side, "holder": kind, "holder_label": holder.label,
        "holder_id": (claim.holder_id or claim.holder_group_id) if holder.named else None,
        "attribution": claim.attribution,
        "rights": [{"code": code, "name": rights.name(code)} for code in claim.rights],
        "statement": claim.statement, "evidence": claim.evidence, "would_accept": claim.would_accept,
        "weighings": [_weighing_out(w, claim) for w in claim.weighings.all()],
        "recorded_at": claim.recorded_at, "updated_at": claim.updated_at,
    }


class _Page:
    """Claims read a page at a time, their holders resolved for the whole page at once (no query per claim)."""

    def __init__(self, claims, viewer):
        self.claims, self.viewer = claim_columns.with_columns_data(claims), viewer

    def all(self):
        return self

    def count(self) -> int:
        return self.claims.count()

    def __getitem__(self, window: slice) -> list[dict]:
        found = list(self.claims[window])
        holders = claim_columns.holders(found, self.viewer)
        return [_out(claim, holders[claim.pk]) for claim in found]


def _require_edit(viewer) -> None:
    if not viewer.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role cannot record competing claims."))


def _matter(viewer, kind: str | None, pk: int | None) -> tuple[Risk | None, StrategicDecision | None]:
    """The risk or decision a body names, of the viewer's organisation; another's is not found (404), as a path id."""
    if kind is None or pk is None:
        raise DjangoValidationError({"matter_id": [_("Name the matter and its id.")]})
    model = Risk if kind == "risk" else StrategicDecision
    found = model.objects.for_organisation(viewer.organisation).filter(pk=pk).first()
    if found is None:
        raise Http404
    return (found, None) if kind == "risk" else (None, found)


def _holder(viewer, engagement: Engagement, kind: str, pk: int | None):
    """(participation, group) a body names; a participant the viewer may not know of is unknown too."""
    if kind == "none":
        if pk is not None:
            raise DjangoValidationError({"holder_id": [_("A claim held by nobody named takes no holder id.")]})
        return None, None
    if pk is None:
        raise DjangoValidationError({"holder_id": [_("Give the holder's id.")]})
    if kind == "participant":
        participation = (engagement.participations.exclude(stakeholder__in=hidden_from(viewer))
                         .select_related("stakeholder").filter(pk=pk).first())
        if participation is None:  # not in this engagement, another organisation's, or protected: not found
            raise Http404
        return participation, None
    group = AffectedGroup.objects.for_organisation(viewer.organisation).filter(pk=pk).first()
    if group is None:
        raise Http404
    return None, group


def _plan(viewer, engagement: Engagement, values: dict) -> actions.ClaimPlan:
    risk, decision = _matter(viewer, values.get("matter"), values.get("matter_id"))
    holder, group = _holder(viewer, engagement, values.get("holder") or "none", values.get("holder_id"))
    return actions.ClaimPlan(side=values["side"], statement=values["statement"], rights=values["rights"], risk=risk,
                             decision=decision, holder=holder, holder_group=group,
                             attribution=values.get("attribution"), evidence=values.get("evidence") or "",
                             would_accept=values.get("would_accept") or "")


def _one(viewer, claim_id: int) -> dict:
    return _Page(queries.visible_claims(viewer).filter(pk=claim_id), viewer)[0:1][0]


# The body names fields as the API does (matter_id, holder_id); the action's errors name the pages' fields.
_API_FIELDS = {"risk": "matter_id", "decision": "matter_id", "holder": "holder_id", "holder_group": "holder_id"}


def _as_api_errors(error: DjangoValidationError) -> DjangoValidationError:
    if not hasattr(error, "error_dict"):
        return error
    renamed: dict[str, list[str]] = {}
    for name, messages in error.message_dict.items():
        renamed.setdefault(_API_FIELDS.get(name, name), []).extend(messages)
    return DjangoValidationError(renamed)


@router.get("/claims", response=documented({200: list[ClaimOut]}),
            summary="Competing claims: of an engagement, on a salient risk, or on a strategic decision and its risks")
@paginate(ApiPages)
def list_claims(request, engagement_id: Id | None = None, risk_id: Id | None = None, decision_id: Id | None = None):
    viewer = request.auth
    queries.require_reader(viewer)
    claims = queries.visible_claims(viewer)
    if engagement_id is not None:
        claims = claims.filter(engagement=access_engagement(viewer, engagement_id))
    if risk_id is not None:
        claims = claims.on_risk(access_risk(viewer, risk_id))
    if decision_id is not None:
        claims = claims.on_decision(access_strategic_decision(viewer, decision_id))
    return _Page(claims, viewer)


@router.post("/claims", response=documented({201: ClaimOut}),
             summary="Record one side's claim on a salient risk or a strategic decision, inside an engagement")
def create_claim(request, payload: ClaimIn):
    viewer = request.auth
    _require_edit(viewer)
    engagement = access_engagement(viewer, payload.engagement_id)
    try:
        claim = actions.record_claim(engagement=engagement, plan=_plan(viewer, engagement, payload.dict()),
                                     by=viewer)
    except DjangoValidationError as error:
        raise _as_api_errors(error) from None
    return Status(201, _one(viewer, claim.pk))


@router.get("/claims/{int:claim_id}", response=documented({200: ClaimOut}), summary="One competing claim")
def get_claim(request, claim_id: int):
    viewer = request.auth
    return _one(viewer, queries.access_claim(viewer, claim_id).pk)


@router.patch("/claims/{int:claim_id}", response=documented({200: ClaimOut}),
              summary="Change a claim (only the fields given); its matter stays once a decision weighed it")
def update_claim(request, claim_id: int, payload: ClaimPatch):
    viewer = request.auth
    claim = queries.access_claim(viewer, claim_id)
    _require_edit(viewer)
    given = payload.dict(exclude_unset=True)
    for name in ("side", "rights", "statement"):
        if name in given and given[name] is None:
            raise DjangoValidationError({name: [_("This field cannot be emptied.")]})
    current = {"matter": "risk" if claim.risk_id else "decision", "matter_id": claim.risk_id or claim.decision_id,
               "holder": "participant" if claim.holder_id else "group" if claim.holder_group_id else "none",
               "holder_id": claim.holder_id or claim.holder_group_id, "attribution": claim.attribution,
               "side": claim.side, "rights": claim.rights, "statement": claim.statement, "evidence": claim.evidence,
               "would_accept": claim.would_accept}
    if "holder" in given and "holder_id" not in given:
        current["holder_id"] = None
    values = {**current, **given}
    try:
        if "holder" in given or "holder_id" in given:
            plan = _plan(viewer, claim.engagement, values)
        else:  # the holder as it is, even one this viewer may not know of
            risk, decision = _matter(viewer, values["matter"], values["matter_id"])
            plan = actions.ClaimPlan(side=values["side"], statement=values["statement"], rights=values["rights"],
                                     risk=risk, decision=decision, holder=claim.holder,
                                     holder_group=claim.holder_group, attribution=values["attribution"],
                                     evidence=values["evidence"] or "", would_accept=values["would_accept"] or "")
        actions.change_claim(claim=claim, plan=plan, by=viewer)
    except DjangoValidationError as error:
        raise _as_api_errors(error) from None
    return _one(viewer, claim.pk)


@router.delete("/claims/{int:claim_id}", response=documented({204: None}),
               summary="Remove a claim recorded by mistake; refused once a decision taken has weighed it")
def delete_claim(request, claim_id: int):
    viewer = request.auth
    claim = queries.access_claim(viewer, claim_id)
    _require_edit(viewer)
    actions.remove_claim(claim=claim, by=viewer)
    return Status(204, None)


@router.put("/strategic-decisions/{int:decision_id}/claims/{int:claim_id}/weighing",
            response=documented({200: ClaimWeighingOut}),
            summary="Say how a strategic decision weighed a claim on it or on one of its risks")
def weigh_claim(request, decision_id: int, claim_id: int, payload: ClaimWeighingIn):
    viewer = request.auth
    if not actions.may_weigh(viewer):
        raise PermissionDenied(_("Your role cannot change strategic decisions."))
    decision = access_strategic_decision(viewer, decision_id)
    claim = queries.one(claim_columns.claims_for_decisions(viewer).on_decision(decision), claim_id)
    weighing = actions.weigh_claim(decision=decision, claim=claim, how_weighed=payload.how_weighed, by=viewer)
    return _weighing_out(weighing, claim)


@router.get("/strategic-decisions/{int:decision_id}/weighings", response=documented({200: list[ClaimWeighingOut]}),
            summary="How a strategic decision weighed each competing claim: its rationale, claim by claim")
def list_claim_weighings(request, decision_id: int):
    viewer = request.auth
    decision = access_strategic_decision(viewer, decision_id)
    claims = claim_columns.claims_for_decisions(viewer)
    weighings = (decision.claim_weighings.filter(claim__in=claims).select_related("claim", "decision", "weighed_by")
                 .order_by("claim__side", "claim_id"))
    return [_weighing_out(weighing, weighing.claim) for weighing in weighings]
