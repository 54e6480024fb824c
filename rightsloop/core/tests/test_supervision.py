"""The check that watches the task worker (core.supervision): a task whose worker died, or that was stopped in the
middle, is queued again once and its page says so; a task past its time limit is reported once; a task whose
worker keeps dying is given up. The real worker process is in consultations/tests/test_worker.py."""

import datetime
import logging
import subprocess
import sys

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rightsloop.consultations import loop
from rightsloop.consultations.actions import analysis as runs
from rightsloop.consultations.actions import imports as import_actions
from rightsloop.consultations.actions import outcomes
from rightsloop.consultations.models import (
    AnalysisRun,
    ImportState,
    MessageRun,
    ResponseImport,
    RunState,
    SendingState,
)
from rightsloop.consultations.tasks.analysis import discover_themes_task
from rightsloop.consultations.tasks.imports import apply_import
from rightsloop.consultations.tasks.messages import send_messages
from rightsloop.consultations.tests.factories import make_applied_import, make_consultation
from rightsloop.consultations.tests.synthetic import synthetic_rows
from rightsloop.consultations.tests.test_outcomes import consultation_with_themes, person
from rightsloop.core import supervision
from rightsloop.core.models import TaskWatch

pytestmark = pytest.mark.django_db

# Queued tasks stay in the database (as with the real worker) instead of running inline.
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def dead_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def running_task(task, *, started: datetime.timedelta, pid: int | None, exception: str = "", **kwargs):
    """A task the worker claimed `started` ago, with its watch (pid None: no watch at all)."""
    now = timezone.now()
    result = DBTaskResult.objects.create(
        status="FAILED" if exception else "RUNNING", task_path=task.module_path, backend_name="default",
        queue_name="default", priority=0, run_after=now - started, started_at=now - started,
        finished_at=now if exception else None, exception_class_path=exception, traceback="",
        args_kwargs={"args": [], "kwargs": kwargs}, worker_ids=["w1"])
    if pid is not None:
        TaskWatch.objects.create(task_result_id=str(result.pk), task_name=task.module_path, host=supervision.HOST,
                                 pid=pid, started_at=now - started, heartbeat_at=now,
                                 finished_at=now if exception else None)
    return result


@pytest.fixture
def discovery_under_way(hr_lead):
    """A discovery run its worker had claimed (state running), as left by a worker that stopped under it."""
    consultation = make_consultation(hr_lead, yes_no=True)
    make_applied_import(consultation, synthetic_rows(20), by=hr_lead)
    run = runs.start_discovery(consultation=consultation, parameters={"seed": 1, "themes": 3}, by=hr_lead,
                               enqueue=False)
    AnalysisRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING, stage="themes")
    return run


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_task_whose_worker_died_is_queued_again_once_and_its_page_says_so(discovery_under_way, hr_lead, sign_in,
                                                                             caplog):
    run = discovery_under_way
    lost = running_task(discover_themes_task, started=datetime.timedelta(minutes=5), pid=dead_pid(), run_id=run.pk)
    with caplog.at_level(logging.WARNING, logger="rightsloop.tasks"):
        report = supervision.supervise()
    assert report.resumed == [str(lost.pk)] and report.overdue == [] and report.abandoned == []
    lost.refresh_from_db()
    assert lost.status == "FAILED" and lost.exception_class_path.endswith("WorkerStopped")
    (again,) = DBTaskResult.objects.filter(status="READY")
    assert again.task_path == lost.task_path and again.args_kwargs == lost.args_kwargs
    assert f"task {lost.pk} ({lost.task_path}): its worker stopped; queued again as {again.pk}" in caplog.text
    run.refresh_from_db()
    assert run.state == RunState.QUEUED and run.message.startswith("The worker stopped; resumed at ")
    page = sign_in(hr_lead).get(reverse("consultations:analysis", args=[run.consultation_id]))
    assert "The worker stopped; resumed at " in page.content.decode()

    # Checked again: nothing more to do (the run is queued, its old task is no longer running).
    assert supervision.supervise().resumed == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    # The queued task, run by a worker, takes the run up from the start and ends it.
    discover_themes_task.call(run_id=run.pk)
    run.refresh_from_db()
    assert run.state == RunState.DONE, run.message


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_task_stopped_in_the_middle_by_a_second_signal_is_resumed(discovery_under_way):
    run = discovery_under_way
    stopped = running_task(discover_themes_task, started=datetime.timedelta(minutes=1), pid=dead_pid(),
                           exception="builtins.SystemExit", run_id=run.pk)
    assert supervision.supervise().resumed == [str(stopped.pk)]
    assert supervision.supervise().resumed == []
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run.refresh_from_db()
    assert run.state == RunState.QUEUED


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_running_task_without_any_watch_is_judged_by_its_age(discovery_under_way):
    run = discovery_under_way
    recent = running_task(discover_themes_task, started=datetime.timedelta(seconds=5), pid=None, run_id=run.pk)
    assert supervision.supervise().resumed == []  # just claimed: its watch is being written
    DBTaskResult.objects.filter(pk=recent.pk).update(started_at=timezone.now() - datetime.timedelta(hours=1))
    assert supervision.supervise().resumed == [str(recent.pk)]


@override_settings(TASKS=DATABASE_QUEUE, RIGHTSLOOP_TASK_TIME_LIMITS={"default": 60, "discover_themes_task": 600})
def test_a_task_past_its_limit_is_reported_once_and_its_page_says_so(discovery_under_way, hr_lead, sign_in, caplog):
    run = discovery_under_way
    import os

    slow = running_task(discover_themes_task, started=datetime.timedelta(minutes=5), pid=os.getpid(), run_id=run.pk)
    assert supervision.supervise().overdue == []  # 5 minutes: within this task's own limit of 10
    DBTaskResult.objects.filter(pk=slow.pk).update(started_at=timezone.now() - datetime.timedelta(minutes=11))
    with caplog.at_level(logging.WARNING, logger="rightsloop.tasks"):
        report = supervision.supervise()
    assert report.overdue == [str(slow.pk)] and report.resumed == []  # its worker lives: never taken from it
    assert f"task {slow.pk} ({slow.task_path}) has run for 66" in caplog.text
    assert "past its limit of 600 s" in caplog.text
    run.refresh_from_db()
    assert run.state == RunState.RUNNING
    assert run.message == "Running for longer than expected (more than 10 minutes)."
    page = sign_in(hr_lead).get(reverse("consultations:analysis", args=[run.consultation_id]))
    assert "Running for longer than expected" in page.content.decode()
    assert supervision.supervise().overdue == []  # reported once
    assert DBTaskResult.objects.get(pk=slow.pk).status == "RUNNING"


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_task_whose_worker_keeps_dying_is_given_up(discovery_under_way):
    run = discovery_under_way
    for _attempt in range(supervision.MAX_RESUMES):
        running_task(discover_themes_task, started=datetime.timedelta(minutes=5), pid=dead_pid(), run_id=run.pk)
        assert len(supervision.supervise().resumed) == 1
        DBTaskResult.objects.filter(status="READY").delete()  # as if a worker had claimed it, then died again
        AnalysisRun.objects.filter(pk=run.pk).update(state=RunState.RUNNING)
    last = running_task(discover_themes_task, started=datetime.timedelta(minutes=5), pid=dead_pid(), run_id=run.pk)
    report = supervision.supervise()
    assert report.abandoned == [str(last.pk)] and report.resumed == []
    assert not DBTaskResult.objects.filter(status="READY").exists()
    run.refresh_from_db()
    assert run.state == RunState.FAILED and "not resumed again" in run.message


@override_settings(TASKS=DATABASE_QUEUE)
def test_an_import_whose_worker_died_shows_resumed_not_interrupted(hr_lead, sign_in):
    consultation = make_consultation(hr_lead)
    job = make_applied_import(consultation, synthetic_rows(5), by=hr_lead)
    long_ago = timezone.now() - datetime.timedelta(minutes=10)
    ResponseImport.objects.filter(pk=job.pk).update(state=ImportState.APPLYING, heartbeat_at=long_ago,
                                                    phase_started_at=long_ago)
    job.refresh_from_db()
    assert import_actions.shown_state(job) == ImportState.INTERRUPTED  # what the page said for ever before
    running_task(apply_import, started=datetime.timedelta(minutes=10), pid=dead_pid(), import_id=job.pk)
    assert len(supervision.supervise().resumed) == 1
    job.refresh_from_db()
    assert import_actions.shown_state(job) == ImportState.APPLYING
    page = sign_in(hr_lead).get(reverse("consultations:import-detail", args=[consultation.pk, job.pk]))
    text = page.content.decode()
    assert "The worker stopped; resumed at " in text and "Interrupted:" not in text


def test_the_limit_of_a_task_is_its_own_else_the_default():
    with override_settings(RIGHTSLOOP_TASK_TIME_LIMITS={"default": 60, "apply_import": 7200}):
        assert supervision.time_limit(apply_import.module_path) == 7200
        assert supervision.time_limit(discover_themes_task.module_path) == 60


def test_the_scheduler_runs_the_check_itself_every_minute():
    from rightsloop.core.registry import site

    (schedule,) = [s for s in site.schedules if s.key == "watch-tasks"]
    assert schedule.cron == "* * * * *" and schedule.in_scheduler and schedule.task is supervision.watch_tasks


@override_settings(TASKS=DATABASE_QUEUE)
def test_the_check_run_twice_resumes_once(discovery_under_way):
    run = discovery_under_way
    running_task(discover_themes_task, started=datetime.timedelta(minutes=5), pid=dead_pid(), run_id=run.pk)
    assert supervision.watch_tasks.call() == "1 resumed, 0 overdue, 0 abandoned"
    assert supervision.watch_tasks.call() == "0 resumed, 0 overdue, 0 abandoned"
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert TaskWatch.objects.filter(resumed_at__isnull=False).count() == 1


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_task_whose_code_is_gone_is_not_queued_and_does_not_stop_the_check(discovery_under_way, caplog):
    gone = running_task(discover_themes_task, started=datetime.timedelta(minutes=5), pid=dead_pid(), run_id=1)
    DBTaskResult.objects.filter(pk=gone.pk).update(task_path="rightsloop.consultations.tasks.gone.renamed_task")
    with caplog.at_level(logging.ERROR, logger="rightsloop.tasks"):
        report = supervision.supervise()
    assert report.abandoned == [str(gone.pk)] and report.resumed == []
    assert "its code cannot be loaded" in caplog.text
    assert not DBTaskResult.objects.filter(status="READY").exists()
    assert supervision.supervise().abandoned == []  # once


# The loop-closure messages: resumed like the rest, and never twice to one address ----------------------------------

class StoppedAfter(EmailBackend):
    """Hands `limit` messages over, then the worker is stopped: a second SIGTERM raises SystemExit in the task."""

    limit = 3

    def send_messages(self, messages):
        taken = 0
        for message in messages:
            if taken == self.limit:
                raise SystemExit(1)
            mail.outbox.append(message)
            taken += 1
        return taken


def stopped_mid_send(run: MessageRun):
    """The worker takes the sending, hands 3 of a batch of 5 over and is stopped; the queue records SystemExit."""
    with pytest.raises(SystemExit):
        outcomes.deliver(run_id=run.pk, batch_size=5, connection=StoppedAfter())
    return running_task(send_messages, started=datetime.timedelta(minutes=1), pid=dead_pid(),
                        exception="builtins.SystemExit", run_id=run.pk)


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_sending_stopped_twice_is_resumed_by_the_check_and_no_address_gets_two_messages(hr_lead, sign_in):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 21)])
    run = outcomes.start_sending(consultation=consultation, by=hr_lead, background=False)
    client = sign_in(hr_lead)
    for _stop in range(2):
        stopped = stopped_mid_send(run)
        run.refresh_from_db()
        assert run.state == SendingState.INTERRUPTED  # what the page said until a person pressed resume
        assert supervision.supervise().resumed == [str(stopped.pk)]
        run.refresh_from_db()
        assert run.state == SendingState.RUNNING and run.message.startswith("The worker stopped; resumed at ")
        text = client.get(reverse("consultations:messages", args=[consultation.pk])).content.decode()
        assert "The worker stopped; resumed at " in text and "A sending was interrupted" not in text
        (again,) = DBTaskResult.objects.filter(status="READY")
        assert again.task_path == send_messages.module_path and again.args_kwargs == stopped.args_kwargs
        if _stop == 0:
            again.delete()  # claimed by the next worker, which is stopped too
    assert supervision.supervise().resumed == []  # once per stop

    # The task queued after the second stop carries the sending to its end.
    assert send_messages.call(**again.args_kwargs["kwargs"]).startswith("done: 10 sent")
    everyone = [address for message in mail.outbox for address in message.to]
    assert len(everyone) == len(set(everyone)) == 3 + 3 + 10
    counts = loop.sending_counts(consultation)
    # The 5 claimed in each stopped batch (3 handed over, 2 not) are unknown and never resent.
    assert (counts.sent, counts.unknown, counts.waiting, counts.eligible) == (10, 10, 0, 20)
    run.refresh_from_db()
    assert run.state == SendingState.DONE and run.total == 20
    assert "The worker stopped" not in client.get(reverse("consultations:messages",
                                                          args=[consultation.pk])).content.decode()


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_sending_whose_worker_died_shows_resumed_not_interrupted(hr_lead, sign_in):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 6)])
    run = outcomes.start_sending(consultation=consultation, by=hr_lead, background=False)
    # A killed worker leaves its sending "running" with a silent heartbeat: shown interrupted after a while.
    MessageRun.objects.filter(pk=run.pk).update(heartbeat_at=timezone.now() - loop.STALE_AFTER * 2)
    run.refresh_from_db()
    assert loop.shown_state(run) == SendingState.INTERRUPTED
    running_task(send_messages, started=datetime.timedelta(minutes=10), pid=dead_pid(), run_id=run.pk)
    assert len(supervision.supervise().resumed) == 1
    run.refresh_from_db()
    assert loop.shown_state(run) == SendingState.RUNNING
    text = sign_in(hr_lead).get(reverse("consultations:messages", args=[consultation.pk])).content.decode()
    assert "The worker stopped; resumed at " in text and "A sending was interrupted" not in text


@override_settings(TASKS=DATABASE_QUEUE, RIGHTSLOOP_TASK_TIME_LIMITS={"default": 600})
def test_a_sending_past_its_limit_says_so_on_its_page(hr_lead, sign_in):
    import os

    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 4)])
    run = outcomes.start_sending(consultation=consultation, by=hr_lead, background=False)
    running_task(send_messages, started=datetime.timedelta(minutes=11), pid=os.getpid(), run_id=run.pk)
    assert len(supervision.supervise().overdue) == 1
    run.refresh_from_db()
    assert run.state == SendingState.RUNNING
    assert run.message == "Running for longer than expected (more than 10 minutes)."
    text = sign_in(hr_lead).get(reverse("consultations:messages", args=[consultation.pk])).content.decode()
    assert "Running for longer than expected" in text


@override_settings(TASKS=DATABASE_QUEUE)
def test_a_sending_whose_worker_keeps_stopping_is_given_up_and_left_to_resume(hr_lead, sign_in):
    consultation, *_ = consultation_with_themes(hr_lead, [person(n) for n in range(1, 4)])
    run = outcomes.start_sending(consultation=consultation, by=hr_lead, background=False)
    for _attempt in range(supervision.MAX_RESUMES):
        running_task(send_messages, started=datetime.timedelta(minutes=1), pid=dead_pid(),
                     exception="builtins.SystemExit", run_id=run.pk)
        assert len(supervision.supervise().resumed) == 1
        DBTaskResult.objects.filter(status="READY").delete()
    last = running_task(send_messages, started=datetime.timedelta(minutes=1), pid=dead_pid(),
                        exception="builtins.SystemExit", run_id=run.pk)
    report = supervision.supervise()
    assert report.abandoned == [str(last.pk)] and report.resumed == []
    run.refresh_from_db()
    assert run.state == SendingState.INTERRUPTED and "not resumed again" in run.message
    assert outcomes.resumable_run(consultation) == run
    text = sign_in(hr_lead).get(reverse("consultations:messages", args=[consultation.pk])).content.decode()
    assert "not resumed again" in text and "Resume sending" in text
