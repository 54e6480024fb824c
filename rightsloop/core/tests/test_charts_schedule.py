"""The schedule chart (phases over dates, today marked): layout, right to left, its table twin, stored form."""

import datetime

from django.template.loader import render_to_string

from rightsloop.core import charts

D = datetime.date
ROWS = [
    {"label": "Scoping", "start": D(2026, 9, 1), "end": D(2026, 9, 30), "progress": 100, "done": True},
    {"label": "Data collection", "start": D(2026, 10, 1), "end": D(2027, 1, 31), "progress": 40, "url": "/p/2"},
    {"label": "Reporting", "start": D(2027, 2, 1), "end": D(2027, 2, 28), "progress": None},
]


def test_spans_follow_their_dates_and_progress():
    chart = charts.schedule("phases", "Timeline", "Phases.", ROWS, label_heading="Phase", today=D(2026, 12, 7))
    scoping, data, reporting = chart.spans
    assert scoping.x == charts.SCHEDULE_LABEL
    assert scoping.x + scoping.length <= data.x <= scoping.x + scoping.length + 1
    assert data.done_length == round(data.length * 0.4) and data.done_x == data.x
    assert scoping.done_length == scoping.length  # done reads as complete whatever the percent
    assert reporting.done_length == 0 and reporting.figure.text == ""
    assert reporting.x + reporting.length == charts.SCHEDULE_LABEL + charts.SCHEDULE_PLOT
    assert data.x < chart.today_x < data.x + data.length
    assert chart.months[0].label.text.endswith("2026") and len(chart.months) == 6


def test_right_to_left_mirrors_time_and_the_part_done():
    ltr = charts.schedule("p", "T", "", ROWS, label_heading="Phase", today=D(2026, 12, 7), rtl=False)
    rtl = charts.schedule("p", "T", "", ROWS, label_heading="Phase", today=D(2026, 12, 7), rtl=True)
    for left, right in zip(ltr.spans, rtl.spans, strict=True):
        assert right.x == ltr.width - left.x - left.length
        assert right.done_x + right.done_length == right.x + right.length  # done grows from the start, on the right
    assert rtl.today_x == ltr.width - ltr.today_x
    assert rtl.spans[0].name.anchor == "start" and ltr.spans[0].name.anchor == "end"


def test_today_outside_the_dates_draws_no_line_and_the_table_has_every_phase():
    chart = charts.schedule("p", "Timeline", "", ROWS, label_heading="Phase", today=D(2030, 1, 1))
    assert chart.today_x is None
    html = render_to_string(chart.template, {"chart": chart})
    assert "chart-today" not in html
    assert html.count("<tr><th scope=\"row\">") == 3 and 'href="/p/2"' in html
    assert "40 %" in html and "done" in html


def test_today_is_drawn_and_the_stored_form_renders():
    chart = charts.render({"kind": "schedule", "key": "stored", "title": "T", "data": {
        "rows": [{"label": "A", "start": "2026-01-01", "end": "2026-03-31", "progress": 10}],
        "label_heading": "Phase", "today": "2026-02-01"}})
    assert chart.spans[0].start == D(2026, 1, 1) and chart.today_x is not None
    html = render_to_string(chart.template, {"chart": chart})
    assert 'class="chart-today"' in html and 'direction="ltr"' in html


def test_no_phases_is_an_empty_chart():
    chart = charts.schedule("p", "T", "", [], label_heading="Phase", today=D(2026, 1, 1))
    assert chart.is_empty
    assert "Nothing to show yet." in render_to_string(chart.template, {"chart": chart})
