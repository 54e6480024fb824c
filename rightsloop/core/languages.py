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
