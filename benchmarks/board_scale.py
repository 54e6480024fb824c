#!/usr/bin/env python
"""Board-scale benchmark (issue 15, O1): the board view of an organisation with the loop-scale data set, the
risk-scale register, grievances, public consultations and the board's own records.

Generates one organisation straight into the database in large batches, reusing the other benchmarks'
generators with the rules the actions apply:

- the loop-scale data set (benchmarks/loop_scale.py, at its scale): 100,000 stakeholders, 10,000
  engagements, 1,000,000 sealed inputs with their decisions and feedback reports;
- the risk-scale register on top of it (benchmarks/risk_scale.py's RiskGenerator at its scale): 5,000 risks,
  50,000 mitigations with indicators and evidence, 1,000,000 risk-input links, context events and 20 strategic
  decisions; then here: effectiveness assessments of a sixth of the mitigations, reassessment flags, the
  decisions taken, signed off, awaiting the board or with conditions (some overdue);
- the grievance-scale mechanism (benchmarks/grievance_scale.py's GrievanceGenerator, in the same
  organisation): 100,000 cases with 1,000,000 sealed messages, remedy plans, appeals; and the UNGP 31
  self-assessment of the eight criteria;
- 8 public consultations on the data set's public-consultation engagements, 25,000 sealed responses each (one
  applied import), 12 final themes each, most of them decided, published pages and loop-closure sendings
  (written directly: consultation_scale.py runs the whole analysis pipeline, ~6 minutes per million rows);
- the board: 5 board members, 14 briefings, trainings, stakeholder sessions and field visits over almost three
  years (rightsloop.oversight.actions.record_briefing), and the board's reviews of most board-level risks
  (rightsloop.risks.actions.record_board_review).

It then measures, signed in as a board member (Django's test Client, in-process, past the second factor):

- the cold computation: rightsloop.oversight.board.compute() for the running quarter and year and the two
  before them (what the page reads for the change column): total seconds, SQL queries, and the seconds,
  queries and slowest query of each evidence source (site.evidence);
- /oversight/?period=<quarter> and ?period=<year> with the snapshot fresh: p50/p95/max (target p95 < 300 ms);
- the same pages stale: an audit-writing action (a board review recorded) before each request, so every
  request serves the stored snapshot and queues its refresh (the database task backend only enqueues);
- /api/v1/board with a bearer token (fresh);
- the board pack of the year: request_board_pack, then packs.render() in this process: wall time, pages, bytes.

Then (--measure reports or all) the public report (O2) and the open data (O3), for the last full year and the
running year:

- the report drafted through rightsloop.disclosure.report_actions as the human rights lead (its eight narrative
  sections and 3 salient issues tied to the most severe open risks), then reports.content(report) timed, each
  public table's rows (the app's queries) and the rest (checks, suppression, labels) apart, and the screening of
  the words against the register (redaction.Screen); then reviewed (which computes the content again), approved
  and published by the administrator, and the public page /r/<slug>/<period>/ requested anonymously (target:
  content + page < 10 s);
- the PDF: report_tasks.render_pdf(version): wall time, pages, bytes (target < 30 s);
- the open data: set_open_data(published=True) as the administrator, then publish_open_data(organisation) timed
  (every public table over every completed quarter), each table timed as above, with the release's size: rows,
  stored JSON and the CSV files (target < 60 s).

Any table whose rows take over 1 s has its slowest query explained (EXPLAIN ANALYZE on PostgreSQL). A previous
run's reports of those periods are deleted first, so the phase can run again on the same data.

    python benchmarks/board_scale.py --database sqlite --fresh          # /tmp/rl-bench-board/sqlite
    python benchmarks/board_scale.py --database postgresql --fresh      # rl_bench_board on 127.0.0.1
    python benchmarks/board_scale.py --database sqlite --scale 0.01 --fresh --folder /tmp/rl-bench-board/small
    python benchmarks/board_scale.py --database postgresql --reuse      # measure again
    python benchmarks/board_scale.py --database sqlite --reuse --measure reports   # the report and open data only

--fresh empties the scratch database first (drops and creates rl_bench_board); --reuse measures what a
previous run generated; --drop drops the PostgreSQL scratch database at the end. See docs/performance.md
("Board view at scale (issue 15)" and "Public report and open data at scale (issue 15)").
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import gc
import json
import logging
import math
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRATCH = Path(tempfile.gettempdir()) / "rl-bench-board"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAME = "rl_bench_board"
PG_ENV = dict(os.environ, PGHOST="127.0.0.1", PGPORT="5432", PGUSER="postgres")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", choices=["sqlite", "postgresql", "env"], default="sqlite",
                        help="sqlite: a file in a scratch folder; postgresql: the scratch database "
                             f"{PG_NAME} on 127.0.0.1:5432; env: DATABASE_URL as set")
    parser.add_argument("--folder", type=Path, default=None,
                        help=f"scratch folder (keys, SQLite file, static files, packs); default {SCRATCH}/<database>")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="1.0 = 1M inputs, 5k risks, 1M risk links, 100k grievances, 200k consultation responses")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
    parser.add_argument("--target", type=float, default=300.0, help="p95 target of the page and the API, ms")
    parser.add_argument("--seed", type=int, default=20261515)
    parser.add_argument("--fresh", action="store_true", help="empty the scratch database first")
    parser.add_argument("--reuse", action="store_true", help="measure the data a previous run generated")
    parser.add_argument("--no-measure", action="store_true", help="only generate")
    parser.add_argument("--measure", choices=["all", "board", "reports"], default="all",
                        help="board: the board view and pack; reports: the public report (O2) and the open data "
                             "(O3) of the last full year and the running year; all: both, the board first")
    parser.add_argument("--drop", action="store_true", help="PostgreSQL: drop the scratch database at the end")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    return parser.parse_args()


ARGS = arguments() if __name__ == "__main__" else None


def scratch_environment(args) -> None:
    """Point Django at the scratch database and folder before it is set up (never the checkout's var/)."""
    if args.database == "env":
        return
    folder = args.folder or SCRATCH / args.database
    if args.database == "sqlite":
        if args.fresh and folder.exists():
            shutil.rmtree(folder)
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'board.sqlite3'}"
    else:
        if args.fresh:
            subprocess.run(["dropdb", "--force", "--if-exists", PG_NAME], env=PG_ENV, check=True)  # noqa: S603, S607
            if folder.exists():
                shutil.rmtree(folder)
        query = f"SELECT 1 FROM pg_database WHERE datname = '{PG_NAME}'"  # noqa: S608 (a constant)
        exists = subprocess.run(["psql", "-tAc", query],  # noqa: S603, S607
                                env=PG_ENV, capture_output=True, text=True, check=True).stdout.strip()
        if not exists:
            subprocess.run(["createdb", PG_NAME], env=PG_ENV, check=True)  # noqa: S603, S607
        os.environ["DATABASE_URL"] = f"{PG_SERVER}/{PG_NAME}"
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["RIGHTSLOOP_VAR_DIR"] = str(folder)  # the keys that seal the data live with it


if ARGS is not None:
    scratch_environment(ARGS)

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loop_scale  # noqa: E402  (sets up Django for the checkout this file lives in)
import risk_scale  # noqa: E402  (sets loop_scale.ORG_SLUG: set again below)

loop_scale.ORG_SLUG = ORG_SLUG = "board-scale"  # the loop-scale generator creates its organisation under this slug

import grievance_scale  # noqa: E402
from django.apps import apps  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone, translation  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402
from loop_scale import BulkWriter, describe_database, pick  # noqa: E402

from rightsloop.accounts.actions import add_member, issue_api_token  # noqa: E402
from rightsloop.accounts.models import Membership, User  # noqa: E402
from rightsloop.accounts.roles import Role  # noqa: E402
from rightsloop.accounts.tests.factories import mark_verified  # noqa: E402
from rightsloop.accounts.viewer import Viewer  # noqa: E402
from rightsloop.consultations.models import (  # noqa: E402
    Consultation,
    ImportState,
    MessageRun,
    Response,
    ResponseImport,
    SendingState,
    Theme,
    ThemeDecision,
    ThemeStatus,
)
from rightsloop.core.models import Organisation  # noqa: E402
from rightsloop.core.periods import Period  # noqa: E402
from rightsloop.core.registry import site  # noqa: E402
from rightsloop.core.sealing import OrganisationKey, blind_index  # noqa: E402
from rightsloop.disclosure import actions as disclosure_actions  # noqa: E402
from rightsloop.disclosure import datapackage, redaction, report_actions, report_tasks, reports  # noqa: E402
from rightsloop.disclosure import tables as disclosure_tables  # noqa: E402
from rightsloop.disclosure.models import Licence, OpenDataRelease  # noqa: E402
from rightsloop.disclosure.redaction import WORD, Screen  # noqa: E402
from rightsloop.disclosure.report_models import Report  # noqa: E402
from rightsloop.engagements.models import Engagement, Input, Participation  # noqa: E402
from rightsloop.engagements.vocabulary import EngagementType, Outcome  # noqa: E402
from rightsloop.grievances.models import CaseMessage, Grievance, GrievanceSettings, SelfAssessment  # noqa: E402
from rightsloop.grievances.vocabulary import Assessment, Criterion  # noqa: E402
from rightsloop.oversight import actions as oversight_actions  # noqa: E402
from rightsloop.oversight import board, packs  # noqa: E402
from rightsloop.oversight.models import BoardBriefing, BoardPack, BoardSnapshot, BriefingKind  # noqa: E402
from rightsloop.risks import actions as risk_actions  # noqa: E402
from rightsloop.risks.models import (  # noqa: E402
    BoardReview,
    ContextEvent,
    DecisionCondition,
    DecisionSignOff,
    Mitigation,
    MitigationAssessment,
    ReassessmentFlag,
    Risk,
    StrategicDecision,
)
from rightsloop.risks.vocabulary import (  # noqa: E402
    ConditionStatus,
    DecisionOutcome,
    DecisionStatus,
    Effectiveness,
    OwnerLevel,
    SignOffVerdict,
)
from rightsloop.stakeholders.models import NameToken, Stakeholder, name_key  # noqa: E402

DAY = datetime.timedelta(days=1)
LANGUAGE = "en"  # the interface language the test client's requests get (no Accept-Language, no preference)
BOARD_MEMBERS = ["bench-board", "bench-board-2", "bench-board-3", "bench-board-4", "bench-board-5"]
SLOW_SOURCE_SECONDS = 2.0

# ---------------------------------------------------------------------------
# Generating
# ---------------------------------------------------------------------------


def reset_sequences(log=None) -> None:
    """PostgreSQL: point every table's id sequence past the ids written explicitly (the ORM writes next)."""
    if connection.vendor != "postgresql":
        return
    models = [model for model in apps.get_models(include_auto_created=True)
              if model._meta.managed and not model._meta.proxy]
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


class Risks(risk_scale.RiskGenerator):
    """risk_scale's generator with the columns the register gained since (a mitigation's kept effectiveness),
    and risks dated over the years before today rather than all created now."""

    def mitigations(self) -> None:
        rng = self.rng
        org = self.organisation.pk
        writer = BulkWriter(Mitigation, [
            "id", "organisation", "risk", "action", "owner", "status", "due_on", "reason", "remedy_plan",
            "needs_reassessment", "flagged_by", "effectiveness", "created_at", "updated_at",
        ])
        owners = self.base.hr_users
        for pk in range(1, self.n_mitigations + 1):
            risk = pk if pk <= self.n_risks else rng.randint(1, self.n_risks)
            status = pick(rng, risk_scale.STATUS_TABLE)
            unmitigated = status in risk_scale.UNMITIGATED
            created = self.now - datetime.timedelta(days=rng.randint(0, 700))
            writer.add((
                pk, org, risk, f"Mitigation {pk}: review, redesign and train for risk {risk}", rng.choice(owners),
                status, self.today + datetime.timedelta(days=rng.randint(-90, 365)),
                "No effective measure is available in this market." if unmitigated else "",
                "Compensation and access to the grievance mechanism." if unmitigated else "",
                rng.random() < 0.03, None, Effectiveness.NOT_YET_KNOWN, created, created,
            ))
        writer.flush()
        self.counts["mitigations"] = writer.written
        self.log(f"  {writer.written} mitigations")

    def generate(self) -> None:
        super().generate()
        rng = self.rng
        now = timezone.now()
        risks = list(Risk.objects.filter(organisation=self.organisation).only("pk", "closed_at"))
        for risk in risks:
            created = now - DAY * rng.randint(30, 1000)
            if risk.closed_at is not None and created >= risk.closed_at:
                created = risk.closed_at - DAY * rng.randint(30, 400)
            risk.created_at = created
        Risk.objects.bulk_update(risks, ["created_at"], batch_size=1_000)
        with connection.cursor() as cursor:  # no mitigation older than its risk
            cursor.execute("UPDATE risks_mitigation SET created_at = (SELECT r.created_at FROM risks_risk r "
                           "WHERE r.id = risks_mitigation.risk_id) WHERE created_at < (SELECT r.created_at "
                           "FROM risks_risk r WHERE r.id = risks_mitigation.risk_id)")


class Grievances(grievance_scale.GrievanceGenerator):
    """grievance_scale's generator writing into the loop-scale organisation instead of its own."""

    def __init__(self, base: loop_scale.Generator, n_cases: int, n_messages: int, seed: int, log):
        super().__init__(n_cases, n_messages, seed, log)
        self.base = base

    def setup(self) -> None:
        organisation = self.base.organisation
        self.users = {"bench-gr-admin": self.base.users["bench-admin"]}
        members = [(name, Role.HR_LEAD) for name in grievance_scale.HANDLERS] + [("bench-gr-recorder", Role.ADMIN)]
        for username, role in members:
            membership = add_member(organisation=organisation, username=username, email=f"{username}@example.org",
                                    first_name=username.split("-")[-1].title(), last_name="Bench", password=None,
                                    role=role, by=None)
            self.users[username] = membership.user.pk
        self.handlers = [self.users[name] for name in grievance_scale.HANDLERS]
        self.handler_weights = loop_scale.weighted([(pk, 3 if n == 0 else 2) for n, pk in enumerate(self.handlers)])
        self.recorders = [self.users["bench-gr-recorder"], self.users["bench-gr-admin"], *self.handlers[:3]]
        self.settings, _created = GrievanceSettings.objects.update_or_create(
            organisation=organisation, defaults={"products": grievance_scale.PRODUCTS})
        self.organisation = organisation
        self.org = organisation.pk
        self.sealer = grievance_scale.Sealer(organisation.pk)
        self.hashes = [grievance_scale.receipts.hash_receipt(f"{n:032d}") for n in range(64)]
        self.references = self.rng.sample(range(10 ** grievance_scale.receipts.REFERENCE_DIGITS), self.n_cases)

    def finish(self) -> None:
        """The statistics and sequences are brought up to date once, after every part is written."""


class BoardData:
    """The parts no other generator writes: assessments, decisions taken, consultations, the board's records."""

    def __init__(self, base: loop_scale.Generator, scale: float, seed: int, log):
        self.base = base
        self.organisation = base.organisation
        self.rng = random.Random(seed + 15)
        self.scale = scale
        self.log = log
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.counts: dict[str, int] = {}

    # -- the risk register's monitoring ------------------------------------------

    def assessments(self) -> None:
        rng = self.rng
        judgements = loop_scale.weighted([(Effectiveness.EFFECTIVE, 35), (Effectiveness.PARTLY_EFFECTIVE, 35),
                                          (Effectiveness.NOT_EFFECTIVE, 12), (Effectiveness.NOT_YET_KNOWN, 18)])
        ids = list(Mitigation.objects.filter(organisation=self.organisation).values_list("pk", flat=True))
        chosen = rng.sample(ids, len(ids) // 6)
        rows = []
        for pk in chosen:
            for n in range(rng.choice((1, 1, 1, 2, 3))):
                rows.append(MitigationAssessment(
                    mitigation_id=pk, judgement=pick(rng, judgements),
                    assessed_on=self.today - DAY * rng.randint(n * 120, n * 120 + 700),
                    reasoning="Complaints fell after the change; the partners' field reports agree.",
                    assessed_by_id=rng.choice(self.base.hr_users)))
        MitigationAssessment.objects.bulk_create(rows, batch_size=5_000)
        latest: dict[int, tuple] = {}  # the latest judgement by date is the mitigation's (actions.assess_mitigation)
        for row in rows:
            if row.mitigation_id not in latest or row.assessed_on > latest[row.mitigation_id][0]:
                latest[row.mitigation_id] = (row.assessed_on, row.judgement)
        for judgement in Effectiveness.values:
            ids = [pk for pk, (_on, found) in latest.items() if found == judgement]
            for start in range(0, len(ids), 500):
                Mitigation.objects.filter(pk__in=ids[start:start + 500]).update(effectiveness=judgement)
        events = list(ContextEvent.objects.filter(organisation=self.organisation).values_list("pk", flat=True))
        flagged = list(Mitigation.objects.filter(organisation=self.organisation, needs_reassessment=True)
                       .values_list("pk", flat=True))
        flags = [ReassessmentFlag(mitigation_id=pk, event_id=rng.choice(events)) for pk in flagged]
        ReassessmentFlag.objects.bulk_create(flags, batch_size=5_000)
        self.counts.update(assessments=len(rows), assessed_mitigations=len(chosen), reassessment_flags=len(flags))
        self.log(f"  {len(rows)} effectiveness assessments of {len(chosen)} mitigations, {len(flags)} flags")

    def decisions(self) -> None:
        """The risk-scale decisions taken, signed off, awaiting the board, some with conditions (a few overdue)."""
        rng = self.rng
        board = [self.base.users["bench-board"], *(User.objects.filter(username__in=BOARD_MEMBERS)
                                                   .values_list("pk", flat=True))]
        decisions = list(StrategicDecision.objects.filter(organisation=self.organisation).order_by("pk"))
        outcomes = [DecisionOutcome.GO, DecisionOutcome.GO_WITH_CONDITIONS, DecisionOutcome.NO_GO]
        signed = conditions = 0
        for n, decision in enumerate(decisions):
            if n % 5 == 4:
                StrategicDecision.objects.filter(pk=decision.pk).update(status=DecisionStatus.AWAITING_BOARD)
                continue
            if n % 5 == 3:
                continue  # still being prepared
            outcome = outcomes[n % 3]
            decided_at = self.now - DAY * rng.randint(5, 500)
            StrategicDecision.objects.filter(pk=decision.pk).update(
                status=DecisionStatus.DECIDED, outcome=outcome, decided_at=decided_at,
                decided_by_id=self.base.hr_users[0])
            if rng.random() < 0.7:
                sign_off = DecisionSignOff.objects.create(
                    organisation=self.organisation, decision=decision, by_id=rng.choice(board),
                    verdict=SignOffVerdict.SIGNED if rng.random() < 0.85 else SignOffVerdict.DECLINED,
                    comment="Signed at the board meeting after the human rights lead's briefing.", outcome=outcome)
                DecisionSignOff.objects.filter(pk=sign_off.pk).update(at=decided_at + DAY)
                signed += 1
            if outcome == DecisionOutcome.GO_WITH_CONDITIONS:
                for _n in range(rng.randint(2, 3)):
                    status = rng.choice([ConditionStatus.OPEN, ConditionStatus.OPEN, ConditionStatus.MET])
                    DecisionCondition.objects.create(
                        organisation=self.organisation, decision=decision, owner_id=self.base.hr_users[0],
                        text="Local partners consulted before launch in each new market.",
                        due_on=self.today + DAY * rng.randint(-60, 180), status=status,
                        closed_at=self.now if status == ConditionStatus.MET else None)
                    conditions += 1
        self.counts.update(strategic_decisions=len(decisions), sign_offs=signed, conditions=conditions)
        self.log(f"  {len(decisions)} strategic decisions: {signed} signed off, {conditions} conditions")

    # -- grievances: the self-assessment ------------------------------------------

    def self_assessment(self) -> None:
        rng = self.rng
        rows = [SelfAssessment(organisation=self.organisation, criterion=criterion,
                               assessment=rng.choice(Assessment.values), notes="Reviewed with the partners' network.",
                               by_id=self.base.hr_users[0], at=self.now - DAY * rng.randint(20, 420))
                for criterion in Criterion.values]
        SelfAssessment.objects.bulk_create(rows)
        self.counts["self_assessments"] = len(rows)

    # -- public consultations -------------------------------------------------------

    def consultations(self, n_consultations: int = 8, per_consultation: int = 25_000) -> None:
        rng = self.rng
        org = self.organisation
        key = OrganisationKey(org.pk)
        per_consultation = max(50, round(per_consultation * self.scale))
        # Public-consultation engagements of the last two years: most closed, one or two still running.
        candidates = list(Engagement.objects.for_organisation(org)
                          .filter(type=EngagementType.PUBLIC_CONSULTATION, starts_on__lte=self.today,
                                  ends_on__gte=self.today - DAY * 700).order_by("ends_on")
                          .values_list("pk", "starts_on", "ends_on"))
        step = max(1, len(candidates) // n_consultations)
        chosen = candidates[::step][-n_consultations:]
        texts = ["Moderation in our language misses slang; hire local reviewers.",
                 "Publish how long location data is kept and who can read it.",
                 "The appeals process answers after months; we need days.",
                 "Do not share data with the authorities without a court order."]
        languages = loop_scale.weighted([("en", 55), ("es", 15), ("fr", 12), ("pt", 10), ("sw", 8)])
        outcomes = [Outcome.ADOPTED, Outcome.PARTLY_ADOPTED, Outcome.NOT_ADOPTED, Outcome.UNDER_CONSIDERATION]
        decider = self.base.hr_users[0]
        responses = themes = decided = 0
        writer = BulkWriter(Response, ["organisation", "consultation", "response_import", "line", "text_sealed",
                                       "length", "language_given", "language", "stance", "attributes",
                                       "receipt_index", "consent", "excluded"])
        for n, (engagement_id, _starts_on, ends_on) in enumerate(chosen):
            closed = ends_on < self.today
            consultation = Consultation.objects.create(
                organisation=org, engagement_id=engagement_id, yes_no=True,
                question="Do you support the proposed changes to our content-moderation policy?",
                published=closed and n % 4 != 0, responses_count=per_consultation,
                respondents_count=per_consultation)
            applied = timezone.make_aware(datetime.datetime.combine(min(ends_on, self.today), datetime.time(12)))
            job = ResponseImport.objects.create(
                organisation=org, consultation=consultation, original_name=f"responses-{n}.csv", format="csv",
                state=ImportState.APPLIED, rows_total=per_consultation, rows_good=per_consultation,
                rows_done=per_consultation, checkpoint_line=per_consultation + 1, finished_at=applied,
                created_by_id=decider)
            for line in range(2, per_consultation + 2):
                text = rng.choice(texts)
                language = pick(rng, languages)
                aad = f"consultations.response|text|{job.pk}|{line}".encode()
                writer.add((org.pk, consultation.pk, job.pk, line, key.seal(text, aad), len(text), language,
                            language, rng.choice(["yes", "no", ""]), {"region": rng.choice(["north", "south"])},
                            "", "", False))
            writer.flush()
            responses += per_consultation
            final_at = applied + DAY * 10 if closed else None
            for position in range(12 if closed else 6):
                theme = Theme.objects.create(
                    consultation=consultation, label=f"Theme {position + 1}", status=ThemeStatus.FINAL,
                    size=per_consultation // 12, position=position)
                themes += 1
                if closed and rng.random() < 0.85:
                    outcome = rng.choice(outcomes)
                    decision = ThemeDecision.objects.create(
                        theme=theme, outcome=outcome, decided_by_id=decider, decided_at=final_at + DAY * 5,
                        rationale="Weighed against the legal obligations in each market.",
                        next_step="Review with the partners" if outcome == Outcome.UNDER_CONSIDERATION else "",
                        next_step_due=self.today + DAY * 60 if outcome == Outcome.UNDER_CONSIDERATION else None)
                    Theme.objects.filter(pk=theme.pk).update(current_decision=decision, outcome=outcome)
                    decided += 1
            Consultation.objects.filter(pk=consultation.pk).update(themes_final_at=final_at)
            if consultation.published:
                run = MessageRun.objects.create(consultation=consultation, state=SendingState.DONE,
                                                total=per_consultation // 3, sent=per_consultation // 3 - 12,
                                                failed=12, finished_at=final_at + DAY * 20, created_by_id=decider)
                MessageRun.objects.filter(pk=run.pk).update(started_at=final_at + DAY * 19)
        self.counts.update(consultations=len(chosen), consultation_responses=responses, consultation_themes=themes,
                           consultation_themes_decided=decided)
        self.log(f"  {len(chosen)} public consultations, {responses} responses, {themes} final themes "
                 f"({decided} decided)")

    # -- the board ---------------------------------------------------------------

    def board_members(self) -> None:
        for username in BOARD_MEMBERS[1:]:
            add_member(organisation=self.organisation, username=username, email=f"{username}@example.org",
                       first_name=username.split("-")[-1].title(), last_name="Board", password=None,
                       role=Role.BOARD, by=None)
        self.counts["board_members"] = len(BOARD_MEMBERS)

    def briefings(self) -> None:
        rng = self.rng
        admin = Viewer.from_membership(Membership.objects.select_related("organisation", "user").get(
            organisation=self.organisation, user__username="bench-admin"))
        members = list(User.objects.filter(username__in=BOARD_MEMBERS))
        heard = list(Participation.objects.filter(engagement__organisation=self.organisation,
                                                  engagement__ends_on__gte=self.today - DAY * 600)
                     .order_by().values_list("stakeholder_id", flat=True).distinct()[:2000])
        kinds = [BriefingKind.BRIEFING, BriefingKind.TRAINING, BriefingKind.STAKEHOLDER_SESSION, BriefingKind.VISIT]
        topics = ["Salient risks of the face-check product", "The UN Guiding Principles for directors",
                  "Riders from Nairobi on deactivations", "Visit to the content-moderation hub in Lagos"]
        n = 0
        for n in range(14):
            held_on = self.today - DAY * (10 + n * 72)
            kind = kinds[n % 4]
            speakers = list(Stakeholder.objects.filter(pk__in=rng.sample(heard, min(len(heard), rng.randint(2, 6)))))
            oversight_actions.record_briefing(
                held_on=held_on, kind=kind, topic=topics[n % 4], attendees=rng.sample(members, rng.randint(2, 5)),
                stakeholders=speakers if kind == BriefingKind.STAKEHOLDER_SESSION else [],
                given_by="The human rights lead", notes="The board asked how remedy is funded.", by=admin)
        self.counts["briefings"] = n + 1

    def board_reviews(self) -> None:
        rng = self.rng
        member = Viewer.from_membership(Membership.objects.select_related("organisation", "user").get(
            organisation=self.organisation, user__username="bench-board"))
        risks = list(Risk.objects.filter(organisation=self.organisation, owner_level=OwnerLevel.BOARD,
                                         closed_at__isnull=True))
        reviews = 0
        for risk in risks:
            if rng.random() < 0.2:
                continue  # never reviewed by the board: question 3 says "Not yet"
            for _n in range(rng.choice((1, 1, 2, 3))):
                risk_actions.record_board_review(risk=risk, reviewed_on=self.today - DAY * rng.randint(1, 360),
                                                 note="No change; mitigation progress reviewed.", by=member)
                reviews += 1
        self.counts.update(board_level_risks=len(risks), board_reviews=reviews)
        self.log(f"  {len(risks)} open board-level risks, {reviews} board reviews")


def finish(log) -> None:
    reset_sequences()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load
        else:
            cursor.execute("ANALYZE")  # what the product's PRAGMA optimize does on its schedule
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    log(f"  statistics brought up to date in {time.perf_counter() - started:.0f} s")


def generate(args, log) -> tuple[Organisation, dict, dict]:
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    base = loop_scale.Generator(args.scale, args.seed, log)
    log(f"generating at scale {args.scale}: {base.n_stakeholders} stakeholders, {base.n_engagements} engagements, "
        f"{base.n_inputs} inputs (loop-scale generator)")
    base.setup_organisation()
    base.generate_stakeholders()
    base.generate_engagements(base.plan_engagements())
    reset_sequences()
    seconds["loop-scale"] = time.perf_counter() - started
    log(f"  loop-scale part in {seconds['loop-scale']:.0f} s")

    part = time.perf_counter()
    risks = Risks(base, args.scale, log)
    risks.generate()
    reset_sequences()
    seconds["risk-scale"] = time.perf_counter() - part
    log(f"  risk-scale part in {seconds['risk-scale']:.0f} s")

    part = time.perf_counter()
    extra = BoardData(base, args.scale, args.seed, log)
    extra.board_members()
    with transaction.atomic():
        extra.assessments()
        extra.decisions()
    seconds["risk monitoring and decisions"] = time.perf_counter() - part

    part = time.perf_counter()
    grievances = Grievances(base, max(500, round(100_000 * args.scale)), max(5_000, round(1_000_000 * args.scale)),
                            args.seed, log)
    grievances.setup()
    grievances.generate()
    reset_sequences()
    extra.self_assessment()
    seconds["grievances"] = time.perf_counter() - part
    log(f"  grievances in {seconds['grievances']:.0f} s")

    part = time.perf_counter()
    with transaction.atomic():
        extra.consultations()
    seconds["consultations"] = time.perf_counter() - part

    part = time.perf_counter()
    extra.briefings()
    extra.board_reviews()
    seconds["board records (through the actions)"] = time.perf_counter() - part

    part = time.perf_counter()
    finish(log)
    seconds["statistics"] = time.perf_counter() - part
    seconds["total"] = time.perf_counter() - started
    counts = {**base.counts, **risks.counts,
              **{k: v for k, v in grievances.counts.items() if k != "sealing"}, **extra.counts}
    organisation = base.organisation
    del base, risks, grievances, extra
    gc.collect()
    return organisation, counts, seconds


def data_summary(organisation: Organisation) -> dict:
    risks = Risk.objects.for_organisation(organisation)
    return {
        "stakeholders": Stakeholder.objects.for_organisation(organisation).count(),
        "engagements": Engagement.objects.for_organisation(organisation).count(),
        "inputs": Input.objects.for_organisation(organisation).count(),
        "risks": risks.count(), "open_risks": risks.open().count(),
        "board_level_open_risks": risks.open().filter(owner_level=OwnerLevel.BOARD).count(),
        "mitigations": Mitigation.objects.filter(organisation=organisation).count(),
        "risk_input_links": Risk.inputs.through.objects.filter(risk__organisation=organisation).count(),
        "assessments": MitigationAssessment.objects.filter(mitigation__organisation=organisation).count(),
        "strategic_decisions": StrategicDecision.objects.filter(organisation=organisation).count(),
        "board_reviews": BoardReview.objects.filter(organisation=organisation).count(),
        "briefings": BoardBriefing.objects.filter(organisation=organisation).count(),
        "board_members": Membership.objects.filter(organisation=organisation, role=Role.BOARD).count(),
        "grievances": Grievance.objects.filter(organisation=organisation).count(),
        "grievance_messages": CaseMessage.objects.filter(grievance__organisation=organisation).count(),
        "consultations": Consultation.objects.filter(organisation=organisation).count(),
        "consultation_responses": Response.objects.filter(organisation=organisation).count(),
    }


# ---------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------

def p95(values: list[float]) -> float:
    return values[min(len(values) - 1, math.ceil(0.95 * len(values)) - 1)]


def summarise(label: str, timings: list[float], cpu: list[float], queries: int, **extra) -> dict:
    timings, cpu = sorted(timings), sorted(cpu)
    return {"page": label, "queries": queries, "p50": statistics.median(timings), "p95": p95(timings),
            "max": timings[-1], "cpu_p95": p95(cpu), "runs": len(timings), **extra}


def explain(sql: str) -> list[str]:
    """The database's plan for a captured query (its parameters already written in), best effort."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN " + sql)
                return [row[0] for row in cursor.fetchall()]
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            return [row[-1] for row in cursor.fetchall()]
    except Exception as error:  # a plan is a nicety: never fail the run for it
        return [f"(no plan: {type(error).__name__})"]


def cold(organisation: Organisation, period: Period, today: datetime.date, log) -> dict:
    """board.compute() with no snapshot and an empty cache, each source timed and its queries captured."""
    sources: list[dict] = []

    def timed_gather(organisation, period, today):
        found = []
        for source in site.evidence:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                found.append(source.collect(organisation, period, today))
                seconds = time.perf_counter() - started
            slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default=None)
            sources.append({"source": source.key, "question": int(source.question), "seconds": seconds,
                            "queries": len(captured.captured_queries),
                            "slowest_ms": float(slowest["time"]) * 1000 if slowest else 0.0,
                            "slowest_sql": slowest["sql"] if slowest else ""})
        return found

    BoardSnapshot.objects.filter(organisation=organisation, period=period.key).delete()
    cache.clear()
    gather = board.gather
    board.gather = timed_gather
    try:
        with translation.override(LANGUAGE), CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            snapshot = board.compute(organisation, period, today=today)
            seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    finally:
        board.gather = gather
    for source in sources:
        if source["seconds"] > SLOW_SOURCE_SECONDS:
            source["plan"] = explain(source["slowest_sql"])
    result = {"period": period.key, "seconds": seconds, "cpu_seconds": cpu, "queries": len(captured.captured_queries),
              "stored_seconds": snapshot.seconds, "sources": sources}
    log(f"  cold {period.key}: {seconds:.2f} s (CPU {cpu:.2f}), {result['queries']} queries; "
        + ", ".join(f"{s['source']} {s['seconds']:.2f} s" for s in sources))
    return result


def timed(run, requests: int, warmup: int, before=None) -> tuple[list[float], list[float], int]:
    for _n in range(warmup):
        run()
    if before:
        before()
    with CaptureQueriesContext(connection) as captured:
        run()
    queries = len(captured.captured_queries)
    timings, cpu = [], []
    for _n in range(requests):
        if before:
            before()
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return timings, cpu, queries


STALE_NOTICE = b"newer figures are being prepared"


def measure(organisation: Organisation, args, log) -> dict:
    today = timezone.localdate()
    quarter, year = Period.containing(today), Period.containing(today, "year")
    user = User.objects.get(username="bench-board")
    membership = Membership.objects.select_related("organisation", "user").get(user=user, organisation=organisation)
    assert membership.role == Role.BOARD
    viewer = Viewer.from_membership(membership)
    # Issued first: issuing writes the audit log, which would make the snapshots computed below stale.
    _token, raw = issue_api_token(membership=membership, name="board-scale benchmark", by=None)
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    mark_verified(client, user)
    api = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {raw}")
    figures: dict = {"cold": [], "pages": [], "pack": None}

    log("cold computation (board.compute, no snapshot, cache emptied)")
    # Untimed first: a new process's first computation also loads code, translations and the map's geometry.
    warm = Period(year.year - 2, 1)
    started = time.perf_counter()
    with translation.override(LANGUAGE):
        board.compute(organisation, warm, today=today)
    BoardSnapshot.objects.filter(organisation=organisation, period=warm.key).delete()
    log(f"  warm-up ({warm.key}, untimed): {time.perf_counter() - started:.2f} s")
    for period in (quarter, year, quarter.previous(), year.previous()):
        figures["cold"].append(cold(organisation, period, today, log))
    snapshots = BoardSnapshot.objects.filter(organisation=organisation).count()

    def get(client, url, *, stale=False):
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        if url.startswith("/api/"):
            if response.json()["fresh"] == stale:
                raise SystemExit(f"{url}: fresh is {response.json()['fresh']}")
        elif (STALE_NOTICE in response.content) != stale:
            raise SystemExit(f"{url}: the page {'did not say' if stale else 'said'} its figures were stale")
        return response

    log(f"pages with the snapshot fresh ({args.requests} requests after {args.warmup} warm-up requests)")
    for period in (quarter, year):
        url = f"/oversight/?period={period.key}"
        size = len(get(client, url).content)
        timings, cpu, queries = timed(lambda url=url: get(client, url), args.requests, args.warmup)
        figures["pages"].append(summarise(f"board page {period.key}, fresh", timings, cpu, queries, url=url,
                                          bytes=size, target_ms=args.target))
    for period in (quarter, year):
        url = f"/api/v1/board?period={period.key}"
        size = len(get(api, url).content)
        timings, cpu, queries = timed(lambda url=url: get(api, url), args.requests, args.warmup)
        figures["pages"].append(summarise(f"GET /api/v1/board?period={period.key}, fresh", timings, cpu, queries,
                                          url=url, bytes=size, target_ms=args.target))
    if BoardSnapshot.objects.filter(organisation=organisation).count() != snapshots:
        raise SystemExit("the pages computed a snapshot of their own: their language differs from the benchmark's")

    log("pages when stale: a board review recorded (an audited change) before each request")
    risks = list(Risk.objects.filter(organisation=organisation, owner_level=OwnerLevel.BOARD,
                                     closed_at__isnull=True)[:20]) or list(Risk.objects.filter(
                                         organisation=organisation)[:20])
    changes = iter(range(10 ** 6))

    def change():
        n = next(changes)
        risk_actions.record_board_review(risk=risks[n % len(risks)], reviewed_on=today,
                                         note=f"Benchmark change {n}.", by=viewer)

    for period in (quarter, year):
        url = f"/oversight/?period={period.key}"
        queued = DBTaskResult.objects.count()
        timings, cpu, queries = timed(lambda url=url: get(client, url, stale=True), args.requests, 0, before=change)
        queued = DBTaskResult.objects.count() - queued
        figures["pages"].append(summarise(f"board page {period.key}, stale (a change before each)", timings, cpu,
                                          queries, url=url, target_ms=args.target, refreshes_queued=queued))
        log(f"  {period.key}: {queued} refreshes queued over {args.requests + 1} stale requests")
    for r in figures["pages"]:
        log(f"  {r['page']}: p50 {r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, max {r['max']:.1f} ms "
            f"(CPU p95 {r['cpu_p95']:.1f}), {r['queries']} queries")

    log(f"board pack of {year.key}")
    with translation.override(LANGUAGE):
        pack = oversight_actions.request_board_pack(period=year, by=viewer)
        started = time.perf_counter()
        outcome = packs.render(pack.pk)
        seconds = time.perf_counter() - started
    pack = BoardPack.objects.get(pk=pack.pk)
    figures["pack"] = {"period": year.key, "outcome": outcome, "seconds": seconds, "pages": pack.pages,
                       "bytes": pack.size}
    log(f"  {outcome} in {seconds:.1f} s: {pack.pages} pages, {pack.size} bytes")
    return figures


# ---------------------------------------------------------------------------
# Measuring: the public report (O2) and the open data (O3)
# ---------------------------------------------------------------------------

REPORT_TARGETS = {"html": 10.0, "pdf": 30.0, "open_data": 60.0}  # seconds
SLOW_TABLE_SECONDS = 1.0
PAGE_REQUESTS = 5

NARRATIVE = {
    "commitment": (
        "We respect the human rights of everyone our products affect, as the UN Guiding Principles on Business and "
        "Human Rights ask of us: the riders, drivers and content moderators who work through our platforms, the "
        "people who use them, and the communities our decisions reach.\n\n"
        "Our policy commitment was approved by the board and is published in the languages of the markets we "
        "operate in. It covers privacy, freedom of expression, non-discrimination, fair working conditions and "
        "access to remedy."),
    "governance": (
        "The human rights team reports to the chief executive and briefs the board every quarter. Salient risks "
        "are owned at the level their severity calls for: the most severe ones by the board itself, which reviews "
        "each of them and signs off the strategic decisions that touch them.\n\n"
        "Product, engineering, legal and commercial teams each decide on the input routed to them, and tell the "
        "people who gave it what was decided and why."),
    "salient_method": (
        "We rate every risk by its scale, scope and irremediability, from 3 to 15, with the people affected and "
        "the organisations that represent them. The issues below are the most severe open risks of the period; "
        "the table that follows counts every open risk by right and severity."),
    "engagement_text": (
        "We heard riders in Nairobi, Lagos and São Paulo, content moderators in Manila, and the partners of the "
        "Coalition for Digital Rights Kenya. Amina Mwangi, a rider who spoke at our advisory council, asked us to "
        "explain deactivations before they happen: we now do.\n\n"
        "Each input is decided on by the team that owns the question, and the person who gave it is told the "
        "decision, in their language, by the channel they chose."),
    "decisions_text": (
        "Some of what we heard was not adopted: asking for a human review of every deactivation within one day is "
        "beyond what our teams can do in every market this year. We said so to each person who asked, with the "
        "reason and what we do instead."),
    "remedy_text": (
        "Our grievance mechanism is open to anyone affected, by web, telephone, SMS, letter, in person and through "
        "partner organisations, in eleven languages. We assessed it against the eight effectiveness criteria of "
        "UNGP 31 with the partners' network; the figures below count the cases received and closed, and the "
        "remedies agreed."),
    "consultations_text": (
        "We consulted the public on our content-moderation policy and our use of location data. For each "
        "consultation, its public page says what we heard and what we did about it."),
    "oversight_text": (
        "The board reviewed the salient risks it owns, was briefed and trained on human rights, and heard directly "
        "from riders and moderators in stakeholder sessions and field visits."),
}
ISSUES = [
    ("Deactivation without explanation", "Riders and drivers lose their income when an account is deactivated; "
     "we now explain each deactivation and offer a human review."),
    ("Privacy of location data", "Location traces of riders and customers are kept only as long as the law and "
     "safety require, and never shared without a court order."),
    ("Working conditions of content moderators", "Moderators review distressing content: we fund psychological "
     "support, cap exposure and pay a living wage in every market."),
]


@dataclasses.dataclass
class Probe:
    """Counts the queries the code under it runs (unlimited, unlike connection.queries) and keeps the slowest."""

    queries: int = 0
    slowest: float = 0.0
    slowest_sql: str = ""
    slowest_params: tuple = ()

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seconds = time.perf_counter() - started
            self.queries += 1
            if seconds > self.slowest:
                self.slowest, self.slowest_sql, self.slowest_params = seconds, sql, tuple(params or ())


class Instrumented:
    """While in use, times every public table disclosure.tables.published builds (its rows apart from the rest)
    and every text redaction.Screen screens, with their queries; and counts all queries."""

    def __init__(self):
        self.tables: list[dict] = []
        self.screen = {"seconds": 0.0, "texts": 0, "queries": 0, "people_checked": 0, "withheld": 0,
                       "may_be_named_seconds": 0.0, "may_be_named_calls": 0, "per_text": [],
                       "slowest_ms": 0.0, "slowest_sql": "", "slowest_params": ()}
        self.probe = Probe()

    def published(self, original):
        def timed(table, organisation, start, end, **kwargs):
            probe = Probe()
            with connection.execute_wrapper(probe):
                started = time.perf_counter()
                rows = table.rows(organisation, start, end)
                rows_seconds = time.perf_counter() - started
                rows_queries, slowest = probe.queries, (probe.slowest, probe.slowest_sql, probe.slowest_params)
                started = time.perf_counter()
                found = original(dataclasses.replace(table, rows=lambda *_args: rows), organisation, start, end,
                                 **kwargs)
                rest = time.perf_counter() - started
            self.tables.append({
                "table": table.key, "rows_seconds": rows_seconds, "rest_seconds": rest, "queries": rows_queries,
                "label_queries": probe.queries - rows_queries, "counted": len(rows), "published": len(found.rows),
                "hidden": sum(row.hidden for row in found.rows), "slowest_ms": slowest[0] * 1000,
                "slowest_sql": slowest[1], "slowest_params": slowest[2]})
            return found
        return timed

    def screen_class(self):
        figures = self.screen

        class TimedScreen(Screen):
            def __call__(self, text):
                probe = Probe()
                with connection.execute_wrapper(probe):
                    started = time.perf_counter()
                    found = super().__call__(text)
                seconds = time.perf_counter() - started
                figures["seconds"] += seconds
                figures["texts"] += 1
                figures["queries"] += probe.queries
                if probe.slowest * 1000 > figures["slowest_ms"]:
                    figures.update(slowest_ms=probe.slowest * 1000, slowest_sql=probe.slowest_sql,
                                   slowest_params=probe.slowest_params)
                figures["withheld"] += found.withheld
                figures["people_checked"] = max(figures["people_checked"], len(self._named))
                figures["per_text"].append({"text": text, "words": len(WORD.findall(text)), "seconds": seconds,
                                            "queries": probe.queries})
                return found
        return TimedScreen

    def may_be_named(self, original):
        figures = self.screen

        def timed(stakeholder):
            started = time.perf_counter()
            try:
                return original(stakeholder)
            finally:
                figures["may_be_named_seconds"] += time.perf_counter() - started
                figures["may_be_named_calls"] += 1
        return timed

    def __enter__(self):
        self._saved = (disclosure_tables.published, disclosure_actions.published, reports.Screen,
                       redaction.may_be_named)
        disclosure_tables.published = self.published(self._saved[0])
        disclosure_actions.published = self.published(self._saved[1])
        reports.Screen = self.screen_class()
        redaction.may_be_named = self.may_be_named(self._saved[3])
        self._wrapper = connection.execute_wrapper(self.probe)
        self._wrapper.__enter__()
        return self

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)
        (disclosure_tables.published, disclosure_actions.published, reports.Screen,
         redaction.may_be_named) = self._saved
        return False


def explain_params(sql: str, params: tuple, *, analyze: bool) -> list[str]:
    """The plan of a captured query run with its parameters (EXPLAIN ANALYZE on PostgreSQL), best effort."""
    try:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(("EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN ") + sql, params)
                return [row[0] for row in cursor.fetchall()]
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            return [row[-1] for row in cursor.fetchall()]
    except Exception as error:  # a plan is a nicety: never fail the run for it
        return [f"(no plan: {type(error).__name__}: {error})"]


def explain_slow(found: list[dict]) -> None:
    for table in found:
        if table["rows_seconds"] > SLOW_TABLE_SECONDS and table["slowest_sql"]:
            table["plan"] = explain_params(table["slowest_sql"], table["slowest_params"], analyze=True)
        table["slowest_params"] = [str(param) for param in table["slowest_params"]]


def screen_words(organisation: Organisation, texts: list[str]) -> dict:
    """Why the screen checks whom it checks: how many of the register's stakeholders have each word of the report's
    texts in their name (through the blind index, as redaction.Screen looks them up), and each text's candidates."""
    tokens = {word: blind_index(organisation.pk, word)
              for text in texts for word in (name_key(match.group(0)) for match in WORD.finditer(text)) if word}
    names = NameToken.objects.filter(stakeholder__organisation_id=organisation.pk)
    per_word = {word: names.filter(token=token).count() for word, token in tokens.items()}
    per_text = []
    for text in texts:
        words = {name_key(match.group(0)) for match in WORD.finditer(text)} - {""}
        per_text.append(names.filter(token__in=[tokens[word] for word in words])
                        .values("stakeholder_id").distinct().count())
    return {"words": sorted(((word, n) for word, n in per_word.items() if n), key=lambda item: -item[1]),
            "candidates_per_text": per_text}


def viewer_of(organisation: Organisation, username: str) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("organisation", "user").get(
        organisation=organisation, user__username=username))


def measure_report(organisation: Organisation, period: Period, folder: Path, log) -> dict:
    hr, admin = viewer_of(organisation, "bench-hr-lead"), viewer_of(organisation, "bench-admin")
    removed = Report.objects.filter(organisation=organisation, period=period.key).delete()[0]
    risks = list(Risk.objects.filter(organisation=organisation, closed_at__isnull=True)
                 .order_by("-severity", "-pk")[:len(ISSUES)])
    figures: dict = {"period": period.key, "previous_rows_removed": removed}
    with translation.override(LANGUAGE):
        started = time.perf_counter()
        report = report_actions.create_report(period=period.key, title=f"Human rights report {period.label}",
                                              by=hr)
        report_actions.update_report(report=report, by=hr, **NARRATIVE)
        for (title, summary), risk in zip(ISSUES, risks, strict=False):
            report_actions.save_issue(report=report, public_title=title, summary=summary, risk=risk, by=hr)
        figures["drafting_seconds"] = time.perf_counter() - started

        report = Report.objects.select_related("organisation").get(pk=report.pk)
        with Instrumented() as probe:
            started, started_cpu = time.perf_counter(), time.process_time()
            data = reports.content(report)
            seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        explain_slow(probe.tables)
        if probe.screen["seconds"] > SLOW_TABLE_SECONDS:  # the texts in the order the screen saw them
            probe.screen["diagnosis"] = screen_words(organisation, [t["text"] for t in probe.screen["per_text"]])
            if probe.screen["slowest_sql"]:
                probe.screen["plan"] = explain_params(probe.screen["slowest_sql"], probe.screen["slowest_params"],
                                                      analyze=True)
        probe.screen["slowest_params"] = [str(param)[:80] for param in probe.screen["slowest_params"][:12]]
        for screened in probe.screen["per_text"]:
            screened["text"] = screened["text"][:40]
        in_tables = sum(t["rows_seconds"] + t["rest_seconds"] for t in probe.tables)
        figures.update(content_seconds=seconds, content_cpu_seconds=cpu, content_queries=probe.probe.queries,
                       content_json_bytes=len(json.dumps(data)), tables=probe.tables, screen=probe.screen,
                       content_other_seconds=seconds - in_tables - probe.screen["seconds"])
        log(f"  {period.key}: content {seconds:.2f} s (CPU {cpu:.2f}), {probe.probe.queries} queries; screen "
            f"{probe.screen['seconds']:.2f} s ({probe.screen['people_checked']} people checked); "
            + ", ".join(f"{t['table']} {t['rows_seconds']:.2f}+{t['rest_seconds']:.2f} s" for t in probe.tables))

        steps = {}
        for name, step in (("review", lambda: report_actions.mark_reviewed(report=report, by=hr)),
                           ("approve", lambda: report_actions.approve(report=report, by=admin)),
                           ("publish", lambda: report_actions.publish(report=report, by=admin))):
            started = time.perf_counter()
            result = step()
            steps[name] = time.perf_counter() - started
        version = result
        figures["steps"] = steps

    client = Client(HTTP_HOST="localhost")  # the public: nobody signed in
    url = f"/r/{organisation.slug}/{period.key}/"
    timings = []
    for _n in range(1 + PAGE_REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    started = time.perf_counter()
    html = report_tasks.document_html(version, for_print=False)
    direct = time.perf_counter() - started
    figures["page"] = {"url": url, "first_seconds": timings[0], "p50_seconds": statistics.median(timings[1:]),
                       "max_seconds": max(timings[1:]), "bytes": len(response.content),
                       "document_html_seconds": direct, "document_html_bytes": len(html.encode())}
    figures["html_seconds"] = figures["content_seconds"] + timings[0]

    started, started_cpu = time.perf_counter(), time.process_time()
    pdf, pages = report_tasks.render_pdf(version)
    figures["pdf"] = {"seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - started_cpu,
                      "pages": pages, "bytes": len(pdf)}
    (folder / f"report-{period.key}.pdf").write_bytes(pdf)
    log(f"  {period.key}: steps " + ", ".join(f"{k} {v:.2f} s" for k, v in steps.items())
        + f"; page first {timings[0]:.2f} s, p50 {figures['page']['p50_seconds']:.2f} s, "
          f"{figures['page']['bytes']} bytes; PDF {figures['pdf']['seconds']:.1f} s, {pages} pages, {len(pdf)} bytes")
    return figures


def measure_open_data(organisation: Organisation, log) -> dict:
    admin = viewer_of(organisation, "bench-admin")
    with translation.override(LANGUAGE):
        disclosure_actions.set_open_data(organisation=organisation, published=True, licence=Licence.CC_BY_4, by=admin)
    with Instrumented() as probe:
        started, started_cpu = time.perf_counter(), time.process_time()
        release = disclosure_actions.publish_open_data(organisation=organisation)
        seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    if release is None:
        raise SystemExit("publish_open_data built no release: the open data is not published")
    explain_slow(probe.tables)
    release = OpenDataRelease.objects.get(pk=release.pk)
    with translation.override(LANGUAGE):
        found = datapackage.tables_of(release)
        csv_bytes = sum(len(published.to_csv().encode()) for _table, published in found)
        json_bytes = sum(len(json.dumps(published.records(), ensure_ascii=False).encode())
                         for _table, published in found)
    served = {}
    client = Client(HTTP_HOST="localhost")
    biggest = max(release.row_counts, key=release.row_counts.get)
    for name, url in (("index", f"/open-data/{organisation.slug}/"),
                      ("datapackage.json", f"/open-data/{organisation.slug}/datapackage.json"),
                      (f"{biggest}.csv", f"/open-data/{organisation.slug}/{biggest}.csv")):
        client.get(url)
        started = time.perf_counter()
        response = client.get(url)
        served[name] = {"url": url, "seconds": time.perf_counter() - started, "status": response.status_code,
                        "bytes": len(response.content)}
    figures = {
        "seconds": seconds, "cpu_seconds": cpu, "stored_seconds": release.seconds, "queries": probe.probe.queries,
        "starts_on": release.starts_on.isoformat(), "ends_before": release.ends_before.isoformat(),
        "tables": probe.tables, "rows_total": release.rows_total, "rows_hidden": release.rows_hidden,
        "row_counts": release.row_counts, "stored_tables_bytes": len(json.dumps(release.tables)),
        "datapackage_bytes": len(json.dumps(release.datapackage)), "csv_bytes": csv_bytes, "json_bytes": json_bytes,
        "served": served,
    }
    log(f"  open data: {seconds:.1f} s (CPU {cpu:.1f}), {probe.probe.queries} queries, {release.rows_total} rows "
        f"({release.rows_hidden} hidden), CSV {csv_bytes} bytes; "
        + ", ".join(f"{t['table']} {t['rows_seconds']:.2f}+{t['rest_seconds']:.2f} s" for t in probe.tables))
    return figures


def measure_reports(organisation: Organisation, folder: Path, log) -> dict:
    today = timezone.localdate()
    running = Period.containing(today, "year")
    figures: dict = {"reports": [], "open_data": None, "targets": REPORT_TARGETS}
    log(f"public reports of {running.previous().key} and {running.key}, then the open data")
    # Untimed first: the URL configuration (imported by the first reverse(): every app's API, ~3 s) and the
    # frameworks' index, which a process loads once.
    started = time.perf_counter()
    with translation.override(LANGUAGE):
        reverse("reports-public:index", args=[organisation.slug])
        reports._index()
    log(f"  warm-up (URL configuration, frameworks' index; untimed): {time.perf_counter() - started:.2f} s")
    for period in (running.previous(), running):
        figures["reports"].append(measure_report(organisation, period, folder, log))
    figures["open_data"] = measure_open_data(organisation, log)
    return figures


def met(seconds: float, target: str) -> str:
    return "met" if seconds < REPORT_TARGETS[target] else "MISSED"


def table_lines(found: list[dict]) -> list[str]:
    lines = [f"| {'table':<24} | {'rows s':>7} | {'rest s':>7} | {'queries':>7} | {'counted':>7} | "
             f"{'published':>9} | {'hidden':>6} | {'slowest ms':>10} |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for t in found:
        lines.append(f"| {t['table']:<24} | {t['rows_seconds']:>7.2f} | {t['rest_seconds']:>7.2f} | "
                     f"{t['queries']:>3}+{t['label_queries']:<3} | {t['counted']:>7} | {t['published']:>9} | "
                     f"{t['hidden']:>6} | {t['slowest_ms']:>10.0f} |")
    for t in found:
        if "plan" in t:
            lines += ["", f"{t['table']}: rows {t['rows_seconds']:.2f} s; slowest query {t['slowest_ms']:.0f} ms: "
                      f"{t['slowest_sql'][:900]}", f"    params: {t['slowest_params'][:12]}"]
            lines += [f"    {step}" for step in t["plan"][:40]]
    return lines


def report_tables(figures: dict) -> str:
    lines = ["", "Public report (O2): seconds",
             "| period | drafting | content (CPU) | queries | screen | review | approve | publish | page first / p50 "
             "| content + page | PDF | pages | PDF bytes | HTML | PDF target |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|"]
    for r in figures["reports"]:
        s, page, pdf = r["steps"], r["page"], r["pdf"]
        lines.append(
            f"| {r['period']} | {r['drafting_seconds']:.2f} | {r['content_seconds']:.2f} "
            f"({r['content_cpu_seconds']:.2f}) | {r['content_queries']} | {r['screen']['seconds']:.2f} | "
            f"{s['review']:.2f} | {s['approve']:.2f} | "
            f"{s['publish']:.2f} | {page['first_seconds']:.2f} / {page['p50_seconds']:.2f} | {r['html_seconds']:.2f} "
            f"| {pdf['seconds']:.1f} | {pdf['pages']} | {pdf['bytes']} | {met(r['html_seconds'], 'html')} | "
            f"{met(pdf['seconds'], 'pdf')} |")
    for r in figures["reports"]:
        lines += ["", f"Report {r['period']}: the content's tables (rows: the app's queries; rest: checks, suppression,"
                  f" labels); screen {r['screen']['seconds']:.2f} s over {r['screen']['texts']} texts, "
                  f"{r['screen']['queries']} queries, {r['screen']['people_checked']} people checked, "
                  f"{r['screen']['withheld']} mentions withheld; everything else {r['content_other_seconds']:.2f} s; "
                  f"page {r['page']['bytes']} bytes"]
        screen = r["screen"]
        lines.append(f"Screen: may_be_named {screen['may_be_named_seconds']:.2f} s over {screen['may_be_named_calls']} "
                     f"calls; the rest (loading and unsealing the candidates' names, matching) "
                     f"{screen['seconds'] - screen['may_be_named_seconds']:.2f} s")
        if "diagnosis" in screen:
            lines.append("  words of the texts in the register's names (stakeholders): " + ", ".join(
                f"{word} {n}" for word, n in screen["diagnosis"]["words"][:20]))
            lines.append("  stakeholders with a word of the text in their name, per text (seconds screening it): "
                         + ", ".join(f"{n} ({t['seconds']:.1f} s)" for n, t in zip(
                             screen["diagnosis"]["candidates_per_text"], screen["per_text"], strict=False)))
        if "plan" in screen:
            lines += [f"  the screen's slowest query, {screen['slowest_ms']:.0f} ms: {screen['slowest_sql'][:900]}",
                      f"    params: {screen['slowest_params']}"]
            lines += [f"    {step}" for step in screen["plan"][:40]]
        lines += table_lines(r["tables"])
    o = figures["open_data"]
    lines += ["", f"Open data (O3), {o['starts_on']} to {o['ends_before']}: publish_open_data {o['seconds']:.1f} s "
              f"(CPU {o['cpu_seconds']:.1f}, stored {o['stored_seconds']:.1f}), {o['queries']} queries, "
              f"{o['rows_total']} rows ({o['rows_hidden']} hidden); stored tables {o['stored_tables_bytes']} bytes, "
              f"datapackage.json {o['datapackage_bytes']} bytes, CSV files {o['csv_bytes']} bytes, JSON files "
              f"{o['json_bytes']} bytes: target {met(o['seconds'], 'open_data')}"]
    lines += table_lines(o["tables"])
    lines += ["", "Served: " + ", ".join(f"{name} {s['seconds'] * 1000:.0f} ms ({s['status']}, {s['bytes']} bytes)"
                                         for name, s in o["served"].items())]
    return "\n".join(lines)


def verdict(r: dict) -> str:
    if r["p95"] < r["target_ms"]:
        return "ok"
    return "cpu ok" if r["cpu_p95"] < r["target_ms"] else "MISSED"


def tables(figures: dict) -> str:
    lines = ["", "Cold computation (board.compute, no snapshot): seconds, queries",
             f"| {'period':<8} | {'total s':>7} | {'CPU s':>6} | {'queries':>7} | "
             + " | ".join(s["source"] for s in figures["cold"][0]["sources"]) + " |",
             "|---|---:|---:|---:|" + "---:|" * len(figures["cold"][0]["sources"])]
    for c in figures["cold"]:
        lines.append(f"| {c['period']:<8} | {c['seconds']:>7.2f} | {c['cpu_seconds']:>6.2f} | {c['queries']:>7} | "
                     + " | ".join(f"{s['seconds']:.2f} ({s['queries']})" for s in c["sources"]) + " |")
    slow = [(c["period"], s) for c in figures["cold"] for s in c["sources"] if s["seconds"] > SLOW_SOURCE_SECONDS]
    if slow:
        lines += ["", f"Sources slower than {SLOW_SOURCE_SECONDS:.0f} s and their slowest query:"]
        for period, s in slow:
            lines.append(f"- {period} {s['source']}: {s['seconds']:.2f} s; slowest query {s['slowest_ms']:.0f} ms: "
                         f"{s['slowest_sql'][:600]}")
            lines += [f"    {step}" for step in s.get("plan", [])[:25]]
    lines += ["", f"| {'request':<52} | {'p50 ms':>7} | {'p95 ms':>7} | {'max ms':>7} | {'CPU p95':>7} | "
              f"{'queries':>7} | {'runs':>4} | target |",
              f"|{'-' * 54}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 6}|--------|"]
    for r in figures["pages"]:
        lines.append(f"| {r['page']:<52} | {r['p50']:>7.1f} | {r['p95']:>7.1f} | {r['max']:>7.1f} | "
                     f"{r['cpu_p95']:>7.1f} | {r['queries']:>7} | {r['runs']:>4} | {verdict(r):<6} |")
    pack = figures["pack"]
    if pack:
        lines += ["", f"Board pack {pack['period']}: {pack['outcome']} in {pack['seconds']:.1f} s, {pack['pages']} "
                  f"pages, {pack['bytes']} bytes"]
    return "\n".join(lines)


def main() -> None:
    args = ARGS
    logging.getLogger("weasyprint").setLevel(logging.WARNING)  # a line per page laid out otherwise
    log = loop_scale.log
    loop_scale.prepare_database(log)
    grievance_scale.ensure_schema(log)
    organisation = Organisation.objects.filter(slug=ORG_SLUG).first()
    counts, seconds = {}, {}
    if organisation is None:
        if Organisation.objects.exists():
            raise SystemExit("the database holds other data: pass --fresh, or point DATABASE_URL at an empty one")
        organisation, counts, seconds = generate(args, log)
        log(f"generated in {seconds['total']:.0f} s: " + ", ".join(f"{k} {v:.0f} s" for k, v in seconds.items()))
    elif not args.reuse:
        raise SystemExit("the database already holds a generated data set: pass --reuse to measure it, or --fresh")
    else:
        log("reusing the generated data set")
    summary = {"database": describe_database(), "vendor": connection.vendor, "scale": args.scale,
               "generation_seconds": seconds, "counts": counts, "data": data_summary(organisation)}
    log("data: " + json.dumps(summary["data"]))
    if not args.no_measure:
        load = os.getloadavg()[0]
        log(f"load average {load:.1f} on {os.cpu_count()} CPUs")
        figures = measure(organisation, args, log) if args.measure in ("all", "board") else {}
        if args.measure in ("all", "reports"):
            folder = Path(os.environ.get("RIGHTSLOOP_VAR_DIR") or tempfile.mkdtemp(prefix="rl-bench-reports-"))
            figures["public"] = measure_reports(organisation, folder, log)
        summary.update(figures, load_average=load, load_average_after=os.getloadavg()[0])
        print()
        print(describe_database())
        if "cold" in figures:
            print(tables(figures))
        if "public" in figures:
            print(report_tables(figures["public"]))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, default=str))
    if args.drop and args.database == "postgresql":
        connection.close()
        subprocess.run(["dropdb", "--force", "--if-exists", PG_NAME], env=PG_ENV, check=True)  # noqa: S603, S607
        log(f"dropped {PG_NAME}")


if __name__ == "__main__":
    main()
