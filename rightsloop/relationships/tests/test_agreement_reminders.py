"""Reminders: owners before the review date and an NDA sunset; the stakeholder, safely, when the sunset passes."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from rightsloop.core.registry import site
from rightsloop.relationships import agreement_tasks, agreements
from rightsloop.relationships.models import AgreementReminder
from rightsloop.stakeholders.actions import record_consent
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def test_scheduled():
    assert "remind-agreements" in {schedule.key for schedule in site.schedules}


def test_review_reminder_to_the_owner_once(hr_lead, admin):
    stakeholder = make_stakeholder(hr_lead, name="Coastal Rights Network")
    make_agreement(hr_lead, stakeholder, state="in_force", starts_on=TODAY - 300 * DAY,
                   review_on=TODAY + 20 * DAY, nda_scope="", nda_sunset_on=None)
    agreements.set_owner(stakeholder=stakeholder, owner=admin.user, by=hr_lead)
    assert agreement_tasks.remind_agreements.call() == 1
    assert agreement_tasks.remind_agreements.call() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [admin.user.email]
    assert "Coastal Rights Network" in message.body and (TODAY + 20 * DAY).isoformat() in message.subject
    assert AgreementReminder.objects.get().kind == "review_due"


def test_no_review_reminder_too_early_or_when_not_in_force(hr_lead):
    make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force", review_on=TODAY + 60 * DAY,
                   nda_scope="", nda_sunset_on=None)
    make_agreement(hr_lead, make_stakeholder(hr_lead), state="proposed", review_on=TODAY + 5 * DAY,
                   nda_scope="", nda_sunset_on=None)
    assert agreements.send_agreement_reminders(today=TODAY) == 0
    assert mail.outbox == []


def test_sunset_soon_to_the_human_rights_leads_when_no_owner(organisation, hr_lead):
    make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force", nda_sunset_on=TODAY + 10 * DAY)
    assert agreements.send_agreement_reminders(today=TODAY) == 1
    assert mail.outbox[0].to == [hr_lead.user.email]
    assert "NDA" in mail.outbox[0].subject
    assert agreements.send_agreement_reminders(today=TODAY + DAY) == 0


def test_sunset_passed_tells_the_stakeholder_by_email_in_their_language(hr_lead):
    stakeholder = make_stakeholder(hr_lead, email="ngo@example.net", preferred_language="fr", languages=["fr"])
    make_agreement(hr_lead, stakeholder, state="in_force", starts_on=TODAY - 100 * DAY, review_on=TODAY + 100 * DAY,
                   nda_sunset_on=TODAY - DAY)
    mail.outbox.clear()
    assert agreements.send_agreement_reminders(today=TODAY) == 1
    assert agreements.send_agreement_reminders(today=TODAY) == 0
    assert [message.to for message in mail.outbox] == [["ngo@example.net"]]
    assert "The product roadmap shown in workshops" in mail.outbox[0].body
    assert AgreementReminder.objects.get().channel == "email"


def test_sunset_passed_for_a_protected_person_goes_to_the_owner_without_their_name(organisation, hr_lead):
    defender = make_stakeholder(hr_lead, name="Nadia Protected", email="nadia@example.net", safety_level="high",
                                safe_channels=["in_person"])
    make_agreement(hr_lead, defender, state="in_force", starts_on=TODAY - 100 * DAY, review_on=TODAY + 100 * DAY,
                   nda_sunset_on=TODAY - DAY)
    assert agreements.send_agreement_reminders(today=TODAY) == 1
    assert [message.to for message in mail.outbox] == [[hr_lead.user.email]]
    body = mail.outbox[0].body + mail.outbox[0].subject
    assert "Nadia" not in body and pseudonym(defender.pk) in body
    assert AgreementReminder.objects.get().channel == "owner"


def test_no_email_when_contact_was_refused(hr_lead):
    stakeholder = make_stakeholder(hr_lead, email="no@example.net")
    record_consent(stakeholder=stakeholder, scope="contact", granted=False, method="written", given_on=TODAY,
                   by=hr_lead)
    make_agreement(hr_lead, stakeholder, state="in_force", starts_on=TODAY - 100 * DAY, review_on=TODAY + 100 * DAY,
                   nda_sunset_on=TODAY - DAY)
    agreements.send_agreement_reminders(today=TODAY)
    assert all(message.to != ["no@example.net"] for message in mail.outbox)


def test_old_sunsets_are_not_mailed_after_the_fact(hr_lead):
    make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force", starts_on=TODAY - 400 * DAY,
                   review_on=TODAY + 100 * DAY, nda_sunset_on=TODAY - 200 * DAY)
    assert agreements.send_agreement_reminders(today=TODAY) == 0


def test_accepted_agreement_comes_into_force_in_the_daily_run(hr_lead):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead), state="accepted", starts_on=TODAY + 2 * DAY,
                               review_on=TODAY + 200 * DAY, nda_scope="", nda_sunset_on=None)
    agreements.send_agreement_reminders(today=TODAY + 2 * DAY)
    agreement.refresh_from_db()
    assert agreement.state == "in_force"


def test_a_failed_send_claims_nothing(hr_lead, monkeypatch):
    make_agreement(hr_lead, make_stakeholder(hr_lead), state="in_force", nda_sunset_on=TODAY + 10 * DAY)

    def broken(self, fail_silently=False):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    with pytest.raises(ConnectionError):
        agreements.send_agreement_reminders(today=TODAY)
    assert not AgreementReminder.objects.exists()
    monkeypatch.undo()
    assert agreements.send_agreement_reminders(today=TODAY) == 1
