"""The consultation pages' pictures, drawn by the one charting module (core.charts), so they share its axis,
colours, table twin, width that follows the container, and right-to-left treatment.

Only what is particular to consultations is here: which numbers go into the bars.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from rightsloop.core import charts

from .models import Stance


def _stance_words() -> dict[str, str]:
    return {Stance.FOR: _("For the proposal"), Stance.AGAINST: _("Against the proposal"),
            Stance.UNCLEAR: _("Stance unclear")}


def stance_chart(key: str, title: str, stance: dict, *, description: str = "") -> charts.Bars | None:
    """For, against and unclear as three bars (never one undivided count); None when nothing has a stance."""
    counts = [(value, int((stance or {}).get(value, 0) or 0)) for value in Stance.values]
    if not any(count for _value, count in counts):
        return None
    words = _stance_words()
    return charts.bars(
        key, title, description or _("Responses for the proposal, against it, and with no clear stance, as the "
                                     "model read them."),
        [{"label": words[value], "value": count} for value, count in counts],
        label_heading=_("Stance"), value_heading=_("Responses"), smallest=0)


def sized_bars(key: str, title: str, description: str, rows: list[tuple[str, int, str]], *, label_heading: str,
               value_heading: str) -> charts.Bars:
    """Horizontal bars, largest first; rows are (label, value, link or "")."""
    rows = sorted(rows, key=lambda row: (-row[1], row[0]))
    return charts.bars(key, title, description, [{"label": label, "value": value, "url": url}
                                                  for label, value, url in rows],
                       label_heading=label_heading, value_heading=value_heading, smallest=0)


def stance_summary(stance: dict) -> str:
    """"12 for, 3 against, 40 unclear": the counts in words, for a table cell."""
    labels = {Stance.FOR: _("for"), Stance.AGAINST: _("against"), Stance.UNCLEAR: _("unclear")}
    return ", ".join(f"{int((stance or {}).get(value, 0) or 0)} {labels[value]}" for value in Stance.values)
