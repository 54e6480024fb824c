"""The self-check's figures against a hand-built quarter of cases (Q4 2026, read on 15 December 2026)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.grievances import selfcheck
from rightsloop.grievances.selfcheck import BadPeriod, Period, parse_period
from rightsloop.grievances.vocabulary import (
    Channel,
    Criterion,
    Mode,
    RemedyType,
    Satisfaction,
    Stage,
)

from .factories_selfcheck import appeal, at, exclude_handler, make_case, message, move, quarter_of_cases

TODAY = datetime.date(2026, 12, 15)
Q4 = Period(2026, 4)


def figure(check, criterion, key):
    return next(found for found in check.criterion(criterion).figures if found.key == key)


def parts(found):
    return {part.key: part.value for part in found.parts}


@pytest.fixture
def handlers(organisation):
    return [make_member(organisation, Role.HR_LEAD).user for _n in range(3)]


@pytest.fixture
def quarter(organisation, hr_lead, handlers):
    return quarter_of_cases(organisation, hr_lead, handlers)


@pytest.fixture
def check(organisation, quarter):
    return selfcheck.self_check(organisation, Q4, today=TODAY)


# Periods ------------------------------------------------------------------------------------------------------

def test_periods_are_read_from_a_quarter_or_a_year():
    assert parse_period("2026-Q4") == Period(2026, 4)
    assert parse_period(" 2026-q1 ") == Period(2026, 1)
    assert parse_period("2026") == Period(2026)
    assert parse_period("", today=datetime.date(2026, 5, 9)) == Period(2026, 2)
    assert parse_period(None, today=datetime.date(2026, 12, 31)) == Period(2026, 4)
    assert (Period(2026, 4).start, Period(2026, 4).end) == (datetime.date(2026, 10, 1), datetime.date(2027, 1, 1))
    assert (Period(2026, 1).start, Period(2026, 1).end) == (datetime.date(2026, 1, 1), datetime.date(2026, 4, 1))
    assert (Period(2026).start, Period(2026).end) == (datetime.date(2026, 1, 1), datetime.date(2027, 1, 1))
    assert [p.code for p in Period(2026, 2).quarters_back(3)] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert Period(2026, 1).previous() == Period(2025, 4) and Period(2026, 4).next() == Period(2027, 1)


@pytest.mark.parametrize("text", ["2026-Q5", "2026-Q0", "26", "Q4", "2026-Q4x", "1999", "3000", "2026-4",
                                  "২০২৬", "2026\x00", "-2026", "2026-Q"])
def test_a_bad_period_is_refused(text):
    with pytest.raises(BadPeriod):
        parse_period(text)


# The figures ---------------------------------------------------------------------------------------------------

def test_legitimate(check):
    conflicts = figure(check, Criterion.LEGITIMATE, "conflicts_respected")
    # B/h1 and A/h3 kept out and not handling; E/h2 kept out but still its handler; M's exclusion is the appeal's.
    assert (conflicts.numerator, conflicts.denominator) == (2, 3)
    appeals = figure(check, Criterion.LEGITIMATE, "appeals_independent")
    assert (appeals.numerator, appeals.denominator) == (1, 3)
    assert "Awaiting a new handler: 1." in appeals.reading
    assert "Still its handler despite that: 1." in conflicts.reading
    handled = figure(check, Criterion.LEGITIMATE, "handled")
    assert (handled.numerator, handled.denominator) == (4, 5)  # A, B, D, E; not C
    assert "2 different people" in handled.reading
    assert "7 days" in figure(check, Criterion.LEGITIMATE, "deadlines_published").shown


def test_accessible(check):
    received = figure(check, Criterion.ACCESSIBLE, "received")
    assert received.value == 5  # A (at midnight opening the quarter) to E; F, a second before, is Q3's
    assert parts(received) == {Channel.WEB: 3, Channel.HOTLINE: 1, Channel.SMS: 1}
    languages = figure(check, Criterion.ACCESSIBLE, "languages")
    assert languages.value == 4 and parts(languages) == {"en": 2, "sw": 1, "fr": 1, "es": 1}
    assert parts(figure(check, Criterion.ACCESSIBLE, "interface_languages")) == {"es": 1, "": 4}
    south = figure(check, Criterion.ACCESSIBLE, "global_south")
    assert (south.numerator, south.denominator) == (3, 4)  # Kenya thrice, of the four that say where
    assert parts(south) == {"002": 3, "150": 1}
    at_risk = figure(check, Criterion.ACCESSIBLE, "at_risk")
    assert (at_risk.numerator, at_risk.denominator) == (2, 5)
    assert parts(at_risk) == {"journalist": 2, "child": 1}
    anonymous = figure(check, Criterion.ACCESSIBLE, "anonymous")
    assert (anonymous.numerator, anonymous.denominator) == (3, 5)
    assert parts(anonymous) == {Mode.ANONYMOUS: 3, Mode.CONFIDENTIAL: 1, Mode.NAMED: 1}
    assert figure(check, Criterion.ACCESSIBLE, "on_behalf").numerator == 1
    staff = figure(check, Criterion.ACCESSIBLE, "staff_concerns")
    assert staff.value == 1 and "1 of them fed a salient risk" in staff.reading


def test_predictable(check):
    acknowledged = figure(check, Criterion.PREDICTABLE, "acknowledged_in_time")
    # Due in Q4: A, B (late), C (never), D, F (received in Q3, due in Q4); E is not due until the 21st.
    assert (acknowledged.numerator, acknowledged.denominator) == (3, 5)
    answered = figure(check, Criterion.PREDICTABLE, "answered_in_time")
    # Due in Q4: A (answered before its due date, 30 Dec), H, K, L in time; I late, J never; F not due yet.
    assert (answered.numerator, answered.denominator) == (4, 6)
    # Answered in Q4, in days from receipt: L 26, A 31.5, K 65, H 75, I 97.
    assert figure(check, Criterion.PREDICTABLE, "days_to_answer").value == 65.0
    per_stage = figure(check, Criterion.PREDICTABLE, "days_per_stage")
    assert parts(per_stage) == {Stage.RECEIVED: 5.0, Stage.ACKNOWLEDGED: 3.5, Stage.ASSESSING: 10.0,
                                Stage.INVESTIGATING: 12.0}
    assert per_stage.value == 12.0
    overdue = figure(check, Criterion.PREDICTABLE, "overdue_now")
    assert overdue.value == 2  # C (acknowledgement) and J (response)


def test_a_stage_median_reads_only_the_latest_stays(organisation, quarter, monkeypatch):
    monkeypatch.setattr(selfcheck, "MEDIAN_SAMPLE", 2)
    sampled = selfcheck.self_check(organisation, Q4, today=TODAY)
    # The two latest stays in "received" to end in Q4: D's (1 day, 2 Dec) and B's (17 days, 20 Oct).
    assert parts(figure(sampled, Criterion.PREDICTABLE, "days_per_stage"))[Stage.RECEIVED] == 9.0


def test_equitable(check):
    supported = figure(check, Criterion.EQUITABLE, "supported")
    assert (supported.numerator, supported.denominator) == (2, 5)  # B (on behalf) and C (an adviser)
    both = figure(check, Criterion.EQUITABLE, "messages_both_ways")
    assert (both.numerator, both.denominator) == (1, 5)
    remedies = figure(check, Criterion.EQUITABLE, "remedies")
    assert remedies.value == 2 and parts(remedies) == {RemedyType.CHANGE: 1, RemedyType.COMPENSATION: 1}


def test_transparent(check):
    told = figure(check, Criterion.TRANSPARENT, "told_of_stages")
    assert (told.numerator, told.denominator) == (4, 8)  # the intake's own row of B is not a change
    outcome = figure(check, Criterion.TRANSPARENT, "outcome_given")
    assert (outcome.numerator, outcome.denominator) == (2, 3)  # H (outcome), K (reasons); L gave none
    satisfaction = figure(check, Criterion.TRANSPARENT, "satisfaction_answered")
    assert (satisfaction.numerator, satisfaction.denominator) == (2, 3)
    seen = figure(check, Criterion.TRANSPARENT, "messages_seen")
    assert (seen.numerator, seen.denominator) == (1, 2)


def test_rights_compatible(check):
    reviewed = figure(check, Criterion.RIGHTS_COMPATIBLE, "rights_reviewed")
    assert (reviewed.numerator, reviewed.denominator) == (2, 3)  # H, L; not K. M was finished in Q3.
    satisfied = figure(check, Criterion.RIGHTS_COMPATIBLE, "satisfied")
    assert (satisfied.numerator, satisfied.denominator) == (1, 2)
    assert parts(satisfied) == {Satisfaction.SATISFIED: 1, Satisfaction.NOT_SATISFIED: 1}
    disputes = figure(check, Criterion.RIGHTS_COMPATIBLE, "disputes")
    assert (disputes.numerator, disputes.denominator) == (1, 2)
    assert "1 action stands disputed today" in disputes.reading
    at_stake = figure(check, Criterion.RIGHTS_COMPATIBLE, "rights_at_stake")
    assert at_stake.value == 2 and parts(at_stake) == {"privacy": 2, "freedom_of_expression": 1}


def test_continuous_learning(check):
    changed = figure(check, Criterion.CONTINUOUS_LEARNING, "changed_register")
    assert (changed.numerator, changed.denominator) == (2, 5)  # D (a risk), B (a change of product)
    # Messenger (2 cases), Kenya (3), privacy (2), Messenger in Kenya (2).
    assert figure(check, Criterion.CONTINUOUS_LEARNING, "recurring_themes").value == 4


def test_engagement(check):
    assert figure(check, Criterion.ENGAGEMENT, "mechanism_engagements").value == 1
    plans = figure(check, Criterion.ENGAGEMENT, "plans_with_proposals")
    assert (plans.numerator, plans.denominator) == (1, 2)
    answering = figure(check, Criterion.ENGAGEMENT, "actions_answering_proposals")
    assert (answering.numerator, answering.denominator) == (1, 2)
    confirmations = figure(check, Criterion.ENGAGEMENT, "confirmations")
    assert confirmations.value == 2 and confirmations.reading.startswith("1 through")


def test_the_year_holds_its_quarters(organisation, quarter):
    year = selfcheck.self_check(organisation, Period(2026), today=TODAY)
    assert figure(year, Criterion.ACCESSIBLE, "received").value == 13
    appeals = figure(year, Criterion.LEGITIMATE, "appeals_independent")
    assert (appeals.numerator, appeals.denominator) == (2, 4)


def test_a_period_without_cases_says_so(organisation, quarter):
    empty = selfcheck.self_check(organisation, Period(2025, 1), today=TODAY)
    acknowledged = figure(empty, Criterion.PREDICTABLE, "acknowledged_in_time")
    assert acknowledged.value is None and acknowledged.shown == "—"
    assert acknowledged.reading == "No acknowledgement fell due in this period."
    assert figure(empty, Criterion.PREDICTABLE, "days_per_stage").value is None


def test_another_organisations_cases_are_not_counted(other_organisation, quarter):
    theirs = selfcheck.self_check(other_organisation, Q4, today=TODAY)
    assert figure(theirs, Criterion.ACCESSIBLE, "received").value == 0
    assert figure(theirs, Criterion.LEGITIMATE, "appeals_independent").denominator == 0
    assert figure(theirs, Criterion.ENGAGEMENT, "confirmations").value == 0


# The trend -------------------------------------------------------------------------------------------------------

def test_the_trend_shows_eight_quarters_of_each_headline(check):
    assert [p.code for p in check.quarters] == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2",
                                                "2026-Q3", "2026-Q4"]
    points = {item.criterion: item.trend.points for item in check.criteria}
    assert [p.value for p in points[Criterion.ACCESSIBLE]] == [0, 0, 0, 0, 0, 2, 6, 5]
    q3, q4 = points[Criterion.LEGITIMATE][-2:]
    assert (q3.numerator, q3.denominator, q4.numerator, q4.denominator) == (1, 1, 1, 3)
    assert (points[Criterion.PREDICTABLE][-1].numerator, points[Criterion.PREDICTABLE][-1].denominator) == (3, 5)
    # Q3's acknowledgements: H, I (late), J, K, L, and N? (received in June, due in June): five due, one late.
    assert (points[Criterion.PREDICTABLE][-2].numerator, points[Criterion.PREDICTABLE][-2].denominator) == (4, 5)
    assert [p.value for p in points[Criterion.ENGAGEMENT]][-3:] == [1, 0, 1]
    q3, q4 = points[Criterion.RIGHTS_COMPATIBLE][-2:]
    assert (q3.numerator, q3.denominator, q4.numerator, q4.denominator) == (1, 1, 2, 3)
    for item in check.criteria:  # each headline's last point is the period's own figure
        headline = figure(check, item.criterion, item.trend.key)
        assert item.trend.points[-1].value == headline.value, item.criterion


def test_a_past_year_trends_to_its_last_quarter_and_a_future_one_stops_at_today(organisation):
    assert selfcheck.self_check(organisation, Period(2025), today=TODAY).quarters[-1] == Period(2025, 4)
    assert selfcheck.self_check(organisation, Period(2028, 2), today=TODAY).quarters[-1] == Period(2026, 4)


# Cost -------------------------------------------------------------------------------------------------------------

def test_the_number_of_queries_does_not_grow_with_the_cases(organisation, quarter, handlers):
    with CaptureQueriesContext(connection) as few:
        selfcheck.self_check(organisation, Q4, today=TODAY)
    for n in range(30):  # thirty more cases of every kind, in the same stages
        case = make_case(organisation, received=f"2026-11-{n % 28 + 1:02d}", language=["en", "pt", "ar"][n % 3],
                         country=["KE", "BR", "IN"][n % 3], channel=Channel.values[n % len(Channel.values)],
                         at_risk=["child"], rights=["health"], handler=handlers[n % 3],
                         acknowledged_at=at("2026-11-28"))
        case.stage = Stage.RECEIVED
        move(case, Stage.ACKNOWLEDGED, at("2026-11-28"), note="Seen")
        message(case, when=at("2026-11-29"), seen=bool(n % 2))
        appeal(case, previous=handlers[0], new=handlers[1], when=at("2026-12-01"))
        exclude_handler(case, handlers[2], at("2026-12-01"))
    with CaptureQueriesContext(connection) as many:
        selfcheck.self_check(organisation, Q4, today=TODAY)
    assert len(many.captured_queries) == len(few.captured_queries) <= 45
