#!/usr/bin/env python
"""Shared-assessment benchmark (G3): ten member companies in one shared assessment, on the loop-scale data set.

Builds on the loop-scale generator (benchmarks/loop_scale.py): the lead company is its organisation (100,000
stakeholders, 10,000 engagements, 1,000,000 inputs at scale 1.0, generated exactly as loop_scale.py does). On top
of it, through the product's own actions (audited, sealed, as in use):

- the lead's assessment (G1) with its six phases and 30 findings, shared with nine other companies, each with
  its human rights lead, who accept the invitation;
- the lead's 100 newest engagements held in the assessment (the one with 500 inputs among them), and ten
  engagements of 40 inputs from each other member;
- a pool of 300 partners: 120 of the lead's stakeholders and 20 of each other member's, each on their consent
  (a tenth at elevated or high safety level, shown as a code name);
- every pool partner asked to one to four engagements by different members (one request per partner and
  engagement), so the load each sees counts several companies.

Then it times, in-process with Django's test client, signed in as the human rights lead of a member company
(not the lead: the reader from another company) and as the lead's, the shared-assessment pages and API reads:
the list, the assessment (members, phases, findings, the first 25 engagements with their input counts and the
first 25 partners), the pages of all its engagements and of the whole pool, the 500-input engagement's page (200
inputs shown), the busiest partner's page with their load across members, and the API's assessment, partners,
inputs and load. It prints p50/p95/max and the SQL queries per request.

    RIGHTSLOOP_VAR_DIR=/tmp/rl-shared python benchmarks/shared_assessments.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_shared RIGHTSLOOP_VAR_DIR=/tmp/rl-shared-pg \\
        python benchmarks/shared_assessments.py
    python benchmarks/shared_assessments.py --scale 0.01          # a quick run

The database must be empty (the script migrates it), unless --reuse is given. See docs/performance.md.
"""

from __future__ import annotations

import datetime
import gc
import json
import logging
import math
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_scale  # sets up Django for the checkout this file lives in
from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from loop_scale import Generator, describe_database

from rightsloop.accounts.actions import add_member, issue_api_token
from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import mark_verified
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments import actions as assessment_actions
from rightsloop.assessments.vocabulary import PhaseKind
from rightsloop.collaboration import actions
from rightsloop.collaboration.models import PartnerRequest, PoolPartner, SharedAssessment, SharedEngagement
from rightsloop.core.models import Organisation
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.models import Engagement, Input
from rightsloop.stakeholders.actions import register_stakeholder
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile

ORG_SLUG = "shared-scale"
loop_scale.ORG_SLUG = ORG_SLUG  # the loop-scale generator creates its organisation under this slug
MEMBERS = 10  # the lead and nine others
LEAD_ENGAGEMENTS, MEMBER_ENGAGEMENTS, MEMBER_INPUTS = 100, 10, 40
LEAD_PARTNERS, MEMBER_PARTNERS = 120, 20


def _viewer(username: str) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
        user__username=username))


def build_shared(lead_org: Organisation, rng: random.Random, log) -> SharedAssessment:
    """The shared assessment and its nine other members, through the actions."""
    today = timezone.localdate()
    lead = _viewer("bench-hr-lead")
    assessment = assessment_actions.create_assessment(by=lead, plan=assessment_actions.AssessmentPlan(
        title="Facial verification for mobile money in East Africa", technology="Facial verification",
        countries=["KE", "TZ", "UG", "RW", "ET"], region="East Africa", status="in_progress",
        starts_on=today - datetime.timedelta(days=120), ends_on=today + datetime.timedelta(days=240),
        scope="Sign-up face checks for people without recent photo ID."))
    for number, kind in enumerate(PhaseKind.values):
        starts = today - datetime.timedelta(days=120 - 60 * number)
        assessment_actions.set_phase(assessment=assessment, by=lead, plan=assessment_actions.PhasePlan(
            kind=kind, starts_on=starts, ends_on=starts + datetime.timedelta(days=59),
            progress=min(100, max(0, 100 - 40 * number))))
    for number in range(30):
        assessment_actions.record_finding(assessment=assessment, by=lead, title=f"Finding {number + 1}",
                                          description="Older people without photo ID fail the check.",
                                          countries=["KE"])
    shared = actions.share_assessment(assessment=assessment, by=lead)
    # The lead's newest engagements, the one with 500 inputs first.
    big = Engagement.objects.for_organisation(lead_org).filter(inputs_count=500).order_by("-starts_on").first()
    newest = list(Engagement.objects.for_organisation(lead_org).active().exclude(type="remedy_dialogue")
                  .exclude(pk=big.pk).order_by("-starts_on", "-id")[:LEAD_ENGAGEMENTS - 1])
    SharedEngagement.objects.bulk_create([SharedEngagement(shared=shared, engagement=e, organisation=lead_org,
                                                           added_by=lead.user) for e in [big, *newest]])
    people = list(Stakeholder.objects.for_organisation(lead_org).filter(entity_type="person")
                  .order_by("id")[:LEAD_PARTNERS])
    partners = [actions.contribute_partner(shared=shared, stakeholder=s, role="research_partner",
                                           languages=["sw", "en"], consent_method="written",
                                           consent_given_on=today, by=lead) for s in people]
    engagements = [big, *newest]
    members = [lead]
    for number in range(2, MEMBERS + 1):
        organisation = Organisation.objects.create(name=f"Member Company {number}", slug=f"member-{number}")
        membership = add_member(organisation=organisation, username=f"bench-member-{number}",
                                email=f"hr@member-{number}.example", first_name="Member", last_name=str(number),
                                password=None, role=Role.HR_LEAD, by=None)
        viewer = Viewer.from_membership(membership)
        invitation = actions.invite_organisation(shared=shared, organisation_id=organisation.pk, by=lead)
        actions.accept_invitation(invitation=invitation, by=viewer)
        members.append(viewer)
        own = []
        for count in range(MEMBER_PARTNERS + 5):
            person, _flags = register_stakeholder(by=viewer, profile=StakeholderProfile(
                name=f"Partner {number}-{count}", kind="expert", entity_type="person", country="KE",
                languages=["sw"], safety_level=("high" if count % 10 == 3 else "elevated" if count % 10 == 7
                                                else "normal")))
            own.append(person)
        for count in range(MEMBER_ENGAGEMENTS):
            starts = today - datetime.timedelta(days=rng.randint(1, 80))
            engagement = engagement_actions.create_engagement(by=viewer, plan=engagement_actions.EngagementPlan(
                title=f"Member {number} workshop {count + 1}", type="workshop", phases=["identify"],
                starts_on=starts, ends_on=starts))
            actions.share_engagement(shared=shared, engagement=engagement, by=viewer)
            speakers = [engagement_actions.add_participant(engagement=engagement, stakeholder=p, by=viewer)
                        for p in own[:5] if p.safety_level != "high"]
            for said in range(MEMBER_INPUTS):
                engagement_actions.record_input(engagement=engagement, speaker=speakers[said % len(speakers)],
                                                text=f"Input {said}: the check fails in poor light.",
                                                by=viewer, attribution="anonymised", language="en")
            engagements.append(engagement)
        partners += [actions.contribute_partner(shared=shared, stakeholder=p, role="community_liaison",
                                                languages=["sw"], consent_method="verbal", consent_given_on=today,
                                                by=viewer) for p in own[5:]]
        log(f"  member {number} joined: {MEMBER_ENGAGEMENTS} engagements, {MEMBER_PARTNERS} partners")
    # Requests: every partner asked to one to four engagements, each by a different member.
    requests = []
    for partner in partners:
        for engagement in rng.sample(engagements, rng.randint(1, 4)):
            requests.append(PartnerRequest(partner=partner, stakeholder_id=partner.stakeholder_id,
                                           engagement=engagement, organisation=rng.choice(members).organisation,
                                           requested_by=lead.user,
                                           requested_at=timezone.now() - datetime.timedelta(
                                               days=rng.randint(0, 300))))
    PartnerRequest.objects.bulk_create(requests, ignore_conflicts=True)
    return shared


def _pages(shared: SharedAssessment) -> list[tuple[str, str]]:
    big = Engagement.objects.filter(organisation=shared.lead, inputs_count=500, shared_in__shared=shared).first()
    busiest = (PoolPartner.objects.in_pool().filter(shared=shared)
               .order_by("-id").first())
    counts = {p.pk: p.requests.count() for p in PoolPartner.objects.filter(shared=shared)}
    busiest = PoolPartner.objects.get(pk=max(counts, key=counts.get)) if counts else busiest
    base = f"/shared-assessments/{shared.pk}"
    api = f"/api/v1/shared-assessments/{shared.pk}"
    return [
        ("shared assessments (list)", "/shared-assessments/"),
        ("shared assessment (10 members, first 25 of each list)", f"{base}/"),
        ("shared engagement (500 inputs, 200 shown)", f"{base}/engagements/{big.pk}/"),
        (f"pool partner ({counts.get(busiest.pk, 0)} requests) with load", f"{base}/partners/{busiest.pk}/"),
        ("all engagements held in it (190, 100 a page)", f"{base}/engagements/"),
        ("the whole pool (300 partners, 100 a page)", f"{base}/partners/"),
        ("who was heard across its 190 engagements (4,100 inputs)", f"{base}/heard/"),
        ("API: shared assessment", api),
        ("API: who was heard", f"{api}/heard"),
        ("API: pool partners", f"{api}/partners"),
        ("API: shared engagement's inputs (500)", f"{api}/engagements/{big.pk}/inputs"),
        ("API: partner load across members", f"{api}/partners/{busiest.pk}/load"),
    ]


def measure(shared: SharedAssessment, who: str, requests: int, warmup: int, log) -> list[dict]:
    user = User.objects.get(username=who)
    membership = Membership.objects.get(user=user)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    mark_verified(client, user)
    _token, raw = issue_api_token(membership=membership, name="benchmark", by=None)
    api_headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    results = []
    for label, url in _pages(shared):
        headers = api_headers if url.startswith("/api/") else {}
        for _n in range(warmup):
            response = client.get(url, **headers)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url, **headers)
        query_count = len(queries.captured_queries)
        timings = []
        for _n in range(requests):
            started = time.perf_counter()
            response = client.get(url, **headers)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        result = {"page": f"{label} as {'lead' if who == 'bench-hr-lead' else 'member'}", "url": url,
                  "queries": query_count, "p50": statistics.median(timings),
                  "p95": timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)],
                  "max": timings[-1], "bytes": len(response.content)}
        results.append(result)
        log(f"  {result['page']}: p95 {result['p95']:.1f} ms, {query_count} queries")
    return results


def main() -> None:
    logging.getLogger("django.request").setLevel(logging.ERROR)
    args = loop_scale.benchmark_arguments(__doc__, scale_help="1.0 = loop scale (100k stakeholders, 1M inputs) "
                                                              "for the lead company", seed=20261208).parse_args()
    log = loop_scale.log
    loop_scale.prepare_database(log)
    shared = SharedAssessment.objects.filter(lead__slug=ORG_SLUG).first()
    generation_seconds = None
    if shared is None:
        if Organisation.objects.exists() or Stakeholder.objects.exists():
            raise SystemExit("the database holds other data: point DATABASE_URL at an empty database")
        base = Generator(args.scale, args.seed, log)
        log(f"generating at scale {args.scale}: {base.n_stakeholders} stakeholders, {base.n_engagements} "
            f"engagements, {base.n_inputs} inputs (loop-scale generator), then the shared assessment")
        started = time.perf_counter()
        base.setup_organisation()
        base.generate_stakeholders()
        base.generate_engagements(base.plan_engagements())
        base.finish()
        log(f"  loop-scale data done in {time.perf_counter() - started:.0f} s")
        lead_org = base.organisation
        del base
        gc.collect()
        # The generator wrote its own ids: PostgreSQL's sequences must continue after them before any action
        # inserts (loop_scale.finish resets only the tables it counts on).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                    cursor.execute(sql)
        with transaction.atomic():  # all of it or nothing: a second run finds an empty database or a whole set
            shared = build_shared(lead_org, random.Random(args.seed), log)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
        generation_seconds = time.perf_counter() - started
        log(f"generated in {generation_seconds:.0f} s")
    elif not args.reuse:
        raise SystemExit("the database already holds a generated data set: pass --reuse to measure it")
    else:
        log("reusing the generated data set")
    summary = {
        "database": describe_database(), "vendor": connection.vendor, "scale": args.scale,
        "generation_seconds": generation_seconds,
        "members": shared.members.current().count(),
        "shared_engagements": SharedEngagement.objects.filter(shared=shared).count(),
        "pool": PoolPartner.objects.in_pool().filter(shared=shared).count(),
        "requests": PartnerRequest.objects.filter(partner__shared=shared).count(),
        "inputs_all": Input.objects.count(),
    }
    log("data: " + json.dumps({k: v for k, v in summary.items() if k not in ("database", "vendor")}))
    if args.no_measure:
        return
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    log(f"measuring {args.requests} requests per page after {args.warmup} warm-up requests; load average "
        f"{load:.1f} on {os.cpu_count()} CPUs")
    results = measure(shared, "bench-member-2", args.requests, args.warmup, log)
    results += measure(shared, "bench-hr-lead", args.requests, args.warmup, log)
    print()
    print(loop_scale.table(results, args.target))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**summary, "results": results}, indent=2, default=str))


if __name__ == "__main__":
    main()
