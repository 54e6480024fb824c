"""The team's trends per month (E4 metrics over time): inputs recorded, decisions made, reports sent, the share of
inputs decided, days to feedback and promises broken, as the dashboard draws them (core.charts).

Each figure counts the people its neighbour on the dashboard counts: inputs and decisions count everyone (the
"inputs awaiting a decision" beside them does), while reports, days to feedback and broken promises leave out
the people the viewer may not know of (as the median days to feedback and the overdue loops do), so a line can
never tell of a protected person. Withdrawn and merged-away inputs and cancelled engagements count nowhere. The
database counts per month: a handful of queries whatever the number of inputs.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.viewer import Viewer
from rightsloop.core import charts
from rightsloop.stakeholders.queries import hidden_from

from .models import Decision, Engagement, FeedbackReport, Input
from .promises import Promise
from .vocabulary import DeliveryStatus

MONTHS = 12


def months_to(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the `count` months up to and including today's, oldest first."""
    year, month = today.year, today.month
    firsts = []
    for _n in range(count):
        firsts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return firsts[::-1]


def _following(first: datetime.date) -> datetime.date:
    return datetime.date(first.year + (first.month == 12), first.month % 12 + 1, 1)


def _aware(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def _month_of(value) -> datetime.date:
    """A TruncMonth result (a date, or an aware datetime in the current time zone) as its first day."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _per_month(rows: QuerySet, field: str) -> Counter:
    """Count the rows per month of `field`, in the database."""
    zone = timezone.get_current_timezone()
    counted = rows.annotate(month=TruncMonth(field, tzinfo=zone)).values_list("month").annotate(n=Count("id"))
    return Counter({_month_of(month): n for month, n in counted.order_by()})


def median(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    total = sum(histogram.values())
    if not total:
        return None
    middle, values, seen = ((total - 1) // 2, total // 2), [], 0
    for value in sorted(histogram):
        values += [value for position in middle if seen <= position < seen + histogram[value]]
        seen += histogram[value]
    result = sum(values) / 2
    return int(result) if result.is_integer() else result


@dataclass(frozen=True)
class Trends:
    months: list[datetime.date]
    inputs: list[int]
    decisions: list[int]
    reports: list[int]
    share_decided: list[float | None]        # percent of the inputs recorded by the month's end decided by then
    days_to_feedback: list[int | float | None]  # median over first reports delivered in the month
    broken_promises: list[int]               # promises due in the month and not kept by their date

    @property
    def labels(self) -> list[str]:
        return [formats.date_format(month, "M Y") for month in self.months]

    @property
    def is_empty(self) -> bool:
        return not any(self.inputs) and not any(self.decisions) and not any(self.reports)


def trends(viewer: Viewer, today: datetime.date, count: int = MONTHS) -> Trends:
    """The organisation's figures per month for the `count` months up to today's, as this viewer may see them."""
    months = months_to(today, count)
    start, end = _aware(months[0]), _aware(_following(months[-1]))
    hidden = hidden_from(viewer)
    engagements = Engagement.objects.for_organisation(viewer.organisation).active().values("pk")
    inputs = Input.objects.standing().filter(engagement__in=engagements)
    recorded = _per_month(inputs.filter(recorded_at__gte=start, recorded_at__lt=end), "recorded_at")
    decisions = Decision.objects.filter(input__in=inputs.values("pk"))
    made = _per_month(decisions.filter(decided_at__gte=start, decided_at__lt=end), "decided_at")
    # Share decided at each month's end: inputs recorded by then, and of them those with a first decision by then.
    recorded_before = inputs.filter(recorded_at__lt=start).count()
    first_decisions = decisions.filter(revision=1)
    decided_before = first_decisions.filter(decided_at__lt=start).count()
    decided_first = _per_month(first_decisions.filter(decided_at__gte=start, decided_at__lt=end), "decided_at")
    told = (FeedbackReport.objects.for_organisation(viewer.organisation)
            .filter(engagement__in=engagements, status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED],
                    delivered_at__gte=start, delivered_at__lt=end)
            .exclude(participation__stakeholder__in=hidden))
    sent = _per_month(told, "delivered_at")
    days: dict[datetime.date, dict[int, int]] = defaultdict(dict)
    zone = timezone.get_current_timezone()
    for month, value, n in (told.filter(is_first=True, days_to_feedback__isnull=False)
                            .annotate(month=TruncMonth("delivered_at", tzinfo=zone))
                            .values_list("month", "days_to_feedback").annotate(n=Count("id")).order_by()):
        days[_month_of(month)][value] = n
    # A promise is broken the day after its date: those due today are not counted yet.
    broken = Counter({_month_of(month): n for month, n in (
        Promise.objects.for_organisation(viewer.organisation).standing()
        .exclude(input__speaker__stakeholder__in=hidden)
        .broken_between(months[0], min(_following(months[-1]), today))
        .annotate(month=TruncMonth("due_on")).values_list("month").annotate(n=Count("id")).order_by())})

    share_decided: list[float | None] = []
    so_far_recorded, so_far_decided = recorded_before, decided_before
    for month in months:
        so_far_recorded += recorded[month]
        so_far_decided += decided_first[month]
        share_decided.append(round(100 * so_far_decided / so_far_recorded, 1) if so_far_recorded else None)
    return Trends(
        months=months, inputs=[recorded[m] for m in months], decisions=[made[m] for m in months],
        reports=[sent[m] for m in months], share_decided=share_decided,
        days_to_feedback=[median(days[m]) for m in months], broken_promises=[broken[m] for m in months])


def trend_charts(trend: Trends) -> dict[str, charts.Lines]:
    """The dashboard's pictures of the trends: one line chart of the monthly counts, and small multiples."""
    labels = trend.labels
    return {
        "activity": charts.lines(
            "trend-activity", _("Inputs, decisions and reports per month"),
            _("Inputs recorded, decisions made (revisions included) and feedback reports sent or delivered, "
              "per month."),
            labels, [{"label": _("Inputs recorded"), "values": trend.inputs},
                     {"label": _("Decisions made"), "values": trend.decisions},
                     {"label": _("Reports sent"), "values": trend.reports}],
            value_heading=_("Count")),
        "share_decided": charts.sparkline(
            "trend-share-decided", _("Share of inputs decided"),
            _("Of the inputs recorded by each month's end, the share with a decision by then."),
            labels, trend.share_decided, value_heading=_("Share decided"), unit="percent",
            gap=_("no inputs yet")),
        "days_to_feedback": charts.sparkline(
            "trend-days-to-feedback", _("Median days to feedback"),
            _("Days from an engagement's end to each participant's first report, for reports that month."),
            labels, trend.days_to_feedback, value_heading=_("Median days"), unit="days",
            gap=_("no first reports")),
        "broken_promises": charts.sparkline(
            "trend-broken-promises", _("Promises broken"),
            _("Next steps promised by a date in the month and not done by it."),
            labels, trend.broken_promises, value_heading=_("Promises broken")),
    }
