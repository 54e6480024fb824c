"""Import a file of responses into a consultation from the command line: check, confirm, apply, with progress."""

import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from rightsloop.accounts.models import User
from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import viewer_for
from rightsloop.consultations import imports
from rightsloop.consultations.actions import imports as actions
from rightsloop.consultations.models import Consultation, ImportState, ResponseImport
from rightsloop.consultations.views.imports import report_rows


class Command(BaseCommand):
    help = ("Import responses from a CSV, JSON Lines or XLSX file into a consultation: every row is checked, "
            "then (after you confirm) the good rows are imported in batches. Also resumes or rolls back an import.")

    def add_arguments(self, parser):
        parser.add_argument("consultation_id", nargs="?", type=int)
        parser.add_argument("file", nargs="?", help="The file of responses (first row: column names).")
        parser.add_argument("--text", help="Column holding the response text (required for a new import).")
        parser.add_argument("--respondent", default="", help="Column holding the respondent id.")
        parser.add_argument("--contact", default="", help="Column holding the email address.")
        parser.add_argument("--consent", default="", help="Column saying yes/no to being contacted.")
        parser.add_argument("--language", default="", help="Column holding the language code.")
        parser.add_argument("--receipt", default="", help="Column holding the receipt code.")
        parser.add_argument("--attributes", default="", help="Other columns to keep, comma separated.")
        parser.add_argument("--yes", action="store_true", help="Import without asking for confirmation.")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--only-valid", dest="only_valid", action="store_true", default=True,
                          help="Import the valid rows and leave out the others (default).")
        mode.add_argument("--all-or-nothing", dest="only_valid", action="store_false",
                          help="Import nothing if any row has a problem.")
        parser.add_argument("--report", help="Write the problems (line, reason, detail) to this CSV file.")
        parser.add_argument("--resume", type=int, metavar="IMPORT_ID", help="Resume an interrupted import.")
        parser.add_argument("--rollback", type=int, metavar="IMPORT_ID", help="Roll back an import.")
        parser.add_argument("--as", dest="acting", metavar="EMAIL",
                            help="Act as this member (default: the owner of the consultation's engagement).")

    def handle(self, *args, **options):
        self.last_print = 0.0
        if options["resume"] or options["rollback"]:
            job = ResponseImport.objects.select_related("consultation__engagement").filter(
                pk=options["resume"] or options["rollback"]).first()
            if job is None:
                raise CommandError(f"No import {options['resume'] or options['rollback']}.")
            viewer = self.viewer(job.consultation, options["acting"])
            if options["rollback"]:
                job = self.run(actions.rollback_import, response_import=job, by=viewer, background=False)
                self.stdout.write(f"Import {job.pk}: {job.get_state_display()}.")
                return
            self.run(actions.resume_import, response_import=job, by=viewer, background=False)
            return self.apply(job)
        if not options["consultation_id"] or not options["file"] or not options["text"]:
            raise CommandError("Give a consultation id, a file and --text COLUMN (or --resume/--rollback ID).")
        consultation = Consultation.objects.select_related("engagement", "organisation").filter(
            pk=options["consultation_id"]).first()
        if consultation is None:
            raise CommandError(f"No consultation {options['consultation_id']}.")
        viewer = self.viewer(consultation, options["acting"])
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        with path.open("rb") as handle:
            job = self.run(actions.upload_responses, consultation=consultation, file=File(handle, name=path.name),
                           original_name=path.name, by=viewer)
        if job.state == ImportState.FAILED:
            raise CommandError(job.message)
        self.stdout.write(f"Import {job.pk}: {job.format} file, columns: {', '.join(job.columns)}")
        mapping = {role: options[role] for role in imports.ROLES}
        mapping["attributes"] = [name.strip() for name in options["attributes"].split(",") if name.strip()]
        self.run(actions.map_columns, response_import=job, mapping=mapping, by=viewer, background=False)
        started = time.monotonic()
        job = actions.check_import(response_import=job, progress=self.progress("checked"))
        self.done_progress()
        elapsed = time.monotonic() - started
        if job.state == ImportState.FAILED:
            raise CommandError(job.message)
        rate = job.rows_total / max(elapsed, 1e-6)
        self.stdout.write(f"Checked {job.rows_total} rows in {elapsed:.1f} s ({rate:,.0f} rows/s): "
                          f"{job.rows_good} can be imported, {job.rows_bad} cannot.")
        for problem in job.problems.all()[:10]:
            self.stdout.write(f"  line {problem.line}: {problem.get_reason_display()}. {problem.detail}")
        if options["report"]:
            with open(options["report"], "w", encoding="utf-8", newline="") as report:
                for line in report_rows(job):
                    report.write(line)
            self.stdout.write(f"Report written to {options['report']}.")
        if not job.rows_good:
            raise CommandError("No row can be imported.")
        if not options["only_valid"] and job.rows_bad:
            raise CommandError(f"{job.rows_bad} rows have problems: nothing imported (--all-or-nothing).")
        if not options["yes"]:
            answer = input(f"Import {job.rows_good} rows into “{consultation}”? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                self.stdout.write(f"Not imported. The checked import {job.pk} waits for confirmation in the app.")
                return
        self.run(actions.confirm_import, response_import=job, only_valid=options["only_valid"], by=viewer,
                 background=False)
        self.apply(job)

    def apply(self, job):
        started, before = time.monotonic(), job.rows_done
        try:
            job = actions.apply_import(response_import=job, progress=self.progress("imported"))
        except Exception as error:
            self.done_progress()
            raise CommandError(f"Interrupted after line {job.checkpoint_line} ({type(error).__name__}: {error}). "
                               f"Resume with --resume {job.pk} or roll back with --rollback {job.pk}.") from error
        self.done_progress()
        elapsed = time.monotonic() - started
        rows = job.rows_done - before
        self.stdout.write(f"{job.message} Applied {rows} rows in {elapsed:.1f} s "
                          f"({rows / max(elapsed, 1e-6):,.0f} rows/s). Import {job.pk}: {job.get_state_display()}.")

    def viewer(self, consultation, email):
        if email:
            user = User.objects.filter(email__iexact=email).first() or User.objects.filter(username=email).first()
            if user is None:
                raise CommandError(f"No user {email}.")
        else:
            user = consultation.engagement.owner
        viewer = viewer_for(user, consultation.organisation_id)
        if viewer is None or viewer.organisation.pk != consultation.organisation_id:
            raise CommandError(f"{user} is not a member of {consultation.organisation}: pass --as EMAIL.")
        if not viewer.can(Capability.CONSULTATIONS_ANALYSE):
            raise CommandError(f"{user}'s role does not allow importing responses: pass --as EMAIL.")
        return viewer

    def run(self, action, **kwargs):
        try:
            return action(**kwargs)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def progress(self, verb: str):
        def show(job):
            now = time.monotonic()
            if now - self.last_print < 0.5:
                return
            self.last_print = now
            p = imports.progress_of(job, timezone.now())
            left = f"{p.seconds_left} s" if p.seconds_left is not None else "?"
            self.stderr.write(f"\r{p.done:,} of ~{p.total:,} rows {verb} · {p.rate:,.0f} rows/s · ETA {left}   ",
                              ending="")
            self.stderr.flush()
        return show

    def done_progress(self):
        if self.last_print:
            self.stderr.write("")
        self.last_print = 0.0
