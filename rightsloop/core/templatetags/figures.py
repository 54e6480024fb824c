"""Figures, dates and money in the active language's CLDR format and digits (rightsloop.core.formats).

{% load figures %} then {{ count|num }}, {{ share|pct }} or {{ share|pct:1 }}, {{ amount|money:"KES" }},
{{ day|ldate }} or {{ day|ldate:"long" }}. For what people read; never in form values, URLs, ids, receipts or
machine formats (docs/languages.md).
"""

from django import template

from rightsloop.core import formats

register = template.Library()


@register.filter
def num(value, decimals=None):
    if value is None or value == "":
        return "—"
    try:
        return formats.number(value, None if decimals in (None, "") else int(decimals))
    except (TypeError, ValueError):
        return value


@register.filter
def pct(fraction, decimals=0):
    if fraction is None or fraction == "":
        return "—"
    try:
        return formats.percent(fraction, int(decimals or 0))
    except (TypeError, ValueError):
        return fraction


@register.filter
def money(amount, currency="EUR"):
    if amount is None or amount == "":
        return "—"
    try:
        return formats.money(amount, str(currency or "EUR"))
    except (TypeError, ValueError):
        return amount


@register.filter
def ldate(value, format="medium"):
    if not value:
        return ""
    try:
        return formats.date(value, format or "medium")
    except (TypeError, ValueError, AttributeError):
        return value


@register.filter
def digits(text):
    """The locale's own digits in an already formatted text: {{ day|date:"DATE_FORMAT"|digits }} keeps Django's
    pattern for the language and writes Arabic-Indic digits in Arabic; unchanged where the locale uses Latin digits."""
    if text is None:
        return ""
    return formats.localise_digits(str(text))
