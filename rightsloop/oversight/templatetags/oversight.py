"""How the board view shows a figure: its value in its unit, the change since the previous period, its link."""

from __future__ import annotations

from dataclasses import replace

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.core import charts, formats
from rightsloop.core.evidence import DAYS, DOWN, PERCENT, UP

register = template.Library()


def _number(value) -> str:
    # The active language's CLDR pattern and digits, as the charts beside it write them (core.formats).
    return formats.number(value, 1 if isinstance(value, float) and not value.is_integer() else 0)


@register.filter
def shown(figure) -> str:
    if figure.value is None:
        return "—"
    if figure.unit == PERCENT:
        return _("%(value)s %%") % {"value": _number(figure.value)}
    if figure.unit == DAYS:
        return ngettext("%(value)s day", "%(value)s days", int(figure.value)) % {"value": _number(figure.value)}
    return _number(figure.value)


@register.filter
def previous_shown(figure) -> str:
    return shown(replace(figure, value=figure.previous))


@register.filter
def change(figure) -> dict | None:
    """The move since the previous period: its text and whether it is good, bad or only information."""
    if figure.value is None or figure.previous is None:
        return None
    delta = figure.value - figure.previous
    if not delta:
        return {"text": _("no change"), "tone": "same"}
    sign = "+" if delta > 0 else "\u2212"  # the minus sign, not a hyphen
    amount = _number(abs(round(delta, 1)))
    text = _("%(sign)s%(amount)s points") % {"sign": sign, "amount": amount} if figure.unit == PERCENT \
        else f"{sign}{amount}"
    tone = "neutral"
    if figure.better:
        tone = "good" if (delta > 0) == (figure.better == UP) else "bad"
    return {"text": text, "tone": tone, "direction": "up" if delta > 0 else "down", "better": figure.better == DOWN}


@register.filter
def followable(item, viewer) -> str:
    """The item's link if the viewer may follow it, else ""."""
    url = item.get("url", "") if isinstance(item, dict) else getattr(item, "url", "")
    capability = item.get("capability", "") if isinstance(item, dict) else getattr(item, "capability", "")
    if not url or (capability and (viewer is None or not viewer.can(capability))):
        return ""
    return url


@register.filter
def is_link(cell) -> bool:
    return isinstance(cell, dict) and "url" in cell


@register.filter
def laid_out(chart_data, rtl=False):
    """Lay out a stored chart (core.evidence.ChartData) with the product's one charting module."""
    return charts.render({"kind": chart_data.kind, "key": chart_data.key, "title": chart_data.title,
                          "description": chart_data.description, "data": chart_data.data}, rtl=bool(rtl))
