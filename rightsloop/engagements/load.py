"""Engagement load (S3): how often the organisation, all teams together, has asked one stakeholder to take part.

A request is an engagement someone was added to (Participation.added_at), whoever added them. An organisation
carries the requests made to the people who belong to it (Stakeholder.affiliation) as well as its own; one
engagement that asked the organisation and one of its people counts once. The windows roll: the last 90 and
365 days up to now. Counts read the participation_load index (stakeholder, added_at, engagement) only.

A team is the engagement's owner: "other teams" are engagements owned by someone else.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Function
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.vocabulary import EntityType, SafetyLevel

from .load_models import DEFAULT_WARN_90, DEFAULT_WARN_365, LoadThresholds
from .models import Engagement, Participation

WINDOWS = (90, 365)
REQUESTS_SHOWN = 50


@dataclass(frozen=True)
class Thresholds:
    warn_90: int = DEFAULT_WARN_90
    warn_365: int = DEFAULT_WARN_365

    def over(self, count_90: int, count_365: int) -> bool:
        """More than allowed in either window; equal is still fine ("more than 4 in 90 days warns")."""
        return count_90 > self.warn_90 or count_365 > self.warn_365


def thresholds_of(organisation) -> Thresholds:
    row = LoadThresholds.objects.filter(organisation=organisation).only("warn_90", "warn_365").first()
    return Thresholds(row.warn_90, row.warn_365) if row else Thresholds()


@transaction.atomic
def set_thresholds(*, organisation, warn_90: int, warn_365: int, by: Viewer) -> LoadThresholds:
    """Change what counts as asking too often; audited with the old and new numbers (they protect no one)."""
    row, _created = LoadThresholds.objects.select_for_update().get_or_create(organisation=organisation)
    before = (row.warn_90, row.warn_365)
    row.warn_90, row.warn_365, row.updated_by = warn_90, warn_365, by.user
    row.full_clean(exclude=["organisation", "updated_by"])
    row.save()
    if before != (warn_90, warn_365):
        audit.record(organisation=organisation, by=by, action="load.thresholds_changed", target=row,
                     summary=f"90 days: {before[0]} → {warn_90}; 365 days: {before[1]} → {warn_365}",
                     changed_fields=["warn_90", "warn_365"])
    return row


def count_in_window(moments: Iterable[tuple[int, datetime.datetime]], *, now: datetime.datetime,
                    days: int) -> int:
    """The rule itself, on (engagement, added_at) pairs: distinct engagements added within the last `days`."""
    start = now - datetime.timedelta(days=days)
    return len({engagement for engagement, at in moments if start < at <= now})


def counted_people(stakeholder: Stakeholder, *, leave_out: QuerySet[Stakeholder] | None = None) -> list[int]:
    """The stakeholder and, for an organisation, the people who belong to it (less those left out)."""
    ids = [stakeholder.pk]
    if stakeholder.entity_type == EntityType.ORGANISATION:
        people = Stakeholder.objects.filter(affiliation=stakeholder).order_by()
        if leave_out is not None:
            # Only its own people can be left out: narrowed to them, the subquery reads the affiliation index
            # instead of every high-safety person of the organisation.
            people = people.exclude(pk__in=leave_out.filter(affiliation=stakeholder))
        ids += list(people.values_list("pk", flat=True))
    return ids


def _requests(ids: list[int], since: datetime.datetime, now: datetime.datetime) -> QuerySet[Participation]:
    return Participation.objects.filter(stakeholder_id__in=ids, added_at__gt=since, added_at__lte=now)


@dataclass(frozen=True)
class Request:
    """One time the organisation asked: which engagement, which team, when, and whom (an organisation's person)."""

    engagement_id: int
    title: str
    owner: str
    functions: list[str]
    asked_at: datetime.datetime
    stakeholder_id: int

    @property
    def function_labels(self) -> list[str]:
        return [str(Function(code).label) for code in self.functions if code in Function.values]


@dataclass
class Load:
    stakeholder: Stakeholder
    count_90: int
    count_365: int
    thresholds: Thresholds
    requests: list[Request] = field(default_factory=list)

    @property
    def over_90(self) -> bool:
        return self.count_90 > self.thresholds.warn_90

    @property
    def over_365(self) -> bool:
        return self.count_365 > self.thresholds.warn_365

    @property
    def over(self) -> bool:
        return self.over_90 or self.over_365

    @property
    def teams_90(self) -> int:
        start = self.now - datetime.timedelta(days=90)
        return len({r.owner for r in self.requests if r.asked_at > start})

    now: datetime.datetime = field(default_factory=timezone.now)
    # Who was counted (the stakeholder and its people, less those left out): who asked is read for the same.
    counted: list[int] = field(default_factory=list, repr=False)


def counts(stakeholder: Stakeholder, *, now: datetime.datetime | None = None,
           leave_out: QuerySet[Stakeholder] | None = None) -> tuple[int, int]:
    """(requests in 90 days, in 365 days) in one indexed query: the check run before every invitation."""
    return _counts(counted_people(stakeholder, leave_out=leave_out), now or timezone.now())


def _counts(ids: list[int], now: datetime.datetime) -> tuple[int, int]:
    since_90 = now - datetime.timedelta(days=90)
    found = _requests(ids, now - datetime.timedelta(days=365), now).aggregate(
        d365=Count("engagement_id", distinct=True),
        d90=Count("engagement_id", distinct=True, filter=Q(added_at__gt=since_90)),
    )
    return found["d90"], found["d365"]


def load_of(stakeholder: Stakeholder, *, now: datetime.datetime | None = None,
            leave_out: QuerySet[Stakeholder] | None = None, with_requests: bool = True) -> Load:
    """The counts, the organisation's thresholds and (with_requests) who asked in the last year, newest first.

    leave_out: people whose requests must not count or show (staff: hidden_from(viewer); portal: protected
    people of an organisation).
    """
    now = now or timezone.now()
    ids = counted_people(stakeholder, leave_out=leave_out)
    count_90, count_365 = _counts(ids, now)
    load = Load(stakeholder=stakeholder, count_90=count_90, count_365=count_365,
                thresholds=thresholds_of(stakeholder.organisation_id), now=now, counted=ids)
    if with_requests:
        add_requests(load)
    return load


def add_requests(load: Load) -> Load:
    """Who asked in the last year, newest first, for the people the load counted: one query, no recount."""
    now = load.now
    rows = (_requests(load.counted, now - datetime.timedelta(days=365), now).order_by("-added_at", "-id")
            .values_list("engagement_id", "added_at", "stakeholder_id")[:REQUESTS_SHOWN])
    first: dict[int, tuple[datetime.datetime, int]] = {}
    for engagement_id, added_at, stakeholder_id in rows:
        first.setdefault(engagement_id, (added_at, stakeholder_id))
    # The engagements by primary key, apart: joined in the same query, PostgreSQL hashed all of them (16 ms at
    # 10,000 engagements) for some 130 requests.
    engagements = Engagement.objects.select_related("owner").in_bulk(list(first)) if first else {}
    load.requests = []
    for engagement_id, (added_at, stakeholder_id) in first.items():
        engagement = engagements[engagement_id]
        load.requests.append(Request(
            engagement_id=engagement.pk, title=engagement.title,
            owner=engagement.owner.get_full_name() or engagement.owner.get_username(),
            functions=list(engagement.attending_functions), asked_at=added_at, stakeholder_id=stakeholder_id,
        ))
    return load


def invitation_load(stakeholder: Stakeholder, *, leave_out: QuerySet[Stakeholder] | None = None,
                    now: datetime.datetime | None = None) -> Load:
    """What inviting someone needs: the counts once, and who asked only when over (the warning lists them)."""
    found = load_of(stakeholder, now=now, leave_out=leave_out, with_requests=False)
    return add_requests(found) if found.over else found


# Monthly load, for the chart ------------------------------------------------

def month_starts(today: datetime.date, months: int = 12) -> list[datetime.date]:
    """The first day of each of the last `months` calendar months, oldest first, this month last."""
    year, month = today.year, today.month
    starts = []
    for _i in range(months):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def monthly(stakeholder: Stakeholder, *, today: datetime.date | None = None,
            leave_out: QuerySet[Stakeholder] | None = None) -> list[tuple[datetime.date, int]]:
    """(month, distinct engagements that asked in it) for the last 12 months; bucketed here, the same on
    every database (at most a year of one stakeholder's rows)."""
    today = today or timezone.localdate()
    starts = month_starts(today)
    first = timezone.make_aware(datetime.datetime.combine(starts[0], datetime.time.min))
    rows = (Participation.objects.filter(stakeholder_id__in=counted_people(stakeholder, leave_out=leave_out),
                                         added_at__gte=first)
            .values_list("engagement_id", "added_at"))
    buckets: dict[datetime.date, set[int]] = defaultdict(set)
    for engagement_id, added_at in rows:
        local = timezone.localtime(added_at).date()
        buckets[local.replace(day=1)].add(engagement_id)
    return [(start, len(buckets.get(start, ()))) for start in starts]


# Overlaps: the same stakeholder asked by more than one team this month ----------

def month_start(now: datetime.datetime) -> datetime.datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _target():
    """Whom a request loads: the person's organisation when they belong to one, else the stakeholder."""
    return Coalesce("stakeholder__affiliation_id", "stakeholder_id")


def _this_month(organisation, now: datetime.datetime, hidden: QuerySet[Stakeholder]) -> QuerySet[Participation]:
    return (Participation.objects.filter(engagement__organisation=organisation, added_at__gte=month_start(now),
                                         added_at__lte=now)
            .exclude(stakeholder__in=hidden).exclude(stakeholder__affiliation__in=hidden))


def overlapping_engagements(engagement_ids: list[int], *, organisation, hidden: QuerySet[Stakeholder],
                            now: datetime.datetime | None = None) -> dict[int, int]:
    """For the engagements of one list page: how many other teams' engagements asked the same stakeholders
    (or their organisations) this month. Two queries whatever the page holds."""
    if not engagement_ids:
        return {}
    now = now or timezone.now()
    month = _this_month(organisation, now, hidden).annotate(target=_target())
    mine = list(month.filter(engagement_id__in=engagement_ids).values_list("engagement_id", "target",
                                                                          "engagement__owner_id"))
    if not mine:
        return {}
    others = month.filter(target__in={target for _e, target, _o in mine}).values_list(
        "engagement_id", "target", "engagement__owner_id").distinct()
    by_target: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for engagement_id, target, owner_id in others:
        by_target[target].add((engagement_id, owner_id))
    found: dict[int, set[int]] = defaultdict(set)
    for engagement_id, target, owner_id in mine:
        found[engagement_id] |= {other for other, other_owner in by_target[target] if other_owner != owner_id}
    return {engagement_id: len(others) for engagement_id, others in found.items() if others}


@dataclass
class Overlap:
    stakeholder: Stakeholder
    requests: list[Request]

    @property
    def teams(self) -> int:
        return len({r.owner for r in self.requests})


def overlaps(organisation, *, hidden: QuerySet[Stakeholder], now: datetime.datetime | None = None,
             limit: int = 50) -> list[Overlap]:
    """Stakeholders (an organisation with its people) asked this month by more than one team, most teams first."""
    now = now or timezone.now()
    month = _this_month(organisation, now, hidden).annotate(target=_target())
    targets = list(month.values("target").order_by().annotate(
        teams=Count("engagement__owner_id", distinct=True)).filter(teams__gt=1)
        .order_by("-teams", "target").values_list("target", flat=True)[:limit])
    if not targets:
        return []
    stakeholders = Stakeholder.objects.in_bulk(targets)
    rows = month.filter(target__in=targets).select_related("engagement__owner").order_by("-added_at", "-id")
    found: dict[int, dict[int, Request]] = defaultdict(dict)
    for row in rows:
        engagement = row.engagement
        found[row.target].setdefault(engagement.pk, Request(
            engagement_id=engagement.pk, title=engagement.title,
            owner=engagement.owner.get_full_name() or engagement.owner.get_username(),
            functions=list(engagement.attending_functions), asked_at=row.added_at, stakeholder_id=row.stakeholder_id))
    return [Overlap(stakeholders[target], list(found[target].values())) for target in targets
            if target in stakeholders]


# Most solicited ----------------------------------------------------------------

@dataclass(frozen=True)
class Solicited:
    stakeholder: Stakeholder
    count_90: int
    count_365: int
    over: bool


def most_solicited(organisation, *, hidden: QuerySet[Stakeholder], now: datetime.datetime | None = None,
                   limit: int = 25) -> list[Solicited]:
    """The stakeholders asked most in the last 90 days (an organisation with its people), hidden people left out."""
    now = now or timezone.now()
    since_90, since_365 = now - datetime.timedelta(days=90), now - datetime.timedelta(days=365)
    rows = list(
        Participation.objects.filter(engagement__organisation=organisation, added_at__gt=since_365,
                                     added_at__lte=now)
        .exclude(stakeholder__in=hidden).exclude(stakeholder__affiliation__in=hidden)
        .annotate(target=_target()).values("target").order_by()
        .annotate(d90=Count("engagement_id", distinct=True, filter=Q(added_at__gt=since_90)),
                  d365=Count("engagement_id", distinct=True))
        .filter(d90__gt=0).order_by("-d90", "-d365", "target")[:limit]
    )
    thresholds = thresholds_of(organisation)
    stakeholders = Stakeholder.objects.in_bulk([row["target"] for row in rows])
    return [Solicited(stakeholders[row["target"]], row["d90"], row["d365"], thresholds.over(row["d90"], row["d365"]))
            for row in rows if row["target"] in stakeholders]


def portal_leave_out(stakeholder: Stakeholder) -> QuerySet[Stakeholder]:
    """In an organisation's portal, its people at elevated or high safety neither count nor show: the
    organisation must not learn from us that we approached them."""
    return Stakeholder.objects.filter(affiliation=stakeholder, safety_level__in=[SafetyLevel.ELEVATED,
                                                                                 SafetyLevel.HIGH])


class OverSolicited(ValidationError):
    """Raised by add_participant (confirm_load=False) when the stakeholder was asked too often already."""

    def __init__(self, load: Load):
        self.load = load
        super().__init__({"confirm_load": [warning_text(load)]}, code="over_solicited")


def warning_text(load: Load) -> str:
    return _("%(n90)s requests in the last 90 days (more than %(t90)s warns) and %(n365)s in the last "
             "365 days (more than %(t365)s warns).") % {
        "n90": load.count_90, "t90": load.thresholds.warn_90,
        "n365": load.count_365, "t365": load.thresholds.warn_365}


# The monthly chart, laid out here so the template only places it -------------------

CHART_LEFT, CHART_TOP, CHART_PLOT, CHART_BOTTOM = 36, 12, 140, 40
COLUMN, COLUMN_GAP = 28, 8


@dataclass(frozen=True)
class Column:
    month: datetime.date
    label: str
    value: int
    x: int
    y: int
    height: int
    over: bool

    @property
    def label_x(self) -> int:
        return self.x + COLUMN // 2

    @property
    def value_y(self) -> int:
        return self.y - 4


@dataclass(frozen=True)
class MonthlyChart:
    columns: list[Column]
    top: int
    total: int
    width: int = CHART_LEFT + 12 * (COLUMN + COLUMN_GAP) + COLUMN_GAP
    height: int = CHART_TOP + CHART_PLOT + CHART_BOTTOM
    base_y: int = CHART_TOP + CHART_PLOT
    left: int = CHART_LEFT
    column_width: int = COLUMN

    @property
    def label_y(self) -> int:
        return self.base_y + 16

    @property
    def top_y(self) -> int:
        return CHART_TOP + 4


def monthly_chart(months: list[tuple[datetime.date, int]], thresholds: Thresholds) -> MonthlyChart:
    """Columns per month scaled to the busiest; a month above a 90-day threshold's monthly share is marked."""
    top = max((value for _month, value in months), default=0) or 1
    # Three months at the 90-day threshold is the pace that warns: a month above a third of it runs hot.
    hot = thresholds.warn_90 / 3
    columns = []
    for n, (month, value) in enumerate(months):
        height = round(CHART_PLOT * value / top) if value else 0
        columns.append(Column(month=month, label=date_format(month, "M"), value=value,
                              x=CHART_LEFT + COLUMN_GAP + n * (COLUMN + COLUMN_GAP),
                              y=CHART_TOP + CHART_PLOT - height, height=height, over=value > hot))
    return MonthlyChart(columns=columns, top=top, total=sum(value for _m, value in months))
