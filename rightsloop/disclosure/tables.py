"""The one door every public figure leaves through: `published(table, organisation, start, end)`.

An app registers a `core.registry.PublicTable`; its `rows` counts. `published` checks every row (the table's
dimensions and measure and nothing else, codes as non-empty text, counts whole numbers of at least 0, each
combination once), hides the small counts (suppression.py) and returns a `PublishedTable`: the cells, each an int
or a `suppression.Hidden`, with their codes and labels in the active language, and its JSON and CSV forms. The
public report (O2) and the open data (O3) call nothing else, so no count of 1 to 4 can reach either.

How a table is suppressed, and what its readers are assumed to know:

- a table with a ``quarter`` dimension is suppressed quarter by quarter, each quarter as a one-way breakdown with
  its total (``suppress_counts``). A quarter's cells then depend on that quarter's counts alone, so the same
  quarter published again (in the open data every day, in a yearly report) hides the same cells: two publications
  that chose different complements could be subtracted from each other (suppression.py, "Known limits"). This
  holds for ranges made of whole quarters, as a report's period and a release are;
- any other two-dimensional table is suppressed whole with its row, column and grand totals (``suppress_table``),
  a one-dimensional one with its total;
- a table whose counts do not add up (`PublicTable.additive` false: an engagement counted under each of its
  phases, the loop's nested stages) has no total a reader could use: only its counts of 1 to 4 are hidden.

The totals the suppression assumed public are on the result (`totals`) for a page that wants to show them; the
open data publishes the cells only. A cell missing from `rows` is zero and is not listed.
"""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from rightsloop.core.registry import PublicTable

from .suppression import DEFAULT_THRESHOLD, Hidden, Shown, suppress_counts, suppress_table

QUARTER = "quarter"
# The code of the dimension a total row sums over.
TOTAL = ""
# A label a spreadsheet would run as a formula is written with a leading apostrophe in CSV (as risks/transfer.py).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


class TableError(ValueError):
    """A registered table returned rows that do not fit its declaration: a bug in that app, published nowhere."""


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    description: str


@dataclass(frozen=True)
class Row:
    """One published count: its codes (one per dimension; TOTAL in a total row for the dimension summed over),
    their labels in the active language, and the value, an int or a suppression.Hidden."""

    codes: tuple[str, ...]
    labels: tuple[str, ...]
    value: Shown

    @property
    def hidden(self) -> bool:
        return isinstance(self.value, Hidden)

    @property
    def number(self) -> int | None:
        return None if isinstance(self.value, Hidden) else self.value

    @property
    def note(self) -> str:
        """ "fewer than 5" or "not shown" for a hidden count, empty otherwise."""
        return self.value.display() if isinstance(self.value, Hidden) else ""


@dataclass(frozen=True)
class PublishedTable:
    """A table ready to publish. `rows` are the cells, sorted by their codes; `totals` the sums the suppression
    assumed public (per quarter, per row and column, or overall; none for a table that does not add up)."""

    key: str
    title: str
    description: str
    section: str
    dimensions: tuple[Field, ...]
    measure: Field
    start: datetime.date
    end: datetime.date
    rows: tuple[Row, ...]
    totals: tuple[Row, ...]
    additive: bool
    threshold: int = DEFAULT_THRESHOLD

    @property
    def note_field(self) -> str:
        return f"{self.measure.name}_note"

    @property
    def field_names(self) -> list[str]:
        """The columns of the CSV and the keys of each JSON record, in order."""
        names = []
        for dimension in self.dimensions:
            names += [dimension.name, f"{dimension.name}_label"]
        return [*names, self.measure.name, self.note_field]

    def record(self, row: Row) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for dimension, code, label in zip(self.dimensions, row.codes, row.labels, strict=True):
            found[dimension.name] = code
            found[f"{dimension.name}_label"] = label
        found[self.measure.name] = row.number
        found[self.note_field] = row.note
        return found

    def records(self) -> list[dict[str, Any]]:
        """The rows as the open data's JSON file holds them: one object per cell, a hidden count null beside its
        note."""
        return [self.record(row) for row in self.rows]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(self.field_names)
        for record in self.records():
            writer.writerow(["" if value is None else _guard(value) for value in record.values()])
        return out.getvalue()

    def to_json(self) -> dict[str, Any]:
        """Everything about the table in plain JSON, for the public report and the API: each row and total with
        its codes, labels, value (null when hidden), note and a `hidden` flag."""
        return {
            "key": self.key, "title": self.title, "description": self.description, "section": self.section,
            "starts_on": self.start.isoformat(), "ends_before": self.end.isoformat(),
            "threshold": self.threshold, "additive": self.additive,
            "dimensions": [vars(dimension) for dimension in self.dimensions], "measure": vars(self.measure),
            "rows": [{**self.record(row), "hidden": row.hidden} for row in self.rows],
            "totals": [{**self.record(row), "hidden": row.hidden} for row in self.totals],
        }

    def stored(self) -> dict[str, Any]:
        """The table without its words, for a release (disclosure.models.OpenDataRelease): it is labelled again in
        the reader's language when served (`restored`). Only published values are kept: never a hidden count."""
        return {"starts_on": self.start.isoformat(), "ends_before": self.end.isoformat(),
                "threshold": self.threshold,
                "rows": [_stored(row) for row in self.rows], "totals": [_stored(row) for row in self.totals]}

    @classmethod
    def restored(cls, table: PublicTable, data: dict[str, Any]) -> PublishedTable:
        """A stored table (`stored()`), labelled in the active language."""
        labels = _Labels(table)

        def row(item: dict[str, Any]) -> Row:
            codes = tuple(item["codes"])
            value: Shown = Hidden(item.get("below")) if item["value"] is None else int(item["value"])
            return Row(codes=codes, labels=labels.of(codes), value=value)

        return cls(**_heading(table), start=datetime.date.fromisoformat(data["starts_on"]),
                   end=datetime.date.fromisoformat(data["ends_before"]), threshold=data["threshold"],
                   rows=tuple(row(item) for item in data["rows"]), totals=tuple(row(item) for item in data["totals"]))


def published(table: PublicTable, organisation, start: datetime.date, end: datetime.date, *,
              threshold: int = DEFAULT_THRESHOLD, labelled: bool = True) -> PublishedTable:
    """The table's counts for [start, end), checked, with small counts hidden and labels in the active language
    (with labelled=False the codes stand in for them: for a release, which stores codes only)."""
    counts = _checked(table, table.rows(organisation, start, end))
    cells, totals = _suppressed(table, counts, threshold)
    labels = _Labels(table if labelled else None)
    return PublishedTable(
        **_heading(table), start=start, end=end, threshold=threshold,
        rows=tuple(Row(codes=codes, labels=labels.of(codes), value=cells[codes]) for codes in sorted(cells)),
        totals=tuple(Row(codes=codes, labels=labels.of(codes), value=totals[codes]) for codes in sorted(totals)),
    )


def _heading(table: PublicTable) -> dict[str, Any]:
    return {"key": table.key, "title": str(table.title), "description": str(table.description),
            "section": table.section, "additive": table.additive,
            "dimensions": tuple(Field(name, str(title), str(description))
                                for name, title, description in table.dimensions),
            "measure": Field(table.measure[0], str(table.measure[1]), str(table.measure[2]))}


def _stored(row: Row) -> dict[str, Any]:
    if isinstance(row.value, Hidden):
        return {"codes": list(row.codes), "value": None, "below": row.value.below}
    return {"codes": list(row.codes), "value": row.value}


def _guard(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Labels:
    """Each code's label, asked of the table once per code."""

    def __init__(self, table: PublicTable | None):
        self.table = table
        self.names = [name for name, _title, _description in table.dimensions] if table else []
        self.known: dict[tuple[str, str], str] = {}

    def of(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        if self.table is None:
            return codes
        return tuple(self._one(name, code) for name, code in zip(self.names, codes, strict=True))

    def _one(self, name: str, code: str) -> str:
        if code == TOTAL:
            return _("All")
        if (name, code) not in self.known:
            self.known[(name, code)] = str(self.table.label(name, code))
        return self.known[(name, code)]


def _checked(table: PublicTable, rows: list[dict]) -> dict[tuple[str, ...], int]:
    names = [name for name, _title, _description in table.dimensions]
    if not 1 <= len(names) <= 2:
        raise TableError(f"{table.key}: a public table has one or two dimensions, not {len(names)}")
    measure = table.measure[0]
    expected = {*names, measure}
    counts: dict[tuple[str, ...], int] = {}
    for row in rows:
        if set(row) != expected:
            raise TableError(f"{table.key}: a row has the fields {sorted(row)}, not {sorted(expected)}")
        codes = tuple(row[name] for name in names)
        if any(not isinstance(code, str) or not code or code != code.strip() for code in codes):
            raise TableError(f"{table.key}: codes are non-empty text without surrounding spaces, not {codes!r}")
        value = row[measure]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise TableError(f"{table.key}: counts are whole numbers of at least 0, not {value!r} at {codes!r}")
        if codes in counts:
            raise TableError(f"{table.key}: {codes!r} comes twice")
        counts[codes] = value
    return counts


def _suppressed(table: PublicTable, counts: dict[tuple[str, ...], int], threshold: int
                ) -> tuple[dict[tuple[str, ...], Shown], dict[tuple[str, ...], Shown]]:
    """(cells, totals) with the small counts and their complements hidden."""
    names = [name for name, _title, _description in table.dimensions]
    if not counts:
        return {}, {}
    if not table.additive:
        keys = {str(n): codes for n, codes in enumerate(sorted(counts))}
        alone = suppress_counts({key: counts[codes] for key, codes in keys.items()}, threshold=threshold,
                                total_published=False)
        return {codes: alone.cells[key] for key, codes in keys.items()}, {}
    if len(names) == 1:
        result = suppress_counts({codes[0]: n for codes, n in counts.items()}, threshold=threshold)
        return {(code,): value for code, value in result.cells.items()}, {(TOTAL,): result.total}
    if QUARTER in names:
        at = names.index(QUARTER)
        other = 1 - at
        cells, totals = {}, {}
        for quarter in sorted({codes[at] for codes in counts}):
            line = {codes[other]: n for codes, n in counts.items() if codes[at] == quarter}
            result = suppress_counts(line, threshold=threshold)
            for code, value in result.cells.items():
                cells[_place(at, quarter, code)] = value
            totals[_place(at, quarter, TOTAL)] = result.total
        return cells, totals
    result = suppress_table(dict(counts), threshold=threshold, rows=sorted({codes[0] for codes in counts}),
                            columns=sorted({codes[1] for codes in counts}))
    totals = {(row, TOTAL): value for row, value in result.row_totals.items()}
    totals.update({(TOTAL, column): value for column, value in result.column_totals.items()})
    totals[(TOTAL, TOTAL)] = result.grand_total
    return {codes: result.cells[codes] for codes in counts}, totals


def _place(at: int, quarter: str, code: str) -> tuple[str, str]:
    return (quarter, code) if at == 0 else (code, quarter)
