"""The product's charts, laid out in Python for server-rendered SVG, each with the same numbers as a table.

Eight kinds: a funnel, horizontal bars, stacked columns over time, lines over time, a sparkline (one small line,
for small multiples), a world map, a schedule (phases over dates, with today marked), and a scatter (points in a
plane whose axes carry no meaning, coloured by series: the opinion map of a consensus exercise). The templates under
core/templates/charts/ only place what is computed here, with presentation attributes and classes (the
Content-Security-Policy allows no inline style) and no JavaScript; include any chart with
``{% include chart.template with chart=chart %}``. The same templates go into the board pack PDF (WeasyPrint).

A value of None is a count hidden for safety: it is never drawn as a number, and the table says "fewer than N"
(`smallest`, 5 unless told). The caller hides; a chart draws every number it is given.
Charts are laid out when the page is rendered, in its language: in a right-to-left language bars grow from the
right and time runs right to left. Every SVG says direction="ltr" and its text anchors are physical, because
browsers would otherwise flip them with the page's direction while WeasyPrint does not.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from django.utils.formats import date_format
from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _

from . import countries, formats

WORLD = Path(__file__).parent / "data" / "world.json"
SMALLEST = 5

INK = "#1a1a1a"        # all text; at least 4.5:1 on every fill below
BLANK = "#efefef"      # nothing to show
HIDDEN = "#c4c4c4"     # a count hidden for safety: neutral, never a class colour
# Sequential, single hue (light to dark blue, ordered by lightness, so it reads in grey and to colour-blind eyes).
SEQUENTIAL = ("#c6dbef", "#a2c8e5", "#7fb4da", "#5ea1cf", "#3f8fc5")
BAR_FILL = SEQUENTIAL[3]
# Okabe and Ito's colour-blind-safe set, without its dark blue and with its vermilion lightened, so dark text reads.
CATEGORICAL = ("#56b4e9", "#e69f00", "#009e73", "#f0e442", "#cc79a7", "#e37b40", "#999999")

EN_DASH = "\u2013"
KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")


def fewer_than(smallest: int) -> str:
    return _("fewer than %(n)s") % {"n": formats.number(smallest)}


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def _check_key(key: str) -> str:
    if not KEY.match(key or ""):
        raise ValueError(f"A chart key must be a letter then letters, digits, - or _: {key!r}")
    return key


def _rtl(rtl: bool | None) -> bool:
    return get_language_bidi() if rtl is None else rtl


@dataclass(frozen=True)
class Text:
    """A label placed at a physical point: anchor is the SVG text-anchor under direction="ltr"."""
    x: int
    y: int
    text: str
    anchor: str = "start"


# --- funnel -------------------------------------------------------------------------------------------------

FUNNEL_WIDTH = 560
FUNNEL_ROW = 52        # one step: its label line, then its bar
FUNNEL_BAR = 24
FUNNEL_TOP = 4


@dataclass(frozen=True)
class Step:
    label: str
    value: int | None
    share: int | None      # percent of the first step, None where either is hidden
    url: str
    x: int
    y: int                 # the bar's top
    width: int
    fill: str
    caption: Text          # label, value and share above the bar

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Funnel:
    template: ClassVar[str] = "charts/funnel.html"
    kind: ClassVar[str] = "funnel"
    key: str
    title: str
    description: str
    steps: list[Step]
    smallest: int
    width: int = FUNNEL_WIDTH
    bar_height: int = FUNNEL_BAR

    @property
    def height(self) -> int:
        return FUNNEL_TOP + max(len(self.steps), 1) * FUNNEL_ROW

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.smallest)

    @property
    def first_label(self) -> str:
        return self.steps[0].label if self.steps else ""

    @property
    def is_empty(self) -> bool:
        return not self.steps


def funnel(key: str, title: str, description: str, steps: list[dict], *, smallest: int = SMALLEST,
           rtl: bool | None = None) -> Funnel:
    """Centred bars narrowing step by step, each with its share of the first step; steps are
    {"label", "value" (int or None where hidden), "url"}. Centred, so nothing to mirror right to left."""
    first = steps[0].get("value") if steps else None
    drawn = []
    for n, step in enumerate(steps):
        value = step.get("value")
        share = round(100 * value / first) if value is not None and first else None
        if value is None:
            width = FUNNEL_BAR  # a small neutral block: the count is hidden, its size is not drawn
        elif first:
            width = max(round((FUNNEL_WIDTH - 8) * min(value / first, 1)), 2 if value else 0)
        else:
            width = 0
        y = FUNNEL_TOP + n * FUNNEL_ROW + 22
        if value is None:
            words = _("%(label)s: %(value)s") % {"label": step["label"], "value": fewer_than(smallest)}
        elif share is None or n == 0:
            words = _("%(label)s: %(value)s") % {"label": step["label"], "value": value}
        else:
            words = _("%(label)s: %(value)s (%(share)s%%)") % {"label": step["label"], "value": value,
                                                               "share": share}
        drawn.append(Step(label=step["label"], value=value, share=share, url=step.get("url") or "",
                          x=(FUNNEL_WIDTH - width) // 2, y=y, width=width,
                          fill=HIDDEN if value is None else BAR_FILL,
                          caption=Text(FUNNEL_WIDTH // 2, y - 6, _short(words, 70), "middle")))
    return Funnel(key=_check_key(key), title=title, description=description, steps=drawn, smallest=smallest)


# --- bars ---------------------------------------------------------------------------------------------------

BAR = 22
BAR_GAP = 6
BAR_LABEL = 240        # room for the labels
BAR_PLOT = 300         # the longest bar
BAR_VALUE = 90         # room for the number after a bar
BAR_TOP = 4
MAX_BARS = 20


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    url: str
    y: int
    rect_x: int
    length: int
    fill: str
    name: Text             # the (shortened) label beside the bar
    number: Text           # the value after the bar ("fewer than 5" where hidden)

    @property
    def hidden(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class Bars:
    template: ClassVar[str] = "charts/bars.html"
    kind: ClassVar[str] = "bars"
    key: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    bars: list[Bar]
    rows: list[Bar]        # the table: every row, also those beyond MAX_BARS
    smallest: int
    width: int = BAR_LABEL + BAR_PLOT + BAR_VALUE
    bar_height: int = BAR

    @property
    def height(self) -> int:
        return BAR_TOP + max(len(self.bars), 1) * (BAR + BAR_GAP)

    @property
    def more(self) -> int:
        return len(self.rows) - len(self.bars)

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.smallest)

    @property
    def is_empty(self) -> bool:
        return not self.bars


def bars(key: str, title: str, description: str, rows: list[dict], *, label_heading: str, value_heading: str,
         smallest: int = SMALLEST, rtl: bool | None = None) -> Bars:
    """Horizontal bars in the order given, scaled to the largest value; rows are {"label", "value", "url"}.
    A hidden value gets no bar, only "fewer than N"; rows past MAX_BARS are in the table only."""
    rtl = _rtl(rtl)
    width = BAR_LABEL + BAR_PLOT + BAR_VALUE
    top = max((row.get("value") or 0 for row in rows[:MAX_BARS]), default=0) or 1
    laid = []
    for n, row in enumerate(rows):
        value = row.get("value")
        length = 0 if value is None else max(round(BAR_PLOT * value / top), 1 if value else 0)
        y = BAR_TOP + min(n, MAX_BARS) * (BAR + BAR_GAP)
        baseline = y + BAR // 2 + 5
        number = fewer_than(smallest) if value is None else formats.number(value)
        if rtl:
            rect_x = width - BAR_LABEL - length
            name = Text(width - BAR_LABEL + 8, baseline, _short(row["label"], 28), "start")
            figure = Text(rect_x - 6, baseline, number, "end")
        else:
            rect_x = BAR_LABEL
            name = Text(BAR_LABEL - 8, baseline, _short(row["label"], 28), "end")
            figure = Text(BAR_LABEL + length + 6, baseline, number, "start")
        laid.append(Bar(label=row["label"], value=value, url=row.get("url") or "", y=y, rect_x=rect_x,
                        length=length, fill=BAR_FILL, name=name, number=figure))
    return Bars(key=_check_key(key), title=title, description=description, label_heading=label_heading,
                value_heading=value_heading, bars=laid[:MAX_BARS], rows=laid, smallest=smallest)


# --- timeline -----------------------------------------------------------------------------------------------

TIME_AXIS = 44         # room for the scale's numbers
TIME_TOP = 20          # room for the totals above the columns
TIME_PLOT = 180
TIME_BOTTOM = 26       # room for the period labels
TIME_COLUMN = 40
TIME_PITCH = 66
TIME_END = 12


@dataclass(frozen=True)
class Segment:
    series: str
    value: int
    x: int
    y: int
    width: int
    height: int
    fill: str

    @property
    def tooltip(self) -> str:
        return f"{self.series}: {self.value}"


@dataclass(frozen=True)
class Column:
    period: str
    values: list[int | None]   # one per series, for the table
    segments: list[Segment]    # shown values only, bottom up
    total: int                 # of the shown values
    partial: bool              # some values hidden: the total is a lower bound
    label: Text
    total_label: Text


@dataclass(frozen=True)
class Series:
    label: str
    fill: str


@dataclass(frozen=True)
class Tick:
    value: int
    y: int
    label: Text


@dataclass(frozen=True)
class Timeline:
    template: ClassVar[str] = "charts/timeline.html"
    kind: ClassVar[str] = "timeline"
    key: str
    title: str
    description: str
    value_heading: str
    series: list[Series]
    columns: list[Column]
    ticks: list[Tick]
    smallest: int
    width: int
    plot_start: int
    plot_end: int
    height: int = TIME_TOP + TIME_PLOT + TIME_BOTTOM
    period_heading: str = ""   # the table's first column; "Period" unless told (columns need not be periods)

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.smallest)

    @property
    def has_partial(self) -> bool:
        return any(column.partial for column in self.columns)

    @property
    def is_empty(self) -> bool:
        return not any(column.segments for column in self.columns)


def nice_step(top: int, most: int = 5) -> int:
    """The smallest 1, 2 or 5 times a power of ten that covers top in at most `most` steps."""
    top = max(top, 1)
    power = 10 ** max(math.floor(math.log10(top / most)), 0) if top > most else 1
    while True:
        for factor in (1, 2, 5):
            if factor * power * most >= top:
                return factor * power
        power *= 10


def timeline(key: str, title: str, description: str, periods: list[str], series: list[dict], *,
             value_heading: str, smallest: int = SMALLEST, rtl: bool | None = None,
             period_heading: str = "") -> Timeline:
    """Stacked columns, one per period, one segment per series ({"label", "values": one per period});
    a hidden value is left out of its column and the column's total reads as a lower bound."""
    rtl = _rtl(rtl)
    width = max(TIME_AXIS + len(periods) * TIME_PITCH + TIME_END, 320)
    totals = [sum(s["values"][n] or 0 for s in series) for n in range(len(periods))]
    step = nice_step(max(totals, default=0))
    scale_top = step * max(math.ceil(max(totals, default=0) / step), 1)

    def y_of(value: int) -> int:
        return round(TIME_TOP + TIME_PLOT - TIME_PLOT * value / scale_top)

    def across(x: int, size: int = 0) -> int:
        return width - x - size if rtl else x

    legend = [Series(label=s["label"], fill=CATEGORICAL[n % len(CATEGORICAL)]) for n, s in enumerate(series)]
    columns = []
    for n, period in enumerate(periods):
        x = across(TIME_AXIS + n * TIME_PITCH + (TIME_PITCH - TIME_COLUMN) // 2, TIME_COLUMN)
        values = [s["values"][n] for s in series]
        segments, running = [], 0
        for value, kind in zip(values, legend, strict=True):
            if not value:
                continue
            top, bottom = y_of(running + value), y_of(running)
            segments.append(Segment(series=kind.label, value=value, x=x, y=top, width=TIME_COLUMN,
                                    height=bottom - top, fill=kind.fill))
            running += value
        partial = any(value is None for value in values)
        centre = x + TIME_COLUMN // 2
        columns.append(Column(
            period=period, values=values, segments=segments, total=running, partial=partial,
            label=Text(centre, TIME_TOP + TIME_PLOT + 18, _short(period, 10), "middle"),
            total_label=Text(centre, y_of(running) - 5, f"≥{running}" if partial else str(running), "middle")))
    ticks = []
    for value in range(0, scale_top + 1, step):
        if rtl:
            label = Text(width - TIME_AXIS + 6, y_of(value) + 4, formats.number(value), "start")
        else:
            label = Text(TIME_AXIS - 6, y_of(value) + 4, formats.number(value), "end")
        ticks.append(Tick(value=value, y=y_of(value), label=label))
    start, end = (TIME_END, width - TIME_AXIS) if rtl else (TIME_AXIS, width - TIME_END)
    return Timeline(key=_check_key(key), title=title, description=description, value_heading=value_heading,
                    series=legend, columns=columns, ticks=ticks, smallest=smallest, width=width,
                    plot_start=start, plot_end=end, period_heading=period_heading)


# --- lines --------------------------------------------------------------------------------------------------

LINE_AXIS = 52         # room for the scale's numbers
LINE_TOP = 14
LINE_PLOT = 160
LINE_BOTTOM = 26       # room for the period labels
LINE_PITCH = 60        # one period
LINE_END = 16
# Besides its colour, each series has its own dash and marker, so lines part in grey print and to colour-blind eyes.
DASHES = ("", "7 4", "2 4", "10 3 2 3", "4 2")
MARKERS = ("circle", "square", "diamond", "triangle", "circle")
# A sparkline: one series, small, no scale; the first and last periods under it, the last value after it.
SPARK_PLOT_WIDTH = 180
SPARK_VALUE = 86       # room for the last value after the line
SPARK_TOP = 8
SPARK_PLOT = 40
SPARK_BOTTOM = 20
SPARK_SIDE = 8
# Units a value may be in: how the number reads in labels and the table.
UNITS = ("", "percent", "days")


def figure_text(value: int | float, unit: str = "") -> str:
    """A value as it reads on a chart: grouped digits, one decimal where it has one, then its unit."""
    # The active language's CLDR pattern and digits (core.formats): Arabic-Indic digits in an Arabic page.
    number = formats.number(value, 1 if isinstance(value, float) and not value.is_integer() else 0)
    if unit == "percent":
        return _("%(value)s %%") % {"value": number}
    if unit == "days":
        return ngettext("%(value)s day", "%(value)s days", math.ceil(value)) % {"value": number}
    return number


def nice_scale(low: float, high: float, most: int = 5, *, whole: bool = False) -> tuple[float, float, float]:
    """A scale (bottom, top, step) from 0 (or below, for negative values) that covers low..high in at most
    `most` steps of 1, 2 or 5 times a power of ten (below one only for fractions: whole=True for counts)."""
    low, high = min(low, 0), max(high, 0)
    if high == low:
        high = low + 1
    power = 10.0 ** math.floor(math.log10(((high - low) or 1) / most))
    if whole:
        power = max(power, 1)
    for step in (factor * power * ten for ten in (1, 10, 100) for factor in (1, 2, 5)):
        bottom = math.floor(round(low / step, 9)) * step
        top = max(math.ceil(round(high / step, 9)) * step, bottom + step)
        if round((top - bottom) / step) <= most:
            break
    return _clean(bottom), _clean(top), _clean(step)


def _clean(value: float) -> int | float:
    rounded = round(value, 10)
    return int(rounded) if float(rounded).is_integer() else rounded


def mark(shape: str, x: int, y: int, size: int) -> str:
    """A marker's outline as a path, centred on x, y."""
    if shape == "square":
        return f"M{x - size} {y - size}h{2 * size}v{2 * size}h{-2 * size}z"
    if shape == "diamond":
        return f"M{x} {y - size - 1}l{size + 1} {size + 1}l{-size - 1} {size + 1}l{-size - 1} {-size - 1}z"
    if shape == "triangle":
        return f"M{x} {y - size - 1}l{size + 1} {2 * size + 1}h{-2 * size - 2}z"
    return f"M{x - size} {y}a{size} {size} 0 1 0 {2 * size} 0a{size} {size} 0 1 0 {-2 * size} 0z"


@dataclass(frozen=True)
class Point:
    period: str
    value: int | float
    x: int
    y: int
    text: str              # the value in its unit, for its tooltip
    mark: str              # its marker's path


@dataclass(frozen=True)
class Line:
    label: str
    values: list[int | float | None]   # one per period, for the table
    cells: list[str]                   # the table's text for each: the value, "fewer than N", or the gap's text
    points: list[Point]                # shown values only
    paths: list[str]                   # the line, broken where a value is hidden or missing
    fill: str
    dash: str
    marker: str
    gap: str = ""                      # what None means in this series, where it is not a count hidden for safety

    @property
    def is_empty(self) -> bool:
        return not self.points

    @property
    def legend_mark(self) -> str:
        return mark(self.marker, 14, 7, 4)


@dataclass(frozen=True)
class Lines:
    template: ClassVar[str] = "charts/lines.html"
    kind: ClassVar[str] = "lines"
    key: str
    title: str
    description: str
    value_heading: str
    unit: str
    periods: list[str]
    lines: list[Line]
    ticks: list[Tick]
    labels: list[Text]     # the periods under the plot (every one, or the first and last of a sparkline)
    ends: list[Text]       # a sparkline's last value after its line
    smallest: int
    width: int
    height: int
    plot_start: int
    plot_end: int
    compact: bool = False

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.smallest)

    @property
    def is_empty(self) -> bool:
        return all(line.is_empty for line in self.lines)

    @property
    def has_gaps(self) -> bool:
        return any(value is None for line in self.lines for value in line.values)

    @property
    def gap_notes(self) -> list[str]:
        """What a break in a line means, once per meaning: a count hidden for safety, or the series' own words."""
        notes = []
        for line in self.lines:
            if None not in line.values:
                continue
            note = (_("Where a line has no point: %(gap)s.") % {"gap": line.gap}
                    if line.gap else
                    _("A break in a line is a count hidden for safety (%(hidden)s); the table says which.") % {
                        "hidden": self.hidden_text})
            if note not in notes:
                notes.append(note)
        return notes

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The table: per period, each line's value as text."""
        return [(period, [line.cells[n] for line in self.lines]) for n, period in enumerate(self.periods)]


def lines(key: str, title: str, description: str, periods: list[str], series: list[dict], *,
          value_heading: str, unit: str = "", smallest: int = SMALLEST, compact: bool = False,
          rtl: bool | None = None) -> Lines:
    """Lines over time, one per series ({"label", "values": one int, float or None per period, and optionally
    "gap": the table's words for None}), on a scale from zero; unit is "", "percent" or "days".

    None is a count hidden for safety ("fewer than N" in the table) unless the series says what else it means in
    "gap" ("no reports that month"): either way no point is drawn and the line breaks there, so a hidden count is
    never drawn nor guessed from its neighbours. Time runs right to left in a right-to-left language.
    compact=True draws a sparkline (see `sparkline`)."""
    if unit not in UNITS:
        raise ValueError(f"A line chart's unit is one of {UNITS}: {unit!r}")
    rtl = _rtl(rtl)
    shown = [value for s in series for value in s["values"] if value is not None]
    if compact:
        width = SPARK_SIDE + SPARK_PLOT_WIDTH + SPARK_VALUE
        top_y, plot, height = SPARK_TOP, SPARK_PLOT, SPARK_TOP + SPARK_PLOT + SPARK_BOTTOM
        pitch = SPARK_PLOT_WIDTH / max(len(periods) - 1, 1)
        first_x = SPARK_SIDE
        low, high = min(shown, default=0), max(shown, default=0)
        if low == high:  # a flat line sits in the middle rather than on an edge
            low, high = low - 1, high + 1
        bottom, scale_top, step = low, high, 0
    else:
        width = max(LINE_AXIS + len(periods) * LINE_PITCH + LINE_END, 320)
        top_y, plot, height = LINE_TOP, LINE_PLOT, LINE_TOP + LINE_PLOT + LINE_BOTTOM
        pitch = LINE_PITCH
        first_x = LINE_AXIS + LINE_PITCH // 2
        bottom, scale_top, step = nice_scale(min(shown, default=0), max(shown, default=0),
                                             whole=all(isinstance(value, int) for value in shown))

    def x_of(n: int) -> int:
        x = round(first_x + n * pitch)
        return width - x if rtl else x

    def y_of(value: float) -> int:
        return round(top_y + plot - plot * (value - bottom) / ((scale_top - bottom) or 1))

    drawn = []
    for n, s in enumerate(series):
        gap = s.get("gap") or fewer_than(smallest)
        points, paths, run = [], [], []
        for at, (period, value) in enumerate(zip(periods, s["values"], strict=True)):
            if value is None:
                if run:
                    paths.append(run)
                run = []
                continue
            x, y = x_of(at), y_of(value)
            point = Point(period=period, value=value, x=x, y=y, text=figure_text(value, unit),
                          mark=mark(MARKERS[n % len(MARKERS)], x, y, 3 if compact else 4))
            points.append(point)
            run.append(point)
        if run:
            paths.append(run)
        drawn.append(Line(
            label=s["label"], values=list(s["values"]),
            cells=[gap if value is None else figure_text(value, unit) for value in s["values"]],
            points=points, paths=["M" + " L".join(f"{p.x} {p.y}" for p in path) for path in paths if len(path) > 1],
            fill=CATEGORICAL[n % len(CATEGORICAL)] if len(series) > 1 else SEQUENTIAL[-1],
            dash=DASHES[n % len(DASHES)], marker=MARKERS[n % len(MARKERS)], gap=s.get("gap") or ""))
    ticks, labels, ends = [], [], []
    if compact:
        if periods:
            below = top_y + plot + 15
            ends_at = (0, len(periods) - 1) if len(periods) > 1 else (0,)
            for at in ends_at:
                anchor = "start" if (at == 0) != rtl else "end"
                labels.append(Text(x_of(at), below, _short(periods[at], 12), anchor))
        for line in drawn[:1]:
            if line.points:
                last = line.points[-1]
                ends.append(Text(last.x - 8 if rtl else last.x + 8, last.y + 4, last.text, "end" if rtl else "start"))
        start, end = (width - SPARK_SIDE - SPARK_PLOT_WIDTH, width - SPARK_SIDE) if rtl else \
            (SPARK_SIDE, SPARK_SIDE + SPARK_PLOT_WIDTH)
    else:
        value = bottom
        while value <= scale_top + step / 1000:
            tick = _clean(value)
            if rtl:
                label = Text(width - LINE_AXIS + 6, y_of(tick) + 4, figure_text(tick, unit if unit != "days" else ""),
                             "start")
            else:
                label = Text(LINE_AXIS - 6, y_of(tick) + 4, figure_text(tick, unit if unit != "days" else ""), "end")
            ticks.append(Tick(value=tick, y=y_of(tick), label=label))
            value += step
        labels = [Text(x_of(at), top_y + plot + 18, _short(period, 10), "middle") for at, period in enumerate(periods)]
        start, end = (LINE_END, width - LINE_AXIS) if rtl else (LINE_AXIS, width - LINE_END)
    return Lines(key=_check_key(key), title=title, description=description, value_heading=value_heading, unit=unit,
                 periods=list(periods), lines=drawn, ticks=ticks, labels=labels, ends=ends, smallest=smallest,
                 width=width, height=height, plot_start=start, plot_end=end, compact=compact)


def sparkline(key: str, title: str, description: str, periods: list[str], values: list[int | float | None], *,
              value_heading: str, unit: str = "", gap: str = "", smallest: int = SMALLEST,
              rtl: bool | None = None) -> Lines:
    """One small line for a grid of small multiples (an indicator per mitigation, a figure per month): no scale,
    the line spans its own lowest to highest value, the first and last periods under it and the last value after
    it; its table holds every value. None is hidden ("fewer than N") unless `gap` says what else it means."""
    return lines(key, title, description, periods, [{"label": value_heading, "values": values, "gap": gap}],
                 value_heading=value_heading, unit=unit, smallest=smallest, compact=True, rtl=rtl)


# --- world map ----------------------------------------------------------------------------------------------

HIGHLIGHTS = ("risk", "market", "risk_market")


@cache
def world() -> dict[str, Any]:
    """The shipped outlines (core/data/world.json, built by build_world_geometry.py)."""
    return json.loads(WORLD.read_text(encoding="utf-8"))


def class_breaks(values: list[int], classes: int = 5) -> list[int]:
    """Lower bounds of up to `classes` classes holding about as many countries each (quantiles), each bound
    cut to two significant digits so the legend reads "120 to 249" rather than "123 to 251"."""
    shown = sorted(value for value in values if value)
    bounds: list[int] = []
    for n in range(classes):
        quantile = shown[n * len(shown) // classes] if shown else 0
        bound = shown[0] if n == 0 and shown else _two_digits(quantile)
        if bound and (not bounds or bound > bounds[-1]):
            bounds.append(bound)
    return bounds


def _two_digits(value: int) -> int:
    if value < 100:
        return value
    unit = 10 ** (len(str(value)) - 2)
    return value // unit * unit


@dataclass(frozen=True)
class Band:
    """One entry of the legend: a class, "fewer than N" or "none"."""
    label: str
    fill: str
    low: int | None = None
    high: int | None = None


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    value: int | None
    hidden: bool
    highlight: str             # "", "risk", "market" or "risk_market"
    fill: str
    path: str                  # "" when the country is drawn as a dot, or missing at this scale
    dot: tuple[int, int] | None = None

    @property
    def risk(self) -> bool:
        return self.highlight in ("risk", "risk_market")

    @property
    def market(self) -> bool:
        return self.highlight in ("market", "risk_market")

    @property
    def highlight_label(self) -> str:
        return highlight_label(self.highlight)

    @property
    def drawn(self) -> bool:
        return bool(self.path or self.dot)


@dataclass(frozen=True)
class Hatch:
    """A pattern: a class's fill crossed with dark lines, for countries with salient risks."""
    id: str
    fill: str


@dataclass(frozen=True)
class Paint:
    """How a group of countries is drawn: its fill (a colour or a hatch) and its outline."""
    fill: str
    stroke: str
    stroke_width: str
    areas: list[Area]


@dataclass(frozen=True)
class WorldMap:
    template: ClassVar[str] = "charts/world_map.html"
    kind: ClassVar[str] = "world_map"
    key: str
    title: str
    description: str
    value_heading: str
    groups: list[Paint]         # countries with a value or a highlight, outlined ones last so nothing covers them
    dots: list[Paint]           # the same for countries too small for a shape
    hatches: list[Hatch]
    blank: str                  # every other country, one path
    rows: list[Area]            # the table: countries with a value or a highlight, by name
    bands: list[Band]
    smallest: int
    width: int
    height: int
    summary: str
    blank_fill: str = BLANK

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.smallest)

    @property
    def not_drawn(self) -> list[Area]:
        return [area for area in self.rows if not area.drawn]

    @property
    def has_highlights(self) -> bool:
        return any(area.highlight for area in self.rows)


def _country_name(code: str) -> str:
    country = countries.get(code)
    if country:
        return country.local_name
    return _("Kosovo") if code == "XK" else code  # the map's one area without an ISO 3166 code of its own


def highlight_label(highlight: str) -> str:
    return {"risk": _("salient risks"), "market": _("market"),
            "risk_market": _("salient risks and market")}.get(highlight, "")


def world_map(key: str, title: str, description: str, values: dict[str, int | None], *,
              highlighted: dict[str, str] | None = None, value_heading: str, smallest: int = SMALLEST,
              rtl: bool | None = None) -> WorldMap:
    """A choropleth of counts per ISO 3166 alpha-2 code (voices heard, stakeholders) in up to five classes;
    countries with salient risks are hatched and markets outlined ("risk", "market", "risk_market") whether or not
    they have a count, so risks where nobody was heard stand out. A map is not mirrored: rtl is accepted only for
    a uniform call."""
    key = _check_key(key)
    highlighted = {code.upper(): kind for code, kind in (highlighted or {}).items() if kind in HIGHLIGHTS}
    values = {code.upper(): value for code, value in values.items()}
    geometry = world()
    bounds = class_breaks([value for value in values.values() if value])
    fills = [SEQUENTIAL[round(n * (len(SEQUENTIAL) - 1) / max(len(bounds) - 1, 1))] for n in range(len(bounds))]
    if len(bounds) == 1:
        fills = [SEQUENTIAL[2]]

    def fill_of(value: int | None) -> str:
        if value is None:
            return HIDDEN
        if not value:
            return BLANK
        return fills[max(n for n, bound in enumerate(bounds) if bound <= value)]

    areas = []
    for code in set(values) | set(highlighted):
        value = values.get(code, 0)
        dot = geometry["dots"].get(code)
        areas.append(Area(code=code, name=_country_name(code), value=value, hidden=code in values and value is None,
                          highlight=highlighted.get(code, ""), fill=fill_of(value),
                          path="" if dot else geometry["paths"].get(code, ""), dot=tuple(dot) if dot else None))
    areas.sort(key=lambda area: (countries.sort_key(area.name), area.code))

    hatches: dict[str, Hatch] = {}
    groups: dict[tuple[str, str], list[Area]] = {}
    for area in areas:
        if area.risk and area.fill not in hatches:
            hatches[area.fill] = Hatch(id=f"chart-{key}-hatch{len(hatches)}", fill=area.fill)
        groups.setdefault((area.fill, area.highlight), []).append(area)
    outline = {"": ("#ffffff", ".6"), "risk": (INK, ".8"), "market": (INK, "2"), "risk_market": (INK, "2")}

    def paints(drawn: str) -> list[Paint]:
        found = []
        for (fill, highlight), members in sorted(groups.items(), key=lambda item: HIGHLIGHTS.index(item[0][1]) + 1
                                                 if item[0][1] else 0):
            shown = [area for area in members if getattr(area, drawn)]
            if shown:
                paint = f"url(#{hatches[fill].id})" if highlight in ("risk", "risk_market") else fill
                found.append(Paint(paint, *outline[highlight], areas=shown))
        return found

    listed = {area.code for area in areas}
    blank = "".join(d for code, d in geometry["paths"].items() if code not in listed and code not in geometry["dots"])
    tops = [value for value in values.values() if value]
    bands = [Band(label=_("none"), fill=BLANK), Band(label=fewer_than(smallest), fill=HIDDEN)]
    for n, (bound, fill) in enumerate(zip(bounds, fills, strict=True)):
        high = bounds[n + 1] - 1 if n + 1 < len(bounds) else max(tops)
        label = formats.number(bound) if high == bound else \
            f"{formats.number(bound)}{EN_DASH}{formats.number(high)}"
        bands.append(Band(label=label, fill=fill, low=bound, high=high))
    heard = sum(1 for area in areas if area.hidden or area.value)
    summary = ngettext("%(heading)s: %(n)s country.", "%(heading)s: %(n)s countries.", heard) % {
        "heading": value_heading, "n": heard}
    risky = [area for area in areas if area.risk]
    if risky:
        unheard = sum(1 for area in risky if not area.hidden and not area.value)
        summary += " " + ngettext(
            "Salient risks in %(n)s country, %(unheard)s of them with none.",
            "Salient risks in %(n)s countries, %(unheard)s of them with none.", len(risky),
        ) % {"n": len(risky), "unheard": unheard}
    return WorldMap(key=key, title=title, description=description, value_heading=value_heading,
                    groups=paints("path"), dots=paints("dot"), hatches=list(hatches.values()), blank=blank,
                    rows=areas, bands=bands, smallest=smallest, width=geometry["width"], height=geometry["height"],
                    summary=summary)


# --- schedule -----------------------------------------------------------------------------------------------

# Phases over dates (a Gantt chart): one row per phase, its span light, the part done dark, and today as a line.
SCHEDULE_LABEL = 150    # room for the phase names
SCHEDULE_PLOT = 420
SCHEDULE_END = 48       # room for the last phase's "100 %" or "done" after its bar, and the last month's name
SCHEDULE_TOP = 34       # room for the month labels and the "today" label
SCHEDULE_ROW = 30
SCHEDULE_BAR = 16
SCHEDULE_SPAN = SEQUENTIAL[0]
SCHEDULE_DONE = SEQUENTIAL[4]
SCHEDULE_TODAY = "#b8460b"  # dark orange: 4.5:1 on white for its label


@dataclass(frozen=True)
class Span:
    label: str
    start: datetime.date
    end: datetime.date
    progress: int | None       # percent done; None: not said
    done: bool
    url: str
    y: int                     # the bar's top
    x: int
    length: int
    done_x: int
    done_length: int
    name: Text
    figure: Text               # "40 %" or "done" after the bar

    @property
    def start_text(self) -> str:
        return formats.localise_digits(date_format(self.start))

    @property
    def end_text(self) -> str:
        return formats.localise_digits(date_format(self.end))


@dataclass(frozen=True)
class MonthTick:
    x: int
    label: Text


@dataclass(frozen=True)
class Schedule:
    template: ClassVar[str] = "charts/schedule.html"
    kind: ClassVar[str] = "schedule"
    key: str
    title: str
    description: str
    label_heading: str
    spans: list[Span]
    months: list[MonthTick]
    today: datetime.date | None
    today_x: int | None        # None where today is outside the chart's dates
    today_label: Text | None
    width: int
    plot_start: int
    plot_end: int
    bar_height: int = SCHEDULE_BAR
    fill: str = SCHEDULE_SPAN
    done_fill: str = SCHEDULE_DONE
    today_stroke: str = SCHEDULE_TODAY

    @property
    def height(self) -> int:
        return SCHEDULE_TOP + max(len(self.spans), 1) * SCHEDULE_ROW + 4

    @property
    def is_empty(self) -> bool:
        return not self.spans

    @property
    def today_text(self) -> str:
        return formats.localise_digits(date_format(self.today)) if self.today else ""


def _months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, day = [], datetime.date(first.year, first.month, 1)
    while day <= last:
        months.append(day)
        day = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def schedule(key: str, title: str, description: str, rows: list[dict], *, label_heading: str,
             today: datetime.date | None = None, rtl: bool | None = None) -> Schedule:
    """Spans of dates, one row each in the order given ({"label", "start", "end", "progress", "done", "url"}),
    with month ticks and a line at `today` where it falls inside; dates may be date objects or ISO strings
    (a chart stored as JSON). In a right-to-left language time runs from right to left."""
    rtl = _rtl(rtl)
    width = SCHEDULE_LABEL + SCHEDULE_PLOT + SCHEDULE_END

    def day_of(value) -> datetime.date:
        return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)

    today = day_of(today) if today else None
    parsed = [(row, day_of(row["start"]), day_of(row["end"])) for row in rows]
    first = min((start for _row, start, _end in parsed), default=today or datetime.date.today())
    last = max((end for _row, _start, end in parsed), default=first)
    last = max(last, first)
    days = (last - first).days + 1

    def offset(day: datetime.date) -> int:
        return round(SCHEDULE_PLOT * (day - first).days / days)

    def across(x: int, size: int = 0) -> int:
        """A physical x for a distance from the start of time, mirrored in a right-to-left page."""
        return width - SCHEDULE_LABEL - x - size if rtl else SCHEDULE_LABEL + x

    spans = []
    for n, (row, start, end) in enumerate(parsed):
        start, end = min(start, end), max(start, end)
        begin = offset(start)
        length = max(offset(end + datetime.timedelta(days=1)) - begin, 2)
        progress = row.get("progress")
        done = bool(row.get("done"))
        share = 100 if done else max(0, min(int(progress or 0), 100))
        done_length = round(length * share / 100)
        y = SCHEDULE_TOP + n * SCHEDULE_ROW + (SCHEDULE_ROW - SCHEDULE_BAR) // 2
        baseline = y + SCHEDULE_BAR // 2 + 5
        x = across(begin, length)
        # The part done starts where the phase starts: on the right in a right-to-left page.
        done_x = x + length - done_length if rtl else x
        figure_text_ = _("done") if done else (formats.percent(share / 100) if progress is not None else "")
        if rtl:
            name = Text(width - SCHEDULE_LABEL + 8, baseline, _short(row["label"], 22), "start")
            figure = Text(max(x - 4, 2), baseline, figure_text_, "end")
        else:
            name = Text(SCHEDULE_LABEL - 8, baseline, _short(row["label"], 22), "end")
            figure = Text(min(x + length + 4, width - 2), baseline, figure_text_, "start")
        spans.append(Span(label=row["label"], start=start, end=end, progress=progress, done=done,
                          url=row.get("url") or "", y=y, x=x, length=length, done_x=done_x,
                          done_length=done_length, name=name, figure=figure))
    months = _months_between(first, last)
    every = max(math.ceil(len(months) / 7), 1)  # at most seven labels across
    ticks = []
    for n, month in enumerate(months[::every]):
        x = across(offset(max(month, first)))
        text = formats.localise_digits(date_format(month, "M Y" if n == 0 or month.month == 1 else "M"))
        ticks.append(MonthTick(x=x, label=Text(x + (-3 if rtl else 3), 14, text, "end" if rtl else "start")))
    today_x = today_label = None
    if today and first <= today <= last:
        today_x = across(offset(today))
        today_label = Text(today_x + (-3 if rtl else 3), 28, _("Today"), "end" if rtl else "start")
    start_x, end_x = (SCHEDULE_END, width - SCHEDULE_LABEL) if rtl else (SCHEDULE_LABEL, width - SCHEDULE_END)
    return Schedule(key=_check_key(key), title=title, description=description, label_heading=label_heading,
                    spans=spans, months=ticks, today=today, today_x=today_x, today_label=today_label, width=width,
                    plot_start=start_x, plot_end=end_x)


# --- scatter ------------------------------------------------------------------------------------------------

SCATTER_WIDTH = 480
SCATTER_HEIGHT = 360
SCATTER_PAD = 6
SCATTER_DOT = 3          # radius of an unweighted point
SCATTER_LARGEST = 18     # radius of the heaviest weighted point; areas follow the weights


@dataclass(frozen=True)
class Dot:
    x: int
    y: int
    r: float


@dataclass(frozen=True)
class Cloud:
    """One series of points: its label and count for the legend and the table, its colour and its dots."""
    label: str
    count: int | None      # None: hidden for safety, "fewer than N" in the table
    fill: str
    hollow: bool
    dots: list[Dot]

    @property
    def hidden(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Scatter:
    template: ClassVar[str] = "charts/scatter.html"
    kind: ClassVar[str] = "scatter"
    key: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    series: list[Cloud]
    smallest: int
    width: int = SCATTER_WIDTH
    height: int = SCATTER_HEIGHT

    @property
    def hidden_text(self) -> str:
        return fewer_than(self.smallest)

    @property
    def is_empty(self) -> bool:
        return not any(cloud.dots for cloud in self.series)


def scatter(key: str, title: str, description: str, series: list[dict], *, label_heading: str, value_heading: str,
            smallest: int = SMALLEST, rtl: bool | None = None) -> Scatter:
    """Points in a plane, one colour per series: {"label", "count" (int, or None where hidden), "points": [[x, y]
    or [x, y, weight]], "muted" (drawn in the neutral grey of hidden things), "hollow" (outlined only)}.

    Both axes get the same unit, so distances read true; a weighted point's area follows its weight (a cluster
    sized by its members). The axes carry no direction, so nothing is mirrored right to left. The table lists
    each series with its count: the points themselves are a picture, not figures.
    """
    points = [point for item in series for point in item.get("points", [])]
    weighted = any(len(point) > 2 for point in points)
    heaviest = max((float(point[2]) for point in points if len(point) > 2), default=1.0) or 1.0
    room = SCATTER_PAD + (SCATTER_LARGEST if weighted else SCATTER_DOT)
    xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
    span = max(max(xs, default=0) - min(xs, default=0), max(ys, default=0) - min(ys, default=0)) or 1.0
    scale = min((SCATTER_WIDTH - 2 * room) / span, (SCATTER_HEIGHT - 2 * room) / span)
    mid_x = (max(xs, default=0) + min(xs, default=0)) / 2
    mid_y = (max(ys, default=0) + min(ys, default=0)) / 2

    def dot(point) -> Dot:
        radius = SCATTER_DOT
        if weighted:
            weight = float(point[2]) if len(point) > 2 else 1.0
            radius = round(max(SCATTER_LARGEST * math.sqrt(max(weight, 0) / heaviest), 2.0), 1)
        # SVG's y grows downwards; the plane's upwards.
        return Dot(x=round(SCATTER_WIDTH / 2 + (float(point[0]) - mid_x) * scale),
                   y=round(SCATTER_HEIGHT / 2 - (float(point[1]) - mid_y) * scale), r=radius)

    clouds, colour = [], 0
    for item in series:
        if item.get("muted"):
            fill = HIDDEN
        else:
            fill, colour = CATEGORICAL[colour % len(CATEGORICAL)], colour + 1
        # Heaviest first, so small points are drawn on top of large ones and stay visible.
        ordered = sorted(item.get("points", []), key=lambda p: -float(p[2]) if len(p) > 2 else 0.0)
        clouds.append(Cloud(label=item["label"], count=item.get("count"), fill=fill, hollow=bool(item.get("hollow")),
                            dots=[dot(point) for point in ordered]))
    return Scatter(key=_check_key(key), title=title, description=description, label_heading=label_heading,
                   value_heading=value_heading, series=clouds, smallest=smallest)


# --- from stored data ---------------------------------------------------------------------------------------

KINDS = ("funnel", "bars", "timeline", "lines", "sparkline", "world_map", "schedule", "scatter")
Chart = Funnel | Bars | Timeline | Lines | WorldMap | Schedule | Scatter


# Kinds an app draws itself (the risk register's heat map): kind -> build(key, title, description, data, rtl=...),
# returning an object with a `template`. Apps add theirs in AppConfig.ready().
OWN_KINDS: dict[str, Any] = {}


def register_kind(kind: str, build) -> None:
    OWN_KINDS[kind] = build


def from_data(kind: str, key: str, title: str, description: str, data: dict, *,
              rtl: bool | None = None) -> Chart:
    """Lay out a chart stored as plain JSON: data holds the chosen kind's arguments after description."""
    if kind in OWN_KINDS:
        return OWN_KINDS[kind](key, title, description, data, rtl=rtl)
    if kind not in KINDS:
        raise ValueError(f"Unknown chart kind {kind!r}; expected one of {', '.join(KINDS)}")
    arguments = dict(data)
    if kind == "funnel":
        return funnel(key, title, description, arguments.pop("steps"), rtl=rtl, **arguments)
    if kind == "bars":
        return bars(key, title, description, arguments.pop("rows"), rtl=rtl, **arguments)
    if kind == "timeline":
        return timeline(key, title, description, arguments.pop("periods"), arguments.pop("series"), rtl=rtl,
                        **arguments)
    if kind == "lines":
        return lines(key, title, description, arguments.pop("periods"), arguments.pop("series"), rtl=rtl,
                     **arguments)
    if kind == "sparkline":
        return sparkline(key, title, description, arguments.pop("periods"), arguments.pop("values"), rtl=rtl,
                         **arguments)
    if kind == "schedule":
        return schedule(key, title, description, arguments.pop("rows"), rtl=rtl, **arguments)
    if kind == "scatter":
        return scatter(key, title, description, arguments.pop("series"), rtl=rtl, **arguments)
    return world_map(key, title, description, arguments.pop("values"), rtl=rtl, **arguments)


def render(spec: dict, *, rtl: bool | None = None) -> Chart:
    """Lay out {"kind", "key", "title", "description", "data"} as stored in a snapshot."""
    return from_data(spec["kind"], spec["key"], spec["title"], spec.get("description", ""), spec["data"], rtl=rtl)
