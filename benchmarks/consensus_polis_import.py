#!/usr/bin/env python
"""Pol.is import and export timed on the real conversations in ../shared/data/polis (read in place).

Builds a throw-away test database (no migrations, like the test suite), imports each conversation into an empty
exercise through consensus.actions.polis.import_polis (votes.csv when the folder has it, else
participants-votes.csv), then exports it, and prints the time of the parse alone, of the whole import (parse,
checks, inserts, tallies, audit, analysis queued) and of the export.

    python benchmarks/consensus_polis_import.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_bench python benchmarks/consensus_polis_import.py

See docs/performance.md, "Pol.is import and export (issue 19)".
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
DATA = Path(os.environ.get("POLIS_DATA", ROOT.parent / "shared" / "data" / "polis"))
CONVERSATIONS = ("london.youth.policing", "bg2050-volunteers", "scoop-hivemind.ubi", "vtaiwan.uberx",
                 "american-assembly.bowling-green")


def main() -> None:
    import django
    from django.conf import settings

    # The analysis the import asks for is queued, as in production, not run inside the timing (the test
    # settings' immediate backend would run it on commit).
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": ["default"]}}
    django.setup()

    class NoMigrations(dict):
        def __contains__(self, item):
            return True

        def __getitem__(self, item):
            return None

    settings.MIGRATION_MODULES = NoMigrations()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run()
    finally:
        connection.creation.destroy_test_db(name, verbosity=0)


def run() -> None:
    from django.db import connection

    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member, make_organisation
    from rightsloop.consensus import polis
    from rightsloop.consensus.actions import polis as actions
    from rightsloop.consensus.tests.factories_polis import make_empty_exercise

    by = make_member(make_organisation("Benchmark"), Role.HR_LEAD)
    print(f"database: {connection.vendor}")
    print("| conversation | read from | participants | statements | votes | parse s | import s | export s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for conversation in CONVERSATIONS:
        folder = DATA / conversation
        if not folder.is_dir():
            print(f"| {conversation} | (absent) | | | | | | |")
            continue
        files = {"comments": (folder / "comments.csv").read_bytes()}
        if (folder / "votes.csv").exists():
            files["votes"] = (folder / "votes.csv").read_bytes()
            source = "votes.csv"
        else:
            files["participants_votes"] = (folder / "participants-votes.csv").read_bytes()
            source = "participants-votes.csv"
        began = time.perf_counter()
        polis.parse_conversation(**files)
        parsed = time.perf_counter() - began
        exercise = make_empty_exercise(by)
        began = time.perf_counter()
        imported = actions.import_polis(exercise=exercise, by=by, **files)
        imported_in = time.perf_counter() - began
        began = time.perf_counter()
        actions.export_polis(exercise=exercise, by=by)
        exported_in = time.perf_counter() - began
        print(f"| {conversation} | {source} | {imported.participants:,} | {imported.statements:,} | "
              f"{imported.votes:,} | {parsed:.2f} | {imported_in:.2f} | {exported_in:.2f} |")


if __name__ == "__main__":
    main()
