"""What engagements publish (O2, O3): non-personal counts per quarter, registered as `core.registry.PublicTable`s.

Engagements by type and by due diligence phase (by the quarter they started in); of the inputs recorded in each
quarter, the people who gave them by region, how far the loop came and the decision standing on them, both read
at the end of the range (`end`), as the board view reads them at the end of its period (evidence.py).

People at high safety level are left out entirely: neither they nor their inputs count in any table here (their
engagements do: an engagement names nobody, and a count of one is hidden anyway). Words a proxy relayed for an
affected group count as inputs but not as a person heard (representation.py). Every count is a GROUP BY in the
database; nothing here reads a name, a text or a sealed field. The disclosure app hides small counts.
"""

from __future__ import annotations

import datetime
from collections import Counter

from django.db.models import Case, Count, F, OuterRef, Subquery, When
from django.db.models.functions import ExtractQuarter, ExtractYear
from django.utils.translation import gettext_lazy as _

from rightsloop.core import countries
from rightsloop.core.periods import day_bounds, quarter_key, quarter_label
from rightsloop.core.registry import PublicTable
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.vocabulary import SafetyLevel

from .evidence import funnel_stages, inputs_recorded
from .models import Decision, Engagement
from .vocabulary import EngagementType, Outcome, Phase

UNKNOWN_REGION = "unknown"
STAGES = (
    ("recorded", _("Recorded")),
    ("decided", _("Decided")),
    ("reported", _("Reported to the person who gave it")),
    ("closed", _("Loop closed: told the newest decision")),
)

QUARTER = ("quarter", _("Quarter"), _("The calendar quarter, written YYYY-Qn (2026-Q3)."))
QUARTER_STARTED = ("quarter", _("Quarter"), _("The calendar quarter the engagement started in, written YYYY-Qn."))
QUARTER_RECORDED = ("quarter", _("Quarter"), _("The calendar quarter the input was recorded in, written YYYY-Qn."))


def label(dimension: str, code: str) -> str:
    """A code of any engagements table in the active language."""
    if dimension == "quarter":
        return quarter_label(code)
    if dimension == "region":
        return str(_("Region not recorded")) if code == UNKNOWN_REGION else countries.area_name(code)
    names = {"type": EngagementType.choices, "phase": Phase.choices, "stage": STAGES, "outcome": Outcome.choices}
    return str(dict(names.get(dimension, ())).get(code, code))


def _engagements(organisation, start: datetime.date, end: datetime.date):
    return (Engagement.objects.for_organisation(organisation).active().filter(starts_on__gte=start, starts_on__lt=end)
            .order_by().annotate(year=ExtractYear("starts_on"), quarter_of=ExtractQuarter("starts_on")))


def _inputs(organisation, start: datetime.date, end: datetime.date):
    """Inputs recorded in [start, end), without those of people at high safety level, with their quarter."""
    since, until = day_bounds(start, end)
    protected = Stakeholder.objects.for_organisation(organisation).filter(safety_level=SafetyLevel.HIGH)
    return (inputs_recorded(organisation, since, until).exclude(speaker__stakeholder__in=protected).order_by()
            .annotate(year=ExtractYear("recorded_at"), quarter_of=ExtractQuarter("recorded_at")))


def engagements_by_type(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    return [{"quarter": quarter_key(row["year"], row["quarter_of"]), "type": row["type"], "engagements": row["n"]}
            for row in _engagements(organisation, start, end).values("year", "quarter_of", "type").annotate(
                n=Count("id"))]


def engagements_by_phase(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    # One row per quarter and set of phases (a handful), spread over the phases here.
    counts: Counter = Counter()
    for row in _engagements(organisation, start, end).values("year", "quarter_of", "phases").annotate(n=Count("id")):
        for phase in set(row["phases"] or []):
            counts[(quarter_key(row["year"], row["quarter_of"]), phase)] += row["n"]
    return [{"quarter": quarter, "phase": phase, "engagements": n} for (quarter, phase), n in counts.items()]


def people_heard_by_region(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    """Distinct people (and organisations) who gave an input in their own name in each quarter, by M49 region."""
    rows = (_inputs(organisation, start, end).filter(group__isnull=True, speaker__isnull=False)
            .values("year", "quarter_of", region=F("speaker__stakeholder__region_code"))
            .annotate(n=Count("speaker__stakeholder_id", distinct=True)))
    return [{"quarter": quarter_key(row["year"], row["quarter_of"]), "region": row["region"] or UNKNOWN_REGION,
             "people": row["n"]} for row in rows]


def loop_closure(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    """Of the inputs recorded in each quarter, how many were decided, reported and closed by the range's end."""
    _since, until = day_bounds(start, end)
    stages = funnel_stages(until)
    rows = _inputs(organisation, start, end).values("year", "quarter_of").annotate(
        recorded=Count("id"), **{name: Count("id", filter=condition) for name, condition in stages.items()})
    return [{"quarter": quarter_key(row["year"], row["quarter_of"]), "stage": stage, "inputs": row[stage]}
            for row in rows for stage, _label in STAGES]


def decisions_by_outcome(organisation, start: datetime.date, end: datetime.date) -> list[dict]:
    """Of the inputs recorded in each quarter, the decision standing on them at the range's end (undecided ones
    are left out: the loop table counts them)."""
    _since, until = day_bounds(start, end)
    # The current decision answers for most inputs; the revisions are read only for one made after `until`.
    earlier = (Decision.objects.filter(input=OuterRef("pk"), decided_at__lt=until).order_by("-revision")
               .values("outcome")[:1])
    standing = Case(When(decided_at__lt=until, then=F("outcome")), default=Subquery(earlier))
    rows = (_inputs(organisation, start, end).annotate(standing=standing).filter(standing__isnull=False)
            .values("year", "quarter_of", "standing").annotate(n=Count("id")))
    return [{"quarter": quarter_key(row["year"], row["quarter_of"]), "outcome": row["standing"], "inputs": row["n"]}
            for row in rows]


TABLES = (
    PublicTable(
        key="engagements-by-type", order=10, section="engagement", label=label, rows=engagements_by_type,
        title=_("Engagements by type"),
        description=_("Engagements with stakeholders that started in each quarter, by type (interview, workshop, "
                      "advisory council session, survey, public consultation, regional assessment, remedy "
                      "dialogue)."),
        dimensions=(QUARTER_STARTED, ("type", _("Type of engagement"), _("How the company engaged."))),
        measure=("engagements", _("Engagements"), _("Number of engagements."))),
    PublicTable(
        key="engagements-by-phase", order=11, section="engagement", label=label, rows=engagements_by_phase,
        additive=False,
        title=_("Engagements by due diligence phase"),
        description=_("Engagements that started in each quarter, by the phase of human rights due diligence they "
                      "served. An engagement serving several phases counts in each, so the counts do not add up "
                      "to the number of engagements."),
        dimensions=(QUARTER_STARTED, ("phase", _("Due diligence phase"),
                                      _("Identify and assess, act (mitigate), track, communicate, remedy."))),
        measure=("engagements", _("Engagements"), _("Number of engagements serving the phase."))),
    PublicTable(
        key="people-heard-by-region", order=12, section="engagement", label=label, rows=people_heard_by_region,
        title=_("People heard by region"),
        description=_("People and organisations who gave at least one input in their own name in each quarter, "
                      "by the UN M49 region of their country. People at high risk are never counted; groups "
                      "heard through a proxy are not counted here."),
        dimensions=(QUARTER_RECORDED, ("region", _("Region"),
                                       _("UN M49 region code (002 Africa, 019 Americas, 142 Asia, 150 Europe, "
                                         "009 Oceania), or unknown."))),
        measure=("people", _("People heard"), _("Number of distinct people and organisations."))),
    PublicTable(
        key="loop-closure", order=13, section="engagement", label=label, rows=loop_closure, additive=False,
        title=_("Closing the loop"),
        description=_("Inputs recorded in each quarter and how far each had come by the end of the period "
                      "published: decided, reported to the person who gave it, and loop closed (they were told "
                      "the newest decision). Each stage counts the inputs of the one before that reached it, so "
                      "the counts do not add up."),
        dimensions=(QUARTER_RECORDED, ("stage", _("Stage"), _("recorded, decided, reported or closed."))),
        measure=("inputs", _("Inputs"), _("Number of inputs that reached the stage."))),
    PublicTable(
        key="decisions-by-outcome", order=14, section="decisions_not_adopted", label=label,
        rows=decisions_by_outcome,
        title=_("Decisions on what stakeholders said"),
        description=_("Inputs recorded in each quarter that had a decision by the end of the period published, by "
                      "that decision: adopted, partly adopted, not adopted (always with a reason given to the "
                      "person), or still under consideration."),
        dimensions=(QUARTER_RECORDED, ("outcome", _("Decision"),
                                       _("adopted, partly_adopted, not_adopted or under_consideration."))),
        measure=("inputs", _("Inputs"), _("Number of inputs with this decision."))),
)
