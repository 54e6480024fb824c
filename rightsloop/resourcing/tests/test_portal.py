"""The stakeholder's payments in the portal: their own only, an offer accepted or declined without a reason."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rightsloop.core.models import AuditEntry
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_grant, make_payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(hr_lead):
    return make_stakeholder(hr_lead, name="Amina Njoroge")


def test_the_stakeholder_sees_and_answers_their_offers(client, hr_lead, person, django_assert_max_num_queries):
    payment = make_payment(hr_lead, person, description="Your workshop day")
    declined = make_payment(hr_lead, person, currency="KES", amount="9000")
    grant = make_grant(hr_lead, person)
    open_portal(client, person)
    # The portal's shell (session, menu) costs what it costs; more payments and grants must cost nothing more.
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("portal:payments:index"))
    for _ in range(8):
        make_payment(hr_lead, person)
        make_grant(hr_lead, person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("portal:payments:index"))
    assert page.status_code == 200 and "Your workshop day" in page.content.decode()
    assert len(page.content) < 50_000
    assert client.post(reverse("portal:payments:answer", args=[payment.pk]), {"answer": "accept"}).status_code == 302
    assert client.post(reverse("portal:payments:answer", args=[declined.pk]), {"answer": "decline"}).status_code == 302
    answer_grant = reverse("portal:payments:grant-answer", args=[grant.pk])
    assert client.post(answer_grant, {"answer": "accept"}).status_code == 302
    payment.refresh_from_db()
    declined.refresh_from_db()
    grant.refresh_from_db()
    assert (payment.state, declined.state, grant.state) == ("accepted", "declined", "accepted")
    assert AuditEntry.objects.filter(action="payment.declined", actor=None).count() == 1
    again = client.post(reverse("portal:payments:answer", args=[declined.pk]), {"answer": "accept"})
    assert again.status_code == 400
    declined.refresh_from_db()
    assert declined.state == "declined"


def test_another_stakeholders_payment_is_not_found(client, hr_lead, outsider, person):
    other = make_stakeholder(hr_lead, name="Someone else")
    foreign = make_stakeholder(outsider, name="Foreign")
    theirs = make_payment(hr_lead, other)
    abroad = make_payment(outsider, foreign)
    their_grant = make_grant(hr_lead, other)
    make_payment(hr_lead, person)
    open_portal(client, person)
    page = client.get(reverse("portal:payments:index")).content.decode()
    assert "Someone else" not in page
    for pk in (theirs.pk, abroad.pk, 0, 2**63):
        response = client.post(f"/portal/payments/{pk}/answer/", {"answer": "decline"})
        assert response.status_code == 404
    assert client.post(reverse("portal:payments:grant-answer", args=[their_grant.pk]),
                       {"answer": "decline"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.state == "offered"


def test_staff_sessions_open_no_portal(client, hr_lead, person, sign_in):
    staff = sign_in(hr_lead)
    assert staff.get(reverse("portal:payments:index")).status_code == 403
