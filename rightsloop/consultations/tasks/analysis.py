"""Background runs of the analysis; each does a queued run once (a second call finds it taken and returns)."""

from django_tasks import task

from rightsloop.core import supervision

from ..actions import analysis as actions
from ..models import AnalysisRun


def _queued(run_id: int) -> AnalysisRun | None:
    return AnalysisRun.objects.select_related("consultation__organisation").filter(pk=run_id).first()


@task()
def discover_themes_task(run_id: int) -> str:
    run = _queued(run_id)
    if run is None:
        return "missing"
    return actions.run_discovery(run=run).state


@task()
def assign_themes_task(run_id: int) -> str:
    run = _queued(run_id)
    if run is None:
        return "missing"
    return actions.run_assignment(run=run).state


# What the check in core.supervision does when the worker stops under a run, or a run takes too long.
def _run_id(args: list, kwargs: dict) -> int:
    return int(kwargs.get("run_id", args[0] if args else 0))


for _task in (discover_themes_task, assign_themes_task):
    supervision.watch(
        _task,
        resume=lambda args, kwargs, at: actions.resume_run(run_id=_run_id(args, kwargs), at=at),
        overdue=lambda args, kwargs, limit: actions.note_run_overdue(run_id=_run_id(args, kwargs), limit_seconds=limit),
        abandon=lambda args, kwargs: actions.abandon_run(run_id=_run_id(args, kwargs)),
    )
del _task  # a loop variable, not a task of this module
