"""The disclosure frameworks each section of the public report serves, read from data/frameworks.json.

The data names, for the UN Guiding Principles Reporting Framework, the Ranking Digital Rights Corporate
Accountability Index and the ESRS, each requirement the report can speak to: a short title in our own words, where
it comes from (address, document title, version, and where in the document), and the report sections that serve
it, or, when none does, why (``not_covered``). An optional ``note`` is for maintainers and is not displayed.

The JSON holds English. Names, titles and reasons are translated when displayed (``display_*``); since
makemessages cannot see strings that only exist in JSON, framework_titles.py repeats each of them in a
gettext_lazy call, and a test checks that the two agree.

The data is read and checked once per process; a broken file raises ``FrameworkDataError`` on first use.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from importlib import resources

from django.utils.translation import gettext

# The report's sections, fixed by the report (issue 15). Order is the report's order.
SECTIONS = (
    "salient_issues",  # salient human rights issues and how they were determined
    "engagement",  # stakeholder engagement: who was heard, how, what changed
    "decisions_not_adopted",  # input not adopted and why, aggregated
    "remedy",  # remedy and grievances in figures
    "consultations",  # what we heard, what we did
    "oversight",  # board oversight: board-level risks, reviews, briefings
    "narrative_commitment",  # the company's own narrative: policy commitment
    "narrative_governance",  # the company's own narrative: embedding, governance
)


class FrameworkDataError(ValueError):
    """data/frameworks.json does not hold what this module expects."""


@dataclass(frozen=True)
class Source:
    url: str
    title: str
    version: str
    locator: str = ""  # where in the document: "Part C, C6"


@dataclass(frozen=True)
class Framework:
    key: str
    short_name: str
    name: str
    source: Source
    note: str = ""

    def display_name(self) -> str:
        return gettext(self.name)


@dataclass(frozen=True)
class Requirement:
    id: str  # unique across frameworks: "UNGPRF-C6", "RDR-G6a", "ESRS-S4-3"
    framework: str  # Framework.key
    code: str  # as the framework numbers it: "C6"
    title: str
    source: Source
    sections: tuple[str, ...]
    not_covered: str = ""  # why no section serves it; empty when sections do
    note: str = ""

    @property
    def covered(self) -> bool:
        return bool(self.sections)

    def display_title(self) -> str:
        return gettext(self.title)

    def display_not_covered(self) -> str:
        return gettext(self.not_covered) if self.not_covered else ""


@dataclass(frozen=True)
class Catalogue:
    frameworks: tuple[Framework, ...]
    requirements: tuple[Requirement, ...]

    def displayed_strings(self) -> set[str]:
        """Every English string shown to readers: what framework_titles.py must list."""
        return ({f.name for f in self.frameworks} | {r.title for r in self.requirements}
                | {r.not_covered for r in self.requirements if r.not_covered})


def catalogue() -> Catalogue:
    return _load()


def frameworks() -> tuple[Framework, ...]:
    return _load().frameworks


def requirement(requirement_id: str) -> Requirement:
    try:
        return _by_id()[requirement_id]
    except KeyError:
        raise KeyError(f"no disclosure requirement {requirement_id!r}") from None


def sections_for(requirement_id: str) -> tuple[str, ...]:
    """The report sections serving a requirement; empty for one marked not covered."""
    return requirement(requirement_id).sections


def requirements_for(section_key: str) -> list[Requirement]:
    """The requirements a report section serves, frameworks and requirements in the data's order."""
    if section_key not in SECTIONS:
        raise KeyError(f"no report section {section_key!r}")
    return [r for r in _load().requirements if section_key in r.sections]


def index() -> list[tuple[Framework, Requirement, tuple[str, ...]]]:
    """The report's index: every requirement of every framework with the sections serving it (empty when not
    covered: show ``display_not_covered()``), in the data's order."""
    by_key = {f.key: f for f in _load().frameworks}
    return [(by_key[r.framework], r, r.sections) for r in _load().requirements]


@functools.cache
def _by_id() -> dict[str, Requirement]:
    return {r.id: r for r in _load().requirements}


@functools.cache
def _load() -> Catalogue:
    text = resources.files(__package__).joinpath("data", "frameworks.json").read_text(encoding="utf-8")
    return parse(json.loads(text))


def parse(data: object) -> Catalogue:
    """Check the data and build the catalogue; raises FrameworkDataError naming the first problem found."""
    if not isinstance(data, dict) or data.get("schema") != 1 or not isinstance(data.get("frameworks"), list):
        raise FrameworkDataError("expected {'schema': 1, 'frameworks': [...]}")
    found_frameworks: list[Framework] = []
    found: list[Requirement] = []
    ids: set[str] = set()
    for entry in data["frameworks"]:
        key = _text(entry, "key", "a framework")
        where = f"framework {key}"
        if any(f.key == key for f in found_frameworks):
            raise FrameworkDataError(f"{where} appears twice")
        framework = Framework(key=key, short_name=_text(entry, "short_name", where), name=_text(entry, "name", where),
                              source=_source(entry.get("source"), where), note=entry.get("note", ""))
        found_frameworks.append(framework)
        items = entry.get("requirements")
        if not isinstance(items, list) or not items:
            raise FrameworkDataError(f"{where} has no requirements")
        for item in items:
            found.append(_requirement(item, key, ids))
    served = {section for r in found for section in r.sections}
    unused = [section for section in SECTIONS if section not in served]
    if unused:
        raise FrameworkDataError(f"report sections serving no requirement: {', '.join(unused)}")
    return Catalogue(tuple(found_frameworks), tuple(found))


def _requirement(item: object, framework: str, ids: set[str]) -> Requirement:
    if not isinstance(item, dict):
        raise FrameworkDataError(f"a requirement of {framework} is not an object")
    requirement_id = _text(item, "id", f"a requirement of {framework}")
    where = f"requirement {requirement_id}"
    if requirement_id in ids:
        raise FrameworkDataError(f"{where} appears twice")
    ids.add(requirement_id)
    sections = item.get("sections")
    if not isinstance(sections, list) or len(set(sections)) != len(sections):
        raise FrameworkDataError(f"{where}: sections must be a list without repeats")
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise FrameworkDataError(f"{where}: unknown report sections {unknown}")
    not_covered = item.get("not_covered", "")
    if not isinstance(not_covered, str):
        raise FrameworkDataError(f"{where}: not_covered must be a reason")
    if bool(sections) == bool(not_covered.strip()):
        raise FrameworkDataError(f"{where}: map it to at least one section, or mark it not_covered with a reason "
                                 "(not both)")
    return Requirement(id=requirement_id, framework=framework, code=_text(item, "code", where),
                       title=_text(item, "title", where), source=_source(item.get("source"), where),
                       sections=tuple(sections), not_covered=not_covered.strip(), note=item.get("note", ""))


def _source(value: object, where: str) -> Source:
    if not isinstance(value, dict):
        raise FrameworkDataError(f"{where} has no source")
    url = _text(value, "url", f"the source of {where}")
    if not url.startswith(("https://", "http://")):
        raise FrameworkDataError(f"the source of {where} is not a web address: {url}")
    return Source(url=url, title=_text(value, "title", f"the source of {where}"),
                  version=_text(value, "version", f"the source of {where}"), locator=value.get("locator", ""))


def _text(entry: object, name: str, where: str) -> str:
    value = entry.get(name) if isinstance(entry, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise FrameworkDataError(f"{where} needs a {name}")
    return value.strip()
