#!/usr/bin/env python
"""Public grievance intake throughput: concurrent people raising grievances on a real server.

Prepares a scratch database (migrate; an organisation whose public page takes grievances), starts the server
as `make demo` runs it (gunicorn config.wsgi, 2 sync workers, on 127.0.0.1), and lets concurrent clients do
what a person's browser does, without JavaScript: GET the form (a session cookie, the CSRF token and the
form's one-time token), POST the grievance, follow the 303 to the receipt page and read the receipt. It
reports submissions per second (receipts shown / seconds), the p50/p95 of the whole visit and of the POST,
and the CPU seconds the server's processes spent per submission.

Then, with the server stopped, it profiles one submission in-process on the same database: the Argon2id
hash of the receipt (receipts.py's parameters, stated in the output), the language detection, the rest of
submit_grievance, and each of the three pages through Django's test client, so a miss can be put down to
what dominates.

    python benchmarks/grievance_intake.py --database sqlite
    python benchmarks/grievance_intake.py --database postgresql      # scratch database on 127.0.0.1:5432
    python benchmarks/grievance_intake.py --database sqlite --submissions 200 --clients 4   # a quick run

The target (issue 14) is at least 50 submissions per second on the 2-core benchmark machine. See
docs/performance.md ("Issue 14: grievances").
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

SELF = Path(__file__).resolve()
sys.path.insert(0, str(SELF.parent))

import crash_test  # noqa: E402  (no Django here: the server and the profile run in their own processes)
from crash_test import GrievanceClient, GrievanceSubmission, Scratch, Server, Tally, free_port  # noqa: E402

TARGET_PER_SECOND = 50.0
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


# The profile of one submission (runs in a child process with Django set up) ------------------------------------

def profile(slug: str, rounds: int) -> None:
    sys.path.insert(0, str(crash_test.ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from rightsloop.core.models import Organisation
    from rightsloop.grievances import receipts
    from rightsloop.grievances.actions import intake
    from rightsloop.grievances.vocabulary import Channel

    organisation = Organisation.objects.get(slug=slug)
    texts = crash_test.grievance_texts("profile", rounds, random.Random(3))

    def clock(run, n=rounds) -> dict:
        wall, cpu = [], []
        for i in range(n):
            started, started_cpu = time.perf_counter(), time.process_time()
            run(i)
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        return {"wall_ms": round(statistics.median(wall), 2), "cpu_ms": round(statistics.median(cpu), 2)}

    receipt = receipts.compose(receipts.new_reference(), receipts.secret_for(organisation.pk, "x" * 20))
    stored = receipts.hash_receipt(receipt)
    parts = {
        "argon2id_hash": clock(lambda i: receipts.hash_receipt(receipt)),
        "argon2id_verify": clock(lambda i: receipts.hasher().verify(stored, receipt)),
        "language_detection": clock(lambda i: intake._detect_language(texts[i])),
        "receipt_secret_hmac": clock(lambda i: receipts.secret_for(organisation.pk, f"profile-token-{i:04d}")),
    }

    def submit(i):
        report = intake.GrievanceReport(mode="anonymous", raised_by="affected", description=texts[i] + " (direct)",
                                        country="KE", product="Crash app")
        intake.submit_grievance(organisation=organisation, report=report, channel=Channel.WEB,
                                submission_key=f"profile-direct-{uuid.uuid4().hex}")

    parts["submit_grievance_action"] = clock(submit)
    client = Client(HTTP_HOST="127.0.0.1")
    form_path, receipt_path = f"/g/{slug}/", f"/g/{slug}/receipt/"
    tokens = []

    def get_form(i):
        response = client.get(form_path)
        assert response.status_code == 200, response.status_code
        tokens.append(crash_test.TOKEN_FIELD.search(response.content.decode()).group(1))

    def post(i):
        response = client.post(form_path, {**crash_test.intake_form(), "token": tokens[i],
                                           "description": texts[i] + " (page)"})
        assert response.status_code == 303, (response.status_code, response.content[:500])
        shown = client.get(receipt_path)
        assert crash_test.RECEIPT_SHOWN.search(shown.content.decode()), shown.content[:300]

    parts["page_get_form"] = clock(get_form)
    parts["page_post_and_receipt"] = clock(post)
    with CaptureQueriesContext(connection) as captured:
        get_form(0)
    queries = {"get_form": len(captured.captured_queries)}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(form_path, {**crash_test.intake_form(), "token": tokens[-1] + "q",
                                           "description": texts[0] + " (queries)"})
    queries["post"] = len(captured.captured_queries)
    size = len(client.get(form_path).content)
    hasher = receipts.hasher()
    print(json.dumps({"parts": parts, "queries": queries, "form_bytes": size, "post_status": response.status_code,
                      "argon2": {"type": "Argon2id", "time_cost": hasher.time_cost,
                                 "memory_cost_kib": hasher.memory_cost, "parallelism": hasher.parallelism}}))


# The server's CPU time --------------------------------------------------------------------------------------------

def group_cpu_seconds(pgid: int) -> float:
    """User + system CPU seconds of every live process in the process group (gunicorn's master and workers)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


# The run -------------------------------------------------------------------------------------------------------

def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def burst(port: int, slug: str, count: int, clients: int, seed: int, label: str) -> dict:
    rng = random.Random(seed)
    texts = crash_test.grievance_texts(f"{label}-{uuid.uuid4().hex[:6]}", count, rng)
    submissions = [GrievanceSubmission(index=i, key=f"{label}-{i}", text=texts[i], twin_first_attempt=False)
                   for i in range(count)]
    queue = list(reversed(submissions))
    tally, timings, lock = Tally(), [], threading.Lock()
    deadline = time.monotonic() + 600
    threads = [GrievanceClient(queue, lock, port, slug, tally, deadline, seed * 100 + n, timings)
               for n in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.monotonic() - began
    shown = sum(s.acknowledged for s in submissions)
    return {"submissions": count, "receipts_shown": shown, "seconds": round(seconds, 2),
            "per_second": round(shown / seconds, 1), "responses": dict(sorted(tally.responses.items())),
            "failed": [s.rejected for s in submissions if not s.acknowledged][:3],
            "visit_p50_ms": round(statistics.median(t for t, _p in timings), 1) if timings else None,
            "visit_p95_ms": round(percentile([t for t, _p in timings], 0.95), 1) if timings else None,
            "post_p50_ms": round(statistics.median(p for _t, p in timings), 1) if timings else None,
            "post_p95_ms": round(percentile([p for _t, p in timings], 0.95), 1) if timings else None}


def main() -> int:
    if sys.argv[1:2] == ["_profile"]:
        profile(sys.argv[2], int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--server-url", default=os.environ.get("CRASH_TEST_POSTGRES_URL",
                                                                "postgres://postgres@127.0.0.1:5432/postgres"),
                        help="PostgreSQL server to create the scratch database on (local only).")
    parser.add_argument("--submissions", type=int, default=600)
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (make demo runs 2)")
    parser.add_argument("--warmup", type=int, default=20, help="submissions before the measured burst")
    parser.add_argument("--profile-rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    scratch = Scratch(args.database, args.server_url, args.keep)
    server = Server(scratch, free_port(), args.workers)
    try:
        scratch.run("manage.py", "migrate", "--noinput", "-v0")
        setup = json.loads(scratch.run(str(crash_test.SELF), "_prepare_grievances").splitlines()[-1])
        slug = setup["slug"]
        boot = server.start(f"/g/{slug}/follow-up/")
        load_before = os.getloadavg()[0]
        warm = burst(server.port, slug, args.warmup, min(args.clients, 2), args.seed, "warm-up")
        cpu_before = group_cpu_seconds(server.process.pid)
        measured = burst(server.port, slug, args.submissions, args.clients, args.seed + 1, "burst")
        cpu_after = group_cpu_seconds(server.process.pid)
        load_after = os.getloadavg()[0]
        server.stop()
        profiled = json.loads(scratch.run(str(SELF), "_profile", slug, str(args.profile_rounds)).splitlines()[-1])
    finally:
        server.stop()
        scratch.remove()
    measured["server_cpu_ms_per_submission"] = round(
        (cpu_after - cpu_before) / max(1, measured["receipts_shown"]) * 1000, 1)
    result = {"database": args.database, "workers": args.workers, "clients": args.clients,
              "boot_seconds": round(boot, 1), "warm_up": {k: warm[k] for k in ("receipts_shown", "per_second")},
              "burst": measured, "profile": profiled, "load_average": [round(load_before, 1), round(load_after, 1)],
              "cpus": os.cpu_count(), "target_per_second": TARGET_PER_SECOND}
    argon2 = profiled["argon2"]
    print(f"server: gunicorn config.wsgi, {args.workers} sync workers; {args.clients} concurrent clients; "
          f"{args.database}; load average {load_before:.1f} → {load_after:.1f} on {os.cpu_count()} CPUs")
    print(f"receipts: Argon2id time_cost={argon2['time_cost']}, memory_cost={argon2['memory_cost_kib']} KiB, "
          f"parallelism={argon2['parallelism']}")
    print("| database | submissions | receipts shown | seconds | per second | visit p50 | visit p95 | POST p50 | "
          "POST p95 | server CPU per submission | target |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    verdict = "ok" if measured["per_second"] >= TARGET_PER_SECOND else "MISS"
    print(f"| {args.database} | {measured['submissions']} | {measured['receipts_shown']} | {measured['seconds']} | "
          f"{measured['per_second']} | {measured['visit_p50_ms']} ms | {measured['visit_p95_ms']} ms | "
          f"{measured['post_p50_ms']} ms | {measured['post_p95_ms']} ms | "
          f"{measured['server_cpu_ms_per_submission']} ms | ≥ {TARGET_PER_SECOND:.0f}/s {verdict} |")
    print("one submission, in-process (median of "
          f"{args.profile_rounds}; wall ms / CPU ms):")
    for name, figures in profiled["parts"].items():
        print(f"  {name:<26} {figures['wall_ms']:>8.1f} / {figures['cpu_ms']:.1f}")
    print(f"  queries: GET form {profiled['queries']['get_form']}, POST {profiled['queries']['post']}; "
          f"form page {profiled['form_bytes']} bytes")
    print("responses:", json.dumps(measured["responses"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2))
    return 0 if measured["receipts_shown"] == measured["submissions"] else 1


if __name__ == "__main__":
    sys.exit(main())
