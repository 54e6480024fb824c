"""Asking for an analysis of an exercise: debounced, queued in the background, never run in the request.

Voting calls `request_analysis` after every vote. A run that is queued and not started yet will read every vote
there is when it starts, so a second one is never queued beside it; and the task is asked to start a little
later (DEBOUNCE, where the task backend can defer), so a burst of votes gives one run, not one per vote.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from ..models import AnalysisRun, Exercise
from ..vocabulary import RunState

# A queued run older than this was lost (its worker stopped, its task vanished): it no longer holds back a new one.
LOST_AFTER = datetime.timedelta(minutes=30)


def debounce() -> datetime.timedelta:
    return datetime.timedelta(seconds=float(getattr(settings, "RIGHTSLOOP_CONSENSUS_DEBOUNCE_SECONDS", 10)))


def _enqueue(run_id: int, *, delay: datetime.timedelta) -> None:
    from ..tasks import analyse_exercise

    task = analyse_exercise
    if delay and task.get_backend().supports_defer:
        task = task.using(run_after=timezone.now() + delay)
    task.enqueue(run_id=run_id)


def _waiting_run(exercise: Exercise) -> AnalysisRun | None:
    """The run queued and not started yet, if any; one lost for LOST_AFTER is marked failed instead."""
    queued = exercise.runs.filter(state=RunState.QUEUED)
    queued.filter(created_at__lt=timezone.now() - LOST_AFTER).update(
        state=RunState.FAILED, finished_at=timezone.now(),
        message=_("The run never started (its worker stopped); a new one was asked for."))
    return queued.order_by("-created_at", "-id").first()


@transaction.atomic
def request_analysis(*, exercise: Exercise, by: Viewer | None = None,
                     delay: datetime.timedelta | None = None) -> AnalysisRun:
    """Make sure a run will read the exercise's votes as they are now; returns the run that will.

    `by` is a member asking from the results page (checked and audited); voting asks with no one (by=None) and
    is not audited, a vote at a time. A run already queued and not started is the answer, and nothing is added.
    """
    if by is not None and not by.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role cannot start an analysis."))
    # The lock makes two votes at the same moment find the same queued run (SQLite serialises writers anyway).
    Exercise.objects.select_for_update().filter(pk=exercise.pk).values_list("pk", flat=True).first()
    now = timezone.now()
    Exercise.objects.filter(pk=exercise.pk).update(analysis_requested_at=now)
    exercise.analysis_requested_at = now
    run = _waiting_run(exercise)
    if run is None:
        run = AnalysisRun.objects.create(exercise=exercise, state=RunState.QUEUED,
                                         requested_by=by.user if by else None)
        transaction.on_commit(partial(_enqueue, run.pk, delay=debounce() if delay is None else delay))
    if by is not None:
        audit.record(organisation=exercise.organisation, by=by, action="exercise.analysis_requested",
                     target=exercise, summary=f"run #{run.pk}")
    return run


# What the task watch (core.supervision) does with a run whose worker stopped ----------------------------------------

def resume_run(*, run_id: int, at) -> None:
    """Put a run its worker dropped back in the queue: the task enqueued again takes it up from the start."""
    AnalysisRun.objects.filter(pk=run_id, state=RunState.RUNNING).update(state=RunState.QUEUED, started_at=None)


def note_run_overdue(*, run_id: int, limit_seconds: int) -> None:
    AnalysisRun.objects.filter(pk=run_id, state=RunState.RUNNING, message="").update(
        message=_("This run has taken longer than %(seconds)s seconds.") % {"seconds": limit_seconds})


def abandon_run(*, run_id: int) -> None:
    AnalysisRun.objects.filter(pk=run_id, state__in=[RunState.QUEUED, RunState.RUNNING]).update(
        state=RunState.FAILED, finished_at=timezone.now(),
        message=_("The run stopped several times without finishing; ask for a new analysis."))
