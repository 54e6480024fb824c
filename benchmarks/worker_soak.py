#!/usr/bin/env python
"""Worker soak test (issue 11): a 50,000-response consultation through the pages and a real background worker,
several times in a row, with a time limit on every run; prints the timings and the number of hangs.

Each run, as an analyst does it in the browser (Django's test Client, signed in past the second factor), on a new
consultation: upload the file, map the columns, confirm the import; start discovery; confirm two examples of every
candidate theme and finalise; start assignment. Every background step (the check of every row, the apply, the
discovery, the assignment) is done by a real `manage.py db_worker` process started here, as `make demo` starts
one, with `manage.py run_scheduler` beside it (its once-a-minute check resumes a task whose worker died). A run
that does not end within --time-limit seconds counts as a hang: its worker's log is printed, the worker is killed
and started again for the next run.

    .venv/bin/python benchmarks/worker_soak.py --runs 5
    .venv/bin/python benchmarks/worker_soak.py --rows 50000 --runs 5 --time-limit 1200
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_worker .venv/bin/python benchmarks/worker_soak.py --runs 2

On SQLite it uses a fresh database under --workdir (default /tmp/worker-soak). It exits with status 1 on any hang
or failed run. See docs/performance.md for the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def configure(workdir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("RIGHTSLOOP_VAR_DIR", str(workdir / "var"))
    if "DATABASE_URL" not in os.environ:
        database = workdir / "soak.sqlite3"
        for leftover in workdir.glob("soak.sqlite3*"):
            leftover.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"


class Process:
    """A manage.py command in the background, its output in a log file."""

    def __init__(self, log: Path, *command: str):
        self.log, self.command = log, command
        self.start()

    def start(self) -> None:
        self.output = self.log.open("ab")
        self.process = subprocess.Popen([sys.executable, "manage.py", *self.command], cwd=ROOT,  # noqa: S603
                                        stdout=self.output, stderr=subprocess.STDOUT, env=os.environ.copy())

    def stop(self, *, kill: bool = False) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.output.close()

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


class Hang(Exception):
    pass


def analyst_client():
    import secrets

    from django.test import Client

    from rightsloop.accounts.actions import add_member
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import mark_verified
    from rightsloop.core.models import Organisation

    tag = secrets.token_hex(4)
    organisation = Organisation.objects.create(name=f"Worker soak {tag}", slug=f"worker-soak-{tag}")
    membership = add_member(organisation=organisation, username=f"soak-{tag}", email=f"soak-{tag}@example.org",
                            first_name="Soak", last_name="Analyst", password=secrets.token_urlsafe(16),
                            role=Role.HR_LEAD, function="", by=None)
    client = Client(HTTP_HOST="localhost")
    client.force_login(membership.user)
    mark_verified(client, membership.user)
    return client, membership


def until(what: str, check, deadline: float, poll: float = 1.0):
    """Wait for check() to return something true; Hang when the run's time is up."""
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > deadline:
            raise Hang(what)
        time.sleep(poll)


def post(client, url: str, data: dict, what: str):
    response = client.post(url, data)
    if response.status_code not in (200, 302):
        raise RuntimeError(f"{what}: HTTP {response.status_code}")
    if response.status_code == 200:
        raise RuntimeError(f"{what}: the page answered with the form again (errors?)")
    return response


def one_run(path: Path, deadline: float) -> dict:
    from django.urls import reverse
    from django.utils import timezone

    from rightsloop.accounts.viewer import Viewer
    from rightsloop.consultations.actions.consultations import open_consultation
    from rightsloop.consultations.models import AnalysisRun, ImportState, ResponseImport, ThemeExample

    seconds: dict[str, float] = {}
    client, membership = analyst_client()
    consultation = open_consultation(title="Worker soak", starts_on=timezone.localdate(), yes_no=True,
                                     question="Do you support the proposed changes to our content-moderation "
                                              "policy?", by=Viewer.from_membership(membership))
    pk = consultation.pk

    started = time.perf_counter()
    with path.open("rb") as handle:
        post(client, reverse("consultations:import-upload", args=[pk]), {"file": handle}, "upload")
    job = ResponseImport.objects.filter(consultation_id=pk).latest("id")
    post(client, reverse("consultations:import-map", args=[pk, job.pk]), {
        "text": "response", "respondent": "respondent_id", "contact": "email", "consent": "consent",
        "language": "language", "receipt": "receipt_code", "attributes": ["region"]}, "map the columns")

    def state_of_import():
        client.get(reverse("consultations:import-detail", args=[pk, job.pk]))  # the page the analyst watches
        job.refresh_from_db()
        return job.state if job.state not in (ImportState.CHECKING, ImportState.APPLYING) else None

    state = until("the check of every row", state_of_import, deadline)
    if state != ImportState.CHECKED:
        raise RuntimeError(f"the check ended {state}: {job.message}")
    seconds["import: check"] = time.perf_counter() - started
    started = time.perf_counter()
    post(client, reverse("consultations:import-confirm", args=[pk, job.pk]), {"only_valid": "yes"}, "confirm")
    state = until("the apply", state_of_import, deadline)
    if state != ImportState.APPLIED:
        raise RuntimeError(f"the apply ended {state}: {job.message}")
    seconds["import: apply"] = time.perf_counter() - started

    def run_ended(kind: str):
        def ended():
            client.get(reverse("consultations:analysis", args=[pk]))
            run = AnalysisRun.objects.filter(consultation_id=pk, kind=kind).order_by("-id").first()
            return run if run and run.state in ("done", "failed") else None
        return ended

    started = time.perf_counter()
    post(client, reverse("consultations:discovery-start", args=[pk]), {"seed": "0", "themes": ""}, "discovery")
    run = until("discovery", run_ended("discovery"), deadline)
    if run.state != "done":
        raise RuntimeError(f"discovery failed: {run.message}")
    seconds["discovery"] = time.perf_counter() - started

    started = time.perf_counter()
    themes = 0
    for theme in consultation.themes.all():
        themes += 1
        for example in list(ThemeExample.objects.filter(theme=theme).order_by("id")[:2]):
            post(client, reverse("consultations:theme-example", args=[pk, theme.pk, example.response_id]),
                 {"action": "confirm"}, "confirm an example")
    post(client, reverse("consultations:themes-finalise", args=[pk]), {}, "finalise")
    seconds["analyst: confirm, finalise"] = time.perf_counter() - started

    started = time.perf_counter()
    post(client, reverse("consultations:assignment-start", args=[pk]), {"seed": "0"}, "assignment")
    run = until("assignment", run_ended("assignment"), deadline)
    if run.state != "done":
        raise RuntimeError(f"assignment failed: {run.message}")
    seconds["assignment"] = time.perf_counter() - started
    return {"seconds": seconds, "responses": consultation.responses.count(), "themes": themes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=1200, help="seconds for one run, import to assignment")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "worker-soak")
    arguments = parser.parse_args()
    workdir = arguments.workdir
    workdir.mkdir(parents=True, exist_ok=True)
    configure(workdir)

    import django

    django.setup()
    from consultation_data import write_file
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult
    from loop_scale import prepare_database

    from rightsloop.core.models import TaskWatch

    prepare_database(print)
    path = workdir / f"consultation-{arguments.rows}.csv"
    if not path.exists():
        write_file(arguments.rows, arguments.seed, "csv", str(path))
    for log in ("worker.log", "scheduler.log"):
        (workdir / log).unlink(missing_ok=True)
    worker = Process(workdir / "worker.log", "db_worker", "--no-reload", "--interval", "0.5")
    scheduler = Process(workdir / "scheduler.log", "run_scheduler")
    print(f"{arguments.runs} run(s) of {arguments.rows:,} responses; database {os.environ['DATABASE_URL']}; "
          f"worker pid {worker.process.pid}; limit {arguments.time_limit:.0f} s a run", flush=True)
    hangs = failures = 0
    totals = []
    try:
        for number in range(1, arguments.runs + 1):
            began = time.perf_counter()
            try:
                result = one_run(path, time.monotonic() + arguments.time_limit)
            except Hang as hang:
                hangs += 1
                print(f"run {number}: HANG waiting for {hang} after {time.perf_counter() - began:.0f} s; the "
                      f"worker's log:\n{worker.tail()}", flush=True)
                worker.stop(kill=True)
                worker.start()
                continue
            except Exception as error:  # a failed run is reported, and the soak goes on
                failures += 1
                print(f"run {number}: FAILED ({error}) after {time.perf_counter() - began:.0f} s", flush=True)
                continue
            total = time.perf_counter() - began
            totals.append(total)
            stages = ", ".join(f"{name} {value:.1f} s" for name, value in result["seconds"].items())
            print(f"run {number}: {result['responses']:,} responses, {result['themes']} themes, {total:.1f} s "
                  f"({stages})", flush=True)
    finally:
        worker.stop()
        scheduler.stop()
    statuses = dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")))
    resumed = TaskWatch.objects.filter(resumed_at__isnull=False).count()
    if totals:
        print(f"runs done: {len(totals)} of {arguments.runs}; per run {min(totals):.1f}-{max(totals):.1f} s, "
              f"mean {sum(totals) / len(totals):.1f} s")
    print(f"tasks by status: {statuses}; resumed by the check: {resumed}")
    print(f"hangs: {hangs}")
    print(f"failed runs: {failures}")
    if os.environ["DATABASE_URL"].startswith("sqlite:") and not hangs and not failures:
        shutil.rmtree(workdir / "var" / "media", ignore_errors=True)
    return 1 if hangs or failures else 0


if __name__ == "__main__":
    sys.exit(main())
