#!/usr/bin/env python
"""Consensus recompute benchmark: a full analysis run of one exercise, read from the database, at scale.

Loads a synthetic exercise (default 100,000 participants x 2,000 statements x 5,000,000 votes, planted opinion
groups) into the database once, then, in a fresh process, does exactly what the background task does
(consensus.analysis.run_analysis: read every vote in chunks, the engine, store results and placements) and prints
the stages' wall time and the process's peak resident memory (ru_maxrss of the recompute process only, so the
load's memory does not count). Targets (issue 19): under 60 s and 2 GiB on the 2-core machine.

    DATABASE_URL=sqlite:////tmp/consensus-bench/bench.sqlite3 .venv/bin/python benchmarks/consensus_recompute.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_consensus .venv/bin/python benchmarks/consensus_recompute.py
    .venv/bin/python benchmarks/consensus_recompute.py --participants 10000 --statements 500 --votes 500000

The data comes from the small generator and bulk loader below (COPY on PostgreSQL, executemany in large batches on
SQLite; never a model object per row), so the figures in docs/performance.md repeat with this file alone;
benchmarks/consensus_data.py holds the engine's own planted data for the accuracy and engine benchmarks.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/consensus-bench/bench.sqlite3")
os.environ["DEBUG"] = "false"
if os.environ["DATABASE_URL"].startswith("sqlite:////"):
    Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def generated_votes(participants: int, statements: int, votes: int, *, groups: int = 3, seed: int = 0):
    """(participant index, statement index, value) arrays with `groups` planted opinion groups and some noise."""
    import numpy

    rng = numpy.random.default_rng(seed)
    per = -(-votes // participants) + 2
    p = numpy.repeat(numpy.arange(participants, dtype=numpy.int64), per)
    s = rng.integers(0, statements, size=len(p), dtype=numpy.int64)
    pairs = numpy.unique(p * statements + s)[:votes]
    p, s = pairs // statements, pairs % statements
    stance = rng.choice([-1, 1], size=(groups, statements))
    stance[:, : statements // 20] = 1  # common ground
    group = rng.integers(0, groups, size=participants)
    values = stance[group[p], s]
    noise = rng.random(len(p))
    values = numpy.where(noise < 0.15, 0, numpy.where(noise < 0.25, -values, values)).astype(numpy.int8)
    return p, s, values


def load(participants: int, statements: int, votes: int) -> int:
    """A new exercise holding the synthetic votes; returns its id."""
    import uuid

    from django.db import connection, transaction
    from django.utils import timezone

    from rightsloop.accounts.tests.factories import make_member
    from rightsloop.consensus.models import Exercise, Participant, Statement, Vote
    from rightsloop.core import bulk
    from rightsloop.core.models import Organisation
    from rightsloop.engagements.tests.factories import make_engagement

    p, s, values = generated_votes(participants, statements, votes)
    now = timezone.now()
    name = f"consensus-bench-{uuid.uuid4().hex[:8]}"
    organisation = Organisation.objects.create(name=name, slug=name)
    facilitator = make_member(organisation, "hr_lead", username=name)
    engagement = make_engagement(facilitator, title="Benchmark")
    exercise = Exercise.objects.create(organisation=organisation, engagement=engagement, question="Benchmark?",
                                       status="open", next_statement_number=statements,
                                       next_participant_number=participants)
    def new_uid():  # SQLite's driver takes no UUID objects; the column holds hex there
        return uuid.uuid4().hex if connection.vendor == "sqlite" else uuid.uuid4()

    with transaction.atomic():
        bulk.insert_rows(Statement, ("exercise_id", "number", "text", "is_seed", "moderation", "language",
                                     "created_at", "votes_count", "agrees", "disagrees", "passes", "priority"),
                         ((exercise.pk, n, f"Statement {n}", True, "accepted", "", now, 0, 0, 0, 0, 1.0)
                          for n in range(statements)), batch=10_000)
        bulk.insert_rows(Participant, ("uid", "exercise_id", "number", "channel", "device_hash", "link_nonce",
                                       "votes_count", "created_at"),
                         ((new_uid(), exercise.pk, n, "link", "", "", 0, now)
                          for n in range(participants)),
                         batch=20_000)
        import numpy

        participant_ids = numpy.zeros(participants, dtype=numpy.int64)
        for pk, number in Participant.objects.filter(exercise=exercise).values_list("id", "number"):
            participant_ids[number] = pk
        statement_ids = numpy.zeros(statements, dtype=numpy.int64)
        for pk, number in Statement.objects.filter(exercise=exercise).values_list("id", "number"):
            statement_ids[number] = pk
        rows = zip([exercise.pk] * len(p), participant_ids[p].tolist(), statement_ids[s].tolist(), values.tolist(),
                   ["link"] * len(p), [now] * len(p), strict=True)
        bulk.insert_rows(Vote, ("exercise_id", "participant_id", "statement_id", "value", "channel", "cast_at"),
                         rows, batch=50_000)
    return exercise.pk


def recompute(exercise_id: int) -> dict:
    from rightsloop.consensus import analysis
    from rightsloop.consensus.models import AnalysisRun, Exercise

    exercise = Exercise.objects.get(pk=exercise_id)
    began = time.perf_counter()
    read = analysis.read_votes(exercise)
    read_seconds = time.perf_counter() - began
    del read
    run = AnalysisRun.objects.create(exercise=exercise)
    began = time.perf_counter()
    run = analysis.run_analysis(run=run)
    total = time.perf_counter() - began
    return {"state": run.state, "message": run.message, "seconds": round(total, 2),
            "read_seconds": round(read_seconds, 2), "k": run.results.get("k"),
            "groups": [g["size"] for g in run.results.get("groups", [])], "n_votes": run.results.get("n_votes"),
            "placements_kib": round(len(bytes(run.placements)) / 1024), "peak_rss_mib": round(peak_mib())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=2_000)
    parser.add_argument("--votes", type=int, default=5_000_000)
    parser.add_argument("--exercise", type=int, help="recompute this exercise (loaded earlier) in this process")
    options = parser.parse_args()
    setup()
    if options.exercise:
        print(json.dumps(recompute(options.exercise)))
        return
    from django.db import connection

    began = time.perf_counter()
    exercise_id = load(options.participants, options.statements, options.votes)
    print(f"database: {connection.vendor}; loaded {options.votes:,} votes of {options.participants:,} participants "
          f"on {options.statements:,} statements in {time.perf_counter() - began:.1f} s (exercise {exercise_id})")
    connection.close()
    answer = subprocess.run([sys.executable, __file__, "--exercise", str(exercise_id)], check=True,  # noqa: S603
                            capture_output=True, text=True, env=os.environ.copy())
    figures = json.loads(answer.stdout.strip().splitlines()[-1])
    print(f"recompute: {figures['seconds']} s (reading the votes alone {figures['read_seconds']} s), "
          f"peak RSS {figures['peak_rss_mib']} MiB; state {figures['state']}, k={figures['k']}, "
          f"groups {figures['groups']}, placements {figures['placements_kib']} KiB")


if __name__ == "__main__":
    main()
