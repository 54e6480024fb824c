"""Background runs of the analysis; each does a queued run once (a second call finds it taken and returns)."""

from django_tasks import task

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
