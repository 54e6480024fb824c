"""The facts the models keep for the self-check (selfcheck_facts.py): promises kept, stage changes' organisation
and stays; kept by save() on every path the actions take, and put right by the refresh functions after bulk
writes. Also the dashboard panel reading the open stages only."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from rightsloop.grievances import dashboard, selfcheck, selfcheck_facts
from rightsloop.grievances.actions import cases
from rightsloop.grievances.actions import follow_up as person
from rightsloop.grievances.models import Grievance, StageChange
from rightsloop.grievances.selfcheck import Period
from rightsloop.grievances.vocabulary import Criterion, MessageVia, Stage

from .factories_cases import make_case
from .factories_selfcheck import at, move

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def fresh(grievance) -> Grievance:
    return Grievance.objects.get(pk=grievance.pk)


# Promises kept --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("answered", "expected"), [
    (None, None),
    (datetime.datetime(2026, 3, 10, 23, 30), True),  # the evening of the due day, site time
    (datetime.datetime(2026, 3, 11, 0, 30), False),  # half an hour into the next day
])
def test_in_time_reads_the_answer_s_date_in_the_site_s_time_zone(settings, answered, expected):
    settings.TIME_ZONE = "Pacific/Auckland"
    if answered is not None:
        answered = answered.replace(tzinfo=zoneinfo.ZoneInfo("Pacific/Auckland")).astimezone(datetime.UTC)
    assert selfcheck_facts.in_time(answered, datetime.date(2026, 3, 10)) is expected


def test_save_keeps_the_promises_and_an_update_of_the_dates_carries_them(organisation):
    received = timezone.now() - 20 * DAY
    case = make_case(organisation, received_at=received)
    assert (fresh(case).acknowledged_in_time, fresh(case).responded_in_time) == (None, None)
    case.acknowledged_at = received + 10 * DAY  # due after 7 days
    case.save(update_fields=["acknowledged_at"])
    assert fresh(case).acknowledged_in_time is False
    case.acknowledge_due_on = (received + 12 * DAY).date()
    case.save(update_fields=["acknowledge_due_on"])
    assert fresh(case).acknowledged_in_time is True
    case.responded_at = received + DAY
    case.save(update_fields=["responded_at"])
    assert fresh(case).responded_in_time is True


def test_the_actions_keep_the_promises(organisation, hr_lead):
    case = make_case(organisation, received_at=timezone.now() - 30 * DAY)  # acknowledgement due 23 days ago
    cases.acknowledge(grievance=case, by=hr_lead)
    assert fresh(case).acknowledged_in_time is False
    cases.move_stage(grievance=fresh(case), to=Stage.ASSESSING, by=hr_lead)
    cases.move_stage(grievance=fresh(case), to=Stage.NOT_ADMISSIBLE, by=hr_lead,
                     reasons="Not about our products; the regulator can help.")
    assert fresh(case).responded_in_time is True  # 90 days to respond
    # An appeal starts the response's promise again: nothing answered yet.
    person.appeal(grievance=fresh(case), reason="You did not read it", via=MessageVia.FOLLOW_UP)
    assert (fresh(case).responded_at, fresh(case).responded_in_time) == (None, None)


# Stage changes ----------------------------------------------------------------------------------------------------

def test_a_stage_change_takes_the_case_s_organisation_and_its_stay(organisation, hr_lead):
    received = timezone.now() - 40 * DAY
    case = make_case(organisation, received_at=received)
    receipt = case.stage_changes.get()
    assert (receipt.organisation_id, receipt.stayed_seconds) == (organisation.pk, None)
    first = move(case, Stage.ACKNOWLEDGED, received + 2 * DAY)
    assert (first.organisation_id, first.stayed_seconds) == (organisation.pk, 2 * 86400)
    move(case, Stage.ASSESSING, received + 3 * DAY)
    move(case, Stage.INVESTIGATING, received + 4 * DAY)
    move(case, Stage.REMEDY_PROPOSED, received + 10 * DAY)
    move(case, Stage.INVESTIGATING, received + 11 * DAY)
    again = move(case, Stage.CLOSED, received + 11 * DAY + 5 * HOUR)
    # The latest entry into "investigating" counts, not the first.
    assert again.stayed_seconds == 5 * 3600
    assert StageChange.objects.filter(organisation=organisation).count() == 7


def test_a_first_stage_without_its_own_row_is_timed_from_the_receipt(organisation):
    received = timezone.now() - 5 * DAY
    case = make_case(organisation, received_at=received)
    StageChange.objects.filter(grievance=case).delete()
    assert move(case, Stage.ACKNOWLEDGED, received + 36 * HOUR).stayed_seconds == 36 * 3600


def test_the_actions_write_the_stays(organisation, hr_lead):
    case = make_case(organisation, received_at=timezone.now() - 3 * DAY)
    cases.acknowledge(grievance=case, by=hr_lead)
    change = case.stage_changes.last()
    assert change.organisation_id == organisation.pk
    assert 3 * 86400 - 60 < change.stayed_seconds <= 3 * 86400 + 60


# After a bulk write ---------------------------------------------------------------------------------------------

def test_refresh_puts_right_what_was_written_without_save(organisation, other_organisation):
    received = timezone.now() - 30 * DAY
    case = make_case(organisation, received_at=received, acknowledged_at=received + DAY)
    other = make_case(other_organisation, received_at=received)
    move(case, Stage.ACKNOWLEDGED, received + DAY)
    move(case, Stage.ASSESSING, received + 4 * DAY)
    move(other, Stage.ACKNOWLEDGED, received + 2 * DAY)
    expected = list(StageChange.objects.order_by("pk").values_list("organisation_id", "stayed_seconds"))
    # Re-dated and written behind save()'s back, as a data load or a bulk_create would.
    Grievance.objects.filter(pk=case.pk).update(acknowledged_at=received + 9 * DAY, acknowledged_in_time=None)
    StageChange.objects.update(stayed_seconds=None)
    assert selfcheck_facts.refresh_deadlines(Grievance) == 1
    assert fresh(case).acknowledged_in_time is False
    assert selfcheck_facts.refresh_stage_changes(StageChange) == 3
    assert list(StageChange.objects.order_by("pk").values_list("organisation_id", "stayed_seconds")) == expected
    # Nothing left to change.
    assert selfcheck_facts.refresh_deadlines(Grievance) == selfcheck_facts.refresh_stage_changes(StageChange) == 0


def test_the_self_check_counts_only_what_the_facts_say(organisation):
    """The figures read the kept facts: a case written behind save()'s back counts once it is refreshed."""
    case = make_case(organisation, received_at=at("2026-10-01"), acknowledged_at=at("2026-10-03"))
    Grievance.objects.filter(pk=case.pk).update(acknowledged_in_time=None)
    today = datetime.date(2026, 12, 15)

    def acknowledged():
        check = selfcheck.self_check(organisation, Period(2026, 4), today=today)
        found = next(f for f in check.criterion(Criterion.PREDICTABLE).figures if f.key == "acknowledged_in_time")
        return found.numerator, found.denominator

    assert acknowledged() == (0, 1)
    selfcheck_facts.refresh_deadlines(Grievance, Grievance.objects.filter(organisation=organisation))
    assert acknowledged() == (1, 1)


# The dashboard panel -----------------------------------------------------------------------------------------------

def test_the_panel_reads_the_open_stages_only(organisation, django_assert_num_queries):
    today = timezone.localdate()
    make_case(organisation, stage=Stage.RECEIVED, received_at=timezone.now() - 10 * DAY)
    for finished in (Stage.CLOSED, Stage.NOT_ADMISSIBLE):
        make_case(organisation, stage=finished, received_at=timezone.now() - 200 * DAY, escalation_level=2,
                  appeals_count=1)
    with django_assert_num_queries(1) as captured:
        found = dashboard.counts(organisation, today)
    assert found == {"open": 1, "awaiting_acknowledgement": 1, "acknowledgement_overdue": 1,
                     "response_overdue": 0, "escalated": 0, "escalated_to_administrators": 0, "appealed": 0}
    sql = captured.captured_queries[0]["sql"]
    assert "IN (" in sql and "closed" not in sql  # the open stages by name, never "not finished"
    assert set(dashboard.OPEN_STAGES) | {Stage.CLOSED, Stage.NOT_ADMISSIBLE} == set(Stage.values)
