"""The ledger's rules: amounts and currencies, the moves each state allows, who approves, no bank details,
declined offers left alone, totals per currency, and erasure that keeps the accounts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsloop.core.models import AuditEntry
from rightsloop.resourcing import actions, queries, subjects
from rightsloop.resourcing.models import PAYMENT_MOVES, Grant, Payment, PaymentState, Tranche
from rightsloop.resourcing.references import looks_like_bank_details
from rightsloop.stakeholders import actions as stakeholder_actions
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_grant, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(hr_lead):
    return make_stakeholder(hr_lead, name="Amina Njoroge")


def test_an_offer_is_recorded_and_audited(hr_lead, person):
    payment = make_payment(hr_lead, person, amount="120.5", currency="kes", basis="hours", quantity=Decimal("3"))
    payment.refresh_from_db()
    assert (payment.amount, payment.currency, payment.state, payment.quantity) == (
        Decimal("120.50"), "KES", "offered", Decimal("3.00"))
    entry = AuditEntry.objects.get(action="payment.offered")
    assert entry.target_id == str(payment.pk) and "Amina" not in entry.summary


@pytest.mark.parametrize(("field", "values"), [
    ("amount", {"amount": Decimal("0")}),
    ("amount", {"amount": Decimal("-5")}),
    ("amount", {"amount": Decimal("1.234")}),
    ("currency", {"currency": ""}),
    ("currency", {"currency": "ZZZ"}),
    ("currency", {"currency": "XXX"}),
    ("currency", {"currency": "DEM"}),  # withdrawn in 2002
    ("quantity", {"basis": "days", "quantity": None}),
    ("kind", {"kind": "bribe"}),
])
def test_bad_terms_are_refused_and_nothing_is_saved(hr_lead, person, field, values):
    with pytest.raises(ValidationError) as caught:
        make_payment(hr_lead, person, **values)
    assert field in caught.value.message_dict
    assert not Payment.objects.exists()


def test_the_whole_life_of_a_payment(hr_lead, person):
    payment = make_payment(hr_lead, person)
    for state in ("accepted", "approved"):
        payment = actions.move_payment(payment=payment, to=state, by=hr_lead)
    payment = actions.move_payment(payment=payment, to="paid", by=hr_lead, payment_reference="FIN-2026-0042",
                                   paid_on=datetime.date(2026, 3, 1))
    assert (payment.state, payment.payment_reference, payment.paid_on) == ("paid", "FIN-2026-0042",
                                                                           datetime.date(2026, 3, 1))
    assert list(AuditEntry.objects.filter(target_id=str(payment.pk), target_type="resourcing.payment")
                .order_by("sequence").values_list("action", flat=True)) == [
        "payment.offered", "payment.accepted", "payment.approved", "payment.paid"]


# Each example starts from a new offer, so sharing the member across examples is harmless.
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(PaymentState.values), min_size=1, max_size=4))
def test_only_the_allowed_moves_happen(hr_lead, person, path):
    payment = make_payment(hr_lead, person)
    for wanted in path:
        allowed = wanted in PAYMENT_MOVES[payment.state]
        try:
            payment = actions.move_payment(payment=payment, to=wanted, by=hr_lead, payment_reference="REF-1")
        except ValidationError:
            assert not allowed
            payment.refresh_from_db()
        else:
            assert allowed and payment.state == wanted


def test_only_approvers_approve_or_pay(hr_lead, auditor, person, monkeypatch):
    payment = actions.move_payment(payment=make_payment(hr_lead, person), to="accepted", by=hr_lead)
    monkeypatch.setattr(type(hr_lead), "can", lambda self, capability: capability != "payments.approve")
    with pytest.raises(PermissionDenied):
        actions.move_payment(payment=payment, to="approved", by=hr_lead)
    payment.refresh_from_db()
    assert payment.state == "accepted"


@pytest.mark.parametrize("reference", [
    "DE89 3704 0044 0532 0130 00",  # an IBAN
    "GB82-WEST-1234-5698-7654-32",
    "4111 1111 1111 1111",  # a card number
    "5500-0000-0000-0004",
    "",
])
def test_a_reference_that_is_bank_details_is_refused(hr_lead, person, reference):
    payment = make_payment(hr_lead, person)
    for state in ("accepted", "approved"):
        payment = actions.move_payment(payment=payment, to=state, by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.move_payment(payment=payment, to="paid", by=hr_lead, payment_reference=reference)
    assert "payment_reference" in caught.value.message_dict
    payment.refresh_from_db()
    assert payment.state == "approved" and payment.payment_reference == ""


@pytest.mark.parametrize("reference", ["FIN-2026-0042", "INV 12345", "1234567890123"])
def test_ordinary_references_pass(reference):
    assert not looks_like_bank_details(reference)


def test_a_declined_payment_is_final_and_never_counted(hr_lead, person):
    declined = actions.move_payment(payment=make_payment(hr_lead, person), to="declined", by=None)
    with pytest.raises(ValidationError):
        actions.move_payment(payment=declined, to="offered", by=hr_lead)
    with pytest.raises(ValidationError):
        actions.move_payment(payment=declined, to="accepted", by=hr_lead)
    assert queries.totals(hr_lead, queries.LedgerFilters()) == []
    assert AuditEntry.objects.get(action="payment.declined").summary == "offered → declined (in the portal)"


def test_totals_never_add_up_across_currencies(hr_lead, person):
    today = datetime.date(2026, 5, 1)
    make_payment(hr_lead, person, amount="100", currency="EUR", offered_on=today)
    accepted = make_payment(hr_lead, person, amount="50", currency="EUR", offered_on=today)
    actions.move_payment(payment=accepted, to="accepted", by=hr_lead)
    make_payment(hr_lead, person, amount="2000", currency="KES", offered_on=today)
    make_payment(hr_lead, person, amount="70", currency="EUR", offered_on=datetime.date(2025, 5, 1))
    rows = {(t.year, t.currency): t for t in queries.totals(hr_lead, queries.LedgerFilters())}
    assert set(rows) == {(2026, "EUR"), (2026, "KES"), (2025, "EUR")}
    assert (rows[(2026, "EUR")].offered, rows[(2026, "EUR")].committed) == (Decimal("100"), Decimal("50"))
    assert rows[(2026, "KES")].offered == Decimal("2000")


def test_grant_tranches_count_in_the_year_they_fall_due(hr_lead, person):
    grant = make_grant(hr_lead, person, tranches=((datetime.date(2026, 12, 1), "300"),
                                                  (datetime.date(2027, 6, 1), "700")))
    actions.move_grant(grant=grant, to="accepted", by=None)
    actions.move_grant(grant=grant, to="approved", by=hr_lead)
    first = grant.tranches.order_by("due_on").first()
    actions.move_tranche(tranche=first, to="approved", by=hr_lead)
    actions.move_tranche(tranche=first, to="paid", by=hr_lead, payment_reference="GR-1")
    rows = {t.year: t for t in queries.totals(hr_lead, queries.LedgerFilters())}
    assert (rows[2026].paid, rows[2027].committed) == (Decimal("300"), Decimal("700"))
    assert [t.year for t in queries.totals(hr_lead, queries.LedgerFilters(year=2027))] == [2027]


def test_a_tranche_waits_for_its_grant(hr_lead, person):
    grant = make_grant(hr_lead, person)
    with pytest.raises(ValidationError):
        actions.move_tranche(tranche=grant.tranches.first(), to="approved", by=hr_lead)


def test_a_grant_without_tranches_or_with_a_bad_one_is_refused(hr_lead, person):
    with pytest.raises(ValidationError) as caught:
        make_grant(hr_lead, person, tranches=())
    assert "tranches" in caught.value.message_dict
    with pytest.raises(ValidationError):
        make_grant(hr_lead, person, tranches=((datetime.date(2027, 1, 1), "-1"),))
    assert not Grant.objects.exists() and not Tranche.objects.exists()


def test_cancelling_a_grant_cancels_its_unpaid_tranches(hr_lead, person):
    grant = actions.move_grant(grant=make_grant(hr_lead, person), to="cancelled", by=hr_lead)
    assert set(grant.tranches.values_list("state", flat=True)) == {"cancelled"}


def test_erasure_keeps_the_accounts_but_not_the_person(hr_lead, person, tmp_path, settings):
    settings.RIGHTSLOOP_ERASURE_LOG = str(tmp_path / "erasures.jsonl")
    payment = make_payment(hr_lead, person, description="Amina's talk on her village")
    grant = make_grant(hr_lead, person, purpose="Amina's network")
    assert subjects.export(person)["payments"][0]["description"] == "Amina's talk on her village"
    stakeholder_actions.erase_stakeholder(stakeholder=person, reason="asked to be forgotten", by=hr_lead)
    payment.refresh_from_db()
    grant.refresh_from_db()
    assert (payment.amount, payment.currency, payment.description) == (Decimal("150.00"), "EUR", "")
    assert grant.purpose == "" and grant.tranches.count() == 2
    person.refresh_from_db()
    assert queries.ledger_name(person) != "Amina Njoroge"


def test_a_payment_under_an_agreement_is_for_its_stakeholder(hr_lead, person):
    from rightsloop.relationships import agreements as agreement_actions

    today = datetime.date.today()
    terms = agreement_actions.AgreementTerms(starts_on=today, review_on=today + datetime.timedelta(days=365))
    agreement = agreement_actions.create_agreement(stakeholder=person, by=hr_lead, terms=terms)
    payment = make_payment(hr_lead, person, agreement=agreement)
    assert payment.agreement == agreement
    someone_else = make_stakeholder(hr_lead, name="Someone else")
    with pytest.raises(ValidationError) as caught:
        make_payment(hr_lead, someone_else, agreement=agreement)
    assert "agreement" in caught.value.message_dict
