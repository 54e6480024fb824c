"""The shipped M49 table: shape, derivation of Global South, translated names."""

import csv

from django.utils import translation

from rightsloop.core import countries


def test_table_covers_iso_3166():
    with countries.TABLE.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 249
    assert len({row["iso2"] for row in rows}) == 249
    assert all(row["region"] for row in rows if row["iso2"] != "AQ")


def test_placements():
    kenya = countries.get("ke")
    assert (kenya.region, kenya.subregion, kenya.global_south) == ("Africa", "Sub-Saharan Africa", True)
    assert countries.get("BR").subregion == "Latin America and the Caribbean"
    assert countries.get("IN").global_south is True
    assert countries.get("DE").global_south is False
    assert countries.get("US").global_south is False
    assert countries.get("JP").global_south is False
    assert countries.get("AU").global_south is False
    assert countries.get("FJ").global_south is True
    assert countries.get("AQ").global_south is None
    assert countries.get("XX") is None


def test_global_south_follows_the_documented_rule():
    north_exceptions = {"JP", "KR", "IL", "CY", "AU", "NZ"}
    for country in countries.all_countries():
        if not country.region:
            continue
        expected = not (country.region == "Europe" or country.subregion == "Northern America"
                        or country.code in north_exceptions)
        assert country.global_south is expected, country.code


def test_regions_are_the_five_m49_regions():
    assert [name for _code, name in countries.regions()] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]


def test_names_follow_the_interface_language():
    with translation.override("fr"):
        assert countries.get("DE").local_name == "Allemagne"
    with translation.override("es"):
        assert countries.get("DE").local_name == "Alemania"
