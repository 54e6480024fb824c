"""Background analysis of consensus exercises; a task does its queued run once (a second call finds it taken)."""

from django_tasks import task

from rightsloop.core import supervision

from .actions import analysis as actions
from .models import AnalysisRun


@task()
def analyse_exercise(run_id: int) -> str:
    from .analysis import run_analysis

    run = AnalysisRun.objects.select_related("exercise__organisation").filter(pk=run_id).first()
    if run is None:
        return "missing"
    return run_analysis(run=run).state


def _run_id(args: list, kwargs: dict) -> int:
    return int(kwargs.get("run_id", args[0] if args else 0))


supervision.watch(
    analyse_exercise,
    resume=lambda args, kwargs, at: actions.resume_run(run_id=_run_id(args, kwargs), at=at),
    overdue=lambda args, kwargs, limit: actions.note_run_overdue(run_id=_run_id(args, kwargs), limit_seconds=limit),
    abandon=lambda args, kwargs: actions.abandon_run(run_id=_run_id(args, kwargs)),
)


@task()
def send_outcome_emails(exercise_id: int, participant_ids: list[int], requested_at: str | None = None) -> int:
    """Send the outcome emails of an exercise; each goes only if email is still safe for its reader, and once per
    request however many times the task runs."""
    from .actions.results import deliver_outcome

    return deliver_outcome(exercise_id=exercise_id, participant_ids=participant_ids, requested_at=requested_at)
