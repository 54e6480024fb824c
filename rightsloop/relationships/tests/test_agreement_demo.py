"""The demo's agreements: one in every state, and the reminders they are built to trigger."""

import pytest
from django.core import mail
from django.utils import timezone

from rightsloop.demo.agreements import load_agreements
from rightsloop.relationships import agreements, queries
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_every_state_and_the_reminders(hr_lead, admin):
    keys = ("mtandao", "laja", "cifr", "urcp", "katrin", "selam", "datos", "gikomba")
    stakeholders = {key: make_stakeholder(hr_lead, name=f"Demo {key}") for key in keys}
    counts = load_agreements(viewer=hr_lead, stakeholders=stakeholders, today=TODAY, owner=admin.user)
    assert counts == {"in_force": 2, "under_review": 1, "proposed": 1, "declined": 1, "changes_requested": 1,
                      "drafted": 1, "ended": 1}
    assert queries.attribution_terms(stakeholders["laja"]).nda_ended_on is not None
    assert queries.attribution_terms(stakeholders["gikomba"]).nda_binding
    mail.outbox.clear()
    agreements.send_agreement_reminders(today=TODAY)
    recipients = sorted(message.to[0] for message in mail.outbox)
    # The NDA sunsets of mtandao and gikomba (to the owner) and laja's passed sunset (to laja).
    assert recipients == sorted([admin.user.email, admin.user.email, stakeholders["laja"].email])
