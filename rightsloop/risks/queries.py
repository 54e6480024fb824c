"""Reads of the risk register, strategic decisions and context events, scoped to what the viewer may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower, RowNumber
from django.http import Http404

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import rights as rights_taxonomy
from rightsloop.core.access import plausible_id
from rightsloop.engagements.models import Input
from rightsloop.engagements.queries import visible_inputs
from rightsloop.engagements.representation import Heard, who_was_heard
from rightsloop.stakeholders.queries import hidden_from

from . import escalation, scales
from .models import (
    ContextEvent,
    DecisionCondition,
    DecisionMarket,
    DecisionSignOff,
    DefaultRulesOffer,
    EscalationRule,
    Indicator,
    Mitigation,
    MitigationAssessment,
    ReassessmentFlag,
    Risk,
    RiskInput,
    RiskMarket,
    RiskRight,
    StrategicDecision,
    unmitigable_severe_mitigations,
)
from .vocabulary import GATED_CATEGORIES, DecisionOutcome, MitigationStatus, OwnerLevel


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
    return _get(visible_decisions(viewer).with_against_severe_risk(), pk)


def access_condition(viewer: Viewer, pk: int) -> DecisionCondition:
    return _get(DecisionCondition.objects.filter(decision__in=visible_decisions(viewer))
                .select_related("decision", "owner"), pk)


def conditions_of(decision: StrategicDecision) -> QuerySet[DecisionCondition]:
    return decision.conditions.select_related("owner", "closed_by").order_by("due_on", "id")


def sign_offs_of(decision: StrategicDecision) -> QuerySet[DecisionSignOff]:
    return decision.sign_offs.select_related("by").order_by("-at", "-id")


@dataclass(frozen=True)
class SevereExposure:
    """A severe linked risk that is not or cannot be mitigated, and the remedy plans recorded against it."""

    risk_id: int
    title: str
    remedy_plans: tuple[str, ...]


def severe_exposures(decision: StrategicDecision) -> list[SevereExposure]:
    """The risks behind the "taken against a severe risk" marker (models.unmitigable_severe_mitigations)."""
    plans: dict[int, tuple[str, list[str]]] = {}
    for risk_id, title, plan in (unmitigable_severe_mitigations(decision.pk)
                                 .values_list("risk_id", "risk__title", "remedy_plan").order_by("risk_id", "id")):
        plans.setdefault(risk_id, (title, []))[1].append(plan)
    return [SevereExposure(risk_id, title, tuple(found)) for risk_id, (title, found) in plans.items()]


def overdue_conditions(viewer: Viewer, today: datetime.date, limit: int = 10) -> QuerySet[DecisionCondition]:
    """Open conditions past their due date, on decisions taken (a draft's conditions are not yet owed)."""
    return (DecisionCondition.objects.filter(decision__in=visible_decisions(viewer), decision__status="decided")
            .overdue(today).select_related("decision", "owner").order_by("due_on", "id")[:limit])


def awaiting_sign_off(viewer: Viewer) -> QuerySet[StrategicDecision]:
    return visible_decisions(viewer).awaiting_board().select_related("decided_by").order_by("updated_at", "id")


def deferral_passed(viewer: Viewer, today: datetime.date) -> QuerySet[StrategicDecision]:
    return visible_decisions(viewer).deferral_passed(today).order_by("deferred_to", "id")


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
    grouping: str = ""  # a family of rights (core.rights.GROUPINGS): risks touching any right in it
    market: str = ""
    product: str = ""
    level: str = ""
    severe: bool = False
    due_for_review: bool = False
    awaiting_reassessment: bool = False  # with a mitigation a context event flagged, not yet reassessed
    # A heat map cell: the severity band (1 to 5, scales.severity_band) and the likelihood (1 to 5).
    band: int | None = None
    likelihood: int | None = None

    def apply(self, risks: QuerySet[Risk], today: datetime.date) -> QuerySet[Risk]:
        if self.q:
            risks = risks.filter(title__icontains=self.q.strip())
        if self.right:
            risks = risks.filter(pk__in=RiskRight.objects.filter(code=self.right).values("risk_id"))
        if self.grouping:
            codes = next((g.rights for g in rights_taxonomy.GROUPINGS if g.code == self.grouping), ())
            risks = risks.filter(pk__in=RiskRight.objects.filter(code__in=codes).values("risk_id"))
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
        if self.awaiting_reassessment:
            risks = risks.filter(pk__in=Mitigation.objects.flagged().values("risk_id"))
        if self.band:
            risks = risks.filter(severity__in=[s for s in range(3, 16) if scales.severity_band(s) == self.band])
        if self.likelihood:
            risks = risks.filter(likelihood=self.likelihood)
        return risks


# How the register can be sorted; the rank shown is always the priority rank within the filtered risks.
REGISTER_SORTS = ("priority", "review", "title")


def risk_register(viewer: Viewer, filters: RiskFilters, today: datetime.date,
                  sort: str = "priority") -> QuerySet[Risk]:
    """The register: open risks ranked by priority (severity first, likelihood second).

    Sorted by priority, a risk's rank is its position; sorted otherwise, each risk carries its
    priority rank as `rank` (a window function over the filtered risks).
    """
    risks = with_awaiting_reassessment(filters.apply(visible_risks(viewer).open(), today).select_related("owner")
                                       .prefetch_related("rights", "markets"))
    if sort not in REGISTER_SORTS or sort == "priority":
        return risks.by_priority()
    risks = risks.annotate(rank=Window(RowNumber(), order_by=[F("priority").desc(), F("irremediability").desc(),
                                                               F("id").asc()]))
    if sort == "review":
        return risks.order_by("review_on", "-priority", "-irremediability", "id")
    return risks.order_by(Lower("title"), "id")


def risk_rank(viewer: Viewer, risk: Risk) -> int | None:
    """The open risk's place in the register ranked by priority (1 is the most urgent); None once closed."""
    if risk.closed_at is not None:
        return None
    ahead = visible_risks(viewer).open().filter(
        Q(priority__gt=risk.priority)
        | Q(priority=risk.priority, irremediability__gt=risk.irremediability)
        | Q(priority=risk.priority, irremediability=risk.irremediability, id__lt=risk.pk))
    return ahead.count() + 1


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


def who_was_heard_on(risk: Risk, viewer: Viewer | None = None) -> Heard:
    """Who was heard on a risk: counts over all its linked inputs, naming no one (so any role may see them).

    Read from the links, which carry each input's speaker (RiskInput), not from the inputs themselves. Given the
    viewer, protected people they hold no grant on count as unattributed (a group of one would tell of them).
    """
    # Withdrawn or merged-away inputs no longer count (InputQuerySet.standing), read through the link's input.
    links = RiskInput.objects.filter(risk=risk, input__withdrawn_at__isnull=True, input__merged_into__isnull=True)
    return who_was_heard(links, speaker="stakeholder", markets=risk.market_codes,
                         hidden=hidden_from(viewer) if viewer is not None else None)


def who_was_heard_on_decision(decision: StrategicDecision, viewer: Viewer | None = None, *,
                              markets: list[str] | None = None) -> Heard:
    """Who was heard on a strategic decision: inputs linked to it and inputs of the engagements consulted.

    Counts name nobody (representation.py), so they cover every input, as on a risk's page; the board's view of
    them is cut to totals and gaps (the template, the API). `markets`: those of the linked risks, when the caller
    has already read them (the decision page has); else read here in one query.
    """
    # The inputs by id, read once: as a join, SQLite without statistics walked every input of the organisation
    # (1.5 s at a million inputs, for a decision with none linked).
    linked = StrategicDecision.inputs.through.objects.filter(strategicdecision_id=decision.pk).values("input_id")
    related = list(Input.objects.filter(Q(pk__in=linked) | Q(engagement_id__in=decision.engagements.values("pk")))
                   .values_list("pk", flat=True))
    if markets is None:
        markets = list(RiskMarket.objects.filter(risk__strategic_decisions=decision)
                       .values_list("country", flat=True).distinct())
    return who_was_heard(Input.objects.for_organisation(decision.organisation).standing().filter(pk__in=related),
                         markets=sorted(set(markets)), hidden=hidden_from(viewer) if viewer is not None else None)


def risk_inputs(viewer: Viewer, risk: Risk) -> QuerySet[Input]:
    """The inputs linked to a risk that this viewer may read, with what their list shows (no query per input).

    Chosen through the link table as a subquery rather than a join: a page of the newest inputs then reads
    the input rows in id order and stops after the page, instead of joining and sorting every linked input
    with its engagement and speaker (a risk with 4,000 inputs on SQLite: 100 ms down to 2 ms).
    """
    linked = Risk.inputs.through.objects.filter(risk_id=risk.pk).values("input_id")
    return visible_inputs(viewer).filter(pk__in=linked).select_related("engagement", "speaker__stakeholder",
                                                                        "speaker__via_proxy", "group")


def risk_inputs_count(viewer: Viewer, risk: Risk) -> int:
    """How many of the risk's linked inputs the viewer may read, counted on the links where that is all of them.

    Links only ever join a risk to inputs of its own organisation (actions.link_inputs), so a viewer who sees
    every input of the organisation sees every link: counting the links reads one index, where counting the
    inputs walks the inputs table.
    """
    if viewer.can(Capability.ENGAGEMENTS_VIEW) and viewer.organisation.pk == risk.organisation_id:
        return RiskInput.objects.filter(risk=risk).count()
    return risk_inputs(viewer, risk).count()


def with_awaiting_reassessment(risks: QuerySet[Risk]) -> QuerySet[Risk]:
    """Each risk with `awaiting_reassessment`: how many of its mitigations a context event flagged (one subquery)."""
    flagged = (Mitigation.objects.flagged().filter(risk=OuterRef("pk")).order_by().values("risk")
               .annotate(n=Count("id")).values("n"))
    return risks.annotate(awaiting_reassessment=Coalesce(Subquery(flagged), 0))


def awaiting_reassessment(viewer: Viewer) -> QuerySet[Mitigation]:
    """Mitigations of the viewer's open risks that a context event flagged and nobody has reassessed yet."""
    return (Mitigation.objects.awaiting_reassessment().filter(risk__in=visible_risks(viewer))
            .select_related("risk", "owner", "flagged_by").order_by("-flagged_by__occurred_on", "risk_id", "id"))


def access_assessed_mitigation(viewer: Viewer, pk: int) -> Mitigation:
    """The mitigation with what its own page shows: indicators with evidence, assessments and their citations."""
    return _get(Mitigation.objects.filter(risk__in=visible_risks(viewer))
                .select_related("risk", "owner", "flagged_by")
                .prefetch_related("indicators__evidence"), pk)


def assessments_of(mitigation: Mitigation) -> QuerySet[MitigationAssessment]:
    """Newest first, with what each cites and the flags it answered (a fixed number of queries for any length)."""
    return (mitigation.assessments.select_related("assessed_by", "answers")
            .prefetch_related("indicators", "evidence__indicator", "inputs__engagement", "inputs__group",
                              "inputs__speaker__stakeholder", "inputs__speaker__via_proxy",
                              Prefetch("answered_flags", queryset=ReassessmentFlag.objects.select_related("event"))))


def reassessment_flags_of(mitigation: Mitigation) -> QuerySet[ReassessmentFlag]:
    """Every call to reassess the mitigation, newest first, with the event and the reassessment that answered."""
    return mitigation.reassessment_flags.select_related("event", "answered_by__assessed_by")


def mitigations_of(risk: Risk) -> QuerySet[Mitigation]:
    return risk.mitigations.select_related("owner", "flagged_by").prefetch_related("indicators__evidence")


def due_for_review(viewer: Viewer, today: datetime.date, limit: int = 10) -> QuerySet[Risk]:
    return visible_risks(viewer).due_for_review(today).select_related("owner").by_priority()[:limit]


def board_risks(viewer: Viewer, limit: int = 10) -> QuerySet[Risk]:
    return visible_risks(viewer).open().filter(owner_level="board").by_priority()[:limit]


def severe_count(viewer: Viewer) -> int:
    return visible_risks(viewer).open().severe().count()


def own_rules(organisation) -> list[escalation.Threshold]:
    """The rules the organisation set itself; empty when it follows the defaults."""
    return [escalation.Threshold(rule.level, rule.min_severity, rule.min_likelihood,
                                 rule.min_severity_any_likelihood, rule.min_irremediability,
                                 rule.min_severity_if_irremediable)
            for rule in EscalationRule.objects.for_organisation(organisation)]


def escalation_thresholds(viewer: Viewer) -> list[escalation.Threshold]:
    """The organisation's escalation rules, or the defaults until it sets its own (highest level first)."""
    return escalation.thresholds(own_rules(viewer.organisation))


@dataclass(frozen=True)
class LevelMove:
    """An open risk that a set of rules would give to another level."""

    risk_id: int
    title: str
    severity: int
    irremediability: int
    likelihood: int
    before: str
    after: str

    @property
    def is_escalation(self) -> bool:
        return escalation.is_escalation(self.before, self.after)

    @property
    def before_label(self) -> str:
        return str(OwnerLevel(self.before).label)

    @property
    def after_label(self) -> str:
        return str(OwnerLevel(self.after).label)


def level_moves(organisation, rules: list[escalation.Threshold] | None) -> list[LevelMove]:
    """Every open risk whose owning level these rules (None: the defaults) would change, by priority; one query."""
    rows = (Risk.objects.for_organisation(organisation).open().by_priority()
            .values_list("pk", "title", "severity", "irremediability", "likelihood", "owner_level"))
    moves = []
    for pk, title, severity, irremediability, likelihood, before in rows:
        after = escalation.level_for(severity=severity, likelihood=likelihood, irremediability=irremediability,
                                     rules=rules)
        if after != before:
            moves.append(LevelMove(pk, title, severity, irremediability, likelihood, before, after))
    return moves


def pending_defaults_offer(viewer: Viewer) -> DefaultRulesOffer | None:
    """The newer default rules awaiting the organisation's answer, if any (risk viewers only)."""
    if not viewer.can(Capability.RISKS_VIEW):
        return None
    return (DefaultRulesOffer.objects.for_organisation(viewer.organisation).pending()
            .filter(version=escalation.DEFAULTS_VERSION).first())


def market_countries(organisation, as_of: datetime.date) -> dict[str, bool]:
    """The countries of the risks open on `as_of` (ISO alpha-2), each True where one of them is severe.

    The register's answer to "where are our salient risks and markets": what the board's coverage figures and
    the coverage map compare the voices heard against.
    """
    end = datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time.min,
                                     tzinfo=datetime.UTC)
    rows = (RiskMarket.objects.filter(risk__organisation=organisation, risk__created_at__lt=end)
            .filter(Q(risk__closed_at__isnull=True) | Q(risk__closed_at__gte=end))
            .values_list("country", "risk__severity"))
    countries: dict[str, bool] = {}
    for country, severity in rows:
        countries[country] = countries.get(country, False) or scales.is_severe(severity)
    # The markets of market entries, expansions and high-risk sales (G2) prepared by then and not refused: where
    # the company is about to go is where it must hear people.
    for country in (DecisionMarket.objects.filter(decision__organisation=organisation, decision__created_at__lt=end,
                                                  decision__category__in=GATED_CATEGORIES)
                    .exclude(decision__outcome=DecisionOutcome.NO_GO).values_list("country", flat=True).distinct()):
        countries.setdefault(country, False)
    return countries


# A mitigation due within this many days shows as "due soon" on its owner's list.
DUE_SOON = datetime.timedelta(days=14)
MY_MITIGATION_ORDERS = {
    # Undated mitigations last either way: a due date is what the list is sorted for.
    "due": (F("due_on").asc(nulls_last=True), "risk__title", "id"),
    "-due": (F("due_on").desc(nulls_last=True), "risk__title", "id"),
    "risk": ("risk__title", F("due_on").asc(nulls_last=True), "id"),
}


def my_mitigations(viewer: Viewer, today: datetime.date, *, order: str = "due", include_done: bool = False,
                   flagged_only: bool = False) -> QuerySet[Mitigation]:
    """The mitigations the viewer owns on risks they may see, each marked `overdue`, `due_soon` and
    `awaiting_reassessment` (flagged by a context event on a risk still open), in one query."""
    mine = (Mitigation.objects.filter(owner=viewer.user, risk__in=visible_risks(viewer))
            .select_related("risk", "owner", "flagged_by"))
    if not include_done:
        mine = mine.exclude(status=MitigationStatus.DONE)
    if flagged_only:
        mine = mine.awaiting_reassessment()
    not_done = ~Q(status=MitigationStatus.DONE)

    def when(condition: Q) -> Case:
        # A comparison with an empty due date is NULL in SQL; the list wants a plain no.
        return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())

    mine = mine.annotate(
        overdue=when(Q(due_on__lt=today) & not_done),
        due_soon=when(Q(due_on__gte=today, due_on__lte=today + DUE_SOON) & not_done),
        awaiting_reassessment=when(Q(needs_reassessment=True, risk__closed_at__isnull=True)),
    )
    return mine.order_by(*MY_MITIGATION_ORDERS.get(order, MY_MITIGATION_ORDERS["due"]))


def my_mitigation_counts(viewer: Viewer, today: datetime.date) -> dict[str, int]:
    """How many open mitigations the viewer owns, how many are overdue, due soon, or awaiting reassessment."""
    mine = Mitigation.objects.filter(owner=viewer.user, risk__in=visible_risks(viewer)).exclude(
        status=MitigationStatus.DONE)
    return mine.aggregate(
        open=Count("id"),
        overdue=Count("id", filter=Q(due_on__lt=today)),
        due_soon=Count("id", filter=Q(due_on__gte=today, due_on__lte=today + DUE_SOON)),
        flagged=Count("id", filter=Q(needs_reassessment=True, risk__closed_at__isnull=True)),
    )
