#!/usr/bin/env python
"""Risk-scale benchmark: 5,000 salient risks, 50,000 mitigations and 1,000,000 links to stakeholder inputs.

Builds on the loop-scale generator (benchmarks/loop_scale.py) for the people and
what they said: at scale 1.0, 10,000 stakeholders, 1,000 engagements and
100,000 inputs, generated exactly as loop_scale.py does at its scale 0.1. On
top of them it writes, in large batches (COPY on PostgreSQL, executemany on
SQLite), 5,000 risks with their rights and markets, 50,000 mitigations (every
status, the unmitigated ones with a reason and a remedy plan), indicators and
evidence, and 1,000,000 rows of the risk-to-input link table: each input is
linked to about ten risks, the most discussed risks to several thousand inputs.
Severity, priority and the owning level are computed with the same functions
the actions use (risks.scales and risks.escalation).

It then times the register (sorted by priority, and filtered), a risk page
with its who-was-heard breakdown, and the heat map in-process with Django's
test Client, signed in as a member of the human rights team, and the heat map,
the filtered register query and who_was_heard on their own; it prints
p50/p95/max and the SQL queries per request.

    DATABASE_URL=sqlite:////tmp/risk-scale/bench.sqlite3 python benchmarks/risk_scale.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_bench python benchmarks/risk_scale.py
    python benchmarks/risk_scale.py --scale 0.01          # a quick run

The database must be empty (the script migrates it), unless --reuse is given,
which measures the data a previous run left. See docs/performance.md.
"""

from __future__ import annotations

import datetime
import gc
import json
import math
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_scale  # sets up Django for the checkout this file lives in
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from loop_scale import COUNTRY_TABLE, BulkWriter, Generator, describe_database, pick

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import mark_verified
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import Organisation
from rightsloop.engagements.models import Input
from rightsloop.risks import escalation, queries, scales
from rightsloop.risks.models import (
    ContextEvent,
    Evidence,
    Indicator,
    Mitigation,
    Risk,
    RiskMarket,
    RiskRight,
    StrategicDecision,
)
from rightsloop.risks.vocabulary import EventKind, Involvement, MitigationStatus, OwnerLevel

ORG_SLUG = "risk-scale"
loop_scale.ORG_SLUG = ORG_SLUG  # the loop-scale generator creates its organisation under this slug

PRODUCTS = [
    "Chat app", "Payments wallet", "Micro-credit", "Cloud vision API", "Cloud hosting", "Ad platform",
    "Ride-hailing", "Smart home camera", "Mobile network", "Search", "Marketplace", "Hiring assistant",
    "Video sharing", "Maps and location", "Identity verification", "Voice assistant",
]
RIGHT_WEIGHTS = [
    ("privacy", 10), ("freedom_of_expression", 7), ("non_discrimination", 7), ("security_of_person", 5),
    ("child_rights", 3), ("just_working_conditions", 3), ("freedom_of_assembly", 2), ("health", 2),
    ("adequate_standard_of_living", 2), ("life", 1), ("freedom_from_arbitrary_detention", 1),
    ("effective_remedy", 2), ("gender_equality", 2), ("freedom_of_association", 1), ("work", 1),
    ("political_participation", 1), ("minority_rights", 1), ("education", 1),
]
RIGHT_TABLE = loop_scale.weighted(RIGHT_WEIGHTS)
HARMS = ["Disclosure of", "Profiling of", "Exclusion of", "Surveillance of", "Harassment of",
         "Unfair treatment of", "Loss of income for", "Silencing of", "Tracking of", "Exposure of"]
GROUPS = ["users", "women", "children", "refugees", "journalists", "activists", "low-income users",
          "gig workers", "ethnic minorities", "LGBTIQ+ users", "older users", "supply-chain workers"]
STATUS_WEIGHTS = [(MitigationStatus.PLANNED, 30), (MitigationStatus.IN_PROGRESS, 30), (MitigationStatus.DONE, 25),
                  (MitigationStatus.NOT_MITIGATED, 10), (MitigationStatus.CANNOT_MITIGATE, 5)]
STATUS_TABLE = loop_scale.weighted([(status.value, weight) for status, weight in STATUS_WEIGHTS])
UNMITIGATED = {MitigationStatus.NOT_MITIGATED, MitigationStatus.CANNOT_MITIGATE}


class RiskGenerator:
    """Writes the risk side on top of a loop-scale organisation, with the rules the actions apply."""

    def __init__(self, base: Generator, scale: float, log):
        self.base = base
        self.rng = base.rng
        self.log = log
        self.organisation = base.organisation
        self.n_risks = max(50, round(5_000 * scale))
        self.n_mitigations = max(500, round(50_000 * scale))
        self.n_links = max(10_000, round(1_000_000 * scale))
        self.now = timezone.now().replace(tzinfo=None)
        self.today = timezone.localdate()
        self.counts: dict[str, int] = {}

    def generate(self) -> None:
        with transaction.atomic():
            self.risks()
            self.mitigations()
            self.links()
            self.extras()

    def risks(self) -> None:
        rng = self.rng
        owners = self.base.hr_users
        rows = []
        rights_rows, market_rows = [], []
        for pk in range(1, self.n_risks + 1):
            ratings = {name: rng.choices((1, 2, 3, 4, 5), (2, 4, 5, 3, 1))[0]
                       for name in ("scale", "scope", "irremediability", "likelihood")}
            severity = scales.severity(scale=ratings["scale"], scope=ratings["scope"],
                                       irremediability=ratings["irremediability"])
            product = rng.choice(PRODUCTS)
            group = rng.choice(GROUPS)
            closed = rng.random() < 0.05
            rows.append(Risk(
                id=pk, organisation=self.organisation, title=f"{rng.choice(HARMS)} {group} through {product} #{pk}",
                description="Generated for the risk-scale benchmark.", product=product,
                use_context=f"{product} as used by {group}", affected_groups=group,
                involvement=rng.choice(Involvement.values), **ratings, severity=severity,
                priority=scales.priority(severity=severity, likelihood=ratings["likelihood"]),
                owner_id=rng.choice(owners),
                owner_level=escalation.level_for(severity=severity, likelihood=ratings["likelihood"],
                                             irremediability=ratings["irremediability"]),
                review_on=self.today + datetime.timedelta(days=rng.randint(-60, 365)),
                created_by_id=owners[0],
                closed_at=timezone.now() - datetime.timedelta(days=rng.randint(1, 300)) if closed else None,
            ))
            codes = set()
            for _n in range(rng.choice((1, 1, 2, 2, 3))):
                codes.add(pick(rng, RIGHT_TABLE))
            rights_rows += [RiskRight(risk_id=pk, code=code) for code in sorted(codes)]
            markets = set()
            for _n in range(rng.choice((1, 2, 2, 3, 4, 6))):
                markets.add(pick(rng, COUNTRY_TABLE))
            market_rows += [RiskMarket(risk_id=pk, country=code) for code in sorted(markets)]
        Risk.objects.bulk_create(rows, batch_size=2_000)
        RiskRight.objects.bulk_create(rights_rows, batch_size=5_000)
        RiskMarket.objects.bulk_create(market_rows, batch_size=5_000)
        self.counts.update(risks=len(rows), rights=len(rights_rows), markets=len(market_rows))
        self.log(f"  {len(rows)} risks, {len(rights_rows)} rights, {len(market_rows)} markets")

    def mitigations(self) -> None:
        rng = self.rng
        org = self.organisation.pk
        writer = BulkWriter(Mitigation, [
            "id", "organisation", "risk", "action", "owner", "status", "due_on", "reason", "remedy_plan",
            "needs_reassessment", "flagged_by", "created_at", "updated_at",
        ])
        owners = self.base.hr_users
        for pk in range(1, self.n_mitigations + 1):
            # Every risk gets at least one mitigation; the rest are spread at random.
            risk = pk if pk <= self.n_risks else rng.randint(1, self.n_risks)
            status = pick(rng, STATUS_TABLE)
            unmitigated = status in UNMITIGATED
            created = self.now - datetime.timedelta(days=rng.randint(0, 700))
            writer.add((
                pk, org, risk, f"Mitigation {pk}: review, redesign and train for risk {risk}", rng.choice(owners),
                status, self.today + datetime.timedelta(days=rng.randint(-90, 365)),
                "No effective measure is available in this market." if unmitigated else "",
                "Compensation and access to the grievance mechanism." if unmitigated else "",
                rng.random() < 0.03, None, created, created,
            ))
        writer.flush()
        self.counts["mitigations"] = writer.written
        self.log(f"  {writer.written} mitigations")

    def links(self) -> None:
        """About ten risks per input, skewed so that the most discussed risks have thousands of inputs."""
        rng = self.rng
        # Each link carries its input's speaker, as actions.link_inputs writes it (risks.RiskInput).
        speaker_of = dict(Input.objects.for_organisation(self.organisation).order_by("pk")
                          .values_list("pk", "speaker__stakeholder_id"))
        input_ids = list(speaker_of)
        per_input = self.n_links / len(input_ids)
        # Weight 1/(rank + 50): the top risk gets about 0.4 % of the links.
        risk_ids = list(range(1, self.n_risks + 1))
        rng.shuffle(risk_ids)
        cum, total = [], 0.0
        for rank in range(len(risk_ids)):
            total += 1.0 / (rank + 50)
            cum.append(total)
        through = Risk.inputs.through
        writer = BulkWriter(None, [], table=through._meta.db_table, columns=[
            "id", through._meta.get_field("risk").column, through._meta.get_field("input").column,
            through._meta.get_field("stakeholder").column])
        link_id = 0
        remaining = self.n_links
        for position, input_id in enumerate(input_ids):
            left = len(input_ids) - position
            want = min(len(risk_ids), remaining if left == 1 else max(1, round(rng.uniform(0.5, 1.5) * per_input)))
            want = min(want, remaining - (left - 1))  # leave at least one link for each remaining input
            chosen = set()
            while len(chosen) < want:
                for risk in rng.choices(risk_ids, cum_weights=cum, k=want - len(chosen)):
                    chosen.add(risk)
            for risk in chosen:
                link_id += 1
                writer.add((link_id, risk, input_id, speaker_of[input_id]))
            remaining -= len(chosen)
        writer.flush()
        # The mitigations' own links: one in ten mitigations has a few views from the ground.
        m_through = Mitigation.inputs.through
        m_writer = BulkWriter(None, [], table=m_through._meta.db_table, columns=[
            "id", m_through._meta.get_field("mitigation").column, m_through._meta.get_field("input").column])
        m_id = 0
        for mitigation in range(1, self.n_mitigations + 1, 10):
            for input_id in set(rng.sample(input_ids, 3)):
                m_id += 1
                m_writer.add((m_id, mitigation, input_id))
        m_writer.flush()
        self.counts.update(risk_input_links=writer.written, mitigation_input_links=m_writer.written)
        self.log(f"  {writer.written} risk-input links, {m_writer.written} mitigation-input links")

    def extras(self) -> None:
        rng = self.rng
        indicators = [Indicator(id=i, mitigation_id=i * 10, name=f"Indicator {i}", target="Fewer complaints")
                      for i in range(1, self.n_mitigations // 10 + 1)]
        Indicator.objects.bulk_create(indicators, batch_size=5_000)
        evidence = [Evidence(indicator_id=ind.pk, observed_on=self.today - datetime.timedelta(days=30 * n),
                             value=str(rng.randint(0, 100)), recorded_by_id=self.base.hr_users[0])
                    for ind in indicators for n in range(3)]
        Evidence.objects.bulk_create(evidence, batch_size=5_000)
        for n in range(20):
            ContextEvent.objects.create(organisation=self.organisation, title=f"Event {n}",
                                        kind=rng.choice(EventKind.values), countries=[pick(rng, COUNTRY_TABLE)],
                                        occurred_on=self.today - datetime.timedelta(days=n * 7))
        for n in range(20):
            decision = StrategicDecision.objects.create(organisation=self.organisation, title=f"Decision {n}",
                                                        category="market_entry")
            decision.risks.set(rng.sample(range(1, self.n_risks + 1), 5))
        self.counts.update(indicators=len(indicators), evidence=len(evidence))

    def finish(self) -> None:
        if connection.vendor == "postgresql":
            statements = connection.ops.sequence_reset_sql(no_style(), [
                Risk, RiskRight, RiskMarket, Mitigation, Risk.inputs.through, Mitigation.inputs.through,
                Indicator, Evidence,
            ])
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def most_linked(organisation: Organisation) -> tuple[Risk, int]:
    through = Risk.inputs.through
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT risk_id, COUNT(*) AS n FROM {through._meta.db_table} "  # noqa: S608
                       "GROUP BY risk_id ORDER BY n DESC, risk_id LIMIT 1")
        risk_id, n = cursor.fetchone()
    return Risk.objects.get(pk=risk_id, organisation=organisation), n


def typical_linked(organisation: Organisation) -> tuple[Risk, int]:
    through = Risk.inputs.through
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT risk_id, COUNT(*) AS n FROM {through._meta.db_table} "  # noqa: S608
                       "GROUP BY risk_id ORDER BY n, risk_id")
        rows = cursor.fetchall()
    risk_id, n = rows[len(rows) // 2]
    return Risk.objects.get(pk=risk_id, organisation=organisation), n


FILTER = "right=privacy&market=KE&severe=yes"


def pages(organisation: Organisation) -> list[tuple[str, str]]:
    big, n_big = most_linked(organisation)
    typical, n_typical = typical_linked(organisation)
    return [
        ("register: by priority, first page (heat map included)", "/risks/"),
        ("register: by priority, page 3", "/risks/?page=3"),
        ("register: privacy, Kenya, severe", f"/risks/?{FILTER}"),
        (f"risk page, most linked ({n_big} inputs)", f"/risks/{big.pk}/"),
        (f"risk page, median linked ({n_typical} inputs)", f"/risks/{typical.pk}/"),
    ]


def calls(organisation: Organisation, viewer: Viewer) -> list[tuple[str, object]]:
    today = timezone.localdate()
    big, n_big = most_linked(organisation)
    filters = queries.RiskFilters(right="privacy", market="KE", severe=True)
    return [
        ("queries.heat_map (all open risks)", lambda: queries.heat_map(viewer)),
        ("queries.heat_map (privacy, Kenya, severe)", lambda: queries.heat_map(viewer, filters, today)),
        ("queries.risk_register: privacy, Kenya, severe, first 50",
         lambda: list(queries.risk_register(viewer, filters, today)[:50])),
        (f"who_was_heard ({n_big} inputs)",
         lambda: queries.who_was_heard_on(big)),
    ]


def timed(run, requests: int, warmup: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of this process per run, and the SQL queries of one run.

    The CPU time leaves out waiting for a busy machine's cores (and, on PostgreSQL, the server's
    own work): on a shared machine it shows what the code costs, the wall time what a user waits.
    """
    for _n in range(warmup):
        run()
    with CaptureQueriesContext(connection) as captured:
        run()
    query_count = len(captured.captured_queries)
    timings, cpu = [], []
    for _n in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    timings.sort()
    cpu.sort()
    return timings, cpu, query_count


def p95(values: list[float]) -> float:
    return values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)]


def summarise(label: str, timings: list[float], cpu: list[float], query_count: int, **extra) -> dict:
    return {
        "page": label, "queries": query_count, "p50": statistics.median(timings), "p95": p95(timings),
        "max": timings[-1], "cpu_p50": statistics.median(cpu), "cpu_p95": p95(cpu), **extra,
    }


def table(results: list[dict], target: float) -> str:
    lines = [f"| {'page':<58} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} | {'CPU p50':>7} | {'CPU p95':>7} "
             f"| {'queries':>7} | target |",
             f"|{'-' * 60}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|--------|"]
    for r in results:
        ok = "ok" if r["p95"] < target else ("cpu ok" if r["cpu_p95"] < target else "MISS")
        lines.append(f"| {r['page']:<58} | {r['p50']:>7.1f} | {r['p95']:>7.1f} | {r['max']:>7.1f} | "
                     f"{r['cpu_p50']:>7.1f} | {r['cpu_p95']:>7.1f} | {r['queries']:>7} | {ok:<6} |")
    return "\n".join(lines)


def measure(organisation: Organisation, requests: int, warmup: int, log) -> list[dict]:
    user = User.objects.get(username="bench-hr-lead")
    membership = Membership.objects.select_related("organisation", "user").get(user=user, organisation=organisation)
    assert membership.role == Role.HR_LEAD
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    mark_verified(client, user)  # past the second factor, as a real sign-in leaves the session
    results = []
    for label, url in pages(organisation):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        size = len(response.content)

        def get(url=url):
            if client.get(url).status_code != 200:
                raise SystemExit(f"{url} failed")

        timings, cpu, query_count = timed(get, requests, warmup)
        results.append(summarise(label, timings, cpu, query_count, url=url, bytes=size))
        log(f"  {label}: p95 {results[-1]['p95']:.1f} ms (CPU {results[-1]['cpu_p95']:.1f}), {query_count} queries")
    viewer = Viewer.from_membership(membership)
    for label, run in calls(organisation, viewer):
        timings, cpu, query_count = timed(run, requests, warmup)
        results.append(summarise(label, timings, cpu, query_count))
        log(f"  {label}: p95 {results[-1]['p95']:.1f} ms (CPU {results[-1]['cpu_p95']:.1f}), {query_count} queries")
    return results


def main() -> None:
    args = loop_scale.benchmark_arguments(__doc__, scale_help="1.0 = 5k risks, 50k mitigations, 1M links, 100k inputs",
                                          seed=20261122).parse_args()
    log = loop_scale.log
    loop_scale.prepare_database(log)

    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    generation_seconds = None
    if organisation is None:
        if Organisation.objects.exists():
            raise SystemExit("the database holds other data: point DATABASE_URL at an empty database")
        base = Generator(args.scale * 0.1, args.seed, log)
        log(f"generating at scale {args.scale}: {base.n_stakeholders} stakeholders, {base.n_engagements} "
            f"engagements, {base.n_inputs} inputs (loop-scale generator), then the risks")
        started = time.perf_counter()
        base.setup_organisation()
        base.generate_stakeholders()
        base.generate_engagements(base.plan_engagements())
        base.finish()
        log(f"  people and inputs done in {time.perf_counter() - started:.0f} s")
        generator = RiskGenerator(base, args.scale, log)
        generator.generate()
        generator.finish()
        generation_seconds = time.perf_counter() - started
        log(f"generated in {generation_seconds:.0f} s: "
            + ", ".join(f"{n} {k}" for k, n in {**base.counts, **generator.counts}.items()))
        organisation = generator.organisation
        del generator, base
        gc.collect()
    elif not args.reuse:
        raise SystemExit("the database already holds a generated data set: pass --reuse to measure it")
    else:
        log("reusing the generated data set")

    risks = Risk.objects.for_organisation(organisation)
    summary = {
        "database": describe_database(), "vendor": connection.vendor, "scale": args.scale,
        "generation_seconds": generation_seconds,
        "inputs": Input.objects.for_organisation(organisation).count(),
        "risks": risks.count(), "open_risks": risks.open().count(), "severe": risks.severe().count(),
        "mitigations": Mitigation.objects.filter(organisation=organisation).count(),
        "risk_input_links": Risk.inputs.through.objects.filter(risk__organisation=organisation).count(),
        "by_level": {level: risks.filter(owner_level=level).count() for level in OwnerLevel.values},
    }
    log("data: " + json.dumps({k: v for k, v in summary.items() if k not in ("database", "vendor")}))
    if args.no_measure:
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    log(f"measuring {args.requests} requests per page after {args.warmup} warm-up requests; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs" if load is not None else "")
    results = measure(organisation, args.requests, args.warmup, log)
    print()
    print(table(results, args.target))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**summary, "load_average": load, "results": results}, indent=2,
                                        default=str))


if __name__ == "__main__":
    main()
