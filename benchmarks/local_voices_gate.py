#!/usr/bin/env python
"""Local-voices gate benchmark (G2), on the shared-assessment data set (ten member companies, loop scale).

Run benchmarks/shared_assessments.py first, on the same database: it builds the loop-scale data set for the lead
company (100,000 stakeholders, 1,000,000 inputs at scale 1.0) and nine other member companies around one shared
assessment. On top of it this script prepares, through the product's own actions, the lead company's market
entries and high-risk sales the way a team would:

- "wide": a market entry in the six countries the lead's stakeholders come from most, linked to 5,000 inputs of
  those countries' experts, affected people and proxies (a decision the whole regional programme fed);
- "narrow": a high-risk sale in one country, linked to 200 inputs, still blocked;
- "none": a geographic expansion with three markets and nothing linked yet.

Then it times, signed in as the lead's human rights lead, the decision page and the API's decision (both run
the gate) and the gate check alone (`gate.local_voices`), and prints p50/p95/max and the SQL queries.

    RIGHTSLOOP_VAR_DIR=/tmp/rl-shared python benchmarks/local_voices_gate.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_shared RIGHTSLOOP_VAR_DIR=/tmp/rl-shared-pg \\
        python benchmarks/local_voices_gate.py

Idempotent: a second run finds its decisions by title and measures them again. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_scale  # sets up Django for the checkout this file lives in
from django.db import connection, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext

from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.tests.factories import mark_verified
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import Organisation
from rightsloop.engagements.models import Input
from rightsloop.risks import actions, gate
from rightsloop.risks.models import StrategicDecision
from rightsloop.risks.vocabulary import DecisionCategory
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.vocabulary import Kind

LEAD_SLUGS = ("shared-scale", loop_scale.ORG_SLUG)
TITLE = "Gate benchmark: {}"
STEPS = {"risk_picture": "Benchmark.", "mitigation_plan": "Benchmark.", "remedy_plan": "Benchmark.",
         "communication": "formal_report", "communication_plan": "Benchmark.", "communication_is_safe": True,
         "no_engagement_reason": "Benchmark.", "outcome": "go"}


def _viewer(username: str) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
        user__username=username))


def build(organisation: Organisation, log) -> dict[str, StrategicDecision]:
    existing = {d.title: d for d in StrategicDecision.objects.for_organisation(organisation)
                .filter(title__startswith=TITLE.format(""))}
    if len(existing) == 3:
        return {key: existing[TITLE.format(key)] for key in ("wide", "narrow", "none")}
    lead = _viewer("bench-hr-lead")
    top = [code for code, _n in Stakeholder.objects.for_organisation(organisation).exclude(country="")
           .values_list("country").annotate(n=Count("id")).order_by("-n")[:6]]
    log(f"  markets: {', '.join(top)}")
    standing = Input.objects.for_organisation(organisation).standing()
    spoken = standing.filter(speaker__stakeholder__kind__in=[Kind.EXPERT, Kind.AFFECTED, Kind.PROXY])
    plans = {
        "wide": (DecisionCategory.MARKET_ENTRY, top, spoken.filter(speaker__stakeholder__country__in=top), 5000),
        "narrow": (DecisionCategory.HIGH_RISK_SALE, top[-1:],
                   spoken.filter(speaker__stakeholder__country=top[-1], speaker__stakeholder__kind=Kind.AFFECTED),
                   200),
        "none": (DecisionCategory.GEOGRAPHIC_EXPANSION, top[:3], standing.none(), 0),
    }
    found = {}
    with transaction.atomic():
        for key, (category, markets, inputs, how_many) in plans.items():
            decision = actions.create_strategic_decision(plan=actions.DecisionPlan(
                title=TITLE.format(key), category=category, markets=markets, **STEPS), by=lead)
            chosen = list(inputs.order_by("-id")[:how_many])
            if chosen:
                actions.link_inputs(target=decision, inputs=chosen, by=lead)
            log(f"  {key}: {category}, {len(markets)} market(s), {len(chosen)} inputs linked")
            found[key] = decision
    return found


def _timed(run, requests: int, warmup: int) -> tuple[list[float], int]:
    for _n in range(warmup):
        run()
    with CaptureQueriesContext(connection) as queries:
        run()
    count = len(queries.captured_queries)
    timings = []
    for _n in range(requests):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings), count


def measure(decisions: dict[str, StrategicDecision], requests: int, warmup: int, log) -> list[dict]:
    user = User.objects.get(username="bench-hr-lead")
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    mark_verified(client, user)
    membership = Membership.objects.get(user=user, organisation=next(iter(decisions.values())).organisation)
    _token, raw = issue_api_token(membership=membership, name="gate benchmark", by=None)
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    results = []
    for key, decision in decisions.items():
        linked = decision.inputs.count()
        voices = gate.local_voices(decision)
        log(f"  {key}: blocks={voices.blocks}; " + "; ".join(
            f"{m.country} {m.experts} expert(s), {m.affected} affected" for m in voices.markets))

        def page(url=f"/risks/decisions/{decision.pk}/"):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        def api(url=f"/api/v1/strategic-decisions/{decision.pk}"):
            response = client.get(url, **bearer)
            assert response.status_code == 200, (url, response.status_code)

        def check(pk=decision.pk):
            gate.local_voices(StrategicDecision.objects.get(pk=pk))

        for label, run in ((f"decision page ({key}, {linked} inputs linked)", page),
                           (f"API decision ({key})", api), (f"gate check alone ({key})", check)):
            timings, queries = _timed(run, requests, warmup)
            result = {"page": label, "queries": queries, "p50": statistics.median(timings),
                      "p95": timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)],
                      "max": timings[-1]}
            results.append(result)
            log(f"  {label}: p95 {result['p95']:.1f} ms, {queries} queries")
    return results


def main() -> None:
    logging.getLogger("django.request").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--target", type=float, default=150.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    log = loop_scale.log
    log(f"database: {loop_scale.describe_database()}")
    organisation = Organisation.objects.filter(slug__in=LEAD_SLUGS).order_by("id").first()
    if organisation is None:
        raise SystemExit("no generated data set: run benchmarks/shared_assessments.py on this database first")
    log(f"lead company: {organisation.name}; {Organisation.objects.count()} organisations; "
        f"{Input.objects.for_organisation(organisation).count()} inputs")
    decisions = build(organisation, log)
    results = measure(decisions, args.requests, args.warmup, log)
    print()
    print(loop_scale.table(results, args.target))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"database": loop_scale.describe_database(), "results": results},
                                        indent=2, default=str))


if __name__ == "__main__":
    main()
