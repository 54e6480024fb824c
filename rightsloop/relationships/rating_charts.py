"""Rating trends laid out in Python for a server-rendered SVG line chart, with the same numbers as a table.

The template (relationships/ratings/includes/line_chart.html) only places what is computed here. A point that
is hidden (a group under the threshold) is left out of its line and reads "fewer than N answers" in the table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import DIMENSIONS, Rating
from .rating_queries import Trend

LEFT = 34        # room for the scale's numbers
TOP = 10
PLOT_H = 160     # height of the scale from 1 to 5
STEP = 90        # distance between two rounds
BOTTOM = 26      # room for the round labels
RIGHT = 16
COLOURS = ("#2f6690", "#b3403a", "#3d8b50", "#9a6b00", "#6a4c93", "#16425b", "#81c3d7", "#8c564b")


@dataclass(frozen=True)
class Point:
    x: int
    y: int
    value: float
    label: str


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    points: list[Point]
    values: list[float | None]   # one per round, None where hidden or no answer
    hidden: list[bool]           # per round: True where a group too small was hidden

    @property
    def path(self) -> str:
        return " ".join(f"{'M' if n == 0 else 'L'}{point.x},{point.y}" for n, point in enumerate(self.points))


@dataclass(frozen=True)
class LineChart:
    key: str
    title: str
    description: str
    x_labels: list[tuple[int, str]]      # (x, round title)
    series: list[Series]
    notes: list[str]                    # per round: "", or why it is empty ("fewer than 5 answers")
    counts: list[int | None]            # answers per round, None where hidden
    width: int
    height: int = TOP + PLOT_H + BOTTOM

    @property
    def grid(self) -> list[tuple[int, int]]:
        return [(value, _y(value)) for value in (1, 2, 3, 4, 5)]

    @property
    def left(self) -> int:
        return LEFT

    @property
    def right(self) -> int:
        return self.width - RIGHT

    @property
    def label_y(self) -> int:
        return TOP + PLOT_H + 18

    @property
    def rows(self) -> list[tuple[str, list[tuple[float | None, bool]], str, int | None]]:
        """The table: one row per round with each series' (value, hidden), the note and the count."""
        return [(label, [(series.values[n], series.hidden[n]) for series in self.series], self.notes[n],
                 self.counts[n]) for n, (_x, label) in enumerate(self.x_labels)]

    @property
    def is_empty(self) -> bool:
        return not any(series.points for series in self.series)


def _y(value: float) -> int:
    return round(TOP + PLOT_H - (value - 1) / 4 * PLOT_H)


def _short(text: str, size: int = 14) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def line_chart(key: str, title: str, description: str, round_labels: list[str],
               series: list[tuple[str, list[float | None]]], *, notes: list[str],
               counts: list[int | None], hidden: list[list[bool]] | None = None) -> LineChart:
    xs = [LEFT + 24 + n * STEP for n in range(len(round_labels))]
    drawn = []
    for n, (label, values) in enumerate(series):
        points = [Point(x=xs[i], y=_y(value), value=value, label=f"{label}: {value}")
                  for i, value in enumerate(values) if value is not None]
        drawn.append(Series(label=label, colour=COLOURS[n % len(COLOURS)], points=points, values=values,
                            hidden=hidden[n] if hidden else [False] * len(values)))
    width = LEFT + 48 + max(len(round_labels) - 1, 0) * STEP + RIGHT
    return LineChart(key=key, title=title, description=description,
                     x_labels=[(x, _short(label)) for x, label in zip(xs, round_labels, strict=True)],
                     series=drawn, notes=notes, counts=counts, width=max(width, 320))


def dimension_labels() -> list[str]:
    return [capfirst(str(Rating._meta.get_field(name).verbose_name)) for name in DIMENSIONS]


def hidden_note(smallest: int) -> str:
    return _("fewer than %(n)s answers") % {"n": smallest}


def organisation_chart(trend: Trend) -> LineChart:
    """Each dimension's average across the organisation, round by round."""
    cells = [trend.overall[r.pk] for r in trend.rounds]
    return line_chart(
        "overall", _("All stakeholders, round by round"),
        _("Average of each question from 1 (worst) to 5 (best), per rating round."),
        [r.title for r in trend.rounds],
        [(label, [cell.average(name) for cell in cells]) for label, name in zip(dimension_labels(), DIMENSIONS,
                                                                                 strict=True)],
        notes=["" if cell.shown else (hidden_note(trend.smallest) if cell.count else _("no answers"))
               for cell in cells],
        counts=[cell.count if cell.shown else None for cell in cells],
        hidden=[[bool(cell.count and not cell.shown) for cell in cells]] * len(DIMENSIONS))


BREAKDOWN_TITLES = {"kind": _("By kind of stakeholder"), "region": _("By region"),
                    "global_south": _("Global South and North")}


def breakdown_chart(trend: Trend, key: str) -> LineChart:
    """One line per group: the average of all five questions, round by round; small groups left out."""
    breakdown = trend.breakdowns[key]
    series, hidden, hidden_any = [], [], [False] * len(trend.rounds)
    for code, label in breakdown.groups:
        values, small = [], []
        for n, round in enumerate(trend.rounds):
            cell = breakdown.cell(round.pk, code)
            values.append(cell.overall if cell else None)
            small.append(bool(cell and cell.count and not cell.shown))
            hidden_any[n] = hidden_any[n] or small[-1]
        series.append((label, values))
        hidden.append(small)
    return line_chart(
        f"by-{key}", str(BREAKDOWN_TITLES[key]),
        _("Average of the five questions from 1 (worst) to 5 (best), per group and round."),
        [r.title for r in trend.rounds], series,
        notes=[_("some groups hidden: %(note)s") % {"note": hidden_note(trend.smallest)} if hidden else ""
               for hidden in hidden_any],
        counts=[None] * len(trend.rounds), hidden=hidden)


def stakeholder_chart(ratings: list[Rating]) -> LineChart:
    """One stakeholder's own answers, round by round (shown only to those who may see them)."""
    return line_chart(
        "stakeholder", _("Their answers, round by round"),
        _("Each question from 1 (worst) to 5 (best), per rating round they answered."),
        [rating.round.title for rating in ratings],
        [(label, [float(getattr(rating, name)) for rating in ratings])
         for label, name in zip(dimension_labels(), DIMENSIONS, strict=True)],
        notes=[""] * len(ratings), counts=[1] * len(ratings))
