"""The UNGP 31 self-check: for one organisation and one period, the live figures that evidence each criterion.

Every figure is a count, a share or a number of days computed by aggregate queries (a few per criterion, the
same number for ten cases as for a hundred thousand); medians are read in the database by position (count, then
the middle row of the ordered durations), so nothing database-specific lives here. Nothing is read from a sealed
field: where a figure needs to know whether the person was told something (a note on a stage, an outcome), it
asks only whether the sealed column is empty, never opens it.

What would cost a computation per row here is kept on the rows when they are written (selfcheck_facts.py):
whether each promise was kept (Grievance.acknowledged_in_time, responded_in_time), and each stage change's
organisation and stay (StageChange.organisation, stayed_seconds); the figures count those on their indexes.

Which cases a figure counts:
- "received in the period": cases whose `received_at` falls in it (channels, languages, proxies, links…);
- deadlines: cases whose acknowledgement or response fell *due* in the period (up to today), so each promise is
  judged once, in the period it was due;
- "finished in the period": closed or not-admissible cases whose stage was reached in it (outcomes, reviews,
  satisfaction);
- events (stage changes, appeals, exclusions, confirmations, remedy actions and plans) by their own date.

The pages and the API read it through `remembered_self_check()`: the figures computed once are kept in the cache
under the organisation's latest recorded change (its newest audit entry that is not a read), so they are
computed again as soon as anything is recorded and are never older than that; a change written outside the
actions (a repair, a data migration) shows within CACHE_SECONDS.
"""

from __future__ import annotations

import datetime
import re
import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from rightsloop.core import audit, countries, languages, rights
from rightsloop.core.models import Organisation
from rightsloop.engagements.models import Engagement, Input
from rightsloop.stakeholders.vocabulary import AtRisk

from .models import (
    FINISHED_STAGES,
    ActionConfirmation,
    Appeal,
    CaseMessage,
    Grievance,
    GrievanceSettings,
    HandlerExclusion,
    RemedyAction,
    RemedyPlan,
    SelfAssessment,
    StageChange,
)
from .vocabulary import (
    ActionStatus,
    Channel,
    ConfirmationAnswer,
    Criterion,
    MessageDirection,
    MessageVia,
    Mode,
    RaisedBy,
    RemedyType,
    Satisfaction,
    Stage,
)

TREND_QUARTERS = 8
# The stays in a stage behind each median: the latest this many of the period (a bounded list, read in Python).
MEDIAN_SAMPLE = 2000
EARLIER_ASSESSMENTS = 5
# How long remembered figures may serve at most: the bound on a change that no audit entry announced.
CACHE_SECONDS = 600
# Stages a case passes through on its way to an answer; the finished ones have no duration worth a median.
TIMED_STAGES = tuple(stage for stage in Stage.values if stage not in FINISHED_STAGES)
_PERIOD = re.compile(r"\A\s*([0-9]{4})(?:-[Qq]([1-4]))?\s*\Z", re.ASCII)


# Periods -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True, order=True)
class Period:
    """A calendar quarter (`quarter` 1 to 4) or a whole year (`quarter` None), in the site's time zone."""

    year: int
    quarter: int | None = None

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 3 * (self.quarter - 1) + 1 if self.quarter else 1, 1)

    @property
    def end(self) -> datetime.date:
        """The first day after the period."""
        if self.quarter is None or self.quarter == 4:
            return datetime.date(self.year + 1, 1, 1)
        return datetime.date(self.year, 3 * self.quarter + 1, 1)

    @property
    def start_at(self) -> datetime.datetime:
        return _midnight(self.start)

    @property
    def end_at(self) -> datetime.datetime:
        return _midnight(self.end)

    @property
    def code(self) -> str:
        return f"{self.year}-Q{self.quarter}" if self.quarter else str(self.year)

    @property
    def label(self) -> str:
        if self.quarter is None:
            return str(self.year)
        return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}

    @property
    def is_year(self) -> bool:
        return self.quarter is None

    def last_quarter(self) -> Period:
        return Period(self.year, self.quarter or 4)

    def quarters_back(self, count: int) -> list[Period]:
        """`count` quarters ending with this one (a quarter), oldest first."""
        year, quarter = self.year, self.quarter or 4
        found = []
        for _step in range(count):
            found.append(Period(year, quarter))
            year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
        return found[::-1]

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def next(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1)
        return Period(self.year, self.quarter + 1) if self.quarter < 4 else Period(self.year + 1, 1)


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min), timezone.get_default_timezone())


def current_quarter(today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(today.year, (today.month - 1) // 3 + 1)


class BadPeriod(ValueError):
    """The period is not a year (2026) or a quarter (2026-Q4) the self-check can read."""


def parse_period(text: str | None, *, today: datetime.date | None = None) -> Period:
    """Read "2026-Q4" or "2026"; empty means the current quarter. Raise BadPeriod for anything else."""
    if text is None or not str(text).strip():
        return current_quarter(today)
    found = _PERIOD.match(str(text))
    if found is None:
        raise BadPeriod(_("Give a year (2026) or a quarter (2026-Q4)."))
    year = int(found.group(1))
    if not 2000 <= year <= 2999:
        raise BadPeriod(_("Give a year between 2000 and 2999."))
    return Period(year, int(found.group(2)) if found.group(2) else None)


# What the self-check answers with ------------------------------------------------------------------------------

COUNT, SHARE, DAYS, TEXT = "count", "share", "days", "text"


@dataclass(frozen=True)
class Part:
    """One line of a figure's breakdown (a channel, a language, a stage…)."""

    key: str
    label: str
    value: float | int | None
    shown: str
    url: str | None = None


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: str  # count, share, days or text
    value: float | int | None
    shown: str
    reading: str
    numerator: int | None = None
    denominator: int | None = None
    parts: tuple[Part, ...] = ()
    url: str | None = None
    # What the link is called when it leads somewhere else than the cases.
    link_text: str = ""


@dataclass(frozen=True)
class TrendPoint:
    period: Period
    value: float | int | None
    shown: str
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class Trend:
    key: str
    label: str
    kind: str
    points: tuple[TrendPoint, ...]


@dataclass(frozen=True)
class Judgement:
    """One self-assessment of a criterion (the newest stands; the earlier ones are its history)."""

    id: int
    assessment: str
    assessment_label: str
    notes: str
    at: datetime.datetime


@dataclass
class CriterionCheck:
    criterion: str
    label: str
    figures: list[Figure]
    trend: Trend
    standing: Judgement | None = None
    earlier: list[Judgement] = field(default_factory=list)
    earlier_count: int = 0


@dataclass
class SelfCheck:
    period: Period
    quarters: list[Period]
    criteria: list[CriterionCheck]

    def criterion(self, code: str) -> CriterionCheck:
        return next(check for check in self.criteria if check.criterion == code)


Link = Callable[[dict[str, str]], "str | None"]


def _no_link(_params: dict[str, str]) -> None:
    return None


# Formatting ---------------------------------------------------------------------------------------------------

def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{round(value * 100)}%"


def _share_shown(part: int, whole: int) -> str:
    if not whole:
        return "—"
    return _("%(part)s of %(whole)s (%(percent)s)") % {"part": part, "whole": whole,
                                                       "percent": _percent(_ratio(part, whole))}


def _days_shown(days: float | None) -> str:
    if days is None:
        return "—"
    rounded = round(days, 1)
    return ngettext("%(days)s day", "%(days)s days", rounded) % {"days": f"{rounded:g}"}


def share(key: str, label: str, part: int, whole: int, reading: str, *, empty: str, parts=(), url=None) -> Figure:
    return Figure(key=key, label=label, kind=SHARE, value=_ratio(part, whole), shown=_share_shown(part, whole),
                  reading=reading if whole else empty, numerator=part, denominator=whole, parts=tuple(parts),
                  url=url)


def count(key: str, label: str, value: int, reading: str, *, parts=(), url=None, link_text="") -> Figure:
    return Figure(key=key, label=label, kind=COUNT, value=value, shown=str(value), reading=reading,
                  parts=tuple(parts), url=url, link_text=link_text)


def _count_parts(rows: Iterable[tuple[str, int]], name: Callable[[str], str], link: Link | None = None,
                 param: str = "") -> list[Part]:
    ordered = sorted(((key, n) for key, n in rows if n), key=lambda item: (-item[1], name(item[0])))
    return [Part(key=key, label=name(key), value=n, shown=str(n),
                 url=link({param: key}) if link and param and key else None) for key, n in ordered]


def _choice_name(choices) -> Callable[[str], str]:
    labels = dict(choices)
    return lambda code: str(labels.get(code, code)) if code else _("Not recorded")


def _language_name(code: str) -> str:
    return languages.name(code.split("-")[0].lower()) if code else _("Not recorded")


def _interface_name(code: str) -> str:
    labels = dict(settings.LANGUAGES)
    if not code:
        return _("Not recorded (staff or API)")
    return str(labels.get(code, labels.get(code.split("-")[0], code)))


# Reading the database ------------------------------------------------------------------------------------------

def _grouped(rows: QuerySet, column: str) -> list[tuple]:
    return list(rows.order_by().values_list(column).annotate(n=Count("id")).values_list(column, "n"))


def _exploded(rows: QuerySet, column: str) -> Counter:
    """Counts per item of a JSON list column, grouped by the whole list in the database (a few distinct lists)."""
    totals: Counter = Counter()
    for items, n in _grouped(rows, column):
        for item in set(items or ()):
            totals[str(item)] += n
    return totals


def median_days(rows: QuerySet, duration, *, known_count: int | None = None) -> float | None:
    """The median of `duration` over `rows` in days, read by position in the database (portable, bounded)."""
    n = rows.count() if known_count is None else known_count
    if not n:
        return None
    ordered = (rows.annotate(_duration=ExpressionWrapper(duration, output_field=DurationField()))
               .order_by("_duration", "pk").values_list("_duration", flat=True))
    middle = [value for value in ordered[(n - 1) // 2: n // 2 + 1] if value is not None]
    if not middle:
        return None
    return sum(value.total_seconds() for value in middle) / len(middle) / 86400


def stay_median_days(organisation: Organisation, stage: str, period: Period) -> float | None:
    """The median stay in `stage` over the latest MEDIAN_SAMPLE stays that ended in `period`, in days.

    Each stay's length is kept on the stage change that ended it (StageChange.stayed_seconds), so this reads
    at most MEDIAN_SAMPLE rows of one index, newest first, whatever the number of cases.
    """
    seconds = [value for value in StageChange.objects.filter(organisation=organisation, from_stage=stage)
               .filter(_in(period, "at")).order_by("-at", "-id").values_list("stayed_seconds", flat=True)
               [:MEDIAN_SAMPLE] if value is not None]
    return statistics.median(seconds) / 86400 if seconds else None


def _in(period: Period, column: str) -> Q:
    return Q(**{f"{column}__gte": period.start_at, f"{column}__lt": period.end_at})


def _on(period: Period, column: str) -> Q:
    return Q(**{f"{column}__gte": period.start, f"{column}__lt": period.end})


def _has(column: str) -> Q:
    """The sealed column holds something (only its emptiness is read; it is never opened)."""
    return ~Q(**{column: b""})


class _Builder:
    """Reads the figures of one organisation for one period; each method answers for one criterion."""

    def __init__(self, organisation: Organisation, period: Period, *, today: datetime.date, link: Link):
        self.organisation = organisation
        self.period = period
        self.today = today
        self.link = link
        self.cases = Grievance.objects.for_organisation(organisation).order_by()
        self.received = self.cases.filter(_in(period, "received_at"))
        self.settings = GrievanceSettings.objects.filter(organisation=organisation).first()
        self._totals: dict | None = None

    # Shared reads ---------------------------------------------------------------------------------------------

    def linked_to_register(self):
        """Cases linked to a risk, a mitigation or a decision, or remedied by a change of product or policy.

        Uncorrelated IN lists of the organisation's links: each is read once (PostgreSQL hashes it, SQLite
        builds a temporary index), where an EXISTS per case cost ~0.5 s over eight quarters of cases.
        """
        organisation = self.organisation
        linked = [through.objects.filter(grievance__organisation=organisation).values("grievance_id")
                  for through in (Grievance.risks.through, Grievance.mitigations.through,
                                  Grievance.decisions.through)]
        changed_plans = RemedyAction.objects.filter(plan__organisation=organisation,
                                                    remedy_type=RemedyType.CHANGE).values("plan_id")
        return (Q(pk__in=linked[0]) | Q(pk__in=linked[1]) | Q(pk__in=linked[2])
                | Q(remedy_plan_id__in=changed_plans))

    @property
    def totals(self) -> dict:
        """Counts over the cases received in the period, in one query."""
        if self._totals is None:
            proxied = Q(raised_by=RaisedBy.ON_BEHALF) | Q(proxy__isnull=False) | Q(on_behalf_of__isnull=False)
            messages = CaseMessage.objects.filter(grievance_id=OuterRef("pk"))
            both_ways = (Q(Exists(messages.filter(direction=MessageDirection.TO_COMPLAINANT)))
                         & Q(Exists(messages.filter(direction=MessageDirection.FROM_COMPLAINANT))))
            self._totals = self.received.aggregate(
                total=Count("id"),
                with_handler=Count("id", filter=Q(handler__isnull=False)),
                handlers=Count("handler", distinct=True),
                anonymous=Count("id", filter=Q(mode=Mode.ANONYMOUS)),
                confidential=Count("id", filter=Q(mode=Mode.CONFIDENTIAL)),
                named=Count("id", filter=Q(mode=Mode.NAMED)),
                proxied=Count("id", filter=proxied),
                supported=Count("id", filter=proxied | Q(supported_by_adviser=True)),
                staff=Count("id", filter=Q(raised_by=RaisedBy.STAFF)),
                staff_to_risk=Count("id", filter=Q(raised_by=RaisedBy.STAFF) & Q(
                    Exists(Grievance.risks.through.objects.filter(grievance_id=OuterRef("pk"))))),
                at_risk=Count("id", filter=~Q(at_risk=[])),
                known_country=Count("id", filter=~Q(country="")),
                both_ways=Count("id", filter=both_ways),
                changed=Count("id", filter=self.linked_to_register()),
            )
        return self._totals

    def finished(self) -> dict:
        """Counts over the cases finished in the period (closed, or found not admissible)."""
        rows = self.cases.filter(stage__in=FINISHED_STAGES).alias(
            finished_at=Coalesce("closed_at", "stage_changed_at")).filter(_in(self.period, "finished_at"))
        return rows.aggregate(
            total=Count("id"),
            closed=Count("id", filter=Q(stage=Stage.CLOSED)),
            outcome_given=Count("id", filter=(Q(stage=Stage.CLOSED) & _has("outcome_summary_sealed")) | (
                Q(stage=Stage.NOT_ADMISSIBLE) & _has("not_admissible_reasons_sealed"))),
            rights_reviewed=Count("id", filter=Q(rights_reviewed_at__isnull=False)),
            satisfaction_answered=Count("id", filter=~Q(satisfaction="")),
        )

    # The criteria ---------------------------------------------------------------------------------------------

    def legitimate(self) -> list[Figure]:
        appeal_of = Appeal.objects.filter(grievance_id=OuterRef("grievance_id"),
                                          previous_handler_id=OuterRef("user_id"))
        conflicts = (HandlerExclusion.objects.filter(grievance__organisation=self.organisation)
                     .filter(_in(self.period, "at")).exclude(Exists(appeal_of)).aggregate(
            total=Count("id"), cases=Count("grievance", distinct=True),
            respected=Count("id", filter=Q(grievance__handler__isnull=True) | ~Q(grievance__handler=F("user")))))
        appeals = (Appeal.objects.filter(grievance__organisation=self.organisation).filter(_in(self.period, "filed_at"))
                   .aggregate(total=Count("id"),
                              different=Count("id", filter=Q(new_handler__isnull=False) & (
                                  Q(previous_handler__isnull=True) | ~Q(new_handler=F("previous_handler")))),
                              waiting=Count("id", filter=Q(new_handler__isnull=True))))
        totals = self.totals
        promise = self.settings or GrievanceSettings(organisation=self.organisation)
        return [
            share("conflicts_respected", _("Conflicts of interest where the person kept out does not handle the case"),
                  conflicts["respected"], conflicts["total"],
                  ngettext("Kept out of a case for a conflict of interest: %(n)s, in %(cases)s case. Still its "
                           "handler despite that: %(bad)s.",
                           "Kept out of a case for a conflict of interest: %(n)s, in %(cases)s cases. Still its "
                           "handler despite that: %(bad)s.", conflicts["cases"])
                  % {"n": conflicts["total"], "cases": conflicts["cases"],
                     "bad": conflicts["total"] - conflicts["respected"]},
                  empty=_("No handler was kept out of a case for a conflict of interest in this period.")),
            share("appeals_independent", _("Appeals heard by a different handler"), appeals["different"],
                  appeals["total"],
                  _("%(different)s of %(total)s appeals went to someone other than the handler of the appealed "
                    "outcome. Awaiting a new handler: %(waiting)s.")
                  % {"different": appeals["different"], "total": appeals["total"], "waiting": appeals["waiting"]},
                  empty=_("No appeal was filed in this period."), url=self.link({"appealed": "1"})),
            share("handled", _("Cases with a named handler"), totals["with_handler"], totals["total"],
                  ngettext("Handled by %(handlers)s person; without a handler: %(without)s.",
                           "Handled by %(handlers)s different people; without a handler: %(without)s.",
                           totals["handlers"])
                  % {"handlers": totals["handlers"], "without": totals["total"] - totals["with_handler"]},
                  empty=_("No case was received in this period."), url=self.link({"unassigned": "1"})),
            Figure(key="deadlines_published", label=_("Deadlines published on the grievance page"), kind=TEXT,
                   value=None,
                   shown=_("acknowledgement within %(ack)s days, a substantive response within %(respond)s days")
                   % {"ack": promise.acknowledge_days, "respond": promise.respond_days},
                   reading=_("The public page takes new grievances.") if promise.intake_open else _(
                       "The public page takes no new grievances at the moment; people can still follow theirs.")),
        ]

    def accessible(self) -> list[Figure]:
        totals = self.totals
        total = totals["total"]
        channels = _grouped(self.received, "channel")
        spoken = _grouped(self.received, "language")
        interfaces = _grouped(self.received, "interface_language")
        by_country = _grouped(self.received, "country")
        regions: Counter = Counter()
        south = 0
        for code, n in by_country:
            country = countries.get(code) if code else None
            if country is None:
                continue
            regions[country.region_code] += n
            south += n if country.global_south else 0
        at_risk = _exploded(self.received.exclude(at_risk=[]), "at_risk")
        known_languages = [code for code, n in spoken if code]
        return [
            count("received", _("Cases received"), total,
                  ngettext("%(n)s case came in through %(channels)s channel.",
                           "%(n)s cases came in through %(channels)s channels.", total)
                  % {"n": total, "channels": sum(1 for _code, n in channels if n)},
                  parts=_count_parts(channels, _choice_name(Channel.choices), self.link, "channel")),
            count("languages", _("Languages the cases were written in"), len(known_languages),
                  ngettext("Cases came in %(n)s language.", "Cases came in %(n)s languages.", len(known_languages))
                  % {"n": len(known_languages)},
                  parts=_count_parts(spoken, _language_name)),
            count("interface_languages", _("Interface languages people used"),
                  sum(1 for code, n in interfaces if code),
                  _("The languages the public page or portal was read in when the case was raised."),
                  parts=_count_parts(interfaces, _interface_name)),
            share("global_south", _("Cases from the Global South"), south, totals["known_country"],
                  ngettext("Of the cases that say where it happened, %(south)s came from the Global South, across "
                           "%(n)s country.",
                           "Of the cases that say where it happened, %(south)s came from the Global South, across "
                           "%(n)s countries.", sum(1 for code, n in by_country if code))
                  % {"south": south, "n": sum(1 for code, n in by_country if code)},
                  empty=_("No case received in this period says where it happened."),
                  parts=_count_parts(regions.items(), countries.area_name)),
            share("at_risk", _("Cases naming groups at risk among the affected"), totals["at_risk"], total,
                  ngettext("%(n)s group at risk was named.", "%(n)s groups at risk were named.", len(at_risk))
                  % {"n": len(at_risk)},
                  empty=_("No case was received in this period."),
                  parts=_count_parts(at_risk.items(), _choice_name(AtRisk.choices))),
            share("anonymous", _("Cases raised anonymously"), totals["anonymous"], total,
                  _("%(anonymous)s anonymous, %(confidential)s confidential, %(named)s named: people choose how "
                    "much of themselves to give.")
                  % {"anonymous": totals["anonymous"], "confidential": totals["confidential"],
                     "named": totals["named"]},
                  empty=_("No case was received in this period."),
                  parts=[Part(key=mode, label=str(label).split(":")[0], value=totals[mode], shown=str(totals[mode]))
                         for mode, label in Mode.choices]),
            share("on_behalf", _("Cases raised on behalf of others"), totals["proxied"], total,
                  _("Raised by a proxy, an NGO or a family member for the people affected."),
                  empty=_("No case was received in this period.")),
            count("staff_concerns", _("Concerns raised by the company's own staff"), totals["staff"],
                  _("%(n)s of them fed a salient risk.") % {"n": totals["staff_to_risk"]} if totals["staff"]
                  else _("No staff concern in this period: say internally that staff may raise one.")),
        ]

    def predictable(self) -> list[Figure]:
        cases, period, today = self.cases, self.period, self.today
        # An answer given is one whose promise is judged (acknowledged_in_time is set exactly when
        # acknowledged_at is), so each count reads only the columns of one index.
        ack_due = Q(acknowledge_due_on__lt=today) | Q(acknowledged_in_time__isnull=False)
        respond_due = Q(respond_due_on__lt=today) | Q(responded_in_time__isnull=False)
        # Whether each promise was kept is kept on the case (selfcheck_facts.py): plain counts on indexed columns.
        # (Counting an indexed column, not the id, lets PostgreSQL answer from the index alone.)
        acknowledgements = cases.filter(_on(period, "acknowledge_due_on")).aggregate(
            due=Count("acknowledge_due_on", filter=ack_due),
            in_time=Count("acknowledge_due_on", filter=Q(acknowledged_in_time=True)))
        responses = cases.filter(_on(period, "respond_due_on")).aggregate(
            due=Count("respond_due_on", filter=respond_due),
            in_time=Count("respond_due_on", filter=Q(responded_in_time=True)))
        deadlines = {"ack_due": acknowledgements["due"], "ack_in_time": acknowledgements["in_time"],
                     "respond_due": responses["due"], "respond_in_time": responses["in_time"]}
        # Only open cases are overdue: naming the open stages reads them alone on the index `grievance_org_open`.
        overdue = cases.filter(stage__in=TIMED_STAGES).overdue(today).count()

        stage_name = _choice_name(Stage.choices)
        parts = []
        for stage in TIMED_STAGES:
            days = stay_median_days(self.organisation, stage, period)
            if days is not None:
                parts.append(Part(key=stage, label=stage_name(stage), value=round(days, 1),
                                  shown=_days_shown(days), url=self.link({"stage": stage})))
        answered = cases.filter(_in(period, "responded_at"))
        to_answer = median_days(answered, F("responded_at") - F("received_at"))
        slowest = max((part for part in parts if part.value is not None), key=lambda part: part.value, default=None)
        return [
            share("acknowledged_in_time", _("Acknowledged by the date promised"), deadlines["ack_in_time"],
                  deadlines["ack_due"],
                  _("Of the acknowledgements due in this period, %(late)s came late or not at all.")
                  % {"late": deadlines["ack_due"] - deadlines["ack_in_time"]},
                  empty=_("No acknowledgement fell due in this period.")),
            share("answered_in_time", _("A substantive response by the date promised"),
                  deadlines["respond_in_time"], deadlines["respond_due"],
                  _("Of the responses due in this period, %(late)s came late or not at all.")
                  % {"late": deadlines["respond_due"] - deadlines["respond_in_time"]},
                  empty=_("No substantive response fell due in this period.")),
            Figure(key="days_to_answer", label=_("Median days from receipt to a substantive response"), kind=DAYS,
                   value=None if to_answer is None else round(to_answer, 1), shown=_days_shown(to_answer),
                   reading=_("Over the cases answered in this period.") if to_answer is not None
                   else _("No case was answered in this period.")),
            Figure(key="days_per_stage", label=_("Median days in each stage"), kind=DAYS,
                   value=None if slowest is None else slowest.value, shown=_days_shown(
                       None if slowest is None else slowest.value),
                   reading=_("The longest stage: %(stage)s. Over the stays that ended in this period (the latest "
                             "%(sample)s of a stage when there are more).") % {
                       "stage": slowest.label, "sample": f"{MEDIAN_SAMPLE:,}"} if slowest
                   else _("No case left a stage in this period."), parts=tuple(parts)),
            count("overdue_now", _("Open cases overdue today"), overdue,
                  _("Overdue for acknowledgement or a substantive response, whatever the period.") if overdue
                  else _("No open case is overdue today."), url=self.link({"overdue": "1"})),
        ]

    def equitable(self) -> list[Figure]:
        totals = self.totals
        remedies = _grouped(RemedyAction.objects.filter(plan__organisation=self.organisation)
                            .filter(_in(self.period, "created_at")), "remedy_type")
        remedy_total = sum(n for _key, n in remedies)
        return [
            share("supported", _("Supported by a proxy or an adviser"), totals["supported"], totals["total"],
                  _("People with support face the company on more equal terms."),
                  empty=_("No case was received in this period.")),
            share("messages_both_ways", _("Cases with messages both ways"), totals["both_ways"], totals["total"],
                  _("The person both heard from the handler and wrote back."),
                  empty=_("No case was received in this period.")),
            count("remedies", _("Remedy actions agreed, by type"), remedy_total,
                  _("Remedy actions planned in this period.") if remedy_total
                  else _("No remedy action was planned in this period."),
                  parts=_count_parts(remedies, _choice_name(RemedyType.choices))),
        ]

    def transparent(self, finished: dict) -> list[Figure]:
        changes = (StageChange.objects.filter(organisation=self.organisation).exclude(from_stage="")
                   .filter(_in(self.period, "at")).aggregate(total=Count("id"), told=Count("id", filter=_has(
                       "note_sealed"))))
        messages = (CaseMessage.objects.filter(grievance__organisation=self.organisation,
                                               direction=MessageDirection.TO_COMPLAINANT)
                    .filter(_in(self.period, "created_at"))
                    .aggregate(total=Count("id"), seen=Count("id", filter=Q(seen_at__isnull=False))))
        return [
            share("told_of_stages", _("Stage changes explained to the person"), changes["told"], changes["total"],
                  _("Each stage shows on the follow-up page; these also came with a note in words."),
                  empty=_("No case changed stage in this period.")),
            share("outcome_given", _("Finished cases whose outcome was given"), finished["outcome_given"],
                  finished["total"],
                  _("An outcome, or the reasons a case is not admissible and where else to go."),
                  empty=_("No case was finished in this period.")),
            share("satisfaction_answered", _("Satisfaction asked and answered"), finished["satisfaction_answered"],
                  finished["total"],
                  _("Every finished case is asked on its follow-up page; this many answered."),
                  empty=_("No case was finished in this period.")),
            share("messages_seen", _("Messages to the person that they opened"), messages["seen"], messages["total"],
                  _("Opened on the follow-up page after the message was written."),
                  empty=_("No message was sent to a person in this period.")),
        ]

    def rights_compatible(self, finished: dict) -> list[Figure]:
        satisfaction = _grouped(self.cases.filter(_in(self.period, "satisfaction_at")).exclude(satisfaction=""),
                                "satisfaction")
        answered = sum(n for _key, n in satisfaction)
        satisfied = dict(satisfaction).get(Satisfaction.SATISFIED, 0)
        confirmations = (ActionConfirmation.objects.filter(grievance__organisation=self.organisation)
                         .filter(_in(self.period, "at")).aggregate(
            total=Count("id"), disputed=Count("id", filter=Q(answer=ConfirmationAnswer.DISPUTED))))
        disputed_now = RemedyAction.objects.filter(plan__organisation=self.organisation,
                                                   status=ActionStatus.DISPUTED).count()
        at_stake = _exploded(self.received.exclude(rights=[]), "rights")
        return [
            share("rights_reviewed", _("Outcomes reviewed for compatibility with human rights"),
                  finished["rights_reviewed"], finished["total"],
                  _("Checked against international human rights standards before the case was finished."),
                  empty=_("No case was finished in this period.")),
            share("satisfied", _("People satisfied with the outcome"), satisfied, answered,
                  _("Of those who answered; the parts show every answer."),
                  empty=_("No one told us how satisfied they were in this period."),
                  parts=_count_parts(satisfaction, _choice_name(Satisfaction.choices))),
            share("disputes", _("Remedy actions disputed by the affected"), confirmations["disputed"],
                  confirmations["total"],
                  ngettext("Of the answers on remedy actions in this period; %(now)s action stands disputed today.",
                           "Of the answers on remedy actions in this period; %(now)s actions stand disputed today.",
                           disputed_now) % {"now": disputed_now},
                  empty=_("No one confirmed or disputed a remedy action in this period.")),
            count("rights_at_stake", _("Rights at stake in the cases received"), len(at_stake),
                  _("The rights the cases received in this period name."),
                  parts=_count_parts(at_stake.items(), rights.name)),
        ]

    def continuous_learning(self) -> list[Figure]:
        totals = self.totals
        products = _grouped(self.received.exclude(product=""), "product")
        by_country = _grouped(self.received.exclude(country=""), "country")
        pairs = list(self.received.exclude(product="").exclude(country="").values_list("product", "country")
                     .annotate(n=Count("id")).filter(n__gte=2).values_list("product", "country", "n"))
        by_right = _exploded(self.received.exclude(rights=[]), "rights")
        themes = (sum(1 for _key, n in products if n >= 2) + sum(1 for _key, n in by_country if n >= 2)
                  + sum(1 for n in by_right.values() if n >= 2) + len(pairs))
        return [
            share("changed_register", _("Cases that changed a risk, a mitigation or a decision"), totals["changed"],
                  totals["total"],
                  _("Linked to a salient risk, a mitigation or a strategic decision, or remedied by a change of "
                    "product or policy."),
                  empty=_("No case was received in this period.")),
            count("recurring_themes", _("Recurring themes"), themes,
                  _("Groups of two or more cases sharing a product, a country, a right, or a product in a country.")
                  if themes else _("No theme recurs among the cases received in this period."),
                  url=_themes_link(), link_text=_("See the recurring themes")),
        ]

    def engagement(self) -> list[Figure]:
        held = Engagement.objects.none()
        if self.settings is not None:
            held = self.settings.mechanism_engagements.filter(starts_on__lt=self.period.end,
                                                              ends_on__gte=self.period.start)
        engagements = held.count()
        plans = (RemedyPlan.objects.for_organisation(self.organisation).filter(_in(self.period, "created_at"))
                 .aggregate(total=Count("id"), with_proposals=Count("id", filter=Q(Exists(
                     Input.objects.filter(engagement_id=OuterRef("engagement_id")))))))
        actions = (RemedyAction.objects.filter(plan__organisation=self.organisation)
                   .filter(_in(self.period, "created_at")).aggregate(
            total=Count("id"), answering=Count("id", filter=Q(proposal__isnull=False))))
        confirmations = (ActionConfirmation.objects.filter(grievance__organisation=self.organisation)
                         .filter(_in(self.period, "at")).aggregate(
            total=Count("id"), direct=Count("id", filter=~Q(via=MessageVia.STAFF))))
        return [
            count("mechanism_engagements", _("Engagements on the mechanism itself"), engagements,
                  _("Consultations with the people the mechanism is for, about the mechanism.") if engagements
                  else _("No engagement on the mechanism itself in this period: ask its users how it works for "
                         "them.")),
            share("plans_with_proposals", _("Remedy plans with the affected people's own proposals"),
                  plans["with_proposals"], plans["total"],
                  _("Their proposals are recorded as inputs, each with a decision they are told about."),
                  empty=_("No remedy plan was started in this period.")),
            share("actions_answering_proposals", _("Remedy actions answering a proposal of the affected"),
                  actions["answering"], actions["total"],
                  _("Actions that take up something the affected people proposed."),
                  empty=_("No remedy action was planned in this period.")),
            count("confirmations", _("Remedy actions confirmed or disputed by the affected"), confirmations["total"],
                  _("%(direct)s through their follow-up page, the portal or a proxy; the rest recorded by staff.")
                  % {"direct": confirmations["direct"]} if confirmations["total"]
                  else _("No one confirmed or disputed a remedy action in this period.")),
        ]


def _themes_link() -> str | None:
    try:
        return reverse("grievances:themes")
    except NoReverseMatch:
        return None


# The trend -----------------------------------------------------------------------------------------------------

HEADLINES = {
    Criterion.LEGITIMATE: "appeals_independent",
    Criterion.ACCESSIBLE: "received",
    Criterion.PREDICTABLE: "acknowledged_in_time",
    Criterion.EQUITABLE: "supported",
    Criterion.TRANSPARENT: "told_of_stages",
    Criterion.RIGHTS_COMPATIBLE: "rights_reviewed",
    Criterion.CONTINUOUS_LEARNING: "changed_register",
    Criterion.ENGAGEMENT: "mechanism_engagements",
}


def _by_quarter(rows: QuerySet, quarters: list[Period], column: str, *, dates: bool = False,
                parts: dict[str, Q] | None = None) -> list[dict[str, int]]:
    """Counts per quarter of `column` (and of each of `parts`) in one grouped query over the quarters' span.

    Each row is put in its quarter by a CASE over the quarters' ends (plain comparisons, no date functions), so
    the database reads the span once whatever the number of quarters.
    """
    first, last = quarters[0], quarters[-1]
    low, high = (first.start, last.end) if dates else (first.start_at, last.end_at)
    bucket = Case(*[When(**{f"{column}__lt": quarter.end if dates else quarter.end_at}, then=Value(index))
                    for index, quarter in enumerate(quarters)], default=Value(-1), output_field=IntegerField())
    counts = {name: Count("id", filter=condition) for name, condition in (parts or {}).items()}
    found = {row["bucket"]: row for row in rows.filter(**{f"{column}__gte": low, f"{column}__lt": high})
             .annotate(bucket=bucket).order_by().values("bucket").annotate(whole=Count("id"), **counts)}
    empty = {"whole": 0, **dict.fromkeys(parts or {}, 0)}
    return [found.get(index, empty) for index in range(len(quarters))]


def _pairs(rows: list[dict[str, int]], part: str | None = None) -> list[tuple[int, int]]:
    return [(row[part] if part else row["whole"], row["whole"]) for row in rows]


def _trend_points(kind: str, pairs: list[tuple[int, int]], quarters: list[Period]) -> tuple[TrendPoint, ...]:
    points = []
    for quarter, (part, whole) in zip(quarters, pairs, strict=True):
        if kind == SHARE:
            points.append(TrendPoint(quarter, _ratio(part, whole), _share_shown(part, whole), part, whole))
        else:
            points.append(TrendPoint(quarter, whole, str(whole)))
    return tuple(points)


def trends(builder: _Builder, quarters: list[Period]) -> dict[str, Trend]:
    """The headline figure of each criterion per quarter: six grouped queries, whatever the number of cases."""
    organisation, today = builder.organisation, builder.today
    cases = builder.cases
    proxied = Q(raised_by=RaisedBy.ON_BEHALF) | Q(proxy__isnull=False) | Q(on_behalf_of__isnull=False)
    received = _by_quarter(cases, quarters, "received_at", parts={
        "supported": proxied | Q(supported_by_adviser=True), "changed": builder.linked_to_register()})
    acknowledged = _by_quarter(
        cases.filter(Q(acknowledge_due_on__lt=today) | Q(acknowledged_in_time__isnull=False)), quarters,
        "acknowledge_due_on", dates=True, parts={"in_time": Q(acknowledged_in_time=True)})
    appeals = _by_quarter(Appeal.objects.filter(grievance__organisation=organisation), quarters, "filed_at", parts={
        "different": Q(new_handler__isnull=False) & (
            Q(previous_handler__isnull=True) | ~Q(new_handler=F("previous_handler")))})
    told = _by_quarter(StageChange.objects.filter(organisation=organisation).exclude(from_stage=""),
                       quarters, "at", parts={"told": _has("note_sealed")})
    finished = _by_quarter(
        cases.filter(stage__in=FINISHED_STAGES).alias(finished_at=Coalesce("closed_at", "stage_changed_at")),
        quarters, "finished_at", parts={"reviewed": Q(rights_reviewed_at__isnull=False)})
    engagements = [0] * len(quarters)
    if builder.settings is not None:  # an engagement spanning two quarters counts in both
        held = builder.settings.mechanism_engagements.aggregate(**{
            f"q{index}": Count("id", filter=Q(starts_on__lt=quarter.end, ends_on__gte=quarter.start))
            for index, quarter in enumerate(quarters)})
        engagements = [held[f"q{index}"] for index in range(len(quarters))]
    series = {
        Criterion.LEGITIMATE: (SHARE, _pairs(appeals, "different")),
        Criterion.ACCESSIBLE: (COUNT, _pairs(received)),
        Criterion.PREDICTABLE: (SHARE, _pairs(acknowledged, "in_time")),
        Criterion.EQUITABLE: (SHARE, _pairs(received, "supported")),
        Criterion.TRANSPARENT: (SHARE, _pairs(told, "told")),
        Criterion.RIGHTS_COMPATIBLE: (SHARE, _pairs(finished, "reviewed")),
        Criterion.CONTINUOUS_LEARNING: (SHARE, _pairs(received, "changed")),
        Criterion.ENGAGEMENT: (COUNT, [(n, n) for n in engagements]),
    }
    return {criterion: Trend(key=HEADLINES[criterion], label="", kind=kind,
                             points=_trend_points(kind, pairs, quarters))
            for criterion, (kind, pairs) in series.items()}


# The organisation's own assessment -------------------------------------------------------------------------------

def _judgement(row: SelfAssessment) -> Judgement:
    return Judgement(id=row.pk, assessment=row.assessment, assessment_label=str(row.get_assessment_display()),
                     notes=row.notes, at=row.at)


def assessments(organisation: Organisation) -> dict[str, tuple[Judgement | None, list[Judgement], int]]:
    """Per criterion: the standing assessment, the few before it, and how many came before it (two queries)."""
    newest = (SelfAssessment.objects.for_organisation(organisation)
              .annotate(row=Window(RowNumber(), partition_by=[F("criterion")], order_by=[F("at").desc(),
                                                                                        F("id").desc()]))
              .filter(row__lte=EARLIER_ASSESSMENTS + 1).order_by("criterion", "-at", "-id"))
    counts = dict(_grouped(SelfAssessment.objects.for_organisation(organisation), "criterion"))
    found: dict[str, list[Judgement]] = {}
    for row in newest:
        found.setdefault(row.criterion, []).append(_judgement(row))
    return {criterion: ((found.get(criterion) or [None])[0], (found.get(criterion) or [])[1:],
                        max(counts.get(criterion, 0) - 1, 0))
            for criterion in Criterion.values}


# The whole self-check --------------------------------------------------------------------------------------------

def self_check(organisation: Organisation, period: Period, *, today: datetime.date | None = None,
               link: Link | None = None) -> SelfCheck:
    """The eight criteria for `period`, each with its figures, the headline's trend and the standing assessment."""
    today = today or timezone.localdate()
    builder = _Builder(organisation, period, today=today, link=link or _no_link)
    finished = builder.finished()
    figures = {
        Criterion.LEGITIMATE: builder.legitimate(),
        Criterion.ACCESSIBLE: builder.accessible(),
        Criterion.PREDICTABLE: builder.predictable(),
        Criterion.EQUITABLE: builder.equitable(),
        Criterion.TRANSPARENT: builder.transparent(finished),
        Criterion.RIGHTS_COMPATIBLE: builder.rights_compatible(finished),
        Criterion.CONTINUOUS_LEARNING: builder.continuous_learning(),
        Criterion.ENGAGEMENT: builder.engagement(),
    }
    last = min(period.last_quarter(), current_quarter(today))
    quarters = last.quarters_back(TREND_QUARTERS)
    trend = trends(builder, quarters)
    judged = assessments(organisation)
    checks = []
    for criterion, label in Criterion.choices:
        headline = next(figure for figure in figures[criterion] if figure.key == HEADLINES[criterion])
        standing, earlier, earlier_count = judged[criterion]
        checks.append(CriterionCheck(
            criterion=criterion, label=str(label), figures=figures[criterion],
            trend=Trend(key=headline.key, label=headline.label, kind=trend[criterion].kind,
                        points=trend[criterion].points),
            standing=standing, earlier=earlier, earlier_count=earlier_count))
    return SelfCheck(period=period, quarters=quarters, criteria=checks)


def figures_version(organisation: Organisation) -> str:
    """The organisation's latest recorded change (core.audit.latest_change): the remembered figures' version."""
    return audit.latest_change(organisation)


def remembered_self_check(organisation: Organisation, period: Period, *, today: datetime.date | None = None,
                          link: Link | None = None, link_kind: str = "") -> SelfCheck:
    """self_check(), kept in the cache until the organisation records a change (or CACHE_SECONDS pass).

    `link_kind` names the links `link` makes (the figures carry their URLs): one entry per kind, per period,
    per day (what is overdue changes with the date) and per interface language (the figures carry their words).
    """
    today = today or timezone.localdate()
    key = ":".join(("grievances.self-check", str(organisation.pk), period.code, today.isoformat(),
                    get_language() or "", link_kind, figures_version(organisation)))
    found = cache.get(key)
    if found is None:
        found = self_check(organisation, period, today=today, link=link)
        cache.set(key, found, CACHE_SECONDS)
    return found


def period_choices(today: datetime.date | None = None, *, years: int = 3) -> list[Period]:
    """Periods offered by the selector: this quarter and the ones before it over `years` years, and those years."""
    current = current_quarter(today)
    found = current.quarters_back(4 * years)[::-1]
    found += [Period(current.year - back) for back in range(years)]
    return found

