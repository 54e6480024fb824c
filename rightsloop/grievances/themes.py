"""Recurring themes across cases (M2, UNGP 31 "a source of continuous learning"): groups of at least two cases
of a period sharing a product, a right, a country, or a product in a country or touching a right.

Counts only, from the columns the figures keep readable (product, country, rights); never case content. The
period's cases are read once as (id, number, product, country, rights, linked to a risk) and grouped here: the
rights are a JSON list, which no portable query can group by, and one pass serves all five groupings.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.core import countries, rights

from .models import Grievance

PRODUCT = "product"
RIGHT = "right"
COUNTRY = "country"
PRODUCT_COUNTRY = "product_country"
PRODUCT_RIGHT = "product_right"
DIMENSIONS = {
    PRODUCT: _("Same product or service"),
    RIGHT: _("Same right at stake"),
    COUNTRY: _("Same country"),
    PRODUCT_COUNTRY: _("Same product in the same country"),
    PRODUCT_RIGHT: _("Same product and right"),
}
MIN_CASES = 2
PERIODS = (3, 6, 12, 24, 36)  # months
DEFAULT_MONTHS = 12


@dataclass
class Theme:
    """A group of cases sharing one product, right or country, or a pair of them."""

    dimension: str
    product: str = ""
    right: str = ""
    country: str = ""
    count: int = 0
    linked: int = 0
    case_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def linked_share(self) -> float:
        return self.linked / self.count if self.count else 0.0

    @property
    def right_name(self) -> str:
        return rights.name(self.right) if self.right else ""

    @property
    def country_name(self) -> str:
        found = countries.get(self.country) if self.country else None
        return found.local_name if found else self.country

    @property
    def label(self) -> str:
        return " · ".join(part for part in (self.product, self.right_name, self.country_name) if part)

    @property
    def key(self) -> dict[str, str]:
        """What names the group in an address (the theme's risk page) or the API."""
        return {"dimension": self.dimension, "product": self.product, "right": self.right, "country": self.country}


@dataclass(frozen=True)
class Period:
    since: datetime.date
    until: datetime.date  # inclusive
    months: int


def months_ago(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` calendar months earlier (the month's last day when it has fewer days)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return datetime.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(day)


def period_of(months: int, today: datetime.date | None = None) -> Period:
    today = today or timezone.localdate()
    return Period(since=months_ago(today, months), until=today, months=months)


def _bounds(period: Period) -> tuple[datetime.datetime, datetime.datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.datetime.combine(period.since, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(period.until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return start, end


def product_key(product: str) -> str:
    """Products are typed by people: the same name in other capitals or spacing is the same product."""
    return " ".join(product.split()).casefold()


def _rows(organisation, period: Period):
    start, end = _bounds(period)
    linked = Exists(Grievance.risks.through.objects.filter(grievance_id=OuterRef("pk")))
    return (Grievance.objects.for_organisation(organisation)
            .filter(received_at__gte=start, received_at__lt=end)
            .annotate(linked=linked)
            .order_by()
            .values_list("pk", "product", "country", "rights", "linked"))


def recurring_themes(organisation, period: Period, *, min_cases: int = MIN_CASES) -> dict[str, list[Theme]]:
    """Every group of at least `min_cases` cases of the period, per dimension, the largest first."""
    groups: dict[tuple, Theme] = {}
    spellings: dict[str, Counter] = defaultdict(Counter)

    def add(key: tuple, pk: int, is_linked: bool, **values) -> None:
        theme = groups.get(key)
        if theme is None:
            theme = groups[key] = Theme(dimension=key[0], **values)
        theme.count += 1
        theme.linked += is_linked
        theme.case_ids.append(pk)

    for pk, product, country, codes, is_linked in _rows(organisation, period).iterator(chunk_size=5000):
        product_name = " ".join((product or "").split())
        product_id = product_key(product_name)
        country = (country or "").upper()
        codes = sorted({code for code in (codes or []) if isinstance(code, str) and code})
        if product_id:
            spellings[product_id][product_name] += 1
            add((PRODUCT, product_id), pk, is_linked, product=product_id)
            if country:
                add((PRODUCT_COUNTRY, product_id, country), pk, is_linked, product=product_id, country=country)
            for code in codes:
                add((PRODUCT_RIGHT, product_id, code), pk, is_linked, product=product_id, right=code)
        if country:
            add((COUNTRY, country), pk, is_linked, country=country)
        for code in codes:
            add((RIGHT, code), pk, is_linked, right=code)

    found: dict[str, list[Theme]] = {dimension: [] for dimension in DIMENSIONS}
    for theme in groups.values():
        if theme.count < min_cases:
            continue
        if theme.product:  # shown as it was most often typed
            theme.product = spellings[theme.product].most_common(1)[0][0]
        found[theme.dimension].append(theme)
    for themes in found.values():
        themes.sort(key=lambda theme: (-theme.count, theme.label.casefold()))
    return found


def recurring_count(organisation, period: Period) -> int:
    """How many recurring themes the period shows (for the self-check's continuous-learning figure)."""
    return sum(len(themes) for themes in recurring_themes(organisation, period).values())


def find_theme(organisation, period: Period, *, dimension: str, product: str = "", right: str = "",
               country: str = "") -> Theme | None:
    """The one group an address names (dimension and values), or None when the period has no such group."""
    for theme in recurring_themes(organisation, period).get(dimension, []):
        if (product_key(theme.product) == product_key(product) and theme.right == right
                and theme.country == country.upper()):
            return theme
    return None
