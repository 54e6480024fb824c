"""Who was heard (S2) in the JSON API: one response shape for a risk, a strategic decision and an engagement.

The figures are the pages' own (the same query functions compute them for the same viewer), so a board or funder
report scripted against the API says what the pages say. Like the pages, nothing here names anyone; and like the
pages, the board is given the totals, notes and gaps but not the breakdowns (its pages leave them out).
"""

from __future__ import annotations

from ninja import Field, Schema

from rightsloop.accounts.roles import Role
from rightsloop.accounts.viewer import Viewer

from .representation import Heard, HeardThroughProxy, Tally


class TallyOut(Schema):
    code: str = Field(description="Stable code: the stakeholder kind, the UN M49 region (\"\" when unknown), the "
                                  "ISO 639 language or the at-risk attribute")
    label: str = Field(description="The code's name in the request's language, as the pages show it")
    count: int


class GlobalSouthOut(Schema):
    yes: int
    no: int
    unknown: int


class HeardThroughProxyOut(Schema):
    groups: int = Field(description="Affected groups heard through a proxy (each counts once)")
    inputs: int = Field(description="Inputs a proxy relayed for those groups")
    by_region: list[TallyOut] | None = Field(description="Groups by the regions they live in; null for the board")
    global_south: GlobalSouthOut | None = Field(
        description="Groups living in the Global South (yes), outside it only (no), or nowhere recorded (unknown); "
                    "null for the board")
    by_language: list[TallyOut] | None = Field(description="Groups by the languages they speak; null for the board")
    by_at_risk: list[TallyOut] | None = Field(description="Groups by at-risk attribute; null for the board")


class HeardOut(Schema):
    inputs: int = Field(description="All inputs counted, relayed ones included")
    unattributed_inputs: int = Field(
        description="Inputs with no speaker recorded, or whose speaker you may not know of (protected people)")
    voices: int = Field(description="Distinct stakeholders who spoke in their own name")
    breakdowns: bool = Field(description="False where your role sees the totals, notes and gaps only (the board); "
                                         "the breakdowns are then null")
    by_kind: list[TallyOut] | None = Field(description="Voices by kind of stakeholder, largest first")
    by_region: list[TallyOut] | None = Field(description="Voices by region, largest first")
    global_south: GlobalSouthOut | None = Field(description="Voices from the Global South")
    by_language: list[TallyOut] | None = Field(description="Voices by language spoken, largest first")
    by_at_risk: list[TallyOut] | None = Field(description="Voices by at-risk attribute, largest first")
    top_share: float | None = Field(
        description="Share of the inputs (0 to 1) given by the three most frequent speakers; null where it is known "
                    "to be at most one half (it is then not counted) and for the board")
    gaps: list[str] = Field(description="What is missing (affected, local, Global South voices…), translated")
    notes: list[str] = Field(description="Worth knowing, not missing, translated")
    through_proxy: HeardThroughProxyOut


def _tallies(rows: list[Tally]) -> list[dict]:
    return [{"code": row.code, "label": row[0], "count": row[1]} for row in rows]


def _through_proxy(groups: HeardThroughProxy, breakdowns: bool) -> dict:
    # The raw country and language codes stay out: the page does not show them, only the gaps they feed.
    return {
        "groups": groups.groups,
        "inputs": groups.inputs,
        "by_region": _tallies(groups.by_region) if breakdowns else None,
        "global_south": groups.global_south if breakdowns else None,
        "by_language": _tallies(groups.by_language) if breakdowns else None,
        "by_at_risk": _tallies(groups.by_at_risk) if breakdowns else None,
    }


def heard_out(heard: Heard, viewer: Viewer) -> dict:
    """The response for this viewer: what the who-was-heard card of the page shows them, with codes beside labels."""
    breakdowns = viewer.role != Role.BOARD
    south = {"yes": 0, "no": 0, "unknown": 0, **heard.global_south}
    return {
        "inputs": heard.inputs,
        "unattributed_inputs": heard.unattributed_inputs,
        "voices": heard.voices,
        "breakdowns": breakdowns,
        "by_kind": _tallies(heard.by_kind) if breakdowns else None,
        "by_region": _tallies(heard.by_region) if breakdowns else None,
        "global_south": south if breakdowns else None,
        "by_language": _tallies(heard.by_language) if breakdowns else None,
        "by_at_risk": _tallies(heard.by_at_risk) if breakdowns else None,
        "top_share": heard.top_share if breakdowns else None,
        "gaps": [str(gap) for gap in heard.gaps],
        "notes": [str(note) for note in heard.notes],
        "through_proxy": _through_proxy(heard.through_proxy, breakdowns),
    }
