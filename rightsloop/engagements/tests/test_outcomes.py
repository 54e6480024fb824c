"""The decision rules, as properties over every combination of fields."""

import datetime

from hypothesis import given
from hypothesis import strategies as st

from rightsloop.engagements.outcomes import MAX_CONSIDERATION_DAYS, decision_errors
from rightsloop.engagements.vocabulary import Outcome

TODAY = datetime.date(2026, 11, 22)
texts = st.one_of(st.just(""), st.just("   "), st.text(min_size=1, max_size=40))
dates = st.one_of(st.none(), st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2030, 12, 31)))


def blank(value: str) -> bool:
    return not value.strip()


@given(outcome=st.sampled_from(Outcome.values), rationale=texts, next_step=texts, due=dates)
def test_rules_hold_for_every_combination(outcome, rationale, next_step, due):
    errors = decision_errors(outcome=outcome, rationale=rationale, next_step=next_step, next_step_due=due,
                             today=TODAY)
    needs_rationale = outcome in (Outcome.NOT_ADOPTED, Outcome.PARTLY_ADOPTED)
    assert ("rationale" in errors) == (needs_rationale and blank(rationale))
    considering = outcome == Outcome.UNDER_CONSIDERATION
    assert ("next_step" in errors) == (considering and blank(next_step))
    bad_date = due is None or due < TODAY or due > TODAY + datetime.timedelta(days=MAX_CONSIDERATION_DAYS)
    assert ("next_step_due" in errors) == (considering and bad_date)
    assert set(errors) <= {"rationale", "next_step", "next_step_due"}


@given(rationale=texts, next_step=texts, due=dates)
def test_adopted_needs_nothing_more(rationale, next_step, due):
    assert decision_errors(outcome=Outcome.ADOPTED, rationale=rationale, next_step=next_step,
                           next_step_due=due, today=TODAY) == {}


@given(outcome=st.text(max_size=20).filter(lambda v: v not in Outcome.values))
def test_unknown_outcome_is_refused(outcome):
    assert set(decision_errors(outcome=outcome, rationale="r", next_step="n", next_step_due=TODAY,
                               today=TODAY)) == {"outcome"}


def test_messages_explain_what_is_missing():
    errors = decision_errors(outcome="not_adopted", rationale="", next_step="", next_step_due=None, today=TODAY)
    assert "rationale" in errors["rationale"]
    errors = decision_errors(outcome="under_consideration", rationale="", next_step="", next_step_due=None,
                             today=TODAY)
    assert set(errors) == {"next_step", "next_step_due"}
