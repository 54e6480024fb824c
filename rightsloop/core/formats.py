"""Figures, dates and amounts as people read them in their language: CLDR's patterns and digits, through Babel.

Where it applies (docs/languages.md, "Numbers, dates and money"): counts, percentages, dates and amounts of money
shown to people, in the active language (or the language a letter is written in), on the pages that face
stakeholders, the board view's figures and the charts' labels. Never inside form field values, URLs, ids,
receipts and reference numbers, or machine formats (CSV, JSON, the API): those keep ASCII digits and ISO dates,
because people copy them and programs read them.

The locale is the language's most likely region in CLDR (likelySubtags: Arabic -> Egypt, Hindi -> India,
Swahili -> Tanzania) unless the reader's country is known, and its digits are CLDR's default numbering system
for that locale: Arabic-Indic digits for Arabic in Egypt or Saudi Arabia, Latin digits for Arabic in Morocco,
Latin digits for Hindi (CLDR's default there; Devanagari digits are its "native" system, not its default).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cache

from babel import Locale, UnknownLocaleError
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.core import get_global
from django.utils.translation import get_language

# The zero of each numbering system CLDR may name as a locale's default; the other nine digits follow it.
_ZERO = {
    "latn": "0", "arab": "\u0660", "arabext": "\u06f0", "deva": "\u0966", "beng": "\u09e6", "mymr": "\u1040",
    "thai": "\u0e50", "tibt": "\u0f20", "laoo": "\u0ed0", "khmr": "\u17e0", "gujr": "\u0ae6", "guru": "\u0a66",
    "knda": "\u0ce6", "mlym": "\u0d66", "orya": "\u0b66", "taml": "\u0be6", "telu": "\u0c66", "olck": "\u1c50",
    "fullwide": "\uff10", "adlm": "\U0001e950", "nkoo": "\u07c0", "mtei": "\uabf0", "cakm": "\U00011136",
}
ASCII_DIGITS = "0123456789"


def _language(language: str | None) -> str:
    return (language or get_language() or "en").replace("-", "_").split("_")[0].lower() or "en"


@cache
def locale_for(language: str | None = None, country: str = "") -> Locale:
    """The CLDR locale figures are written in: the language in the reader's country where CLDR knows that
    pairing, else in the language's most likely region, else the language alone, else English."""
    language = _language(language)
    candidates = []
    if country:
        candidates.append(f"{language}_{country.upper()}")
    likely = get_global("likely_subtags").get(language, "")
    if likely:
        parts = likely.split("_")
        candidates.append(f"{language}_{parts[-1]}")
    candidates += [language, "en"]
    for candidate in candidates:
        try:
            return Locale.parse(candidate)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en")  # pragma: no cover - English is always there


def numbering_system(language: str | None = None, country: str = "") -> str:
    return locale_for(_language(language), country).default_numbering_system


def _digits_table(system: str) -> dict[int, str]:
    zero = _ZERO.get(system, "0")
    return str.maketrans(ASCII_DIGITS, "".join(chr(ord(zero) + i) for i in range(10)))


def localise_digits(text: str, language: str | None = None, country: str = "") -> str:
    """Write ASCII digits in the locale's own digits (Babel keeps ASCII digits and only swaps the separators)."""
    system = numbering_system(language, country)
    return text if system == "latn" else text.translate(_digits_table(system))


def ascii_digits(text: str) -> str:
    """Any decimal digit (Arabic-Indic, Devanagari…) back to ASCII: what a program reading a figure needs."""
    import unicodedata

    return "".join(str(unicodedata.digit(char)) if char.isdigit() and not char.isascii() else char
                   for char in text)


def number(value: int | float | Decimal, decimals: int | None = None, *, language: str | None = None,
           country: str = "") -> str:
    """A count or measure, grouped and with the locale's digits: 1,234 / 1.234 / Arabic-Indic digits in Arabic."""
    locale = locale_for(_language(language), country)
    if decimals is None:
        decimals = 0 if float(value).is_integer() else 1
    text = babel_numbers.format_decimal(value, format=None if decimals is None else _pattern(locale, decimals),
                                        locale=locale, numbering_system="default")
    return localise_digits(text, language, country)


def _pattern(locale: Locale, decimals: int) -> str:
    base = locale.decimal_formats.get(None)
    pattern = base.pattern if base is not None else "#,##0.###"
    integer = pattern.split(";")[0].split(".")[0]
    return integer + ("." + "0" * decimals if decimals else "")


def percent(fraction: float | Decimal, decimals: int = 0, *, language: str | None = None, country: str = "") -> str:
    """A share (0.25) as the locale writes a percentage: 25%, 25 %."""
    locale = locale_for(_language(language), country)
    pattern = locale.percent_formats.get(None).pattern
    if decimals:
        pattern = pattern.replace("0%", "0." + "0" * decimals + "%").replace("0\u00a0%", "0." + "0" * decimals
                                                                              + "\u00a0%")
    text = babel_numbers.format_percent(fraction, format=pattern, locale=locale, numbering_system="default")
    # Babel writes the pattern's "%" as is; the numbering system has its own sign (Arabic's is ٪).
    sign = locale.number_symbols.get(locale.default_numbering_system, {}).get("percentSign", "%")
    return localise_digits(text.replace("%", sign), language, country)


def money(amount: int | float | Decimal, currency: str, *, language: str | None = None, country: str = "") -> str:
    """An amount with its currency as the locale writes it: KES 1,234.50 / 1.234,50 KES."""
    locale = locale_for(_language(language), country)
    text = babel_numbers.format_currency(amount, currency.upper(), locale=locale, numbering_system="default")
    return localise_digits(text, language, country)


def date(value: datetime.date | datetime.datetime, format: str = "medium", *, language: str | None = None,
         country: str = "") -> str:
    """A date in the locale's words and digits: 7 Dec 2026 / 7 déc. 2026 ("short", "medium",
    "long", "full" or a CLDR pattern)."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    locale = locale_for(_language(language), country)
    return localise_digits(babel_dates.format_date(value, format=format, locale=locale), language, country)


def date_time(value: datetime.datetime, format: str = "medium", *, language: str | None = None,
              country: str = "") -> str:
    """A moment in the locale's words and digits, in the current time zone."""
    from django.utils import timezone

    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = locale_for(_language(language), country)
    return localise_digits(babel_dates.format_datetime(value, format=format, locale=locale), language, country)
