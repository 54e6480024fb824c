#!/usr/bin/env python
"""Ratings benchmark: the relationship-quality page (trends) and the trend API at 200,000 ratings.

Writes, in large batches, one organisation with 20,000 stakeholders (kinds, countries across every region),
ten rating rounds of 20,000 answers each (200,000 ratings), a share of them low (so the page has flags),
then times GET /relationships/ratings/ and GET /api/v1/ratings/trend in-process with Django's test Client
as a member of the human rights team, printing p50/p95/max and the SQL queries per request.

    DATABASE_URL=sqlite:////tmp/ratings-scale/bench.sqlite3 python benchmarks/ratings_scale.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_ratings_bench python benchmarks/ratings_scale.py
    python benchmarks/ratings_scale.py --ratings 20000          # a quick run

The database must be empty (the script migrates it); tables of models whose migration the lead has not yet
generated are created directly from the models.
"""

from __future__ import annotations

import argparse
import datetime
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_scale  # noqa: F401  (sets up Django for this checkout)
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from loop_scale import describe_database

from rightsloop.accounts.models import ApiToken, Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation, mark_verified
from rightsloop.relationships import ratings as ratings_actions
from rightsloop.relationships.models import DIMENSIONS, Rating, RatingFlag, RatingInvitation, RatingRound
from rightsloop.stakeholders.models import Stakeholder

COUNTRIES = ["KE", "NG", "BR", "IN", "BD", "FR", "DE", "US", "MX", "ID", "PH", "ZA", "EG", "TR", "GB", "JP"]
KINDS = ["affected", "proxy", "expert", "other"]


def ensure_tables() -> None:
    """Create the tables and columns of models whose migrations are not written yet."""
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            if model._meta.db_table not in existing:
                editor.create_model(model)
                existing.add(model._meta.db_table)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(
                    cursor, model._meta.db_table)}
            for field in model._meta.local_fields:
                if field.column and field.column not in columns:
                    editor.add_field(model, field)


def build(ratings: int, seed: int):
    rng = random.Random(seed)
    organisation = make_organisation("Ratings benchmark")
    lead = make_member(organisation, Role.HR_LEAD)
    rounds_count = 10
    people_count = max(ratings // rounds_count, 1)
    people = []
    for n in range(people_count):
        country = COUNTRIES[n % len(COUNTRIES)]
        stakeholder = Stakeholder(organisation=organisation, uid=uuid.uuid4(), kind=KINDS[n % len(KINDS)],
                                  country=country)
        stakeholder.derive_geography()
        people.append(stakeholder)
    Stakeholder.objects.bulk_create(people, batch_size=5000)
    people = list(Stakeholder.objects.filter(organisation=organisation).values_list(
        "pk", "kind", "region_code", "global_south"))
    today = timezone.localdate()
    now = timezone.now()
    for r in range(rounds_count):
        opens = today - datetime.timedelta(days=60 * (rounds_count - r))
        round = RatingRound.objects.create(organisation=organisation, title=f"Round {r + 1}", opens_on=opens,
                                           closes_on=opens + datetime.timedelta(days=30), created_by=lead.user,
                                           invited_count=len(people), answered_count=len(people))
        RatingInvitation.objects.bulk_create(
            [RatingInvitation(organisation=organisation, round=round, stakeholder_id=pk, answered=True)
             for pk, *_rest in people], batch_size=5000)
        drift = r / rounds_count
        rows = []
        for pk, kind, region, south in people:
            scores = {name: min(5, max(1, round_score(rng, 3.2 + drift))) for name in DIMENSIONS}
            rows.append(Rating(organisation=organisation, round=round, stakeholder_id=pk, kind=kind,
                               region_code=region, global_south=south, answered_at=now, **scores))
        Rating.objects.bulk_create(rows, batch_size=5000)
    ratings_actions.rebuild_tallies(organisation=organisation)
    low = list(Rating.objects.filter(organisation=organisation, round__title=f"Round {rounds_count}")
               .low().values_list("pk", "stakeholder_id")[:200])
    RatingFlag.objects.bulk_create([RatingFlag(organisation=organisation, rating_id=pk, stakeholder_id=s,
                                               reason="low", dimensions=["trust"]) for pk, s in low])
    return lead


def round_score(rng: random.Random, mean: float) -> int:
    return round(rng.gauss(mean, 1.0))


def timed(client: Client, url: str, requests: int, **headers) -> tuple[list[float], list[float], int, int]:
    """Wall-clock and CPU milliseconds per request (CPU time of this process: on a busy machine it shows what
    the request costs without waiting for a processor; on SQLite it includes the database's work)."""
    client.get(url, **headers)  # warm up
    times, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, **headers)
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:300])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    return times, cpu, len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--ratings", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run left")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    ensure_tables()
    print(describe_database())
    started = time.perf_counter()
    if args.reuse:
        from rightsloop.accounts.viewer import viewer_for

        organisation = Rating.objects.values_list("organisation", flat=True).first()
        lead = viewer_for(Membership.objects.filter(organisation_id=organisation, role=Role.HR_LEAD).first().user)
        ApiToken.objects.all().delete()
    else:
        lead = build(args.ratings, args.seed)
    print(f"built {Rating.objects.count():,} ratings in {time.perf_counter() - started:.1f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client(HTTP_HOST="localhost")
    client.force_login(lead.user)
    mark_verified(client, lead.user)
    from rightsloop.accounts.actions import issue_api_token

    membership = Membership.objects.get(user=lead.user, organisation=lead.organisation)
    _token, raw = issue_api_token(membership=membership, name="bench", by=None)
    for label, url, headers in (
        ("ratings page (trends)", "/relationships/ratings/", {}),
        ("trend API", "/api/v1/ratings/trend", {"HTTP_AUTHORIZATION": f"Bearer {raw}"}),
    ):
        times, cpu, queries, size = timed(client, url, args.requests, **headers)
        times.sort()
        cpu.sort()
        p95 = times[max(int(len(times) * 0.95) - 1, 0)]
        cpu95 = cpu[max(int(len(cpu) * 0.95) - 1, 0)]
        print(f"{label:24} p50 {statistics.median(times):6.1f} ms  p95 {p95:6.1f} ms  max {times[-1]:6.1f} ms  "
              f"(CPU p50 {statistics.median(cpu):5.1f}, p95 {cpu95:5.1f} ms)  {queries} queries  {size / 1024:.1f} KB")
    ApiToken.objects.all().delete()


if __name__ == "__main__":
    main()
