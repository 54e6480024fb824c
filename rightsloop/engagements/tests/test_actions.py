import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.engagements import actions
from rightsloop.engagements.actions import inputs as input_actions
from rightsloop.engagements.models import Decision, Engagement, FeedbackReport, Input, Participation
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.actions import record_consent
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def consent_to_attribution(stakeholder, by):
    record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True, method="written",
                   given_on=TODAY, by=by)


# Engagements -------------------------------------------------------------

def test_feedback_due_date_defaults_to_organisation_days_after_the_end(hr_lead):
    hr_lead.organisation.feedback_days = 45
    hr_lead.organisation.save()
    start = datetime.date(2026, 3, 1)
    engagement = make_engagement(hr_lead, starts_on=start, ends_on=datetime.date(2026, 3, 3))
    assert engagement.feedback_due_on == datetime.date(2026, 4, 17)
    assert engagement.owner == hr_lead.user
    assert AuditEntry.objects.filter(action="engagement.created", target_id=str(engagement.pk)).count() == 1


def test_feedback_due_date_cannot_move_after_creation(hr_lead):
    engagement = make_engagement(hr_lead, feedback_due_on=TODAY + datetime.timedelta(days=30))
    plan = actions.EngagementPlan(title="Renamed", type="interview", phases=["act"], starts_on=engagement.starts_on,
                                  feedback_due_on=TODAY + datetime.timedelta(days=90))
    with pytest.raises(ValidationError) as caught:
        actions.update_engagement(engagement=engagement, plan=plan, by=hr_lead)
    assert "feedback_due_on" in caught.value.message_dict
    plan.feedback_due_on = None
    actions.update_engagement(engagement=engagement, plan=plan, by=hr_lead)
    engagement.refresh_from_db()
    assert engagement.title == "Renamed"
    assert engagement.feedback_due_on == TODAY + datetime.timedelta(days=30)


@pytest.mark.parametrize("fields,error", [
    ({"phases": []}, "phases"),
    ({"phases": ["assess"]}, "phases"),
    ({"ends_on": TODAY - datetime.timedelta(days=10)}, "ends_on"),
    ({"attending_functions": ["marketing"]}, "attending_functions"),
    ({"feedback_due_on": TODAY - datetime.timedelta(days=30)}, "feedback_due_on"),
])
def test_invalid_plans_are_refused(hr_lead, fields, error):
    with pytest.raises(ValidationError) as caught:
        make_engagement(hr_lead, starts_on=TODAY - datetime.timedelta(days=3), **fields)
    assert error in caught.value.message_dict
    assert not Engagement.objects.exists()


def test_owner_must_be_in_the_human_rights_team(hr_lead, decision_maker):
    with pytest.raises(ValidationError):
        make_engagement(hr_lead, owner=decision_maker.user)


# Participants --------------------------------------------------------------

def test_high_safety_stakeholder_joins_through_a_proxy(hr_lead):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high")
    proxy = make_stakeholder(hr_lead, kind="proxy")
    participation = make_participation(hr_lead, engagement, person, via_proxy=proxy)
    assert participation.via_proxy == proxy and not participation.direct_override_reason
    assert not AuditEntry.objects.filter(action="participant.safety_override").exists()


def test_high_safety_stakeholder_cannot_join_directly_without_a_reason(hr_lead):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high")
    with pytest.raises(ValidationError) as caught:
        make_participation(hr_lead, engagement, person)
    assert "override_reason" in caught.value.message_dict
    assert not Participation.objects.exists()


def test_direct_override_is_recorded_and_audited(hr_lead):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high")
    participation = make_participation(hr_lead, engagement, person,
                                       override_reason="Met in a safe location she chose; she asked to speak.")
    assert participation.direct_override_by == hr_lead.user
    entry = AuditEntry.objects.get(action="participant.safety_override")
    assert entry.target_id == str(participation.pk) and entry.actor_role == "hr_lead"


def test_only_roles_allowed_to_override_may_do_so(hr_lead, auditor):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high")
    with pytest.raises(ValidationError) as caught:
        actions.add_participant(engagement=engagement, stakeholder=person, override_reason="because", by=auditor)
    assert "via_proxy" in caught.value.message_dict


def test_proxy_must_be_a_registered_credible_proxy(hr_lead):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high")
    expert = make_stakeholder(hr_lead, kind="expert")
    with pytest.raises(ValidationError) as caught:
        make_participation(hr_lead, engagement, person, via_proxy=expert)
    assert "via_proxy" in caught.value.message_dict


def test_participants_of_other_organisations_are_refused(hr_lead, outsider):
    engagement = make_engagement(hr_lead)
    foreign = make_stakeholder(outsider)
    with pytest.raises(ValidationError):
        make_participation(hr_lead, engagement, foreign)


def test_a_participant_who_spoke_cannot_be_removed(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    make_input(hr_lead, engagement, participation)
    with pytest.raises(ValidationError):
        actions.remove_participant(participation=participation, by=hr_lead)
    silent = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    actions.remove_participant(participation=silent, by=hr_lead)
    assert not Participation.objects.filter(pk=silent.pk).exists()


# Inputs --------------------------------------------------------------------

def test_inputs_are_anonymised_unless_the_speaker_consented(hr_lead):
    engagement = make_engagement(hr_lead)
    quiet = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    named_stakeholder = make_stakeholder(hr_lead)
    consent_to_attribution(named_stakeholder, hr_lead)
    named = make_participation(hr_lead, engagement, named_stakeholder)
    assert make_input(hr_lead, engagement, quiet).attribution == "anonymised"
    assert make_input(hr_lead, engagement, named).attribution == "attributed"
    with pytest.raises(ValidationError) as caught:
        make_input(hr_lead, engagement, quiet, attribution="attributed")
    assert "attribution" in caught.value.message_dict


def test_recording_an_input_tags_routes_and_counts_it(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation, tags=["Privacy", " data retention ", "privacy"],
                      owning_function="legal")
    assert sorted(tag.name for tag in item.tags.all()) == ["Privacy", "data retention"]
    assert item.triaged_at is not None
    engagement.refresh_from_db()
    participation.refresh_from_db()
    assert (engagement.inputs_count, engagement.decided_count, engagement.loop_state) == (1, 0, "open")
    assert (participation.inputs_count, participation.undecided_count) == (1, 1)


def test_same_idempotency_key_records_once(hr_lead):
    engagement = make_engagement(hr_lead)
    first, created = actions.record_input(engagement=engagement, text="A", idempotency_key="k-1", by=hr_lead)
    again, created_again = actions.record_input(engagement=engagement, text="A", idempotency_key="k-1", by=hr_lead)
    assert created and not created_again and first == again
    assert Input.objects.count() == 1


def test_a_racing_retry_with_the_same_key_gets_the_first_input(hr_lead, monkeypatch):
    engagement = make_engagement(hr_lead)
    first, _created = actions.record_input(engagement=engagement, text="A", idempotency_key="race", by=hr_lead)
    # Simulate the race: the second attempt's check runs before the first attempt's row is visible.
    real = input_actions._replayed
    calls = []

    def not_yet_visible(engagement, key):
        calls.append(key)
        return None if len(calls) == 1 else real(engagement, key)

    monkeypatch.setattr(input_actions, "_replayed", not_yet_visible)
    again, created = actions.record_input(engagement=engagement, text="A", idempotency_key="race", by=hr_lead)
    assert (again, created) == (first, False)
    assert Input.objects.count() == 1


def test_an_idempotency_key_belongs_to_one_engagement(hr_lead):
    actions.record_input(engagement=make_engagement(hr_lead), text="A", idempotency_key="k-2", by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.record_input(engagement=make_engagement(hr_lead), text="A", idempotency_key="k-2", by=hr_lead)
    assert "idempotency_key" in caught.value.message_dict


@pytest.mark.parametrize("fields,error", [
    ({"text": "   "}, "text"),
    ({"text": "x" * 20_001}, "text"),
    ({"language": "xx"}, "language"),
    ({"owning_function": "marketing"}, "owning_function"),
])
def test_invalid_inputs_are_refused(hr_lead, fields, error):
    engagement = make_engagement(hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.record_input(engagement=engagement, by=hr_lead, **{"text": "ok", **fields})
    assert error in caught.value.message_dict
    assert not Input.objects.exists()


def test_speaker_must_take_part_in_this_engagement(hr_lead):
    engagement = make_engagement(hr_lead)
    elsewhere = make_participation(hr_lead, make_engagement(hr_lead), make_stakeholder(hr_lead))
    with pytest.raises(ValidationError):
        actions.record_input(engagement=engagement, speaker=elsewhere, text="hi", by=hr_lead)


def test_triage_routes_and_retags(hr_lead):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, owning_function="")
    assert item.triaged_at is None
    actions.triage_input(input=item, owning_function="engineering", tags=["security"], by=hr_lead)
    item.refresh_from_db()
    assert item.owning_function == "engineering" and item.triaged_at is not None
    assert [t.name for t in item.tags.all()] == ["security"]
    entry = AuditEntry.objects.get(action="input.triaged")
    assert set(entry.changed_fields) == {"owning_function", "tags"}


# Decisions -----------------------------------------------------------------

def test_decision_maker_decides_only_inputs_routed_to_their_function(hr_lead, decision_maker, legal_decision_maker):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, owning_function="product")
    with pytest.raises(PermissionDenied):
        actions.record_decision(input=item, outcome="adopted", by=legal_decision_maker)
    decision = actions.record_decision(input=item, outcome="adopted", by=decision_maker)
    assert decision.function == "product" and decision.decided_by == decision_maker.user


def test_board_and_auditor_cannot_decide(hr_lead, board, auditor):
    item = make_input(hr_lead, make_engagement(hr_lead))
    for viewer in (board, auditor):
        with pytest.raises(PermissionDenied):
            actions.record_decision(input=item, outcome="adopted", by=viewer)


def test_rejected_decision_saves_nothing(hr_lead):
    item = make_input(hr_lead, make_engagement(hr_lead))
    with pytest.raises(ValidationError) as caught:
        actions.record_decision(input=item, outcome="not_adopted", rationale=" ", by=hr_lead)
    assert "rationale" in caught.value.message_dict
    assert not Decision.objects.exists()
    item.refresh_from_db()
    assert item.outcome == "" and item.current_decision is None


def test_revisions_keep_history_and_the_newest_stands(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation)
    actions.record_decision(input=item, outcome="under_consideration", next_step="Legal review of retention",
                            next_step_due=TODAY + datetime.timedelta(days=20), by=hr_lead)
    actions.record_decision(input=item, outcome="partly_adopted", rationale="Retention cut to 30 days, not 7.",
                            next_step="ignored", by=hr_lead)
    item.refresh_from_db()
    assert list(item.decisions.values_list("revision", "outcome")) == [
        (1, "under_consideration"), (2, "partly_adopted")]
    assert item.outcome == "partly_adopted" and item.current_decision.revision == 2
    assert item.current_decision.next_step == ""  # a next step belongs only to 'under consideration'
    assert AuditEntry.objects.filter(action="decision.recorded").count() == 1
    assert AuditEntry.objects.filter(action="decision.revised").count() == 1


# Loop closure --------------------------------------------------------------

def decided_engagement(hr_lead, **stakeholder_fields):
    engagement = make_engagement(hr_lead, title="Location data workshop")
    stakeholder = make_stakeholder(hr_lead, **stakeholder_fields)
    participation = make_participation(hr_lead, engagement, stakeholder)
    item = make_input(hr_lead, engagement, participation, text="Delete location history after 30 days.")
    actions.record_decision(input=item, outcome="not_adopted", rationale="Fraud checks need 90 days.", by=hr_lead)
    participation.refresh_from_db()
    return engagement, participation, item


def test_email_is_queued_until_the_transaction_commits(hr_lead, django_capture_on_commit_callbacks):
    _engagement, participation, _item = decided_engagement(hr_lead, email="rider@example.net")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = actions.send_feedback_by_email(participation=participation, by=hr_lead)
    assert report.status == "queued" and len(callbacks) == 1 and len(mail.outbox) == 0
    callbacks[0]()
    report.refresh_from_db()
    assert report.status == "sent" and len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_email_is_sent_after_commit_and_the_loop_closes(hr_lead):
    engagement, participation, _item = decided_engagement(hr_lead, email="rider@example.net")
    report = actions.send_feedback_by_email(participation=participation, by=hr_lead)
    report.refresh_from_db()
    assert report.status == "sent"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rider@example.net"]
    assert "Delete location history after 30 days." in message.body
    assert "Fraud checks need 90 days." in message.body
    participation.refresh_from_db()
    engagement.refresh_from_db()
    assert participation.loop_closed
    assert engagement.loop_state == "closed" and engagement.loop_closed_at is not None
    assert report.is_first and report.days_to_feedback == (TODAY - engagement.ends_on).days


@pytest.mark.django_db(transaction=True)
def test_sending_twice_delivers_once(hr_lead):
    _engagement, participation, _item = decided_engagement(hr_lead, email="rider@example.net")
    report = actions.send_feedback_by_email(participation=participation, by=hr_lead)
    actions.complete_email_delivery(report_id=report.pk)
    assert len(mail.outbox) == 1


def test_a_new_decision_reopens_the_loop(hr_lead):
    engagement, participation, item = decided_engagement(hr_lead)
    actions.mark_feedback_delivered(participation=participation, channel="in_person", note="Follow-up call",
                                    by=hr_lead)
    engagement.refresh_from_db()
    assert engagement.loop_state == "closed"
    actions.record_decision(input=item, outcome="adopted", rationale="We changed our mind.", by=hr_lead)
    engagement.refresh_from_db()
    participation.refresh_from_db()
    assert engagement.loop_state == "open" and engagement.loop_closed_at is None
    assert not participation.loop_closed


def test_undecided_inputs_keep_the_loop_open_even_after_a_report(hr_lead):
    engagement, participation, _item = decided_engagement(hr_lead)
    make_input(hr_lead, engagement, participation, text="And please publish transparency reports.")
    participation.refresh_from_db()
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    engagement.refresh_from_db()
    assert engagement.loop_state == "open"
    report = FeedbackReport.objects.get()
    assert "You will hear from us by" in report.body


def test_email_is_refused_for_a_high_safety_stakeholder(hr_lead):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high", email="secret@example.net",
                              safe_channels=["email", "secure_messenger"], messenger_handle="@x")
    # Engaged directly by an audited override (through a proxy they would give no input of their own).
    participation = make_participation(hr_lead, engagement, person, override_reason="Met at their request")
    make_input(hr_lead, engagement, participation)
    participation.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        actions.send_feedback_by_email(participation=participation, by=hr_lead)
    assert "channel" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.mark_feedback_delivered(participation=participation, channel="phone", by=hr_lead)
    actions.mark_feedback_delivered(participation=participation, channel="secure_messenger", by=hr_lead)
    assert len(mail.outbox) == 0


def test_safety_is_checked_again_when_the_email_goes_out(hr_lead):
    _engagement, participation, _item = decided_engagement(hr_lead, email="rider@example.net")
    report = actions.send_feedback_by_email(participation=participation, by=hr_lead)
    stakeholder = participation.stakeholder
    stakeholder.safety_level = "high"
    stakeholder.save()
    actions.complete_email_delivery(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == "failed" and len(mail.outbox) == 0


def test_feedback_during_a_long_engagement_counts_as_day_zero(hr_lead):
    engagement = make_engagement(hr_lead, starts_on=TODAY - datetime.timedelta(days=10),
                                 ends_on=TODAY + datetime.timedelta(days=30))
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    actions.record_decision(input=make_input(hr_lead, engagement, participation), outcome="adopted", by=hr_lead)
    participation.refresh_from_db()
    report = actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    assert report.days_to_feedback == 0


def test_nothing_to_report_without_inputs(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    with pytest.raises(ValidationError):
        actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)


def test_report_is_written_in_the_stakeholders_language(hr_lead):
    _engagement, participation, _item = decided_engagement(hr_lead, languages=["es"], preferred_language="es")
    report = actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    assert report.language == "es"


# Reminders -----------------------------------------------------------------

def overdue_engagement(hr_lead, title="Overdue consultation"):
    engagement = make_engagement(hr_lead, title=title, starts_on=TODAY - datetime.timedelta(days=90),
                                 feedback_due_on=TODAY - datetime.timedelta(days=5))
    make_input(hr_lead, engagement)
    return engagement


def test_daily_reminder_emails_each_owner_once_a_day(hr_lead, admin):
    overdue_engagement(hr_lead, "First overdue")
    overdue_engagement(hr_lead, "Second overdue")
    make_engagement(admin, owner=admin.user, title="Not overdue")
    assert actions.remind_overdue_loop_owners(today=TODAY) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [hr_lead.user.email]
    assert "First overdue" in mail.outbox[0].body and "Second overdue" in mail.outbox[0].body
    assert actions.remind_overdue_loop_owners(today=TODAY) == 0
    assert len(mail.outbox) == 1
    assert actions.remind_overdue_loop_owners(today=TODAY + datetime.timedelta(days=1)) == 1
