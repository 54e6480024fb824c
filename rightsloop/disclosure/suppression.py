"""Small counts in public figures: which ones to hide, and what to print in their place.

The public report and the open data break counts down (by region, kind, language, quarter...). A count of 1 to
``threshold - 1`` (default: 1 to 4) can point at a person, so it is never published; it reads "fewer than 5".

**Zero is shown.** A zero says that nobody is in a group, which exposes no one, and hiding every zero would blank
most breakdowns of a small organisation. Zeros are never hidden, not even to protect another count. The price is
that readers know every hidden count is at least 1 (a zero would have been shown); the audit below counts that
knowledge in.

**Totals are counts too.** A row total or grand total of 1..4 is hidden like any cell (a region's total is the
one-way breakdown by region).

**What readers are assumed to know.** This code is public, so we assume the reader knows these rules and sees:
every published number; every sum the report publishes (the total of a breakdown; in a table the row totals,
column totals and grand total); and each hidden entry's label. A hidden count of 1..threshold-1 is labelled
"fewer than 5" (``Hidden(below=5)``); anything else we hide to protect it (complementary suppression, or a total)
is labelled "not shown" (``Hidden(below=None)``), and since every count of 1..4 is already labelled, a reader
knows such an entry is at least 5.

**What must hold** for every hidden entry (checked exactly, not assumed):

1. Using the labels (a "fewer than 5" entry lies in 1..4, a "not shown" one is at least 5), the published numbers
   and sums still allow at least two values for it: it is never pinned to one number.
2. Using only the published numbers, sums and non-negativity (no labels), a small entry cannot be shown to lie in
   1..threshold-1: its possible range reaches 0 or the threshold.
3. On every line (a breakdown with its total, a row, a column, the row of column totals, the column of row
   totals) holding a hidden entry, at least two are hidden; and when the line's total is published, its hidden
   entries add up to at least the threshold, since their sum can be worked out and is itself a count.

**Algorithm** (deterministic; ties go to the smaller count, then the smaller key, keys sorted, so the order of
the input mapping never matters):

1. Hide every count (cell or total) of 1..threshold-1 (primary suppression).
2. Check the lines in a fixed order. On a line breaking rule 3, hide its smallest published non-zero cell; if none
   is left, hide the line's total. Repeat until every line is fine (the classic heuristic).
3. Audit every hidden entry against rules 1 and 2 with its exact range of possible values: a closed form for a
   one-way breakdown (boxes and one sum); for a table, a maximum flow over the table extended with its totals (each
   entry sits on exactly one row line and one column line, so moving hidden values while keeping every published
   sum is a circulation in the bipartite graph of lines; how far an entry can move up or down is a max flow). For the
   first entry that fails, hide the smallest published non-zero cell on its lines, else one of their totals, else
   one on the other lines its hidden neighbours reach; go back to step 2.
4. If everything reachable is hidden and rule 1 still fails, the labels themselves give the count away (four
   "fewer than 5" cells in a row whose total is "fewer than 5" must each be 1). Then start again with one label
   for every hidden entry ("not shown", ``labelled`` false on the result): readers then only know hidden counts are
   at least 1, and hiding everything reachable always satisfies all three rules, so this ends.

Each step hides one more entry, so the loop ends.

**Known limits.**

* It is the standard greedy heuristic with an exact audit, not an optimal solver: it may hide more than the
  fewest cells possible (the complement is the smallest cell, not the one that loses least information).
* Rule 1 only guarantees two possible values: a "fewer than 5" cell may be narrowed to, say, 3 or 4. Statistical
  offices often demand a wider protection interval; we do not.
* Rule 3 covers the sums on single lines. A sum that only follows from combining several lines (the hidden cells
  of one block of a table, say) is protected cell by cell through rules 1 and 2 but not itself held to the
  threshold.
* Cost: a few small max flows per hidden entry (an entry that passed is not audited again, since hiding more only
  widens the ranges). A 200 x 4 table full of small counts takes under a second; this is for report tables, not
  for large data cubes.
* The reader is assumed to reason with the published sums and the labels, not to re-run this algorithm on
  candidate tables to see which ones would have produced this exact pattern of hidden cells.
* The tables this protects are the ones passed in. Two publications of overlapping figures (this quarter and the
  year to date, or the same counts broken down two ways) can be subtracted from each other; callers must publish
  each count in one breakdown only, or suppress them together.
* The threshold must be at least 3: with 2, "fewer than 2" means exactly 1.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeAlias

from django.utils.formats import number_format
from django.utils.translation import gettext

DEFAULT_THRESHOLD = 5
SMALLEST_THRESHOLD = 3
INF = math.inf


@dataclass(frozen=True)
class Hidden:
    """A count that is not published. ``below`` is the threshold when the count is known to be small (it reads
    "fewer than 5"), None when it was hidden only to protect another count (it reads "not shown")."""

    below: int | None = None

    def display(self) -> str:
        if self.below is None:
            return gettext("not shown")
        return gettext("fewer than %(n)s") % {"n": self.below}

    def as_json(self) -> dict[str, object]:
        return {"value": None, "suppressed": True, "below": self.below}

    def __str__(self) -> str:
        return self.display()


Shown: TypeAlias = int | Hidden


def display(value: Shown) -> str:
    """The text for a published number or a hidden one, in the active language."""
    return value.display() if isinstance(value, Hidden) else number_format(value)


def as_json(value: Shown) -> dict[str, object]:
    """The open-data form of a published number or a hidden one: the same three keys either way."""
    if isinstance(value, Hidden):
        return value.as_json()
    return {"value": value, "suppressed": False, "below": None}


@dataclass(frozen=True)
class Suppressed:
    """A one-way breakdown ready to publish. ``total`` is None when the breakdown is published without one."""

    threshold: int
    cells: dict[str, Shown]
    total: Shown | None
    labelled: bool = True  # False: the fallback where every hidden entry reads "not shown"

    @property
    def hidden(self) -> tuple[str, ...]:
        return tuple(key for key, value in self.cells.items() if isinstance(value, Hidden))

    def display(self) -> dict[str, str]:
        return {key: display(value) for key, value in self.cells.items()}

    def as_json(self) -> dict[str, object]:
        return {"threshold": self.threshold, "cells": {key: as_json(value) for key, value in self.cells.items()},
                "total": None if self.total is None else as_json(self.total)}


@dataclass(frozen=True)
class SuppressedTable:
    """A two-way table ready to publish, with its row totals, column totals and grand total."""

    threshold: int
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: dict[tuple[str, str], Shown]
    row_totals: dict[str, Shown]
    column_totals: dict[str, Shown]
    grand_total: Shown
    labelled: bool = True

    def cell(self, row: str, column: str) -> Shown:
        return self.cells[(row, column)]

    @property
    def hidden(self) -> tuple[tuple[str, str], ...]:
        return tuple(key for key, value in self.cells.items() if isinstance(value, Hidden))

    def as_json(self) -> dict[str, object]:
        return {
            "threshold": self.threshold,
            "rows": list(self.rows),
            "columns": list(self.columns),
            "cells": {row: {column: as_json(self.cells[(row, column)]) for column in self.columns}
                      for row in self.rows},
            "row_totals": {row: as_json(self.row_totals[row]) for row in self.rows},
            "column_totals": {column: as_json(self.column_totals[column]) for column in self.columns},
            "grand_total": as_json(self.grand_total),
        }


def suppress_counts(counts: Mapping[str, int], *, threshold: int = DEFAULT_THRESHOLD,
                    total_published: bool = True) -> Suppressed:
    """Hide the small counts of a one-way breakdown, and whatever else stops them being worked out from its total.

    Without a published total nothing can be subtracted, so only the small counts themselves are hidden."""
    _check_threshold(threshold)
    labels = sorted(counts)
    position = {label: n for n, label in enumerate(labels)}
    values: dict[Hashable, int] = {n: _count(counts[label], label) for n, label in enumerate(labels)}
    total = sum(values.values())
    lines: list[_Line] = []
    if total_published:
        values[len(labels)] = total
        lines.append(_Line(tuple(range(len(labels))), len(labels)))
    hidden, primary, labelled = _Problem(values, lines, threshold, _movement_on_one_line).solve()

    def shown(key: Hashable) -> Shown:
        return _shown(values[key], key in hidden, key in primary, labelled, threshold)

    return Suppressed(
        threshold=threshold,
        cells={label: shown(position[label]) for label in counts},
        total=shown(len(labels)) if total_published else None,
        labelled=labelled,
    )


def suppress_table(table: Mapping[tuple[str, str], int], *, threshold: int = DEFAULT_THRESHOLD,
                   rows: Sequence[str] | None = None, columns: Sequence[str] | None = None) -> SuppressedTable:
    """Hide the small counts of a rows by columns table published with its row, column and grand totals, and
    whatever else stops them being worked out. Missing cells are zero. ``rows`` and ``columns`` give the order
    to publish in and may name groups with no count at all; by default they appear in the table's order."""
    _check_threshold(threshold)
    rows = tuple(dict.fromkeys(rows if rows is not None else (row for row, _ in table)))
    columns = tuple(dict.fromkeys(columns if columns is not None else (column for _, column in table)))
    unknown = [key for key in table if key[0] not in rows or key[1] not in columns]
    if unknown:
        raise ValueError(f"cells outside the rows and columns given: {unknown[:3]}")
    row_labels, column_labels = sorted(rows), sorted(columns)
    n_rows, n_columns = len(row_labels), len(column_labels)
    grid = [[_count(table.get((row, column), 0), (row, column)) for column in column_labels] for row in row_labels]
    # The table extended with its totals: row index n_rows is the row of column totals, column index n_columns
    # the column of row totals, (n_rows, n_columns) the grand total.
    values: dict[Hashable, int] = {}
    for i in range(n_rows + 1):
        for j in range(n_columns + 1):
            if i < n_rows and j < n_columns:
                values[(i, j)] = grid[i][j]
            elif i < n_rows:
                values[(i, j)] = sum(grid[i])
            elif j < n_columns:
                values[(i, j)] = sum(grid[r][j] for r in range(n_rows))
            else:
                values[(i, j)] = sum(map(sum, grid))
    lines = [_Line(tuple((i, j) for j in range(n_columns)), (i, n_columns)) for i in range(n_rows + 1)]
    lines += [_Line(tuple((i, j) for i in range(n_rows)), (n_rows, j)) for j in range(n_columns + 1)]
    problem = _Problem(values, lines, threshold, _table_movement(n_rows, n_columns))
    hidden, primary, labelled = problem.solve()

    def shown(i: int, j: int) -> Shown:
        return _shown(values[(i, j)], (i, j) in hidden, (i, j) in primary, labelled, threshold)

    r_index = {label: i for i, label in enumerate(row_labels)}
    c_index = {label: j for j, label in enumerate(column_labels)}
    return SuppressedTable(
        threshold=threshold,
        rows=rows,
        columns=columns,
        cells={(row, column): shown(r_index[row], c_index[column]) for row in rows for column in columns},
        row_totals={row: shown(r_index[row], n_columns) for row in rows},
        column_totals={column: shown(n_rows, c_index[column]) for column in columns},
        grand_total=shown(n_rows, n_columns),
        labelled=labelled,
    )


def _check_threshold(threshold: int) -> None:
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < SMALLEST_THRESHOLD:
        raise ValueError(f"the threshold must be a whole number of at least {SMALLEST_THRESHOLD}: with 2, "
                         "“fewer than 2” would mean exactly 1")


def _count(value: object, where: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"counts are whole numbers of at least 0, not {value!r} (at {where!r})")
    return value


def _shown(value: int, hidden: bool, primary: bool, labelled: bool, threshold: int) -> Shown:
    if not hidden:
        return value
    return Hidden(threshold if labelled and primary else None)


@dataclass(frozen=True)
class _Line:
    """Published as: sum of the summands = total."""

    summands: tuple[Hashable, ...]
    total: Hashable


Bounds: TypeAlias = dict[Hashable, tuple[float, float]]
# (problem, hidden, bounds, key, need_down, need_up) -> how far the key can move down and up, each capped at need.
Movement: TypeAlias = Callable[["_Problem", set, Bounds, Hashable, int, int], tuple[float, float]]
_BLOCKED = object()


class _Problem:
    """Counts tied by published sums (lines); finds the entries to hide. ``values`` come in tie-break order."""

    def __init__(self, values: dict[Hashable, int], lines: Sequence[_Line], threshold: int,
                 movement: Movement) -> None:
        self.values = values
        self.lines = lines
        self.threshold = threshold
        self.rank = {key: n for n, key in enumerate(values)}
        self.lines_of: dict[Hashable, list[_Line]] = {key: [] for key in values}
        for line in lines:
            for key in (*line.summands, line.total):
                self.lines_of[key].append(line)
        self.movement = movement

    def solve(self) -> tuple[frozenset, frozenset, bool]:
        """(hidden entries, the small ones among them, whether the "fewer than" labels could be kept)."""
        primary = frozenset(key for key, value in self.values.items() if 0 < value < self.threshold)
        for labelled in (True, False):
            hidden = self._hide(primary, labelled)
            if hidden is not None:
                return frozenset(hidden), primary, labelled
        raise AssertionError("hiding every count a hidden one is tied to always protects it")

    def _hide(self, primary: frozenset, labelled: bool) -> set | None:
        hidden = set(primary)
        # Hiding one more entry only widens what the others could be, so an entry that passed the audit stays safe.
        safe: set = set()
        while True:
            more = self._line_repair(hidden)
            if more is None:
                exposed = self._first_exposed(hidden, primary, labelled, safe)
                if exposed is None:
                    return hidden
                more = self._repair_around(exposed, hidden)
            if more is None or more is _BLOCKED:
                return None
            hidden.add(more)

    def _line_repair(self, hidden: set) -> Hashable | None:
        """The entry to hide next for the first line breaking rule 3; None when every line keeps it."""
        for line in self.lines:
            inside = [key for key in line.summands if key in hidden]
            count = len(inside) + (line.total in hidden)
            if not count:
                continue
            if count >= 2 and (line.total in hidden
                               or sum(self.values[key] for key in inside) >= self.threshold):
                continue
            choice = self._candidate([line], hidden)
            return _BLOCKED if choice is None else choice
        return None

    def _candidate(self, lines: Sequence[_Line], hidden: set) -> Hashable | None:
        """The smallest published non-zero summand on these lines, else the smallest published total."""
        for keys in ([key for line in lines for key in line.summands], [line.total for line in lines]):
            found = [key for key in keys if key not in hidden and self.values[key] > 0]
            if found:
                return min(found, key=lambda key: (self.values[key], self.rank[key]))
        return None

    def _repair_around(self, key: Hashable, hidden: set) -> Hashable | None:
        choice = self._candidate(self.lines_of[key], hidden)
        if choice is not None:
            return choice
        # Every entry on its own lines is hidden: look along the lines its hidden neighbours sit on. Entries
        # elsewhere share no line with it, so hiding them could not change what can be worked out about it.
        seen: list[_Line] = []
        queue = deque(self.lines_of[key])
        while queue:
            line = queue.popleft()
            if line in seen:
                continue
            seen.append(line)
            for other in (*line.summands, line.total):
                if other in hidden:
                    queue.extend(self.lines_of[other])
        return self._candidate(seen, hidden)

    def _first_exposed(self, hidden: set, primary: frozenset, labelled: bool, safe: set) -> Hashable | None:
        """The first hidden entry breaking rule 1 or rule 2, in tie-break order; those found safe join ``safe``."""
        t = self.threshold
        if labelled:
            known: Bounds = {key: (1, t - 1) if key in primary else (t, INF) for key in hidden}
        else:
            known = dict.fromkeys(hidden, (1, INF))
        bare: Bounds = dict.fromkeys(hidden, (0, INF))
        for key in sorted(hidden - safe, key=self.rank.__getitem__):
            down, up = self.movement(self, hidden, known, key, 1, 1)
            if not down and not up:
                return key
            value = self.values[key]
            if key in primary:
                down, up = self.movement(self, hidden, bare, key, value, t - value)
                if down < value and up < t - value:
                    return key
            safe.add(key)
        return None


def _movement_on_one_line(problem: _Problem, hidden: set, bounds: Bounds, key: Hashable, need_down: int,
                          need_up: int) -> tuple[float, float]:
    """Exact range of one entry of a breakdown: every hidden entry within its bounds, and the published total
    (or the hidden total within its bounds) equal to the sum."""
    value = problem.values[key]
    low, high = bounds[key]
    for line in problem.lines_of[key]:  # none (no total published) or one
        published = sum(problem.values[k] for k in line.summands if k not in hidden)
        inside = [k for k in line.summands if k in hidden and k != key]
        if key == line.total:
            low = max(low, published + sum(bounds[k][0] for k in inside))
            high = min(high, published + sum(bounds[k][1] for k in inside))
            continue
        if line.total in hidden:
            sum_low, sum_high = (bound - published for bound in bounds[line.total])
        else:
            sum_low = sum_high = problem.values[line.total] - published
        low = max(low, sum_low - sum(bounds[k][1] for k in inside))
        high = min(high, sum_high - sum(bounds[k][0] for k in inside))
    return min(value - low, need_down), min(high - value, need_up)


def _table_movement(n_rows: int, n_columns: int) -> Movement:
    """Exact range of one entry of the extended table, as two maximum flows.

    Give each entry a sign: -1 for a row or column total, +1 for a cell and the grand total. Then every line (row or
    column of the extended table) says that its signed entries add up to 0, so a change to the hidden entries that
    keeps every published sum is a circulation on the bipartite graph whose nodes are the lines and whose edges are
    the hidden entries (row line -> column line, the signed change as flow). An entry can rise by as much flow as can
    return around the rest of the graph, each other entry staying within its bounds."""

    def sign(key: tuple[int, int]) -> int:
        return -1 if (key[0] == n_rows) != (key[1] == n_columns) else 1

    def nodes(key: tuple[int, int]) -> tuple[int, int]:
        return key[0], n_rows + 1 + key[1]

    def movement(problem: _Problem, hidden: set, bounds: Bounds, key: Hashable, need_down: int,
                 need_up: int) -> tuple[float, float]:
        value = problem.values[key]
        low, high = bounds[key]
        up_limit, down_limit = min(high - value, need_up), min(value - low, need_down)
        graph: dict[int, dict[int, float]] = {}
        for other in hidden:
            if other == key:
                continue
            room_up, room_down = bounds[other][1] - problem.values[other], problem.values[other] - bounds[other][0]
            forward, backward = (room_up, room_down) if sign(other) > 0 else (room_down, room_up)
            row, column = nodes(other)
            graph.setdefault(row, {})[column] = forward
            graph.setdefault(column, {})[row] = backward
        row, column = nodes(key)
        # Raising a +1 entry sends flow row -> column along it, so it must come back column -> row.
        rise = (column, row) if sign(key) > 0 else (row, column)
        up = _max_flow(graph, *rise, up_limit)
        down = _max_flow(graph, rise[1], rise[0], down_limit)
        return down, up

    return movement


def _max_flow(graph: dict[int, dict[int, float]], source: int, sink: int, limit: float) -> float:
    """Edmonds-Karp, stopped once ``limit`` (finite) is reached. Leaves ``graph`` as it was."""
    if limit <= 0:
        return 0
    residual = {node: dict(arcs) for node, arcs in graph.items()}
    flow = 0
    while flow < limit:
        parent = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            node = queue.popleft()
            for nxt, capacity in residual.get(node, {}).items():
                if capacity > 0 and nxt not in parent:
                    parent[nxt] = node
                    queue.append(nxt)
        if sink not in parent:
            break
        path = []
        node = sink
        while node != source:
            path.append((parent[node], node))
            node = parent[node]
        push = min([limit - flow] + [residual[a][b] for a, b in path])
        for a, b in path:
            residual[a][b] -= push
            residual.setdefault(b, {})[a] = residual[b].get(a, 0) + push
        flow += push
    return flow
