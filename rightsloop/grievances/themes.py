"""Recurring themes across cases (M2, UNGP 31 "a source of continuous learning"): groups of at least two cases
of a period sharing a product, a right, a country, or a product in a country or touching a right.

Counts only, from the columns the figures keep readable (product, country, rights); never case content. The
period's cases are read once as (id, product, country, rights, linked to a risk) and grouped here: the
rights are a JSON list, which no portable query can group by, and one pass serves all five groupings.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field

from django.db import connections
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
    """(id, product, country, rights, linked) of the period's cases, straight from the cursor.

    Read without the ORM's per-row converters: at 100,000 cases they cost more than the query. The same few
    products and lists of rights recur, so each raw value is normalised or decoded once (see recurring_themes).
    """
    start, end = _bounds(period)
    linked = Exists(Grievance.risks.through.objects.filter(grievance_id=OuterRef("pk")))
    query = (Grievance.objects.for_organisation(organisation)
             .filter(received_at__gte=start, received_at__lt=end)
             .annotate(linked=linked)
             .order_by()
             .values_list("pk", "product", "country", "rights", "linked"))
    sql, params = query.query.sql_with_params()
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(5000):
            yield from rows


def _codes(raw) -> tuple[str, ...]:
    """The right codes of a stored list (text on some databases, already a list on others), sorted, once each."""
    value = json.loads(raw) if isinstance(raw, str | bytes) else raw
    if not isinstance(value, list):
        return ()
    return tuple(sorted({code for code in value if isinstance(code, str) and code}))


def recurring_themes(organisation, period: Period, *, min_cases: int = MIN_CASES) -> dict[str, list[Theme]]:
    """Every group of at least `min_cases` cases of the period, per dimension, the largest first."""
    # key: (dimension, product key, right, country) -> the case ids; linked: key -> cases linked to a risk.
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    linked: Counter = Counter()
    spellings: Counter = Counter()
    products: dict[str, tuple[str, str]] = {}
    rights_of: dict = {}
    for pk, product, country, raw_rights, is_linked in _rows(organisation, period):
        if product not in products:
            name = " ".join((product or "").split())
            products[product] = (product_key(name), name)
        product_id, product_name = products[product]
        country = (country or "").upper()
        cache_key = raw_rights if isinstance(raw_rights, str | bytes | None) else json.dumps(raw_rights)
        if cache_key not in rights_of:
            rights_of[cache_key] = _codes(raw_rights)
        codes = rights_of[cache_key]
        keys = []
        if product_id:
            spellings[(product_id, product_name)] += 1
            keys.append((PRODUCT, product_id, "", ""))
            if country:
                keys.append((PRODUCT_COUNTRY, product_id, "", country))
            keys.extend((PRODUCT_RIGHT, product_id, code, "") for code in codes)
        if country:
            keys.append((COUNTRY, "", "", country))
        keys.extend((RIGHT, "", code, "") for code in codes)
        for key in keys:
            groups.setdefault(key, []).append(pk)
        if is_linked:
            linked.update(keys)

    shown_as: dict[str, str] = {}  # a product is shown as it was most often typed
    for (product_id, name), _count in sorted(spellings.items(), key=lambda item: -item[1]):
        shown_as.setdefault(product_id, name)
    found: dict[str, list[Theme]] = {dimension: [] for dimension in DIMENSIONS}
    for key, ids in groups.items():
        if len(ids) < min_cases:
            continue
        dimension, product_id, right, country = key
        found[dimension].append(Theme(dimension=dimension, product=shown_as.get(product_id, ""), right=right,
                                      country=country, count=len(ids), linked=linked[key], case_ids=ids))
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
