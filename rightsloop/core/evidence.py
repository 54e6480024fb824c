"""The board's five questions and the evidence each app registers to answer them (O1).

An app that records evidence registers `EvidenceSource`s in `core.registry.site.evidence`; a source reads only
its own app's data and returns `Evidence` for an organisation and a period: figures, findings that need the
board's attention, tables and chart data, each with links down to where the evidence lives. The oversight app
only gathers what is registered, so an app that lands later simply adds its part.

Everything here is plain data (JSON in and out): the board view stores what the sources return as a snapshot,
so the page never recomputes a million inputs' figures while a board member waits.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import IntEnum
from typing import Any

from django.utils.translation import gettext_lazy as _


class Question(IntEnum):
    """The five questions a board asks of its oversight of affected stakeholders (World Economic Forum)."""

    KNOW_STAKEHOLDERS = 1
    MECHANISMS = 2
    BOARD_ENGAGED = 3
    SKILLS = 4
    MONITORING = 5

    @property
    def text(self) -> str:
        return str(QUESTION_TEXT[self])


QUESTION_TEXT = {
    Question.KNOW_STAKEHOLDERS: _("Do we know who our affected stakeholders are?"),
    Question.MECHANISMS: _("Do we have mechanisms to understand our impacts and respond to them?"),
    Question.BOARD_ENGAGED: _("Is the board engaged in overseeing these mechanisms?"),
    Question.SKILLS: _("Does the board have the skills, experience and knowledge?"),
    Question.MONITORING: _("Are monitoring and review in place?"),
}

# A source's verdict on its part of a question; the question's reading takes the worst.
OK, ATTENTION, MISSING = "ok", "attention", "missing"
STATUS_ORDER = {OK: 0, ATTENTION: 1, MISSING: 2}

# Units a figure is counted in; the change since the previous period is shown in the same unit.
COUNT, PERCENT, DAYS = "count", "percent", "days"
# Which way a figure should move: the change is good, bad, or only information.
UP, DOWN, NEUTRAL = "up", "down", ""


@dataclass
class Figure:
    key: str                    # stable across periods and languages: the API's name and the change's key
    label: str
    value: int | float | None   # None: nothing to measure (no inputs, so no share decided)
    unit: str = COUNT
    better: str = NEUTRAL
    url: str = ""               # down to the evidence
    capability: str = ""        # the link is shown only to a viewer with this capability
    # Filled by the board view from the previous period's snapshot.
    previous: int | float | None = None


@dataclass
class Finding:
    """Something the board should look at: a gap, an overdue review, an item awaiting it."""

    text: str
    url: str = ""
    capability: str = ""
    severity: str = ATTENTION   # ATTENTION or MISSING


@dataclass
class Table:
    key: str
    title: str
    headings: list[str]
    rows: list[list[Any]]       # cells are text or numbers; a last cell may be a link {"url", "capability"}
    note: str = ""


@dataclass
class ChartData:
    """What a chart shows, as data: core.charts lays it out when the page renders."""

    kind: str                   # "funnel", "bars", "timeline", "lines", "sparkline", "world_map", "heat_map"
    key: str
    title: str
    description: str
    data: dict[str, Any]


@dataclass
class Evidence:
    source: str
    question: int
    title: str
    status: str = OK
    reading: str = ""           # one line: what this source says about the question
    figures: list[Figure] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    charts: list[ChartData] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Evidence:
        return cls(
            source=data["source"], question=data["question"], title=data["title"], status=data["status"],
            reading=data["reading"], figures=[Figure(**item) for item in data["figures"]],
            findings=[Finding(**item) for item in data["findings"]],
            tables=[Table(**item) for item in data["tables"]],
            charts=[ChartData(**item) for item in data["charts"]])


# (organisation, period, today) -> Evidence
Collect = Callable[[Any, Any, datetime.date], Evidence]


def share(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None
