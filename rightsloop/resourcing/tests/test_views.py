"""The ledger's staff pages: list, filters, totals, offers and moves, exports; protected people kept protected."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from openpyxl import load_workbook

from rightsloop.resourcing import actions
from rightsloop.resourcing.models import Grant, Payment
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_grant, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(hr_lead):
    return {
        "normal": make_stakeholder(hr_lead, name="Amina Njoroge"),
        "elevated": make_stakeholder(hr_lead, name="Baraka Otieno", safety_level="elevated"),
        "high": make_stakeholder(hr_lead, name="Chidi Defender", safety_level="high"),
    }


def test_the_ledger_lists_payments_and_grants_in_few_queries(hr_lead, people, sign_in, django_assert_max_num_queries):
    for _ in range(12):
        make_payment(hr_lead, people["normal"])
        make_grant(hr_lead, people["normal"])
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("resourcing:ledger"))
    assert response.status_code == 200
    assert "Amina Njoroge" in response.content.decode()


def test_totals_page_in_few_queries(hr_lead, people, sign_in, django_assert_max_num_queries):
    for person in people.values():
        for currency in ("EUR", "KES", "USD"):
            make_payment(hr_lead, person, currency=currency)
        make_grant(hr_lead, person)
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("resourcing:totals"))
    assert response.status_code == 200


def test_protected_people_are_pseudonyms_or_absent(hr_lead, auditor, people, sign_in):
    for person in people.values():
        make_payment(hr_lead, person, description=f"for {person.name}")
    for viewer, sees_high in ((hr_lead, True), (auditor, False)):
        page = sign_in(viewer).get(reverse("resourcing:ledger")).content.decode()
        assert "Amina Njoroge" in page
        assert "Baraka Otieno" not in page and pseudonym(people["elevated"].pk) in page
        assert "Chidi Defender" not in page
        assert (pseudonym(people["high"].pk) in page) is sees_high
        for fmt in ("csv", "xlsx"):
            body = sign_in(viewer).get(reverse("resourcing:export"), {"format": fmt}).content
            text = body.decode("utf-8-sig") if fmt == "csv" else str(
                list(load_workbook(io.BytesIO(body), read_only=True).active.iter_rows(values_only=True)))
            assert "Baraka Otieno" not in text and "Chidi Defender" not in text
            assert pseudonym(people["elevated"].pk) in text
            assert (pseudonym(people["high"].pk) in text) is sees_high


def test_a_payment_of_a_hidden_person_is_not_found(hr_lead, auditor, people, sign_in):
    payment = make_payment(hr_lead, people["high"])
    assert sign_in(auditor).get(reverse("resourcing:payment", args=[payment.pk])).status_code == 404
    assert sign_in(hr_lead).get(reverse("resourcing:payment", args=[payment.pk])).status_code == 200


def test_export_guards_against_formulas(hr_lead, sign_in):
    person = make_stakeholder(hr_lead, name="=HYPERLINK(\"http://evil\")")
    make_payment(hr_lead, person, description="x")
    body = sign_in(hr_lead).get(reverse("resourcing:export"), {"format": "csv"}).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows[0]["stakeholder"].startswith("'=")
    assert sign_in(hr_lead).get(reverse("resourcing:export"), {"format": "pdf"}).status_code == 400


def test_filters_narrow_the_list(hr_lead, people, sign_in):
    make_payment(hr_lead, people["normal"], currency="KES", amount="777", offered_on=datetime.date(2025, 2, 1))
    make_payment(hr_lead, people["normal"], currency="EUR", amount="888")
    client = sign_in(hr_lead)
    page = client.get(reverse("resourcing:ledger"), {"currency": "KES", "year": "2025"}).content.decode()
    assert "777" in page and "888" not in page
    assert client.get(reverse("resourcing:ledger"), {"year": "abc", "stakeholder": "-1"}).status_code == 200


def test_offer_from_the_stakeholder_page(hr_lead, people, sign_in):
    client = sign_in(hr_lead)
    person = people["normal"]
    # The panel the stakeholder's page includes (rendered alone: that page also carries other apps' panels).
    panel = Template("{% load resourcing %}{% payments_panel stakeholder %}").render(
        Context({"viewer": hr_lead, "stakeholder": person}))
    assert reverse("resourcing:payment-create", args=[person.pk]) in panel
    url = reverse("resourcing:payment-create", args=[person.pk])
    bad = client.post(url, {"kind": "compensation", "amount": "-10", "currency": "EUR", "basis": "flat",
                            "offered_on": "2026-01-01"})
    assert bad.status_code == 400 and "more than zero" in bad.content.decode()
    missing = client.post(url, {"kind": "compensation", "amount": "10", "currency": "", "basis": "flat",
                                "offered_on": "2026-01-01"})
    assert missing.status_code == 400
    assert not Payment.objects.exists()
    good = client.post(url, {"kind": "honorarium", "amount": "250", "currency": "EUR", "basis": "days",
                             "quantity": "2", "offered_on": "2026-01-01"})
    payment = Payment.objects.get()
    assert good.status_code == 302 and payment.amount == Decimal("250") and payment.quantity == Decimal("2")


def test_moves_on_the_payment_page(hr_lead, people, sign_in):
    client = sign_in(hr_lead)
    payment = make_payment(hr_lead, people["normal"])
    move = reverse("resourcing:payment-move", args=[payment.pk])
    assert client.post(move, {"to": "paid", "payment_reference": "X"}).status_code == 400
    for state in ("accepted", "approved"):
        assert client.post(move, {"to": state}).status_code == 302
    iban = client.post(move, {"to": "paid", "payment_reference": "DE89370400440532013000"})
    assert iban.status_code == 400 and "bank details" in iban.content.decode()
    assert client.post(move, {"to": "paid", "payment_reference": "FIN-9", "paid_on": "2026-01-02"}).status_code == 302
    payment.refresh_from_db()
    assert payment.state == "paid"


def test_grant_pages(hr_lead, people, sign_in):
    client = sign_in(hr_lead)
    person = people["normal"]
    url = reverse("resourcing:grant-create", args=[person.pk])
    bad = client.post(url, {"funder": "F", "purpose": "P", "currency": "KES", "offered_on": "2026-01-01",
                            "schedule": "2027-01-01 -5"})
    assert bad.status_code == 400 and not Grant.objects.exists()
    garbled = client.post(url, {"funder": "F", "purpose": "P", "currency": "KES", "offered_on": "2026-01-01",
                                "schedule": "next year lots"})
    assert garbled.status_code == 400
    assert client.post(url, {"funder": "F", "purpose": "P", "currency": "KES", "offered_on": "2026-01-01",
                             "schedule": "2027-01-01 500\n2027-06-01 500"}).status_code == 302
    grant = Grant.objects.get()
    assert grant.tranches.count() == 2
    page = client.get(reverse("resourcing:grant", args=[grant.pk]))
    assert page.status_code == 200
    for state in ("accepted", "approved"):
        assert client.post(reverse("resourcing:grant-move", args=[grant.pk]), {"to": state}).status_code == 302
    tranche = grant.tranches.first()
    move = reverse("resourcing:tranche-move", args=[grant.pk, tranche.pk])
    assert client.post(move, {"to": "approved"}).status_code == 302
    assert client.post(move, {"to": "paid", "payment_reference": "4111111111111111"}).status_code == 400
    assert client.post(move, {"to": "paid", "payment_reference": "GR-1"}).status_code == 302
    assert client.post(reverse("resourcing:tranche-add", args=[grant.pk]),
                       {"due_on": "2028-01-01", "amount": "0"}).status_code == 400
    assert grant.tranches.count() == 2


def test_an_auditor_reads_but_does_not_change(auditor, hr_lead, people, sign_in):
    payment = make_payment(hr_lead, people["normal"])
    client = sign_in(auditor)
    assert client.get(reverse("resourcing:payment", args=[payment.pk])).status_code == 200
    assert client.post(reverse("resourcing:payment-move", args=[payment.pk]), {"to": "accepted"}).status_code == 403
    assert client.get(reverse("resourcing:payment-create", args=[people["normal"].pk])).status_code == 403


def test_declined_is_shown_as_respected(hr_lead, people, sign_in):
    payment = actions.move_payment(payment=make_payment(hr_lead, people["normal"]), to="declined", by=None)
    page = sign_in(hr_lead).get(reverse("resourcing:payment", args=[payment.pk])).content.decode()
    assert "respected answer" in page and "Record as paid" not in page


def test_totals_page_a_page_of_stakeholders_with_every_currency_summed_on_top(
        hr_lead, sign_in, settings, django_assert_max_num_queries):
    settings.RIGHTSLOOP_PAGE_SIZE = 2
    for number in range(5):
        person = make_stakeholder(hr_lead, name=f"Payee {number}")
        make_payment(hr_lead, person, amount=Decimal("100.00"), currency="EUR")
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("resourcing:totals"))
    page = response.content.decode()
    assert response.status_code == 200
    assert sum(f"Payee {n}<" in page for n in range(5)) == 2  # one page of people
    assert "€500.00" in page or "500.00" in page  # the per-currency line adds up all five
    assert "Page 1 of 3" in page
    with django_assert_max_num_queries(14):  # the same queries on every page, whatever the number of people
        last = client.get(reverse("resourcing:totals"), {"page": 3}).content.decode()
    assert sum(f"Payee {n}<" in last for n in range(5)) == 1


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "99999", "1e9", ""])
def test_totals_page_survives_a_bad_page_number(hr_lead, people, sign_in, bad):
    make_payment(hr_lead, people["normal"])
    assert sign_in(hr_lead).get(reverse("resourcing:totals"), {"page": bad}).status_code == 200
