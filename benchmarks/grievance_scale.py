#!/usr/bin/env python
"""Grievance-scale benchmark (issue 14): the handler's case list, a case page and the UNGP 31 self-check at
100,000 cases and 1,000,000 messages.

Writes one organisation's grievance mechanism straight into the database in large batches (COPY on
PostgreSQL, executemany on SQLite), with the rules the actions apply (stages only along stages.NEXT, the
first substantive stage answering the deadline, an appeal excluding the previous handler and re-opening the
case, remedy actions confirmed or disputed):

- cases over three years, in every channel, mode, language and country of the M49 table, with products,
  rights and groups at risk; each with its own key wrapped by the organisation's (as Grievance.save does),
  and everything the person wrote sealed under it for real (AES-GCM, the model's associated data);
- their stage changes, handlers, conflicts of interest (the measuring handler is kept out of some cases),
  appeals, remedy plans with corrective actions and the affected's confirmations or disputes, overdue and
  escalated cases;
- the messages both ways and the internal notes, sealed under the case's key (Grievance.sealing_key()),
  one case with exactly 200 and a few with exactly 10.

Receipts: a case stores only an Argon2id hash of its receipt. Hashing 100,000 receipts at ~25 ms each would
take 40 minutes of the load, so the cases share a pool of 64 real hashes (of receipts no one holds); a
receipt's check costs the same whichever hash it meets. benchmarks/grievance_intake.py and the crash test
measure real receipts.

It then times, in-process with Django's test Client, signed in as a handler (human rights lead) who is
excluded from some cases: the case list (first page, filtered pages, the deepest page the limited count
reaches), a case page with ~10 messages and the one with 200 (each read is audited, as in production), and
the self-check page (this quarter and the whole year; computed with the cache emptied, and remembered until
the organisation records a change). It prints p50/p95/max, CPU p95 and the queries per request. Targets:
list and case pages p95 < 150 ms, the self-check < 300 ms.

    python benchmarks/grievance_scale.py --database sqlite                 # /tmp/rl-bench-grievances/sqlite
    python benchmarks/grievance_scale.py --database postgresql             # rl_bench_grievances on 127.0.0.1
    python benchmarks/grievance_scale.py --database sqlite --cases 5000 --messages 50000 --fresh  # quick
    python benchmarks/grievance_scale.py --database postgresql --reuse     # measure again

--fresh empties the scratch database first; --reuse measures what a previous run generated. See
docs/performance.md ("Issue 14: grievances").
"""

from __future__ import annotations

import argparse
import datetime
import gc
import hashlib
import json
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.gettempdir()) / "rl-bench-grievances"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "rl_bench_grievances"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "env"], default="sqlite",
                        help="sqlite: a file in a scratch folder; postgresql: the scratch database "
                             f"{PG_NAME} on 127.0.0.1:5432; env: DATABASE_URL as set")
    parser.add_argument("--folder", type=Path, default=None,
                        help=f"scratch folder (keys, SQLite file, static files); default {SCRATCH}/<database>")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=40, help="timed requests per page (at least 30)")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261414)
    parser.add_argument("--fresh", action="store_true", help="empty the scratch database first")
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run generated")
    parser.add_argument("--no-measure", action="store_true", help="only generate")
    parser.add_argument("--analyze", action="store_true",
                        help="SQLite: ANALYZE before measuring (PostgreSQL is analysed after loading)")
    parser.add_argument("--pages", default="list,case,self-check",
                        help="which pages to measure, comma-separated: list, case, self-check")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser.parse_args()


ARGS = arguments() if __name__ == "__main__" else None


def scratch_environment(args) -> None:
    """Point Django at the scratch database and folder before it is set up."""
    if args.database == "env":
        return
    folder = args.folder or SCRATCH / args.database
    if args.database == "sqlite":
        database = folder / "grievances.sqlite3"
        if args.fresh and folder.exists():
            shutil.rmtree(folder)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    else:
        env = dict(os.environ, PGHOST="127.0.0.1", PGPORT="5432", PGUSER="postgres")
        if args.fresh:
            subprocess.run(["dropdb", "--force", "--if-exists", PG_NAME], env=env, check=True)  # noqa: S603, S607
            if folder.exists():
                shutil.rmtree(folder)
        query = f"SELECT 1 FROM pg_database WHERE datname = '{PG_NAME}'"  # noqa: S608 (a constant)
        exists = subprocess.run(["psql", "-tAc", query],  # noqa: S603, S607
                                env=env, capture_output=True, text=True, check=True).stdout.strip()
        if not exists:
            subprocess.run(["createdb", PG_NAME], env=env, check=True)  # noqa: S603, S607
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["RIGHTSLOOP_VAR_DIR"] = str(folder)  # the keys that seal the data live with it


if ARGS is not None:
    scratch_environment(ARGS)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_scale  # noqa: E402  (sets up Django for the checkout this file lives in)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from django.apps import apps  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from loop_scale import ALL_COUNTRIES, COUNTRY_TABLE, FIRST_LANGUAGE, BulkWriter, describe_database, pick  # noqa: E402

from rightsloop.accounts.actions import add_member  # noqa: E402
from rightsloop.accounts.models import Membership, User  # noqa: E402
from rightsloop.accounts.roles import Role  # noqa: E402
from rightsloop.accounts.tests.factories import mark_verified  # noqa: E402
from rightsloop.core import rights as rights_taxonomy  # noqa: E402
from rightsloop.core import sealing  # noqa: E402
from rightsloop.core.models import Organisation  # noqa: E402
from rightsloop.grievances import case_queries, receipts  # noqa: E402
from rightsloop.grievances.models import (  # noqa: E402
    FINISHED_STAGES,
    ActionConfirmation,
    Appeal,
    CaseMessage,
    Grievance,
    GrievanceSettings,
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
    MessageVia,
    Mode,
    RaisedBy,
    RemedyType,
    Satisfaction,
    Stage,
)
from rightsloop.stakeholders.vocabulary import AtRisk  # noqa: E402

ORG_SLUG = "grievance-scale"
DAY = datetime.timedelta(days=1)
LIST_TARGET_MS, CASE_TARGET_MS, SELF_CHECK_TARGET_MS = 150.0, 150.0, 300.0
HANDLERS = ["bench-gr-lead", *(f"bench-gr-h{n}" for n in range(1, 8))]
APPEAL_EXCLUSION_REASON = "handled the appealed outcome"  # as actions/follow_up.py writes it
CONFLICT_REASONS = ["Named in the case", "A relative works in the team concerned", "Handled the same user before"]

# ---------------------------------------------------------------------------
# Vocabulary
# ---------------------------------------------------------------------------

CHANNELS = loop_scale.weighted([(Channel.WEB, 52), (Channel.API, 4), (Channel.PORTAL, 5), (Channel.HOTLINE, 10),
                                (Channel.SMS, 9), (Channel.LETTER, 3), (Channel.IN_PERSON, 6), (Channel.NGO, 8),
                                (Channel.EMAIL, 3)])
MODES = loop_scale.weighted([(Mode.ANONYMOUS, 55), (Mode.CONFIDENTIAL, 32), (Mode.NAMED, 13)])
RAISED_BY = loop_scale.weighted([(RaisedBy.AFFECTED, 79), (RaisedBy.ON_BEHALF, 13), (RaisedBy.STAFF, 8)])
PRODUCTS = ["FaceCheck identity verification", "Marketplace", "Ride-hailing app", "Delivery riders app",
            "Messaging", "Social feed", "Ads manager", "Content moderation", "Cloud storage", "Payments wallet",
            "Smart camera", "Job matching"]
OFFLINE = {Channel.HOTLINE, Channel.SMS, Channel.LETTER, Channel.IN_PERSON, Channel.NGO, Channel.EMAIL}
RIGHTS = [right.code for right in rights_taxonomy.TAXONOMY]
AT_RISK = list(AtRisk.values)
REMEDY_TYPES = loop_scale.weighted([(RemedyType.APOLOGY, 15), (RemedyType.RESTITUTION, 20),
                                    (RemedyType.COMPENSATION, 20), (RemedyType.REHABILITATION, 5),
                                    (RemedyType.CHANGE, 25), (RemedyType.NON_REPETITION, 10), (RemedyType.OTHER, 5)])

DESCRIPTIONS = {
    "en": ["My account was locked after the face check failed three times; I lost the wages of a week of deliveries.",
           "A post naming me and my address stayed online for days although I reported it every morning.",
           "The app shared my location with my former employer, who now waits for me outside my house.",
           "Our cooperative's page was removed during the protest and nobody explains why.",
           "The rating system deactivated me after a customer insulted me in a language the reviewers do not speak."],
    "es": ["Bloquearon mi cuenta después de que la verificación facial fallara; perdí una semana de trabajo.",
           "Publicaron mi dirección y la de mis hijos; lo denuncié muchas veces y sigue ahí.",
           "La aplicación compartió mi ubicación sin mi permiso con una empresa que no conozco."],
    "fr": ["Mon compte a été suspendu sans explication pendant la grève, avec tous mes contacts clients.",
           "Des messages haineux contre notre communauté restent en ligne malgré nos signalements répétés."],
    "pt": ["Minha conta de entregador foi desativada depois de uma avaliação falsa e ninguém responde."],
    "sw": ["Akaunti yangu ilifungwa baada ya uthibitisho wa uso kushindwa; nilipoteza kipato cha wiki nzima."],
    "ar": ["تم إغلاق حسابي بعد فشل التحقق من الوجه ثلاث مرات، وخسرت أجر أسبوع كامل."],
    "hi": ["चेहरे की जाँच विफल होने के बाद मेरा खाता बंद कर दिया गया और मेरी एक हफ़्ते की कमाई चली गई।"],
    "fa": ["حساب من بدون توضیح مسدود شد و همه پیام‌های کاری‌ام از دست رفت."],
    "uk": ["Мій обліковий запис заблокували після скарги, і я втратила доступ до всіх замовлень."],  # noqa: RUF001
}
WANTED = ["Give me my account back and pay the week I lost.", "Remove the post and tell me who saw my address.",
          "Stop sharing my location and delete what was shared.", "An apology, and a reviewer who speaks Swahili.",
          "Explain the decision and let me appeal it to a person."]
AFFECTED = ["Me and the other riders of our zone.", "My family.", "About forty members of our cooperative.",
            "Women journalists in our region.", "Me."]
WHEN = ["Last Tuesday evening", "Since the start of the month", "During the strike in March", "Yesterday"]
NAMES = ["Wanjiru Kamau", "Amina Diallo", "José Martínez", "Priya Sharma", "Olena Shevchenko", "Nguyễn Linh"]
CONTACTS = ["+254 712 345 678", "amina.d@example.org", "Through the Nairobi riders' union office", "WhatsApp only"]
NOTES = ["We received your grievance and will answer within the deadline.", "A handler now looks at your case.",
         "We are investigating with the team concerned.", "We propose the remedy described in the message.",
         "The remedy is being delivered.", "Your case is closed; you can still appeal."]
TO_THEM = ["Thank you. Could you tell us the date and the name shown on the screen?",
           "We restored the account; please check that everything is there.",
           "Our team is looking into it; we will write again within two weeks.",
           "We propose to pay the lost earnings and to review the rule. Do you agree?",
           "Can you send the screenshot you mentioned through the follow-up page?"]
FROM_THEM = ["It happened on the 12th, around 8 in the evening.", "The account works again, but my rating is gone.",
             "Nobody has answered me for three weeks.", "Yes, I agree with the proposal.",
             "I do not agree: the others in my zone are still blocked."]
INTERNAL = ["Checked the moderation log: removal by the automated classifier.", "Asked trust and safety for the data.",
            "Legal confirms no obligation prevents restoring the account.", "Escalated to the product owner.",
            "Possible pattern with three other cases from the same city."]
OUTCOMES = ["Account restored, lost earnings paid, classifier threshold reviewed.",
            "Post removed; the reporting flow now escalates doxxing within an hour.",
            "Location sharing stopped and the shared data deleted at the partner."]
NOT_ADMISSIBLE = ["This concerns a bank we do not operate; the national banking ombudsman can take it.",
                  "The product named is not ours; the consumer protection authority can help."]
ACTIONS = ["Pay the lost earnings", "Restore the account and its rating", "Review the face-check threshold",
           "Hire reviewers for Swahili and Sheng", "Publish the change in the transparency report"]
APPEAL_REASONS = ["The outcome ignored that the others are still blocked.", "Nobody spoke to me before closing it."]
SATISFACTION_NOTES = ["Thank you, it took long but it is solved.", "Only half of it was done.", ""]
LANGUAGES_OF = {"en": "en", "es": "es", "fr": "fr", "pt": "pt", "sw": "sw", "ar": "ar", "hi": "hi", "fa": "fa",
                "uk": "uk"}


# ---------------------------------------------------------------------------
# Sealing in bulk
# ---------------------------------------------------------------------------

class Sealer:
    """Seals as the models do (sealing.PersonKey / OrganisationKey, AAD "<model>|<field>|<uid>"), keeping one
    AES-GCM object per case instead of building one per value."""

    def __init__(self, organisation_id: int):
        self.organisation_id = organisation_id
        self.organisation_key = sealing.OrganisationKey(organisation_id)
        self.keys = 0
        self.values = 0

    def new_case_key(self, uid: uuid.UUID) -> tuple[bytes, AESGCM]:
        wrapped, key = sealing.new_person_key(self.organisation_id, uid)
        self.keys += 1
        return wrapped, AESGCM(key.secret)

    def seal(self, aead: AESGCM, label: str, field: str, uid: uuid.UUID, value: str) -> bytes:
        if not value:
            return b""
        self.values += 1
        nonce = os.urandom(sealing.NONCE_BYTES)
        return bytes([sealing.PERSON_FORMAT]) + nonce + aead.encrypt(nonce, value.encode(), f"{label}|{field}|{uid}"
                                                                     .encode())

    def seal_organisation(self, label: str, field: str, uid: uuid.UUID, value: str) -> bytes:
        self.values += 1
        return self.organisation_key.seal(value, f"{label}|{field}|{uid}".encode()) if value else b""


def sealing_costs(organisation_id: int, log) -> dict:
    """Microseconds per case key (made and wrapped) and per sealed value, each way of sealing."""
    n = 3000
    started = time.perf_counter()
    uids = [uuid.uuid4() for _ in range(n)]
    keys = [sealing.new_person_key(organisation_id, uid) for uid in uids]
    per_key = (time.perf_counter() - started) / n * 1e6
    text = DESCRIPTIONS["en"][0]
    key = keys[0][1]
    started = time.perf_counter()
    for i in range(n):
        key.seal(text, f"grievances.casemessage|text|{i}".encode())
    per_value_model = (time.perf_counter() - started) / n * 1e6
    sealer = Sealer(organisation_id)
    aead = AESGCM(key.secret)
    started = time.perf_counter()
    for i in range(n):
        sealer.seal(aead, "grievances.casemessage", "text", i, text)
    per_value_cached = (time.perf_counter() - started) / n * 1e6
    started = time.perf_counter()
    for i in range(n):
        sealing.unwrap_person_key(organisation_id, uids[i], keys[i][0])
    per_unwrap = (time.perf_counter() - started) / n * 1e6
    costs = {"case_key_us": round(per_key, 1), "seal_value_us_model": round(per_value_model, 1),
             "seal_value_us_cached_aead": round(per_value_cached, 1), "unwrap_case_key_us": round(per_unwrap, 1)}
    log(f"  sealing costs: a case key made and wrapped {per_key:.1f} µs, unwrapped {per_unwrap:.1f} µs; "
        f"a value sealed {per_value_model:.1f} µs through PersonKey.seal, {per_value_cached:.1f} µs with the "
        f"case's AES-GCM object kept")
    return costs


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

def in_time(answered_at: datetime.datetime | None, due_on: datetime.date) -> bool | None:
    """As selfcheck_facts.in_time for the naive UTC times written here (the site's time zone is UTC)."""
    return None if answered_at is None else answered_at.date() <= due_on


def rand_between(rng: random.Random, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
    if end <= start:
        return start
    return start + datetime.timedelta(seconds=rng.random() * (end - start).total_seconds())


class GrievanceGenerator:
    CHUNK = 5000  # cases per transaction

    def __init__(self, n_cases: int, n_messages: int, seed: int, log):
        self.rng = random.Random(seed)
        self.n_cases, self.n_messages, self.log = n_cases, n_messages, log
        self.now = timezone.now().replace(tzinfo=None, microsecond=0)  # naive UTC, as stored
        self.today = self.now.date()
        self.counts: dict[str, int] = {}
        self.ids: dict[str, int] = {}

    def next_id(self, name: str) -> int:
        self.ids[name] = self.ids.get(name, 0) + 1
        return self.ids[name]

    def uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # -- the organisation ------------------------------------------------------

    def setup(self) -> None:
        organisation = Organisation.objects.create(name="Grievance Scale Platforms", slug=ORG_SLUG)
        self.users = {}
        members = [(name, Role.HR_LEAD) for name in HANDLERS] + [
            ("bench-gr-admin", Role.ADMIN), ("bench-gr-board", Role.BOARD), ("bench-gr-recorder", Role.ADMIN)]
        for username, role in members:
            membership = add_member(organisation=organisation, username=username, email=f"{username}@example.org",
                                    first_name=username.split("-")[-1].title(), last_name="Bench", password=None,
                                    role=role, by=None)
            self.users[username] = membership.user.pk
        self.handlers = [self.users[name] for name in HANDLERS]
        self.handler_weights = loop_scale.weighted([(pk, 3 if n == 0 else 2) for n, pk in enumerate(self.handlers)])
        self.recorders = [self.users["bench-gr-recorder"], self.users["bench-gr-admin"], *self.handlers[:3]]
        self.settings = GrievanceSettings.objects.create(organisation=organisation, products=PRODUCTS)
        self.organisation = organisation
        self.org = organisation.pk
        self.sealer = Sealer(organisation.pk)
        self.counts["sealing"] = sealing_costs(organisation.pk, self.log)
        started = time.perf_counter()
        self.hashes = [receipts.hash_receipt(f"{n:032d}") for n in range(64)]
        self.log(f"  64 real Argon2id receipt hashes in {time.perf_counter() - started:.1f} s (shared by the cases)")
        self.references = self.rng.sample(range(10 ** receipts.REFERENCE_DIGITS), self.n_cases)

    # -- writers ---------------------------------------------------------------

    def writers(self) -> None:
        # Facts the models keep in save() for the self-check (selfcheck_facts.py), written here when the
        # checkout's models have them: whether each promise was kept, each stage change's organisation and stay.
        self.case_facts = any(f.name == "acknowledged_in_time" for f in Grievance._meta.local_fields)
        self.change_facts = any(f.name == "stayed_seconds" for f in StageChange._meta.local_fields)
        self.w_plans = BulkWriter(RemedyPlan, ["id", "organisation", "title", "engagement", "created_by", "created_at"])
        self.w_cases = BulkWriter(Grievance, [
            "id", "uid", "organisation", "number", "reference", "receipt_hash", "submission_key", "sealed_key", "mode",
            "raised_by", "channel", "language", "interface_language", "country", "occurred_on", "product",
            "description_sealed", "when_text_sealed", "affected_people_sealed", "wanted_outcome_sealed",
            "complainant_name_sealed", "complainant_contact_sealed", "stakeholder", "proxy", "on_behalf_of",
            "represents_sealed", "supported_by_adviser", "at_risk", "rights", "recorded_by", "stage",
            "stage_changed_at", "received_at", "acknowledged_at", "responded_at", "closed_at", "acknowledge_due_on",
            "respond_due_on", "escalation_level", "escalated_at", "handler", "appeals_count",
            "not_admissible_reasons_sealed", "outcome_summary_sealed", "rights_reviewed_by", "rights_reviewed_at",
            "satisfaction", "satisfaction_note_sealed", "satisfaction_at", "remedy_plan", "erased_at",
            *(["acknowledged_in_time", "responded_in_time"] if self.case_facts else [])])
        self.w_changes = BulkWriter(StageChange, ["id", "uid", "grievance", "from_stage", "to_stage", "note_sealed",
                                                  "by", "at", *(["organisation", "stayed_seconds"]
                                                                if self.change_facts else [])])
        self.w_messages = BulkWriter(CaseMessage, [
            "id", "uid", "grievance", "direction", "via", "text_sealed", "language", "is_question", "author",
            "submission_key", "created_at", "seen_at"])
        self.w_exclusions = BulkWriter(HandlerExclusion, ["id", "grievance", "user", "reason", "by", "at"])
        self.w_appeals = BulkWriter(Appeal, ["id", "uid", "grievance", "reason_sealed", "from_stage",
                                             "previous_handler", "new_handler", "via", "filed_at"])
        self.w_actions = BulkWriter(RemedyAction, [
            "id", "uid", "plan", "remedy_type", "description_sealed", "owner", "due_on", "status", "delivered_at",
            "confirmed_at", "disputed_at", "proposal", "created_by", "created_at"])
        self.w_confirmations = BulkWriter(ActionConfirmation, ["id", "uid", "action", "grievance", "answer",
                                                               "note_sealed", "via", "recorded_by", "at"])
        self.all_writers = [self.w_plans, self.w_cases, self.w_changes, self.w_messages, self.w_exclusions,
                            self.w_appeals, self.w_actions, self.w_confirmations]

    def flush(self) -> None:
        for writer in self.all_writers:  # plans before the cases that name them, cases before their rows
            writer.flush()

    # -- one case --------------------------------------------------------------

    def message_counts(self) -> list[int]:
        """How many messages each case gets: more for cases that went further, a long tail; one case has 200."""
        rng = self.rng
        weights = [min(rng.paretovariate(2.5), 12.0) for _ in range(self.n_cases)]
        total = sum(weights)
        counts = [int(w / total * self.n_messages) for w in weights]
        short = self.n_messages - sum(counts)
        for i in rng.choices(range(self.n_cases), k=max(0, short)):
            counts[i] += 1
        return counts

    def generate(self) -> None:
        rng = self.rng
        self.writers()
        started = time.perf_counter()
        counts = self.message_counts()
        # Received over three years, more lately (the mechanism became known): the newest cases last.
        span = 3 * 365 * 86400
        offsets = sorted((span * (1 - rng.random() ** 0.7) for _ in range(self.n_cases)), reverse=True)
        self.plan = None  # the last remedy plan, which a neighbouring case may share (a group of cases)
        for start in range(0, self.n_cases, self.CHUNK):
            with transaction.atomic():
                for index in range(start, min(start + self.CHUNK, self.n_cases)):
                    received = self.now - datetime.timedelta(seconds=offsets[index])
                    self.case(index, received, counts[index])
                self.flush()
            done = min(start + self.CHUNK, self.n_cases)
            if done % 20_000 == 0 or done == self.n_cases:
                self.log(f"  {done} cases, {self.w_messages.written} messages in {time.perf_counter() - started:.0f} s")
        self.finish()
        self.counts.update({
            "cases": self.w_cases.written, "messages": self.w_messages.written, "stage_changes": self.w_changes.written,
            "exclusions": self.w_exclusions.written, "appeals": self.w_appeals.written,
            "remedy_plans": self.w_plans.written, "remedy_actions": self.w_actions.written,
            "confirmations": self.w_confirmations.written, "case_keys": self.sealer.keys,
            "sealed_values": self.sealer.values,
        })

    def case(self, index: int, received: datetime.datetime, n_messages: int) -> None:
        rng, sealer = self.rng, self.sealer
        pk = self.next_id("case")
        uid = self.uid()
        wrapped, aead = sealer.new_case_key(uid)
        label = "grievances.grievance"
        channel = pick(rng, CHANNELS)
        mode = pick(rng, MODES)
        raised_by = pick(rng, RAISED_BY)
        roll = rng.random()
        country = "" if roll < 0.08 else (rng.choice(ALL_COUNTRIES) if roll < 0.14 else pick(rng, COUNTRY_TABLE))
        spoken = FIRST_LANGUAGE.get(country, "en") if rng.random() < 0.7 else "en"
        language = spoken if spoken in DESCRIPTIONS else "en"
        description = rng.choice(DESCRIPTIONS[language])
        interface = {"es": "es", "fr": "fr"}.get(language, "en") if channel in (Channel.WEB, Channel.PORTAL) else ""
        product = rng.choice(PRODUCTS) if rng.random() < 0.85 else ("" if rng.random() < 0.5 else "Old app version")
        at_risk = sorted(rng.sample(AT_RISK, rng.choice((0, 0, 0, 1, 1, 2))))
        rights = sorted(rng.sample(RIGHTS, rng.choice((0, 1, 1, 2, 3))))
        identified = mode != Mode.ANONYMOUS
        proxied = raised_by == RaisedBy.ON_BEHALF
        handler_of = None
        ack_due = received.date() + datetime.timedelta(days=self.settings.acknowledge_days)
        respond_due = received.date() + datetime.timedelta(days=self.settings.respond_days)
        changes = [("", Stage.RECEIVED, received)]
        stage, t = Stage.RECEIVED, received
        acknowledged_at = responded_at = closed_at = None
        appeals = []
        excluded = set()
        if rng.random() < 0.015:  # a conflict of interest, the measuring handler among them
            user = self.handlers[0] if rng.random() < 0.4 else rng.choice(self.handlers[1:])
            excluded.add(user)
            self.w_exclusions.add((self.next_id("exclusion"), pk, user, rng.choice(CONFLICT_REASONS),
                                   rng.choice(self.handlers), received + DAY))

        def pick_handler():
            choices = [h for h in self.handlers if h not in excluded]
            found = pick(rng, self.handler_weights)
            return found if found in choices else rng.choice(choices)

        # Walk the stages NEXT allows until now; a few cases stall (no one moves them: overdue ones).
        steps = {Stage.RECEIVED: (Stage.ACKNOWLEDGED, (0.2, 6)), Stage.ACKNOWLEDGED: (Stage.ASSESSING, (0, 5))}
        while True:
            if rng.random() < 0.012:
                break
            if stage in steps:
                to, (low, high) = steps[stage]
                if stage == Stage.RECEIVED and rng.random() < 0.08:
                    low, high = 6, 20  # acknowledged late
            elif stage == Stage.ASSESSING:
                to, (low, high) = (Stage.NOT_ADMISSIBLE, (3, 25)) if rng.random() < 0.14 else (Stage.INVESTIGATING,
                                                                                                 (2, 20))
            elif stage == Stage.INVESTIGATING:
                to, (low, high) = (Stage.CLOSED, (10, 80)) if rng.random() < 0.4 else (Stage.REMEDY_PROPOSED, (10, 70))
            elif stage == Stage.REMEDY_PROPOSED:
                roll = rng.random()
                to, (low, high) = ((Stage.REMEDY_AGREED, (3, 30)) if roll < 0.85 else
                                   (Stage.INVESTIGATING, (5, 20)) if roll < 0.92 else (Stage.CLOSED, (5, 30)))
            elif stage == Stage.REMEDY_AGREED:
                to, (low, high) = Stage.REMEDY_DELIVERING, (2, 20)
            elif stage == Stage.REMEDY_DELIVERING:
                to, (low, high) = Stage.CLOSED, (10, 90)
            elif stage in FINISHED_STAGES and not appeals and rng.random() < 0.05:
                to, (low, high) = Stage.ASSESSING, (3, 40)  # appealed
            else:
                break
            at = t + datetime.timedelta(days=rng.uniform(low, high))
            if at >= self.now:
                break
            if stage in FINISHED_STAGES:  # the appeal: the previous handler is kept out, the case re-opens
                previous = handler_of
                new = None
                if previous:
                    excluded.add(previous)
                    self.w_exclusions.add((self.next_id("exclusion"), pk, previous, APPEAL_EXCLUSION_REASON, None, at))
                handler_of = None
                if rng.random() < 0.85:
                    new = pick_handler()
                    handler_of = new
                a_uid = self.uid()
                appeals.append(a_uid)
                self.w_appeals.add((self.next_id("appeal"), a_uid, pk, sealer.seal(
                    aead, "grievances.appeal", "reason", a_uid, rng.choice(APPEAL_REASONS)), stage, previous, new,
                    MessageVia.FOLLOW_UP, at))
                responded_at = closed_at = None
                respond_due = at.date() + datetime.timedelta(days=self.settings.respond_days)
            if to == Stage.ACKNOWLEDGED:
                acknowledged_at = at
                if rng.random() < 0.93:
                    handler_of = pick_handler()
            if to in (Stage.NOT_ADMISSIBLE, Stage.REMEDY_PROPOSED, Stage.CLOSED) and responded_at is None:
                responded_at = at
            if to == Stage.CLOSED:
                closed_at = at
            changes.append((stage, to, at))
            stage, t = to, at
        # A plan for the cases that reached a remedy agreed with them.
        plan_id = None
        if any(to == Stage.REMEDY_AGREED for _f, to, _a in changes):
            plan_id = self.remedy(pk, uid, aead, stage, changes, handler_of)
        # Deadlines and escalation, as the daily round leaves them.
        escalation, escalated_at = 0, None
        due = ack_due if stage == Stage.RECEIVED else (
            respond_due if stage not in FINISHED_STAGES and responded_at is None else None)
        if due is not None and due < self.today:
            late = (self.today - due).days
            escalation = 2 if late > self.settings.escalate_after_days else 1
            escalated_at = datetime.datetime.combine(due + DAY * (1 if escalation == 1 else 1 + self.settings
                                                                  .escalate_after_days), datetime.time(6))
        finished = stage in FINISHED_STAGES
        satisfaction, satisfaction_at, satisfaction_note = "", None, ""
        if finished and rng.random() < 0.4:
            satisfaction = rng.choice(Satisfaction.values)
            satisfaction_at = min(self.now, t + datetime.timedelta(days=rng.uniform(0, 20)))
            satisfaction_note = rng.choice(SATISFACTION_NOTES)
        reviewed = stage == Stage.CLOSED and rng.random() < 0.7
        by_staff = channel in OFFLINE
        occurred = received.date() - datetime.timedelta(days=rng.randint(0, 60)) if rng.random() < 0.7 else None
        self.w_cases.add((
            pk, uid, self.org, index + 1, f"{self.references[index]:07d}", rng.choice(self.hashes),
            hashlib.sha256(uid.bytes).hexdigest() if channel in (Channel.WEB, Channel.API, Channel.PORTAL) else "",
            wrapped, mode, raised_by, channel, language, interface, country, occurred, product,
            sealer.seal(aead, label, "description", uid, description),
            sealer.seal(aead, label, "when_text", uid, rng.choice(WHEN) if rng.random() < 0.5 else ""),
            sealer.seal(aead, label, "affected_people", uid, rng.choice(AFFECTED) if rng.random() < 0.6 else ""),
            sealer.seal(aead, label, "wanted_outcome", uid, rng.choice(WANTED) if rng.random() < 0.7 else ""),
            sealer.seal(aead, label, "complainant_name", uid, rng.choice(NAMES) if identified else ""),
            sealer.seal(aead, label, "complainant_contact", uid, rng.choice(CONTACTS) if identified else ""),
            None, None, None,
            sealer.seal(aead, label, "represents", uid, rng.choice(AFFECTED) if proxied else ""),
            proxied or rng.random() < 0.05, at_risk, rights, rng.choice(self.recorders) if by_staff else None,
            stage, t, received, acknowledged_at, responded_at, closed_at, ack_due, respond_due, escalation,
            escalated_at, handler_of, len(appeals),
            sealer.seal(aead, label, "not_admissible_reasons", uid,
                        rng.choice(NOT_ADMISSIBLE) if stage == Stage.NOT_ADMISSIBLE else ""),
            sealer.seal(aead, label, "outcome_summary", uid, rng.choice(OUTCOMES) if stage == Stage.CLOSED else ""),
            handler_of if reviewed else None, closed_at if reviewed else None,
            satisfaction, sealer.seal(aead, label, "satisfaction_note", uid, satisfaction_note), satisfaction_at,
            plan_id, None,
            *((in_time(acknowledged_at, ack_due), in_time(responded_at, respond_due)) if self.case_facts else ()),
        ))
        entered = {}
        for from_stage, to_stage, at in changes:
            c_uid = self.uid()
            note = rng.choice(NOTES) if from_stage and rng.random() < 0.6 else ""
            facts = ()
            if self.change_facts:
                stay = int((at - entered.get(from_stage, received)).total_seconds()) if from_stage else None
                facts = (self.org, stay)
            entered[to_stage] = at
            self.w_changes.add((self.next_id("change"), c_uid, pk, from_stage, to_stage,
                                sealer.seal(aead, "grievances.stagechange", "note", c_uid, note),
                                handler_of if from_stage else None, at, *facts))
        self.messages(pk, aead, received, t if finished else self.now, n_messages, language, channel, handler_of)

    def messages(self, pk, aead, received, until, n, language, channel, handler) -> None:
        rng, sealer = self.rng, self.sealer
        end = min(self.now, until + datetime.timedelta(days=20))
        times = sorted(rand_between(rng, received, end) for _ in range(n))
        offline = channel in OFFLINE
        for at in times:
            m_uid = self.uid()
            roll = rng.random()
            if roll < 0.4:
                direction, text, author = MessageDirection.TO_COMPLAINANT, rng.choice(TO_THEM), handler
            elif roll < 0.75:
                direction, text, author = MessageDirection.FROM_COMPLAINANT, rng.choice(FROM_THEM), None
            else:
                direction, text, author = MessageDirection.INTERNAL, rng.choice(INTERNAL), handler
            via = MessageVia.STAFF if offline and direction != MessageDirection.INTERNAL else MessageVia.FOLLOW_UP
            question = direction == MessageDirection.TO_COMPLAINANT and text.endswith("?")
            seen = (min(self.now, at + datetime.timedelta(hours=rng.uniform(1, 200)))
                    if direction == MessageDirection.TO_COMPLAINANT and rng.random() < 0.7 else None)
            key = hashlib.sha256(m_uid.bytes).hexdigest() if direction == MessageDirection.FROM_COMPLAINANT else ""
            self.w_messages.add((self.next_id("message"), m_uid, pk, direction, via,
                                 sealer.seal(aead, "grievances.casemessage", "text", m_uid, text),
                                 language if direction != MessageDirection.INTERNAL else "", question, author, key,
                                 at, seen))

    def remedy(self, pk, uid, aead, stage, changes, handler) -> int:
        rng, sealer = self.rng, self.sealer
        agreed = next(at for _f, to, at in changes if to == Stage.REMEDY_AGREED)
        if self.plan is not None and rng.random() < 0.08:
            plan_id, actions = self.plan  # one plan for a group of cases
        else:
            plan_id = self.next_id("plan")
            self.w_plans.add((plan_id, self.org, f"Remedy for case {pk}", None, handler, agreed))
            actions = []
            for _n in range(rng.randint(1, 3)):
                a_uid = self.uid()
                action_id = self.next_id("action")
                kind = pick(rng, REMEDY_TYPES)
                due = (agreed + datetime.timedelta(days=rng.randint(14, 120))).date()
                status, delivered, confirmed, disputed = ActionStatus.PLANNED, None, None, None
                delivering = stage in (Stage.REMEDY_DELIVERING, Stage.CLOSED)
                if delivering and rng.random() < (0.95 if stage == Stage.CLOSED else 0.5):
                    delivered = min(self.now, agreed + datetime.timedelta(days=rng.uniform(5, 60)))
                    status = ActionStatus.DELIVERED
                    roll = rng.random()
                    if roll < (0.85 if stage == Stage.CLOSED else 0.4):
                        status, confirmed = ActionStatus.CONFIRMED, min(self.now, delivered + DAY * rng.uniform(1, 14))
                    elif roll < (0.9 if stage == Stage.CLOSED else 0.55):
                        status, disputed = ActionStatus.DISPUTED, min(self.now, delivered + DAY * rng.uniform(1, 14))
                self.w_actions.add((action_id, a_uid, plan_id, kind, sealer.seal_organisation(
                    "grievances.remedyaction", "description", a_uid, rng.choice(ACTIONS)), handler or self.handlers[0],
                    due, status, delivered, confirmed, disputed, None, handler, agreed))
                actions.append((action_id, confirmed, disputed))
            self.plan = (plan_id, actions)
        for action_id, confirmed, disputed in actions:
            if confirmed or disputed:
                c_uid = self.uid()
                self.w_confirmations.add((
                    self.next_id("confirmation"), c_uid, action_id, pk,
                    ConfirmationAnswer.CONFIRMED if confirmed else ConfirmationAnswer.DISPUTED,
                    sealer.seal(aead, "grievances.actionconfirmation", "note", c_uid,
                                "" if confirmed else "The others in my zone are still blocked."),
                    MessageVia.FOLLOW_UP if rng.random() < 0.8 else MessageVia.STAFF, None, confirmed or disputed))
        return plan_id

    def finish(self) -> None:
        if connection.vendor == "postgresql":
            models = [Grievance, StageChange, CaseMessage, HandlerExclusion, Appeal, RemedyPlan, RemedyAction,
                      ActionConfirmation]
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def ensure_schema(log) -> None:
    """Create whatever the models declare and no migration created yet (a no-op once the migrations exist)."""
    existing = set(connection.introspection.table_names())
    created = []
    with connection.schema_editor() as editor:
        for model in apps.get_models(include_auto_created=True):
            meta = model._meta
            if not meta.managed or meta.proxy:
                continue
            if meta.db_table not in existing:
                editor.create_model(model)
                created.append(meta.db_table)
                continue
            with connection.cursor() as cursor:
                columns = {c.name for c in connection.introspection.get_table_description(cursor, meta.db_table)}
                present = set(connection.introspection.get_constraints(cursor, meta.db_table))
            for field in meta.local_fields:
                if field.column and field.column not in columns:
                    editor.add_field(model, field)
                    created.append(f"{meta.db_table}.{field.column}")
                    with connection.cursor() as cursor:  # SQLite remakes the table with every field of the model
                        columns = {c.name for c in connection.introspection.get_table_description(
                            cursor, meta.db_table)}
                        present = set(connection.introspection.get_constraints(cursor, meta.db_table))
            for index in meta.indexes:
                if index.name not in present:
                    editor.add_index(model, index)
                    created.append(index.name)
    if created:
        log(f"created from the models (no migration yet): {', '.join(created)}")


def verify(organisation: Organisation, log, sample: int = 200) -> None:
    """Open a sample of what was sealed through the models themselves, and check the rows against the rules."""
    rng = random.Random(5)
    ids = list(Grievance.objects.filter(organisation=organisation).values_list("pk", flat=True))
    opened = 0
    for pk in rng.sample(ids, min(sample, len(ids))):
        case = Grievance.objects.get(pk=pk)
        assert case.description, pk
        _ = case.complainant_name, case.outcome_summary
        for message in case.messages.all()[:5]:
            message.grievance = case
            assert message.text
        for change in case.stage_changes.all():
            change.grievance = case
            _ = change.note
        opened += 1
    try:
        from rightsloop.grievances.selfcheck_facts import refresh_deadlines, refresh_stage_changes
    except ImportError:
        pass
    else:  # the facts written in bulk agree with what the models' own rules give (0 rows to put right)
        sample = rng.sample(ids, min(2000, len(ids)))
        wrong = (refresh_deadlines(Grievance, Grievance.objects.filter(pk__in=sample))
                 + refresh_stage_changes(StageChange, StageChange.objects.filter(grievance_id__in=sample)))
        log(f"  self-check facts: {wrong} rows of {len(sample)} sampled cases disagreed with selfcheck_facts")
        if wrong:
            raise SystemExit("generated self-check facts disagree with the models' rules")
    bad_stage = Grievance.objects.filter(organisation=organisation, stage=Stage.CLOSED, closed_at__isnull=True).count()
    bad_handler = Grievance.objects.filter(organisation=organisation, exclusions__user=F("handler")).count()
    log(f"  check: {opened} sampled cases opened through the models (sealed fields and messages); "
        f"{bad_stage} closed without a date, {bad_handler} handled by someone kept out")
    if bad_stage or bad_handler:
        raise SystemExit("generated state breaks the actions' rules")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def p95(values: list[float]) -> float:
    return values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)]


def timed(run, requests: int, warmup: int) -> tuple[list[float], list[float], int]:
    for _n in range(warmup):
        run()
    with CaptureQueriesContext(connection) as captured:
        run()
    queries = len(captured.captured_queries)
    timings, cpu = [], []
    for _n in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return sorted(timings), sorted(cpu), queries


def measured_cases(organisation: Organisation, lead: User) -> dict[str, int]:
    """A case with ~10 messages and the biggest one (200 or more), both open, that the lead may handle."""
    mine = (Grievance.objects.filter(organisation=organisation).handled_by(lead)
            .filter(stage=Stage.INVESTIGATING))
    ten = (mine.annotate(n=Count("messages")).filter(n=10).order_by("-received_at").values_list("pk", flat=True)
           .first())
    big = (mine.annotate(n=Count("messages")).order_by("-n", "pk").values_list("pk", "n").first())
    return {"ten": ten, "big": big}


def ensure_big_case(organisation: Organisation, target: int, log) -> None:
    """Give the open case with the most messages exactly `target`, adding messages sealed under its key."""
    lead = User.objects.get(username="bench-gr-lead")
    row = (Grievance.objects.filter(organisation=organisation).handled_by(lead).filter(stage=Stage.INVESTIGATING)
           .annotate(n=Count("messages")).order_by("-n", "pk").values_list("pk", "n").first())
    pk, n = row
    if n >= target:
        return
    case = Grievance.objects.get(pk=pk)
    started = case.received_at
    span = (timezone.now() - started).total_seconds()
    rng = random.Random(200)
    rows = []
    for i in range(target - n):
        at = started + datetime.timedelta(seconds=span * (i + 1) / (target - n + 1))
        direction = rng.choice([MessageDirection.TO_COMPLAINANT, MessageDirection.FROM_COMPLAINANT,
                                MessageDirection.INTERNAL])
        text = {MessageDirection.TO_COMPLAINANT: TO_THEM, MessageDirection.FROM_COMPLAINANT: FROM_THEM,
                MessageDirection.INTERNAL: INTERNAL}[direction]
        message = CaseMessage(grievance=case, direction=direction, text=rng.choice(text), created_at=at,
                              author_id=case.handler_id if direction != MessageDirection.FROM_COMPLAINANT else None,
                              language=case.language)
        message.seal_pending()
        rows.append(message)
    CaseMessage.objects.bulk_create(rows, batch_size=1000)
    log(f"  case {case.label} now has {target} messages (was {n})")


def measure(organisation: Organisation, requests: int, warmup: int, log, groups=("list", "case", "self-check")
            ) -> list[dict]:
    lead = User.objects.get(username="bench-gr-lead")
    membership = Membership.objects.get(user=lead, organisation=organisation)
    assert membership.role == Role.HR_LEAD
    client = Client(HTTP_HOST="localhost")
    client.force_login(lead)
    mark_verified(client, lead)  # past the second factor, as a real sign-in leaves the session
    today = timezone.localdate()
    cases = measured_cases(organisation, lead)
    big_pk, big_n = cases["big"]
    handled = Grievance.objects.filter(organisation=organisation).handled_by(lead)
    count, more = case_queries.limited_count(handled)
    deepest = max(1, math.ceil(count / 25))
    excluded = HandlerExclusion.objects.filter(user=lead).count()
    log(f"  the lead is kept out of {excluded} cases; the list counts {count}{'+' if more else ''} "
        f"(deepest page {deepest}); measured cases: {cases['ten']} (10 messages), {big_pk} ({big_n} messages)")
    year = today.year
    pages = [
        ("case list: first page", "/grievances/", LIST_TARGET_MS),
        ("case list: stage=investigating, country=KE", "/grievances/?stage=investigating&country=KE", LIST_TARGET_MS),
        ("case list: overdue", "/grievances/?overdue=on", LIST_TARGET_MS),
        ("case list: mine, channel=hotline", "/grievances/?mine=on&channel=hotline", LIST_TARGET_MS),
        ("case list: appealed", "/grievances/?appealed=on", LIST_TARGET_MS),
        (f"case list: deepest page ({deepest})", f"/grievances/?page={deepest}", LIST_TARGET_MS),
        ("case page: 10 messages", f"/grievances/{cases['ten']}/", CASE_TARGET_MS),
        (f"case page: {big_n} messages", f"/grievances/{big_pk}/", CASE_TARGET_MS),
    ]
    # The self-check page reads remembered figures until the organisation records a change: measured both as
    # computed (the cache emptied before each request: the first read after a change) and as remembered.
    for period_label, query in (("this quarter", ""), (f"year {year}", f"?period={year}"),
                                (f"year {year - 1}", f"?period={year - 1}")):
        pages.append((f"self-check: {period_label}, computed", f"/grievances/self-check/{query}", None))
        pages.append((f"self-check: {period_label}, remembered", f"/grievances/self-check/{query}",
                      SELF_CHECK_TARGET_MS))
    pages = [(label, url, target) for label, url, target in pages if label.split(":")[0].replace("case list", "list")
             .replace("case page", "case") in groups]
    results = []
    for label, url, target in pages:
        computed = target is None

        def get(url=url, computed=computed):
            if computed:
                cache.clear()
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
            return response

        size = len(get().content)
        timings, cpu, queries = timed(get, min(requests, 10) if computed else requests, warmup)
        results.append({"page": label, "url": url, "queries": queries, "p50": statistics.median(timings),
                        "p95": p95(timings), "max": timings[-1], "cpu_p95": p95(cpu), "runs": len(timings),
                        "bytes": size, "target_ms": target})
        r = results[-1]
        log(f"  {label}: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms (CPU {r['cpu_p95']:.1f}), {queries} queries, "
            f"{size} bytes")
    return results


def verdict(r: dict) -> str:
    if r["target_ms"] is None:
        return "shown"
    if r["p95"] < r["target_ms"]:
        return "ok"
    return "cpu ok" if r["cpu_p95"] < r["target_ms"] else "MISS"


def table(results: list[dict]) -> str:
    lines = [f"| {'page':<46} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} | {'CPU p95':>7} | {'queries':>7} "
             f"| {'runs':>4} | {'bytes':>7} | {'target':>6} | verdict |",
             f"|{'-' * 48}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 6}|{'-' * 9}|{'-' * 8}|---------|"]
    for r in results:
        target = f"{r['target_ms']:>4.0f}ms" if r["target_ms"] else f"{'-':>6}"
        lines.append(f"| {r['page']:<46} | {r['p50']:>7.1f} | {r['p95']:>7.1f} | {r['max']:>7.1f} | "
                     f"{r['cpu_p95']:>7.1f} | {r['queries']:>7} | {r['runs']:>4} | {r['bytes']:>7} | "
                     f"{target} | {verdict(r):<7} |")
    return "\n".join(lines)


def main() -> None:
    args = ARGS
    if args.requests < 30:
        raise SystemExit("--requests: at least 30 per page")
    log = loop_scale.log
    loop_scale.prepare_database(log)
    ensure_schema(log)
    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    generation_seconds, counts = None, {}
    if organisation is None:
        if Grievance.objects.exists() or Organisation.objects.exists():
            raise SystemExit("the database holds other data: pass --fresh, or point DATABASE_URL at an empty one")
        generator = GrievanceGenerator(args.cases, args.messages, args.seed, log)
        log(f"generating {args.cases} cases with {args.messages} messages")
        started = time.perf_counter()
        generator.setup()
        generator.generate()
        generation_seconds = time.perf_counter() - started
        counts = generator.counts
        log(f"generated in {generation_seconds:.0f} s: " + ", ".join(
            f"{n} {k}" for k, n in counts.items() if k != "sealing"))
        organisation = generator.organisation
        del generator
        gc.collect()
        ensure_big_case(organisation, 200, log)
        verify(organisation, log)
    elif not args.reuse:
        raise SystemExit("the database already holds a generated data set: pass --reuse to measure it, or --fresh")
    else:
        log("reusing the generated data set")
    cases = Grievance.objects.filter(organisation=organisation)
    today = timezone.localdate()
    summary = {
        "database": describe_database(), "vendor": connection.vendor, "generation_seconds": generation_seconds,
        "counts": counts, "cases": cases.count(),
        "messages": CaseMessage.objects.filter(grievance__organisation=organisation).count(),
        "by_stage": {stage: cases.filter(stage=stage).count() for stage in Stage.values},
        "overdue": cases.overdue(today).count(), "appealed": cases.filter(appeals_count__gt=0).count(),
        "escalated": cases.filter(escalation_level__gt=0).count(),
        "countries": cases.exclude(country="").values("country").distinct().count(),
    }
    log("data: " + json.dumps({k: v for k, v in summary.items() if k not in ("database", "vendor")}, default=str))
    if args.no_measure:
        return
    if args.analyze and connection.vendor == "sqlite":
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"ANALYZE took {time.perf_counter() - started:.1f} s")
        summary["analyzed"] = True
    load = os.getloadavg()[0]
    log(f"measuring {args.requests} requests per page after {args.warmup} warm-up requests; load average "
        f"{load:.1f} on {os.cpu_count()} CPUs")
    results = measure(organisation, args.requests, args.warmup, log, groups=args.pages.split(","))
    print()
    print(describe_database())
    print(table(results))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**summary, "load_average": load, "results": results}, indent=2,
                                        default=str))


if __name__ == "__main__":
    main()
