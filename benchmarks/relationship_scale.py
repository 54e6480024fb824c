#!/usr/bin/env python
"""Relationship-scale benchmark: the stakeholder portal, the load warning and the ratings trend at loop scale.

Builds on the loop-scale generator (benchmarks/loop_scale.py): 100,000 stakeholders, 10,000 engagements and
1,000,000 inputs with their decisions and feedback reports, generated exactly as loop_scale.py does. On top of
them it writes, in large batches (COPY on PostgreSQL, executemany on SQLite):

- affiliations: a fifth of the people belong to an organisation in the register (engagement load counts
  their requests towards it), and the busiest NGO has 150 people;
- 20,000 agreements in every state with their versions (terms checked with AgreementTerms.check(), the
  stakeholder's comments sealed under their own key as the model seals them) and the relationships' owners;
- eight rating rounds with 200,000 ratings (the last round open now), their invitations and counters, and
  the flags the rating rule (ratings.flag_reasons) raises;
- 100,000 payments in every state and currency, for engagements the payee took part in or under their
  agreement, and 1,000 grants with tranches;
- 30,000 old portal links (used, expired, revoked).

It then opens a real portal session (a handed-over link, followed and confirmed) for a busy NGO and for a
typical stakeholder and times every portal page the resolver's "portal" namespace has (GET), with the bytes
of the page plus the portal's stylesheet; then, signed in as a member of the human rights team, the
add-participant load warning (page, confirm step and API 409) and the ratings trend page. It prints
p50/p95/max, CPU p95 and the SQL queries per request.

    RIGHTSLOOP_VAR_DIR=/tmp/rel-scale python benchmarks/relationship_scale.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rl_bench_rel RIGHTSLOOP_VAR_DIR=/tmp/rel-scale-pg \\
        python benchmarks/relationship_scale.py
    python benchmarks/relationship_scale.py --scale 0.02          # a quick run

The database must be empty (the script migrates it), unless --reuse is given, which measures the data a
previous run left; --analyze runs ANALYZE on SQLite first (PostgreSQL is analysed after loading). Tables
and indexes of models whose migration is not written yet are created from the models. See
docs/performance.md.
"""

from __future__ import annotations

import datetime
import gc
import gzip
import json
import logging
import math
import os
import random
import re
import statistics
import sys
import time
import uuid
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_scale  # sets up Django for the checkout this file lives in
from django.apps import apps
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from loop_scale import BulkWriter, Generator, describe_database

from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.models import ApiToken, Membership, User
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import mark_verified
from rightsloop.core.models import Organisation
from rightsloop.engagements.models import Engagement, FeedbackReport, Input, Participation
from rightsloop.portal.links import mint
from rightsloop.portal.models import LinkChannel, PortalLink
from rightsloop.relationships.agreements import AgreementTerms
from rightsloop.relationships.models import (
    DIMENSIONS,
    Agreement,
    AgreementState,
    AgreementVersion,
    Answer,
    AnswerVia,
    BriefingTopic,
    Rating,
    RatingFlag,
    RatingInvitation,
    RatingRound,
    RatingTally,
    Relationship,
    TheyMay,
    WeMay,
)
from rightsloop.relationships.ratings import flag_reasons, rebuild_tallies
from rightsloop.resourcing import currencies
from rightsloop.resourcing.models import Basis, Grant, Payment, PaymentKind, PaymentState, Tranche, TrancheState
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.vocabulary import EntityType, Kind, SafetyLevel

ORG_SLUG = "relationship-scale"
loop_scale.ORG_SLUG = ORG_SLUG  # the loop-scale generator creates its organisation under this slug
DAY = datetime.timedelta(days=1)
PORTAL_TARGET_MS, PORTAL_TARGET_BYTES = 100.0, 50 * 1024
LOAD_TARGET_MS, TREND_TARGET_MS = 50.0, 150.0

# The currency a stakeholder is paid in, by country; anyone else in US dollars or euros.
CURRENCY = {
    "KE": "KES", "NG": "NGN", "ZA": "ZAR", "EG": "EGP", "ET": "ETB", "GH": "GHS", "UG": "UGX", "TZ": "TZS",
    "IN": "INR", "PK": "PKR", "BD": "BDT", "ID": "IDR", "PH": "PHP", "BR": "BRL", "MX": "MXN", "CO": "COP",
    "AR": "ARS", "GB": "GBP", "US": "USD", "CA": "CAD", "JP": "JPY", "CH": "CHF", "TR": "TRY", "UA": "UAH",
    "DE": "EUR", "FR": "EUR", "ES": "EUR", "IT": "EUR", "NL": "EUR", "IE": "EUR", "BE": "EUR",
}
FUNDERS = ["Human rights programme", "Digital inclusion fund", "Civic space fund", "Trust and safety research"]
NDA_SCOPES = ["Unreleased product plans shared in advisory sessions",
              "Draft transparency report figures before publication",
              "Internal risk assessments of market entries"]
COMMENTS = ["Please add a clause on how our staff are protected when we are named.",
            "We need the feedback within 30 days, not 60.",
            "We cannot sign an NDA without a sunset date.",
            "The sessions felt rushed; please share the material a week before.",
            "Our input changed the retention policy, thank you.",
            "We do not see what became of what we said last time."]
END_REASONS = ["The organisation closed its programme on platform accountability.",
               "Both sides agreed the relationship continues without a written agreement."]


# ---------------------------------------------------------------------------
# Schema for models whose migration the lead has not written yet
# ---------------------------------------------------------------------------

def ensure_schema(log) -> None:
    """Create the tables, columns, indexes and constraints the models declare and the migrations lack.

    A no-op once the migrations exist; run on the empty database, before anything is generated.
    """
    existing = set(connection.introspection.table_names())
    created = []
    with connection.schema_editor() as editor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if not meta.managed or meta.proxy:
                continue
            if meta.db_table not in existing:
                editor.create_model(model)
                existing.add(meta.db_table)
                created.append(meta.db_table)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, meta.db_table)}
                present = set(connection.introspection.get_constraints(cursor, meta.db_table))
            for field in meta.local_fields:
                if field.column and field.column not in columns:
                    editor.add_field(model, field)
                    created.append(f"{meta.db_table}.{field.column}")
            for index in meta.indexes:
                if index.name not in present:
                    editor.add_index(model, index)
                    created.append(index.name)
            for constraint in meta.constraints:
                if constraint.name not in present:
                    editor.add_constraint(model, constraint)
                    created.append(constraint.name)
    if created:
        log(f"created from the models (no migration yet): {', '.join(created)}")


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

class RelationshipGenerator:
    """Writes affiliations, agreements, ratings, payments and portal links on top of a loop-scale organisation,
    with the rules the actions apply."""

    def __init__(self, base: Generator, scale: float, log):
        self.base = base
        self.rng = random.Random(base.rng.random())
        self.log = log
        self.organisation = base.organisation
        self.org = base.organisation.pk
        self.n_agreements = max(100, round(20_000 * scale))
        self.n_ratings = max(1_000, round(200_000 * scale))
        self.n_payments = max(500, round(100_000 * scale))
        self.n_grants = max(10, round(1_000 * scale))
        self.n_links = max(100, round(30_000 * scale))
        self.now = timezone.now().replace(tzinfo=None)  # naive UTC, as stored
        self.today = timezone.localdate()
        self.counts: dict[str, int] = {}
        self.owners = [base.users["bench-hr-lead"], base.users["bench-hr-2"]]

    def person(self, pk: int):
        return self.base.people[pk - 1]

    def generate(self) -> None:
        self.read_register()
        with transaction.atomic():
            self.affiliations()
        with transaction.atomic():
            self.agreements()
        with transaction.atomic():
            self.ratings()
        with transaction.atomic():
            self.payments()
            self.portal_links()

    # -- what the loop-scale set holds ------------------------------------------

    def read_register(self) -> None:
        self.info = {pk: (entity, kind, safety, country, region, south) for pk, entity, kind, safety, country, region,
                     south in Stakeholder.objects.for_organisation(self.org).order_by("pk").values_list(
                         "pk", "entity_type", "kind", "safety_level", "country", "region_code", "global_south")}
        speaker = Participation._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT p.stakeholder_id, COUNT(*) FROM {Input._meta.db_table} i "  # noqa: S608
                           f"JOIN {speaker} p ON p.id = i.speaker_id GROUP BY p.stakeholder_id "
                           "ORDER BY p.stakeholder_id")
            self.inputs_of = dict(cursor.fetchall())
        # Every read in a fixed order, so that both databases get the same rows from the same seed.
        self.participations = list(Participation.objects.filter(engagement__organisation_id=self.org).order_by("pk")
                                   .values_list("stakeholder_id", "engagement_id", "engagement__starts_on"))
        self.organisations = [pk for pk, row in self.info.items() if row[0] == EntityType.ORGANISATION]
        self.busy = busiest_ngo(self.organisation)
        self.log(f"  busy NGO: stakeholder {self.busy} with {self.inputs_of.get(self.busy, 0)} inputs")

    def affiliations(self) -> None:
        """A fifth of the people belong to an organisation; a few organisations are large, the busy NGO has 150."""
        rng = self.rng
        people = [pk for pk, row in self.info.items() if row[0] == EntityType.PERSON]
        rng.shuffle(people)
        others = [pk for pk in self.organisations if pk != self.busy]
        weights = [rng.paretovariate(1.2) for _ in others]
        members = {self.busy: people[:150]}
        chosen = rng.choices(others, weights=weights, k=len(people) // 5)
        for pk, org in zip(people[150:150 + len(chosen)], chosen, strict=True):
            members.setdefault(org, []).append(pk)
        rows = [(org, pk) for org, pks in members.items() for pk in pks]
        table = connection.ops.quote_name(Stakeholder._meta.db_table)
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET affiliation_id = %s WHERE id = %s", rows)  # noqa: S608
        self.affiliated = {pk: org for org, pk in rows}
        self.counts["affiliations"] = len(rows)
        self.log(f"  {len(rows)} affiliations ({len(members)} organisations, the largest "
                 f"{max(len(v) for k, v in members.items() if k != self.busy)} besides the busy NGO's 150)")

    # -- agreements ------------------------------------------------------------

    def terms(self, starts: datetime.date, *, nda: bool, sunset_passed: bool) -> dict:
        rng = self.rng
        terms = AgreementTerms(
            starts_on=starts, review_on=starts + datetime.timedelta(days=rng.choice((180, 365, 365, 540))),
            engagements_expected=rng.randint(1, 12),
            engagement_kinds=rng.sample(["interview", "workshop", "advisory_council", "survey"], rng.randint(1, 3)),
            indicative_months=sorted(rng.sample(range(1, 13), rng.randint(0, 4))),
            briefing_topics=rng.sample(list(BriefingTopic.values), rng.randint(1, 4)),
            briefing_notes="Quarterly briefing on the salient risks of new markets." if rng.random() < 0.5 else "",
            feedback_within_days=rng.choice((None, 30, 45, 60)),
            loop_closure_notes="A written report on what became of each point, in the stakeholder's language.",
            our_handling="Names and identifying details are kept sealed; never shared outside the team.",
            their_handling="Material marked confidential stays within the organisation's staff.",
            we_may={code: rng.random() < 0.6 for code in rng.sample(list(WeMay.values), rng.randint(1, 4))},
            they_may={code: rng.random() < 0.7 for code in rng.sample(list(TheyMay.values), rng.randint(1, 4))},
            attribution_notes="" if rng.random() < 0.7 else "Quotes are checked with them before publication.",
            nda_scope=rng.choice(NDA_SCOPES) if nda else "",
            nda_sunset_on=((self.today - datetime.timedelta(days=rng.randint(1, 200))) if sunset_passed
                           else starts + datetime.timedelta(days=rng.randint(200, 900))) if nda else None,
            compensation_terms="Compensation for time at the organisation's day rate." if rng.random() < 0.5 else "",
        )
        if nda and terms.nda_sunset_on <= starts:
            terms.nda_sunset_on = starts + DAY
        terms.check()  # the same rules as the actions: a version that breaks one is never written
        return terms.values()

    def agreements(self) -> None:
        rng = self.rng
        org = self.org
        writers = {
            "agreement": BulkWriter(Agreement, [
                "id", "organisation", "stakeholder", "uid", "state", "current_version", "accepted_version",
                "ended_on", "end_reason", "created_by", "created_at", "updated_at"]),
            "version": BulkWriter(AgreementVersion, [
                "id", "agreement", "uid", "number", *AgreementTerms.__dataclass_fields__, "created_by",
                "created_at", "proposed_at", "answer", "answered_at", "answered_via", "answer_recorded_by",
                "comment_sealed"]),
            "relationship": BulkWriter(Relationship, ["id", "organisation", "stakeholder", "owner", "created_at",
                                                      "updated_at"]),
        }
        # Who has agreements: organisations and experts mostly, the ones who said most more often.
        candidates = [pk for pk, row in self.info.items() if pk != self.busy and (
            row[0] == EntityType.ORGANISATION or row[1] in (Kind.EXPERT, Kind.PROXY))]
        weights = [1 + self.inputs_of.get(pk, 0) for pk in candidates]
        holders = [self.busy]
        seen = {self.busy}
        while len(holders) < round(self.n_agreements * 0.9):
            for pk in rng.choices(candidates, weights=weights, k=self.n_agreements):
                if pk not in seen and len(holders) < round(self.n_agreements * 0.9):
                    seen.add(pk)
                    holders.append(pk)
        # Ten per cent more: an earlier agreement that ended, for some of the same stakeholders.
        earlier = rng.sample(holders[1:], self.n_agreements - len(holders))
        states = [(AgreementState.DRAFTED, 8), (AgreementState.PROPOSED, 12), (AgreementState.ACCEPTED, 4),
                  (AgreementState.DECLINED, 5), (AgreementState.CHANGES_REQUESTED, 5), (AgreementState.IN_FORCE, 50),
                  (AgreementState.UNDER_REVIEW, 8), (AgreementState.ENDED, 8)]
        table = loop_scale.weighted(states)
        self.agreement_of: dict[int, int] = {}
        label = AgreementVersion._meta.label_lower
        ids = {"agreement": 0, "version": 0}

        def version(agreement_id, number, terms, created, *, proposed=None, answer="", answered=None, comment="",
                    stakeholder=None):
            ids["version"] += 1
            uid = self.base.new_uid()
            via = rng.choice(list(AnswerVia.values)) if answer else ""
            writers["version"].add((
                ids["version"], agreement_id, uid, number, *terms.values(), rng.choice(self.owners), created,
                proposed, answer, answered, via, None if via in ("", AnswerVia.PORTAL) else rng.choice(self.owners),
                Generator.seal(self.person(stakeholder).key, label, "comment", uid, comment),
            ))
            return ids["version"]

        def agreement(stakeholder, state, *, versions_before=0):
            ids["agreement"] += 1
            aid = ids["agreement"]
            created = self.now - datetime.timedelta(days=rng.randint(60, 1000))
            moment = created
            accepted = None
            number = 0
            starts = (created + datetime.timedelta(days=rng.randint(7, 30))).date()
            nda = rng.random() < 0.3
            # Earlier versions, each accepted in its time (a revision needs a new acceptance).
            for _n in range(versions_before):
                number += 1
                terms = self.terms(starts, nda=nda, sunset_passed=False)
                proposed = moment + DAY
                moment = proposed + datetime.timedelta(days=rng.randint(3, 30))
                accepted = version(aid, number, terms, created, proposed=proposed, answer=Answer.ACCEPTED,
                                   answered=moment, stakeholder=stakeholder)
                moment += datetime.timedelta(days=rng.randint(60, 200))
                moment = min(moment, self.now - 10 * DAY)
            number += 1
            if state == AgreementState.ACCEPTED:
                starts = self.today + datetime.timedelta(days=rng.randint(3, 60))
            terms = self.terms(starts, nda=nda, sunset_passed=nda and state == AgreementState.IN_FORCE
                               and rng.random() < 0.2)
            proposed = answered = None
            answer = comment = ""
            if state != AgreementState.DRAFTED:
                proposed = min(moment + DAY, self.now - 5 * DAY)
            if state in (AgreementState.ACCEPTED, AgreementState.IN_FORCE, AgreementState.UNDER_REVIEW,
                         AgreementState.ENDED, AgreementState.DECLINED, AgreementState.CHANGES_REQUESTED):
                answered = proposed + datetime.timedelta(days=rng.randint(1, 4))
                answer = {AgreementState.DECLINED: Answer.DECLINED,
                          AgreementState.CHANGES_REQUESTED: Answer.CHANGES_REQUESTED}.get(state, Answer.ACCEPTED)
                if answer == Answer.CHANGES_REQUESTED or rng.random() < 0.2:
                    comment = rng.choice(COMMENTS)
            current = version(aid, number, terms, moment, proposed=proposed, answer=answer, answered=answered,
                              comment=comment, stakeholder=stakeholder)
            if answer == Answer.ACCEPTED:
                accepted = current
            ended = state == AgreementState.ENDED
            updated = max(filter(None, [created, proposed, answered]))
            writers["agreement"].add((
                aid, org, stakeholder, self.base.new_uid(), state, current, accepted,
                (updated + DAY).date() if ended else None, rng.choice(END_REASONS) if ended else "",
                rng.choice(self.owners), created, updated,
            ))
            return aid

        for pk in holders:
            if pk == self.busy:
                # The busy NGO: an agreement in force for two versions, and a third proposed to them now.
                aid = agreement(pk, AgreementState.PROPOSED, versions_before=2)
            else:
                state = loop_scale.pick(rng, table)
                before = 0
                if state in (AgreementState.PROPOSED, AgreementState.DRAFTED) and rng.random() < 0.3:
                    before = rng.randint(1, 2)  # a revision of terms accepted earlier
                elif state in (AgreementState.IN_FORCE, AgreementState.UNDER_REVIEW) and rng.random() < 0.2:
                    before = 1
                aid = agreement(pk, state, versions_before=before)
            if pk not in self.agreement_of:
                self.agreement_of[pk] = aid
        for pk in earlier:
            agreement(pk, AgreementState.ENDED)
        # Flush agreements before versions is not needed: constraints are checked at commit.
        for n, pk in enumerate(holders, start=1):
            owner = None if rng.random() < 0.1 else rng.choice(self.owners)
            writers["relationship"].add((n, org, pk, owner, self.now, self.now))
        for writer in writers.values():
            writer.flush()
        self.counts.update(agreements=writers["agreement"].written, agreement_versions=writers["version"].written,
                           relationships=writers["relationship"].written)
        self.log(f"  {writers['agreement'].written} agreements, {writers['version'].written} versions, "
                 f"{writers['relationship'].written} relationships")

    # -- ratings ----------------------------------------------------------------

    def ratings(self) -> None:
        rng = self.rng
        org = self.org
        n_rounds = 8
        per_round = self.n_ratings // n_rounds
        invited_per_round = round(per_round / 0.78)
        # The panel: everyone with an agreement, then the people who said most, up to 1.4 rounds' worth.
        panel = list(self.agreement_of)
        chosen = set(panel)
        for pk in sorted(self.inputs_of, key=lambda pk: (-self.inputs_of[pk], pk)):
            if len(panel) >= round(invited_per_round * 1.4):
                break
            if pk not in chosen and self.info[pk][2] != SafetyLevel.HIGH:
                chosen.add(pk)
                panel.append(pk)
        # How each of them feels, sticky from round to round.
        feel = {pk: {name: min(5, max(1, round(rng.gauss(3.8, 0.7)))) for name in DIMENSIONS} for pk in panel}
        writers = {
            "round": BulkWriter(RatingRound, ["id", "organisation", "title", "opens_on", "closes_on", "chosen_by",
                                              "closed_at", "invited_count", "answered_count", "created_by",
                                              "created_at"]),
            "invitation": BulkWriter(RatingInvitation, ["id", "organisation", "round", "stakeholder", "answered"]),
            "rating": BulkWriter(Rating, ["id", "uid", "organisation", "round", "stakeholder", *DIMENSIONS,
                                          "comment_sealed", "language", "kind", "region_code", "global_south",
                                          "recorded_by", "answered_at", "updated_at"]),
            "flag": BulkWriter(RatingFlag, ["id", "organisation", "rating", "stakeholder", "reason", "dimensions",
                                            "created_at", "notified_at", "seen_at", "seen_by"]),
        }
        label = Rating._meta.label_lower
        previous: dict[int, SimpleNamespace] = {}
        ids = defaultdict(int)
        remaining = self.n_ratings
        self.open_round = None
        for r in range(n_rounds):
            last = r == n_rounds - 1
            opens = self.today - datetime.timedelta(days=90 * (n_rounds - 1 - r) + (10 if last else 0))
            closes = opens + datetime.timedelta(days=30)
            rid = r + 1
            invited = [self.busy, *rng.sample([pk for pk in panel if pk != self.busy], invited_per_round - 1)]
            answering = per_round if not last else remaining
            # The busy NGO answers most rounds, but not yet the open one (its form waits in the portal).
            busy_answers = not last and r % 3 != 2
            answered = set(rng.sample(invited[1:], answering - busy_answers)) | ({self.busy} if busy_answers else set())
            remaining -= len(answered)
            writers["round"].add((rid, org, f"Relationship check {opens.year} Q{(opens.month - 1) // 3 + 1}",
                                  opens, closes, {"named": len(invited), "kind": "", "region": "",
                                                  "global_south": None, "language": ""},
                                  None, len(invited), len(answered), self.owners[0],
                                  datetime.datetime.combine(opens, datetime.time(9)) - 3 * DAY))
            if last:
                self.open_round = rid
            for pk in invited:
                ids["invitation"] += 1
                writers["invitation"].add((ids["invitation"], org, rid, pk, pk in answered))
            opened_at = datetime.datetime.combine(opens, datetime.time(9))
            until = min(datetime.datetime.combine(closes, datetime.time(18)), self.now - datetime.timedelta(hours=1))
            for pk in sorted(answered):
                scores = feel[pk]
                for name in DIMENSIONS:
                    if rng.random() < 0.12:
                        scores[name] = min(5, max(1, scores[name] + rng.choice((-1, 1))))
                ids["rating"] += 1
                uid = self.base.new_uid()
                at = self.base.rand_time(opened_at, until)
                comment = rng.choice(COMMENTS) if rng.random() < 0.2 else ""
                _entity, kind, _safety, _country, region, south = self.info[pk]
                person = self.person(pk)
                rating = SimpleNamespace(**scores)
                writers["rating"].add((
                    ids["rating"], uid, org, rid, pk, *(scores[name] for name in DIMENSIONS),
                    Generator.seal(person.key, label, "comment", uid, comment),
                    person.report_language if rng.random() < 0.9 else "", kind, region, south,
                    rng.choice(self.owners) if rng.random() < 0.1 else None, at, at,
                ))
                reason, dimensions = flag_reasons(rating, previous.get(pk))
                if reason:
                    ids["flag"] += 1
                    seen = not last and rng.random() < 0.9
                    writers["flag"].add((ids["flag"], org, ids["rating"], pk, reason, dimensions, at,
                                         at + datetime.timedelta(minutes=5),
                                         at + datetime.timedelta(days=rng.randint(1, 20)) if seen else None,
                                         rng.choice(self.owners) if seen else None))
                previous[pk] = SimpleNamespace(**scores)
        for key in ("round", "invitation", "rating", "flag"):
            writers[key].flush()
        # The running tallies the trend page reads, counted as the actions' own recount does.
        tallies = rebuild_tallies(organisation=self.organisation)
        self.counts["rating_tallies"] = tallies
        self.counts.update(rating_rounds=writers["round"].written, rating_invitations=writers["invitation"].written,
                           ratings=writers["rating"].written, rating_flags=writers["flag"].written)
        self.log(f"  {writers['round'].written} rounds, {writers['invitation'].written} invitations, "
                 f"{writers['rating'].written} ratings, {writers['flag'].written} flags, {tallies} tallies")

    # -- payments ----------------------------------------------------------------

    def payments(self) -> None:
        rng = self.rng
        org = self.org
        writer = BulkWriter(Payment, [
            "id", "organisation", "stakeholder", "kind", "engagement", "agreement", "amount", "currency", "basis",
            "quantity", "description", "offered_on", "state", "answered_at", "approved_by", "approved_at", "paid_on",
            "payment_reference", "cancelled_at", "created_by", "created_at", "updated_at"])
        # Payments go with taking part: organisations and experts are paid more often than affected people.
        weight_of = {Kind.EXPERT: 4.0, Kind.PROXY: 3.0, Kind.OTHER: 1.0, Kind.AFFECTED: 0.4}
        weights = [weight_of.get(self.info[pk][1], 1.0) * (2.0 if self.info[pk][0] == EntityType.ORGANISATION
                                                            else 1.0)
                   for pk, _e, _s in self.participations]
        states = loop_scale.weighted([(PaymentState.OFFERED, 6), (PaymentState.ACCEPTED, 6),
                                      (PaymentState.DECLINED, 5), (PaymentState.APPROVED, 8),
                                      (PaymentState.PAID, 70), (PaymentState.CANCELLED, 5)])
        picked = rng.choices(range(len(self.participations)), weights=weights, k=self.n_payments)
        for pid, index in enumerate(picked, start=1):
            stakeholder, engagement, starts = self.participations[index]
            kind = rng.choices([PaymentKind.COMPENSATION, PaymentKind.HONORARIUM, PaymentKind.EXPENSES],
                               (60, 25, 15))[0]
            basis = rng.choice([Basis.HOURS, Basis.DAYS, Basis.FLAT]) if kind == PaymentKind.COMPENSATION \
                else Basis.FLAT
            quantity = Decimal(rng.randint(1, 40 if basis == Basis.HOURS else 5)) if basis != Basis.FLAT else None
            currency = CURRENCY.get(self.info[stakeholder][3]) or rng.choice(("USD", "EUR"))
            assert currencies.is_currency(currency)
            amount = Decimal(rng.randint(2_000, 200_000)) / 100
            if currency in ("JPY", "IDR", "COP", "UGX", "TZS", "NGN", "KES", "PKR", "INR", "BDT", "ARS"):
                amount = (amount * 100).quantize(Decimal("0.01"))
            agreement = self.agreement_of.get(stakeholder) if kind == PaymentKind.COMPENSATION and \
                rng.random() < 0.3 else None
            offered = min(starts + datetime.timedelta(days=rng.randint(-10, 30)), self.today)
            created = datetime.datetime.combine(offered, datetime.time(10))
            state = loop_scale.pick(rng, states)
            if offered > self.today - datetime.timedelta(days=20) and state == PaymentState.PAID:
                state = PaymentState.APPROVED
            answered = approved = paid = cancelled = None
            reference = ""
            if state != PaymentState.OFFERED:
                answered = created + datetime.timedelta(days=rng.randint(1, 5))
            if state == PaymentState.CANCELLED:
                cancelled = answered + DAY
                answered = None if rng.random() < 0.5 else answered
            if state in (PaymentState.APPROVED, PaymentState.PAID):
                approved = answered + datetime.timedelta(days=rng.randint(1, 5))
            if state == PaymentState.PAID:
                paid = min((approved + datetime.timedelta(days=rng.randint(1, 15))).date(), self.today)
                reference = f"FIN-{paid.year}-{pid:07d}"
            updated = max(filter(None, [created, answered, approved, cancelled]))
            writer.add((
                pid, org, stakeholder, kind, None if agreement else engagement, agreement, amount, currency, basis,
                quantity, "Time for the engagement and its preparation." if kind == PaymentKind.COMPENSATION else "",
                offered, state, answered, rng.choice(self.owners) if approved else None, approved, paid, reference,
                cancelled, rng.choice(self.owners), created, updated,
            ))
        writer.flush()
        grants = BulkWriter(Grant, ["id", "organisation", "grantee", "funder", "purpose", "currency", "state",
                                    "offered_on", "answered_at", "approved_by", "approved_at", "cancelled_at",
                                    "created_by", "created_at", "updated_at"])
        tranches = BulkWriter(Tranche, ["id", "grant", "due_on", "amount", "state", "approved_by", "approved_at",
                                        "paid_on", "payment_reference", "cancelled_at"])
        grantees = [self.busy, *rng.sample([pk for pk in self.organisations if pk != self.busy], self.n_grants - 1)]
        tid = 0
        for gid, grantee in enumerate(grantees, start=1):
            offered = self.today - datetime.timedelta(days=rng.randint(20, 900))
            created = datetime.datetime.combine(offered, datetime.time(10))
            state = rng.choices([PaymentState.OFFERED, PaymentState.ACCEPTED, PaymentState.DECLINED,
                                 PaymentState.APPROVED, PaymentState.CANCELLED], (5, 5, 5, 80, 5))[0]
            if grantee == self.busy:
                state = PaymentState.APPROVED
            answered = created + 3 * DAY if state != PaymentState.OFFERED else None
            approved = answered + 5 * DAY if state == PaymentState.APPROVED else None
            cancelled = answered + 6 * DAY if state == PaymentState.CANCELLED else None
            currency = CURRENCY.get(self.info[grantee][3]) or "USD"
            grants.add((gid, org, grantee, rng.choice(FUNDERS), "Core support for community consultations",
                        currency, state, offered, answered, self.owners[0] if approved else None, approved, cancelled,
                        self.owners[0], created, max(filter(None, [created, answered, approved, cancelled]))))
            for n in range(rng.randint(1, 4)):
                tid += 1
                due = offered + datetime.timedelta(days=90 * (n + 1))
                t_state = TrancheState.PLANNED
                if state == PaymentState.APPROVED:
                    t_state = TrancheState.PAID if due <= self.today else TrancheState.APPROVED if \
                        due <= self.today + datetime.timedelta(days=60) else TrancheState.PLANNED
                elif state == PaymentState.CANCELLED:
                    t_state = TrancheState.CANCELLED
                at = datetime.datetime.combine(min(due, self.today), datetime.time(9))
                tranches.add((tid, gid, due, Decimal(rng.randint(500, 5000)) * 10, t_state,
                              self.owners[0] if t_state in (TrancheState.APPROVED, TrancheState.PAID) else None,
                              at if t_state in (TrancheState.APPROVED, TrancheState.PAID) else None,
                              min(due, self.today) if t_state == TrancheState.PAID else None,
                              f"GR-{gid:05d}-{n + 1}" if t_state == TrancheState.PAID else "",
                              cancelled if t_state == TrancheState.CANCELLED else None))
        grants.flush()
        tranches.flush()
        self.counts.update(payments=writer.written, resourcing_grants=grants.written, tranches=tranches.written)
        self.log(f"  {writer.written} payments, {grants.written} grants, {tranches.written} tranches")

    def portal_links(self) -> None:
        """Old links: used, expired or revoked (only their digests are ever stored)."""
        rng = self.rng
        writer = BulkWriter(PortalLink, ["id", "organisation", "stakeholder", "token_digest", "channel", "issued_by",
                                         "issued_at", "expires_at", "used_at", "revoked_at", "revoked_by", "sent_at",
                                         "failure"])
        people = list(self.agreement_of)
        for lid in range(1, self.n_links + 1):
            issued = self.now - datetime.timedelta(days=rng.randint(8, 700), minutes=rng.randint(0, 1440))
            channel = LinkChannel.EMAIL if rng.random() < 0.7 else LinkChannel.HANDED_OVER
            roll = rng.random()
            used = issued + datetime.timedelta(hours=rng.randint(1, 100)) if roll < 0.6 else None
            revoked = issued + DAY if 0.6 <= roll < 0.65 else None
            writer.add((lid, self.org, rng.choice(people), uuid.UUID(int=rng.getrandbits(128)).hex * 2, channel,
                        None if channel == LinkChannel.EMAIL else rng.choice(self.owners), issued, issued + 7 * DAY,
                        used, revoked, self.owners[0] if revoked else None,
                        issued if channel == LinkChannel.EMAIL else None, ""))
        writer.flush()
        self.counts["portal_links"] = writer.written

    def finish(self) -> None:
        if connection.vendor == "postgresql":
            statements = connection.ops.sequence_reset_sql(no_style(), [
                Stakeholder, Agreement, AgreementVersion, Relationship, RatingRound, RatingInvitation, Rating,
                RatingFlag, RatingTally, Payment, Grant, Tranche, PortalLink,
            ])
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def busiest_ngo(organisation: Organisation) -> int:
    """The busy NGO: the organisation (entity) at normal safety that said the most, as the speaker."""
    return (Input.objects.for_organisation(organisation)
            .filter(speaker__stakeholder__entity_type=EntityType.ORGANISATION,
                    speaker__stakeholder__safety_level=SafetyLevel.NORMAL)
            .values("speaker__stakeholder_id").annotate(n=Count("id")).order_by("-n", "speaker__stakeholder_id")
            .values_list("speaker__stakeholder_id", flat=True).first())


def verify(organisation: Organisation, log) -> None:
    """The counters and invariants the actions keep, checked against the rows."""
    problems = []
    for round in RatingRound.objects.for_organisation(organisation).annotate(
            n=Count("invitations"), a=Count("invitations", filter=Q(invitations__answered=True))):
        ratings = Rating.objects.filter(round=round).count()
        if (round.n, round.a, ratings) != (round.invited_count, round.answered_count, round.answered_count):
            problems.append(f"round {round.pk}: {round.n}/{round.a}/{ratings} rows, counters "
                            f"{round.invited_count}/{round.answered_count}")
    tallied = RatingTally.objects.filter(organisation=organisation).aggregate(n=Sum("answers"), t=Sum("trust"))
    counted = Rating.objects.filter(organisation=organisation).aggregate(n=Count("id"), t=Sum("trust"))
    if tallied != counted:
        problems.append(f"rating tallies {tallied} disagree with the ratings {counted}")
    open_twice = (Agreement.objects.for_organisation(organisation).open().values("stakeholder")
                  .annotate(n=Count("id")).filter(n__gt=1).count())
    if open_twice:
        problems.append(f"{open_twice} stakeholders with two open agreements")
    wrong_payee = Payment.objects.filter(organisation=organisation, agreement__isnull=False).exclude(
        agreement__stakeholder=F("stakeholder")).count()
    if wrong_payee:
        problems.append(f"{wrong_payee} payments under someone else's agreement")
    # A sample of sealed comments opens with the model's own key and label.
    for version in AgreementVersion.objects.exclude(comment_sealed=b"").select_related("agreement__stakeholder")[:20]:
        assert version.comment, version.pk
    for rating in Rating.objects.exclude(comment_sealed=b"").select_related("stakeholder")[:20]:
        assert rating.comment, rating.pk
    log(f"  consistency check: {len(problems)} problems" + "".join(f"\n    {p}" for p in problems))
    if problems:
        raise SystemExit("generated state is inconsistent with the actions' rules")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def portal_routes() -> list[tuple[str, str]]:
    """(name, route) of every URL in the portal namespace, from the resolver."""
    found = []

    def walk(resolver, prefix, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern) and namespace.startswith("portal:"):
                found.append((namespace + entry.name, prefix + str(entry.pattern)))

    walk(get_resolver(), "/", "")
    return found


# Portal routes that are not pages a stakeholder reads: form posts, a file download, the staff side.
NOT_PAGES = {
    "portal:language": "POST only (language form)", "portal:sign-out": "POST only",
    "portal:agreement:answer": "POST only", "portal:payments:answer": "POST only",
    "portal:payments:grant-answer": "POST only", "portal:details:consent-withdraw": "POST only",
    "portal:details:erasure": "POST only",
    "portal:engagements:briefing-file": "a file download (no briefing files in the data set)",
}


def stylesheet_bytes(html: str) -> tuple[int, int]:
    """Bytes of the stylesheets a page links (as collected for production), raw and gzipped."""
    raw = zipped = 0
    for href in re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        path = finders.find(href.removeprefix(settings.STATIC_URL))
        data = Path(path).read_bytes()
        raw += len(data)
        zipped += len(gzip.compress(data))
    return raw, zipped


def timed(run, requests: int, warmup: int) -> tuple[list[float], list[float], int]:
    """Wall-clock and CPU milliseconds of this process per run, and the SQL queries of one run. A page that
    takes seconds gets fewer runs (it misses its target either way, and 50 runs would take minutes)."""
    started = time.perf_counter()
    run()
    first = (time.perf_counter() - started) * 1000
    if first > 5000:
        requests, warmup = 2, 0
    elif first > 1000:
        requests, warmup = 10, 1
    for _n in range(warmup - 1):
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


def open_portal(stakeholder: Stakeholder) -> Client:
    """A client with a live portal session for the stakeholder, through the real door: a handed-over link,
    its confirmation page read and its button pressed."""
    client = Client(HTTP_HOST="localhost")
    _link, token = mint(stakeholder=stakeholder)
    url = reverse("portal:enter", args=[token])
    if client.get(url).status_code != 200:
        raise SystemExit("the portal link was refused")
    response = client.post(url)
    if response.status_code != 302 or response.url != reverse("portal:home"):
        raise SystemExit("the portal did not open")
    return client


def choose_people(organisation: Organisation) -> dict[str, Stakeholder]:
    """The busy NGO (the organisation at normal safety with the most inputs and the agreement with three
    versions) and a typical stakeholder: invited in the open round, with an agreement and payments, whose
    inputs are the median of such people."""
    busy = busiest_ngo(organisation)
    open_round = RatingRound.objects.for_organisation(organisation).order_by("-opens_on").first()
    invited = set(RatingInvitation.objects.filter(round=open_round).values_list("stakeholder_id", flat=True))
    paid = set(Payment.objects.filter(organisation=organisation).values_list("stakeholder_id", flat=True))
    with_agreement = set(Agreement.objects.for_organisation(organisation).open().filter(
        versions__proposed_at__isnull=False).values_list("stakeholder_id", flat=True))
    normal = set(Stakeholder.objects.for_organisation(organisation).filter(
        safety_level=SafetyLevel.NORMAL, affiliated_people__isnull=True).values_list("pk", flat=True))
    said = dict(Participation.objects.filter(stakeholder_id__in=invited & paid & with_agreement & normal)
                .values("stakeholder_id").annotate(n=Count("engagement_id", distinct=True))
                .values_list("stakeholder_id", "n"))
    inputs = {pk: Input.objects.filter(speaker__stakeholder_id=pk).count()
              for pk in sorted(said, key=lambda pk: (said[pk], pk))[len(said) // 2 - 10:len(said) // 2 + 10]}
    typical = sorted(inputs, key=lambda pk: (inputs[pk], pk))[len(inputs) // 2]
    return {"busy NGO": Stakeholder.objects.get(pk=busy), "typical": Stakeholder.objects.get(pk=typical)}


def describe(stakeholder: Stakeholder) -> dict:
    from rightsloop.engagements import load

    return {
        "id": stakeholder.pk, "entity": stakeholder.entity_type, "kind": stakeholder.kind,
        "inputs": Input.objects.filter(speaker__stakeholder=stakeholder).count(),
        "reports": FeedbackReport.objects.filter(participation__stakeholder=stakeholder).delivered().count(),
        "participations": Participation.objects.filter(stakeholder=stakeholder).count(),
        "affiliated_people": Stakeholder.objects.filter(affiliation=stakeholder).count(),
        "payments": Payment.objects.filter(stakeholder=stakeholder).count(),
        "grants": Grant.objects.filter(grantee=stakeholder).count(),
        "agreement_versions": AgreementVersion.objects.filter(agreement__stakeholder=stakeholder).count(),
        "ratings": Rating.objects.filter(stakeholder=stakeholder).count(),
        "load_90_365": load.counts(stakeholder),
    }


def portal_pages(stakeholder: Stakeholder, organisation: Organisation) -> tuple[list[tuple[str, str]], dict]:
    """(name, url) for every portal GET page this stakeholder can open; and why each other route is left out."""
    today = timezone.localdate()
    report = (FeedbackReport.objects.for_organisation(organisation).delivered()
              .filter(participation__stakeholder=stakeholder).order_by("-delivered_at", "-id").first())
    open_round = RatingRound.objects.open_on(today).filter(organisation=organisation,
                                                           invitations__stakeholder=stakeholder).first()
    args = {"portal:said:report": [report.pk] if report else None,
            "portal:ratings:answer": [open_round.pk] if open_round else None,
            "portal:ratings:thanks": [open_round.pk] if open_round else None}
    pages, skipped = [], {}
    for name, _route in portal_routes():
        if name.startswith("portal:staff:"):
            continue
        if name in NOT_PAGES:
            skipped[name] = NOT_PAGES[name]
        elif name == "portal:enter":
            pages.append((name, "enter"))  # a fresh link each time: read below
        elif name in args:
            if args[name] is None:
                skipped[name] = "nothing of this stakeholder's to show"
            else:
                pages.append((name, reverse(name, args=args[name])))
        else:
            pages.append((name, reverse(name)))
    return pages, skipped


def measure_portal(organisation, people, requests, warmup, log) -> list[dict]:
    results = []
    for who, stakeholder in people.items():
        client = open_portal(stakeholder)
        pages, skipped = portal_pages(stakeholder, organisation)
        for name, why in skipped.items():
            log(f"  {who}: {name} not measured: {why}")
        for name, url in pages:
            if name == "portal:enter":
                # The door: a link's confirmation page, read without a session (GET does not spend it).
                door = Client(HTTP_HOST="localhost")
                tokens = [mint(stakeholder=stakeholder)[1] for _n in range(requests + warmup + 1)]

                def get(door=door, tokens=tokens):
                    response = door.get(reverse("portal:enter", args=[tokens.pop()]))
                    if response.status_code != 200:
                        raise SystemExit(f"portal:enter answered {response.status_code}")
                    return response
                first = door.get(reverse("portal:enter", args=[mint(stakeholder=stakeholder)[1]]))
                url = "/portal/enter/<token>/"
            else:
                def get(url=url, client=client):
                    response = client.get(url)
                    if response.status_code != 200:
                        raise SystemExit(f"{url} answered {response.status_code}")
                    return response
                first = get()
            html = first.content
            css, css_zipped = stylesheet_bytes(html.decode())
            timings, cpu, queries = timed(get, requests, warmup)
            results.append({
                "group": "portal", "who": who, "page": f"{name} ({who})", "url": url, "queries": queries,
                "p50": statistics.median(timings), "p95": p95(timings), "max": timings[-1],
                "cpu_p95": p95(cpu), "runs": len(timings), "bytes": len(html) + css,
                "gzip_bytes": len(gzip.compress(html)) + css_zipped,
                "target_ms": PORTAL_TARGET_MS, "target_bytes": PORTAL_TARGET_BYTES,
            })
            r = results[-1]
            log(f"  {r['page']}: p95 {r['p95']:.1f} ms (CPU {r['cpu_p95']:.1f}), {queries} queries, "
                f"{r['bytes']} bytes ({r['gzip_bytes']} gzipped)")
    return results


def measure_staff(organisation, people, requests, warmup, log) -> list[dict]:
    user = User.objects.get(username="bench-hr-lead")
    membership = Membership.objects.get(user=user, organisation=organisation)
    assert membership.role == Role.HR_LEAD
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    mark_verified(client, user)  # past the second factor, as a real sign-in leaves the session
    token, raw = issue_api_token(membership=membership, name="relationship-scale benchmark", by=None)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
    today = timezone.localdate()
    cases = []
    for who, stakeholder in people.items():
        # An engagement still to come that the stakeholder is not in: where staff would invite them.
        engagement = (Engagement.objects.for_organisation(organisation).filter(starts_on__gt=today)
                      .exclude(participations__stakeholder=stakeholder).order_by("starts_on", "id").first())
        url = reverse("engagements:participant-add", args=[engagement.pk, stakeholder.pk])
        counts = describe(stakeholder)["load_90_365"]
        over = "warning" if counts[0] > 4 else "no warning"
        cases += [
            (f"add participant: page ({who}, {over})", "get", url, None, 200, LOAD_TARGET_MS),
            (f"add participant: unconfirmed post ({who}, {over})", "post", url,
             {"via_proxy": "", "override_reason": ""}, 400 if over == "warning" else None, LOAD_TARGET_MS),
            (f"add participant: API, unconfirmed ({who}, {over})", "api",
             f"/api/v1/engagements/{engagement.pk}/participants", {"stakeholder_id": stakeholder.pk},
             409 if over == "warning" else None, LOAD_TARGET_MS),
        ]
    busy = people["busy NGO"]
    cases += [
        ("ratings trend page", "get", reverse("relationships:ratings"), None, 200, TREND_TARGET_MS),
        ("ratings trend API", "apiget", "/api/v1/ratings/trend", None, 200, TREND_TARGET_MS),
        ("one stakeholder's ratings (busy NGO)", "get", reverse("relationships:stakeholder-ratings", args=[busy.pk]),
         None, 200, None),
        ("agreements list", "get", reverse("relationships:agreement-list"), None, 200, None),
        ("payments ledger", "get", reverse("resourcing:ledger"), None, 200, None),
        ("payment totals", "get", reverse("resourcing:totals"), None, 200, None),
        ("most solicited stakeholders", "get", reverse("engagements:load-most-solicited"), None, 200, None),
    ]
    results = []
    for label, method, url, data, status, target in cases:
        if status is None:
            log(f"  {label}: skipped (the stakeholder is not over the threshold, so nothing to warn about)")
            continue

        def run(method=method, url=url, data=data, status=status):
            if method == "get":
                response = client.get(url)
            elif method == "post":
                response = client.post(url, data)
            elif method == "api":
                response = api.post(url, data=json.dumps(data), content_type="application/json")
            else:
                response = api.get(url)
            if response.status_code != status:
                raise SystemExit(f"{url} answered {response.status_code}, expected {status}: "
                                 f"{response.content[:300]!r}")
            return response

        first = run()
        timings, cpu, queries = timed(run, requests, warmup)
        results.append({"group": "staff", "page": label, "url": url, "queries": queries,
                        "p50": statistics.median(timings), "p95": p95(timings), "max": timings[-1],
                        "cpu_p95": p95(cpu), "runs": len(timings), "bytes": len(first.content),
                        "target_ms": target})
        log(f"  {label}: p95 {results[-1]['p95']:.1f} ms (CPU {results[-1]['cpu_p95']:.1f}), {queries} queries")
    # The warning on its own, without the page around it: the check add_participant runs before every
    # invitation, and the load with who asked that the warning shows.
    from rightsloop.accounts.viewer import Viewer
    from rightsloop.engagements import load
    from rightsloop.stakeholders.queries import hidden_from

    viewer = Viewer.from_membership(Membership.objects.select_related("organisation", "user").get(pk=membership.pk))
    for who, stakeholder in people.items():
        for label, call in (
                (f"load.load_of, counts only ({who})",
                 lambda s=stakeholder: load.load_of(s, leave_out=hidden_from(viewer), with_requests=False)),
                (f"load.load_of with who asked ({who})",
                 lambda s=stakeholder: load.load_of(s, leave_out=hidden_from(viewer)))):
            timings, cpu, queries = timed(call, requests, warmup)
            results.append({"group": "calls", "page": label, "url": "", "queries": queries,
                            "p50": statistics.median(timings), "p95": p95(timings), "max": timings[-1],
                            "cpu_p95": p95(cpu), "runs": len(timings), "bytes": 0, "target_ms": None})
            log(f"  {label}: p95 {results[-1]['p95']:.1f} ms (CPU {results[-1]['cpu_p95']:.1f}), {queries} queries")
    ApiToken.objects.filter(pk=token.pk).delete()
    return results


def verdict(r: dict) -> str:
    target = r.get("target_ms")
    if target is None:
        return "-"
    fast = r["p95"] < target
    small = r.get("target_bytes") is None or r["bytes"] < r["target_bytes"]
    if fast and small:
        return "ok"
    if not small:
        return "TOO BIG"
    return "cpu ok" if r["cpu_p95"] < target else "MISS"


def table(results: list[dict]) -> str:
    lines = [f"| {'page':<62} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} | {'CPU p95':>7} | {'queries':>7} "
             f"| {'runs':>4} | {'bytes':>8} | {'target':>7} | verdict |",
             f"|{'-' * 64}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 6}|{'-' * 10}|{'-' * 9}|---------|"]
    for r in results:
        target = f"{r['target_ms']:.0f} ms" if r.get("target_ms") else "-"
        lines.append(f"| {r['page']:<62} | {r['p50']:>7.1f} | {r['p95']:>7.1f} | {r['max']:>7.1f} | "
                     f"{r['cpu_p95']:>7.1f} | {r['queries']:>7} | {r['runs']:>4} | {r['bytes']:>8} | {target:>7} | "
                     f"{verdict(r):<7} |")
    return "\n".join(lines)


def main() -> None:
    # The 400 and 409 answers measured are expected: no warning line for each of them.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    parser = loop_scale.benchmark_arguments(
        __doc__, scale_help="1.0 = loop scale (100k stakeholders, 1M inputs) + 20k agreements, 200k ratings, "
                            "100k payments", seed=20261207)
    parser.add_argument("--analyze", action="store_true",
                        help="SQLite: run ANALYZE before measuring (PostgreSQL is always analysed after loading)")
    args = parser.parse_args()
    log = loop_scale.log
    try:
        loop_scale.prepare_database(log)
    except DatabaseError as error:
        # A data set generated before the migrations existed: ensure_schema made their tables then.
        if not args.reuse:
            raise
        log(f"migrate failed ({error}): marking the migrations applied (--fake), then adding what is missing")
        call_command("migrate", fake=True, interactive=False, verbosity=0)
    ensure_schema(log)  # whatever the models declare and no migration created yet (a no-op once they do)

    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    generation_seconds = None
    counts = {}
    if organisation is None:
        if Organisation.objects.exists() or Stakeholder.objects.exists():
            raise SystemExit("the database holds other data: point DATABASE_URL at an empty database")
        base = Generator(args.scale, args.seed, log)
        log(f"generating at scale {args.scale}: {base.n_stakeholders} stakeholders, {base.n_engagements} "
            f"engagements, {base.n_inputs} inputs (loop-scale generator), then relationships")
        started = time.perf_counter()
        base.setup_organisation()
        base.generate_stakeholders()
        base.generate_engagements(base.plan_engagements())
        base.finish()
        log(f"  people and inputs done in {time.perf_counter() - started:.0f} s")
        generator = RelationshipGenerator(base, args.scale, log)
        generator.generate()
        generator.finish()
        generation_seconds = time.perf_counter() - started
        counts = {**base.counts, **generator.counts}
        log(f"generated in {generation_seconds:.0f} s: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        organisation = generator.organisation
        del generator, base
        gc.collect()
        verify(organisation, log)
    elif not args.reuse:
        raise SystemExit("the database already holds a generated data set: pass --reuse to measure it")
    else:
        log("reusing the generated data set")

    people = choose_people(organisation)
    summary = {
        "database": describe_database(), "vendor": connection.vendor, "scale": args.scale,
        "generation_seconds": generation_seconds, "counts": counts,
        "stakeholders": Stakeholder.objects.for_organisation(organisation).count(),
        "inputs": Input.objects.for_organisation(organisation).count(),
        "agreements": Agreement.objects.for_organisation(organisation).count(),
        "ratings": Rating.objects.for_organisation(organisation).count(),
        "payments": Payment.objects.for_organisation(organisation).count(),
        "people": {who: describe(s) for who, s in people.items()},
    }
    log("data: " + json.dumps({k: v for k, v in summary.items() if k not in ("database", "vendor")}, default=str))
    if args.no_measure:
        return
    if args.analyze and connection.vendor == "sqlite":
        # What `PRAGMA optimize` or ANALYZE in a deployment would give the planner: per-index statistics.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"ANALYZE took {time.perf_counter() - started:.1f} s")
        summary["analyzed"] = True
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    log(f"measuring {args.requests} requests per page after {args.warmup} warm-up requests; "
        f"load average {load:.1f} on {os.cpu_count()} CPUs" if load is not None else "")
    results = measure_portal(organisation, people, args.requests, args.warmup, log)
    results += measure_staff(organisation, people, args.requests, args.warmup, log)
    print()
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**summary, "load_average": load, "results": results}, indent=2,
                                        default=str))


if __name__ == "__main__":
    main()
