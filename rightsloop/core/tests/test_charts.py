import itertools
import json
import re

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from rightsloop.core import charts

STEPS = [{"label": "Inputs", "value": 200, "url": "/inputs/"}, {"label": "Decided", "value": 150, "url": ""},
         {"label": "Reported", "value": None, "url": ""}, {"label": "Closed", "value": 50, "url": ""}]
ROWS = [{"label": "Workers", "value": 420, "url": "/g/1"}, {"label": "Migrant workers", "value": None, "url": ""},
        {"label": "Farmers", "value": 105, "url": ""}, {"label": "Defenders", "value": 0, "url": ""}]
PERIODS = ["Q1 2026", "Q2 2026", "Q3 2026"]
SERIES = [{"label": "Identify", "values": [12, 9, 14]}, {"label": "Assess", "values": [6, None, 8]},
          {"label": "Remedy", "values": [0, 5, 7]}]
MONTHS = ["Jan 2026", "Feb 2026", "Mar 2026", "Apr 2026"]
LINES = [{"label": "Inputs", "values": [12, 30, None, 18]}, {"label": "Decisions", "values": [3, 8, 11, 0]}]
VOICES = {"KE": 312, "BR": 145, "IN": 530, "FR": 22, "NO": 9, "US": 88, "CN": None, "SG": 6, "PS": 7}
HIGHLIGHTED = {"CD": "risk", "IN": "risk_market", "US": "market", "CN": "risk"}


def specs() -> list[dict]:
    return [
        {"kind": "funnel", "key": "loop", "title": "Inputs to closed loops", "description": "How far inputs got.",
         "data": {"steps": STEPS}},
        {"kind": "bars", "key": "groups", "title": "Inputs by group", "description": "Inputs per group.",
         "data": {"rows": ROWS, "label_heading": "Group", "value_heading": "Inputs"}},
        {"kind": "timeline", "key": "quarters", "title": "Engagements per quarter", "description": "By phase.",
         "data": {"periods": PERIODS, "series": SERIES, "value_heading": "All engagements"}},
        {"kind": "lines", "key": "monthly", "title": "Per month", "description": "Inputs and decisions.",
         "data": {"periods": MONTHS, "series": LINES, "value_heading": "Count"}},
        {"kind": "sparkline", "key": "spark", "title": "Share decided", "description": "Per month.",
         "data": {"periods": MONTHS, "values": [40.0, None, 62.5, 70], "value_heading": "Share decided",
                  "unit": "percent", "gap": "no inputs"}},
        {"kind": "world_map", "key": "voices", "title": "Voices heard per country", "description": "By country.",
         "data": {"values": VOICES, "highlighted": HIGHLIGHTED, "value_heading": "Voices heard"}},
    ]


def html_of(chart) -> str:
    return render_to_string(chart.template, {"chart": chart})


def picture(html: str) -> str:
    return re.search(r'<svg[^>]*class="chart-svg".*?</svg>', html, re.S).group(0)


def table(html: str) -> dict[str, list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S).group(1)
    rows = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        head = re.sub(r"<[^>]+>", "", re.search(r'<th scope="row">(.*?)</th>', row).group(1))
        rows[head] = [re.sub(r"<[^>]+>", "", cell) for cell in re.findall(r"<td>(.*?)</td>", row)]
    return rows


def test_funnel_shares_and_widths():
    chart = charts.funnel("loop", "Loop", "", STEPS, rtl=False)
    assert [step.share for step in chart.steps] == [100, 75, None, 25]
    inputs, decided, reported, closed = chart.steps
    assert decided.width == round(inputs.width * 0.75) and closed.width == round(inputs.width * 0.25)
    assert all(step.x * 2 + step.width in (chart.width, chart.width - 1) for step in chart.steps)  # centred
    assert reported.hidden and reported.fill == charts.HIDDEN and reported.width == chart.bar_height
    assert "Decided: 150 (75%)" in html_of(chart)


def test_bars_scale_to_the_largest_and_mirror_right_to_left():
    chart = charts.bars("groups", "Groups", "", ROWS, label_heading="Group", value_heading="Inputs", rtl=False)
    workers, migrants, farmers, defenders = chart.bars
    assert workers.length == charts.BAR_PLOT and farmers.length == charts.BAR_PLOT // 4
    assert migrants.length == 0 and defenders.length == 0 and migrants.number.text == "fewer than 5"
    assert workers.name.anchor == "end" and workers.number.anchor == "start"
    mirrored = charts.bars("groups", "Groups", "", ROWS, label_heading="Group", value_heading="Inputs", rtl=True)
    for ltr, rtl in zip(chart.bars, mirrored.bars, strict=True):
        assert rtl.rect_x == chart.width - ltr.rect_x - ltr.length and rtl.length == ltr.length
        assert rtl.name.x == chart.width - ltr.name.x and rtl.name.anchor == "start"
    with translation.override("ar"):
        assert charts.bars("groups", "G", "", ROWS, label_heading="G", value_heading="I").bars[0].name.anchor == "start"


def test_bars_beyond_the_limit_are_in_the_table_only():
    rows = [{"label": f"Group {n}", "value": n, "url": ""} for n in range(1, 26)]
    chart = charts.bars("many", "Many", "", rows, label_heading="Group", value_heading="Inputs")
    html = html_of(chart)
    assert len(chart.bars) == charts.MAX_BARS and chart.more == 5
    assert picture(html).count("<rect") == charts.MAX_BARS and len(table(html)) == 25


def test_timeline_stacks_sum_to_the_column_and_hidden_values_leave_a_lower_bound():
    chart = charts.timeline("quarters", "Quarters", "", PERIODS, SERIES, value_heading="All", rtl=False)
    first, second, _third = chart.columns
    assert [column.total for column in chart.columns] == [18, 14, 29]
    assert [column.partial for column in chart.columns] == [False, True, False]
    for column in chart.columns:
        assert sum(segment.height for segment in column.segments) == chart.ticks[0].y - column.segments[-1].y
        assert all(upper.y + upper.height == lower.y for lower, upper in itertools.pairwise(column.segments))
    assert [segment.series for segment in second.segments] == ["Identify", "Remedy"]
    assert second.total_label.text == "≥14" and first.total_label.text == "18"
    assert [tick.value for tick in chart.ticks] == [0, 10, 20, 30]
    mirrored = charts.timeline("quarters", "Quarters", "", PERIODS, SERIES, value_heading="All", rtl=True)
    assert mirrored.columns[0].label.x == chart.width - first.label.x
    html = html_of(chart)
    assert table(html)["Q2 2026"] == ["9", "fewer than 5", "5", "at least 14"]


@pytest.mark.parametrize(("top", "step"), [(0, 1), (4, 1), (18, 5), (37, 10), (120, 50), (2900, 1000)])
def test_nice_steps(top, step):
    assert charts.nice_step(top) == step


def test_class_breaks():
    assert charts.class_breaks(list(range(1, 101))) == [1, 21, 41, 61, 81]
    assert charts.class_breaks([7, 7, 7]) == [7]
    assert charts.class_breaks([]) == []
    assert charts.class_breaks([5, 123, 1234, 5678, 9999, 9999]) == [5, 120, 1200, 5600, 9900]
    assert charts.class_breaks([5, 6, 0, 8]) == [5, 6, 8]


def test_world_map_classes_highlights_and_table():
    chart = charts.world_map("voices", "Voices", "", VOICES, highlighted=HIGHLIGHTED, value_heading="Voices")
    by_code = {area.code: area for area in chart.rows}
    assert set(by_code) == set(VOICES) | set(HIGHLIGHTED)
    assert by_code["CN"].hidden and by_code["CN"].fill == charts.HIDDEN and by_code["CN"].risk
    assert by_code["CD"].value == 0 and by_code["CD"].fill == charts.BLANK and by_code["CD"].risk
    assert by_code["IN"].fill == charts.SEQUENTIAL[-1] and by_code["IN"].market and by_code["IN"].risk
    assert by_code["PS"].dot and not by_code["PS"].path  # too small for a shape: a dot
    assert [area.code for area in chart.not_drawn] == ["SG"]
    assert [band.low for band in chart.bands[2:]] == charts.class_breaks(list(filter(None, VOICES.values())))
    assert chart.bands[-1].high == 530
    assert chart.summary == "Voices: 9 countries. Salient risks in 3 countries, 1 of them with none."
    html = html_of(chart)
    rows = table(html)
    assert rows["Kenya"] == ["312", ""] and rows["China"] == ["fewer than 5", "salient risks"]
    assert rows["India"] == ["530", "salient risks and market"] and rows["Singapore"] == ["6", ""]
    svg = picture(html)
    assert 'fill="url(#chart-voices-hatch' in svg and 'stroke-width="2"' in svg


def test_world_geometry_is_shipped_small_and_complete():
    world = charts.world()
    assert {"KE", "BR", "IN", "FR", "NO", "US", "DE", "CN", "RU", "AU", "ZA"} <= set(world["paths"])
    assert "AQ" not in world["paths"] and world["width"] == 1000
    assert all(re.fullmatch(r"(M\d+ \d+l[-\d ]*z)+", d) for d in world["paths"].values())


def test_world_map_stays_under_30_kb_even_when_every_country_counts():
    codes = list(charts.world()["paths"])
    values = {code: 5 + n * 37 % 900 for n, code in enumerate(codes)}
    highlighted = {code: charts.HIGHLIGHTS[n % 3] for n, code in enumerate(codes)}
    chart = charts.world_map("voices", "Voices heard per country", "By country.", values, highlighted=highlighted,
                             value_heading="Voices heard")
    assert len(picture(html_of(chart)).encode()) < 30_000


def test_hidden_values_are_never_drawn_as_numbers():
    for spec in specs():
        html = html_of(charts.render(spec))
        hidden = spec["data"].get("gap") or "fewer than 5"  # a sparkline's None means what its gap says
        assert "None" not in html and hidden in table(html).__repr__()
    bars = html_of(charts.bars("groups", "G", "", ROWS, label_heading="G", value_heading="I"))
    assert picture(bars).count("data-value=") == 3 and picture(bars).count("<rect") == 2  # 0 draws no bar
    timeline = picture(html_of(charts.timeline("q", "Q", "", PERIODS, SERIES, value_heading="All")))
    assert timeline.count("<title>Q2 2026, ") == 2
    lines = picture(html_of(charts.lines("m", "M", "", MONTHS, LINES, value_heading="N")))
    assert "Inputs, Mar 2026" not in lines and lines.count('data-value="') == 7


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec["kind"])
def test_every_chart_is_accessible_and_safe_for_the_content_security_policy(spec):
    html = html_of(charts.render(spec))
    svg = picture(html)
    key = spec["key"]
    assert f'role="img" aria-labelledby="chart-{key}-title chart-{key}-desc"' in svg
    assert f'<title id="chart-{key}-title">{spec["title"]}</title>' in svg and f'<desc id="chart-{key}-desc">' in svg
    assert f"<caption>{spec['title']}</caption>" in html and html.strip().startswith("<figure")
    assert not re.search(r"\sstyle=", html) and "<style" not in html and "<script" not in html
    assert 'direction="ltr"' in svg and 'width="100%"' in svg


def test_tables_hold_the_numbers_given():
    funnel, bars, timeline, lines, spark, world_map = (table(html_of(charts.render(spec))) for spec in specs())
    assert lines == {"Jan 2026": ["12", "3"], "Feb 2026": ["30", "8"], "Mar 2026": ["fewer than 5", "11"],
                     "Apr 2026": ["18", "0"]}
    assert spark == {"Jan 2026": ["40 %"], "Feb 2026": ["no inputs"], "Mar 2026": ["62.5 %"], "Apr 2026": ["70 %"]}
    assert funnel == {"Inputs": ["200", "100%"], "Decided": ["150", "75%"], "Reported": ["fewer than 5", "—"],
                      "Closed": ["50", "25%"]}
    assert bars == {"Workers": ["420"], "Migrant workers": ["fewer than 5"], "Farmers": ["105"], "Defenders": ["0"]}
    assert timeline["Q1 2026"] == ["12", "6", "0", "18"]
    assert {name: cells[0] for name, cells in world_map.items()} == {
        "Brazil": "145", "China": "fewer than 5", "Congo, The Democratic Republic of the": "0", "France": "22",
        "India": "530", "Kenya": "312", "Norway": "9", "Palestine, State of": "7", "Singapore": "6",
        "United States": "88"}


def test_stored_json_lays_out_like_the_direct_call():
    stored = json.loads(json.dumps(specs()))
    direct = charts.bars("groups", "Inputs by group", "Inputs per group.", ROWS, label_heading="Group",
                         value_heading="Inputs")
    assert charts.render(stored[1]) == direct
    assert charts.from_data("funnel", "loop", "T", "D", {"steps": STEPS, "smallest": 10}).hidden_text == "fewer than 10"
    assert [charts.render(spec).template for spec in stored] == [
        "charts/funnel.html", "charts/bars.html", "charts/timeline.html", "charts/lines.html", "charts/lines.html",
        "charts/world_map.html"]
    with pytest.raises(ValueError, match="Unknown chart kind"):
        charts.from_data("pie", "k", "T", "D", {})


def test_two_charts_on_a_page_have_distinct_ids():
    page = "".join(html_of(charts.render(spec)) for spec in [*specs(), {**specs()[-1], "key": "voices-2"}])
    ids = re.findall(r'\bid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    with pytest.raises(ValueError):
        charts.funnel('x" onload="', "T", "D", STEPS)


def test_empty_charts_say_so():
    for chart in (charts.funnel("f", "F", "", []),
                  charts.bars("b", "B", "", [], label_heading="G", value_heading="I"),
                  charts.timeline("t", "T", "", [], [], value_heading="All"),
                  charts.lines("l", "L", "", MONTHS, [{"label": "A", "values": [None] * 4}], value_heading="N"),
                  charts.sparkline("s", "S", "", [], [], value_heading="N")):
        assert "Nothing to show yet." in html_of(chart)


def contrast(one: str, two: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[n:n + 2], 16) / 255 for n in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(one), luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_dark_text_reads_on_every_fill_and_the_scale_darkens_steadily():
    for fill in (*charts.SEQUENTIAL, *charts.CATEGORICAL, charts.BLANK, charts.HIDDEN, charts.BAR_FILL):
        assert contrast(fill, charts.INK) >= 4.5, fill
    steps = [contrast(fill, "#ffffff") for fill in charts.SEQUENTIAL]
    assert steps == sorted(steps) and len(set(steps)) == len(steps)


def test_lines_place_points_on_the_scale_and_break_where_a_value_is_hidden():
    chart = charts.lines("monthly", "Per month", "", MONTHS, LINES, value_heading="Count", rtl=False)
    inputs, decisions = chart.lines
    assert [tick.value for tick in chart.ticks] == [0, 10, 20, 30]
    zero, thirty = chart.ticks[0].y, chart.ticks[-1].y
    assert [p.y for p in inputs.points] == [round(zero - (zero - thirty) * v / 30) for v in (12, 30, 18)]
    assert [p.period for p in inputs.points] == ["Jan 2026", "Feb 2026", "Apr 2026"]
    assert len(inputs.paths) == 1 and inputs.paths[0].count("L") == 1  # Jan-Feb; April alone is a point
    assert len(decisions.paths) == 1 and decisions.paths[0].count("L") == 3
    xs = [p.x for p in decisions.points]
    assert xs == sorted(xs) and len(set(xs)) == 4
    assert inputs.dash != decisions.dash and inputs.marker != decisions.marker  # apart without colour
    mirrored = charts.lines("monthly", "Per month", "", MONTHS, LINES, value_heading="Count", rtl=True)
    assert [p.x for p in mirrored.lines[1].points] == [chart.width - x for x in xs]
    svg = picture(html_of(chart))
    assert svg.count('class="chart-point"') == 7 and "Mar 2026: " not in svg.split("Decisions")[0]


def test_lines_scale_fractions_and_negative_values():
    assert charts.nice_scale(0, 0, whole=True) == (0, 1, 1) and charts.nice_scale(0, 3, whole=True) == (0, 3, 1)
    assert charts.nice_scale(0, 0.3) == (0, 0.3, 0.1)
    assert charts.nice_scale(-3, 12) == (-5, 15, 5)
    assert charts.nice_scale(0, 93.5) == (0, 100, 20)
    chart = charts.lines("i", "Indicator", "", MONTHS, [{"label": "Rate", "values": [0.12, 0.2, 0.25, 0.3]}],
                         value_heading="Rate")
    assert [tick.label.text for tick in chart.ticks] == ["0", "0.1", "0.2", "0.3"]
    with pytest.raises(ValueError, match="unit"):
        charts.lines("i", "I", "", MONTHS, [], value_heading="Rate", unit="kg")


def test_sparkline_spans_its_own_range_and_names_its_ends():
    chart = charts.sparkline("spark", "Share decided", "", MONTHS, [40.0, None, 62.5, 70], value_heading="Share",
                             unit="percent", rtl=False)
    (line,) = chart.lines
    assert chart.compact and not chart.ticks
    assert min(p.y for p in line.points) == charts.SPARK_TOP and max(p.y for p in line.points) == \
        charts.SPARK_TOP + charts.SPARK_PLOT
    assert [label.text for label in chart.labels] == ["Jan 2026", "Apr 2026"]
    assert [end.text for end in chart.ends] == ["70 %"] and chart.ends[0].x > line.points[-1].x
    assert chart.ends[0].x + 60 <= chart.width  # the last value has room: not clipped
    flat = charts.sparkline("flat", "Flat", "", MONTHS, [3, 3, 3, 3], value_heading="N")
    assert {p.y for p in flat.lines[0].points} == {charts.SPARK_TOP + charts.SPARK_PLOT // 2}
    html = html_of(chart)
    assert "chart-sparkline" in html and "chart-legend" not in html
    assert "hidden for safety" in html  # its None is a hidden count: the note says so
    told = html_of(charts.sparkline("told", "Told", "", MONTHS, [3, None, 4, 5], value_heading="N",
                                    gap="no first reports"))
    assert "Where a line has no point: no first reports." in told and "hidden for safety" not in told
    assert "<td>no first reports</td>" in told


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec["kind"])
def test_every_chart_scales_to_its_container(spec):
    """A viewBox and width 100%: no fixed pixel size on the picture, so CSS fits it to its column."""
    chart = charts.render(spec)
    svg_tag = re.match(r"<svg[^>]*>", picture(html_of(chart))).group(0)
    assert f'viewBox="0 0 {chart.width} {chart.height}"' in svg_tag and 'width="100%"' in svg_tag
    assert not re.search(r'\s(width|height)="\d+(px)?"', svg_tag)


@pytest.mark.parametrize("spec", specs(), ids=lambda spec: spec["kind"])
def test_every_label_is_inside_the_picture(spec):
    """Text placed at the picture's edge is anchored inwards, so no label is clipped, in either direction."""
    for rtl in (False, True):
        html = html_of(charts.from_data(spec["kind"], spec["key"], spec["title"], spec["description"],
                                        spec["data"], rtl=rtl))
        svg = picture(html)
        width, height = map(int, re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).groups())
        for x, y, anchor in re.findall(r'<text x="(-?\d+)" y="(-?\d+)" text-anchor="(\w+)"', svg):
            assert 0 <= int(x) <= width and 0 < int(y) <= height, (x, y)
            assert not (anchor == "end" and int(x) < 20) and not (anchor == "start" and int(x) > width - 20)


CLOUDS = [{"label": "Group A", "count": 40, "points": [[-2.0, 0.5], [-1.5, -0.5], [-2.5, 0.0]]},
          {"label": "Group B", "count": 35, "points": [[2.0, 0.0], [1.0, 1.0]]},
          {"label": "A group too small to show", "count": None, "points": [[0.0, 3.0]], "muted": True},
          {"label": "Not in a group", "count": 4, "points": [[0.0, -3.0]], "hollow": True}]


def test_scatter_keeps_equal_units_colours_series_and_tables_counts_only():
    chart = charts.scatter("map", "Opinion map", "Participants.", CLOUDS, label_heading="Group",
                           value_heading="Participants")
    a, b, small, loose = chart.series
    assert (a.fill, b.fill, small.fill) == (charts.CATEGORICAL[0], charts.CATEGORICAL[1], charts.HIDDEN)
    # Equal units: the x span (-2.5..2) is narrower than the y span (-3..3), so y fills the height, x does not.
    xs = [dot.x for cloud in chart.series for dot in cloud.dots]
    ys = [dot.y for cloud in chart.series for dot in cloud.dots]
    assert min(ys) == charts.SCATTER_PAD + charts.SCATTER_DOT
    assert max(ys) == charts.SCATTER_HEIGHT - charts.SCATTER_PAD - charts.SCATTER_DOT
    assert max(xs) - min(xs) == round((max(ys) - min(ys)) * 4.5 / 6)
    assert small.dots[0].y < loose.dots[0].y  # the plane's up is the picture's up
    html = html_of(chart)
    assert table(html) == {"Group A": ["40"], "Group B": ["35"], "A group too small to show": ["fewer than 5"],
                           "Not in a group": ["4"]}
    assert picture(html).count("<circle") == 7 and 'fill="none"' in picture(html) and "None" not in html
    assert not re.search(r"\sstyle=", html) and "<script" not in html and 'direction="ltr"' in html


def test_scatter_sizes_weighted_points_by_area_and_lays_out_from_stored_json():
    weighted = [{"label": "Group A", "count": 104, "points": [[0, 0, 100], [1, 1, 4]]}]
    chart = charts.render({"kind": "scatter", "key": "bases", "title": "T", "description": "",
                           "data": {"series": weighted, "label_heading": "G", "value_heading": "N"}})
    big, small = chart.series[0].dots
    assert big.r == charts.SCATTER_LARGEST and small.r == round(charts.SCATTER_LARGEST * 0.2, 1)
    for dot in (big, small):
        assert dot.r <= dot.x <= chart.width - dot.r and dot.r <= dot.y <= chart.height - dot.r
    empty = charts.scatter("e", "E", "", [], label_heading="G", value_heading="N")
    assert empty.is_empty and "Nothing to show yet." in html_of(empty)


def test_timeline_columns_may_be_other_than_periods():
    html = html_of(charts.timeline("s", "S", "", ["#3"], [{"label": "Agree", "values": [4]}], value_heading="All",
                                   period_heading="Statement"))
    assert '<th scope="col">Statement</th>' in html and ">Period<" not in html
