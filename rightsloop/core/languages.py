"""ISO 639 languages a stakeholder may speak, named in the active interface language."""

from __future__ import annotations

import gettext
from functools import cache

import pycountry
from django.conf import settings
from django.utils.translation import get_language

from .countries import sort_key


@cache
def _codes() -> dict[str, str]:
    # Two-letter ISO 639-1 codes where they exist; every living language a
    # stakeholder is likely to name has one, and they match Django's locales.
    return {lang.alpha_2: lang.name for lang in pycountry.languages if hasattr(lang, "alpha_2")}


@cache
def _translator(language: str) -> gettext.NullTranslations:
    return gettext.translation("iso639-3", pycountry.LOCALES_DIR, languages=[language], fallback=True)


def is_known(code: str) -> bool:
    return code in _codes()


def name(code: str) -> str:
    english = _codes().get(code, code)
    active = (get_language() or "en").split("-")[0]
    if active == "en":
        return english
    return _translator(active).gettext(english)


def choices() -> list[tuple[str, str]]:
    pairs = [(code, name(code)) for code in _codes()]
    return sorted(pairs, key=lambda pair: sort_key(pair[1]))


def interface_languages() -> list[str]:
    """Languages the interface and feedback reports are translated into."""
    return [code for code, _label in settings.LANGUAGES]


def report_language(preferred: list[str], fallback: str) -> str:
    """Pick the first preferred language we have a translation for, else the fallback."""
    available = interface_languages()
    for code in preferred:
        if code in available:
            return code
    return fallback if fallback in available else settings.LANGUAGE_CODE


# Scripts written right to left, for languages Django's own table does not list.
_RIGHT_TO_LEFT = {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ps", "sd", "ug", "ur", "yi"}


def direction(code: str) -> str:
    """The writing direction of a language, "rtl" or "ltr", for the dir attribute of text in it."""
    from django.conf.locale import LANG_INFO

    info = LANG_INFO.get(code, {})
    return "rtl" if info.get("bidi") or code in _RIGHT_TO_LEFT else "ltr"


# A language counts as one of a country's main languages when it is official there or spoken by at least this
# share of the people (CLDR's territory data, shipped with Babel). 10% keeps Kenya's Swahili and English and
# India's Hindi and English, and leaves out the long tail that no assessment could be expected to cover.
MAIN_LANGUAGE_SHARE = 10.0


@cache
def main_languages(country: str) -> tuple[str, ...]:
    """The country's main languages (ISO 639-1), the most widely spoken first: its lingua franca leads.

    Regional varieties CLDR lists apart (Egyptian or Moroccan Arabic, Traditional Chinese) fold into their
    two-letter language, which is what stakeholders, interface languages and detection speak in.
    """
    from babel.core import get_global

    shares: dict[str, float] = {}
    for code, info in get_global("territory_languages").get((country or "").upper(), {}).items():
        share = info.get("population_percent") or 0.0
        official = (info.get("official_status") or "") in ("official", "de_facto_official")
        if not official and share < MAIN_LANGUAGE_SHARE:
            continue
        two_letter = _two_letter(code)
        if two_letter:
            shares[two_letter] = max(shares.get(two_letter, 0.0), share)
    return tuple(sorted(shares, key=lambda code: (-shares[code], code)))


def _two_letter(code: str) -> str:
    base = code.split("_")[0]
    if is_known(base):
        return base
    language = pycountry.languages.get(alpha_3=base)
    macro = _MACROLANGUAGE.get(base)
    if macro:
        return macro
    return getattr(language, "alpha_2", "") if language else ""


# Varieties CLDR names by their own ISO 639-3 code, folded into the language interfaces and detection use.
_MACROLANGUAGE = {
    "arz": "ar", "ary": "ar", "arq": "ar", "apc": "ar", "acm": "ar", "afb": "ar", "ayl": "ar", "aeb": "ar",
    "apd": "ar", "shu": "ar", "ars": "ar", "pcm": "en", "swc": "sw", "zsm": "ms", "cmn": "zh", "yue": "zh",
}
