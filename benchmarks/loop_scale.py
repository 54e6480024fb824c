#!/usr/bin/env python
"""Loop-scale benchmark: one organisation with 100,000 stakeholders, 10,000 engagements and 1,000,000 inputs.

Generates the data set straight into the database in large batches (COPY on
PostgreSQL, executemany on SQLite) instead of through the per-record actions,
but computes every stored counter with the same rules the actions apply
(rightsloop.engagements.loops), then checks a sample against refresh_loop().
It then times the busiest pages in-process with Django's test Client, signed
in as a member of the human rights team, and prints p50/p95/max and the SQL
queries per request.

    DATABASE_URL=sqlite:////tmp/loop-scale/bench.sqlite3 python benchmarks/loop_scale.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/rightsloop_bench python benchmarks/loop_scale.py
    python benchmarks/loop_scale.py --scale 0.01          # a quick run

The database must be empty (the script migrates it), unless --reuse is given,
which measures the data a previous run left. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import math
import os
import random
import statistics
import sys
import time
import uuid
from bisect import bisect_right
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the checkout this file lives in, not an installed copy
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ["DEBUG"] = "false"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.storage import staticfiles_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from rightsloop.accounts.actions import add_member  # noqa: E402
from rightsloop.accounts.models import Membership, User  # noqa: E402
from rightsloop.accounts.roles import Function, Role  # noqa: E402
from rightsloop.accounts.tests.factories import mark_verified  # noqa: E402
from rightsloop.core import countries, sealing  # noqa: E402
from rightsloop.core import rights as rights_taxonomy  # noqa: E402
from rightsloop.core.languages import stakeholder_language  # noqa: E402
from rightsloop.core.models import Organisation  # noqa: E402
from rightsloop.engagements.loops import (  # noqa: E402
    ENGAGEMENT_FIELDS,
    PARTICIPATION_FIELDS,
    engagement_loop_state,
    participant_loop_closed,
    refresh_loop,
)
from rightsloop.engagements.models import (  # noqa: E402
    Decision,
    Engagement,
    FeedbackReport,
    Input,
    Participation,
    Tag,
)
from rightsloop.engagements.vocabulary import (  # noqa: E402
    Attribution,
    DeliveryStatus,
    EngagementType,
    InformationHandling,
    LoopState,
    Outcome,
    Phase,
)
from rightsloop.stakeholders.channels import Reach, permitted  # noqa: E402
from rightsloop.stakeholders.models import (  # noqa: E402
    AffectedGroup,
    ConsentRecord,
    NameToken,
    Representation,
    Stakeholder,
    StakeholderGrant,
    StakeholderTrait,
    name_key,
    name_words,
)
from rightsloop.stakeholders.vocabulary import (  # noqa: E402
    AtRisk,
    Channel,
    ConsentMethod,
    ConsentScope,
    EntityType,
    Kind,
    SafetyLevel,
    Technology,
    Trait,
)

ORG_SLUG = "loop-scale"
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

# ---------------------------------------------------------------------------
# Vocabulary for realistic-looking rows
# ---------------------------------------------------------------------------

# (country, weight): Global South and North, every M49 region represented.
COUNTRY_WEIGHTS = [
    ("KE", 6), ("NG", 6), ("ZA", 4), ("EG", 3), ("ET", 3), ("GH", 2), ("SN", 2), ("UG", 2), ("CD", 2),
    ("MA", 2), ("TN", 1), ("CI", 1), ("CM", 1), ("TZ", 2), ("RW", 1), ("ZW", 1),
    ("IN", 8), ("PK", 3), ("BD", 3), ("ID", 4), ("PH", 3), ("VN", 2), ("MM", 2), ("TH", 1), ("MY", 1),
    ("LK", 1), ("NP", 1), ("KH", 1),
    ("BR", 6), ("MX", 4), ("CO", 3), ("AR", 2), ("PE", 2), ("CL", 1), ("GT", 1), ("VE", 1), ("EC", 1),
    ("HN", 1), ("BO", 1),
    ("TR", 2), ("SA", 1), ("AE", 1), ("JO", 1), ("LB", 1), ("IQ", 1), ("IR", 1), ("IL", 1),
    ("US", 7), ("CA", 2), ("GB", 4), ("DE", 3), ("FR", 3), ("ES", 2), ("IT", 2), ("NL", 2), ("SE", 1),
    ("PL", 1), ("UA", 2), ("RU", 1), ("IE", 1), ("BE", 1), ("CH", 1),
    ("CN", 2), ("JP", 1), ("KR", 1), ("TW", 1), ("AU", 1), ("NZ", 1), ("FJ", 1), ("PG", 1),
]
SPANISH = {"MX", "CO", "AR", "PE", "CL", "GT", "VE", "EC", "HN", "BO", "ES"}
FRENCH = {"SN", "CI", "CM", "CD", "FR", "BE", "RW", "MA", "TN"}
ARABIC = {"EG", "SA", "AE", "JO", "LB", "IQ", "MA", "TN"}
FIRST_LANGUAGE = {
    **dict.fromkeys(SPANISH, "es"), **dict.fromkeys(FRENCH, "fr"), **dict.fromkeys(ARABIC, "ar"),
    "BR": "pt", "KE": "sw", "TZ": "sw", "UG": "en", "ET": "am", "IN": "hi", "PK": "ur", "BD": "bn",
    "ID": "id", "PH": "tl", "VN": "vi", "MM": "my", "TH": "th", "MY": "ms", "LK": "si", "NP": "ne",
    "KH": "km", "TR": "tr", "IR": "fa", "IL": "he", "DE": "de", "IT": "it", "NL": "nl", "SE": "sv",
    "PL": "pl", "UA": "uk", "RU": "ru", "CN": "zh", "JP": "ja", "KR": "ko", "TW": "zh", "CH": "de",
}
FIRST_NAMES = [
    "Amina", "Wanjiru", "Chinedu", "Fatou", "Kwame", "Thandiwe", "Yohannes", "Aisha", "Omar", "Layla",
    "Priya", "Arjun", "Ayesha", "Farhan", "Siti", "Maria", "José", "Lucía", "Ana", "João", "Camila",
    "Mateo", "Valentina", "Nguyễn", "Linh", "Aung", "Somchai", "Mehmet", "Elif", "Dariusz", "Olena",
    "Hannah", "James", "Sarah", "Émilie", "François", "Jürgen", "Ingrid", "Wei", "Yuki", "Min-jun",
    "Grace", "Tendai", "Nadia", "Hassan", "Sofía", "Diego", "Raúl", "Noor", "Kiri", "Mele",
]
LAST_NAMES = [
    "Mwangi", "Okafor", "Diallo", "Mensah", "Ndlovu", "Tesfaye", "Haddad", "Khalil", "Sharma", "Patel",
    "Rahman", "Hussain", "Santoso", "García", "Rodríguez", "Martínez", "Silva", "Oliveira", "López",
    "Hernández", "Pérez", "Nguyễn", "Trần", "Win", "Suksawat", "Yılmaz", "Kowalski", "Shevchenko",  # noqa: RUF001 (Turkish dotless i)
    "Smith", "Johnson", "Dubois", "Müller", "Johansson", "Wang", "Tanaka", "Kim", "Banda", "Moyo",
    "Abdullah", "Cruz", "Reyes", "Fernández", "Gómez", "Díaz", "Ahmed", "Osei", "Kamau", "Otieno",
]
ORG_PREFIXES = ["Coalition for", "Centre for", "Network for", "Alliance for", "Foundation for", "Institute of",
                "Association for", "Collective for", "Observatory of", "Union for"]
ORG_TOPICS = ["Digital Rights", "Internet Freedom", "Data Justice", "Privacy", "Free Expression",
              "Workers' Rights", "Indigenous Rights", "Women's Rights", "Press Freedom", "Open Technology",
              "Child Online Safety", "Refugee Rights", "Accessible Technology", "Land Rights", "Civic Space"]
TAG_NAMES = [
    "Privacy", "Data retention", "Location data", "Content moderation", "Hate speech", "Disinformation",
    "Election integrity", "Encryption", "Surveillance", "Law enforcement requests", "Facial recognition",
    "Algorithmic bias", "Accessibility", "Child safety", "Gender-based violence", "Labour conditions",
    "Gig workers", "Supply chain", "Transparency reporting", "Appeals", "Language coverage",
    "Local context", "Account security", "Harassment", "Doxxing", "Internet shutdowns", "Advertising",
    "Recommender systems", "Generative AI", "Deepfakes", "Cross-border data", "Consent", "Remedy",
    "Grievance mechanism", "Minority languages", "Journalist safety", "Human rights defenders",
    "Protest", "Health information", "Financial inclusion",
]
TOPICS = [
    "location data retention", "content moderation in local languages", "facial recognition in public spaces",
    "government data requests", "end-to-end encryption", "political advertising", "recommender systems",
    "the appeals process", "gig worker ratings", "generative AI in elections", "child safety features",
    "account takeover protection", "internet shutdown resilience", "supplier audits", "transparency reports",
]
GROUPS = ["women journalists", "rural users", "migrant workers", "human rights defenders", "LGBTIQ+ users",
          "indigenous communities", "people with disabilities", "older users", "students", "local NGOs",
          "delivery riders", "content moderators", "small businesses", "opposition activists", "parents"]
ASKS = [
    "Please publish how long {topic} is kept and who can access it.",
    "{groups} in our region are not protected by the current approach to {topic}.",
    "Moderation of {topic} misses slang in our language; hire local reviewers.",
    "Before launching changes to {topic}, consult {groups} directly, not only through capitals.",
    "The reporting tools around {topic} are hard to find and only in English.",
    "We need a way to appeal decisions on {topic} that answers within days, not months.",
    "Explain in plain words how {topic} works and what it means for {groups}.",
    "Stop sharing data about {topic} with authorities without a court order.",
    "Give {groups} a safe channel to raise concerns about {topic} without being exposed.",
    "Audit the impact of {topic} on {groups} every year and publish the results.",
]
RATIONALES = [
    "We will publish the retention period in the next transparency report.",
    "The change conflicts with a legal obligation in the jurisdiction; we explain the limits in the report.",
    "We adopted the local reviewer programme for three languages; the others follow next year.",
    "The cost outweighed the benefit for now; we will reassess when the product is redesigned.",
    "We changed the default setting; the opt-out you asked for is not technically possible yet.",
    "Partly adopted: the appeals window is shorter, but automated decisions remain for spam.",
    "Not adopted: the data is needed for fraud prevention; we reduced the retention instead.",
]
NEXT_STEPS = [
    "The product council reviews the proposal at its next quarterly meeting.",
    "Legal is assessing the obligations in each affected country.",
    "Engineering is scoping the change for the next planning cycle.",
]
PLACES = ["Nairobi", "Lagos", "Johannesburg", "Cairo", "Dakar", "Mumbai", "Jakarta", "Manila", "São Paulo",
          "Mexico City", "Bogotá", "Istanbul", "Amman", "Berlin", "London", "Washington", "Online", "Kyiv"]

OUTCOME_WEIGHTS = [(Outcome.ADOPTED, 30), (Outcome.PARTLY_ADOPTED, 25), (Outcome.NOT_ADOPTED, 30),
                   (Outcome.UNDER_CONSIDERATION, 15)]
FINAL_OUTCOMES = [Outcome.ADOPTED, Outcome.PARTLY_ADOPTED, Outcome.NOT_ADOPTED]
FUNCTIONS = list(Function.values)
# Inputs each speaker gives, by engagement type: interviews are long, surveys short.
PER_SPEAKER = {
    EngagementType.INTERVIEW: 40.0, EngagementType.WORKSHOP: 4.0, EngagementType.ADVISORY_COUNCIL: 6.0,
    EngagementType.SURVEY: 1.5, EngagementType.PUBLIC_CONSULTATION: 2.5, EngagementType.REGIONAL_ASSESSMENT: 3.0,
}
DURATION_DAYS = {
    EngagementType.INTERVIEW: (0, 1), EngagementType.WORKSHOP: (0, 2), EngagementType.ADVISORY_COUNCIL: (0, 0),
    EngagementType.SURVEY: (14, 45), EngagementType.PUBLIC_CONSULTATION: (30, 90),
    EngagementType.REGIONAL_ASSESSMENT: (14, 60),
}


def weighted(pairs):
    values = [v for v, _w in pairs]
    cum = []
    total = 0
    for _v, w in pairs:
        total += w
        cum.append(total)
    return values, cum, total


def pick(rng: random.Random, table) -> object:
    values, cum, total = table
    return values[bisect_right(cum, rng.random() * total)]


COUNTRY_TABLE = weighted(COUNTRY_WEIGHTS)
OUTCOME_TABLE = weighted(OUTCOME_WEIGHTS)
ALL_COUNTRIES = [c.code for c in countries.all_countries() if c.region_code]


# ---------------------------------------------------------------------------
# Writing rows in bulk
# ---------------------------------------------------------------------------

class BulkWriter:
    """Append rows to one table: COPY on PostgreSQL, executemany on SQLite, in batches."""

    BATCH = 20_000

    def __init__(self, model: type[models.Model], fields: list[str], table: str | None = None,
                 columns: list[str] | None = None):
        self.table = table or model._meta.db_table
        # Columns the rows leave out but the table requires (a field added since the generator was written, with a
        # default in Django, not in the database): written with the field's default, as the ORM would.
        self.defaults: tuple = ()
        if columns is None:
            model_fields = [model._meta.get_field(name) for name in fields]
            named = {f.column for f in model_fields}
            missing = [f for f in model._meta.concrete_fields
                       if f.column not in named and not f.primary_key and not f.null and not f.is_relation
                       and (f.has_default() or f.empty_strings_allowed)]
            self.defaults = tuple(f.get_default() for f in missing)
            model_fields += missing
            columns = [f.column for f in model_fields]
            kinds = [f.get_internal_type() for f in model_fields]
        else:
            kinds = ["" for _ in columns]
        self.columns = columns
        self.vendor = connection.vendor
        self.convert = self._converters(kinds)
        self.rows: list[tuple] = []
        self.written = 0
        quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
        name = connection.ops.quote_name(self.table)
        if self.vendor == "postgresql":
            self.sql = f"COPY {name} ({quoted}) FROM STDIN"
        else:
            # Table and column names come from the models, never from input.
            self.sql = f"INSERT INTO {name} ({quoted}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608

    def _converters(self, kinds: list[str]):
        # Store values exactly as Django does: naive UTC datetimes in ISO form on SQLite, JSON as text.
        def as_text(value):
            return None if value is None else str(value)

        def as_json(value):
            return json.dumps(value)

        def as_hex(value):
            return value.hex  # Django keeps UUIDs as 32 hex characters on SQLite

        converters = []
        for kind in kinds:
            if kind == "JSONField":
                converters.append(as_json)
            elif self.vendor == "sqlite" and kind == "UUIDField":
                converters.append(as_hex)
            elif self.vendor == "sqlite" and kind in ("DateTimeField", "DateField"):
                converters.append(as_text)
            else:
                converters.append(None)
        if not any(converters):
            return None
        return converters

    def add(self, row: tuple) -> None:
        self.rows.append(row + self.defaults if self.defaults else row)
        if len(self.rows) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        rows = self.rows
        if self.convert:
            pairs = list(enumerate(self.convert))
            rows = [tuple(row[i] if f is None else f(row[i]) for i, f in pairs) for row in rows]
        raw = connection.cursor().cursor
        if self.vendor == "postgresql":
            with raw.copy(self.sql) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            with connection.cursor() as cursor:
                cursor.executemany(self.sql, rows)
        self.written += len(rows)
        self.rows = []


# ---------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------

class Person:
    """What the generator remembers about a stakeholder to make later rows consistent with the rules."""

    __slots__ = (
        "contact",
        "has_email",
        "has_messenger",
        "has_phone",
        "has_post",
        "id",
        "key",
        "kind",
        "language",
        "may_attribute",
        "name",
        "report_language",
        "safe_channels",
        "safety",
    )


class Generator:
    def __init__(self, scale: float, seed: int, log):
        self.rng = random.Random(seed)
        self.scale = scale
        self.log = log
        self.n_stakeholders = max(200, round(100_000 * scale))
        self.n_engagements = max(20, round(10_000 * scale))
        self.n_inputs = max(2_000, round(1_000_000 * scale))
        self.now = timezone.now().replace(tzinfo=None)  # naive UTC, as stored
        self.word_tokens: dict[str, str] = {}
        self.today = timezone.localdate()
        self.next_id = {}
        self.counts: dict[str, int] = {}

    def new_id(self, key: str) -> int:
        value = self.next_id.get(key, 0) + 1
        self.next_id[key] = value
        return value

    def rand_time(self, start: datetime.datetime, end: datetime.datetime) -> datetime.datetime:
        if end <= start:
            return start
        span = (end - start).total_seconds()
        return start + datetime.timedelta(seconds=self.rng.random() * span)

    # -- people ------------------------------------------------------------

    def setup_organisation(self):
        organisation = Organisation.objects.create(name="Loop Scale Networks", slug=ORG_SLUG)
        members = [("bench-hr-lead", Role.HR_LEAD, ""), ("bench-hr-2", Role.HR_LEAD, ""),
                   ("bench-admin", Role.ADMIN, ""), ("bench-board", Role.BOARD, "")]
        members += [(f"bench-dm-{f}", Role.DECISION_MAKER, f) for f in FUNCTIONS]
        self.users = {}
        for username, role, function in members:
            membership = add_member(
                organisation=organisation, username=username, email=f"{username}@example.org",
                first_name=username.split("-")[-1].title(), last_name="Bench", password=None,
                role=role, function=function, by=None,
            )
            self.users[username] = membership.user.pk
        self.organisation = organisation
        self.hr_users = [self.users["bench-hr-lead"], self.users["bench-hr-2"], self.users["bench-admin"]]
        self.dm_user = {f: self.users[f"bench-dm-{f}"] for f in FUNCTIONS}
        self.tags = []
        for name in TAG_NAMES:
            self.tags.append(Tag.objects.create(organisation=organisation, name=name).pk)

    def new_uid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    @staticmethod
    def seal(key, label: str, field: str, uid: uuid.UUID, value: str) -> bytes:
        """Seal a value exactly as the model would (core.sealing.SealedModel.sealing_aad)."""
        return key.seal(value, f"{label}|{field}|{uid}".encode()) if value else b""

    def name_tokens(self, org: int, name: str) -> list[str]:
        tokens = []
        for word in name_words(name):
            if word not in self.word_tokens:
                self.word_tokens[word] = sealing.blind_index(org, word)
            tokens.append(self.word_tokens[word])
        return tokens

    def generate_stakeholders(self):
        # One transaction: traits and consents may be written before the stakeholders they refer to.
        with transaction.atomic():
            self._generate_stakeholders()

    def _generate_stakeholders(self):
        rng = self.rng
        org = self.organisation.pk
        people = self.people = []
        self.proxies = []
        stakeholders = BulkWriter(Stakeholder, [
            "id", "organisation", "uid", "sealed_key", "entity_type", "name_sealed", "kind",
            "country", "region_code", "subregion_code", "global_south", "email_sealed",
            "email_index", "phone_sealed", "messenger_handle_sealed", "postal_address_sealed", "preferred_language",
            "preferred_channel", "accessibility_needs_sealed", "safety_level", "notes_sealed", "created_by",
            "created_at", "updated_at",
        ])
        traits = BulkWriter(StakeholderTrait, ["id", "stakeholder", "dimension", "code"])
        tokens = BulkWriter(NameToken, ["id", "stakeholder", "token"])
        grants = BulkWriter(StakeholderGrant, ["id", "stakeholder", "user", "reason", "granted_by", "granted_at"])
        consents = BulkWriter(ConsentRecord, [
            "id", "uid", "stakeholder", "scope", "granted", "method", "given_on", "notes_sealed", "recorded_by",
            "recorded_at", "withdrawn_at",
        ])
        label = Stakeholder._meta.label_lower
        rights_codes = [code for code, _label in rights_taxonomy.choices()]
        at_risk_values = list(AtRisk.values)
        start = self.now - datetime.timedelta(days=5 * 365)
        registered_until = self.now - datetime.timedelta(days=4 * 365)
        for _n in range(self.n_stakeholders):
            sid = self.new_id("stakeholder")
            roll = rng.random()
            kind = (Kind.AFFECTED if roll < 0.45 else Kind.PROXY if roll < 0.55
                    else Kind.EXPERT if roll < 0.85 else Kind.OTHER)
            person_share = {Kind.AFFECTED: 0.85, Kind.PROXY: 0.05, Kind.EXPERT: 0.6, Kind.OTHER: 0.3}[kind]
            entity = EntityType.PERSON if rng.random() < person_share else EntityType.ORGANISATION
            country = "" if rng.random() < 0.04 else (
                rng.choice(ALL_COUNTRIES) if rng.random() < 0.08 else pick(rng, COUNTRY_TABLE))
            info = countries.get(country) if country else None
            if entity == EntityType.PERSON:
                name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            else:
                place = info.name if info and rng.random() < 0.6 else ""
                name = f"{rng.choice(ORG_PREFIXES)} {rng.choice(ORG_TOPICS)} {place}".strip()
            risk_roll = rng.random()
            if kind == Kind.AFFECTED:
                safety = (SafetyLevel.NORMAL if risk_roll < 0.7 else SafetyLevel.ELEVATED if risk_roll < 0.9
                          else SafetyLevel.HIGH)
            else:
                safety = (SafetyLevel.NORMAL if risk_roll < 0.9 else SafetyLevel.ELEVATED if risk_roll < 0.98
                          else SafetyLevel.HIGH)
            # Traits.
            first = FIRST_LANGUAGE.get(country, "en")
            langs = {first}
            if first != "en" and rng.random() < 0.5:
                langs.add("en")
            if rng.random() < 0.12:
                langs.add(rng.choice(["fr", "es", "ar", "pt", "sw", "ru", "zh", "hi"]))
            at_risk = set()
            if kind == Kind.AFFECTED:
                for _k in range(rng.choice((0, 0, 1, 1, 1, 2))):
                    at_risk.add(rng.choice(at_risk_values))
            elif rng.random() < 0.08:
                at_risk.add(rng.choice([AtRisk.JOURNALIST, AtRisk.HUMAN_RIGHTS_DEFENDER]))
            if at_risk & {AtRisk.JOURNALIST, AtRisk.HUMAN_RIGHTS_DEFENDER, AtRisk.POLITICAL_DISSIDENT} and \
                    safety == SafetyLevel.NORMAL and rng.random() < 0.5:
                safety = SafetyLevel.ELEVATED
            safe_channels = set()
            if safety != SafetyLevel.NORMAL:
                options = [Channel.SECURE_MESSENGER, Channel.IN_PERSON, Channel.VIA_PROXY]
                safe_channels = set(rng.sample(options, rng.choice((1, 2))))
            rights, techs = set(), set()
            if kind in (Kind.EXPERT, Kind.PROXY):
                rights = set(rng.sample(rights_codes, rng.choice((1, 2, 3))))
                techs = set(rng.sample(list(Technology.values), rng.choice((1, 2))))
            # Contact details.
            slug = slugify(name_key(name)).replace("-", ".")[:30] or "contact"
            has_email = rng.random() < (0.75 if entity == EntityType.PERSON else 0.9)
            email = f"{slug}.{sid}@example.{'org' if entity == EntityType.ORGANISATION else 'net'}" if has_email else ""
            phone = f"+{rng.randint(1, 299)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}" \
                if rng.random() < 0.5 else ""
            messenger = f"@{slug[:20]}{sid}" if rng.random() < (0.6 if safe_channels else 0.15) else ""
            postal = f"{rng.randint(1, 300)} Main Street, {info.name if info else 'Unknown'}" \
                if rng.random() < 0.2 else ""
            preferred_language = first if rng.random() < 0.6 else ""
            created = self.rand_time(start, registered_until)
            uid = self.new_uid()
            wrapped, key = sealing.new_person_key(org, uid)
            accessibility = "Needs materials in large print" if rng.random() < 0.02 else ""
            stakeholders.add((
                sid, org, uid, wrapped, entity, self.seal(key, label, "name", uid, name), kind,
                country, info.region_code if info else "", info.subregion_code if info else "",
                info.global_south if info else None, self.seal(key, label, "email", uid, email),
                sealing.blind_index(org, email) if email else "", self.seal(key, label, "phone", uid, phone),
                self.seal(key, label, "messenger_handle", uid, messenger),
                self.seal(key, label, "postal_address", uid, postal), preferred_language,
                Channel.EMAIL if has_email else (Channel.SECURE_MESSENGER if messenger else Channel.IN_PERSON),
                self.seal(key, label, "accessibility_needs", uid, accessibility), safety,
                b"", self.hr_users[0], created, created,
            ))
            for token in self.name_tokens(org, name):
                tokens.add((self.new_id("name_token"), sid, token))
            if safety == SafetyLevel.HIGH:
                # As register_stakeholder does: whoever registers a protected person holds a grant.
                grants.add((self.new_id("grant"), sid, self.hr_users[0], "registered this stakeholder",
                            self.hr_users[0], created))
            for dimension, codes in ((Trait.LANGUAGE, langs), (Trait.AT_RISK, at_risk), (Trait.RIGHT, rights),
                                     (Trait.TECHNOLOGY, techs), (Trait.SAFE_CHANNEL, safe_channels)):
                for code in sorted(codes):
                    traits.add((self.new_id("trait"), sid, dimension, code))
            # Consent: most people agree to contact; a third to attribution; a few refuse contact.
            contact = None
            attribute = None
            if rng.random() < 0.8:
                contact = rng.random() >= 0.02 or kind == Kind.PROXY
                consents.add((self.new_id("consent"), self.new_uid(), sid, ConsentScope.CONTACT, contact,
                              rng.choice(ConsentMethod.values), created.date(), b"", self.hr_users[0],
                              created, None))
            if entity == EntityType.PERSON and rng.random() < 0.5:
                attribute = rng.random() < 0.6
                consents.add((self.new_id("consent"), self.new_uid(), sid, ConsentScope.ATTRIBUTE_INPUTS, attribute,
                              rng.choice(ConsentMethod.values), created.date(), b"", self.hr_users[0],
                              created, None))
            if rng.random() < 0.4:
                consents.add((self.new_id("consent"), self.new_uid(), sid, ConsentScope.STORE_IDENTITY, True,
                              rng.choice(ConsentMethod.values), created.date(), b"", self.hr_users[0],
                              created, None))
            p = Person()
            p.id, p.name, p.kind, p.safety, p.key = sid, name, kind, safety, key
            p.has_email, p.has_phone, p.has_post, p.has_messenger = has_email, bool(phone), bool(postal), \
                bool(messenger)
            p.safe_channels = frozenset(safe_channels)
            p.contact = contact
            p.may_attribute = safety != SafetyLevel.HIGH and attribute is True
            p.language = first
            p.report_language = stakeholder_language(
                [c for c in [preferred_language, *sorted(langs)] if c], country=country,
                organisation_language=self.organisation.default_language)
            people.append(p)
            if kind == Kind.PROXY:
                self.proxies.append(p)
        for writer in (stakeholders, traits, tokens, grants, consents):
            writer.flush()
        # Every credible proxy speaks for an affected group (stakeholders.Representation).
        group = AffectedGroup.objects.create(organisation_id=org,
                                             name="Communities affected by platform decisions in the region")
        Representation.objects.bulk_create([Representation(
            proxy_id=p.id, group=group,
            legitimacy_basis="Elected by its member organisations; recognised by the communities it serves",
        ) for p in self.proxies], batch_size=5000)
        self.counts.update(stakeholders=stakeholders.written, traits=traits.written, consents=consents.written,
                           name_tokens=tokens.written, grants=grants.written)

    # -- engagements ---------------------------------------------------------

    def plan_engagements(self) -> list[dict]:
        rng = self.rng
        n = self.n_engagements
        first_day = self.today - datetime.timedelta(days=4 * 365)
        plans = []
        for _n in range(n):
            starts = first_day + datetime.timedelta(days=rng.randint(0, 4 * 365 + 45))
            plans.append({"starts_on": starts})
        plans.sort(key=lambda p: p["starts_on"])
        for plan in plans:
            plan["id"] = self.new_id("engagement")
        # How many inputs each engagement gets: most 20-200, about 1% exactly 500, none before it starts.
        active = [p for p in plans if p["starts_on"] <= self.today]
        for p in plans:
            p["size"] = 0
        silent = {id(p) for p in rng.sample(active, max(1, len(active) // 200))}
        candidates = [p for p in active if id(p) not in silent]
        n_big = max(1, round(len(candidates) * 0.01))
        past = [p for p in candidates if p["starts_on"] < self.today - datetime.timedelta(days=200)]
        big = rng.sample(past or candidates, n_big)
        for p in big:
            p["size"] = 500
        regular = [p for p in candidates if p["size"] == 0]
        budget = self.n_inputs - 500 * n_big
        raw = [rng.triangular(20, 200, 50) for _ in regular]
        factor = budget / sum(raw)
        sizes = [min(200, max(20, round(r * factor))) for r in raw]
        diff = budget - sum(sizes)
        order = list(range(len(sizes)))
        rng.shuffle(order)
        for i in order:  # absorb the rounding within 20-200 where there is room
            if diff == 0:
                break
            step = max(-(sizes[i] - 20), min(200 - sizes[i], diff))
            sizes[i] += step
            diff -= step
        if diff and sizes:  # only at tiny scales: let one engagement take the rest
            sizes[order[0]] = max(1, sizes[order[0]] + diff)
        for p, size in zip(regular, sizes, strict=True):
            p["size"] = size
        # Remedy dialogues are opened by a grievance's remedy plan, never planned as engagements of their own.
        types = [value for value in EngagementType.values if value != EngagementType.REMEDY_DIALOGUE]
        for p in plans:
            size = p["size"]
            if size >= 300:
                etype = rng.choice([EngagementType.PUBLIC_CONSULTATION, EngagementType.SURVEY])
            elif size >= 120:
                etype = rng.choice([EngagementType.PUBLIC_CONSULTATION, EngagementType.SURVEY,
                                    EngagementType.REGIONAL_ASSESSMENT, EngagementType.WORKSHOP])
            else:
                etype = rng.choice(types)
            lo, hi = DURATION_DAYS[etype]
            p["type"] = etype
            p["ends_on"] = p["starts_on"] + datetime.timedelta(days=rng.randint(lo, hi))
            days = 60 if rng.random() < 0.85 else rng.choice((30, 45, 90))
            p["feedback_due_on"] = p["ends_on"] + datetime.timedelta(days=days)
        # Engagements still running have heard only part of what they will: move the rest elsewhere so
        # the total stays exact.
        deficit = 0
        for p in plans:
            if p["size"] and p["starts_on"] <= self.today <= p["ends_on"]:
                elapsed = (self.today - p["starts_on"]).days + 1
                reduced = max(1, round(p["size"] * elapsed / ((p["ends_on"] - p["starts_on"]).days + 1)))
                deficit += p["size"] - reduced
                p["size"] = reduced
        done = [p for p in regular if p["ends_on"] < self.today]
        while deficit and done:
            p = rng.choice(done)
            step = min(deficit, 200 - p["size"]) if p["size"] < 200 else (deficit if len(done) == 1 else 0)
            p["size"] += step
            deficit -= step
        return plans

    def generate_engagements(self, plans: list[dict], chunk: int = 250):
        org = self.organisation.pk
        engagement_rows = BulkWriter(Engagement, [
            "id", "organisation", "title", "type", "phases", "purpose", "starts_on", "ends_on", "location",
            "information_handling", "handling_notes", "attending_functions", "feedback_due_on", "owner",
            "created_by", "created_at", "inputs_count", "decided_count", "participants_with_inputs",
            "participants_closed", "loop_state", "loop_closed_at",
        ])
        self.writers = {
            "participation": BulkWriter(Participation, [
                "id", "uid", "engagement", "stakeholder", "via_proxy", "direct_override_reason_sealed",
                "direct_override_by",
                "direct_override_at", "added_at", "inputs_count", "undecided_count", "last_decision_at",
                "last_feedback_at", "last_feedback_covers", "loop_closed",
            ]),
            "input": BulkWriter(Input, [
                "id", "uid", "organisation", "engagement", "speaker", "attribution", "text_sealed", "language",
                "owning_function", "recorded_by", "recorded_at", "idempotency_key", "triaged_at",
                "current_decision", "outcome", "decided_at",
            ]),
            "decision": BulkWriter(Decision, [
                "id", "organisation", "input", "revision", "outcome", "rationale", "next_step", "next_step_due",
                "function", "decided_by", "decided_at",
            ]),
            "tag": BulkWriter(None, [], table=Input.tags.through._meta.db_table,
                              columns=["id", Input.tags.through._meta.get_field("input").column,
                                       Input.tags.through._meta.get_field("tag").column]),
            "report": BulkWriter(FeedbackReport, [
                "id", "uid", "organisation", "engagement", "participation", "language", "subject", "body_sealed",
                "channel",
                "status", "note", "covers_decisions_until", "created_by", "created_at", "delivered_at",
                "days_to_feedback", "is_first", "failure",
            ]),
        }
        self.texts = [ask.format(topic=t, groups=g.capitalize() if ask.startswith("{") else g)
                      for ask in ASKS for t in TOPICS for g in GROUPS]
        for start in range(0, len(plans), chunk):
            with transaction.atomic():
                for plan in plans[start:start + chunk]:
                    engagement_rows.add(self.engagement(plan, org))
                    # Engagements first: the rows below refer to them (checked at commit).
                engagement_rows.flush()
                for writer in self.writers.values():
                    writer.flush()
            done = min(len(plans), start + chunk)
            if done % 2000 < chunk or done == len(plans):
                self.log(f"  engagements {done}/{len(plans)}, inputs {self.writers['input'].written}")
        self.counts["engagements"] = engagement_rows.written
        for key, writer in self.writers.items():
            self.counts[key + "s"] = writer.written

    def stage(self, plan) -> str:
        if plan["starts_on"] > self.today:
            return "future"
        if plan["ends_on"] >= self.today:
            return "running"
        if plan["feedback_due_on"] >= self.today:
            return "awaiting"
        return "past"

    def engagement(self, plan: dict, org: int) -> tuple:
        rng = self.rng
        eid = plan["id"]
        etype = plan["type"]
        starts, ends, due = plan["starts_on"], plan["ends_on"], plan["feedback_due_on"]
        stage = self.stage(plan)
        size = plan["size"]
        start_dt = datetime.datetime.combine(starts, datetime.time(8))
        end_dt = min(datetime.datetime.combine(ends, datetime.time(18)), self.now - HOUR)
        due_dt = datetime.datetime.combine(due, datetime.time(17))
        created_at = min(start_dt - datetime.timedelta(days=rng.randint(7, 40)), self.now - DAY)
        owner = rng.choice(self.hr_users)
        topic = rng.choice(TOPICS)
        place = rng.choice(PLACES)
        title = f"{EngagementType(etype).label}: {topic} ({place}, {starts.year})"
        topic_tags = rng.sample(self.tags, 4)

        # Where this loop is: running engagements have recorded only part of what they will hear.
        closing = stage == "past" and rng.random() < (0.65 if (self.today - due).days < 180 else 0.93)
        if stage == "past" and not closing:
            decide_share = rng.uniform(0.6, 0.98)
            tell_share = rng.uniform(0.2, 0.7)
        elif stage == "awaiting":
            progress = (self.today - ends).days / max(1, (due - ends).days)
            decide_share = 0.1 + 0.85 * progress
            tell_share = progress * 0.8
        elif stage == "running":
            decide_share, tell_share = 0.03, 0.0
        else:
            decide_share, tell_share = 1.0, 1.0

        # Who takes part.
        n_speakers = 0
        if size:
            per = PER_SPEAKER[etype]
            n_speakers = max(1, min(size, round(size / (per * rng.uniform(0.7, 1.3)))))
        n_silent = max(0, round(n_speakers * rng.uniform(0.0, 0.2)))
        if stage == "future" and rng.random() < 0.5:
            n_silent = rng.randint(3, 20)
        chosen: list[Person] = []
        seen = set()
        people = self.people
        active = max(1, len(people) // 5)
        while len(chosen) < n_speakers + n_silent and len(seen) < len(people):
            index = rng.randrange(active) if rng.random() < 0.5 else rng.randrange(len(people))
            if index in seen:
                continue
            seen.add(index)
            chosen.append(people[index])
        participations = []
        writers = self.writers
        for person in chosen:
            pid = self.new_id("participation")
            via = None
            override = ("", None, None)
            added = self.rand_time(created_at, start_dt)
            wants_proxy = person.safety == SafetyLevel.HIGH or person.contact is False or (
                person.kind == Kind.AFFECTED and rng.random() < 0.05)
            if wants_proxy and person.kind != Kind.PROXY:
                if person.safety == SafetyLevel.HIGH and person.contact is not False and rng.random() < 0.1:
                    override = ("Met in a closed session at their request; no contact details kept.",
                                self.hr_users[0], added)
                else:
                    via = rng.choice(self.proxies)
                    while via.id == person.id:
                        via = rng.choice(self.proxies)
            participations.append({"id": pid, "person": person, "via": via, "override": override,
                                   "added": added, "inputs": [], "reports": []})
        speakers = participations[:n_speakers]

        # What they said, and what was decided.
        cumulative = []
        total = 0.0
        for _s in speakers:
            total += rng.paretovariate(2.0)
            cumulative.append(total)
        recorded = sorted(self.rand_time(start_dt, end_dt) for _ in range(size))
        decided_total = 0
        last_event = None
        undecided_inputs = 0
        pending_inputs = []
        for when in recorded:
            iid = self.new_id("input")
            speaker = None
            if speakers and rng.random() >= 0.05:
                index = bisect_right(cumulative, rng.random() * total)
                speaker = speakers[min(len(speakers) - 1, index)]
            person = speaker["person"] if speaker else None
            if person is not None and person.may_attribute and rng.random() < 0.8:
                attribution = Attribution.ATTRIBUTED
            else:
                attribution = Attribution.ANONYMISED
            function = rng.choice(FUNCTIONS) if rng.random() < 0.97 else ""
            decided = rng.random() < decide_share
            if not decided and rng.random() < 0.25:
                function = ""
            triaged = self.rand_time(when, min(when + 10 * DAY, self.now)) if function else None
            revisions = []
            if decided:
                first_possible = max(when, triaged or when) + HOUR
                if closing:
                    window_end = max(first_possible + HOUR, min(due_dt - 2 * DAY, self.now))
                else:
                    window_end = max(first_possible + HOUR, self.now - HOUR)
                n_rev = 1 if rng.random() < 0.9 else (2 if rng.random() < 0.9 else 3)
                times = sorted(self.rand_time(first_possible, window_end) for _ in range(n_rev))
                for rev, at in enumerate(times, start=1):
                    if rev < n_rev:
                        outcome = Outcome.UNDER_CONSIDERATION if rng.random() < 0.7 else pick(rng, OUTCOME_TABLE)
                    else:
                        outcome = pick(rng, OUTCOME_TABLE) if n_rev == 1 else rng.choice(FINAL_OUTCOMES)
                    revisions.append((rev, outcome, at))
            item = {"id": iid, "speaker": speaker, "revisions": revisions}
            text = rng.choice(self.texts)
            language = person.language if person is not None and rng.random() < 0.4 else ""
            decision_rows = []
            for rev, outcome, at in revisions:
                did = self.new_id("decision")
                needs_why = outcome in (Outcome.PARTLY_ADOPTED, Outcome.NOT_ADOPTED)
                rationale = rng.choice(RATIONALES) if needs_why or rng.random() < 0.5 else ""
                considering = outcome == Outcome.UNDER_CONSIDERATION
                decider = self.dm_user[function] if function and rng.random() < 0.7 else rng.choice(self.hr_users)
                decision_rows.append((
                    did, org, iid, rev, outcome, rationale, rng.choice(NEXT_STEPS) if considering else "",
                    (at + datetime.timedelta(days=rng.randint(30, 180))).date() if considering else None,
                    function, decider, at,
                ))
            current = decision_rows[-1] if decision_rows else None
            input_uid = self.new_uid()
            input_key = person.key if person is not None else sealing.OrganisationKey(org)
            writers["input"].add((
                iid, input_uid, org, eid, speaker["id"] if speaker else None, attribution,
                self.seal(input_key, "engagements.input", "text", input_uid, text), language, function,
                rng.choice(self.hr_users), when, f"k{iid:x}" if rng.random() < 0.1 else "", triaged,
                current[0] if current else None, current[4] if current else "", current[10] if current else None,
            ))
            for row in decision_rows:
                writers["decision"].add(row)
            for tag in rng.sample(topic_tags, rng.choice((0, 1, 1, 1, 2, 2, 3))):
                writers["tag"].add((self.new_id("input_tag"), iid, tag))
            if current:
                decided_total += 1
                last_event = max(last_event or current[10], current[10])
            else:
                undecided_inputs += 1
            if speaker:
                speaker["inputs"].append(item)
            else:
                pending_inputs.append(item)

        # Loop closure: reports to the participants, computed as the feedback actions would.
        closed_people = 0
        with_inputs = 0
        for part in participations:
            self.feedback(part, plan, org, closing, tell_share, due_dt, title)
            if part["inputs"]:
                with_inputs += 1
                if part["closed"]:
                    closed_people += 1
                    if part["closed_at"] is not None:
                        last_event = max(last_event or part["closed_at"], part["closed_at"])
            via = part["via"]
            reason, by, at = part["override"]
            part_uid = self.new_uid()
            writers["participation"].add((
                part["id"], part_uid, eid, part["person"].id, via.id if via else None,
                self.seal(part["person"].key, "engagements.participation", "direct_override_reason", part_uid, reason),
                by, at, part["added"],
                len(part["inputs"]), part["undecided"], part["last_decision"], part["last_feedback"],
                part["covers"], part["closed"],
            ))
        state = engagement_loop_state(inputs=size, decided=decided_total, with_inputs=with_inputs,
                                      closed=closed_people)
        loop_closed_at = last_event if state == LoopState.CLOSED else None
        phases = sorted(rng.sample(list(Phase.values), rng.choice((1, 1, 2, 3))))
        functions = sorted(rng.sample(FUNCTIONS, rng.choice((0, 1, 2, 3))))
        return (
            eid, org, title, etype, phases, f"Hear {rng.choice(GROUPS)} on {topic} before the next release.",
            starts, ends, place, rng.choice(InformationHandling.values), "", functions, due, owner,
            owner, created_at, size, decided_total, with_inputs, closed_people, state, loop_closed_at,
        )

    def feedback(self, part: dict, plan: dict, org: int, closing: bool, tell_share: float,
                 due_dt: datetime.datetime, title: str) -> None:
        """Reports for one participant, then their loop counters, as loops.refresh_participation computes them."""
        rng = self.rng
        inputs = part["inputs"]
        finals = [i["revisions"][-1][2] for i in inputs if i["revisions"]]
        undecided = sum(1 for i in inputs if not i["revisions"])
        last_decision = max(finals) if finals else None
        part["undecided"] = undecided
        part["last_decision"] = last_decision
        reports = []  # (status, channel, created_at, delivered_at, covers)
        if inputs:
            person = part["person"]
            reach = Reach(
                safety_level=person.safety, safe_channels=person.safe_channels, has_email=person.has_email,
                has_phone=person.has_phone, has_postal_address=person.has_post, has_messenger=person.has_messenger,
                has_proxy=part["via"] is not None, contact_consented=person.contact is not False,
            )
            allowed = [c for c in Channel.values if permitted(reach, c)]
            others = [c for c in allowed if c != Channel.EMAIL]
            ends_dt = datetime.datetime.combine(plan["ends_on"], datetime.time(18))

            def covers_at(moment):
                times = [max((r[2] for r in i["revisions"] if r[2] <= moment), default=None) for i in inputs]
                times = [t for t in times if t is not None]
                return max(times) if times else None

            def deliver(moment):
                if Channel.EMAIL in allowed and (not others or rng.random() < 0.6):
                    if rng.random() < 0.03:  # a bounced email first, then the report by email again
                        reports.append((DeliveryStatus.FAILED, Channel.EMAIL, moment - 2 * DAY, None,
                                        covers_at(moment - 2 * DAY)))
                    reports.append((DeliveryStatus.SENT, Channel.EMAIL, moment - datetime.timedelta(minutes=3),
                                    moment, covers_at(moment)))
                elif others:
                    channel = Channel.VIA_PROXY if Channel.VIA_PROXY in others else rng.choice(others)
                    reports.append((DeliveryStatus.DELIVERED, channel, moment, moment, covers_at(moment)))

            all_decided = undecided == 0
            if closing and allowed:
                first = min(finals)
                if len(inputs) > 1 and rng.random() < 0.1 and last_decision - first > DAY:
                    deliver(self.rand_time(first + HOUR, last_decision - HOUR))  # an interim report
                latest = min(self.now - HOUR, max(due_dt, last_decision + 3 * DAY))
                deliver(self.rand_time(last_decision + HOUR, max(last_decision + 2 * HOUR, latest)))
            elif not closing and finals and allowed and rng.random() < tell_share:
                start = max(min(finals) + HOUR, ends_dt)
                moment = self.rand_time(start, self.now - HOUR)
                if all_decided and rng.random() < 0.7:
                    moment = self.rand_time(max(last_decision + HOUR, ends_dt), self.now - HOUR)
                deliver(moment)
            elif not closing and allowed and rng.random() < 0.01:
                reports.append((DeliveryStatus.QUEUED, Channel.EMAIL, self.now - HOUR, None, covers_at(self.now)))
        reports.sort(key=lambda r: r[2])
        delivered = [r for r in reports if r[0] in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)]
        last_feedback = max((r[3] for r in delivered), default=None)
        covers = max((r[4] for r in delivered if r[4] is not None), default=None)
        part["last_feedback"] = last_feedback
        part["covers"] = covers
        part["closed"] = participant_loop_closed(inputs=len(inputs), undecided=undecided,
                                                 last_decision_at=last_decision, last_feedback_covers=covers)
        # When this participant's loop closed for good: the first delivery covering their last decision.
        part["closed_at"] = None
        if part["closed"]:
            part["closed_at"] = min(r[3] for r in delivered if r[4] is not None and (
                last_decision is None or r[4] >= last_decision))
        person = part["person"]
        first_done = False
        for status, channel, created, delivered_at, covered in reports:
            is_delivered = status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED)
            body = (f"Dear {person.name},\n\nThank you for taking part in \"{title}\". This is what Loop Scale "
                    f"Networks did with what you told us.\n\nWHAT WE HEARD FROM YOU\n"
                    + "".join(f"- {self.texts[(i['id'] * 7) % len(self.texts)]}\n" for i in inputs[:8]))
            report_uid = self.new_uid()
            self.writers["report"].add((
                self.new_id("report"), report_uid, org, plan["id"], part["id"], person.report_language,
                f"What became of your input: {title}"[:200],
                self.seal(person.key, "engagements.feedbackreport", "body", report_uid, body), channel, status,
                "Handed over at the follow-up meeting" if channel == Channel.IN_PERSON else "",
                covered, rng.choice(self.hr_users), created, delivered_at,
                (delivered_at.date() - plan["ends_on"]).days if is_delivered else None,
                is_delivered and not first_done,
                "SMTPRecipientsRefused" if status == DeliveryStatus.FAILED else "",
            ))
            if is_delivered:
                first_done = True

    # -- after loading ---------------------------------------------------------

    def finish(self):
        if connection.vendor == "postgresql":
            through = Input.tags.through
            statements = connection.ops.sequence_reset_sql(no_style(), [
                Stakeholder, StakeholderTrait, ConsentRecord, Engagement, Participation, Input, Decision,
                through, FeedbackReport, Tag,
            ])
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                # What autovacuum does after a bulk load: statistics and the visibility map.
                cursor.execute("VACUUM ANALYZE")
        else:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def verify(organisation: Organisation, log, sample: int = 25) -> None:
    """Check the stored counters: globally in SQL, and for a sample against refresh_loop() itself."""
    from django.db.models import Count, F, Q

    engagements = Engagement.objects.for_organisation(organisation)
    wrong = engagements.annotate(
        n=Count("inputs"), d=Count("inputs", filter=~Q(inputs__outcome="")),
    ).exclude(n=F("inputs_count"), d=F("decided_count")).count()
    mismatched_inputs = Input.objects.for_organisation(organisation).filter(
        current_decision__isnull=False).exclude(outcome=F("current_decision__outcome")).count()
    log(f"  counter check: {wrong} engagements and {mismatched_inputs} inputs disagree with their rows")
    rng = random.Random(7)
    ids = list(engagements.values_list("pk", flat=True))
    differences = 0
    for pk in rng.sample(ids, min(sample, len(ids))):
        engagement = Engagement.objects.get(pk=pk)
        people = list(engagement.participations.all())
        before = ({f: getattr(engagement, f) for f in ENGAGEMENT_FIELDS},
                  [{f: getattr(p, f) for f in PARTICIPATION_FIELDS} for p in people])
        with transaction.atomic():
            refresh_loop(engagement, people)
            after = ({f: getattr(engagement, f) for f in ENGAGEMENT_FIELDS},
                     [{f: getattr(p, f) for f in PARTICIPATION_FIELDS} for p in people])
            transaction.set_rollback(True)
        if before != after:
            differences += 1
            log(f"    engagement {pk}: stored {before[0]} but refresh_loop gives {after[0]}")
    log(f"  refresh_loop check: {differences} of {min(sample, len(ids))} sampled engagements differ")
    if wrong or mismatched_inputs or differences:
        raise SystemExit("generated state is inconsistent with the actions' rules")


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def pages(organisation: Organisation) -> list[tuple[str, str]]:
    big = (Engagement.objects.for_organisation(organisation).filter(inputs_count=500)
           .order_by("-starts_on", "-id").first())
    if big is None:
        raise SystemExit("no engagement with 500 inputs")
    speaker = big.participations.order_by("-inputs_count", "id").first()
    return [
        ("dashboard", "/"),
        ("stakeholders: all", "/stakeholders/"),
        ("stakeholders: language=es, Global South", "/stakeholders/?language=es&global_south=yes"),
        ("stakeholders: search q=garcia", "/stakeholders/?q=garcia"),
        ("stakeholders: at_risk=journalist, Africa", "/stakeholders/?at_risk=journalist&region=002"),
        ("stakeholders: affected, Americas, page 2", "/stakeholders/?kind=affected&region=019&page=2"),
        (f"engagement inputs (500 inputs, {big.participations.count()} participants)",
         f"/engagements/{big.pk}/inputs/"),
        (f"feedback preview ({speaker.inputs_count} inputs)",
         f"/engagements/{big.pk}/feedback/{speaker.pk}/"),
    ]


def measure(organisation: Organisation, requests: int, warmup: int, log) -> list[dict]:
    user = User.objects.get(username="bench-hr-lead")
    assert Membership.objects.get(user=user, organisation=organisation).role == Role.HR_LEAD
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    mark_verified(client, user)  # past the second factor, as a real sign-in leaves the session
    results = []
    for label, url in pages(organisation):
        for _n in range(warmup):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        query_count = len(queries.captured_queries)  # read now: the next request resets the log
        timings = []
        for _n in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        timings.sort()
        result = {
            "page": label, "url": url, "queries": query_count,
            "p50": statistics.median(timings),
            "p95": timings[min(len(timings) - 1, math.ceil(0.95 * len(timings)) - 1)],
            "max": timings[-1], "bytes": len(response.content),
        }
        results.append(result)
        log(f"  {label}: p95 {result['p95']:.1f} ms, {result['queries']} queries")
    return results


def table(results: list[dict], target: float) -> str:
    lines = [f"| {'page':<58} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} | {'queries':>7} | target |",
             f"|{'-' * 60}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|--------|"]
    for r in results:
        ok = "ok" if r["p95"] < target else "MISS"
        lines.append(f"| {r['page']:<58} | {r['p50']:>7.1f} | {r['p95']:>7.1f} | {r['max']:>7.1f} | "
                     f"{r['queries']:>7} | {ok:<6} |")
    return "\n".join(lines)


def describe_database() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            mode = cursor.fetchone()[0]
            cursor.execute("select sqlite_version()")
            version = cursor.fetchone()[0]
        return f"SQLite {version} ({mode}) at {db['NAME']}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
    return f"PostgreSQL {version}, database {db['NAME']}"


def benchmark_arguments(description: str, *, scale_help: str, seed: int) -> argparse.ArgumentParser:
    """The options every scale benchmark takes (risk_scale.py builds on this one)."""
    parser = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help=scale_help)
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--target", type=float, default=150.0, help="p95 target in ms")
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run generated")
    parser.add_argument("--no-measure", action="store_true", help="only generate")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    return parser


def prepare_database(log) -> None:
    """Name the database, bring it to the current migrations and collect static files for the pages."""
    log(f"database: {describe_database()}")
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=0)
    except SystemExit:
        log("WARNING: the models have changes no migration creates (an index?): the database will lack them. "
            "Run `python manage.py makemigrations` locally first.")
    call_command("migrate", interactive=False, verbosity=0)
    # Pages render {% static %} as in production, which needs collected files (and a manifest, if any).
    manifest = getattr(staticfiles_storage, "manifest_name", None)
    root = Path(settings.STATIC_ROOT)
    if not root.exists() or (manifest and not (root / manifest).exists()):
        call_command("collectstatic", interactive=False, verbosity=0)


def log(message: str) -> None:
    print(message, flush=True)


def main() -> None:
    args = benchmark_arguments(__doc__, scale_help="1.0 = 100k stakeholders, 1M inputs", seed=20260101).parse_args()
    prepare_database(log)

    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    generation_seconds = None
    if organisation is None:
        if Organisation.objects.exists() or Stakeholder.objects.exists():
            raise SystemExit("the database holds other data: point DATABASE_URL at an empty database")
        generator = Generator(args.scale, args.seed, log)
        log(f"generating at scale {args.scale}: {generator.n_stakeholders} stakeholders, "
            f"{generator.n_engagements} engagements, {generator.n_inputs} inputs")
        started = time.perf_counter()
        generator.setup_organisation()
        generator.generate_stakeholders()
        log(f"  stakeholders done in {time.perf_counter() - started:.0f} s")
        generator.generate_engagements(generator.plan_engagements())
        generator.finish()
        generation_seconds = time.perf_counter() - started
        log(f"generated in {generation_seconds:.0f} s: "
            + ", ".join(f"{n} {k}" for k, n in generator.counts.items()))
        organisation = generator.organisation
        del generator  # measure a process whose heap looks like a server's, not the generator's
        gc.collect()
        verify(organisation, log)
    elif not args.reuse:
        raise SystemExit("the database already holds a generated data set: pass --reuse to measure it")
    else:
        log("reusing the generated data set")

    summary = {
        "database": describe_database(), "vendor": connection.vendor, "scale": args.scale,
        "generation_seconds": generation_seconds,
        "stakeholders": Stakeholder.objects.for_organisation(organisation).count(),
        "engagements": Engagement.objects.for_organisation(organisation).count(),
        "inputs": Input.objects.for_organisation(organisation).count(),
        "decided": Input.objects.for_organisation(organisation).decided().count(),
        "decisions": Decision.objects.filter(organisation=organisation).count(),
        "participations": Participation.objects.filter(engagement__organisation=organisation).count(),
        "reports": FeedbackReport.objects.for_organisation(organisation).count(),
        "loops": {state: Engagement.objects.for_organisation(organisation).filter(loop_state=state).count()
                  for state in LoopState.values},
        "overdue": Engagement.objects.for_organisation(organisation).overdue(timezone.localdate()).count(),
    }
    log("data: " + json.dumps({k: v for k, v in summary.items() if k not in ("database", "vendor")}))
    if args.no_measure:
        return
    log(f"measuring {args.requests} requests per page after {args.warmup} warm-up requests")
    results = measure(organisation, args.requests, args.warmup, log)
    print()
    print(table(results, args.target))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({**summary, "results": results}, indent=2, default=str))


if __name__ == "__main__":
    main()
