"""ISO 639 languages a stakeholder may speak, named in the active interface language."""

from __future__ import annotations

import gettext
from collections.abc import Iterable
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


@cache
def _cldr_names(language: str) -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    try:
        return dict(Locale.parse(language).languages)
    except (UnknownLocaleError, ValueError):
        return {}


def is_known(code: str) -> bool:
    return code in _codes()


def name(code: str) -> str:
    english = _codes().get(code, code)
    active = (get_language() or "en").split("-")[0]
    named = english if active == "en" else _translator(active).gettext(english)
    if named == english and active != "en":
        # pycountry's catalogue lacks many names (every one in Swahili, Kannada in Arabic, Swahili in Spanish):
        # CLDR's, through Babel, has them, lower-cased mid-sentence in some languages; a list reads capitalised.
        cldr = _cldr_names(active).get(code, "")
        if cldr:
            return cldr[:1].upper() + cldr[1:]
    # ISO 639-3 calls Swahili, Arabic or Persian "(macrolanguage)": true, but no reader needs it.
    if english.endswith(" (macrolanguage)") and named.endswith(")"):
        named = named[:named.rfind(" (")] if " (" in named else named
    return named


def choices() -> list[tuple[str, str]]:
    pairs = [(code, name(code)) for code in _codes()]
    return sorted(pairs, key=lambda pair: sort_key(pair[1]))


def interface_languages() -> list[str]:
    """Languages the interface and feedback reports are translated into."""
    return [code for code, _label in settings.LANGUAGES]


def _base(code: str) -> str:
    """"pt-BR", "PT_br", " sw " -> "pt", "sw": interface languages are two-letter codes."""
    return (code or "").strip().lower().replace("_", "-").split("-")[0]


def fallback_order(spoken: Iterable[str] = (), *, country: str = "", organisation_language: str = "") -> list[str]:
    """Every language worth trying for someone, best first, before keeping only what the interface speaks.

    The person's own languages in their order; then the main languages of their country, its lingua franca
    first (Swahili before English in Kenya, Arabic before French in Morocco: CLDR, main_languages); then the
    organisation's default language; then English. A person who speaks only Kikuyu and lives in Kenya reads
    Swahili, which they are far likelier to read than English.
    """
    order: list[str] = []
    for code in [*spoken, *main_languages(country), organisation_language, "en"]:
        code = _base(code)
        if code and code not in order:
            order.append(code)
    return order


def stakeholder_language(spoken: Iterable[str] = (), *, country: str = "", organisation_language: str = "") -> str:
    """The language to address a person in: the first of fallback_order the interface is translated into.

    The one rule for everything addressed to a stakeholder (feedback letters, consultation messages,
    reminders, portal pages and emails, grievance messages); docs/languages.md states it.
    """
    available = interface_languages()
    for code in fallback_order(spoken, country=country, organisation_language=organisation_language):
        if code in available:
            return code
    return settings.LANGUAGE_CODE


def language_for_stakeholder(stakeholder, *, chosen: str = "") -> str:
    """stakeholder_language for a Stakeholder record: a language chosen just now (the portal's switcher) first,
    then their preferred language and the others they speak, their country, their organisation's default."""
    available = interface_languages()
    for code in (chosen, stakeholder.preferred_language):
        if _base(code) in available:
            return _base(code)  # the usual case, answered without reading their other languages (a query)
    return stakeholder_language([chosen, stakeholder.preferred_language, *stakeholder.languages],
                                country=stakeholder.country,
                                organisation_language=stakeholder.organisation.default_language)


def detect(text: str) -> str:
    """The language a stakeholder wrote in (ISO 639-1), or "" when unsure: never a wrong guess.

    py3langid's bundled model, offline, as consultations detect responses: fewer than 4 letters, or a
    length-calibrated probability under 0.5, and the text stays unknown (docs/languages.md). Short notes
    ("ok thanks", "Merci", "شكرا") mostly stay unknown; a sentence is enough.
    """
    from rightsloop.consultations.analysis.languages import detect_languages

    return detect_languages([text or ""], workers=1)[0][:3] if (text or "").strip() else ""


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
