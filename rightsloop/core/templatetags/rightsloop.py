from django import template
from django.urls import reverse
from django.utils.formats import number_format

from rightsloop.core import countries, languages, rights

register = template.Library()


@register.simple_tag(takes_context=True)
def current_if(context, url_name: str) -> str:
    """Mark the menu entry whose section the page belongs to."""
    request = context.get("request")
    if request is None:
        return ""
    href = reverse(url_name)
    if href == "/":
        return 'aria-current="page"' if request.path == "/" else ""
    return 'aria-current="page"' if request.path.startswith(href) else ""


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    return f"{number_format(value * 100, 0)} %"


@register.filter
def country_name(code: str) -> str:
    country = countries.get(code) if code else None
    return country.local_name if country else (code or "—")


@register.filter
def region_name(code: str) -> str:
    """The translated name of an M49 region or sub-region code."""
    return countries.area_name(code) if code else "—"


@register.filter
def language_name(code: str) -> str:
    return languages.name(code) if code else "—"


@register.filter
def text_dir(code: str) -> str:
    """lang and dir attributes for a stakeholder's own words: their language's when known (detected or said),
    else dir="auto", so Arabic reads right to left inside an English page and English left to right in an
    Arabic one. Use as <p class="said"{{ item.language|text_dir }}>."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    if not code:
        return mark_safe(' dir="auto"')
    return format_html(' lang="{}" dir="{}"', code, languages.direction(code))


@register.filter
def right_name(code: str) -> str:
    return rights.name(code)


@register.simple_tag(takes_context=True)
def stakeholder_name(context, stakeholder) -> str:
    """The stakeholder's name as the signed-in viewer may see it (a pseudonym for protected people)."""
    from rightsloop.stakeholders.queries import shown_name

    viewer = context.get("viewer")
    if stakeholder is None:
        return ""
    return shown_name(stakeholder, viewer) if viewer else ""


@register.filter
def filters_applied(form) -> bool:
    """Whether the request chose any of the filter form's values: its folded filters then open on a phone."""
    return any(form.data.get(form.add_prefix(name)) not in (None, "", []) for name in form.fields)
