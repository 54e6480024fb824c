"""/api/v1/payments and /api/v1/grants: the same rules as the pages, 400 for bad input, 404 for foreign ids."""

import pytest

from rightsloop.resourcing.models import Grant, Payment
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_grant, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(hr_lead):
    return make_stakeholder(hr_lead, name="Amina Njoroge")


def offer(person, **fields):
    return {"stakeholder_id": person.pk, "kind": "compensation", "amount": "150.00", "currency": "EUR", **fields}


def test_offer_read_move_and_total(api, hr_lead, person):
    client = api(hr_lead)
    created = client.post("/api/v1/payments", offer(person, basis="hours", quantity="3"))
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["amount"], body["state"], body["stakeholder"]) == ("150.00", "offered", "Amina Njoroge")
    pk = body["id"]
    assert client.get(f"/api/v1/payments/{pk}").json()["quantity"] == "3.00"
    assert client.patch(f"/api/v1/payments/{pk}", {"amount": "175"}).json()["amount"] == "175.00"
    for state in ("accepted", "approved"):
        assert client.post(f"/api/v1/payments/{pk}/transition", {"to": state}).status_code == 200
    paid = client.post(f"/api/v1/payments/{pk}/transition", {"to": "paid", "payment_reference": "FIN-1"})
    assert paid.json()["state"] == "paid"
    totals = client.get("/api/v1/payments/totals").json()
    assert totals["per_stakeholder"][0]["paid"] == "175.00" and totals["per_currency"][0]["currency"] == "EUR"
    listed = client.get("/api/v1/payments", {"currency": "EUR", "state": "paid"}).json()
    assert listed["count"] == 1


@pytest.mark.parametrize(("fields", "error"), [
    ({"amount": "-1"}, "amount"),
    ({"amount": "0"}, "amount"),
    ({"currency": "ZZZ"}, "currency"),
    ({"currency": ""}, "currency"),
    ({"kind": "bribe"}, "kind"),
    ({"amount": "abc"}, "amount"),
])
def test_bad_input_is_400_and_saves_nothing(api, hr_lead, person, fields, error):
    response = api(hr_lead).post("/api/v1/payments", offer(person, **fields))
    assert response.status_code == 400, response.content
    assert error in response.json()["errors"]
    assert not Payment.objects.exists()


def test_missing_currency_is_400(api, hr_lead, person):
    body = offer(person)
    del body["currency"]
    assert api(hr_lead).post("/api/v1/payments", body).status_code == 400


def test_a_wrong_move_is_400(api, hr_lead, person):
    payment = make_payment(hr_lead, person)
    client = api(hr_lead)
    response = client.post(f"/api/v1/payments/{payment.pk}/transition", {"to": "paid", "payment_reference": "R"})
    assert response.status_code == 400 and "state" in response.json()["errors"]
    assert client.post(f"/api/v1/payments/{payment.pk}/transition", {"to": "nonsense"}).status_code == 400


def test_foreign_ids_are_404(api, hr_lead, outsider, person):
    payment = make_payment(hr_lead, person)
    grant = make_grant(hr_lead, person)
    client = api(outsider)
    assert client.get(f"/api/v1/payments/{payment.pk}").status_code == 404
    assert client.post(f"/api/v1/payments/{payment.pk}/transition", {"to": "accepted"}).status_code == 404
    assert client.get(f"/api/v1/grants/{grant.pk}").status_code == 404
    assert client.post("/api/v1/payments", offer(person)).status_code == 404
    assert client.get("/api/v1/payments").json()["count"] == 0
    tranche = grant.tranches.first()
    assert api(hr_lead).post(f"/api/v1/grants/{make_grant(hr_lead, person).pk}/tranches/{tranche.pk}/transition",
                             {"to": "cancelled"}).status_code == 404


def test_grants_through_the_api(api, hr_lead, person):
    client = api(hr_lead)
    bad = client.post("/api/v1/grants", {"grantee_id": person.pk, "funder": "F", "purpose": "P", "currency": "KES",
                                         "tranches": [{"due_on": "2027-01-01", "amount": "-5"}]})
    assert bad.status_code == 400 and not Grant.objects.exists()
    created = client.post("/api/v1/grants", {"grantee_id": person.pk, "funder": "F", "purpose": "P",
                                             "currency": "KES", "tranches": [
                                                 {"due_on": "2027-01-01", "amount": "500"},
                                                 {"due_on": "2027-06-01", "amount": "500"}]})
    assert created.status_code == 201
    grant = created.json()
    assert [t["amount"] for t in grant["tranches"]] == ["500.00", "500.00"]
    for state in ("accepted", "approved"):
        assert client.post(f"/api/v1/grants/{grant['id']}/transition", {"to": state}).status_code == 200
    tranche = grant["tranches"][0]["id"]
    url = f"/api/v1/grants/{grant['id']}/tranches/{tranche}/transition"
    assert client.post(url, {"to": "approved"}).status_code == 200
    assert client.post(url, {"to": "paid", "payment_reference": "GB82WEST12345698765432"}).status_code == 400
    assert client.post(url, {"to": "paid", "payment_reference": "GR-7"}).json()["state"] == "paid"
    assert client.post(f"/api/v1/grants/{grant['id']}/tranches", {"due_on": "2028-01-01", "amount": "1"}
                       ).status_code == 201
    assert client.get("/api/v1/grants").json()["count"] == 1


def test_protected_people_through_the_api(api, hr_lead, auditor):
    elevated = make_stakeholder(hr_lead, name="Baraka Otieno", safety_level="elevated")
    high = make_stakeholder(hr_lead, name="Chidi Defender", safety_level="high")
    make_payment(hr_lead, elevated)
    hidden = make_payment(hr_lead, high)
    listed = api(auditor).get("/api/v1/payments").json()["items"]
    assert [row["stakeholder"] for row in listed] == [pseudonym(elevated.pk)]
    assert api(auditor).get(f"/api/v1/payments/{hidden.pk}").status_code == 404
    assert api(hr_lead).get(f"/api/v1/payments/{hidden.pk}").json()["stakeholder"] == pseudonym(high.pk)


def test_roles_without_the_ledger_are_refused(api, board, auditor, hr_lead, person):
    payment = make_payment(hr_lead, person)
    assert api(board).get("/api/v1/payments").status_code == 403
    assert api(board).get(f"/api/v1/payments/{payment.pk}").status_code == 403
    assert api(auditor).post(f"/api/v1/payments/{payment.pk}/transition", {"to": "accepted"}).status_code == 403
