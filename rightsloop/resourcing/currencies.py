"""ISO 4217 currencies, from the CLDR data Babel ships; no exchange rate is ever invented."""

from functools import cache

from babel.numbers import get_currency_name, list_currencies
from django.utils.translation import get_language, to_locale

# Codes ISO reserves for testing, precious metals and "no currency": never a payment's currency.
_NOT_MONEY = {"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA"}


@cache
def codes() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if len(code) == 3 and code not in _NOT_MONEY)


def is_currency(code: str) -> bool:
    return isinstance(code, str) and code in codes()


def _locale() -> str:
    return to_locale(get_language() or "en")


def name(code: str) -> str:
    """The currency's name in the interface language ("Kenyan Shilling", "shilling kényan")."""
    try:
        return get_currency_name(code, locale=_locale())
    except Exception:  # an unknown locale: fall back to English rather than fail a page
        return get_currency_name(code, locale="en")


def choices() -> list[tuple[str, str]]:
    return sorted(((code, f"{code} · {name(code)}") for code in codes()), key=lambda item: item[0])
