"""Reminders to the owners of remedy actions: a week before due and once overdue, each sent once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from rightsloop.core.registry import site
from rightsloop.grievances.actions import remedy
from rightsloop.grievances.actions.remedy_reminders import send_action_reminders
from rightsloop.grievances.models import CaseReminder, RemedyAction
from rightsloop.grievances.remedy_tasks import remind_remedy_action_owners

from .factories_remedy import DESCRIPTION, make_case

pytestmark = pytest.mark.django_db

ACTION = "Refund the double charge to Amina's wallet"


@pytest.fixture
def group(organisation, hr_lead):
    first, second = make_case(organisation), make_case(organisation)
    plan = remedy.create_plan(grievances=[first, second], title="Refunds", by=hr_lead)
    return plan, first, second


def _action(plan, owner, by, due_on):
    return remedy.add_action(plan=plan, remedy_type="restitution", description=ACTION, owner=owner, due_on=due_on,
                             by=by)


def test_a_week_before_due_the_owner_is_reminded_once_with_case_numbers_only(group, hr_lead, decision_maker):
    plan, first, second = group
    today = timezone.localdate()
    action = _action(plan, decision_maker.user, hr_lead, today + datetime.timedelta(days=7))
    _action(plan, hr_lead.user, hr_lead, today + datetime.timedelta(days=8))  # not yet
    assert send_action_reminders(today=today) == 1
    assert send_action_reminders(today=today) == 0  # twice → once
    (email,) = mail.outbox
    assert email.to == [decision_maker.user.email]
    assert f"{first.label}, {second.label}" in email.body
    assert f"/grievances/plans/{plan.pk}/" in email.body
    for secret in (ACTION, DESCRIPTION, "Refunds"):
        assert secret not in email.body and secret not in email.subject
    reminder = CaseReminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.grievance_id) == (f"action_due:{action.pk}", action.due_on,
                                                                       first.pk)
    assert reminder.sent_at is not None


def test_an_overdue_action_is_chased_once_and_a_delivered_one_not_at_all(group, hr_lead):
    plan, _first, _second = group
    today = timezone.localdate()
    late = _action(plan, hr_lead.user, hr_lead, today)
    done = _action(plan, hr_lead.user, hr_lead, today)
    remedy.mark_delivered(action=done, by=hr_lead)
    later = today + datetime.timedelta(days=2)
    assert send_action_reminders(today=later) == 1
    assert send_action_reminders(today=later + datetime.timedelta(days=1)) == 0
    kinds = set(CaseReminder.objects.values_list("kind", flat=True))
    assert kinds == {f"action_overdue:{late.pk}"}
    assert "was due" in mail.outbox[0].subject


def test_a_disputed_action_and_a_moved_due_date_are_reminded_again(group, hr_lead):
    plan, _first, _second = group
    today = timezone.localdate()
    action = _action(plan, hr_lead.user, hr_lead, today + datetime.timedelta(days=3))
    assert send_action_reminders(today=today) == 1
    remedy.update_action(action=action, remedy_type="restitution", description=ACTION, owner=hr_lead.user,
                         due_on=today + datetime.timedelta(days=5), by=hr_lead)
    assert send_action_reminders(today=today) == 1
    RemedyAction.objects.filter(pk=action.pk).update(status="disputed")
    assert send_action_reminders(today=today + datetime.timedelta(days=6)) == 1  # overdue now


def test_the_daily_task_is_scheduled_and_runs(group, hr_lead):
    plan, _first, _second = group
    _action(plan, hr_lead.user, hr_lead, timezone.localdate())
    assert any(schedule.key == "remind-remedy-action-owners" for schedule in site.schedules)
    remind_remedy_action_owners.enqueue()
    remind_remedy_action_owners.enqueue()
    assert len(mail.outbox) == 1
