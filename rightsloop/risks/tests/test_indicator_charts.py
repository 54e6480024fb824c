"""Mitigation indicators as small line charts: numbers read from the evidence, drawn on the mitigation pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.risks import actions, indicators
from rightsloop.risks.tests.factories import make_mitigation, make_risk

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("text", "expected"), [
    ("42", (42, False)), ("42 %", (42, True)), ("12.5%", (12.5, True)), ("1,200", (1200, False)),
    ("3,5", (3.5, False)), ("-2", (-2, False)), ("1,200.5", (1200.5, False)),
    ("better than last year", None), ("", None), ("about 40", None), ("40 riders", None),
])
def test_numbers_are_read_from_the_evidence(text, expected):
    assert indicators.numeric(text) == expected


def _indicator(hr_lead, values):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead))
    indicator = actions.add_indicator(mitigation=mitigation, name="Riders reporting abuse", by=hr_lead)
    for day, value in values:
        actions.record_evidence(indicator=indicator, observed_on=day, value=value, by=hr_lead)
    return mitigation, indicator


def test_the_mitigation_page_draws_each_indicator_with_its_table(hr_lead, sign_in):
    mitigation, indicator = _indicator(hr_lead, [
        (datetime.date(2026, 3, 1), "40 %"), (datetime.date(2026, 1, 1), "55 %"), (datetime.date(2026, 2, 1), "n/a"),
        (datetime.date(2026, 5, 1), "31 %")])
    chart = indicators.chart(indicator)
    assert chart.periods == ["2026-01-01", "2026-03-01", "2026-05-01"] and chart.unit == "percent"
    assert chart.lines[0].values == [55, 40, 31]
    page = sign_in(hr_lead).get(f"/risks/mitigations/{mitigation.pk}/").content.decode()
    assert f'id="chart-indicator-{indicator.pk}"' in page and 'viewBox="0 0 ' in page
    assert "Riders reporting abuse over time" in page and "Riders reporting abuse over time as a table" in page
    risk_page = sign_in(hr_lead).get(f"/risks/{mitigation.risk_id}/").content.decode()
    assert f'id="chart-indicator-{indicator.pk}"' in risk_page


def test_fewer_than_two_numbers_draw_nothing(hr_lead):
    _mitigation, words = _indicator(hr_lead, [(datetime.date(2026, 1, 1), "good"), (datetime.date(2026, 2, 1), "7")])
    assert indicators.chart(words) is None


def test_charts_cost_no_query_per_indicator(hr_lead, sign_in):
    mitigation, _first = _indicator(hr_lead, [(datetime.date(2026, 1, 1), "1"), (datetime.date(2026, 2, 1), "2")])
    client = sign_in(hr_lead)
    with CaptureQueriesContext(connection) as one:
        client.get(f"/risks/mitigations/{mitigation.pk}/")
    for n in range(3):
        indicator = actions.add_indicator(mitigation=mitigation, name=f"Indicator {n}", by=hr_lead)
        for month in (1, 2, 3):
            actions.record_evidence(indicator=indicator, observed_on=datetime.date(2026, month, 1), value=str(month),
                                    by=hr_lead)
    with CaptureQueriesContext(connection) as four:
        page = client.get(f"/risks/mitigations/{mitigation.pk}/").content.decode()
    assert page.count('class="chart chart-lines chart-sparkline"') == 4
    assert len(four) == len(one)
