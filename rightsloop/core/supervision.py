"""Watching background tasks: a task running past its time limit is reported, one whose worker died is resumed.

The task queue (django-tasks with the database backend) marks a task RUNNING when a worker claims it and knows
nothing more: no heartbeat, no process. A worker that dies (out of memory, a kill, a lost machine) leaves its task
RUNNING for ever, and one that hangs looks the same. So, in the worker process:

- when a task starts, a TaskWatch row records the worker's host and process id, and a daemon thread refreshes
  its heartbeat every RIGHTSLOOP_TASK_HEARTBEAT_SECONDS until the task finishes;

and, once a minute, `watch_tasks` (run by `manage.py run_scheduler` in its own process, so a hung worker cannot
stop the check) looks at every running task:

- its worker is gone (same host and the process no longer exists, or no heartbeat for DEAD_AFTER_BEATS beats), or
  the worker was stopped in the middle of it (a second SIGTERM or Ctrl-C ends the task with SystemExit or
  KeyboardInterrupt): the task is marked failed, the app's `resume` hook puts its work back in a state a new run
  takes up, and the task is enqueued again through the tasks API, at most MAX_RESUMES times for the same arguments
  (our tasks are safe to run twice);
- it has run longer than its limit (RIGHTSLOOP_TASK_TIME_LIMITS, by task name, else "default"): a warning names
  the task id and name, once, and the app's `overdue` hook lets its pages say so.

The apps say what "resume" and "overdue" mean for their work with `watch(task, resume=..., overdue=...)`, at
import of the task's module (the check imports that module before it calls them).
"""

from __future__ import annotations

import datetime
import logging
import os
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.signals import task_finished, task_started

from .models import TaskWatch

logger = logging.getLogger("rightsloop.tasks")

DEAD_AFTER_BEATS = 8
NO_WATCH_GRACE = datetime.timedelta(minutes=10)
MAX_RESUMES = 3
STOPPED_MID_TASK = ("builtins.SystemExit", "builtins.KeyboardInterrupt")
KEEP_WATCHES = datetime.timedelta(days=30)
HOST = socket.gethostname()


@dataclass(frozen=True)
class Hooks:
    # Called with (args, kwargs, at) inside the transaction that enqueues the task again.
    resume: Callable[[list, dict, datetime.datetime], None] | None = None
    # Called with (args, kwargs, limit in seconds) when the task is first seen past its limit.
    overdue: Callable[[list, dict, int], None] | None = None
    # Called with (args, kwargs) when the worker died under the task MAX_RESUMES times: it is not resumed again.
    abandon: Callable[[list, dict], None] | None = None


_hooks: dict[str, Hooks] = {}


def watch(watched_task, *, resume=None, overdue=None, abandon=None) -> None:
    """Say how to resume a task's work and how to show that it runs long (see the module's docstring)."""
    _hooks[watched_task.module_path] = Hooks(resume=resume, overdue=overdue, abandon=abandon)


def heartbeat_seconds() -> float:
    return float(getattr(settings, "RIGHTSLOOP_TASK_HEARTBEAT_SECONDS", 15))


def time_limit(task_name: str) -> int:
    """The limit of a task in seconds, by its full path, its short name, else the default."""
    limits = getattr(settings, "RIGHTSLOOP_TASK_TIME_LIMITS", {})
    short = task_name.rsplit(".", 1)[-1]
    return int(limits.get(task_name, limits.get(short, limits.get("default", 3600))))


# In the worker: a heartbeat while a task runs -------------------------------------------------------------------

_beating: dict[str, threading.Event] = {}


def _watched(sender) -> bool:
    # Only the database queue runs tasks in another process; the inline backend of the tests needs no watching.
    # db_worker sends the backend itself as the sender when a task starts, and its class when one fails.
    from django_tasks_db.backend import DatabaseBackend

    return issubclass(sender if isinstance(sender, type) else type(sender), DatabaseBackend)


def _started(sender, task_result, **kwargs) -> None:
    if not _watched(sender):
        return
    now = timezone.now()
    key = str(task_result.id)
    TaskWatch.objects.update_or_create(task_result_id=key, defaults={
        "task_name": task_result.task.module_path, "host": HOST, "pid": os.getpid(),
        "started_at": task_result.started_at or now, "heartbeat_at": now, "finished_at": None})
    stop = threading.Event()
    _beating[key] = stop
    threading.Thread(target=_beat, args=(key, stop), name=f"task-heartbeat-{key}", daemon=True).start()


def _beat(key: str, stop: threading.Event) -> None:
    try:
        while not stop.wait(heartbeat_seconds()):
            try:
                TaskWatch.objects.filter(task_result_id=key).update(heartbeat_at=timezone.now())
            except DatabaseError:
                # A busy SQLite file (the task holds a long write); the next beat tries again, and on one host
                # the check asks the operating system whether the worker lives rather than trusting beats alone.
                logger.debug("heartbeat of task %s skipped", key, exc_info=True)
    finally:
        connection.close()


def _finished(sender, task_result, **kwargs) -> None:
    if not _watched(sender):
        return
    key = str(task_result.id)
    stop = _beating.pop(key, None)
    if stop is not None:
        stop.set()
    TaskWatch.objects.filter(task_result_id=key).update(finished_at=timezone.now())


task_started.connect(_started, dispatch_uid="rightsloop.core.supervision.started")
task_finished.connect(_finished, dispatch_uid="rightsloop.core.supervision.finished")


# The check ------------------------------------------------------------------------------------------------------

@dataclass
class Report:
    resumed: list[str]
    overdue: list[str]
    abandoned: list[str]


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: it exists
        return True
    return True


def worker_stopped(watch: TaskWatch | None, started_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    """Whether the worker under a running task is gone: asked of the operating system on the same host, else
    judged by the heartbeat (a busy worker still beats; a hung one is reported as overdue, not taken from it)."""
    dead_after = datetime.timedelta(seconds=heartbeat_seconds() * DEAD_AFTER_BEATS)
    if watch is None:
        # The worker writes the watch as it starts the task; without one (it died in between, or it predates
        # the watch) only age tells, and a live task must not be run a second time beside itself.
        return started_at is None or now - started_at > max(dead_after, NO_WATCH_GRACE)
    if watch.host == HOST:
        return not _process_exists(watch.pid)
    return now - watch.heartbeat_at > dead_after


def supervise(*, now: datetime.datetime | None = None) -> Report:
    """Resume the tasks whose worker stopped, report those past their limit; safe to run at any time, twice."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    report = Report(resumed=[], overdue=[], abandoned=[])
    running = list(DBTaskResult.objects.running())
    watches = {w.task_result_id: w for w in TaskWatch.objects.filter(
        task_result_id__in=[str(result.id) for result in running])}
    for result in running:
        watch = watches.get(str(result.id))
        if worker_stopped(watch, result.started_at, now):
            _resume(result, now, report, running=True)
        elif watch is not None and watch.overdue_at is None:
            limit = time_limit(result.task_path)
            if now - result.started_at > datetime.timedelta(seconds=limit):
                _overdue(result, watch, limit, now, report)
    # Stopped in the middle by a second signal: the queue recorded SystemExit; taken up once.
    handled = TaskWatch.objects.filter(resumed_at__isnull=False).values_list("task_result_id", flat=True)
    stopped = (DBTaskResult.objects.failed().filter(exception_class_path__in=STOPPED_MID_TASK,
                                                    finished_at__gte=now - KEEP_WATCHES)
               .exclude(id__in=list(handled)))
    for result in stopped:
        _resume(result, now, report, running=False)
    TaskWatch.objects.filter(finished_at__lt=now - KEEP_WATCHES).delete()
    return report


def _hooks_of(result) -> Hooks:
    try:
        result.task  # imports the task's module, which registers its hooks  # noqa: B018
    except Exception:  # a task that no longer exists has no hooks
        logger.exception("task %s (%s) cannot be loaded", result.id, result.task_path)
    return _hooks.get(result.task_path, Hooks())


def _resume(result, now: datetime.datetime, report: Report, *, running: bool) -> None:
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    key = str(result.id)
    args, kwargs = result.args_kwargs.get("args", []), result.args_kwargs.get("kwargs", {})
    hooks = _hooks_of(result)
    with transaction.atomic():
        if running:
            # Only if it is still running: a second check, or a late-finishing worker, wins the race.
            taken = DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.FAILED, finished_at=now,
                exception_class_path=f"{__name__}.WorkerStopped",
                traceback="The worker running this task stopped; the task was queued again.")
            if not taken:
                return
        watch, _created = TaskWatch.objects.select_for_update().get_or_create(task_result_id=key, defaults={
            "task_name": result.task_path, "host": "", "pid": 0, "started_at": result.started_at or now,
            "heartbeat_at": result.started_at or now, "finished_at": now})
        if watch.resumed_at is not None:
            return
        # Earlier runs with the same arguments whose worker stopped too (ids compared as text: SQLite stores
        # the queue's UUIDs without dashes).
        same = [str(pk) for pk in DBTaskResult.objects.filter(task_path=result.task_path,
                                                              args_kwargs=result.args_kwargs)
                .exclude(pk=result.pk).values_list("pk", flat=True)]
        earlier = TaskWatch.objects.filter(task_result_id__in=same, resumed_at__isnull=False).count()
        watch.resumed_at, watch.finished_at = now, watch.finished_at or now
        try:
            task_to_queue = result.task
        except Exception:  # its code is gone (renamed in a release): nothing to queue; the error is logged above
            task_to_queue = None
        if earlier >= MAX_RESUMES or task_to_queue is None:
            watch.save(update_fields=["resumed_at", "finished_at"])
            logger.error("task %s (%s): its worker stopped under it (%s times); not resumed again%s", key,
                         result.task_path, earlier + 1, "" if task_to_queue else ": its code cannot be loaded")
            if hooks.abandon:
                hooks.abandon(args, kwargs)
            report.abandoned.append(key)
            return
        if hooks.resume:
            hooks.resume(args, kwargs, now)
        again = task_to_queue.using(queue_name=result.queue_name, priority=result.priority,
                                    backend=result.backend_name).enqueue(*args, **kwargs)
        watch.resumed_as = str(again.id)
        watch.save(update_fields=["resumed_at", "finished_at", "resumed_as"])
    logger.warning("task %s (%s): its worker stopped; queued again as %s", key, result.task_path, again.id)
    report.resumed.append(key)


def _overdue(result, watch: TaskWatch, limit: int, now: datetime.datetime, report: Report) -> None:
    TaskWatch.objects.filter(pk=watch.pk).update(overdue_at=now)
    logger.warning("task %s (%s) has run for %s s, past its limit of %s s (worker pid %s on %s)",
                   result.id, result.task_path, int((now - result.started_at).total_seconds()), limit,
                   watch.pid, watch.host)
    hooks = _hooks_of(result)
    if hooks.overdue:
        args, kwargs = result.args_kwargs.get("args", []), result.args_kwargs.get("kwargs", {})
        hooks.overdue(args, kwargs, limit)
    report.overdue.append(str(result.id))


@task()
def watch_tasks() -> str:
    """The scheduled check (run_scheduler calls it in its own process; see core.apps)."""
    report = supervise()
    return f"{len(report.resumed)} resumed, {len(report.overdue)} overdue, {len(report.abandoned)} abandoned"
