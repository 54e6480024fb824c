"""published(): every public table checked and suppressed before it leaves, in each of its forms."""

import csv
import datetime
import io
import json

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from rightsloop.core.registry import PublicTable
from rightsloop.disclosure.suppression import Hidden
from rightsloop.disclosure.tables import TOTAL, PublishedTable, TableError, published

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 7, 1)
WORDS = {"workshop": "Workshop", "interview": "Interview", "survey": "Survey", "2026-Q1": "Q1 2026",
         "2026-Q2": "Q2 2026"}


def table(rows, *, dimensions=("quarter", "type"), additive=True, label=None) -> PublicTable:
    return PublicTable(
        key="test-table", title="Test table", description="For tests.", section="engagement",
        dimensions=tuple((name, name.title(), f"The {name}.") for name in dimensions),
        measure=("engagements", "Engagements", "How many."), rows=lambda organisation, start, end: rows,
        label=label or (lambda dimension, code: WORDS.get(code, code.upper())), additive=additive)


def values(result) -> dict:
    return {row.codes: row.value for row in result.rows}


def test_each_quarter_is_suppressed_on_its_own():
    rows = [{"quarter": "2026-Q1", "type": "workshop", "engagements": 12},
            {"quarter": "2026-Q1", "type": "interview", "engagements": 2},
            {"quarter": "2026-Q1", "type": "survey", "engagements": 20},
            {"quarter": "2026-Q2", "type": "workshop", "engagements": 30},
            {"quarter": "2026-Q2", "type": "survey", "engagements": 0}]
    result = published(table(rows), None, START, END)
    assert values(result) == {("2026-Q1", "interview"): Hidden(5), ("2026-Q1", "survey"): 20,
                              ("2026-Q1", "workshop"): Hidden(None), ("2026-Q2", "survey"): 0,
                              ("2026-Q2", "workshop"): 30}
    assert {row.codes: row.value for row in result.totals} == {("2026-Q1", TOTAL): 34, ("2026-Q2", TOTAL): 30}
    # The first quarter hides the same cells whatever comes after it.
    alone = published(table(rows[:3]), None, START, END)
    assert values(alone) == {codes: value for codes, value in values(result).items() if codes[0] == "2026-Q1"}


def test_a_table_without_a_quarter_is_suppressed_whole_with_its_totals():
    rows = [{"right": "privacy", "band": "severe", "risks": 9}, {"right": "privacy", "band": "serious", "risks": 1},
            {"right": "health", "band": "severe", "risks": 6}, {"right": "health", "band": "serious", "risks": 7}]
    risks = PublicTable(key="risks", title="Risks", description="", section="salient_issues",
                        dimensions=(("right", "Right", ""), ("band", "Band", "")), measure=("risks", "Risks", ""),
                        rows=lambda *args: rows)
    result = published(risks, None, START, END)
    shown = values(result)
    assert shown[("privacy", "serious")] == Hidden(5)
    assert sum(isinstance(value, Hidden) for value in shown.values()) == 4  # a 2 x 2 table hides all four
    assert len(result.totals) == 2 + 2 + 1


def test_counts_that_do_not_add_up_hide_only_the_small_ones():
    rows = [{"quarter": "2026-Q1", "type": "workshop", "engagements": 12},
            {"quarter": "2026-Q1", "type": "interview", "engagements": 2}]
    result = published(table(rows, additive=False), None, START, END)
    assert values(result) == {("2026-Q1", "interview"): Hidden(5), ("2026-Q1", "workshop"): 12}
    assert result.totals == ()


def test_one_dimension():
    rows = [{"type": "workshop", "engagements": 8}, {"type": "interview", "engagements": 3}]
    result = published(table(rows, dimensions=("type",)), None, START, END)
    assert values(result) == {("interview",): Hidden(5), ("workshop",): Hidden(None)}
    assert [(row.codes, row.value, row.labels) for row in result.totals] == [((TOTAL,), 11, ("All",))]


@pytest.mark.parametrize("row, problem", [
    ({"quarter": "2026-Q1", "engagements": 3}, "fields"),
    ({"quarter": "2026-Q1", "type": "workshop", "engagements": 3, "name": "Jane"}, "fields"),
    ({"quarter": "2026-Q1", "type": "", "engagements": 3}, "codes"),
    ({"quarter": "2026-Q1", "type": 7, "engagements": 3}, "codes"),
    ({"quarter": "2026-Q1", "type": "workshop", "engagements": -1}, "whole numbers"),
    ({"quarter": "2026-Q1", "type": "workshop", "engagements": 2.5}, "whole numbers"),
    ({"quarter": "2026-Q1", "type": "workshop", "engagements": True}, "whole numbers"),
    ({"quarter": "2026-Q1", "type": "workshop", "engagements": "3"}, "whole numbers"),
])
def test_rows_that_do_not_fit_the_declaration_are_refused(row, problem):
    with pytest.raises(TableError, match=problem):
        published(table([row]), None, START, END)


def test_a_combination_given_twice_or_three_dimensions_are_refused():
    row = {"quarter": "2026-Q1", "type": "workshop", "engagements": 3}
    with pytest.raises(TableError, match="twice"):
        published(table([row, row]), None, START, END)
    with pytest.raises(TableError, match="dimensions"):
        published(table([], dimensions=("a", "b", "c")), None, START, END)


def test_the_forms_carry_codes_labels_values_and_notes():
    rows = [{"quarter": "2026-Q1", "type": "workshop", "engagements": 12},
            {"quarter": "2026-Q1", "type": "interview", "engagements": 2},
            {"quarter": "2026-Q1", "type": "survey", "engagements": 20}]
    with translation.override("en"):
        result = published(table(rows), None, START, END)
        records = result.records()
        text = result.to_csv()
        document = result.to_json()
    assert records[0] == {"quarter": "2026-Q1", "quarter_label": "Q1 2026", "type": "interview",
                          "type_label": "Interview", "engagements": None, "engagements_note": "fewer than 5"}
    assert records[2]["engagements"] is None and records[2]["engagements_note"] == "not shown"
    assert records[1]["engagements"] == 20 and records[1]["engagements_note"] == ""
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed[0] == ["quarter", "quarter_label", "type", "type_label", "engagements", "engagements_note"]
    assert parsed[1] == ["2026-Q1", "Q1 2026", "interview", "Interview", "", "fewer than 5"]
    assert parsed[3][4:] == ["", "not shown"]
    assert [row["hidden"] for row in document["rows"]] == [True, False, True]
    assert document["totals"][0]["engagements"] == 34
    json.dumps(document)  # plain JSON


def test_labels_in_the_active_language_and_stored_without_words():
    rows = [{"quarter": "2026-Q1", "type": "workshop", "engagements": 12},
            {"quarter": "2026-Q1", "type": "interview", "engagements": 2}]
    asked = []

    def label(dimension, code):
        asked.append(code)
        return f"{translation.get_language()}:{code}"

    described = table(rows, label=label)
    with translation.override("fr"):
        result = published(described, None, START, END)
    assert result.rows[0].labels == ("fr:2026-Q1", "fr:interview")
    assert sorted(asked) == ["2026-Q1", "interview", "workshop"]  # each code asked once
    stored = published(described, None, START, END, labelled=False).stored()
    assert "fr:" not in json.dumps(stored) and "12" not in json.dumps(stored["rows"][0])
    assert stored["rows"] == [{"codes": ["2026-Q1", "interview"], "value": None, "below": 5},
                              {"codes": ["2026-Q1", "workshop"], "value": None, "below": None}]
    with translation.override("es"):
        again = PublishedTable.restored(described, json.loads(json.dumps(stored)))
    assert again.rows[0].labels == ("es:2026-Q1", "es:interview")
    assert [row.value for row in again.rows] == [row.value for row in result.rows]
    assert [row.value for row in again.totals] == [row.value for row in result.totals]


def test_a_label_that_looks_like_a_formula_is_made_plain_in_csv():
    rows = [{"quarter": "2026-Q1", "type": "workshop", "engagements": 12}]
    result = published(table(rows, label=lambda dimension, code: "=HYPERLINK(\"x\")"), None, START, END)
    assert "'=HYPERLINK" in result.to_csv()


def test_nothing_to_publish_is_an_empty_table():
    result = published(table([]), None, START, END)
    assert result.rows == () and result.totals == () and result.records() == []
    assert result.to_csv().splitlines() == ["quarter,quarter_label,type,type_label,engagements,engagements_note"]


counts = st.integers(min_value=0, max_value=40)


@settings(max_examples=150, deadline=None)
@given(grid=st.dictionaries(st.tuples(st.sampled_from(["2026-Q1", "2026-Q2", "2026-Q3"]),
                                      st.sampled_from(["a", "b", "c", "d"])), counts, max_size=12),
       additive=st.booleans(), quarterly=st.booleans())
def test_no_published_count_is_ever_1_to_4(grid, additive, quarterly):
    dimensions = ("quarter", "type") if quarterly else ("period", "type")
    rows = [{dimensions[0]: quarter, "type": kind, "engagements": n} for (quarter, kind), n in grid.items()]
    result = published(table(rows, dimensions=dimensions, additive=additive), None, START, END)
    for row in (*result.rows, *result.totals):
        assert isinstance(row.value, Hidden) or not 1 <= row.value <= 4, row
    for record in result.records():
        assert record["engagements"] is None or not 1 <= record["engagements"] <= 4
