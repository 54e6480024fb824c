"""The register's severity x likelihood heat map, laid out for a server-rendered SVG and its table twin."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from . import scales

CELL = 64
LEFT = 96   # room for the severity labels
TOP = 8
BOTTOM = 56  # room for the likelihood labels
WIDTH = LEFT + 5 * CELL + 8
HEIGHT = TOP + 5 * CELL + BOTTOM
FILLS = {"severe": ("#e39a9a", "#f7e3e3"), "serious": ("#f1cf7e", "#fbf1d6"), "mild": ("#b3d9bb", "#e7f3e9")}


def band_range(band: int) -> tuple[int, int]:
    """The lowest and highest severity (3 to 15) in a severity band."""
    severities = [s for s in range(3, 16) if scales.severity_band(s) == band]
    return severities[0], severities[-1]


@dataclass(frozen=True)
class Cell:
    band: int
    likelihood: int
    count: int
    url: str
    x: int
    y: int

    @property
    def severe(self) -> bool:
        return scales.is_severe(band_range(self.band)[0])

    @property
    def text_x(self) -> int:
        return self.x + CELL // 2

    @property
    def text_y(self) -> int:
        return self.y + CELL // 2 + 6

    @property
    def tone(self) -> str:
        return "severe" if self.severe else ("serious" if self.band == 3 else "mild")

    @property
    def fill(self) -> str:
        """Severe bands red, the middle band amber, the rest green; empty cells paler (dark text reads on all)."""
        return FILLS[self.tone][0 if self.count else 1]


@dataclass(frozen=True)
class Row:
    band: int
    low: int
    high: int
    y: int
    cells: list[Cell]

    @property
    def label_y(self) -> int:
        return self.y + CELL // 2 + 5


@dataclass(frozen=True)
class HeatMap:
    rows: list[Row]
    columns: list[tuple[int, int]]  # (likelihood, label x)
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    top: int = TOP
    grid_size: int = 5 * CELL
    cell: int = CELL

    @property
    def axis_mid(self) -> int:
        return TOP + 5 * CELL // 2

    @property
    def axis_y(self) -> int:
        return TOP + 5 * CELL + 20

    @property
    def caption_y(self) -> int:
        return TOP + 5 * CELL + 46

    @property
    def caption_x(self) -> int:
        return LEFT + 5 * CELL // 2


def layout(grid: list[list[int]], query: QueryDict, *, base_url: str = "") -> HeatMap:
    """Place queries.heat_map's counts (rows band 5 down to 1, columns likelihood 1 to 5); each cell links
    to the register filtered to it, keeping the other filters."""
    base = query.copy()
    for name in ("page", "band", "likelihood"):
        base.pop(name, None)
    rows = []
    for index, counts in enumerate(grid):
        band = 5 - index
        y = TOP + index * CELL
        cells = []
        for column, count in enumerate(counts):
            params = base.copy()
            params["band"], params["likelihood"] = str(band), str(column + 1)
            cells.append(Cell(band=band, likelihood=column + 1, count=count, url=f"{base_url}?{params.urlencode()}",
                              x=LEFT + column * CELL, y=y))
        low, high = band_range(band)
        rows.append(Row(band=band, low=low, high=high, y=y, cells=cells))
    columns = [(likelihood, LEFT + (likelihood - 1) * CELL + CELL // 2) for likelihood in scales.LEVELS]
    return HeatMap(rows=rows, columns=columns, total=sum(map(sum, grid)))


@dataclass(frozen=True)
class HeatMapChart:
    """The heat map as one of core.charts' kinds, for pages that show stored chart data (the board view)."""

    key: str
    title: str
    description: str
    map: HeatMap
    template: str = "risks/includes/heat_map_chart.html"


def chart(key: str, title: str, description: str, data: dict, *, rtl: bool | None = None) -> HeatMapChart:
    from django.urls import reverse

    return HeatMapChart(key=key, title=title, description=description,
                        map=layout(data["grid"], QueryDict(), base_url=reverse("risks:register")))
