"""Steps of the task-worker test that run in their own process against a real database (see test_worker.py).

    python -m rightsloop.consultations.tests.worker_scenario STEP [ARGUMENT...]

Each step prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import os
import sys


def seed(rows: int) -> dict:
    """An organisation, an analyst and a yes/no consultation with about `rows` imported responses."""
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member, make_organisation

    from .factories import make_applied_import, make_consultation
    from .synthetic import synthetic_rows

    organisation = make_organisation("Worker Test Company")
    analyst = make_member(organisation, Role.HR_LEAD)
    consultation = make_consultation(analyst, yes_no=True, question="Should messages be scanned?")
    make_applied_import(consultation, synthetic_rows(max(1, rows // 4), campaign=30), by=analyst)
    return {"consultation": consultation.pk, "responses": consultation.responses.count()}


def start(consultation_id: int) -> dict:
    """Queue a discovery run through the action, as the analysis page does (the task is enqueued on commit)."""
    from ..actions import analysis as runs
    from ..models import Consultation

    consultation = Consultation.objects.get(pk=consultation_id)
    run = runs.start_discovery(consultation=consultation, parameters={"seed": 1, "themes": 4}, by=None)
    return {"run": run.pk}


def run(run_id: int) -> dict:
    from django_tasks_db.models import DBTaskResult

    from rightsloop.core.models import TaskWatch

    from ..models import AnalysisRun

    found = AnalysisRun.objects.get(pk=run_id)
    tasks = DBTaskResult.objects.filter(task_path__endswith="discover_themes_task")
    return {"state": found.state, "stage": found.stage, "message": found.message,
            "themes": found.consultation.themes.count(),
            "tasks": sorted(tasks.values_list("status", flat=True)),
            "stopped": list(tasks.filter(status="FAILED").values_list("exception_class_path", flat=True)),
            "watches": list(TaskWatch.objects.values_list("pid", "finished_at", "resumed_at"))}


STEPS = {"seed": seed, "start": start, "run": run}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    step, *arguments = sys.argv[1:]
    print(json.dumps(STEPS[step](*(int(a) for a in arguments)), default=str))


if __name__ == "__main__":
    main()
