"""What "under consideration" promises (engagements.promises): kept, kept late, open or broken; the owner reminded
once before the date; the participant's loop re-opened once the date has passed without a decision."""

import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsloop.core.models import AuditEntry
from rightsloop.engagements import actions, tasks
from rightsloop.engagements.actions import promises as promise_actions
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.promises import Promise, PromiseState, promise_state, reminder_due
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
OUTCOMES = ["adopted", "partly_adopted", "not_adopted", "under_consideration"]


@contextmanager
def on(day: datetime.date):
    """Run as if it were noon of `day` (the actions read timezone.now())."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def decide(item, outcome: str, by, due: datetime.date | None = None):
    return actions.record_decision(
        input=item, outcome=outcome, by=by,
        rationale="" if outcome in ("adopted", "under_consideration") else "Not within our control.",
        next_step="Legal review of retention" if outcome == "under_consideration" else "",
        next_step_due=due if outcome == "under_consideration" else None)


# The rule -------------------------------------------------------------------------------------------------------

dates = st.dates(min_value=datetime.date(2024, 1, 1), max_value=datetime.date(2030, 12, 31))


@given(due=dates, kept=st.one_of(st.none(), dates), today=dates)
def test_a_promise_is_kept_on_time_late_open_or_broken(due, kept, today):
    state = promise_state(due_on=due, kept_on=kept, today=today)
    if kept is None:
        assert state == (PromiseState.BROKEN if today > due else PromiseState.OPEN)
    else:  # once kept, what today is no longer matters
        assert state == (PromiseState.KEPT if kept <= due else PromiseState.KEPT_LATE)
        assert state == promise_state(due_on=due, kept_on=kept, today=today + datetime.timedelta(days=400))


@given(due=dates, later=st.integers(min_value=0, max_value=400))
def test_an_unkept_promise_breaks_once_and_for_all_the_day_after_its_date(due, later):
    assert promise_state(due_on=due, kept_on=None, today=due) == PromiseState.OPEN
    assert promise_state(due_on=due, kept_on=None, today=due + DAY + datetime.timedelta(days=later)) \
        == PromiseState.BROKEN


@given(due=dates, today=dates, days=st.integers(min_value=0, max_value=30))
def test_the_reminder_window_runs_from_days_before_to_the_date(due, today, days):
    assert reminder_due(due_on=due, today=today, days_before=days) == (0 <= (due - today).days <= days)


# Over sequences of decisions, through the actions ----------------------------------------------------------------

steps = st.lists(st.tuples(st.integers(min_value=0, max_value=12), st.sampled_from(OUTCOMES),
                           st.integers(min_value=0, max_value=10)), min_size=1, max_size=5)


def expected(sequence, today):
    """Each "under consideration" decision's promise, as the product promises it: kept by the next decision,
    on time if that came by the date; otherwise broken once today is past the date."""
    states = []
    for n, (_day, outcome, due) in enumerate(sequence):
        if outcome != "under_consideration":
            continue
        following = sequence[n + 1][0] if n + 1 < len(sequence) else None
        if following is None:
            states.append("broken" if today > due else "open")
        else:
            states.append("kept" if following <= due else "kept_late")
    return states


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(drawn=steps, wait=st.integers(min_value=0, max_value=15))
def test_promises_over_decision_sequences_and_the_loop_they_reopen(hr_lead, drawn, wait):
    start = TODAY
    sequence, day = [], start
    for gap, outcome, days_given in drawn:
        day += datetime.timedelta(days=gap)
        sequence.append((day, outcome, day + datetime.timedelta(days=days_given)))
    today = day + datetime.timedelta(days=wait)
    with transaction.atomic():
        with on(start):
            engagement = make_engagement(hr_lead, starts_on=start - 10 * DAY, ends_on=start - 9 * DAY,
                                         feedback_due_on=start + 400 * DAY)
            participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
            item = make_input(hr_lead, engagement, participation)
        for day, outcome, due in sequence:
            with on(day):
                decide(item, outcome, hr_lead, due)
                participation.refresh_from_db()
                actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
        with on(today):
            promise_actions.break_lapsed_promises(today=today)
        states = [p.state(today) for p in Promise.objects.filter(input=item).order_by("decision__revision")]
        assert states == expected(sequence, today)
        broken_now = states[-1:] == ["broken"] and sequence[-1][1] == "under_consideration"
        participation.refresh_from_db()
        engagement.refresh_from_db()
        assert participation.broken_promises == engagement.broken_promises == int(broken_now)
        assert participation.loop_closed is not broken_now  # told every decision: only a broken promise re-opens
        assert (engagement.loop_state == "open") is broken_now
        assert Engagement.objects.overdue(today).filter(pk=engagement.pk).exists() is broken_now
        counted = Promise.objects.broken_between(start, today).count()
        assert counted == sum(1 for (d, o, due), s in zip(
            [step for step in sequence if step[1] == "under_consideration"], states, strict=True)
            if s in ("broken", "kept_late") and due < today)
        transaction.set_rollback(True)


# The loop re-opens after the date ---------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_broken_promise_reopens_the_told_participants_loop_until_a_new_decision_is_told(hr_lead):
    engagement = make_engagement(hr_lead, feedback_due_on=TODAY + 60 * DAY)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation)
    decide(item, "under_consideration", hr_lead, TODAY + 10 * DAY)
    participation.refresh_from_db()
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    participation.refresh_from_db()
    engagement.refresh_from_db()
    assert participation.loop_closed and engagement.loop_state == "closed"

    assert promise_actions.break_lapsed_promises(today=TODAY + 10 * DAY) == 0  # the date itself: still open
    later = TODAY + 11 * DAY
    assert promise_actions.break_lapsed_promises(today=later) == 1
    assert promise_actions.break_lapsed_promises(today=later) == 0  # found once
    participation.refresh_from_db()
    engagement.refresh_from_db()
    assert not participation.loop_closed and participation.broken_promises == 1
    assert engagement.loop_state == "open" and engagement.broken_promises == 1
    assert engagement.is_overdue(later) and list(Engagement.objects.overdue(later)) == [engagement]
    assert AuditEntry.objects.filter(action="promise.broken", target_id=str(item.pk)).count() == 1

    with on(later):
        decide(item, "adopted", hr_lead)
    promise = Promise.objects.get(input=item)
    assert promise.state(later) == "kept_late" and promise.kept_on == later
    participation.refresh_from_db()
    engagement.refresh_from_db()
    assert participation.broken_promises == 0 and not participation.loop_closed  # the new decision is not told yet
    with on(later):
        actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    participation.refresh_from_db()
    engagement.refresh_from_db()
    assert participation.loop_closed and engagement.loop_state == "closed" and not engagement.is_overdue(later)


@pytest.mark.django_db
def test_a_promise_on_a_withdrawn_input_counts_nowhere(hr_lead):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    decide(item, "under_consideration", hr_lead, TODAY + 2 * DAY)
    actions.withdraw_input(input=item, reason="Recorded in the wrong engagement", by=hr_lead)
    assert promise_actions.break_lapsed_promises(today=TODAY + 5 * DAY) == 0
    assert not Promise.objects.standing().exists()


# Reminders -----------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_owner_is_reminded_once_within_the_window_and_it_is_audited(hr_lead, decision_maker, settings):
    settings.RIGHTSLOOP_PROMISE_REMINDER_DAYS = 5
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    decide(item, "under_consideration", decision_maker, TODAY + 8 * DAY)

    assert promise_actions.remind_promise_owners(today=TODAY + 2 * DAY) == 0  # six days before: not yet
    assert promise_actions.remind_promise_owners(today=TODAY + 3 * DAY) == 1
    assert promise_actions.remind_promise_owners(today=TODAY + 4 * DAY) == 0  # once per promise
    (email,) = mail.outbox
    assert email.to == [decision_maker.user.email] and "Legal review of retention" in email.body
    assert engagement.title in email.body and f"/engagements/inputs/{item.pk}/decide/" in email.body
    assert item.text not in email.body  # what the person said stays out of email
    assert Promise.objects.get().reminded_on == TODAY + 3 * DAY
    entry = AuditEntry.objects.get(action="promise.reminder_sent")
    assert entry.target_id == str(item.pk) and decision_maker.user.username in entry.summary


@pytest.mark.django_db
def test_a_kept_promise_or_one_whose_owner_left_is_handled(hr_lead, decision_maker, settings):
    settings.RIGHTSLOOP_PROMISE_REMINDER_DAYS = 7
    engagement = make_engagement(hr_lead)
    first = make_input(hr_lead, engagement)
    second = make_input(hr_lead, engagement)
    decide(first, "under_consideration", decision_maker, TODAY + 3 * DAY)
    decide(first, "adopted", hr_lead)  # kept: nothing to remind
    decide(second, "under_consideration", decision_maker, TODAY + 3 * DAY)
    decision_maker.user.is_active = False
    decision_maker.user.save(update_fields=["is_active"])
    assert promise_actions.remind_promise_owners(today=TODAY) == 1
    (email,) = mail.outbox
    assert email.to == [engagement.owner.email] and email.body.count("Next step:") == 1


@pytest.mark.django_db
def test_the_daily_task_run_twice_reminds_and_breaks_once(hr_lead, decision_maker, settings):
    settings.RIGHTSLOOP_PROMISE_REMINDER_DAYS = 7
    engagement = make_engagement(hr_lead)
    coming = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    lapsing = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    decide(coming, "under_consideration", decision_maker, TODAY + 12 * DAY)
    decide(lapsing, "under_consideration", decision_maker, TODAY + 2 * DAY)
    with on(TODAY + 6 * DAY):
        assert tasks.keep_track_of_promises.call() == {"reminders_sent": 1, "broken": 1}
        assert tasks.keep_track_of_promises.call() == {"reminders_sent": 0, "broken": 0}
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="promise.reminder_sent").count() == 1
    assert AuditEntry.objects.filter(action="promise.broken").count() == 1
    engagement.refresh_from_db()
    assert engagement.broken_promises == 1


def test_the_daily_round_is_scheduled():
    from rightsloop.core.registry import site

    assert any(s.key == "keep-track-of-promises" and s.task is tasks.keep_track_of_promises for s in site.schedules)


# The API ---------------------------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_promises_through_the_api(hr_lead, decision_maker, board, api):
    engagement = make_engagement(hr_lead)
    lead = api(hr_lead)
    kept, broken, open_ = (make_input(hr_lead, engagement, make_participation(hr_lead, engagement,
                                                                              make_stakeholder(hr_lead)))
                           for _n in range(3))
    protected = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, safety_level="high"),
                                   override_reason="Met at their request")
    hidden = make_input(hr_lead, engagement, protected)

    no_date = lead.post(f"/api/v1/inputs/{kept.pk}/decision", {"outcome": "under_consideration",
                                                                "next_step": "Legal review"})
    assert no_date.status_code == 400 and "next_step_due" in no_date.json()["errors"]
    past = lead.post(f"/api/v1/inputs/{kept.pk}/decision", {"outcome": "under_consideration", "next_step": "Legal",
                                                             "next_step_due": (TODAY - DAY).isoformat()})
    assert past.status_code == 400 and "next_step_due" in past.json()["errors"]

    with on(TODAY - 20 * DAY):
        decide(kept, "under_consideration", hr_lead, TODAY - 15 * DAY)
        decide(broken, "under_consideration", hr_lead, TODAY - 10 * DAY)
        decide(hidden, "under_consideration", hr_lead, TODAY - 10 * DAY)
    with on(TODAY - 16 * DAY):
        decide(kept, "adopted", hr_lead)
    decide(open_, "under_consideration", decision_maker, TODAY + 5 * DAY)

    every = api(decision_maker).get("/api/v1/promises").json()
    assert {row["input_id"]: row["state"] for row in every["items"]} == {
        kept.pk: "kept", broken.pk: "broken", open_.pk: "open"}  # the protected person's promise is not theirs to see
    row = next(row for row in every["items"] if row["input_id"] == open_.pk)
    assert row["owner"] == decision_maker.user.username and row["due_on"] == (TODAY + 5 * DAY).isoformat()
    assert row["next_step"] == "Legal review of retention" and row["engagement_id"] == engagement.pk
    assert [r["input_id"] for r in lead.get("/api/v1/promises?state=broken").json()["items"]] == [broken.pk, hidden.pk]
    assert [r["input_id"] for r in lead.get(f"/api/v1/promises?input_id={kept.pk}").json()["items"]] == [kept.pk]
    assert lead.get("/api/v1/promises?state=forgotten").status_code == 400
    assert api(board).get("/api/v1/promises").status_code == 403
    assert api(decision_maker).get("/api/v1/metrics/loop").json()["broken_promises"] == 1


@pytest.mark.django_db
def test_the_overdue_loop_reminder_says_a_promise_broke_before_the_feedback_date(hr_lead):
    engagement = make_engagement(hr_lead, title="Trip sharing workshop", feedback_due_on=TODAY + 30 * DAY)
    item = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    decide(item, "under_consideration", hr_lead, TODAY + 2 * DAY)
    later = TODAY + 3 * DAY
    promise_actions.break_lapsed_promises(today=later)
    assert actions.remind_overdue_loop_owners(today=later) == 1
    (email,) = mail.outbox
    assert "Trip sharing workshop" in email.body and "a next step promised on one of its inputs is past its date" \
        in email.body and "days overdue" not in email.body
