"""Reads of the risk register, strategic decisions and context events, scoped to what the viewer may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id
from rightsloop.engagements.models import Input
from rightsloop.engagements.queries import visible_inputs

from . import scales
from .models import ContextEvent, Indicator, Mitigation, Risk, RiskMarket, RiskRight, StrategicDecision


def visible_risks(viewer: Viewer) -> QuerySet[Risk]:
    if not viewer.can(Capability.RISKS_VIEW):
        return Risk.objects.none()
    return Risk.objects.for_organisation(viewer.organisation)


def _get(queryset, pk):
    if not plausible_id(pk):
        raise Http404
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def access_risk(viewer: Viewer, pk: int) -> Risk:
    """The risk if the viewer may see it; 'not found' for missing and not-yours alike."""
    return _get(visible_risks(viewer).select_related("owner").prefetch_related("rights", "markets"), pk)


def access_mitigation(viewer: Viewer, pk: int) -> Mitigation:
    return _get(Mitigation.objects.filter(risk__in=visible_risks(viewer)).select_related("risk", "owner"), pk)


def access_indicator(viewer: Viewer, pk: int) -> Indicator:
    return _get(Indicator.objects.filter(mitigation__risk__in=visible_risks(viewer))
                .select_related("mitigation__risk"), pk)


def visible_decisions(viewer: Viewer) -> QuerySet[StrategicDecision]:
    if not viewer.can(Capability.RISKS_VIEW):
        return StrategicDecision.objects.none()
    return StrategicDecision.objects.for_organisation(viewer.organisation)


def access_strategic_decision(viewer: Viewer, pk: int) -> StrategicDecision:
    return _get(visible_decisions(viewer), pk)


def visible_events(viewer: Viewer) -> QuerySet[ContextEvent]:
    if not viewer.can(Capability.RISKS_VIEW):
        return ContextEvent.objects.none()
    return ContextEvent.objects.for_organisation(viewer.organisation)


def access_context_event(viewer: Viewer, pk: int) -> ContextEvent:
    return _get(visible_events(viewer), pk)


@dataclass(frozen=True)
class RiskFilters:
    q: str = ""
    right: str = ""
    market: str = ""
    product: str = ""
    level: str = ""
    severe: bool = False
    due_for_review: bool = False

    def apply(self, risks: QuerySet[Risk], today: datetime.date) -> QuerySet[Risk]:
        if self.q:
            risks = risks.filter(title__icontains=self.q.strip())
        if self.right:
            risks = risks.filter(pk__in=RiskRight.objects.filter(code=self.right).values("risk_id"))
        if self.market:
            risks = risks.filter(pk__in=RiskMarket.objects.filter(country=self.market.upper()).values("risk_id"))
        if self.product:
            risks = risks.filter(product__iexact=self.product.strip())
        if self.level:
            risks = risks.filter(owner_level=self.level)
        if self.severe:
            risks = risks.severe()
        if self.due_for_review:
            risks = risks.due_for_review(today)
        return risks


def risk_register(viewer: Viewer, filters: RiskFilters, today: datetime.date) -> QuerySet[Risk]:
    """The register: open risks ranked by priority (severity first, likelihood second)."""
    return (filters.apply(visible_risks(viewer).open(), today).select_related("owner")
            .prefetch_related("rights", "markets").by_priority())


def heat_map(viewer: Viewer, filters: RiskFilters | None = None, today: datetime.date | None = None) -> list[list[int]]:
    """Counts of open risks by severity band (rows 5 down to 1) and likelihood (columns 1 to 5)."""
    risks = visible_risks(viewer).open()
    if filters is not None:
        risks = filters.apply(risks, today or datetime.date.today())
    grid = [[0] * 5 for _ in range(5)]
    for severity, likelihood, count in (risks.values_list("severity", "likelihood")
                                        .annotate(n=Count("id")).order_by()):
        band = scales.severity_band(severity)
        grid[5 - band][likelihood - 1] += count
    return grid


def risk_inputs(viewer: Viewer, risk: Risk) -> QuerySet[Input]:
    """The inputs linked to a risk that this viewer may read."""
    return visible_inputs(viewer).filter(risks=risk)


def mitigations_of(risk: Risk) -> QuerySet[Mitigation]:
    return risk.mitigations.select_related("owner", "flagged_by").prefetch_related("indicators__evidence")


def due_for_review(viewer: Viewer, today: datetime.date, limit: int = 10) -> QuerySet[Risk]:
    return visible_risks(viewer).due_for_review(today).select_related("owner").by_priority()[:limit]


def board_risks(viewer: Viewer, limit: int = 10) -> QuerySet[Risk]:
    return visible_risks(viewer).open().filter(owner_level="board").by_priority()[:limit]
