"""Charts of the analysis page laid out in Python for a server-rendered SVG, each with the same numbers as a table.

The templates (themes/includes/bar_chart.html, stance_bar.html) only place what is computed here: no JavaScript,
no style attributes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from .models import Stance

BAR = 22        # height of one bar
GAP = 6
LABEL = 220     # room for the bar labels on the left
PLOT = 360      # length of the longest bar
VALUE = 70      # room for the number after a bar
TOP = 4
MAX_BARS = 20
COLOURS = ("#2f6690", "#3a7ca5", "#16425b", "#81c3d7", "#d9dcd6")
STANCE_COLOURS = {Stance.FOR: "#3d8b50", Stance.AGAINST: "#b3403a", Stance.UNCLEAR: "#9a9a9a"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    length: int
    fill: str
    url: str = ""

    @property
    def text_y(self) -> int:
        return self.y + BAR // 2 + 5

    @property
    def value_x(self) -> int:
        return LABEL + self.length + 6


@dataclass(frozen=True)
class BarChart:
    key: str            # for ids in the page
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    total: int
    more: int = 0       # bars left out of the picture (they are in the table)
    left: int = LABEL

    @property
    def width(self) -> int:
        return LABEL + PLOT + VALUE

    @property
    def height(self) -> int:
        return TOP + max(len(self.bars), 1) * (BAR + GAP)

    @property
    def label_x(self) -> int:
        return LABEL - 8

    @property
    def bar_height(self) -> int:
        return BAR


def bar_chart(key: str, title: str, description: str, rows: list[tuple[str, int, str]], *,
              label_heading: str, value_heading: str) -> BarChart:
    """Horizontal bars, longest first, scaled to the largest value; rows are (label, value, link or "")."""
    rows = sorted(rows, key=lambda row: (-row[1], row[0]))
    shown, more = rows[:MAX_BARS], max(len(rows) - MAX_BARS, 0)
    top = max((value for _label, value, _url in shown), default=0) or 1
    bars = [Bar(label=_shorten(label), value=value, y=TOP + n * (BAR + GAP),
                length=max(round(PLOT * value / top), 1 if value else 0), fill=COLOURS[n % len(COLOURS)], url=url)
            for n, (label, value, url) in enumerate(shown)]
    return BarChart(key=key, title=title, description=description, label_heading=label_heading,
                    value_heading=value_heading, bars=bars, total=sum(value for _l, value, _u in rows), more=more)


def _shorten(label: str, size: int = 34) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"


@dataclass(frozen=True)
class Segment:
    stance: str
    label: str
    count: int
    x: int
    width: int
    fill: str


@dataclass(frozen=True)
class StanceBar:
    segments: list[Segment]
    total: int
    width: int = 160
    height: int = 14

    @property
    def summary(self) -> str:
        return ", ".join(f"{segment.label}: {segment.count}" for segment in self.segments)


def stance_bar(stance: dict) -> StanceBar | None:
    """For, against and unclear side by side, so agreement and disagreement are never one undivided count."""
    counts = [(value, int((stance or {}).get(value, 0))) for value in (Stance.FOR, Stance.AGAINST, Stance.UNCLEAR)]
    total = sum(count for _value, count in counts)
    if not total:
        return None
    segments, x = [], 0
    labels = {Stance.FOR: _("for"), Stance.AGAINST: _("against"), Stance.UNCLEAR: _("unclear")}
    for value, count in counts:
        width = round(160 * count / total)
        segments.append(Segment(stance=value, label=labels[value], count=count, x=x, width=width,
                                fill=STANCE_COLOURS[value]))
        x += width
    return StanceBar(segments=segments, total=total)


def language_counts(themes) -> dict[str, int]:
    """Languages over the themes' placements (each response counted once per theme it is in)."""
    total: dict[str, int] = {}
    for theme in themes:
        for language, count in (theme.languages or {}).items():
            total[language] = total.get(language, 0) + int(count)
    return total
