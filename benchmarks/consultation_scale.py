#!/usr/bin/env python
"""Consultation-scale benchmark: the whole C1-C2 pipeline on 10,000 to 1,000,000 synthetic responses.

For each size it writes a synthetic consultation file (benchmarks/consultation_data.py: five languages, twelve
planted themes, both stances, duplicates, near duplicates and campaigns, a few bad rows), then runs what an analyst
runs, through the same actions the pages call, synchronously in this process:

  import     upload, map the columns, check every row, confirm, apply (languages given or detected, stance, sealed
             texts and contacts, in batches)
  discovery  duplicates and campaigns, stance, candidate themes (seeded)
  analyst    confirm up to 20 examples per candidate theme (its representatives first) and finalise the set
  assignment every response to the final themes, with a confidence and the review queue

and prints wall time per stage, throughput and the process's peak resident memory (ru_maxrss, which covers every
stage of the size). Each size runs in a new process so peaks do not carry over. It also prints the NMI between
the candidate themes and the planted themes, as a regression figure.

    DATABASE_URL=sqlite:////tmp/consultation-scale/bench.sqlite3 .venv/bin/python benchmarks/consultation_scale.py
    .venv/bin/python benchmarks/consultation_scale.py --rows 10000          # one size
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_consult .venv/bin/python benchmarks/consultation_scale.py

Without --rows it runs 10,000, 100,000 and 1,000,000 and then the ratio of times from 100,000 to 1,000,000 (target:
at most 11, i.e. no worse than linear). See docs/performance.md for the figures.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout this file lives in, not an installed copy
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/consultation-scale/bench.sqlite3")
os.environ["DEBUG"] = "false"
if os.environ["DATABASE_URL"].startswith("sqlite:////"):
    Path(os.environ["DATABASE_URL"].removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)

SIZES = (10_000, 100_000, 1_000_000)
EXAMPLES_PER_THEME = 20


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def analyst():
    """A member of the human rights team of a benchmark organisation (new each run, so runs never collide)."""
    import secrets

    from rightsloop.accounts.actions import add_member
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.viewer import Viewer
    from rightsloop.core.models import Organisation

    tag = secrets.token_hex(4)
    organisation = Organisation.objects.create(name=f"Consultation benchmark {tag}", slug=f"consult-bench-{tag}")
    membership = add_member(organisation=organisation, username=f"analyst-{tag}", email=f"analyst-{tag}@example.org",
                            first_name="Bench", last_name="Analyst", password=secrets.token_urlsafe(16),
                            role=Role.HR_LEAD, function="", by=None)
    return Viewer.from_membership(membership)


def one_size(rows: int, seed: int, workdir: Path) -> dict:
    import django

    django.setup()
    from consultation_data import write_file
    from django.core.files import File
    from django.db.models import Count
    from django.utils import timezone
    from loop_scale import prepare_database
    from sklearn.metrics import normalized_mutual_info_score

    from rightsloop.consultations.actions import analysis, imports, themes
    from rightsloop.consultations.actions.consultations import open_consultation
    from rightsloop.consultations.fingerprints import respondent_key
    from rightsloop.consultations.models import Response, ThemeAssignment, ThemeExample, ThemeStatus

    prepare_database(print)
    figures: dict = {"rows": rows, "seconds": {}}
    seconds = figures["seconds"]

    started = time.perf_counter()
    path = workdir / f"consultation-{rows}.csv"
    truth_path = workdir / f"consultation-{rows}-truth.csv"
    write_file(rows, seed, "csv", str(path), str(truth_path))
    seconds["generate (not in the pipeline)"] = time.perf_counter() - started
    figures["file_mib"] = path.stat().st_size / 2**20

    viewer = analyst()
    consultation = open_consultation(title=f"Scale {rows}", starts_on=timezone.localdate(),
                                     question="Do you support the proposed changes to our content-moderation policy?",
                                     yes_no=True, issues_receipts=True, by=viewer)

    started = time.perf_counter()
    with path.open("rb") as handle:
        job = imports.upload_responses(consultation=consultation, file=File(handle, name=path.name),
                                       original_name=path.name, by=viewer)
    imports.map_columns(response_import=job, by=viewer, background=False, mapping={
        "text": "response", "respondent": "respondent_id", "contact": "email", "consent": "consent",
        "language": "language", "receipt": "receipt_code", "attributes": ["region"]})
    imports.check_import(response_import=job)
    job.refresh_from_db()
    seconds["import: check"] = time.perf_counter() - started
    figures["rows_good"], figures["rows_bad"] = job.rows_good, job.rows_bad

    started = time.perf_counter()
    imports.confirm_import(response_import=job, only_valid=True, by=viewer, background=False)
    imports.apply_import(response_import=job)
    job.refresh_from_db()
    seconds["import: apply"] = time.perf_counter() - started
    figures["import_state"] = job.state
    consultation.refresh_from_db()
    figures["responses"] = consultation.responses_count
    figures["respondents"] = consultation.respondents_count

    started = time.perf_counter()
    run = analysis.start_discovery(consultation=consultation, parameters={"seed": seed}, by=viewer, enqueue=False)
    analysis.run_discovery(run=run)
    run.refresh_from_db()
    seconds["discovery"] = time.perf_counter() - started
    figures["discovery_state"], figures["discovery_stages"] = run.state, run.stage_seconds
    if run.state != "done":
        raise SystemExit(f"discovery failed: {run.message}")
    figures["candidate_themes"] = consultation.themes.count()
    figures["duplicate_groups"] = dict(consultation.duplicate_groups.values_list("kind").annotate(n=Count("id")))
    figures["excluded_from_discovery"] = consultation.responses.filter(excluded=True).count()

    # Discovery against what was planted, joined on the respondent id (lines are the file's physical lines, which
    # run ahead of the row count wherever a response spans several lines).
    planted = {}
    with truth_path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            planted[respondent_key(consultation.organisation_id, row["respondent_id"])] = row["true_theme"]
    placed = dict(ThemeAssignment.objects.filter(consultation=consultation, source="discovered")
                  .values_list("response__respondent__key", "theme_id"))
    keys = [key for key in placed if key in planted]
    figures["discovery_nmi_vs_planted"] = round(normalized_mutual_info_score(
        [planted[key] for key in keys], [placed[key] for key in keys]), 3)

    started = time.perf_counter()
    for theme in consultation.themes.filter(status=ThemeStatus.CANDIDATE):
        shown = list(theme.examples.values_list("response_id", flat=True))
        extra = (ThemeAssignment.objects.filter(theme=theme, source="discovered", response__excluded=False)
                 .exclude(response_id__in=shown).order_by("response_id")
                 .values_list("response_id", flat=True)[:max(0, EXAMPLES_PER_THEME - len(shown))])
        for response in Response.objects.filter(pk__in=[*shown, *extra]).only("pk", "consultation_id"):
            if response.pk in shown:
                themes.confirm_example(theme=theme, response=response, by=viewer)
            else:
                themes.add_example(theme=theme, response=response, confirmed=True, by=viewer)
    themes.finalise_themes(consultation=consultation, by=viewer)
    seconds["analyst: confirm examples, finalise"] = time.perf_counter() - started
    figures["confirmed_examples"] = ThemeExample.objects.filter(theme__consultation=consultation,
                                                                confirmed=True).count()

    started = time.perf_counter()
    run = analysis.start_assignment(consultation=consultation, by=viewer, enqueue=False)
    analysis.run_assignment(run=run)
    run.refresh_from_db()
    seconds["assignment"] = time.perf_counter() - started
    figures["assignment_state"], figures["assignment_stages"] = run.state, run.stage_seconds
    figures["review_queue"] = analysis.review_queue_size(consultation)

    pipeline = [name for name in seconds if not name.startswith("generate")]
    figures["pipeline_seconds"] = sum(seconds[name] for name in pipeline)
    figures["rows_per_second"] = rows / figures["pipeline_seconds"]
    figures["peak_rss_mib"] = peak_mib()
    path.unlink()
    truth_path.unlink()
    return figures


def show(figures: dict) -> None:
    print(f"\n== {figures['rows']:,} rows ({figures['file_mib']:.0f} MiB CSV; {figures['rows_good']:,} good, "
          f"{figures['rows_bad']:,} bad) ==")
    for name, value in figures["seconds"].items():
        print(f"  {name:<40} {value:8.1f} s")
    print(f"  {'pipeline (import to assignment)':<40} {figures['pipeline_seconds']:8.1f} s  "
          f"({figures['rows_per_second']:,.0f} rows/s)")
    print(f"  peak resident memory                     {figures['peak_rss_mib']:8.0f} MiB")
    print(f"  discovery stages: {json.dumps(figures['discovery_stages'])}")
    print(f"  assignment stages: {json.dumps(figures['assignment_stages'])}")
    print(f"  candidate themes {figures['candidate_themes']}, duplicate groups {figures['duplicate_groups']}, "
          f"excluded from discovery {figures['excluded_from_discovery']:,}, "
          f"NMI vs planted themes {figures['discovery_nmi_vs_planted']}")
    print(f"  confirmed examples {figures['confirmed_examples']}, review queue {figures['review_queue']:,}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, action="append", help="a size to run (repeatable); default: all three")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # a child process running one size
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="consultation-scale-"))
    if args.one:
        print("FIGURES " + json.dumps(one_size(args.one, args.seed, workdir)), flush=True)
        return
    results = []
    for rows in args.rows or SIZES:
        child = subprocess.run([sys.executable, __file__, "--one", str(rows), "--seed", str(args.seed)],  # noqa: S603
                               capture_output=True, text=True, check=False)
        found = [line for line in child.stdout.splitlines() if line.startswith("FIGURES ")]
        if child.returncode or not found:
            print(child.stdout[-4000:], child.stderr[-4000:], file=sys.stderr)
            raise SystemExit(f"the run at {rows:,} rows failed")
        figures = json.loads(found[-1].removeprefix("FIGURES "))
        show(figures)
        results.append(figures)
    by_rows = {f["rows"]: f for f in results}
    if 100_000 in by_rows and 1_000_000 in by_rows:
        ratio = by_rows[1_000_000]["pipeline_seconds"] / by_rows[100_000]["pipeline_seconds"]
        print(f"\ntime ratio 100,000 -> 1,000,000: {ratio:.1f}x (target <= 11x)")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
