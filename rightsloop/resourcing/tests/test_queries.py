"""Totals are sums per currency of exactly the rows that count, and lists cost the same at any length."""

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsloop.resourcing import actions, queries
from rightsloop.resourcing.models import Payment
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_grant, make_payment

pytestmark = pytest.mark.django_db

offers = st.lists(st.tuples(
    st.sampled_from(["EUR", "KES", "USD"]),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000"), places=2),
    st.sampled_from([(), ("accepted",), ("declined",), ("cancelled",), ("accepted", "approved"),
                     ("accepted", "approved", "paid")]),
    st.sampled_from([2025, 2026]),
), min_size=1, max_size=8)


# Each example offers new rows and compares with its own expectation, computed from the rows it made.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=offers)
def test_totals_are_per_currency_sums_of_what_counts(hr_lead, rows):
    Payment.objects.all().delete()
    person = make_stakeholder(hr_lead)
    want: dict[tuple[int, str], dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for currency, amount, moves, year in rows:
        payment = make_payment(hr_lead, person, currency=currency, amount=amount,
                               offered_on=datetime.date(year, 3, 1))
        for state in moves:
            payment = actions.move_payment(payment=payment, to=state, by=hr_lead, payment_reference="REF-1")
        bucket = {"offered": "offered", "accepted": "committed", "approved": "committed", "paid": "paid"}.get(
            payment.state)
        if bucket:
            want[(year, currency)][bucket] += amount
    got = {(t.year, t.currency): {b: getattr(t, b) for b in ("offered", "committed", "paid") if getattr(t, b)}
           for t in queries.totals(hr_lead, queries.LedgerFilters(stakeholder=person.pk))}
    assert got == {key: {b: v for b, v in buckets.items() if v} for key, buckets in want.items()}


def test_api_lists_cost_the_same_at_any_length(api, hr_lead, django_assert_max_num_queries):
    person = make_stakeholder(hr_lead)
    client = api(hr_lead)
    make_payment(hr_lead, person)
    make_grant(hr_lead, person)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/payments")
        client.get("/api/v1/grants")
    for _ in range(10):
        make_payment(hr_lead, make_stakeholder(hr_lead))
        make_grant(hr_lead, person)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/api/v1/payments").json()["count"] == 11
        assert client.get("/api/v1/grants").json()["count"] == 11


def test_years_run_from_the_first_offer_to_the_last_without_hidden_people(hr_lead, auditor):
    person = make_stakeholder(hr_lead, name="Amina Njoroge")
    hidden = make_stakeholder(hr_lead, name="Chidi Defender", safety_level="high")
    assert queries.years(hr_lead) == []
    make_payment(hr_lead, person, offered_on=datetime.date(2024, 3, 1))
    make_payment(hr_lead, person, offered_on=datetime.date(2026, 5, 1))
    make_payment(hr_lead, hidden, offered_on=datetime.date(2030, 5, 1))
    assert queries.years(hr_lead) == [2030, 2029, 2028, 2027, 2026, 2025, 2024]
    assert queries.years(auditor) == [2026, 2025, 2024]
