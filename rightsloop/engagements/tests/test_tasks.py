"""Background jobs give the same end state when run twice."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from rightsloop.engagements import actions, tasks
from rightsloop.engagements.models import FeedbackReport, LoopReminder
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_reminder_task_twice_sends_once(hr_lead):
    engagement = make_engagement(hr_lead, starts_on=TODAY - datetime.timedelta(days=90),
                                 feedback_due_on=TODAY - datetime.timedelta(days=1))
    make_input(hr_lead, engagement)
    tasks.remind_overdue_loops.call()
    tasks.remind_overdue_loops.call()
    assert len(mail.outbox) == 1
    assert LoopReminder.objects.count() == 1


def test_delivery_task_twice_sends_once(hr_lead, django_capture_on_commit_callbacks):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, email="a@example.net"))
    item = make_input(hr_lead, engagement, participation)
    actions.record_decision(input=item, outcome="adopted", by=hr_lead)
    participation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False):
        report = actions.send_feedback_by_email(participation=participation, by=hr_lead)
    assert tasks.deliver_feedback_email.call(report_id=report.pk) == "sent"
    assert tasks.deliver_feedback_email.call(report_id=report.pk) == "sent"
    assert len(mail.outbox) == 1
    assert FeedbackReport.objects.get().status == "sent"
