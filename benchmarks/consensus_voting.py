#!/usr/bin/env python
"""Voting benchmark (issue 19): the voting page and a vote, at 100,000 participants x 2,000 statements x 5,000,000
votes in the database. Target: p95 under 50 ms for both.

Loads a synthetic exercise once (benchmarks/consensus_data.py: planted_votes, then load_into_database in COPY or
executemany batches, with its statements' and participants' tallies, as the voting actions keep them), runs ANALYZE
as a database in use would have, then, in-process with Django's test Client (DEBUG off, config.settings.dev), for
random participants (seeded) each with a fresh client: GET /vote/<token>/ (the link's page: the next statement by
the routing rule, the progress, the form) and POST a vote on the statement shown (cast_vote: the vote row, the
tallies, the debounced request for an analysis, the device binding), answered by a 303. It prints p50/p95/max in
milliseconds and the queries per request. A few warm-up requests are not timed.

    DATABASE_URL=sqlite:////tmp/consensus-voting/bench.sqlite3 .venv/bin/python benchmarks/consensus_voting.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_consensus_voting .venv/bin/python benchmarks/consensus_voting.py
    .venv/bin/python benchmarks/consensus_voting.py --participants 10000 --statements 500 --votes 500000 --requests 100

--reuse measures the exercise a previous run loaded (the newest one of that size) instead of loading another.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/consensus-voting/bench.sqlite3")
os.environ["DEBUG"] = "false"
if os.environ["DATABASE_URL"].startswith("sqlite:////"):
    Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

QUESTION = "Voting benchmark: {participants} x {statements} x {votes}"


def setup() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def exercise_for(options) -> int:
    from consensus_data import load_into_database, planted_votes
    from django.db import connection

    from rightsloop.consensus.models import Exercise

    question = QUESTION.format(participants=options.participants, statements=options.statements,
                               votes=options.votes)
    if options.reuse:
        found = Exercise.objects.filter(question=question).order_by("-pk").values_list("pk", flat=True).first()
        if found:
            print(f"database: {connection.vendor}; reusing exercise {found}")
            return found
    began = time.perf_counter()
    planted = planted_votes(options.participants, options.statements, options.votes, 3, 0)
    generated = time.perf_counter() - began
    exercise_id = load_into_database(planted, question=question)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"database: {connection.vendor}; generated in {generated:.1f} s, loaded and analysed in "
          f"{time.perf_counter() - began - generated:.1f} s (exercise {exercise_id})")
    return exercise_id


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered)) - 1))]


def measure(exercise_id: int, requests: int, warmup: int, seed: int) -> dict[str, list]:
    import re

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rightsloop.consensus import links
    from rightsloop.consensus.models import Participant

    numbers = Participant.objects.filter(exercise_id=exercise_id).count()
    rng = random.Random(seed)
    chosen = rng.sample(range(numbers), requests + warmup)
    # Free the links an earlier run (--reuse) bound to its clients, as a facilitator would.
    Participant.objects.filter(exercise_id=exercise_id, number__in=chosen).update(device_hash="")
    timings: dict[str, list] = {"GET page": [], "POST vote": [], "queries GET": [], "queries POST": []}
    # One client (a new one builds the whole middleware chain, as a server does once), each participant a new
    # browser: no cookie, no session.
    client = Client()
    for index, number in enumerate(chosen):
        participant = Participant.objects.get(exercise_id=exercise_id, number=number)
        url = f"/vote/{links.token_for(participant)}/"
        client.cookies.clear()
        with CaptureQueriesContext(connection) as got:
            began = time.perf_counter()
            page = client.get(url)
            get_ms = (time.perf_counter() - began) * 1000
        assert page.status_code == 200, page.status_code
        shown = re.search(rb'name="statement" value="(\d+)"', page.content)
        assert shown, "no statement left to vote on"
        with CaptureQueriesContext(connection) as posted:
            began = time.perf_counter()
            answer = client.post(url, {"statement": shown[1].decode(), "value": rng.choice(["1", "-1", "0"])})
            post_ms = (time.perf_counter() - began) * 1000
        assert answer.status_code == 303, answer.status_code
        if index >= warmup:
            timings["GET page"].append(get_ms)
            timings["POST vote"].append(post_ms)
            timings["queries GET"].append(len(got))
            timings["queries POST"].append(len(posted))
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--statements", type=int, default=2_000)
    parser.add_argument("--votes", type=int, default=5_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--reuse", action="store_true")
    options = parser.parse_args()
    setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    exercise_id = exercise_for(options)
    timings = measure(exercise_id, options.requests, options.warmup, options.seed)
    print(f"{options.requests} requests each (after {options.warmup} warm-up), random participants:")
    print(f"{'':12} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for name in ("GET page", "POST vote"):
        values = timings[name]
        queries = timings[f"queries {name.split()[0]}"]
        print(f"{name:12} {statistics.median(values):8.1f} {percentile(values, 0.95):8.1f} {max(values):8.1f} "
              f"{min(queries)}-{max(queries):>3}")


if __name__ == "__main__":
    main()
