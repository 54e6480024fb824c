"""ISO 3166 countries with their UN M49 region and Global South membership, from a shipped table."""

from __future__ import annotations

import csv
import gettext
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry
from django.utils.translation import get_language

TABLE = Path(__file__).parent / "data" / "countries.csv"


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


@cache
def regions() -> list[tuple[str, str]]:
    """M49 regions that have countries, as (code, English name) pairs."""
    found = {(c.region_code, c.region) for c in _table().values() if c.region_code}
    return sorted(found, key=lambda pair: pair[1])


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
    return sorted(pairs, key=lambda pair: pair[1].casefold())
