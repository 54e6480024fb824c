"""Reporting periods: a calendar quarter or a calendar year, and the one before it.

The board view, the board pack, the public report and the open data all speak of "a period"; every figure is
either a flow during the period (inputs recorded in it) or a stock at its end (risks open on its last day), and
for the period still running its end is today.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

QUARTER, YEAR = "quarter", "year"
_KEY = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")
# Far enough back for any organisation's records, near enough that a typo (year 0001) is refused.
EARLIEST_YEAR = 2000


class PeriodError(ValueError):
    """A period key that names no quarter or year we can report on."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    quarter: int | None = None  # None: the whole year

    @classmethod
    def parse(cls, key: str) -> Period:
        """'2026' is a year, '2026-Q3' a quarter; anything else is refused with a message the user can act on."""
        match = _KEY.match((key or "").strip().upper())
        if not match:
            raise PeriodError(_("“%(key)s” is not a period: write a year (2026) or a quarter (2026-Q3).")
                              % {"key": key})
        year = int(match["year"])
        if year < EARLIEST_YEAR or year > datetime.date.today().year + 1:
            raise PeriodError(_("There is nothing to report for %(year)s.") % {"year": year})
        return cls(year=year, quarter=int(match["quarter"]) if match["quarter"] else None)

    @classmethod
    def containing(cls, day: datetime.date, kind: str = QUARTER) -> Period:
        return cls(year=day.year, quarter=(day.month - 1) // 3 + 1 if kind == QUARTER else None)

    @property
    def kind(self) -> str:
        return YEAR if self.quarter is None else QUARTER

    @property
    def key(self) -> str:
        return f"{self.year}" if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def label(self) -> str:
        if self.quarter is None:
            return str(self.year)
        return _("Q%(quarter)s %(year)s") % {"quarter": self.quarter, "year": self.year}

    @property
    def start(self) -> datetime.date:
        return datetime.date(self.year, 1 if self.quarter is None else 3 * self.quarter - 2, 1)

    @property
    def end(self) -> datetime.date:
        """The last day of the period (inclusive)."""
        if self.quarter is None or self.quarter == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.quarter + 1, 1) - datetime.timedelta(days=1)

    def previous(self) -> Period:
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year, self.quarter - 1) if self.quarter > 1 else Period(self.year - 1, 4)

    def following(self) -> Period:
        if self.quarter is None:
            return Period(self.year + 1)
        return Period(self.year, self.quarter + 1) if self.quarter < 4 else Period(self.year + 1, 1)

    def as_of(self, today: datetime.date) -> datetime.date:
        """The day a stock is read on: the period's last day, or today while the period runs."""
        return min(self.end, today)

    def is_running(self, today: datetime.date) -> bool:
        return self.start <= today <= self.end

    def has_started(self, today: datetime.date) -> bool:
        return self.start <= today

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as aware datetimes in the current time zone, for filtering timestamps."""
        from django.utils import timezone

        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=zone)
        end = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
        return start, end

    def quarters(self) -> list[Period]:
        return [self] if self.quarter is not None else [Period(self.year, q) for q in range(1, 5)]

    def __str__(self) -> str:
        return self.key


def recent(today: datetime.date, kind: str = QUARTER, count: int = 8) -> list[Period]:
    """The running period and the ones before it, newest first (the period selector's choices)."""
    period = Period.containing(today, kind)
    periods = []
    for _n in range(count):
        periods.append(period)
        period = period.previous()
    return periods


def day_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The days [start, end) as aware datetimes in the current time zone, for filtering timestamps."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    return (datetime.datetime.combine(start, datetime.time.min, tzinfo=zone),
            datetime.datetime.combine(end, datetime.time.min, tzinfo=zone))


def quarter_key(year: int, quarter: int) -> str:
    """The code of a quarter in public tables and open data: "2026-Q3"."""
    return f"{year}-Q{quarter}"


def quarter_label(key: str) -> str:
    """A quarter's code in words ("Q3 2026"); a code that names no quarter is shown as it is."""
    try:
        return Period.parse(key).label
    except PeriodError:
        return key
