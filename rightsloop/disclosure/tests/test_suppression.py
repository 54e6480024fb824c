"""Small-count suppression: examples, and property tests that play the reader trying to work hidden counts out.

The reader's tools are checked independently of the module: a closed form for a one-way breakdown and scipy's
linprog for tables (maximise and minimise each hidden entry under every published sum)."""

import json
import math
import random

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from rightsloop.disclosure.suppression import (
    Hidden,
    Suppressed,
    SuppressedTable,
    as_json,
    display,
    suppress_counts,
    suppress_table,
)

INF = math.inf


# --- examples -----------------------------------------------------------------------------------------------------

def test_nothing_small_nothing_hidden():
    result = suppress_counts({"a": 0, "b": 7, "c": 12})
    assert result.cells == {"a": 0, "b": 7, "c": 12}
    assert result.total == 19
    assert result.hidden == ()


def test_one_small_count_takes_the_next_smallest_with_it():
    result = suppress_counts({"north": 2, "south": 10, "east": 20})
    assert result.cells == {"north": Hidden(5), "south": Hidden(None), "east": 20}
    assert result.total == 32


def test_two_small_counts_adding_up_to_less_than_the_threshold_are_not_enough():
    result = suppress_counts({"a": 1, "b": 2, "c": 30})
    # 1 + 2 = 3 would be a small count worked out from the total.
    assert result.cells == {"a": Hidden(5), "b": Hidden(5), "c": Hidden(None)}
    assert result.total == 33


def test_two_small_counts_whose_labels_pin_them_take_a_third():
    # 4 + 4 = 8 from the total, and each is "fewer than 5": both would have to be 4.
    result = suppress_counts({"a": 4, "b": 4, "c": 100})
    assert result.hidden == ("a", "b", "c")
    assert result.total == 108


def test_the_total_is_hidden_when_nothing_else_can_protect():
    result = suppress_counts({"a": 1, "b": 5})
    assert result.cells == {"a": Hidden(5), "b": Hidden(None)}
    assert result.total == Hidden(None)


def test_a_small_total_is_itself_hidden():
    result = suppress_counts({"a": 3, "b": 0})
    assert result.cells == {"a": Hidden(5), "b": 0}
    assert result.total == Hidden(5)


def test_labels_that_would_give_counts_away_fall_back_to_not_shown():
    # Four "fewer than 5" counts under a "fewer than 5" total would each have to be 1.
    result = suppress_counts({"a": 1, "b": 1, "c": 1, "d": 1})
    assert not result.labelled
    assert set(result.cells.values()) == {Hidden(None)}
    assert result.total == Hidden(None)


def test_without_a_published_total_only_small_counts_are_hidden():
    result = suppress_counts({"a": 2, "b": 10}, total_published=False)
    assert result.cells == {"a": Hidden(5), "b": 10}
    assert result.total is None
    assert result.as_json()["total"] is None


def test_threshold_and_counts_are_checked():
    with pytest.raises(ValueError, match="at least 3"):
        suppress_counts({"a": 1}, threshold=2)
    with pytest.raises(ValueError):
        suppress_counts({"a": -1})
    with pytest.raises(ValueError):
        suppress_counts({"a": True})
    with pytest.raises(ValueError):
        suppress_table({("r", "c"): 1.5})


def test_display_and_json_forms():
    with translation.override("en"):
        assert Hidden(5).display() == "fewer than 5"
        assert str(Hidden(10)) == "fewer than 10"
        assert Hidden().display() == "not shown"
        assert display(12) == "12"
        assert display(Hidden(5)) == "fewer than 5"
    assert Hidden(5).as_json() == {"value": None, "suppressed": True, "below": 5}
    assert as_json(7) == {"value": 7, "suppressed": False, "below": None}
    result = suppress_counts({"a": 2, "b": 10, "c": 20})
    assert json.loads(json.dumps(result.as_json())) == {
        "threshold": 5,
        "cells": {"a": {"value": None, "suppressed": True, "below": 5},
                  "b": {"value": None, "suppressed": True, "below": None},
                  "c": {"value": 20, "suppressed": False, "below": None}},
        "total": {"value": 32, "suppressed": False, "below": None},
    }


def test_table_example():
    table = {("r1", "q1"): 1, ("r1", "q2"): 8, ("r2", "q1"): 9, ("r2", "q2"): 12, ("r3", "q1"): 20,
             ("r3", "q2"): 3}
    result = suppress_table(table)
    assert result.rows == ("r1", "r2", "r3") and result.columns == ("q1", "q2")
    assert result.cell("r1", "q1") == Hidden(5) and result.cell("r3", "q2") == Hidden(5)
    assert result.cell("r1", "q2") == Hidden(None) and result.cell("r3", "q1") == Hidden(None)
    assert result.cell("r2", "q1") == 9 and result.cell("r2", "q2") == 12
    assert result.row_totals == {"r1": 9, "r2": 21, "r3": 23}
    assert result.column_totals == {"q1": 30, "q2": 23}
    assert result.grand_total == 53
    data = json.loads(json.dumps(result.as_json()))
    assert data["cells"]["r1"]["q1"] == {"value": None, "suppressed": True, "below": 5}
    assert data["grand_total"]["value"] == 53


def test_table_rows_and_columns_may_be_given():
    result = suppress_table({("b", "x"): 7}, rows=["a", "b"], columns=["x", "y"])
    assert result.rows == ("a", "b") and result.columns == ("x", "y")
    assert result.cell("a", "y") == 0 and result.cell("b", "x") == 7
    assert result.row_totals == {"a": 0, "b": 7}
    with pytest.raises(ValueError, match="outside"):
        suppress_table({("c", "x"): 7}, rows=["a"], columns=["x"])


def test_a_small_row_total_is_hidden_and_its_cells_protected():
    table = {("r1", "q1"): 2, ("r1", "q2"): 0, ("r2", "q1"): 10, ("r2", "q2"): 30}
    result = suppress_table(table)
    assert result.row_totals["r1"] == Hidden(5)
    assert result.cell("r1", "q1") == Hidden(5)
    assert_protected_table(table, result)


LEAKY = {("r0", "c0"): 0, ("r0", "c1"): 4, ("r0", "c2"): 0, ("r0", "c3"): 1, ("r1", "c0"): 3, ("r1", "c1"): 5,
         ("r1", "c2"): 20, ("r1", "c3"): 8, ("r2", "c0"): 1, ("r2", "c1"): 8, ("r2", "c2"): 6, ("r2", "c3"): 0,
         ("r3", "c0"): 6, ("r3", "c1"): 0, ("r3", "c2"): 4, ("r3", "c3"): 8}


def test_the_line_rule_alone_would_let_a_cell_be_worked_out(monkeypatch):
    """Two hidden cells on every line, adding up to 5 or more, and still r1/c0 (3) follows from the totals: the
    audit is what catches it."""
    from rightsloop.disclosure import suppression

    protected = suppress_table(LEAKY)
    assert_protected_table(LEAKY, protected)
    monkeypatch.setattr(suppression._Problem, "_first_exposed", lambda self, *args: None)
    classic = suppress_table(LEAKY)
    low, high = table_intervals(classic, labels=False)[("cell", "r1", "c0")]
    assert low == high == 3


def test_a_row_of_ones_under_a_small_total_drops_the_labels():
    table = {("r1", f"q{q}"): 1 for q in range(1, 5)} | {("r2", f"q{q}"): 10 * q for q in range(1, 5)}
    result = suppress_table(table)
    assert not result.labelled
    assert result.row_totals["r1"] == Hidden(None)
    assert_protected_table(table, result)


# --- the reader's tools ---------------------------------------------------------------------------------------------

def known_bounds(value, threshold, labelled):
    """What a hidden entry's label tells: "fewer than t" is 1..t-1; "not shown" is at least t (labelled result)
    or at least 1 (the fallback: zero is always shown)."""
    if value.below is not None:
        return 1, value.below - 1
    return (threshold, INF) if labelled else (1, INF)


def line_interval(bounds, hidden_key, sum_low, sum_high):
    """Exact range of one of the boxed unknowns whose sum lies in [sum_low, sum_high]."""
    low, high = bounds[hidden_key]
    others = [b for key, b in bounds.items() if key != hidden_key]
    return (max(low, sum_low - sum(b[1] for b in others)), min(high, sum_high - sum(b[0] for b in others)))


def one_way_intervals(result: Suppressed, *, labels: bool):
    """{key: (low, high)} for every hidden cell (and "__total__" if hidden) as the reader can narrow them."""
    t = result.threshold
    unknown = {key: value for key, value in result.cells.items() if isinstance(value, Hidden)}
    bounds = {key: known_bounds(value, t, result.labelled) if labels else (0, INF) for key, value in unknown.items()}
    if result.total is None:
        return dict(bounds)
    published = sum(v for v in result.cells.values() if not isinstance(v, Hidden))
    if isinstance(result.total, Hidden):
        total_low, total_high = known_bounds(result.total, t, result.labelled) if labels else (0, INF)
        intervals = {key: line_interval(bounds, key, total_low - published, total_high - published)
                     for key in bounds}
        intervals["__total__"] = (max(total_low, published + sum(b[0] for b in bounds.values())),
                                  min(total_high, published + sum(b[1] for b in bounds.values())))
        return intervals
    rest = result.total - published
    return {key: line_interval(bounds, key, rest, rest) for key in bounds}


def table_intervals(result: SuppressedTable, *, labels: bool):
    """{entry: (low, high)} for every hidden entry of the table with its totals, by linear programming."""
    t = result.threshold
    entries = {("cell", r, c): result.cell(r, c) for r in result.rows for c in result.columns}
    entries |= {("row", r): v for r, v in result.row_totals.items()}
    entries |= {("column", c): v for c, v in result.column_totals.items()}
    entries[("grand",)] = result.grand_total
    unknown = [key for key, value in entries.items() if isinstance(value, Hidden)]
    if not unknown:
        return {}
    index = {key: n for n, key in enumerate(unknown)}
    lines = [([("cell", r, c) for c in result.columns], ("row", r)) for r in result.rows]
    lines += [([("cell", r, c) for r in result.rows], ("column", c)) for c in result.columns]
    lines += [([("row", r) for r in result.rows], ("grand",)), ([("column", c) for c in result.columns], ("grand",))]
    a_eq, b_eq = [], []
    for summands, total in lines:
        row, rhs = [0.0] * len(unknown), 0.0
        for key, coefficient in [(k, 1.0) for k in summands] + [(total, -1.0)]:
            if key in index:
                row[index[key]] += coefficient
            else:
                rhs -= coefficient * entries[key]
        if any(row):
            a_eq.append(row)
            b_eq.append(rhs)
    bounds = []
    for key in unknown:
        low, high = known_bounds(entries[key], t, result.labelled) if labels else (0, INF)
        bounds.append((low, None if high == INF else high))
    intervals = {}
    for key in unknown:
        objective = [0.0] * len(unknown)
        objective[index[key]] = 1.0
        low = linprog(objective, A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
        high = linprog([-x for x in objective], A_eq=a_eq or None, b_eq=b_eq or None, bounds=bounds, method="highs")
        assert low.status == 0, low.message  # the true table is feasible
        intervals[key] = (low.fun, INF if high.status == 3 else -high.fun)
    return intervals


def assert_safe(intervals_bare, intervals_known, threshold):
    for key, (low, high) in intervals_bare.items():
        assert high - low > 1e-6, f"{key} pinned to {low} from the published numbers"
        assert low < 1 - 1e-6 or high > threshold - 1 + 1e-6, f"{key} shown to lie in 1..{threshold - 1}"
    for key, (low, high) in intervals_known.items():
        assert high - low > 1e-6, f"{key} pinned to {low} with the labels"


def assert_nothing_small_published(values, threshold):
    for value in values:
        assert isinstance(value, Hidden) or value == 0 or value >= threshold


def assert_protected_counts(counts, result, threshold=5):
    assert_nothing_small_published([*result.cells.values(), *([] if result.total is None else [result.total])],
                                   threshold)
    for key, value in result.cells.items():
        assert isinstance(value, Hidden) or value == counts[key]
    assert_safe(one_way_intervals(result, labels=False), one_way_intervals(result, labels=True), threshold)
    # The sum of the hidden cells, worked out from a published total, is never a small count.
    if isinstance(result.total, int):
        hidden = [counts[key] for key in result.hidden]
        assert not hidden or (len(hidden) >= 2 and sum(hidden) >= threshold)


def assert_protected_table(table, result, threshold=5):
    assert_nothing_small_published([*result.cells.values(), *result.row_totals.values(),
                                    *result.column_totals.values(), result.grand_total], threshold)
    for (row, column), value in result.cells.items():
        assert isinstance(value, Hidden) or value == table.get((row, column), 0)
    assert_safe(table_intervals(result, labels=False), table_intervals(result, labels=True), threshold)
    lines = [([result.cell(r, c) for c in result.columns], [table.get((r, c), 0) for c in result.columns],
              result.row_totals[r]) for r in result.rows]
    lines += [([result.cell(r, c) for r in result.rows], [table.get((r, c), 0) for r in result.rows],
               result.column_totals[c]) for c in result.columns]
    for shown, true, total in lines:
        hidden = [value for value, cell in zip(true, shown, strict=True) if isinstance(cell, Hidden)]
        if isinstance(total, int) and hidden:
            assert len(hidden) >= 2 and sum(hidden) >= threshold


# --- properties -------------------------------------------------------------------------------------------------------

# Mostly small counts, so that suppression has work to do.
count = st.one_of(st.integers(0, 5), st.integers(0, 40))
keys = st.sampled_from(["north", "south", "east", "west", "global-south", "unknown", "fr", "ar", "es"])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, count, min_size=1, max_size=8), st.integers(3, 8), st.booleans())
def test_one_way_breakdowns_are_protected(counts, threshold, total_published):
    result = suppress_counts(counts, threshold=threshold, total_published=total_published)
    assert_protected_counts(counts, result, threshold)
    assert list(result.cells) == list(counts)
    # Deterministic, whatever the order of the mapping.
    assert suppress_counts(counts, threshold=threshold, total_published=total_published) == result
    shuffled = dict(random.Random(0).sample(sorted(counts.items()), len(counts)))
    assert suppress_counts(shuffled, threshold=threshold, total_published=total_published).cells == result.cells


@st.composite
def tables(draw):
    rows = draw(st.integers(1, 5))
    columns = draw(st.integers(1, 5))
    return {(f"r{r}", f"c{c}"): draw(count) for r in range(rows) for c in range(columns)}


@settings(max_examples=60, deadline=None)
@given(tables(), st.sampled_from([3, 5, 5, 10]))
def test_tables_are_protected(table, threshold):
    result = suppress_table(table, threshold=threshold)
    assert_protected_table(table, result, threshold)
    assert suppress_table(table, threshold=threshold) == result
    shuffled = dict(random.Random(1).sample(sorted(table.items()), len(table)))
    again = suppress_table(shuffled, threshold=threshold, rows=result.rows, columns=result.columns)
    assert again == result


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(keys, st.one_of(st.just(0), st.integers(5, 100)), min_size=1), tables())
def test_nothing_is_hidden_without_small_counts(counts, table):
    assert suppress_counts(counts).hidden == ()
    assert suppress_counts(counts).total == sum(counts.values())
    big = {key: 0 if value < 3 else value + 5 for key, value in table.items()}
    result = suppress_table(big)
    assert result.hidden == () and result.labelled
    assert not any(isinstance(v, Hidden) for v in [*result.row_totals.values(), *result.column_totals.values(),
                                                   result.grand_total])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(keys, st.integers(0, 4), min_size=1))
def test_all_small_counts(counts):
    """Every count small: the worst case for the labels; still protected."""
    assert_protected_counts(counts, suppress_counts(counts))
