"""The product's charts, laid out in Python for server-rendered SVG, each with the same numbers as a table.

Four kinds: a funnel, horizontal bars, stacked columns over time, and a world map. The templates under
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

import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, ClassVar

from django.utils.translation import get_language_bidi, ngettext
from django.utils.translation import gettext as _

from . import countries

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
    return _("fewer than %(n)s") % {"n": smallest}


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
        number = fewer_than(smallest) if value is None else str(value)
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
             value_heading: str, smallest: int = SMALLEST, rtl: bool | None = None) -> Timeline:
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
            label = Text(width - TIME_AXIS + 6, y_of(value) + 4, str(value), "start")
        else:
            label = Text(TIME_AXIS - 6, y_of(value) + 4, str(value), "end")
        ticks.append(Tick(value=value, y=y_of(value), label=label))
    start, end = (TIME_END, width - TIME_AXIS) if rtl else (TIME_AXIS, width - TIME_END)
    return Timeline(key=_check_key(key), title=title, description=description, value_heading=value_heading,
                    series=legend, columns=columns, ticks=ticks, smallest=smallest, width=width,
                    plot_start=start, plot_end=end)


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
        label = str(bound) if high == bound else f"{bound}{EN_DASH}{high}"
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


# --- from stored data ---------------------------------------------------------------------------------------

KINDS = ("funnel", "bars", "timeline", "world_map")
Chart = Funnel | Bars | Timeline | WorldMap


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
    return world_map(key, title, description, arguments.pop("values"), rtl=rtl, **arguments)


def render(spec: dict, *, rtl: bool | None = None) -> Chart:
    """Lay out {"kind", "key", "title", "description", "data"} as stored in a snapshot."""
    return from_data(spec["kind"], spec["key"], spec["title"], spec.get("description", ""), spec["data"], rtl=rtl)
