"""JSON front door of the mechanism's oversight: /api/v1/grievance-settings, /api/v1/grievance-themes, and a case's
links to the risk register (/api/v1/grievances/{id}/links, /api/v1/grievances/{id}/risk).

The same actions and reads as the pages. A case the token's member may not open (another organisation's, one
they are kept out of) is a 404 like a missing one; so is a risk, mitigation or decision of another organisation.
A broken rule answers 400 with field messages.
"""

from __future__ import annotations

import datetime
from typing import Annotated

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.engagements.models import Engagement
from rightsloop.risks.actions import RiskPlan
from rightsloop.risks.models import Mitigation
from rightsloop.risks.vocabulary import Involvement
from rightsloop.stakeholders.vocabulary import AtRisk

from . import queries, themes
from .actions import links
from .actions import settings as settings_actions
from .models import GrievanceSettings

router = Router(tags=["grievances"])

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Rating = Annotated[int, Field(ge=1, le=5)]
Code = Annotated[str, Field(min_length=1, max_length=40)]
Country = Annotated[str, Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2")]
Text = Annotated[str, Field(max_length=10000)]


def _require(viewer, *capabilities: str) -> None:
    if not any(viewer.can(capability) for capability in capabilities):
        raise PermissionDenied(_("Your role does not allow this."))


# Settings --------------------------------------------------------------------

class GrievanceSettingsIn(Schema):
    intake_open: bool = Field(..., description="Whether the public grievance page takes new grievances")
    acknowledge_days: int = Field(..., ge=1, le=60, description="Days to acknowledge (applies to new cases)")
    respond_days: int = Field(..., ge=1, le=365, description="Days to a substantive response (new cases)")
    escalate_after_days: int = Field(..., ge=1, le=90,
                                     description="Days late before the administrators are told too")
    products: list[Annotated[str, Field(max_length=200)]] = Field(
        default_factory=list, max_length=settings_actions.MAX_PRODUCTS,
        description="Products and services listed on the public page")
    mechanism_engagement_ids: list[Id] = Field(default_factory=list, max_length=500,
                                               description="Engagements held on the mechanism itself")


class GrievanceSettingsOut(Schema):
    intake_open: bool
    acknowledge_days: int
    respond_days: int
    escalate_after_days: int
    products: list[str]
    mechanism_engagement_ids: list[int]
    updated_at: datetime.datetime | None


def _settings_out(found: GrievanceSettings) -> dict:
    return {
        "intake_open": found.intake_open, "acknowledge_days": found.acknowledge_days,
        "respond_days": found.respond_days, "escalate_after_days": found.escalate_after_days,
        "products": list(found.products or []), "updated_at": found.updated_at,
        "mechanism_engagement_ids": sorted(found.mechanism_engagements.values_list("pk", flat=True)),
    }


@router.get("/grievance-settings", response=documented({200: GrievanceSettingsOut}),
            summary="The grievance mechanism's settings: the public page open or closed, deadlines, products")
def get_grievance_settings(request):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_CONFIGURE, Capability.GRIEVANCES_OVERSEE)
    return _settings_out(GrievanceSettings.of(viewer.organisation))


@router.put("/grievance-settings", response=documented({200: GrievanceSettingsOut}),
            summary="Change the grievance mechanism's settings (new deadlines apply to new cases only)")
def put_grievance_settings(request, payload: GrievanceSettingsIn):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_CONFIGURE)
    wanted = set(payload.mechanism_engagement_ids)
    engagements = list(Engagement.objects.for_organisation(viewer.organisation).filter(pk__in=wanted))
    if len(engagements) != len(wanted):
        raise DjangoValidationError({"mechanism_engagement_ids": [_("Unknown engagement.")]})
    found = settings_actions.update_settings(
        organisation=viewer.organisation, intake_open=payload.intake_open,
        acknowledge_days=payload.acknowledge_days, respond_days=payload.respond_days,
        escalate_after_days=payload.escalate_after_days, products=payload.products,
        mechanism_engagements=engagements, by=viewer)
    return _settings_out(found)


# Links -----------------------------------------------------------------------

class GrievanceLinkIn(Schema):
    kind: str = Field(..., pattern="^(risk|mitigation|decision)$", description="risk, mitigation or decision")
    id: Id


class GrievanceLinkedOut(Schema):
    id: int
    title: str


class GrievanceLinksOut(Schema):
    grievance_id: int
    number: str
    risks: list[GrievanceLinkedOut]
    mitigations: list[GrievanceLinkedOut]
    decisions: list[GrievanceLinkedOut]
    changed: bool = False


def _links_out(grievance, changed: bool = False) -> dict:
    return {
        "grievance_id": grievance.pk, "number": grievance.label, "changed": changed,
        "risks": [{"id": risk.pk, "title": risk.title} for risk in grievance.risks.order_by("id")],
        "mitigations": [{"id": mitigation.pk, "title": mitigation.action[:200]}
                        for mitigation in grievance.mitigations.order_by("id")],
        "decisions": [{"id": decision.pk, "title": decision.title} for decision in grievance.decisions.order_by("id")],
    }


def _target(viewer, payload: GrievanceLinkIn):
    model = links.KINDS[payload.kind]
    own = (Mitigation.objects.filter(organisation=viewer.organisation) if model is Mitigation
           else model.objects.for_organisation(viewer.organisation))
    found = own.filter(pk=payload.id).first()
    if found is None:
        raise Http404
    return found


def _case(request, grievance_id: int):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_HANDLE)
    return viewer, queries.access_case(viewer, grievance_id)


@router.get("/grievances/{int:grievance_id}/links", response=documented({200: GrievanceLinksOut}),
            summary="The salient risks, mitigations and strategic decisions a case is linked to")
def list_grievance_links(request, grievance_id: int):
    _viewer, grievance = _case(request, grievance_id)
    return _links_out(grievance)


@router.post("/grievances/{int:grievance_id}/links", response=documented({200: GrievanceLinksOut}),
             summary="Link a case to a salient risk, mitigation or strategic decision")
def link_grievance(request, grievance_id: int, payload: GrievanceLinkIn):
    viewer, grievance = _case(request, grievance_id)
    changed = links.link(grievance=grievance, target=_target(viewer, payload), by=viewer)
    return _links_out(grievance, changed)


@router.delete("/grievances/{int:grievance_id}/links", response=documented({200: GrievanceLinksOut}),
               summary="Unlink a case from a salient risk, mitigation or strategic decision")
def unlink_grievance(request, grievance_id: int, payload: GrievanceLinkIn):
    viewer, grievance = _case(request, grievance_id)
    changed = links.unlink(grievance=grievance, target=_target(viewer, payload), by=viewer)
    return _links_out(grievance, changed)


class GrievanceRiskIn(Schema):
    """A salient risk made from a case; product, markets, rights and affected groups default to the case's figures
    (never its words)."""

    title: str = Field(..., min_length=1, max_length=200)
    description: Text = ""
    product: str | None = Field(None, min_length=1, max_length=200, description="Defaults to the case's product")
    use_context: Text = ""
    affected_groups: Text | None = Field(None, description="Defaults to the case's groups at risk")
    involvement: Involvement
    scale: Rating
    scope: Rating
    irremediability: Rating
    likelihood: Rating
    review_on: datetime.date | None = Field(None, description="Defaults to a year from today")
    owner_id: Id | None = Field(None, description="A member of the organisation; defaults to you")
    rights: list[Code] | None = Field(None, max_length=40, description="Defaults to the case's rights")
    markets: list[Country] | None = Field(None, max_length=250, description="Defaults to the case's country")


class GrievanceRiskOut(GrievanceLinksOut):
    risk_id: int


def _owner(viewer, owner_id: int | None):
    if owner_id is None:
        return None
    owner = get_user_model().objects.filter(pk=owner_id, memberships__organisation=viewer.organisation,
                                            memberships__is_active=True, is_active=True).first()
    if owner is None:
        raise DjangoValidationError({"owner_id": [_("Choose an active member of your organisation.")]})
    return owner


@router.post("/grievances/{int:grievance_id}/risk", response=documented({201: GrievanceRiskOut}),
             summary="Turn a case into a salient risk of the register, linked to it")
def make_grievance_risk(request, grievance_id: int, payload: GrievanceRiskIn):
    viewer, grievance = _case(request, grievance_id)
    _require(viewer, Capability.RISKS_EDIT)
    at_risk = dict(AtRisk.choices)
    plan = RiskPlan(
        title=payload.title, description=payload.description,
        product=payload.product if payload.product is not None else grievance.product,
        use_context=payload.use_context,
        affected_groups=(payload.affected_groups if payload.affected_groups is not None else
                         ", ".join(str(at_risk[code]) for code in grievance.at_risk or [] if code in at_risk)),
        involvement=payload.involvement.value, scale=payload.scale, scope=payload.scope,
        irremediability=payload.irremediability, likelihood=payload.likelihood,
        review_on=payload.review_on or timezone.localdate() + datetime.timedelta(days=365),
        owner=_owner(viewer, payload.owner_id),
        rights=list(payload.rights if payload.rights is not None else grievance.rights or []),
        markets=[code.upper() for code in (payload.markets if payload.markets is not None
                                           else [grievance.country] if grievance.country else [])],
    )
    risk = links.make_risk(grievances=[grievance], plan=plan, by=viewer)
    return Status(201, {**_links_out(grievance, True), "risk_id": risk.pk})


# Recurring themes ------------------------------------------------------------

class GrievanceThemesQuery(Schema):
    months: int = Field(themes.DEFAULT_MONTHS, ge=1, le=120, description="The period: the last this many months")


class GrievanceThemeOut(Schema):
    dimension: str = Field(..., description="product, right, country, product_country or product_right")
    product: str
    right: str
    country: str
    cases: int
    linked_to_risk: int = Field(..., description="Cases of the theme already linked to a salient risk")


class GrievanceThemesOut(Schema):
    since: datetime.date
    until: datetime.date
    themes: list[GrievanceThemeOut]


@router.get("/grievance-themes", response=documented({200: GrievanceThemesOut}),
            summary="Recurring themes: groups of two or more cases sharing a product, right or country (counts only)")
def list_grievance_themes(request, filters: Query[GrievanceThemesQuery]):
    viewer = request.auth
    _require(viewer, Capability.GRIEVANCES_OVERSEE)
    period = themes.period_of(filters.months)
    found = themes.recurring_themes(viewer.organisation, period)
    return {"since": period.since, "until": period.until, "themes": [
        {"dimension": theme.dimension, "product": theme.product, "right": theme.right, "country": theme.country,
         "cases": theme.count, "linked_to_risk": theme.linked}
        for dimension in themes.DIMENSIONS for theme in found[dimension]]}
