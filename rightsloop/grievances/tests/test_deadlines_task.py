"""The daily round of deadlines: reminders before the due dates, escalation once late, each notice sent once."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.core.registry import site
from rightsloop.grievances import tasks
from rightsloop.grievances.actions.deadlines import send_deadline_notices
from rightsloop.grievances.models import CaseReminder, Grievance, GrievanceSettings, HandlerExclusion
from rightsloop.grievances.vocabulary import Stage

from .factories_deadlines import SECRET_WORDS, make_case

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def exclude(grievance, viewer):
    HandlerExclusion.objects.create(grievance=grievance, user=viewer.user, reason="named in the case",
                                    at=timezone.now())


@pytest.fixture
def colleague(organisation):
    return make_member(organisation, Role.HR_LEAD)


def test_scheduled_daily():
    schedule = next(schedule for schedule in site.schedules if schedule.key == "grievance-deadlines")
    assert schedule.task is tasks.grievance_deadlines
    assert schedule.cron.endswith("* * *")


def test_acknowledgement_reminder_to_the_handler_two_days_before(organisation, hr_lead, colleague):
    case = make_case(organisation, received_on=TODAY - 5 * DAY, handler=hr_lead.user)
    assert case.acknowledge_due_on == TODAY + 2 * DAY
    assert send_deadline_notices(today=TODAY) == 1
    assert recipients() == [hr_lead.user.email]
    message = mail.outbox[0]
    assert case.label in message.subject and (TODAY + 2 * DAY).isoformat() in message.subject
    assert f"/grievances/{case.pk}/" in message.body
    reminder = CaseReminder.objects.get()
    assert (reminder.kind, reminder.due_on, reminder.sent_at is not None) == (
        "acknowledge_due", case.acknowledge_due_on, True)
    assert send_deadline_notices(today=TODAY) == 0
    assert send_deadline_notices(today=TODAY + DAY) == 0
    assert len(mail.outbox) == 1


def test_no_reminder_three_days_before(organisation, hr_lead):
    make_case(organisation, received_on=TODAY - 4 * DAY, handler=hr_lead.user)
    assert send_deadline_notices(today=TODAY) == 0
    assert mail.outbox == []


def test_unassigned_case_reminds_every_handler_but_the_excluded(organisation, hr_lead, colleague, admin, board):
    case = make_case(organisation, received_on=TODAY - 6 * DAY)
    excluded = make_member(organisation, Role.HR_LEAD)
    exclude(case, excluded)
    assert send_deadline_notices(today=TODAY) == 2
    assert recipients() == sorted([hr_lead.user.email, colleague.user.email])


def test_response_reminder_fourteen_days_before(organisation, hr_lead):
    make_case(organisation, stage=Stage.INVESTIGATING, received_on=TODAY - 76 * DAY, handler=hr_lead.user,
              acknowledged_at=timezone.now())
    assert send_deadline_notices(today=TODAY) == 1
    assert "substantive response" in mail.outbox[0].subject
    assert CaseReminder.objects.get().kind == "respond_due"


def test_no_response_reminder_once_answered(organisation, hr_lead):
    make_case(organisation, stage=Stage.REMEDY_PROPOSED, received_on=TODAY - 80 * DAY, handler=hr_lead.user,
              responded_at=timezone.now())
    assert send_deadline_notices(today=TODAY) == 0


def test_late_by_one_day_escalates_to_the_whole_team(organisation, hr_lead, colleague, admin):
    case = make_case(organisation, received_on=TODAY - 8 * DAY, handler=hr_lead.user)
    excluded = make_member(organisation, Role.HR_LEAD)
    exclude(case, excluded)
    assert send_deadline_notices(today=TODAY) == 2
    assert recipients() == sorted([hr_lead.user.email, colleague.user.email])
    case.refresh_from_db()
    assert case.escalation_level == 1 and case.escalated_at is not None
    entry = AuditEntry.objects.get(action="grievance.escalated")
    assert entry.target_id == str(case.pk) and "level 1" in entry.summary
    assert CaseReminder.objects.filter(kind="escalated_1", due_on=case.acknowledge_due_on).count() == 1
    mail.outbox.clear()
    assert send_deadline_notices(today=TODAY) == 0
    assert mail.outbox == []


def test_late_by_exactly_the_delay_stays_with_the_team(organisation, hr_lead, admin):
    case = make_case(organisation, received_on=TODAY - 14 * DAY)  # due 7 days ago; escalate after 7
    send_deadline_notices(today=TODAY)
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert admin.user.email not in recipients()


def test_still_late_after_the_delay_tells_the_administrators(organisation, hr_lead, admin, board):
    case = make_case(organisation, received_on=TODAY - 8 * DAY)
    send_deadline_notices(today=TODAY)
    mail.outbox.clear()
    assert send_deadline_notices(today=TODAY + 7 * DAY) == 1
    assert recipients() == [admin.user.email]
    assert "/grievances/" not in mail.outbox[0].body  # administrators do not open cases: the dashboard
    case.refresh_from_db()
    assert case.escalation_level == 2
    assert send_deadline_notices(today=TODAY + 8 * DAY) == 0


def test_a_case_found_very_late_tells_team_and_administrators_once(organisation, hr_lead, admin):
    GrievanceSettings.objects.create(organisation=organisation, escalate_after_days=3)
    case = make_case(organisation, received_on=TODAY - 20 * DAY)
    assert send_deadline_notices(today=TODAY) == 2
    assert recipients() == sorted([hr_lead.user.email, admin.user.email])
    case.refresh_from_db()
    assert case.escalation_level == 2
    assert set(CaseReminder.objects.values_list("kind", flat=True)) == {"escalated_1", "escalated_2"}
    assert send_deadline_notices(today=TODAY) == 0


def test_an_excluded_administrator_is_not_told(organisation, hr_lead, admin):
    case = make_case(organisation, received_on=TODAY - 30 * DAY)
    exclude(case, admin)
    send_deadline_notices(today=TODAY)
    assert admin.user.email not in recipients()
    case.refresh_from_db()
    assert case.escalation_level == 2


def test_acknowledged_case_comes_back_to_level_zero_then_escalates_again_for_the_response(organisation, hr_lead):
    case = make_case(organisation, received_on=TODAY - 9 * DAY, handler=hr_lead.user)
    send_deadline_notices(today=TODAY)
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.INVESTIGATING, acknowledged_at=timezone.now())
    send_deadline_notices(today=TODAY)
    case.refresh_from_db()
    assert case.escalation_level == 0
    assert AuditEntry.objects.filter(action="grievance.escalation_cleared", target_id=str(case.pk)).exists()
    mail.outbox.clear()
    assert send_deadline_notices(today=case.respond_due_on + DAY) == 1
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert CaseReminder.objects.filter(kind="escalated_1", due_on=case.respond_due_on).exists()


def test_finished_cases_are_never_chased(organisation, hr_lead):
    make_case(organisation, stage=Stage.CLOSED, received_on=TODAY - 200 * DAY, handler=hr_lead.user)
    make_case(organisation, stage=Stage.NOT_ADMISSIBLE, received_on=TODAY - 95 * DAY)
    assert send_deadline_notices(today=TODAY) == 0
    assert not Grievance.objects.filter(escalation_level__gt=0).exists()


def test_emails_and_audit_carry_no_content(organisation, hr_lead, admin):
    make_case(organisation, received_on=TODAY - 30 * DAY)
    make_case(organisation, received_on=TODAY - 5 * DAY)
    send_deadline_notices(today=TODAY)
    assert len(mail.outbox) >= 3
    for message in mail.outbox:
        text = message.subject + message.body
        assert "Amina" not in text and "followed home" not in text and "SafeRide" not in text
    summaries = " ".join(AuditEntry.objects.values_list("summary", flat=True))
    assert "Amina" not in summaries and SECRET_WORDS not in summaries


def test_another_organisations_handlers_are_not_told(organisation, hr_lead, outsider):
    make_case(organisation, received_on=TODAY - 8 * DAY)
    send_deadline_notices(today=TODAY)
    assert outsider.user.email not in recipients()


def test_the_task_run_twice_sends_the_same_emails_once(organisation, hr_lead, admin):
    make_case(organisation, received_on=TODAY - 6 * DAY)
    make_case(organisation, received_on=TODAY - 30 * DAY)
    first = tasks.grievance_deadlines.call()
    second = tasks.grievance_deadlines.call()
    assert first == len(mail.outbox) == 3 and second == 0


def test_a_failed_send_claims_nothing(organisation, hr_lead, monkeypatch):
    case = make_case(organisation, received_on=TODAY - 8 * DAY)

    def broken(self, messages):
        raise ConnectionError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", broken)
    with pytest.raises(ConnectionError):
        send_deadline_notices(today=TODAY)
    assert not CaseReminder.objects.exists()
    case.refresh_from_db()
    assert case.escalation_level == 0
    monkeypatch.undo()
    assert send_deadline_notices(today=TODAY) == 1


def test_the_round_reads_few_queries_per_quiet_case(organisation, hr_lead, django_assert_max_num_queries):
    for _ in range(5):
        make_case(organisation, received_on=TODAY - 9 * DAY)
    send_deadline_notices(today=TODAY)
    for _ in range(20):
        make_case(organisation, received_on=TODAY - 9 * DAY, stage=Stage.ACKNOWLEDGED)
    with django_assert_max_num_queries(6):  # cases, exclusions, reminders, settings: nothing per quiet case
        send_deadline_notices(today=TODAY)
