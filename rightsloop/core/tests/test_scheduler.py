import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rightsloop.engagements.tests.factories import make_engagement, make_input

pytestmark = pytest.mark.django_db


def test_schedules_are_registered():
    out = StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    assert "remind-overdue-loops\t0 7 * * *" in out.getvalue()


def test_now_enqueues_the_task(hr_lead):
    today = timezone.localdate()
    engagement = make_engagement(hr_lead, starts_on=today - datetime.timedelta(days=80),
                                 feedback_due_on=today - datetime.timedelta(days=3))
    make_input(hr_lead, engagement)
    # The test settings run enqueued tasks immediately.
    call_command("run_scheduler", "--now", "remind-overdue-loops")
    assert [message.to for message in mail.outbox] == [[hr_lead.user.email]]


@pytest.mark.django_db(transaction=True)
def test_the_planner_statistics_are_refreshed_daily_and_twice_is_harmless():
    """On SQLite the daily task leaves statistics the planner reads (sqlite_stat1); run twice, still one set.
    On PostgreSQL autovacuum keeps them and the task does nothing."""
    from django.db import connection

    from rightsloop.core.tasks import refresh_planner_statistics

    out = StringIO()
    call_command("run_scheduler", "--list", stdout=out)
    assert "refresh-planner-statistics\t45 2 * * *" in out.getvalue()
    first = refresh_planner_statistics.call()
    second = refresh_planner_statistics.call()
    if connection.vendor != "sqlite":
        assert first == second == ""
        return
    assert first == second == "ANALYZE"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        assert cursor.fetchone()[0] == 1
