"""Respondents' addresses are kept until the outcome was sent and the organisation's period has passed."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.core import retention
from rightsloop.core.models import AuditEntry

from ..models import MessageRun, Respondent, RespondentMessage, SendingState
from ..retention import purge_sent_contacts
from .test_outcomes import PERSONAL, consultation_with_themes, person, send_all

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def sent_long_ago(consultation, days):
    MessageRun.objects.filter(consultation=consultation).update(finished_at=NOW - datetime.timedelta(days=days))


def test_addresses_are_erased_once_the_period_after_sending_has_passed(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2), person(3, contact="")])
    send_all(consultation, hr_lead)
    cutoff = NOW - datetime.timedelta(days=90)
    assert purge_sent_contacts(hr_lead.organisation, cutoff) == 0  # sent today: still within the period
    sent_long_ago(consultation, 91)
    assert purge_sent_contacts(hr_lead.organisation, cutoff) == 2
    for respondent in Respondent.objects.filter(consultation=consultation):
        assert respondent.contact == "" and respondent.contact_index == ""
    # The two who were written to no longer count as consenting: there is nothing left to write to.
    assert Respondent.objects.filter(consultation=consultation, consented=False).count() == 2
    assert all(PERSONAL.lower() not in bytes(value).decode("latin-1")
               for value in Respondent.objects.values_list("contact_sealed", flat=True))
    # Who was written to stays a fingerprint, and the responses stay for the analysis.
    assert RespondentMessage.objects.filter(consultation=consultation).count() == 2
    assert consultation.responses.count() == 3
    assert purge_sent_contacts(hr_lead.organisation, cutoff) == 0


def test_addresses_stay_while_the_outcome_has_not_been_sent_to_everyone(hr_lead):
    never_sent, *_ = consultation_with_themes(hr_lead, [person(1)])
    interrupted, *_ = consultation_with_themes(hr_lead, [person(2)])
    send_all(interrupted, hr_lead)
    MessageRun.objects.filter(consultation=interrupted).update(state=SendingState.INTERRUPTED)
    sent_long_ago(interrupted, 400)
    assert purge_sent_contacts(hr_lead.organisation, NOW - datetime.timedelta(days=90)) == 0
    assert Respondent.objects.exclude(contact_index="").count() == 2
    assert never_sent.respondents.get().contact.startswith(PERSONAL.lower())


def test_the_daily_purge_applies_the_rule_with_the_organisations_period(hr_lead, outsider):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1)])
    elsewhere, *_ = consultation_with_themes(outsider, [person(2)])
    for each, by in ((consultation, hr_lead), (elsewhere, outsider)):
        send_all(each, by)
        sent_long_ago(each, 40)
    retention.set_period(organisation=hr_lead.organisation, rule="consultation_contacts", keep_days=30, by=hr_lead)
    done = retention.purge(now=NOW)
    assert done[(hr_lead.organisation.slug, "consultation_contacts")] == 1
    assert done[(outsider.organisation.slug, "consultation_contacts")] == 0  # default: 90 days
    assert AuditEntry.objects.filter(action="retention.purged", organisation=hr_lead.organisation,
                                     summary__startswith="consultation_contacts").count() == 1
