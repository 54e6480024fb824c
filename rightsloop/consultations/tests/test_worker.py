"""A real task worker (`manage.py db_worker`, not inline) running analyses above the parallel threshold, stopped
mid-task in the three ways a worker stops: SIGTERM (it finishes the task, then exits), SIGTERM twice (the task is cut
short) and SIGKILL (it dies). Every time the run must end done, resumed by the scheduled check where the worker
stopped under it, no process the worker started may outlive it, and nothing may hang (issue 11).

The parallel threshold and batch are lowered through the environment, so a small consultation spreads over
processes as a 50,000-response one does.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import pytest

from rightsloop.core import keys

ROOT = Path(__file__).resolve().parents[3]
KEK, AUDIT_KEY = keys.new_secret(), keys.new_secret()
STEP_SECONDS = 120  # any one step (a task, a worker's exit, a command) must end within this
RESPONSES = 1_200


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIGHTSLOOP_") and k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL=database_url, DEBUG="0",
               RIGHTSLOOP_VAR_DIR=str(tmp_path / "var"), RIGHTSLOOP_KEK=KEK, RIGHTSLOOP_AUDIT_KEY=AUDIT_KEY,
               PYTHONDONTWRITEBYTECODE="1", RIGHTSLOOP_ANALYSIS_PARALLEL_MIN="200", RIGHTSLOOP_ANALYSIS_BATCH="150",
               RIGHTSLOOP_TASK_HEARTBEAT_SECONDS="1")
    return env


def _run(env: dict[str, str], *arguments: str) -> str:
    done = subprocess.run([sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                          timeout=STEP_SECONDS, check=False)
    assert done.returncode == 0, f"{arguments}: {done.stdout}\n{done.stderr}"
    return done.stdout


def scenario(env, *arguments) -> dict:
    return json.loads(_run(env, "-m", "rightsloop.consultations.tests.worker_scenario",
                           *map(str, arguments)).splitlines()[-1])


def descendants(pid: int) -> set[int]:
    """Every living process under pid, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] != "Z"


class Worker:
    """One `manage.py db_worker` process, its log in a file; every process it starts is remembered."""

    def __init__(self, env, log: Path):
        self.log = log
        self.output = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.2", "--no-reload"],
            cwd=ROOT, env=env, stdout=self.output, stderr=subprocess.STDOUT)
        self.children: set[int] = set()

    def wait_for_children(self, deadline: float) -> None:
        """Until the task spreads over processes (the moment to stop the worker)."""
        while time.monotonic() < deadline and self.process.poll() is None:
            found = descendants(self.process.pid)
            if found:
                self.children |= found
                return
            time.sleep(0.02)
        raise AssertionError(f"the worker started no processes for the task:\n{self.log.read_text()[-3000:]}")

    def signal(self, number: int) -> None:
        self.children |= descendants(self.process.pid)
        self.process.send_signal(number)

    def exits(self, seconds: float) -> int:
        try:
            return self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"the worker hung after the signal:\n{self.log.read_text()[-3000:]}") from None
        finally:
            self.output.close()

    def orphans(self, seconds: float = 30) -> set[int]:
        """The processes the worker started that are still alive `seconds` after it ended."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and any(alive(pid) for pid in self.children):
            time.sleep(0.2)
        return {pid for pid in self.children if alive(pid)}

    def kill(self) -> None:
        for pid in [*descendants(self.process.pid), self.process.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def wait_for(env, run_id: int, states: set[str], seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        found = scenario(env, "run", run_id)
        if found["state"] in states or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


def stop_mid_task(tmp_path: Path, database_url: str) -> None:
    env = _env(tmp_path, database_url)
    _run(env, "manage.py", "migrate", "--noinput", "-v0")
    consultation = scenario(env, "seed", RESPONSES)["consultation"]
    log = tmp_path / "worker.log"
    for round_number, stop in enumerate(["SIGTERM", "SIGTERM twice", "SIGKILL", "SIGTERM"], start=1):
        run_id = scenario(env, "start", consultation)["run"]
        worker = Worker(env, log)
        try:
            worker.wait_for_children(time.monotonic() + STEP_SECONDS)
            if stop == "SIGKILL":
                worker.signal(signal.SIGKILL)
            else:
                worker.signal(signal.SIGTERM)
                if stop == "SIGTERM twice":
                    time.sleep(0.3)
                    worker.signal(signal.SIGTERM)
            worker.exits(STEP_SECONDS)
            assert worker.orphans() == set(), f"round {round_number} ({stop}): processes outlived the worker"
        finally:
            worker.kill()
        found = scenario(env, "run", run_id)
        # The worker recorded its process under the task as it started it (what tells the check it is gone).
        assert worker.process.pid in [pid for pid, *_rest in found["watches"]], (round_number, found)
        if stop == "SIGTERM":
            # A graceful stop: the worker finished the task it had before exiting.
            assert found["state"] == "done", (round_number, found, log.read_text()[-3000:])
            continue
        assert found["state"] == "running", (round_number, found)  # stopped under the run: nobody else will end it
        # The scheduled check (run by run_scheduler every minute) sees it and queues it again; a new worker ends it.
        checked = _run(env, "manage.py", "run_scheduler", "--now", "watch-tasks")
        found = scenario(env, "run", run_id)
        assert found["state"] == "queued" and "The worker stopped; resumed at" in found["message"], (
            round_number, stop, found, checked, log.read_text()[-3000:])
        worker = Worker(env, log)
        try:
            found = wait_for(env, run_id, {"done", "failed"}, STEP_SECONDS)
            assert found["state"] == "done", (round_number, stop, found, log.read_text()[-3000:])
        finally:
            worker.signal(signal.SIGTERM)
            worker.exits(STEP_SECONDS)
            worker.kill()
        # Checked again, nothing is left to resume: each stop is taken up once.
        _run(env, "manage.py", "run_scheduler", "--now", "watch-tasks")
        assert scenario(env, "run", run_id)["tasks"].count("READY") == 0


def _postgres_url() -> str | None:
    # Creating and dropping a scratch database is the owner's work, not the application role's (CI runs as it).
    url = os.environ.get("DATABASE_OWNER_URL") or os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) and shutil.which("createdb") else None


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.skipif(_postgres_url() is not None, reason="runs on PostgreSQL below")
def test_sqlite_worker_stopped_mid_task_finishes_or_resumes(tmp_path):
    (tmp_path / "var").mkdir()
    stop_mid_task(tmp_path, f"sqlite:///{tmp_path / 'var' / 'rightsloop.sqlite3'}")


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
@pytest.mark.skipif(_postgres_url() is None, reason="DATABASE_URL does not point at PostgreSQL")
def test_postgresql_worker_stopped_mid_task_finishes_or_resumes(tmp_path):
    config = dj_database_url.parse(_postgres_url())
    env = dict(os.environ, PGHOST=config["HOST"] or "", PGPORT=str(config["PORT"] or ""),
               PGUSER=config["USER"] or "", PGPASSWORD=config["PASSWORD"] or "")
    name = f"rightsloop_worker_{uuid.uuid4().hex[:10]}"
    subprocess.run(["createdb", name], env=env, check=True, capture_output=True)  # noqa: S603, S607
    try:
        (tmp_path / "var").mkdir()
        stop_mid_task(tmp_path, urlsplit(_postgres_url())._replace(path=f"/{name}").geturl())
    finally:
        subprocess.run(["dropdb", "--force", "--if-exists", name], env=env, check=False,  # noqa: S603, S607
                       capture_output=True)
