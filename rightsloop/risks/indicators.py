"""A mitigation's indicator as a small line chart (R4): the numbers its evidence recorded, over time.

Evidence values are words as well as numbers ("42 %", "1,200", "better than last year"); only the numbers are
drawn, and only when there are two or more. The indicator's table of evidence stays beside the chart, and the
chart has its own table twin (core.charts).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from rightsloop.core import charts

from .models import Indicator

NUMBER = re.compile(r"^[-+]?\d[\d,.\s]*$")
THOUSANDS = re.compile(r"^[-+]?\d{1,3}(,\d{3})+(\.\d+)?$")


def numeric(value: str) -> tuple[int | float, bool] | None:
    """(the number, whether it is a percentage) a piece of evidence says, or None when it says words."""
    text = value.strip()
    percent = text.endswith("%")
    text = text.rstrip("%").strip()
    if not NUMBER.match(text):
        return None
    text = text.replace(" ", "").replace("\u00a0", "")
    # "1,200" and "1,200.5" group thousands; "3,5" has a decimal comma.
    grouped = THOUSANDS.match(text) or ("," in text and "." in text)
    text = text.replace(",", "") if grouped else text.replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        return None
    return (int(number) if number.is_integer() else number), percent


def chart(indicator: Indicator) -> charts.Lines | None:
    """The indicator's numbers as a sparkline, oldest first; None with fewer than two. Reads the evidence already
    fetched with the indicator (prefetch_related("indicators__evidence")), so a page of them costs no query."""
    read = [(evidence.observed_on, numeric(evidence.value)) for evidence in indicator.evidence.all()]
    points = sorted(((day, found) for day, found in read if found is not None), key=lambda point: point[0])
    if len(points) < 2:
        return None
    unit = "percent" if all(percent for _day, (_value, percent) in points) else ""
    first, last = points[0][0], points[-1][0]
    return charts.sparkline(
        f"indicator-{indicator.pk}",
        _("%(indicator)s over time") % {"indicator": indicator.name},
        _("The numbers recorded as evidence, from %(first)s to %(last)s.") % {
            "first": first.isoformat(), "last": last.isoformat()},
        [day.isoformat() for day, _found in points], [value for _day, (value, _percent) in points],
        value_heading=indicator.name, unit=unit)
