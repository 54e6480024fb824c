"""The demo's ledger: payments in several states and currencies, one declined, grants with tranches."""

import datetime

import pytest

from rightsloop.demo.resourcing import PAYMENTS, load_resourcing
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.resourcing.models import Grant, Payment
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_the_demo_ledger(hr_lead):
    keys = {row[0] for row in PAYMENTS} | {"drishti", "gikomba"}
    stakeholders = {key: make_stakeholder(hr_lead, name=key) for key in keys}
    workshop = make_engagement(hr_lead)
    make_participation(hr_lead, workshop, stakeholders["mtandao"])
    counts = load_resourcing(viewer=hr_lead, stakeholders=stakeholders, engagements={"fraud_workshop": workshop},
                             today=datetime.date(2026, 6, 1))
    assert counts == {"payments": len(PAYMENTS), "grants": 2}
    states = set(Payment.objects.values_list("state", flat=True))
    assert {"offered", "accepted", "declined", "approved", "paid", "cancelled"} <= states
    assert len(set(Payment.objects.values_list("currency", flat=True))) >= 2
    assert Payment.objects.get(stakeholder=stakeholders["mtandao"]).engagement == workshop
    grant = Grant.objects.get(grantee=stakeholders["drishti"])
    assert list(grant.tranches.values_list("state", flat=True)) == ["paid", "approved", "planned"]
