"""The disclosure frameworks data: it validates, cites its sources, and maps the report's sections as intended."""

import copy
import json
from importlib import resources

import pytest
from django.utils import translation

from rightsloop.disclosure import framework_titles, frameworks
from rightsloop.disclosure.frameworks import (
    SECTIONS,
    FrameworkDataError,
    catalogue,
    index,
    requirements_for,
    sections_for,
)


def raw():
    text = resources.files("rightsloop.disclosure").joinpath("data", "frameworks.json").read_text(encoding="utf-8")
    return json.loads(text)


def test_the_data_validates():
    data = catalogue()
    assert [f.key for f in data.frameworks] == ["ungprf", "rdr", "esrs"]
    assert len({r.id for r in data.requirements}) == len(data.requirements)
    for requirement in data.requirements:
        assert set(requirement.sections) <= set(SECTIONS)
        assert requirement.covered != bool(requirement.not_covered)


def test_each_framework_and_requirement_has_its_source():
    for framework in catalogue().frameworks:
        assert framework.source.url.startswith("http")
        assert framework.source.title and framework.source.version
    for requirement in catalogue().requirements:
        assert requirement.source.url.startswith("http")
        assert requirement.source.title and requirement.source.version and requirement.source.locator


def test_every_report_section_serves_a_requirement():
    for section in SECTIONS:
        assert requirements_for(section), section


@pytest.mark.parametrize(("requirement_id", "section"), [
    ("UNGPRF-C2", "engagement"),
    ("UNGPRF-C6", "remedy"),
    ("RDR-G6a", "remedy"),
    ("ESRS-S1-3", "remedy"),
    ("ESRS-S2-3", "remedy"),
    ("ESRS-S3-3", "remedy"),
    ("ESRS-S4-3", "remedy"),
    ("UNGPRF-A1", "narrative_commitment"),
    ("UNGPRF-B1", "salient_issues"),
    ("RDR-G5", "engagement"),
    ("ESRS-GOV-2", "oversight"),
])
def test_key_mappings(requirement_id, section):
    assert section in sections_for(requirement_id)


def test_the_frameworks_asked_for_are_all_there():
    ids = {r.id for r in catalogue().requirements}
    expected = {f"UNGPRF-{code}" for code in ["A1", "A2", "A2.1", "A2.2", "A2.3", "A2.4", "A2.5", "B1", "B2", "B3",
                                              "B4", "C1", "C2", "C3", "C4", "C5", "C6"]}
    expected |= {f"RDR-{code}" for code in ["G4a", "G4b", "G4c", "G4d", "G4e", "G5", "G6a", "G6b"]}
    expected |= {f"ESRS-S{n}-{k}" for n in range(1, 5) for k in range(2, 5)}
    assert expected <= ids


def test_not_covered_requirements_say_why():
    missing = [r for r in catalogue().requirements if not r.covered]
    assert {r.id for r in missing} >= {"UNGPRF-B4", "RDR-G6b"}
    assert all(r.not_covered and sections_for(r.id) == () for r in missing)


def test_index_lists_every_requirement_with_its_framework():
    rows = index()
    assert len(rows) == len(catalogue().requirements)
    for framework, requirement, sections in rows:
        assert requirement.framework == framework.key
        assert sections == requirement.sections


def test_requirements_for_returns_requirements():
    remedy = requirements_for("remedy")
    assert {"UNGPRF-C6", "RDR-G6a"} <= {r.id for r in remedy}
    assert all(isinstance(r, frameworks.Requirement) for r in remedy)


def test_unknown_keys_are_refused():
    with pytest.raises(KeyError):
        requirements_for("no_such_section")
    with pytest.raises(KeyError):
        sections_for("UNGPRF-Z9")


def test_titles_agree_with_framework_titles():
    with translation.override(None):
        listed = [str(title) for title in framework_titles.TITLES]
    assert len(listed) == len(set(listed)), "a string is listed twice"
    assert set(listed) == catalogue().displayed_strings()


def test_display_goes_through_gettext():
    requirement = frameworks.requirement("UNGPRF-C6")
    with translation.override(None):
        assert requirement.display_title() == requirement.title
        assert frameworks.requirement("RDR-G6b").display_not_covered()
        assert requirement.display_not_covered() == ""


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["frameworks"][0]["requirements"][0].update(sections=["nowhere"]), "unknown report sections"),
    (lambda d: d["frameworks"][0]["requirements"][0].update(sections=[]), "not_covered"),
    (lambda d: d["frameworks"][0]["requirements"][0].update(not_covered="because"), "not both"),
    (lambda d: d["frameworks"][0]["requirements"][0]["source"].pop("url"), "url"),
    (lambda d: d["frameworks"][1].pop("source"), "no source"),
    (lambda d: d["frameworks"][0]["requirements"].append(d["frameworks"][0]["requirements"][0]), "twice"),
    (lambda d: [r.update(sections=[s for s in r["sections"] if s != "oversight"] or ["remedy"])
                for f in d["frameworks"] for r in f["requirements"] if r["sections"]], "serving no requirement"),
])
def test_broken_data_is_refused(change, message):
    data = copy.deepcopy(raw())
    change(data)
    with pytest.raises(FrameworkDataError, match=message):
        frameworks.parse(data)
