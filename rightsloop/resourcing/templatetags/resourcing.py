"""The ledger's template helpers: money in the reader's locale, and the panel on a stakeholder's page."""

from babel.numbers import format_currency
from django import template
from django.utils.translation import get_language, to_locale

from rightsloop.accounts.roles import Capability

register = template.Library()


@register.filter
def money(amount, currency: str) -> str:
    """1234.5 KES as the reader's language writes it ("Ksh 1,234.50", "1.234,50 KES"); never converted."""
    if amount is None or amount == "":
        return "—"
    try:
        return format_currency(amount, currency, locale=to_locale(get_language() or "en"))
    except Exception:  # an unknown locale or code: the plain figures rather than a broken page
        return f"{amount} {currency}"


@register.inclusion_tag("resourcing/of_stakeholder.html", takes_context=True)
def payments_panel(context, stakeholder):
    """Payments and grants on a stakeholder's page, for those who may see the ledger."""
    from rightsloop.resourcing.queries import of_stakeholder

    viewer = context.get("viewer")
    if viewer is None or not viewer.can(Capability.PAYMENTS_VIEW):
        return {"shown": False}
    payments, grants = of_stakeholder(viewer, stakeholder)
    return {"shown": True, "stakeholder": stakeholder, "payments": payments, "grants": grants,
            "can_edit": viewer.can(Capability.PAYMENTS_EDIT) and not stakeholder.is_erased}
