"""JSON front door of the salient risk register, mitigations, input links, strategic decisions and context events.

Every change goes through actions.py; a rule broken there answers 400 with its field messages, a role
without the capability 403, and an id of another organisation (in the path or the body) 404, exactly as
a missing one. Inputs are only ever read through engagements.queries.visible_inputs, and speakers are
shown as speaker_label shows them, so no protected identity leaves through this API.
"""

import datetime
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import F, Prefetch, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import rights as rights_taxonomy
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.engagements import queries as engagement_queries
from rightsloop.engagements.heard_api import HeardOut, heard_out
from rightsloop.engagements.models import Engagement, Input

from . import actions, decision_actions, escalation, gate, queries
from .models import DecisionCondition, Evidence, Indicator, Mitigation, Risk, StrategicDecision
from .vocabulary import (
    Communication,
    ConditionStatus,
    DecisionCategory,
    DecisionOutcome,
    DecisionStatus,
    Effectiveness,
    EventKind,
    Involvement,
    MitigationStatus,
    OwnerLevel,
)

router = Router(tags=["risks"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Rating = Annotated[int, Field(ge=1, le=5)]
Code = Annotated[str, Field(min_length=1, max_length=40)]
Country = Annotated[str, Field(min_length=1, max_length=2, description="ISO 3166-1 alpha-2")]
Text = Annotated[str, Field(max_length=10000)]


def _require(viewer: Viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _value(member):
    return getattr(member, "value", member)


def _member(viewer: Viewer, user_id: int | None, field: str) -> User | None:
    """A user who is an active member of the viewer's organisation, or a 400 naming the field."""
    if user_id is None:
        return None
    membership = (Membership.objects.active().select_related("user")
                  .filter(organisation=viewer.organisation, user_id=user_id).first())
    if membership is None:
        raise DjangoValidationError({field: [_("The owner must be a member of this organisation.")]})
    return membership.user


def _all_visible(queryset, ids: list[int]) -> list:
    """The objects with these ids, all of them, or 'not found' (another organisation's id is simply unknown)."""
    wanted = set(ids)
    found = list(queryset.filter(pk__in=wanted)) if wanted else []
    if len(found) != len(wanted):
        raise Http404
    return found


# Rights --------------------------------------------------------------------

class RightOut(Schema):
    code: str
    name: str
    sources: list[str]
    retired: bool
    groupings: list[str]


class GroupingOut(Schema):
    code: str
    name: str
    rights: list[str]


class TaxonomyOut(Schema):
    version: str
    rights: list[RightOut]
    groupings: list[GroupingOut]


@router.get("/rights", response=documented({200: TaxonomyOut}),
            summary="The shipped taxonomy of human rights, with stable codes and groupings")
def list_rights(request):
    return {
        "version": rights_taxonomy.VERSION,
        "rights": [{
            "code": right.code, "name": str(right.name), "sources": list(right.sources), "retired": right.retired,
            "groupings": rights_taxonomy.groupings_of(right.code),
        } for right in rights_taxonomy.TAXONOMY],
        "groupings": [{"code": g.code, "name": str(g.name), "rights": list(g.rights)}
                      for g in rights_taxonomy.GROUPINGS],
    }


# Risks ---------------------------------------------------------------------

class RiskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    description: Text = ""
    product: str = Field(..., min_length=1, max_length=200)
    use_context: Text = ""
    affected_groups: Text = ""
    involvement: Involvement
    scale: Rating = Field(..., description="How grave the harm is, 1 to 5")
    scope: Rating = Field(..., description="How many people it reaches, 1 to 5")
    irremediability: Rating = Field(..., description="How hard it is to put right, 1 to 5")
    likelihood: Rating
    review_on: datetime.date
    owner_id: Id | None = Field(None, description="A member of the organisation; defaults to you")
    rights: list[Code] = Field(..., min_length=1, max_length=40, description="Codes from GET /rights")
    markets: list[Country] = Field(default_factory=list, max_length=250)


class RiskPatch(Schema):
    reason: str = Field(..., min_length=1, max_length=500, description="Why the risk changes: the history keeps it")
    title: str | None = Field(None, min_length=1, max_length=200)
    description: Text | None = None
    product: str | None = Field(None, min_length=1, max_length=200)
    use_context: Text | None = None
    affected_groups: Text | None = None
    involvement: Involvement | None = None
    scale: Rating | None = None
    scope: Rating | None = None
    irremediability: Rating | None = None
    likelihood: Rating | None = None
    review_on: datetime.date | None = None
    owner_id: Id | None = None
    rights: list[Code] | None = Field(None, min_length=1, max_length=40)
    markets: list[Country] | None = Field(None, max_length=250)


class RiskOut(Schema):
    id: int
    rank: int | None = Field(None, description="Place among the open risks listed, most severe first")
    title: str
    description: str
    product: str
    use_context: str
    affected_groups: str
    involvement: str
    scale: int
    scope: int
    irremediability: int
    likelihood: int
    severity: int
    priority: int
    severe: bool
    owner_level: str
    owner_id: int
    owner: str
    review_on: datetime.date
    rights: list[str]
    markets: list[str]
    created_at: datetime.datetime
    updated_at: datetime.datetime
    closed_at: datetime.datetime | None
    mitigations_awaiting_reassessment: int = Field(
        ..., description="Its mitigations a context event flagged that nobody has reassessed yet")

    @staticmethod
    def resolve_mitigations_awaiting_reassessment(obj) -> int:
        counted = getattr(obj, "awaiting_reassessment", None)
        return counted if counted is not None else obj.mitigations.flagged().count()

    @staticmethod
    def resolve_rank(obj) -> int | None:
        return getattr(obj, "rank", None)

    @staticmethod
    def resolve_severe(obj) -> bool:
        return obj.is_severe

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.get_username()

    @staticmethod
    def resolve_rights(obj) -> list[str]:
        return obj.rights_codes

    @staticmethod
    def resolve_markets(obj) -> list[str]:
        return obj.market_codes


class RiskQuery(Schema):
    q: str = Field("", max_length=100)
    right: str = Field("", max_length=40)
    grouping: str = Field("", max_length=40, description="a family of rights from GET /rights")
    market: str = Field("", max_length=2)
    product: str = Field("", max_length=200)
    level: OwnerLevel | None = None
    severe: bool = False
    due_for_review: bool = False
    awaiting_reassessment: bool = Field(False, description="Only risks with mitigations awaiting reassessment")


ORDER = (F("priority").desc(), F("irremediability").desc(), F("id").asc())


def _ranked_risk(viewer: Viewer, risk_id: int) -> Risk:
    """One risk with its place in the register (open risks only; a closed risk has none)."""
    risk = queries.access_risk(viewer, risk_id)
    if risk.closed_at is None:
        ahead = (Q(priority__gt=risk.priority) | Q(priority=risk.priority, irremediability__gt=risk.irremediability)
                 | Q(priority=risk.priority, irremediability=risk.irremediability, id__lt=risk.pk))
        risk.rank = queries.visible_risks(viewer).open().filter(ahead).count() + 1
    return risk


def _plan_of(risk: Risk) -> actions.RiskPlan:
    return actions.RiskPlan(
        title=risk.title, product=risk.product, involvement=risk.involvement, scale=risk.scale, scope=risk.scope,
        irremediability=risk.irremediability, likelihood=risk.likelihood, review_on=risk.review_on,
        description=risk.description, use_context=risk.use_context, affected_groups=risk.affected_groups,
        owner=risk.owner, rights=risk.rights_codes, markets=risk.market_codes,
    )


PLAN_FIELDS = ("title", "description", "product", "use_context", "affected_groups", "involvement", "scale", "scope",
               "irremediability", "likelihood", "review_on", "rights", "markets")


@router.get("/risks", response=documented({200: list[RiskOut]}),
            summary="The register: open risks ranked by priority (severity first, likelihood second)")
@paginate(ApiPages)
def list_risks(request, filters: Query[RiskQuery]):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    if filters.grouping and filters.grouping not in {g.code for g in rights_taxonomy.GROUPINGS}:
        raise DjangoValidationError({"grouping": [_("Unknown family of rights: %(code)s.") % {
            "code": filters.grouping}]})
    chosen = queries.RiskFilters(q=filters.q, right=filters.right, grouping=filters.grouping, market=filters.market,
                                 product=filters.product,
                                 level=_value(filters.level) or "", severe=filters.severe,
                                 due_for_review=filters.due_for_review,
                                 awaiting_reassessment=filters.awaiting_reassessment)
    return queries.risk_register(viewer, chosen, timezone.localdate()).annotate(
        rank=Window(RowNumber(), order_by=ORDER))


@router.post("/risks", response=documented({201: RiskOut}), summary="Register a salient risk")
def create_risk(request, payload: RiskIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    owner = _member(viewer, payload.owner_id, "owner_id")
    plan = actions.RiskPlan(**{name: _value(getattr(payload, name)) for name in PLAN_FIELDS}, owner=owner)
    risk = actions.create_risk(plan=plan, by=viewer)
    return Status(201, _ranked_risk(viewer, risk.pk))


@router.get("/risks/{int:risk_id}", response=documented({200: RiskOut}), summary="One risk")
def get_risk(request, risk_id: int):
    return _ranked_risk(request.auth, risk_id)


@router.get("/risks/{int:risk_id}/heard", response=documented({200: HeardOut}),
            summary="Who was heard on a risk (S2): the speakers of its linked inputs broken down, and the gaps")
def risk_heard(request, risk_id: int):
    viewer = request.auth
    return heard_out(queries.who_was_heard_on(queries.access_risk(viewer, risk_id), viewer), viewer)


@router.patch("/risks/{int:risk_id}", response=documented({200: RiskOut}),
              summary="Change a risk (its ratings, rights, markets, owner…), with the reason kept in its history")
def update_risk(request, risk_id: int, payload: RiskPatch):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    risk = queries.access_risk(viewer, risk_id)
    plan = _plan_of(risk)
    for name in PLAN_FIELDS:
        value = getattr(payload, name)
        if name in payload.model_fields_set and value is not None:
            setattr(plan, name, _value(value))
    if payload.owner_id is not None:
        plan.owner = _member(viewer, payload.owner_id, "owner_id")
    actions.update_risk(risk=risk, plan=plan, reason=payload.reason, by=viewer)
    return _ranked_risk(viewer, risk.pk)


class RiskChangeOut(Schema):
    id: int
    changed_at: datetime.datetime
    changed_by: str | None
    reason: str
    changed_fields: list[str]
    before: dict[str, Any]
    after: dict[str, Any]

    @staticmethod
    def resolve_changed_by(obj) -> str | None:
        return obj.changed_by.get_username() if obj.changed_by else None


@router.get("/risks/{int:risk_id}/history", response=documented({200: list[RiskChangeOut]}),
            summary="Every change of a risk: who, when, why, before and after")
@paginate(ApiPages)
def risk_history(request, risk_id: int):
    risk = queries.access_risk(request.auth, risk_id)
    return risk.changes.select_related("changed_by")


# Mitigations ---------------------------------------------------------------

class MitigationIn(Schema):
    action: str = Field(..., min_length=1, max_length=10000)
    owner_id: Id | None = Field(None, description="A member of the organisation; defaults to you")
    status: MitigationStatus = MitigationStatus.PLANNED
    due_on: datetime.date | None = None
    reason: Text = Field("", description="Required for not_mitigated and cannot_mitigate")
    remedy_plan: Text = Field("", description="Required for not_mitigated and cannot_mitigate")
    why: str = Field("", max_length=500, description="Why it is added; kept as the first entry of its history")


class MitigationPatch(Schema):
    action: str | None = Field(None, min_length=1, max_length=10000)
    owner_id: Id | None = None
    status: MitigationStatus | None = None
    due_on: datetime.date | None = None
    reason: Text | None = None
    remedy_plan: Text | None = None
    why: str = Field("", max_length=500, description="Why it changes: required when anything changes, kept in "
                                                    "its history")
    reassessed: bool = Field(False, description="No longer accepted: clear the flag with POST "
                                                "/mitigations/{id}/reassessment, saying what was reassessed")


class MitigationOut(Schema):
    id: int
    risk_id: int
    action: str
    owner_id: int
    owner: str
    status: str
    due_on: datetime.date | None
    reason: str
    remedy_plan: str
    needs_reassessment: bool
    flagged_by_id: int | None
    effectiveness: Effectiveness = Field(..., description="The judgement of its latest assessment")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.get_username()


@router.get("/risks/{int:risk_id}/mitigations", response=documented({200: list[MitigationOut]}),
            summary="Mitigations of a risk")
def list_mitigations(request, risk_id: int):
    risk = queries.access_risk(request.auth, risk_id)
    return list(risk.mitigations.select_related("owner").order_by("id"))


class MyMitigationOut(MitigationOut):
    risk_title: str
    overdue: bool = Field(..., description="Past its due date and not done")
    due_soon: bool = Field(..., description="Due within two weeks and not done")
    awaiting_reassessment: bool = Field(..., description="Flagged by a context event, on a risk still open")

    @staticmethod
    def resolve_risk_title(obj) -> str:
        return obj.risk.title


class MyMitigationsQuery(Schema):
    order: Literal["due", "-due", "risk"] = Field("due", description="By due date (undated last), or by risk")
    show: Literal["open", "flagged", "all"] = Field(
        "open", description="Not done; only those awaiting reassessment; or all, done included")


@router.get("/mitigations/mine", response=documented({200: list[MyMitigationOut]}),
            summary="The mitigations the caller owns, with what is due and what is flagged for reassessment")
@paginate(ApiPages)
def my_mitigations(request, filters: Query[MyMitigationsQuery]):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    return queries.my_mitigations(viewer, timezone.localdate(), order=filters.order,
                                  include_done=filters.show == "all", flagged_only=filters.show == "flagged")


@router.post("/risks/{int:risk_id}/mitigations", response=documented({201: MitigationOut}),
             summary="Add a mitigation, or record that the risk is not or cannot be mitigated (with a remedy plan)")
def add_mitigation(request, risk_id: int, payload: MitigationIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    risk = queries.access_risk(viewer, risk_id)
    owner = _member(viewer, payload.owner_id, "owner_id") or viewer.user
    mitigation = actions.add_mitigation(
        risk=risk, action=payload.action, owner=owner, status=_value(payload.status), due_on=payload.due_on,
        reason=payload.reason, remedy_plan=payload.remedy_plan, why=payload.why, by=viewer)
    return Status(201, queries.access_mitigation(viewer, mitigation.pk))


@router.patch("/mitigations/{int:mitigation_id}", response=documented({200: MitigationOut}),
              summary="Change a mitigation (its owner may too)")
def update_mitigation(request, mitigation_id: int, payload: MitigationPatch):
    viewer = request.auth
    mitigation = queries.access_mitigation(viewer, mitigation_id)
    if not actions.may_change_mitigation(viewer, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can change this mitigation."))
    if payload.reassessed:
        raise DjangoValidationError({"reassessed": [_("Clear the flag with POST /mitigations/{id}/reassessment, "
                                                      "saying what was reassessed and the resulting judgement.")]})
    given = payload.model_fields_set
    values = {name: getattr(mitigation, name) for name in ("action", "status", "due_on", "reason", "remedy_plan")}
    for name in values:
        if name in given and (getattr(payload, name) is not None or name == "due_on"):
            values[name] = _value(getattr(payload, name))
    owner = _member(viewer, payload.owner_id, "owner_id") if payload.owner_id is not None else None
    actions.update_mitigation(mitigation=mitigation, owner=owner, why=payload.why, by=viewer, **values)
    return queries.access_mitigation(viewer, mitigation_id)


# Effectiveness, reassessment and the trail of a mitigation (R4) -------------

class MitigationChangeOut(RiskChangeOut):
    pass


@router.get("/mitigations/{int:mitigation_id}/history", response=documented({200: list[MitigationChangeOut]}),
            summary="Every change of a mitigation (action, status, owner, due date, effectiveness, reassessment "
                    "flag): who, when, why, before and after")
@paginate(ApiPages)
def mitigation_history(request, mitigation_id: int):
    mitigation = queries.access_mitigation(request.auth, mitigation_id)
    return mitigation.changes.select_related("changed_by")


Ids = Annotated[list[Id], Field(max_length=200)]


class CitationsIn(Schema):
    assessed_on: datetime.date | None = Field(None, description="Defaults to today; never in the future")
    indicator_ids: Ids = Field(default_factory=list, description="This mitigation's indicators")
    evidence_ids: Ids = Field(default_factory=list, description="Evidence recorded for this mitigation's indicators")
    input_ids: Ids = Field(default_factory=list, description="Views from the ground: inputs you may read")


class AssessmentIn(CitationsIn):
    judgement: Effectiveness
    reasoning: str = Field(..., min_length=1, max_length=10000)


class ReassessmentIn(CitationsIn):
    judgement: Effectiveness = Field(..., description="The effectiveness the reassessment found")
    note: str = Field(..., min_length=1, max_length=10000, description="What was reassessed, and what it showed")


class AssessmentOut(Schema):
    id: int
    judgement: Effectiveness
    assessed_on: datetime.date
    reasoning: str
    answers_event_id: int | None = Field(..., description="The context event this reassessment answers")
    indicator_ids: list[int]
    evidence_ids: list[int]
    input_ids: list[int] = Field(..., description="The cited inputs you may read")
    inputs_not_shown: int = Field(..., description="Cited inputs you may not read (their speakers stay unnamed)")
    assessed_by: str | None
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_answers_event_id(obj) -> int | None:
        return obj.answers_id

    @staticmethod
    def resolve_indicator_ids(obj) -> list[int]:
        return sorted(item.pk for item in obj.indicators.all())

    @staticmethod
    def resolve_evidence_ids(obj) -> list[int]:
        return sorted(item.pk for item in obj.evidence.all())

    @staticmethod
    def resolve_input_ids(obj) -> list[int]:
        return sorted(item.pk for item in obj.inputs.all() if item.pk in obj.readable_inputs)

    @staticmethod
    def resolve_inputs_not_shown(obj) -> int:
        return sum(1 for item in obj.inputs.all() if item.pk not in obj.readable_inputs)

    @staticmethod
    def resolve_assessed_by(obj) -> str | None:
        return obj.assessed_by.get_username() if obj.assessed_by else None


def _assessments(viewer: Viewer, mitigation: Mitigation, only: int | None = None) -> list:
    """The mitigation's assessments, each knowing which of its cited inputs the viewer may read."""
    found = queries.assessments_of(mitigation)
    found = list(found.filter(pk=only) if only else found)
    cited = {item.pk for assessment in found for item in assessment.inputs.all()}
    readable = set(engagement_queries.visible_inputs(viewer).filter(pk__in=cited).values_list("pk", flat=True)
                   if cited else ())
    for assessment in found:
        assessment.readable_inputs = readable
    return found


def _citations(viewer: Viewer, mitigation: Mitigation, payload: CitationsIn) -> dict:
    """The cited objects, or 'not found' for an id that is not this mitigation's (or not an input you may read)."""
    return {
        "indicators": _all_visible(Indicator.objects.filter(mitigation=mitigation), payload.indicator_ids),
        "evidence": _all_visible(Evidence.objects.filter(indicator__mitigation=mitigation), payload.evidence_ids),
        "inputs": _all_visible(engagement_queries.visible_inputs(viewer), payload.input_ids),
    }


def _assessable(viewer: Viewer, mitigation_id: int) -> Mitigation:
    mitigation = queries.access_mitigation(viewer, mitigation_id)
    if not actions.may_change_mitigation(viewer, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can assess this mitigation."))
    return mitigation


@router.get("/mitigations/{int:mitigation_id}/assessments", response=documented({200: list[AssessmentOut]}),
            summary="A mitigation's effectiveness assessments, newest first (kept as written)")
def list_assessments(request, mitigation_id: int):
    viewer = request.auth
    return _assessments(viewer, queries.access_mitigation(viewer, mitigation_id))


@router.post("/mitigations/{int:mitigation_id}/assessments", response=documented({201: AssessmentOut}),
             summary="Judge a mitigation's effectiveness, citing indicators, evidence and views from the ground")
def assess_mitigation(request, mitigation_id: int, payload: AssessmentIn):
    viewer = request.auth
    mitigation = _assessable(viewer, mitigation_id)
    assessment = actions.assess_mitigation(
        mitigation=mitigation, judgement=_value(payload.judgement), reasoning=payload.reasoning,
        assessed_on=payload.assessed_on or timezone.localdate(), by=viewer,
        **_citations(viewer, mitigation, payload))
    return Status(201, _assessments(viewer, mitigation, only=assessment.pk)[0])


@router.post("/mitigations/{int:mitigation_id}/reassessment", response=documented({201: AssessmentOut}),
             summary="Clear the reassessment flag a context event raised: say what was reassessed and the "
                     "resulting judgement")
def reassess_mitigation(request, mitigation_id: int, payload: ReassessmentIn):
    viewer = request.auth
    mitigation = _assessable(viewer, mitigation_id)
    assessment = actions.reassess_mitigation(
        mitigation=mitigation, judgement=_value(payload.judgement), note=payload.note,
        assessed_on=payload.assessed_on, by=viewer, **_citations(viewer, mitigation, payload))
    return Status(201, _assessments(viewer, mitigation, only=assessment.pk)[0])


class ReassessmentFlagOut(Schema):
    id: int
    event_id: int
    event_title: str
    raised_at: datetime.datetime
    answered_by_assessment_id: int | None

    @staticmethod
    def resolve_event_title(obj) -> str:
        return obj.event.title

    @staticmethod
    def resolve_answered_by_assessment_id(obj) -> int | None:
        return obj.answered_by_id


@router.get("/mitigations/{int:mitigation_id}/reassessment-flags",
            response=documented({200: list[ReassessmentFlagOut]}),
            summary="Every context event that flagged a mitigation for reassessment, and the assessment that "
                    "answered it")
def list_reassessment_flags(request, mitigation_id: int):
    mitigation = queries.access_mitigation(request.auth, mitigation_id)
    return list(queries.reassessment_flags_of(mitigation))


# Links between inputs and risks, mitigations and decisions (S2) -----------

class InputIdsIn(Schema):
    input_ids: list[Id] = Field(..., min_length=1, max_length=500)


class LinkedInputOut(Schema):
    id: int
    engagement_id: int
    speaker: str
    attribution: str
    text: str
    language: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_speaker(obj, context) -> str:
        return engagement_queries.speaker_label(obj, context["request"].auth)


class LinkResultOut(Schema):
    changed: int = Field(..., description="How many links were made (or undone)")
    input_ids: list[int] = Field(..., description="The inputs you may read that are now linked")


def _linked_inputs(viewer: Viewer, target) -> list[int]:
    return list(engagement_queries.visible_inputs(viewer).filter(pk__in=target.inputs.values("pk"))
                .order_by("id").values_list("pk", flat=True))


def _change_risk_links(request, risk_id: int, payload: InputIdsIn, *, unlink: bool) -> dict:
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    risk = queries.access_risk(viewer, risk_id)
    inputs = _all_visible(engagement_queries.visible_inputs(viewer), payload.input_ids)
    changed = actions.link_inputs(target=risk, inputs=inputs, by=viewer, unlink=unlink)
    return {"changed": changed, "input_ids": _linked_inputs(viewer, risk)}


@router.get("/risks/{int:risk_id}/inputs", response=documented({200: list[LinkedInputOut]}),
            summary="The stakeholder inputs linked to a risk that you may read")
@paginate(ApiPages)
def list_risk_inputs(request, risk_id: int):
    viewer = request.auth
    risk = queries.access_risk(viewer, risk_id)
    return (engagement_queries.visible_inputs(viewer).filter(risks=risk)
            .select_related("speaker__stakeholder", "group").order_by("id"))


@router.post("/risks/{int:risk_id}/inputs", response=documented({200: LinkResultOut}),
             summary="Link stakeholder inputs to a risk")
def link_risk_inputs(request, risk_id: int, payload: InputIdsIn):
    return _change_risk_links(request, risk_id, payload, unlink=False)


@router.delete("/risks/{int:risk_id}/inputs", response=documented({200: LinkResultOut}),
               summary="Unlink stakeholder inputs from a risk")
def unlink_risk_inputs(request, risk_id: int, payload: InputIdsIn):
    return _change_risk_links(request, risk_id, payload, unlink=True)


class TargetsIn(Schema):
    risk_ids: list[Id] = Field(default_factory=list, max_length=200)
    mitigation_ids: list[Id] = Field(default_factory=list, max_length=200)
    decision_ids: list[Id] = Field(default_factory=list, max_length=200)


class LinkedRiskOut(Schema):
    id: int
    title: str


class LinkedMitigationOut(Schema):
    id: int
    risk_id: int
    action: str
    status: str


class InputLinksOut(Schema):
    input_id: int
    risks: list[LinkedRiskOut]
    mitigations: list[LinkedMitigationOut]
    decisions: list[LinkedRiskOut]
    changed: int = 0


def _input_links(viewer: Viewer, item: Input, changed: int = 0) -> dict:
    risks = queries.visible_risks(viewer)
    return {
        "input_id": item.pk,
        "risks": list(risks.filter(inputs=item).order_by("id")),
        "mitigations": list(Mitigation.objects.filter(risk__in=risks, inputs=item).order_by("id")),
        "decisions": list(queries.visible_decisions(viewer).filter(inputs=item).order_by("id")),
        "changed": changed,
    }


def _change_input_links(request, input_id: int, payload: TargetsIn, *, unlink: bool) -> dict:
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    item = engagement_queries.access_input(viewer, input_id)
    risks = queries.visible_risks(viewer)
    targets = [
        *_all_visible(risks, payload.risk_ids),
        *_all_visible(Mitigation.objects.filter(risk__in=risks), payload.mitigation_ids),
        *_all_visible(queries.visible_decisions(viewer), payload.decision_ids),
    ]
    if not targets:
        raise DjangoValidationError({"__all__": [_("Name at least one risk, mitigation or decision.")]})
    with transaction.atomic():
        changed = sum(actions.link_inputs(target=target, inputs=[item], by=viewer, unlink=unlink)
                      for target in targets)
    return _input_links(viewer, item, changed)


@router.get("/inputs/{int:input_id}/links", response=documented({200: InputLinksOut}),
            summary="The risks, mitigations and strategic decisions an input is linked to")
def list_input_links(request, input_id: int):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    return _input_links(viewer, engagement_queries.access_input(viewer, input_id))


@router.post("/inputs/{int:input_id}/links", response=documented({200: InputLinksOut}),
             summary="Link an input to risks, mitigations and strategic decisions")
def link_input(request, input_id: int, payload: TargetsIn):
    return _change_input_links(request, input_id, payload, unlink=False)


@router.delete("/inputs/{int:input_id}/links", response=documented({200: InputLinksOut}),
               summary="Unlink an input from risks, mitigations and strategic decisions")
def unlink_input(request, input_id: int, payload: TargetsIn):
    return _change_input_links(request, input_id, payload, unlink=True)


# Strategic decisions -------------------------------------------------------

class StrategicDecisionIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    category: DecisionCategory
    description: Text = ""
    risk_ids: list[Id] = Field(default_factory=list, max_length=200)
    engagement_ids: list[Id] = Field(default_factory=list, max_length=200)
    risk_picture: Text = Field("", description="Step 1: the current picture of the linked risks")
    mitigation_plan: Text = Field("", description="Step 2: the mitigations, and the risks not or not yet mitigated")
    remedy_plan: Text = Field("", description="Step 3: how remedy would be delivered")
    communication: Communication | None = Field(None, description="Step 4: how it will be communicated")
    communication_plan: Text = ""
    communication_is_safe: bool = False
    no_engagement_reason: Text = ""
    outcome: DecisionOutcome | None = Field(None, description="What was decided; required before it is taken")
    deferred_to: datetime.date | None = Field(None, description="Only with outcome deferred: when it is taken up again")
    markets: list[Country] = Field(default_factory=list, max_length=250, description=(
        "The countries a market entry, geographic expansion or high-risk sale concerns: local voices from each "
        "must be heard before it is taken"))


class StrategicDecisionPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=200)
    category: DecisionCategory | None = None
    description: Text | None = None
    risk_ids: list[Id] | None = Field(None, max_length=200)
    engagement_ids: list[Id] | None = Field(None, max_length=200)
    risk_picture: Text | None = None
    mitigation_plan: Text | None = None
    remedy_plan: Text | None = None
    communication: Communication | None = None
    communication_plan: Text | None = None
    communication_is_safe: bool | None = None
    no_engagement_reason: Text | None = None
    outcome: DecisionOutcome | None = None
    deferred_to: datetime.date | None = None
    markets: list[Country] | None = Field(None, max_length=250)


class ConditionOut(Schema):
    id: int
    decision_id: int
    text: str
    owner_id: int
    owner: str
    due_on: datetime.date
    status: str
    note: str
    overdue: bool = Field(..., description="Open and past its due date on a decision taken")
    closed_by: str | None
    closed_at: datetime.datetime | None

    @staticmethod
    def resolve_owner(obj) -> str:
        return obj.owner.get_username()

    @staticmethod
    def resolve_closed_by(obj) -> str | None:
        return obj.closed_by.get_username() if obj.closed_by else None

    @staticmethod
    def resolve_overdue(obj) -> bool:
        return (obj.status == ConditionStatus.OPEN and obj.due_on < timezone.localdate()
                and obj.decision.status == DecisionStatus.DECIDED)


class StrategicDecisionOut(Schema):
    id: int
    title: str
    category: str
    description: str
    status: str
    risk_ids: list[int]
    engagement_ids: list[int]
    risk_picture: str
    mitigation_plan: str
    remedy_plan: str
    communication: str
    communication_plan: str
    communication_is_safe: bool
    no_engagement_reason: str
    outcome: str
    deferred_to: datetime.date | None
    conditions: list[ConditionOut]
    markets: list[str]
    against_severe_risk: bool = Field(..., description=(
        "A market entry or high-risk sale going ahead (go, go with conditions) while a linked severe risk is "
        "recorded as not or cannot be mitigated: shown wherever the decision is listed, with its remedy plan"))
    decided_at: datetime.datetime | None
    decided_by: str | None = Field(..., description="Who took it, or put it to the board")
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_conditions(obj) -> list:
        return sorted(obj.conditions.all(), key=lambda c: (c.due_on, c.pk))

    @staticmethod
    def resolve_risk_ids(obj) -> list[int]:
        return sorted(r.pk for r in obj.risks.all())

    @staticmethod
    def resolve_engagement_ids(obj) -> list[int]:
        return sorted(e.pk for e in obj.engagements.all())

    @staticmethod
    def resolve_markets(obj) -> list[str]:
        return sorted(m.country for m in obj.markets.all())

    @staticmethod
    def resolve_decided_by(obj) -> str | None:
        return obj.decided_by.get_username() if obj.decided_by else None


class SevereExposureOut(Schema):
    risk_id: int
    title: str
    remedy_plans: list[str]


class SignOffOut(Schema):
    id: int
    verdict: str
    by: str
    at: datetime.datetime
    comment: str
    outcome: str
    deferred_to: datetime.date | None
    conditions: list[dict] = Field(..., description="The conditions as they stood when signed or declined")
    voided_at: datetime.datetime | None

    @staticmethod
    def resolve_by(obj) -> str:
        return obj.by.get_username()


class MarketVoicesOut(Schema):
    country: str
    main_languages: list[str] = Field(..., description="ISO 639-1 codes, the most widely spoken first (CLDR)")
    experts: int = Field(..., description="Local experts heard in one of the main languages (distinct people)")
    experts_needed: int
    affected: int = Field(..., description="Affected stakeholders or credible proxies (or groups a proxy spoke "
                                           "for) heard in one of the main languages")
    affected_needed: int
    missing: list[str] = Field(..., description="What is missing, in the caller's language")


class LocalVoicesOut(Schema):
    applies: bool = Field(..., description="A market entry, geographic expansion or high-risk sale")
    heard: bool
    blocks: bool = Field(..., description="The gate keeps the decision from being taken")
    needs_markets: bool
    overridden: bool
    override_reason: str
    overridden_by: str | None
    overridden_at: datetime.datetime | None
    markets: list[MarketVoicesOut]


class StrategicDecisionDetailOut(StrategicDecisionOut):
    blockers: dict[str, str] = Field(..., description="What still stops the decision being taken, by field")
    board_sign_off_needed: bool = Field(..., description="A linked risk is owned at board level")
    awaiting_sign_off_from: list[str] = Field(..., description="The board members who may sign it off, while "
                                                                "it awaits the board")
    severe_risks_without_mitigation: list[SevereExposureOut] = Field(
        ..., description="With against_severe_risk: the risks it goes ahead against, and their remedy plans")
    sign_offs: list[SignOffOut]
    local_voices: LocalVoicesOut = Field(..., description="The local-voices gate (G2), market by market")

    @staticmethod
    def resolve_local_voices(obj) -> dict:
        voices = gate.local_voices(obj)
        return {
            "applies": voices.applies, "heard": voices.heard, "blocks": voices.blocks,
            "needs_markets": voices.needs_markets, "overridden": voices.overridden,
            "override_reason": voices.override_reason,
            "overridden_by": obj.local_voices_overridden_by.get_username() if obj.local_voices_overridden_by else None,
            "overridden_at": obj.local_voices_overridden_at,
            "markets": [{"country": m.country, "main_languages": list(m.main_languages), "experts": m.experts,
                         "experts_needed": m.experts_needed, "affected": m.affected,
                         "affected_needed": m.affected_needed, "missing": m.missing} for m in voices.markets],
        }

    @staticmethod
    def resolve_blockers(obj) -> dict[str, str]:
        return actions.blockers(obj) if obj.status == DecisionStatus.DRAFT else {}

    @staticmethod
    def resolve_board_sign_off_needed(obj) -> bool:
        return actions.needs_board_sign_off(obj)

    @staticmethod
    def resolve_awaiting_sign_off_from(obj) -> list[str]:
        if obj.status != DecisionStatus.AWAITING_BOARD:
            return []
        return [user.get_username() for user in decision_actions.board_members(obj.organisation)]

    @staticmethod
    def resolve_severe_risks_without_mitigation(obj) -> list:
        return queries.severe_exposures(obj) if obj.against_severe_risk else []

    @staticmethod
    def resolve_sign_offs(obj) -> list:
        return list(queries.sign_offs_of(obj))


class DecisionQuery(Schema):
    status: DecisionStatus | None = None
    category: DecisionCategory | None = None
    outcome: DecisionOutcome | None = None
    against_severe_risk: bool | None = None


DECISION_TEXT = ("title", "category", "description", "risk_picture", "mitigation_plan", "remedy_plan",
                 "communication", "communication_plan", "communication_is_safe", "no_engagement_reason", "outcome",
                 "deferred_to")
# Fields a PATCH may set back to empty with an explicit null.
CLEARABLE = ("outcome", "deferred_to")


def _with_details(decisions):
    conditions = Prefetch("conditions", queryset=DecisionCondition.objects.select_related("owner", "closed_by",
                                                                                        "decision"))
    return (decisions.with_against_severe_risk()
            .select_related("decided_by", "organisation", "local_voices_overridden_by")
            .prefetch_related("risks", "engagements", "markets", conditions))


def _decision(viewer: Viewer, decision_id: int) -> StrategicDecision:
    return queries._get(_with_details(queries.visible_decisions(viewer)), decision_id)


def _engagements(viewer: Viewer, ids: list[int]) -> list[Engagement]:
    return _all_visible(engagement_queries.visible_engagements(viewer), ids)


@router.get("/strategic-decisions", response=documented({200: list[StrategicDecisionOut]}),
            summary="Strategic decisions with human rights stakes")
@paginate(ApiPages)
def list_strategic_decisions(request, filters: Query[DecisionQuery]):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    found = _with_details(queries.visible_decisions(viewer))
    if filters.status:
        found = found.filter(status=_value(filters.status))
    if filters.category:
        found = found.filter(category=_value(filters.category))
    if filters.outcome:
        found = found.filter(outcome=_value(filters.outcome))
    if filters.against_severe_risk is not None:
        found = found.filter(against_severe_risk=filters.against_severe_risk)
    return found.order_by("-updated_at", "-id")


@router.post("/strategic-decisions", response=documented({201: StrategicDecisionDetailOut}),
             summary="Prepare a strategic decision (business model, market entry, investment, design, …)")
def create_strategic_decision(request, payload: StrategicDecisionIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    values = {name: _value(getattr(payload, name)) for name in DECISION_TEXT}
    values["communication"] = values["communication"] or ""
    values["outcome"] = values["outcome"] or ""
    plan = actions.DecisionPlan(**values, risks=_all_visible(queries.visible_risks(viewer), payload.risk_ids),
                                engagements=_engagements(viewer, payload.engagement_ids), markets=payload.markets)
    decision = actions.create_strategic_decision(plan=plan, by=viewer)
    return Status(201, _decision(viewer, decision.pk))


@router.get("/strategic-decisions/{int:decision_id}", response=documented({200: StrategicDecisionDetailOut}),
            summary="One strategic decision, with what still blocks it")
def get_strategic_decision(request, decision_id: int):
    return _decision(request.auth, decision_id)


@router.get("/strategic-decisions/{int:decision_id}/heard", response=documented({200: HeardOut}),
            summary="Who was heard on a strategic decision (S2): inputs linked to it and to the engagements "
                    "consulted, broken down, and the gaps")
def decision_heard(request, decision_id: int):
    viewer = request.auth
    decision = queries.access_strategic_decision(viewer, decision_id)
    return heard_out(queries.who_was_heard_on_decision(decision, viewer), viewer)


@router.patch("/strategic-decisions/{int:decision_id}", response=documented({200: StrategicDecisionDetailOut}),
              summary="Work on a strategic decision's four steps")
def update_strategic_decision(request, decision_id: int, payload: StrategicDecisionPatch):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    decision = _decision(viewer, decision_id)
    values = {name: getattr(decision, name) for name in DECISION_TEXT}
    for name in DECISION_TEXT:
        if name in payload.model_fields_set and (getattr(payload, name) is not None or name in CLEARABLE):
            values[name] = _value(getattr(payload, name))
    values["outcome"] = values["outcome"] or ""
    if values["outcome"] != DecisionOutcome.DEFERRED and "deferred_to" not in payload.model_fields_set:
        values["deferred_to"] = None  # leaving "deferred" forgets the date, as the page does
    risks = list(decision.risks.all()) if payload.risk_ids is None else _all_visible(
        queries.visible_risks(viewer), payload.risk_ids)
    engagements = list(decision.engagements.all()) if payload.engagement_ids is None else _engagements(
        viewer, payload.engagement_ids)
    markets = sorted(m.country for m in decision.markets.all()) if payload.markets is None else payload.markets
    plan = actions.DecisionPlan(**values, risks=risks, engagements=engagements, markets=markets)
    actions.update_strategic_decision(decision=decision, plan=plan, by=viewer)
    return _decision(viewer, decision_id)


@router.post("/strategic-decisions/{int:decision_id}/decide", response=documented({200: StrategicDecisionDetailOut}),
             summary="Mark the decision taken: 400 with the blockers while a step is missing or a severe linked "
                     "risk is unmitigated without a remedy plan")
def decide_strategic_decision(request, decision_id: int):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    decision = _decision(viewer, decision_id)
    actions.take_strategic_decision(decision=decision, by=viewer)
    return _decision(viewer, decision_id)


class SignOffIn(Schema):
    comment: str = Field(..., min_length=1, max_length=5000, description="Recorded with your name")


@router.post("/strategic-decisions/{int:decision_id}/sign-off", response=documented({200: StrategicDecisionDetailOut}),
             summary="As a board member, sign off a decision put to the board: from then on it counts as taken")
def sign_off_strategic_decision(request, decision_id: int, payload: SignOffIn):
    viewer = request.auth
    _require(viewer, Capability.DECISIONS_SIGN_OFF)
    decision = _decision(viewer, decision_id)
    decision_actions.sign_off_decision(decision=decision, comment=payload.comment, by=viewer)
    return _decision(viewer, decision_id)


@router.post("/strategic-decisions/{int:decision_id}/decline", response=documented({200: StrategicDecisionDetailOut}),
             summary="As a board member, decline to sign off: the decision goes back to the team with your comment")
def decline_strategic_decision(request, decision_id: int, payload: SignOffIn):
    viewer = request.auth
    _require(viewer, Capability.DECISIONS_SIGN_OFF)
    decision = _decision(viewer, decision_id)
    decision_actions.decline_sign_off(decision=decision, comment=payload.comment, by=viewer)
    return _decision(viewer, decision_id)


class LocalVoicesOverrideIn(Schema):
    reason: str = Field(..., min_length=1, max_length=5000,
                        description="Why it may be taken before local voices were heard; shown to the board")


@router.post("/strategic-decisions/{int:decision_id}/local-voices/override",
             response=documented({200: StrategicDecisionDetailOut}),
             summary="As the board or the administrator, let a market entry or high-risk sale be taken before local "
                     "voices from its markets were heard, with a reason (audited, shown on the board's view)")
def override_local_voices(request, decision_id: int, payload: LocalVoicesOverrideIn):
    viewer = request.auth
    _require(viewer, Capability.LOCAL_VOICES_OVERRIDE)
    decision = _decision(viewer, decision_id)
    actions.override_local_voices(decision=decision, reason=payload.reason, by=viewer)
    return _decision(viewer, decision_id)


@router.delete("/strategic-decisions/{int:decision_id}/local-voices/override",
               response=documented({200: StrategicDecisionDetailOut}),
               summary="Withdraw the override while the decision is being prepared: it waits for local voices again")
def withdraw_local_voices_override(request, decision_id: int):
    viewer = request.auth
    _require(viewer, Capability.LOCAL_VOICES_OVERRIDE)
    decision = _decision(viewer, decision_id)
    actions.withdraw_local_voices_override(decision=decision, by=viewer)
    return _decision(viewer, decision_id)


class LocalVoiceThresholdsOut(Schema):
    experts: int = Field(..., description="Local experts needed per market")
    affected: int = Field(..., description="Affected stakeholders or credible proxies needed per market")


class LocalVoiceThresholdsIn(Schema):
    experts: int = Field(..., ge=1, le=50)
    affected: int = Field(..., ge=1, le=50)


@router.get("/local-voice-thresholds", response=documented({200: LocalVoiceThresholdsOut}),
            summary="How many local voices each market of a gated decision needs (G2)")
def get_local_voice_thresholds(request):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    experts, affected = gate.thresholds(viewer.organisation)
    return {"experts": experts, "affected": affected}


@router.put("/local-voice-thresholds", response=documented({200: LocalVoiceThresholdsOut}),
            summary="Change how many local voices each market of a gated decision needs")
def put_local_voice_thresholds(request, payload: LocalVoiceThresholdsIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    row = actions.set_local_voice_thresholds(organisation=viewer.organisation, experts=payload.experts,
                                             affected=payload.affected, by=viewer)
    return {"experts": row.experts, "affected": row.affected}


class ConditionIn(Schema):
    text: str = Field(..., min_length=1, max_length=5000)
    owner_id: Id | None = Field(None, description="A member of the organisation; defaults to you")
    due_on: datetime.date


class ConditionPatch(Schema):
    text: str | None = Field(None, min_length=1, max_length=5000)
    owner_id: Id | None = None
    due_on: datetime.date | None = None
    status: ConditionStatus | None = None
    note: Text | None = Field(None, description="Required when the status is not_met or dropped")


@router.get("/strategic-decisions/{int:decision_id}/conditions", response=documented({200: list[ConditionOut]}),
            summary="The conditions of a decision, soonest due first")
def list_decision_conditions(request, decision_id: int):
    decision = queries.access_strategic_decision(request.auth, decision_id)
    return list(queries.conditions_of(decision).select_related("decision"))


@router.post("/strategic-decisions/{int:decision_id}/conditions", response=documented({201: ConditionOut}),
             summary="Add a condition to a go (once signed off by the board, this asks the board again)")
def add_decision_condition(request, decision_id: int, payload: ConditionIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    decision = queries.access_strategic_decision(viewer, decision_id)
    owner = _member(viewer, payload.owner_id, "owner_id") or viewer.user
    condition = decision_actions.add_condition(decision=decision, text=payload.text, owner=owner,
                                               due_on=payload.due_on, by=viewer)
    return Status(201, queries.access_condition(viewer, condition.pk))


@router.patch("/decision-conditions/{int:condition_id}", response=documented({200: ConditionOut}),
              summary="Change a condition, or record that it was met, not met or dropped (its owner may too)")
def update_decision_condition(request, condition_id: int, payload: ConditionPatch):
    viewer = request.auth
    condition = queries.access_condition(viewer, condition_id)
    if not decision_actions.may_change_condition(viewer, condition):
        raise PermissionDenied(_("Only the owner or the human rights team can change this condition."))
    given = payload.model_fields_set
    values = {name: getattr(condition, name) for name in ("text", "due_on", "status", "note")}
    for name in values:
        if name in given and getattr(payload, name) is not None:
            values[name] = _value(getattr(payload, name))
    owner = _member(viewer, payload.owner_id, "owner_id") if payload.owner_id is not None else condition.owner
    decision_actions.update_condition(condition=condition, owner=owner, by=viewer, **values)
    return queries.access_condition(viewer, condition_id)


# Context events ------------------------------------------------------------

class ContextEventIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    kind: EventKind
    description: Text = ""
    occurred_on: datetime.date
    countries: list[Country] = Field(default_factory=list, max_length=250)
    products: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list, max_length=50)


class ContextEventOut(Schema):
    id: int
    title: str
    kind: str
    description: str
    countries: list[str]
    products: list[str]
    occurred_on: datetime.date
    recorded_at: datetime.datetime
    flagged_mitigation_ids: list[int] = Field(..., description="Mitigations it flagged that still await reassessment")

    @staticmethod
    def resolve_flagged_mitigation_ids(obj) -> list[int]:
        return sorted(m.pk for m in obj.flagged_mitigations.all() if m.needs_reassessment)


@router.get("/context-events", response=documented({200: list[ContextEventOut]}),
            summary="Context events: changes in the world that may make mitigations ineffective")
@paginate(ApiPages)
def list_context_events(request):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    return queries.visible_events(viewer).prefetch_related("flagged_mitigations").order_by("-occurred_on", "-id")


@router.post("/context-events", response=documented({201: ContextEventOut}),
             summary="Record a context event; every mitigation it touches is flagged and its owner notified")
def record_context_event(request, payload: ContextEventIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    event = actions.record_context_event(
        title=payload.title, kind=_value(payload.kind), occurred_on=payload.occurred_on, by=viewer,
        description=payload.description, countries_touched=payload.countries, products=payload.products)
    return Status(201, queries._get(queries.visible_events(viewer).prefetch_related("flagged_mitigations"), event.pk))


@router.get("/context-events/{int:event_id}", response=documented({200: ContextEventOut}),
            summary="One context event")
def get_context_event(request, event_id: int):
    return queries._get(queries.visible_events(request.auth).prefetch_related("flagged_mitigations"), event_id)


# Escalation rules ------------------------------------------------------------

class EscalationRuleIO(Schema):
    level: str = Field(..., description="executive or board; the human rights team owns every other risk")
    min_severity: int = Field(..., description="severity (3 to 15) at least, together with min_likelihood")
    min_likelihood: int = Field(..., description="likelihood (1 to 5) at least; 1 means any likelihood")
    min_severity_any_likelihood: int | None = Field(
        None, description="severity first: at least this severity reaches the level whatever the likelihood")
    min_irremediability: int | None = Field(
        None, description="severity first: at least this irremediability (5: cannot be put right)...")
    min_severity_if_irremediable: int | None = Field(
        None, description="...with at least this severity reaches the level whatever the likelihood")


class LevelMoveOut(Schema):
    risk_id: int
    title: str
    severity: int
    irremediability: int
    likelihood: int
    before: str = Field(..., description="the level that owns the risk now")
    after: str = Field(..., description="the level the rules would give it")


class DefaultsOfferOut(Schema):
    version: int
    offered_at: datetime.datetime
    moves: list[LevelMoveOut] = Field(..., description="the open risks adopting the new defaults would move")


class EscalationOut(Schema):
    following_defaults: bool = Field(..., description="true while the organisation has set no rules of its own")
    rules: list[EscalationRuleIO] = Field(..., description="the rules in force, highest level first")
    defaults: list[EscalationRuleIO]
    defaults_version: int
    offer: DefaultsOfferOut | None = Field(
        None, description="newer defaults awaiting the organisation's answer (adopt or keep); nothing moves before")


class EscalationRulesIn(Schema):
    rules: list[EscalationRuleIO] = Field(..., max_length=2,
                                          description="one rule per level; an empty list means the defaults")


class RulesAppliedOut(Schema):
    moved: list[LevelMoveOut]
    escalation: EscalationOut


class PreviewOut(Schema):
    moves: list[LevelMoveOut]


def _escalation(viewer: Viewer) -> dict:
    own = queries.own_rules(viewer.organisation)
    offer = queries.pending_defaults_offer(viewer)
    return {
        "following_defaults": not own, "rules": escalation.thresholds(own),
        "defaults": escalation.thresholds(escalation.DEFAULT_RULES), "defaults_version": escalation.DEFAULTS_VERSION,
        "offer": offer and {"version": offer.version, "offered_at": offer.offered_at,
                            "moves": queries.level_moves(viewer.organisation, None)},
    }


def _thresholds(payload: EscalationRulesIn) -> list[escalation.Threshold]:
    return [escalation.Threshold(**rule.model_dump()) for rule in payload.rules]


@router.get("/escalation-rules", response=documented({200: EscalationOut}),
            summary="The escalation rules in force, the defaults, and any newer defaults awaiting an answer")
def get_escalation_rules(request):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    return _escalation(viewer)


@router.put("/escalation-rules", response=documented({200: RulesAppliedOut}),
            summary="Set the organisation's own escalation rules; every open risk is re-levelled at once")
def set_escalation_rules(request, payload: EscalationRulesIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    if not payload.rules:
        moved = actions.adopt_default_rules(organisation=viewer.organisation, by=viewer)
    else:
        moved = actions.set_escalation_rules(organisation=viewer.organisation, rules=_thresholds(payload), by=viewer)
    return {"moved": moved, "escalation": _escalation(viewer)}


@router.post("/escalation-rules/preview", response=documented({200: PreviewOut}),
             summary="The open risks a proposed set of rules would move, and where; nothing is saved")
def preview_escalation_rules(request, payload: EscalationRulesIn):
    viewer = request.auth
    _require(viewer, Capability.RISKS_VIEW)
    rules = _thresholds(payload)
    found = escalation.problems(rules)
    if found:
        raise DjangoValidationError({name: [message] for name, message in found.items()})
    return {"moves": queries.level_moves(viewer.organisation, rules or None)}


@router.post("/escalation-rules/adopt-defaults", response=documented({200: RulesAppliedOut}),
             summary="Follow the default rules (answering any offer of newer ones); every open risk is re-levelled")
def adopt_default_escalation_rules(request):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    moved = actions.adopt_default_rules(organisation=viewer.organisation, by=viewer)
    return {"moved": moved, "escalation": _escalation(viewer)}


@router.post("/escalation-rules/keep", response=documented({200: EscalationOut}),
             summary="Keep the organisation's own rules over the newer defaults offered; no risk moves")
def keep_escalation_rules(request):
    viewer = request.auth
    _require(viewer, Capability.RISKS_EDIT)
    actions.keep_own_rules(organisation=viewer.organisation, by=viewer)
    return _escalation(viewer)
