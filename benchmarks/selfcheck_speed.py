#!/usr/bin/env python
"""Self-check speed (issue 14): the UNGP 31 self-check and the dashboard's grievance panel at 100,000 cases.

Generates one organisation's cases straight into a scratch database with bulk_create (no actions, nothing sealed
for real: the self-check only asks whether a sealed column is empty), with their stage changes along stages.NEXT,
1,000,000 messages both ways, appeals, exclusions, remedy plans and actions with confirmations. bulk_create skips
Model.save(), so the generator fills the derived columns the models keep themselves when they exist:

- Grievance.acknowledged_in_time / responded_in_time (the answer's local date on or before its due date);
- StageChange.organisation (the case's) and StageChange.stayed_seconds (seconds since the case entered
  `from_stage`: the previous change into it, or the receipt).

It then times selfcheck.self_check() for the last full quarter and the last full year, and dashboard.counts(),
in process (no HTTP), and prints p50/p95/max and the queries per call. The schema is made from the models
(migrations are not run), so it measures whatever the checkout's models say.

    python benchmarks/selfcheck_speed.py --database sqlite --fresh
    python benchmarks/selfcheck_speed.py --database postgresql --fresh   # postgres://...:5432/rl_h10
    python benchmarks/selfcheck_speed.py --database sqlite --reuse       # measure again
    python benchmarks/selfcheck_speed.py --database sqlite --fresh --cases 5000 --messages 50000   # quick
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = Path("/tmp/rl-h10/selfcheck.sqlite3")  # noqa: S108 (a scratch file of this benchmark)
PG_NAME = "rl_h10"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--fresh", action="store_true", help="empty the scratch database first")
    parser.add_argument("--reuse", action="store_true", help="measure what a previous run generated")
    parser.add_argument("--profile", action="store_true", help="print each query's time for one self-check")
    parser.add_argument("--upgrade", action="store_true",
                        help="with --reuse: add the columns and indexes the models have and the database lacks, "
                             "and fill them with selfcheck_facts' refresh functions (timed), as a migration would")
    return parser.parse_args()


ARGS = arguments()
if ARGS.database == "sqlite":
    SQLITE_FILE.parent.mkdir(parents=True, exist_ok=True)
    if ARGS.fresh and SQLITE_FILE.exists():
        SQLITE_FILE.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
else:
    env = dict(os.environ, PGHOST="127.0.0.1", PGPORT="5432", PGUSER="postgres")
    if ARGS.fresh:
        subprocess.run(["dropdb", "--force", "--if-exists", PG_NAME], env=env, check=True)  # noqa: S603, S607
    query = f"SELECT 1 FROM pg_database WHERE datname = '{PG_NAME}'"  # noqa: S608 (a constant)
    exists = subprocess.run(["psql", "-tAc", query],  # noqa: S603, S607
                            env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not exists:
        subprocess.run(["createdb", PG_NAME], env=env, check=True)  # noqa: S603, S607
    os.environ["DATABASE_URL"] = PG_URL
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from rightsloop.accounts.models import User  # noqa: E402
from rightsloop.core.models import Organisation  # noqa: E402
from rightsloop.grievances import dashboard, selfcheck, stages  # noqa: E402
from rightsloop.grievances.models import (  # noqa: E402
    FINISHED_STAGES,
    ActionConfirmation,
    Appeal,
    CaseMessage,
    Grievance,
    HandlerExclusion,
    RemedyAction,
    RemedyPlan,
    StageChange,
)
from rightsloop.grievances.vocabulary import (  # noqa: E402
    ActionStatus,
    Channel,
    ConfirmationAnswer,
    MessageDirection,
    Mode,
    RaisedBy,
    RemedyType,
    Satisfaction,
    Stage,
)

ORG_SLUG = "selfcheck-speed"
DAY = datetime.timedelta(days=1)
HAS = {name: any(f.name == name for f in model._meta.get_fields()) for model, name in (
    (Grievance, "acknowledged_in_time"), (StageChange, "organisation"), (StageChange, "stayed_seconds"))}


class NoMigrations:
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


class Writer:
    """Append rows to one table: COPY on PostgreSQL, executemany on SQLite (values stored as Django stores them)."""

    def __init__(self, model, fields: list[str]):
        self.fields = [model._meta.get_field(name) for name in fields]
        quoted = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        table = connection.ops.quote_name(model._meta.db_table)
        self.sql = (f"COPY {table} ({quoted}) FROM STDIN" if connection.vendor == "postgresql"
                    else f"INSERT INTO {table} ({quoted}) VALUES ({', '.join(['%s'] * len(fields))})")  # noqa: S608
        self.rows: list[list] = []
        self.written = 0

    def add(self, row: list) -> None:
        self.rows.append(row)
        if len(self.rows) >= 20_000:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        if connection.vendor == "postgresql":
            with connection.cursor().cursor.copy(self.sql) as copy:
                for row in self.rows:
                    copy.write_row(row)
        else:
            rows = [[field.get_db_prep_value(value, connection) for field, value in zip(self.fields, row,
                                                                                     strict=True)]
                    for row in self.rows]
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)
        self.written += len(self.rows)
        self.rows = []


def make_schema() -> None:
    settings.MIGRATION_MODULES = NoMigrations()
    call_command("migrate", run_syncdb=True, verbosity=0, interactive=False)


def upgrade() -> None:
    """Bring a database generated by an older checkout to the models' columns and indexes, and fill them."""
    from rightsloop.grievances import selfcheck_facts

    for model in (Grievance, StageChange):
        table = model._meta.db_table
        with connection.cursor() as cursor:
            columns = {column.name for column in connection.introspection.get_table_description(cursor, table)}
            constraints = connection.introspection.get_constraints(cursor, table)
        with connection.schema_editor() as editor:
            for field in model._meta.local_concrete_fields:
                if field.column not in columns:
                    loose = field.clone()
                    loose.set_attributes_from_name(field.name)
                    loose.model, loose.null = model, True  # filled below; the lead's migration tightens it
                    editor.add_field(model, loose)
                    print(f"added {table}.{field.column}", flush=True)
            wanted = {index.name for index in model._meta.indexes}
            for index in model._meta.indexes:
                if index.name not in constraints:
                    editor.add_index(model, index)
                    print(f"added index {index.name}", flush=True)
            for name, details in constraints.items():
                if details.get("index") and name.startswith(("grievance_org", "stage_change")) and name not in wanted:
                    editor.execute(editor._delete_index_sql(model, name))
                    print(f"dropped index {name}", flush=True)
    start = time.perf_counter()
    changed = selfcheck_facts.refresh_deadlines(Grievance)
    print(f"refresh_deadlines: {changed:,} cases in {time.perf_counter() - start:.1f} s", flush=True)
    start = time.perf_counter()
    changed = selfcheck_facts.refresh_stage_changes(StageChange)
    print(f"refresh_stage_changes: {changed:,} stage changes in {time.perf_counter() - start:.1f} s", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value, timezone.get_default_timezone()).date()


def batches(model, rows, size=5000):
    for start in range(0, len(rows), size):
        model.objects.bulk_create(rows[start:start + size], batch_size=size)


def generate(cases: int, messages: int, seed: int) -> None:
    rng = random.Random(seed)
    organisation = Organisation.objects.create(name="Self-check speed", slug=ORG_SLUG)
    handlers = [User.objects.create(username=f"h10-handler-{n}", email=f"h10-{n}@example.org") for n in range(8)]
    now = timezone.now()
    first = now - datetime.timedelta(days=3 * 365)
    span = (now - first).total_seconds()
    print(f"generating {cases:,} cases…", flush=True)
    grievances, paths = [], []
    for number in range(1, cases + 1):
        received = first + datetime.timedelta(seconds=span * (number - 1) / cases + rng.random() * 600)
        ack_due = local_date(received) + 7 * DAY
        respond_due = local_date(received) + 90 * DAY
        # Walk the stages with a stay of a few days each, stopping at "now".
        path, at, stage = [], received, Stage.RECEIVED
        while stage not in FINISHED_STAGES and rng.random() < 0.9:
            following = stages.NEXT[stage]
            target = following[0] if len(following) == 1 else rng.choice(following)
            at = at + datetime.timedelta(days=rng.expovariate(1 / (4 if stage == Stage.RECEIVED else 12)))
            if at >= now:
                break
            path.append((stage, target, at))
            stage = target
        acknowledged = next((when for _f, to, when in path if to == Stage.ACKNOWLEDGED), None)
        responded = next((when for _f, to, when in path if to in stages.SUBSTANTIVE), None)
        closed = next((when for _f, to, when in path if to in FINISHED_STAGES), None)
        values = {
            "organisation": organisation, "number": number, "reference": f"{number:010d}", "receipt_hash": "x",
            "sealed_key": b"k", "description_sealed": b"sealed",
            "mode": rng.choice(Mode.values), "raised_by": rng.choices(RaisedBy.values, [80, 13, 7])[0],
            "channel": rng.choice(Channel.values), "language": rng.choice(["en", "es", "fr", "sw", "hi", "ar", "pt"]),
            "interface_language": rng.choice(["", "en", "es", "fr"]),
            "country": rng.choice(["KE", "BR", "IN", "FR", ""]),
            "product": rng.choice(["", "Marketplace", "Messaging", "Wallet", "Rides"]),
            "supported_by_adviser": rng.random() < 0.1, "at_risk": rng.choice([[], [], ["child"], ["journalist"]]),
            "rights": rng.choice([[], ["privacy"], ["privacy", "health"], ["freedom_of_expression"]]),
            "stage": stage, "stage_changed_at": path[-1][2] if path else received, "received_at": received,
            "acknowledged_at": acknowledged, "responded_at": responded, "closed_at": closed,
            "acknowledge_due_on": ack_due, "respond_due_on": respond_due,
            "handler": rng.choice(handlers) if path else None,
            "escalation_level": rng.choices([0, 1, 2], [90, 7, 3])[0] if stage not in FINISHED_STAGES else 0,
            "appeals_count": 1 if closed and rng.random() < 0.03 else 0,
            "outcome_summary_sealed": b"sealed" if closed else b"",
            "rights_reviewed_at": closed if closed and rng.random() < 0.7 else None,
            "satisfaction": rng.choice(Satisfaction.values) if closed and rng.random() < 0.5 else "",
            "satisfaction_at": closed + DAY if closed else None,
        }
        if HAS["acknowledged_in_time"]:
            values["acknowledged_in_time"] = None if acknowledged is None else local_date(acknowledged) <= ack_due
            values["responded_in_time"] = None if responded is None else local_date(responded) <= respond_due
        grievances.append(Grievance(**values))
        paths.append(path)
    with transaction.atomic():
        batches(Grievance, grievances)
    ids = dict(Grievance.objects.filter(organisation=organisation).values_list("number", "id"))
    print("stage changes…", flush=True)
    columns = ["uid", "grievance", "from_stage", "to_stage", "note_sealed", "at"]
    columns += [name for name in ("organisation", "stayed_seconds") if HAS[name]]
    changes = Writer(StageChange, columns)
    with transaction.atomic():
        for number, (case, path) in enumerate(zip(grievances, paths, strict=True), start=1):
            entered = {Stage.RECEIVED: case.received_at}
            for from_stage, to_stage, when in [("", Stage.RECEIVED, case.received_at), *path]:
                row = [uuid.uuid4(), ids[number], from_stage, to_stage, b"sealed" if rng.random() < 0.6 else b"", when]
                if HAS["organisation"]:
                    row.append(organisation.pk)
                if HAS["stayed_seconds"]:
                    row.append(int((when - entered.get(from_stage, case.received_at)).total_seconds())
                               if from_stage else None)
                entered[to_stage] = when
                changes.add(row)
        changes.flush()
    print(f"{changes.written:,} stage changes; {messages:,} messages…", flush=True)
    per_case = max(messages // cases, 1)
    directions = (MessageDirection.TO_COMPLAINANT, MessageDirection.FROM_COMPLAINANT, MessageDirection.INTERNAL)
    written = Writer(CaseMessage, ["uid", "grievance", "direction", "via", "text_sealed", "language", "is_question",
                                   "submission_key", "created_at", "seen_at"])
    with transaction.atomic():
        for number, case in enumerate(grievances, start=1):
            for n in range(per_case):
                when = min(case.received_at + datetime.timedelta(hours=rng.random() * 24 * 60), now)
                written.add([uuid.uuid4(), ids[number], directions[n % 3 if rng.random() < 0.8 else 0], "follow_up",
                             b"sealed", "", False, "", when, when + DAY if rng.random() < 0.5 else None])
        written.flush()
    written = written.written
    print(f"{written:,} messages; appeals, exclusions, remedies…", flush=True)
    appeals, exclusions, plans = [], [], []
    for number, case in enumerate(grievances, start=1):
        if case.appeals_count:
            previous = case.handler
            appeals.append(Appeal(grievance_id=ids[number], reason_sealed=b"sealed", from_stage=Stage.CLOSED,
                                  previous_handler=previous, new_handler=rng.choice(handlers),
                                  filed_at=case.closed_at + 3 * DAY))
            exclusions.append(HandlerExclusion(grievance_id=ids[number], user=previous, reason="appealed",
                                               at=case.closed_at + 3 * DAY))
        elif rng.random() < 0.02:
            exclusions.append(HandlerExclusion(grievance_id=ids[number], user=rng.choice(handlers),
                                               reason="Named in the case", at=case.received_at + DAY))
        if case.responded_at and rng.random() < 0.2:
            plans.append((number, case))
    with transaction.atomic():
        batches(Appeal, appeals)
        batches(HandlerExclusion, exclusions)
        made = RemedyPlan.objects.bulk_create([RemedyPlan(organisation=organisation, title="Remedy")
                                               for _n in plans], batch_size=5000)
        plan_ids = [made_plan.pk for made_plan in made]
        for plan_id, (number, _case) in zip(plan_ids, plans, strict=True):
            Grievance.objects.filter(pk=ids[number]).update(remedy_plan_id=plan_id)
        actions = [RemedyAction(plan_id=plan_id, remedy_type=rng.choice(RemedyType.values), description_sealed=b"s",
                                owner=handlers[0], due_on=local_date(case.responded_at) + 30 * DAY,
                                status=rng.choice(ActionStatus.values))
                   for plan_id, (_n, case) in zip(plan_ids, plans, strict=True) for _k in range(2)]
        batches(RemedyAction, actions)
        RemedyPlan.objects.filter(organisation=organisation).update(created_at=now - 200 * DAY)
        action_rows = list(RemedyAction.objects.filter(plan__organisation=organisation)
                           .values_list("id", "plan_id"))
        case_of_plan = {plan_id: ids[number] for plan_id, (number, _case) in zip(plan_ids, plans, strict=True)}
        confirmations = [ActionConfirmation(action_id=action_id, grievance_id=case_of_plan[plan_id],
                                            answer=rng.choice(ConfirmationAnswer.values), note_sealed=b"s",
                                            at=now - datetime.timedelta(days=rng.random() * 3 * 365))
                         for action_id, plan_id in action_rows if rng.random() < 0.5]
        batches(ActionConfirmation, confirmations)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    print("generated", flush=True)


def timed(name: str, call, *, requests: int, warmup: int) -> dict:
    for _n in range(warmup):
        call()
    times = []
    settings.DEBUG = True
    reset_queries()
    call()
    queries = len(connection.queries)
    settings.DEBUG = False
    for _n in range(requests):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
    print(f"{name:<32} p50 {statistics.median(times):7.1f} ms  p95 {p95:7.1f} ms  max {times[-1]:7.1f} ms  "
          f"{queries} queries", flush=True)
    return {"p50": statistics.median(times), "p95": p95, "queries": queries}


def profile(organisation, period, today) -> None:
    settings.DEBUG = True
    reset_queries()
    selfcheck.self_check(organisation, period, today=today)
    for query in sorted(connection.queries, key=lambda q: -float(q["time"]))[:12]:
        print(f"{float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}")
    settings.DEBUG = False


def main() -> None:
    if not ARGS.reuse:
        make_schema()
        generate(ARGS.cases, ARGS.messages, ARGS.seed)
    elif ARGS.upgrade:
        upgrade()
    organisation = Organisation.objects.get(slug=ORG_SLUG)
    today = timezone.localdate()
    quarter = selfcheck.current_quarter(today).previous()
    year = selfcheck.Period(today.year - 1)
    total = Grievance.objects.filter(organisation=organisation).count()
    print(f"{connection.vendor}: {total:,} cases, {CaseMessage.objects.count():,} messages, "
          f"{StageChange.objects.count():,} stage changes; quarter {quarter.code}, year {year.code}; "
          f"derived columns: {', '.join(name for name, present in HAS.items() if present) or 'none'}")
    if ARGS.profile:
        profile(organisation, quarter, today)

    def fresh_cache(call):
        def run():
            cache.clear()
            return call()
        return run

    timed(f"self-check {quarter.code}", fresh_cache(lambda: selfcheck.self_check(organisation, quarter, today=today)),
          requests=ARGS.requests, warmup=ARGS.warmup)
    timed(f"self-check {year.code}", fresh_cache(lambda: selfcheck.self_check(organisation, year, today=today)),
          requests=ARGS.requests, warmup=ARGS.warmup)
    timed(f"self-check {quarter.code} (cached)",
          lambda: selfcheck.self_check(organisation, quarter, today=today), requests=ARGS.requests,
          warmup=ARGS.warmup)
    timed("dashboard panel", lambda: dashboard.counts(organisation, today), requests=ARGS.requests,
          warmup=ARGS.warmup)


if __name__ == "__main__":
    main()
