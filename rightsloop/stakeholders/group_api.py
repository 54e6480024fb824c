"""JSON front door of affected groups: /api/v1/groups (members, the proxies that speak for them, risks)."""

import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import plausible_id
from rightsloop.core.api_errors import documented
from rightsloop.risks.models import Risk

from . import groups, queries
from .vocabulary import AtRisk

router = Router(tags=["groups"])


class GroupIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, description="Describes the group; never names a person")
    description: str = Field("", max_length=10000)
    countries: list[str] = Field(default_factory=list, max_length=250, description="ISO 3166-1 alpha-2 codes")
    languages: list[str] = Field(default_factory=list, max_length=50, description="ISO 639-1 codes")
    at_risk: list[AtRisk] = Field(default_factory=list, max_length=30)
    size_estimate: int | None = Field(None, ge=0, le=2_000_000_000, description="Roughly how many people")


class GroupPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=10000)
    countries: list[str] | None = Field(None, max_length=250)
    languages: list[str] | None = Field(None, max_length=50)
    at_risk: list[AtRisk] | None = Field(None, max_length=30)
    size_estimate: int | None = Field(None, ge=0, le=2_000_000_000)


class GroupOut(Schema):
    id: int
    name: str
    description: str
    countries: list[str]
    languages: list[str]
    at_risk: list[str]
    size_estimate: int | None
    created_at: datetime.datetime
    updated_at: datetime.datetime


class GroupListOut(GroupOut):
    member_count: int = Field(..., description="Members the caller may see in the register")
    proxy_count: int
    risk_count: int


class MemberOut(Schema):
    id: int
    name: str
    kind: str
    safety_level: str

    @staticmethod
    def resolve_name(obj, context) -> str:
        return queries.shown_name(obj, context["request"].auth)


class MemberIn(Schema):
    stakeholder_id: int


class RepresentationIn(Schema):
    proxy_id: int
    legitimacy_basis: str = Field(..., min_length=1, max_length=5000)
    evidence: str = Field("", max_length=5000)
    reviewed_on: datetime.date | None = None


class RepresentationPatch(Schema):
    legitimacy_basis: str | None = Field(None, min_length=1, max_length=5000)
    evidence: str | None = Field(None, max_length=5000)
    reviewed_on: datetime.date | None = None


class RepresentationOut(Schema):
    id: int
    proxy_id: int
    group_id: int
    legitimacy_basis: str
    evidence: str
    reviewed_on: datetime.date | None
    review_overdue: bool = Field(..., description="Never reviewed, or reviewed more than twelve months ago")
    ended_at: datetime.datetime | None

    @staticmethod
    def resolve_review_overdue(obj) -> bool:
        return obj.review_overdue(timezone.localdate())


class RisksIn(Schema):
    risk_ids: list[int] = Field(..., min_length=1, max_length=200)


class RiskLinksOut(Schema):
    risk_ids: list[int]


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _plan(payload: Schema, base: groups.GroupPlan | None = None) -> groups.GroupPlan:
    values = payload.dict(exclude_unset=base is not None)
    if values.get("at_risk") is not None:
        values["at_risk"] = [str(getattr(code, "value", code)) for code in values["at_risk"]]
    if base is None:
        return groups.GroupPlan(**values)
    for name, value in values.items():
        if value is not None or name == "size_estimate":
            setattr(base, name, value)
    return base


def _risks(viewer, ids: list[int]) -> list[Risk]:
    """The risks named, all of them, or 'not found': another organisation's id is simply unknown."""
    found = list(Risk.objects.for_organisation(viewer.organisation).filter(
        pk__in=[pk for pk in ids if plausible_id(pk)]))
    if len(found) != len(set(ids)):
        raise Http404
    return found


@router.get("", response=documented({200: list[GroupListOut]}), summary="List affected groups")
def list_groups(request):
    _require(request.auth, Capability.STAKEHOLDERS_VIEW)
    return list(queries.group_list(request.auth))


@router.post("", response=documented({201: GroupOut}), summary="Record an affected group")
def create_group(request, payload: GroupIn):
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_EDIT)
    return Status(201, groups.create_group(plan=_plan(payload), by=viewer))


@router.get("/{int:group_id}", response=documented({200: GroupOut}), summary="One affected group")
def get_group(request, group_id: int):
    return queries.access_group(request.auth, group_id)


@router.patch("/{int:group_id}", response=documented({200: GroupOut}), summary="Change an affected group")
def update_group(request, group_id: int, payload: GroupPatch):
    viewer = request.auth
    group = queries.access_group(viewer, group_id, for_update=True)
    return groups.update_group(group=group, plan=_plan(payload, groups.GroupPlan.of(group)), by=viewer)


@router.delete("/{int:group_id}", response=documented({204: None}),
               summary="Delete an affected group (refused while a proxy speaks for it alone)")
def delete_group(request, group_id: int):
    viewer = request.auth
    group = queries.access_group(viewer, group_id, for_update=True)
    groups.delete_group(group=group, by=viewer)
    return Status(204, None)


@router.get("/{int:group_id}/members", response=documented({200: list[MemberOut]}),
            summary="Members the caller may see (a high-safety person only with a grant)")
def list_group_members(request, group_id: int):
    group = queries.access_group(request.auth, group_id)
    return list(queries.group_members(request.auth, group))


@router.post("/{int:group_id}/members", response=documented({201: MemberOut}), summary="Add a member")
def add_group_member(request, group_id: int, payload: MemberIn):
    viewer = request.auth
    group = queries.access_group(viewer, group_id, for_update=True)
    stakeholder = queries.access_stakeholder(viewer, payload.stakeholder_id, for_update=True)
    groups.add_member(group=group, stakeholder=stakeholder, by=viewer)
    return Status(201, stakeholder)


@router.delete("/{int:group_id}/members/{int:stakeholder_id}", response=documented({204: None}),
               summary="Remove a member")
def remove_group_member(request, group_id: int, stakeholder_id: int):
    viewer = request.auth
    group = queries.access_group(viewer, group_id, for_update=True)
    stakeholder = queries.access_group_member(viewer, group, stakeholder_id)
    groups.remove_member(group=group, stakeholder=stakeholder, by=viewer)
    return Status(204, None)


@router.get("/{int:group_id}/representations", response=documented({200: list[RepresentationOut]}),
            summary="The credible proxies that speak for the group today")
def list_group_representations(request, group_id: int):
    group = queries.access_group(request.auth, group_id)
    return list(queries.group_representations(request.auth, group))


@router.post("/{int:group_id}/representations", response=documented({201: RepresentationOut}),
             summary="Record that a credible proxy speaks for the group")
def add_group_representation(request, group_id: int, payload: RepresentationIn):
    viewer = request.auth
    group = queries.access_group(viewer, group_id, for_update=True)
    proxy = queries.access_stakeholder(viewer, payload.proxy_id, for_update=True)
    mandate = groups.Mandate(legitimacy_basis=payload.legitimacy_basis, evidence=payload.evidence,
                             reviewed_on=payload.reviewed_on)
    return Status(201, groups.represent(proxy=proxy, group=group, mandate=mandate, by=viewer))


@router.patch("/representations/{int:representation_id}", response=documented({200: RepresentationOut}),
              summary="Change a proxy's basis of legitimacy, evidence or review date")
def update_group_representation(request, representation_id: int, payload: RepresentationPatch):
    viewer = request.auth
    representation = queries.access_representation(viewer, representation_id, for_update=True)
    changes = payload.dict(exclude_unset=True)
    mandate = groups.Mandate(
        legitimacy_basis=changes.get("legitimacy_basis") or representation.legitimacy_basis,
        evidence=changes["evidence"] if changes.get("evidence") is not None else representation.evidence,
        reviewed_on=changes.get("reviewed_on", representation.reviewed_on),
    )
    return groups.update_representation(representation=representation, mandate=mandate, by=viewer)


@router.post("/representations/{int:representation_id}/end", response=documented({200: RepresentationOut}),
             summary="The proxy no longer speaks for the group (refused if it would speak for none)")
def end_group_representation(request, representation_id: int):
    viewer = request.auth
    representation = queries.access_representation(viewer, representation_id, for_update=True)
    return groups.end_representation(representation=representation, by=viewer)


@router.get("/{int:group_id}/risks", response=documented({200: RiskLinksOut}),
            summary="The salient risks that touch the group")
def list_group_risks(request, group_id: int):
    viewer = request.auth
    group = queries.access_group(viewer, group_id)
    _require(viewer, Capability.RISKS_VIEW)
    return {"risk_ids": list(group.risks.order_by("id").values_list("pk", flat=True))}


@router.post("/{int:group_id}/risks", response=documented({200: RiskLinksOut}),
             summary="Link salient risks that touch the group")
def link_group_risks(request, group_id: int, payload: RisksIn):
    viewer = request.auth
    group = queries.access_group(viewer, group_id, for_update=True)
    groups.link_risks(group=group, risks=_risks(viewer, payload.risk_ids), by=viewer)
    return {"risk_ids": list(group.risks.order_by("id").values_list("pk", flat=True))}


@router.post("/{int:group_id}/risks/unlink", response=documented({200: RiskLinksOut}),
             summary="Unlink salient risks from the group")
def unlink_group_risks(request, group_id: int, payload: RisksIn):
    viewer = request.auth
    group = queries.access_group(viewer, group_id, for_update=True)
    groups.unlink_risks(group=group, risks=_risks(viewer, payload.risk_ids), by=viewer)
    return {"risk_ids": list(group.risks.order_by("id").values_list("pk", flat=True))}
