"""ISO 4217 currencies, from the CLDR data Babel ships; no exchange rate is ever invented."""

import datetime
from functools import cache

from babel import Locale
from babel.numbers import get_currency_name, get_territory_currencies
from django.utils.translation import get_language, to_locale


@cache
def codes() -> frozenset[str]:
    """The currencies legal tender somewhere today, by CLDR's territory data (ISO 4217 codes).

    Withdrawn currencies (DEM, the 1990s Kwanzas), test and metal codes (XXX, XAU) are not offered and are
    refused: a payment is made in money someone can spend. Computed once per process.
    """
    today = datetime.date.today()
    found: set[str] = set()
    for territory in Locale("en").territories:
        if len(territory) == 2 and territory.isalpha():
            found.update(get_territory_currencies(territory, today, tender=True))
    return frozenset(found)


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
