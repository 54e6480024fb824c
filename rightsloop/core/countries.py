"""ISO 3166 countries with their UN M49 region and Global South membership, from a shipped table."""

from __future__ import annotations

import csv
import gettext
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

TABLE = Path(__file__).parent / "data" / "countries.csv"

# M49 area names as the interface shows them; the CSV keeps the English originals.
AREA_NAMES = {
    "002": _("Africa"), "019": _("Americas"), "142": _("Asia"), "150": _("Europe"), "009": _("Oceania"),
    "015": _("Northern Africa"), "202": _("Sub-Saharan Africa"), "419": _("Latin America and the Caribbean"),
    "021": _("Northern America"), "143": _("Central Asia"), "030": _("Eastern Asia"),
    "035": _("South-eastern Asia"), "034": _("Southern Asia"), "145": _("Western Asia"),
    "151": _("Eastern Europe"), "154": _("Northern Europe"), "039": _("Southern Europe"),
    "155": _("Western Europe"), "053": _("Australia and New Zealand"), "054": _("Melanesia"),
    "057": _("Micronesia"), "061": _("Polynesia"),
}


def area_name(code: str) -> str:
    """The translated name of an M49 region or sub-region."""
    return str(AREA_NAMES.get(code, code))


def sort_key(text: str) -> str:
    """Sort names as a reader expects: accents and case do not push a name to the end."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch)).casefold()


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    region_code: str
    region: str
    subregion_code: str
    subregion: str
    global_south: bool | None

    @property
    def local_name(self) -> str:
        return translated_country_name(self.name)


@cache
def _table() -> dict[str, Country]:
    with TABLE.open(encoding="utf-8") as handle:
        return {
            row["iso2"]: Country(
                code=row["iso2"],
                name=row["name"],
                region_code=row["region_code"],
                region=row["region"],
                subregion_code=row["subregion_code"],
                subregion=row["subregion"],
                global_south={"yes": True, "no": False}.get(row["global_south"]),
            )
            for row in csv.DictReader(handle)
        }


def get(code: str) -> Country | None:
    return _table().get((code or "").upper())


def all_countries() -> list[Country]:
    return list(_table().values())


def regions() -> list[tuple[str, str]]:
    """M49 regions that have countries, as (code, name) pairs in the interface language."""
    codes = {c.region_code for c in _table().values() if c.region_code}
    return sorted(((code, area_name(code)) for code in codes), key=lambda pair: sort_key(pair[1]))


@cache
def _translator(language: str) -> gettext.NullTranslations:
    return gettext.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[language], fallback=True
    )


def translated_country_name(name: str) -> str:
    language = (get_language() or "en").split("-")[0]
    if language == "en":
        return name
    return _translator(language).gettext(name)


def choices() -> list[tuple[str, str]]:
    """Country choices sorted by name in the active language."""
    pairs = [(c.code, c.local_name) for c in _table().values()]
    return sorted(pairs, key=lambda pair: sort_key(pair[1]))
