"""The dashboard's trends per month (engagements.trends) against data built by hand, and the page that draws them."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.engagements import actions
from rightsloop.engagements.actions import promises as promise_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.engagements.tests.test_promises import decide, on
from rightsloop.engagements.trends import median, months_to, trends
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_months_run_up_to_this_one():
    assert months_to(datetime.date(2026, 2, 17), 4) == [
        datetime.date(2025, 11, 1), datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]


def test_median_of_a_histogram():
    assert median({}) is None
    assert median({4: 1}) == 4
    assert median({2: 1, 10: 1}) == 6
    assert median({1: 2, 3: 1, 9: 1}) == 2
    assert median({1: 1, 2: 1}) == 1.5


def built(hr_lead):
    """Two months ago: an engagement and three inputs, two decided then (one under consideration until ten days
    later); last month: the third decided, one revised, the promise left to break, and two people told; a
    high-safety person's input and report besides."""
    this_month = months_to(TODAY, 1)[0]
    early = months_to(TODAY, 3)[0] + 2 * DAY      # two months ago
    late = months_to(TODAY, 2)[0] + 3 * DAY       # last month
    with on(early):
        engagement = make_engagement(hr_lead, starts_on=early - 5 * DAY, ends_on=early - 4 * DAY,
                                     feedback_due_on=early + 90 * DAY)
        told = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
        other = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
        protected = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, safety_level="high"),
                                       override_reason="Met at their request")
        first, second = make_input(hr_lead, engagement, told), make_input(hr_lead, engagement, told)
        third = make_input(hr_lead, engagement, other)
        hidden_input = make_input(hr_lead, engagement, protected)
        decide(first, "adopted", hr_lead)
        decide(second, "under_consideration", hr_lead, late + 2 * DAY)
    with on(late):
        decide(third, "not_adopted", hr_lead)
        decide(first, "partly_adopted", hr_lead)
        decide(hidden_input, "adopted", hr_lead)
        for participation in (told, other, protected):
            participation.refresh_from_db()
            actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    promise_actions.break_lapsed_promises(today=TODAY)
    return {"this_month": this_month, "early": early, "late": late, "engagement": engagement}


def test_trends_per_month_against_hand_built_data(hr_lead, admin):
    data = built(hr_lead)
    trend = trends(hr_lead, TODAY)
    assert len(trend.months) == 12 and trend.months[-1] == data["this_month"]
    tail = slice(-3, None)   # two months ago, last month, this month
    assert trend.inputs[tail] == [4, 0, 0]                 # the protected person's input counts, as on the page
    assert trend.decisions[tail] == [2, 3, 0]              # revisions are decisions made
    assert trend.reports[tail] == [0, 3, 0]                # the lead holds a grant on the protected person
    assert trend.share_decided[tail] == [50.0, 100.0, 100.0]
    ended = data["engagement"].ends_on
    assert trend.days_to_feedback[tail] == [None, (data["late"] - ended).days, None]
    assert trend.broken_promises[tail] == [0, 1, 0]
    assert sum(trend.inputs) == 4 and not any(trend.inputs[:-3])
    # The admin holds no grant on the protected person: their report is left out, their input still counts.
    unseen = trends(admin, TODAY)
    assert unseen.reports[tail] == [0, 2, 0] and unseen.inputs[tail] == [4, 0, 0]
    assert unseen.days_to_feedback[tail] == trend.days_to_feedback[tail]


def test_the_dashboard_draws_the_trends_and_counts_broken_promises(hr_lead, sign_in):
    built(hr_lead)
    page = sign_in(hr_lead).get("/").content.decode()
    for key in ("trend-activity", "trend-share-decided", "trend-days-to-feedback", "trend-broken-promises"):
        assert f'id="chart-{key}"' in page
    assert "Inputs, decisions and reports per month" in page and "as a table" in page
    metric = re.search(r'id="metric-broken-promises"><dt>Broken promises</dt><dd>(\d+)</dd>', page)
    assert metric and metric.group(1) == "1"
    assert "next step was due" in page


def test_the_dashboard_trends_take_the_same_queries_whatever_the_data(hr_lead, sign_in):
    client = sign_in(hr_lead)
    data = built(hr_lead)
    with CaptureQueriesContext(connection) as few:
        trends(hr_lead, TODAY)
    with CaptureQueriesContext(connection) as few_page:
        client.get("/")
    engagement = data["engagement"]
    for number in range(5):
        with on(data["early"] + number * DAY):
            item = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
            decide(item, "under_consideration", hr_lead, data["early"] + (number + 3) * DAY)
    promise_actions.break_lapsed_promises(today=TODAY)
    with CaptureQueriesContext(connection) as many:
        grown = trends(hr_lead, TODAY)
    with CaptureQueriesContext(connection) as many_page:
        client.get("/")
    assert sum(grown.broken_promises) == 6 and sum(grown.inputs) == 9
    assert len(many) == len(few) <= 12
    assert len(many_page) == len(few_page)
