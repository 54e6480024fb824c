"""Import a file of responses: upload, map its columns, check every row, confirm, apply in batches, resume or roll back.

Checking and applying read the stored file row by row and write in batches, so a million rows never sit in memory
and never make a million queries. Applying records its checkpoint (the last line applied) in the same transaction
as each batch, so a crash leaves every batch either fully in or fully out, and a resume carries on after the
checkpoint; (import, line) is unique, so no line can be inserted twice. One audit entry per action, never per row.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable
from contextlib import contextmanager
from functools import partial
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Count, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, bulk
from rightsloop.core.sealing import OrganisationKey, SealingError

from .. import imports, queries
from ..fingerprints import contact_key, receipt_key, respondent_key
from ..models import (
    Consultation,
    ContactConsent,
    DuplicateGroup,
    ImportProblem,
    ImportState,
    MessageRun,
    ProblemReason,
    Respondent,
    RespondentMessage,
    Response,
    ResponseImport,
    ThemeAssignment,
    ThemeExample,
)

logger = logging.getLogger(__name__)

BATCH = 5000
# An applying import whose heartbeat is older than this was interrupted (its process died).
STALE_AFTER = datetime.timedelta(minutes=2)
RUNNING = (ImportState.CHECKING, ImportState.APPLYING, ImportState.ROLLING_BACK)

ProgressCallback = Callable[[ResponseImport], None]


def batch_size() -> int:
    from django.conf import settings

    return getattr(settings, "RIGHTSLOOP_CONSULTATION_IMPORT_BATCH", BATCH)


def is_stale(job: ResponseImport, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    return job.state in RUNNING and (job.heartbeat_at is None or now - job.heartbeat_at > STALE_AFTER)


def shown_state(job: ResponseImport, now: datetime.datetime | None = None) -> str:
    """The state to show: an apply whose process stopped beating is interrupted, whatever the row still says."""
    if job.state == ImportState.APPLYING and is_stale(job, now):
        return ImportState.INTERRUPTED
    return job.state


@contextmanager
def opened(job: ResponseImport):
    """A reader over the stored file (decrypted as it is read), closed afterwards."""
    if not job.file.name:
        raise imports.UnreadableFile(_("The file was deleted: upload it again."))
    stream = job.file.storage.open(job.file.name, "rb")
    reader = None
    try:
        reader = imports.open_reader(stream, name=job.original_name, size=job.size)
        yield reader
    finally:
        if reader is not None:
            reader.close()
        stream.close()


def preview(job: ResponseImport, rows: int = imports.PREVIEW_ROWS) -> list[list[str]]:
    """The first rows as read, every address masked (a***@example.org)."""
    found = []
    try:
        with opened(job) as reader:
            for row in reader.rows():
                if row.cells is not None:
                    found.append([imports.masked(value)[:200] for value in row.cells])
                if len(found) >= rows:
                    break
    except imports.UnreadableFile:
        return []
    return found


def _enqueue(name: str, job: ResponseImport) -> None:
    from ..tasks import imports as tasks

    transaction.on_commit(partial(getattr(tasks, name).enqueue, import_id=job.pk))


# Upload and mapping ---------------------------------------------------------------

@transaction.atomic
def upload_responses(*, consultation: Consultation, file, original_name: str, by: Viewer) -> ResponseImport:
    """Store the file and read its column names; a file that cannot be read is kept as FAILED with the reason."""
    limit = imports.max_upload()
    if file.size > limit:
        raise ValidationError({"file": [_(
            "The file is %(size)s; the largest file accepted is %(limit)s. Split it into smaller files and import "
            "each.") % {"size": _size(file.size), "limit": _size(limit)}]})
    original_name = PurePath(original_name or "responses").name[:255]
    suffix = PurePath(original_name).suffix.lower()[:8]
    job = ResponseImport(organisation=consultation.organisation, consultation=consultation, size=file.size,
                         original_name=original_name, created_by=by.user)
    # A name of our own: the uploader's file name is shown, never used as a path.
    job.file.save(f"responses-{secrets.token_hex(8)}{suffix if suffix.isascii() else ''}",
                  file if isinstance(file, File) else File(file), save=False)
    try:
        with opened(job) as reader:
            job.format, job.columns = reader.format, reader.columns
            if not any(row.cells is not None or row.problem for row in _first(reader.rows())):
                raise imports.UnreadableFile(_("The file has column names but no rows of responses."))
    except imports.UnreadableFile as error:
        job.state, job.message, job.finished_at = ImportState.FAILED, str(error), timezone.now()
    except Exception:
        # A file malformed in a way no reader foresaw (a damaged workbook): refused with a message, never a 500.
        logger.exception("reading the uploaded file %r failed", original_name)
        job.state, job.finished_at = ImportState.FAILED, timezone.now()
        job.message = _("The file cannot be read. Save it as CSV UTF-8 (or .xlsx) and upload it again.")
    job.save()
    if job.state == ImportState.FAILED:
        discard_file(job)  # nothing can be done with a file that cannot be read: keep no copy of it
    audit.record(organisation=consultation.organisation, by=by, action="consultation.import.upload", target=job,
                 summary=f"{original_name} ({_size(job.size)}, {job.get_state_display()})")
    return job


def _first(rows, count: int = 1):
    for number, row in enumerate(rows, start=1):
        yield row
        if number >= count:
            return


def _size(size: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return str(size)


@transaction.atomic
def map_columns(*, response_import: ResponseImport, mapping: dict, by: Viewer, background: bool = True
                ) -> ResponseImport:
    """Say which column holds what, then check every row (in the background unless told otherwise)."""
    job = ResponseImport.objects.select_for_update().get(pk=response_import.pk)
    if not (job.state in (ImportState.UPLOADED, ImportState.CHECKED)
            or (job.state == ImportState.CHECKING and is_stale(job))):
        raise ValidationError(_("The columns can be mapped only before the import is confirmed (it is now: "
                                "%(state)s).") % {"state": job.get_state_display()})
    job.mapping = imports.clean_mapping(mapping, job.columns)
    now = timezone.now()
    job.state, job.message = ImportState.CHECKING, ""
    job.rows_total = job.rows_good = job.rows_bad = job.rows_done = 0
    job.phase_started_at = job.heartbeat_at = now
    job.save(update_fields=["mapping", "state", "message", "rows_total", "rows_good", "rows_bad", "rows_done",
                            "phase_started_at", "heartbeat_at"])
    audit.record(organisation=job.organisation, by=by, action="consultation.import.map", target=job,
                 summary=", ".join(f"{role}: {job.mapping[role]}" for role in imports.ROLES if job.mapping[role]),
                 changed_fields=["mapping"])
    if background:
        _enqueue("check_import", job)
    _copy(job, response_import)
    return response_import


def _copy(source: ResponseImport, target: ResponseImport) -> None:
    if source is not target:
        target.__dict__.update({f.attname: getattr(source, f.attname) for f in source._meta.concrete_fields})


# The check ---------------------------------------------------------------------

def _beat(job: ResponseImport, in_state: str, **values) -> bool:
    """Record progress; False when the import left the state meanwhile (cancelled), so the work stops."""
    values["heartbeat_at"] = timezone.now()
    updated = ResponseImport.objects.filter(pk=job.pk, state=in_state).update(**values)
    for name, value in values.items():
        if not hasattr(value, "resolve_expression"):
            setattr(job, name, value)
    return bool(updated)


def check_import(*, response_import: ResponseImport, progress: ProgressCallback | None = None) -> ResponseImport:
    """Read every row, store each bad one as a problem, count good and bad. Safe to run twice."""
    job = response_import
    job.refresh_from_db()
    if job.state != ImportState.CHECKING:
        return job
    size = batch_size()
    ImportProblem.objects.filter(response_import=job).delete()
    good = bad = encoding = 0
    problems: list[ImportProblem] = []
    try:
        with opened(job) as reader:
            mapping = imports.ColumnMapping.of(job.mapping, job.columns)
            checker = imports.RowChecker(mapping, merged_rows=reader.merged_text_rows(mapping.text))
            for row in reader.rows():
                _values, problem = checker.check(row)
                if problem is None:
                    good += 1
                else:
                    bad += 1
                    encoding += problem[0] == ProblemReason.ENCODING
                    problems.append(ImportProblem(response_import=job, line=row.line, reason=problem[0],
                                                  detail=str(problem[1])[:300]))
                done = good + bad
                if done % size == 0:
                    if done >= imports.NOT_UTF8_AFTER and encoding > imports.NOT_UTF8_SHARE * done:
                        raise imports._not_utf8()
                    ImportProblem.objects.bulk_create(problems)
                    problems = []
                    if not _beat(job, ImportState.CHECKING, rows_done=done, rows_good=good, rows_bad=bad,
                                 rows_total=reader.estimated_rows(done)):
                        return job
                    if progress:
                        progress(job)
            ImportProblem.objects.bulk_create(problems)
            done = good + bad
            if done and encoding > imports.NOT_UTF8_SHARE * done:
                raise imports._not_utf8()
            if not done:
                raise imports.UnreadableFile(_("The file has column names but no rows of responses."))
    except imports.UnreadableFile as error:
        return _finish_check(job, state=ImportState.FAILED, message=str(error), good=good, bad=bad)
    except Exception:
        logger.exception("checking import %s failed", job.pk)
        return _finish_check(job, state=ImportState.FAILED, good=good, bad=bad, message=_(
            "The check stopped on an unexpected error. Try mapping the columns again; if it stops again, save the "
            "file as CSV UTF-8 and upload it."))
    if good:
        message = _("%(good)s rows can be imported, %(bad)s cannot (see the report).") % {"good": good, "bad": bad}
    else:
        message = _("No row can be imported: every row has a problem (see the report).")
    return _finish_check(job, state=ImportState.CHECKED, message=message, good=good, bad=bad)


@transaction.atomic
def _finish_check(job: ResponseImport, *, state: str, message: str, good: int, bad: int) -> ResponseImport:
    if not _beat(job, ImportState.CHECKING, state=state, message=message, rows_total=good + bad, rows_good=good,
                 rows_bad=bad, rows_done=good + bad, finished_at=timezone.now()):
        job.refresh_from_db()
        return job
    audit.record(organisation=job.organisation, by=None, action="consultation.import.check", target=job,
                 summary=f"{job.get_state_display()}: {good} good, {bad} bad rows")
    return job


# Confirming and applying -----------------------------------------------------------

@transaction.atomic
def confirm_import(*, response_import: ResponseImport, only_valid: bool = True, by: Viewer,
                   background: bool = True) -> ResponseImport:
    """Import the checked rows: only the good ones, or (all or nothing) only if no row is bad."""
    job = ResponseImport.objects.select_for_update().get(pk=response_import.pk)
    if job.state != ImportState.CHECKED:
        raise ValidationError(_("Only a checked import can be confirmed (it is now: %(state)s).")
                              % {"state": job.get_state_display()})
    if not job.rows_good:
        raise ValidationError(_("No row of this file can be imported."))
    if not only_valid and job.rows_bad:
        raise ValidationError(_(
            "%(bad)s rows have problems, so nothing was imported (all or nothing). Fix them in the file and upload "
            "it again, or import only the valid rows.") % {"bad": job.rows_bad})
    now = timezone.now()
    job.only_valid, job.state, job.message = only_valid, ImportState.APPLYING, ""
    job.rows_done, job.checkpoint_line = 0, 0
    job.phase_started_at = job.heartbeat_at = now
    job.save(update_fields=["only_valid", "state", "message", "rows_done", "checkpoint_line", "phase_started_at",
                            "heartbeat_at"])
    audit.record(organisation=job.organisation, by=by, action="consultation.import.confirm", target=job,
                 summary=_("%(good)s rows, %(mode)s") % {
                     "good": job.rows_good, "mode": _("valid rows only") if only_valid else _("all or nothing")})
    if background:
        _enqueue("apply_import", job)
    _copy(job, response_import)
    return response_import


@transaction.atomic
def resume_import(*, response_import: ResponseImport, by: Viewer, background: bool = True) -> ResponseImport:
    """Carry on an interrupted apply after its last applied line."""
    job = ResponseImport.objects.select_for_update().get(pk=response_import.pk)
    if shown_state(job) != ImportState.INTERRUPTED:
        raise ValidationError(_("Only an interrupted import can be resumed (it is now: %(state)s).")
                              % {"state": job.get_state_display()})
    if not job.file.name:
        raise ValidationError(_("This import's file was deleted (it was left interrupted past the retention period, "
                                "or held the address of a person who was erased): roll it back, then upload the "
                                "file again."))
    now = timezone.now()
    # Shift the start by the time the import stood still, so the rate shown stays the rate of the work.
    if job.phase_started_at and job.heartbeat_at:
        job.phase_started_at = now - (job.heartbeat_at - job.phase_started_at)
    else:
        job.phase_started_at = now
    job.state, job.message, job.heartbeat_at = ImportState.APPLYING, "", now
    job.save(update_fields=["state", "message", "phase_started_at", "heartbeat_at"])
    audit.record(organisation=job.organisation, by=by, action="consultation.import.resume", target=job,
                 summary=_("after line %(line)s") % {"line": job.checkpoint_line})
    if background:
        _enqueue("apply_import", job)
    _copy(job, response_import)
    return response_import


def apply_import(*, response_import: ResponseImport, progress: ProgressCallback | None = None) -> ResponseImport:
    """Insert the good rows in batches after the checkpoint; safe to run twice (a second run finds nothing to do)."""
    job = response_import
    job.refresh_from_db()
    if job.state != ImportState.APPLYING:
        return job
    consultation = Consultation.objects.get(pk=job.consultation_id)
    size = batch_size()
    try:
        with opened(job) as reader:
            mapping = imports.ColumnMapping.of(job.mapping, job.columns)
            checker = imports.RowChecker(mapping, merged_rows=reader.merged_text_rows(mapping.text))
            chunk = Chunk()
            batch: list[imports.GoodRow] = []
            read = 0
            for row in reader.rows():
                if row.line <= job.checkpoint_line:
                    continue
                good, _problem = checker.check(row)
                read += 1
                if good is not None:
                    batch.append(good)
                    chunk.characters += len(good.text)
                if read >= size:
                    chunk.batches.append((batch, row.line, read))
                    batch, read = [], 0
                    if chunk.full():
                        _apply_chunk(job, consultation, chunk, progress)
                        chunk = Chunk()
            if read:
                chunk.batches.append((batch, row.line, read))
            _apply_chunk(job, consultation, chunk, progress)
    except IntegrityError:
        # Another run of this import inserted these lines first; it carries the import on.
        logger.warning("import %s: lines already applied by another run", job.pk)
        job.refresh_from_db()
        return job
    except Exception as error:
        logger.exception("applying import %s stopped", job.pk)
        _interrupt(job, error)
        raise
    return _finish_apply(job)


class Chunk:
    """Batches read ahead so language detection sees enough texts to use every core; bounded in rows and text."""

    ROWS = 50_000
    CHARACTERS = 20_000_000

    def __init__(self):
        self.batches: list[tuple[list[imports.GoodRow], int, int]] = []  # (good rows, last line read, rows read)
        self.characters = 0

    def full(self) -> bool:
        return sum(len(rows) for rows, _line, _read in self.batches) >= self.ROWS or self.characters >= self.CHARACTERS


def _apply_chunk(job: ResponseImport, consultation: Consultation, chunk: Chunk, progress) -> None:
    rows = [row for batch, _line, _read in chunk.batches for row in batch]
    languages, stances = analyse(consultation, rows)
    start = 0
    for batch, last_line, read in chunk.batches:
        stop = start + len(batch)
        with transaction.atomic():
            respondents, responses = insert_batch(job, consultation, batch, languages[start:stop],
                                                  stances[start:stop])
            _beat(job, ImportState.APPLYING, checkpoint_line=last_line, rows_done=job.rows_done + read)
            if responses or respondents:
                Consultation.objects.filter(pk=consultation.pk).update(
                    responses_count=F("responses_count") + responses,
                    respondents_count=F("respondents_count") + respondents)
        start = stop
        if progress:
            progress(job)


def analyse(consultation: Consultation, rows: list[imports.GoodRow]) -> tuple[list[str], list[str]]:
    """The language of each row (given, else detected) and, for a yes/no question, its stance."""
    languages = [row.language for row in rows]
    unknown = [i for i, code in enumerate(languages) if not code]
    if unknown:
        from ..analysis.languages import detect_languages

        for i, code in zip(unknown, detect_languages([rows[i].text for i in unknown]), strict=True):
            languages[i] = code or ""
    stances = [""] * len(rows)
    if consultation.yes_no and rows:
        from ..analysis.stance import detect_stance

        stances = [stance or "" for stance in detect_stance([row.text for row in rows], languages)]
    return languages, stances


def _insert(model, names: tuple[str, ...], values: list[tuple]) -> None:
    """Plain column values in bulk (core.bulk): no model instance per row, no per-row SQL."""
    bulk.insert_rows(model, names, values)


def _respondent_ids(consultation_id: int, keys: list[str]) -> dict[str, int]:
    """Respondents of the consultation by key, in one query (the ORM's per-parameter work is the cost at scale)."""
    if not keys:
        return {}
    return bulk.pairs_in(Respondent, "key", "id", where=("consultation_id", consultation_id), keys=keys)


RESPONDENT_COLUMNS = ("organisation", "consultation", "response_import", "line", "key", "contact_sealed",
                      "contact_index", "consented", "refused", "language")
RESPONSE_COLUMNS = ("organisation", "consultation", "response_import", "respondent", "line", "text_sealed",
                    "length", "language_given", "language", "stance", "attributes", "receipt_index", "consent",
                    "excluded")


def insert_batch(job: ResponseImport, consultation: Consultation, rows: list[imports.GoodRow],
                 languages: list[str] | None = None, stances: list[str] | None = None) -> tuple[int, int]:
    """Write one batch of good rows; returns (respondents created, responses created).

    Sealed exactly as the models seal (Response.sealing_aad): under the organisation's key, bound to the import and
    the line, so the ciphertexts open through the model like any other.
    """
    if not rows:
        return 0, 0
    if languages is None or stances is None:
        languages, stances = analyse(consultation, rows)
    org, job_id = job.organisation_id, job.pk
    key = OrganisationKey(org)
    keys = [respondent_key(org, row.respondent or row.contact.lower()) if (row.respondent or row.contact) else ""
            for row in rows]
    wanted = {k for k in keys if k}
    known = _respondent_ids(consultation.pk, list(wanted))
    fresh: dict[str, tuple] = {}
    said_yes = {k for row, k in zip(rows, keys, strict=True) if k and row.consented}
    said_no = {k for row, k in zip(rows, keys, strict=True) if k and row.refused}
    label = Respondent._meta.label_lower
    for row, k, language in zip(rows, keys, languages, strict=True):
        if k and k not in known and k not in fresh:
            contact = key.seal(row.contact, f"{label}|contact|{job_id}|{row.line}".encode()) if row.contact else b""
            # Consent from all of this person's rows in the batch, in any order: a refusal in any of them wins.
            fresh[k] = (org, consultation.pk, job_id, row.line, k, contact, contact_key(org, row.contact),
                        k in said_yes and k not in said_no, k in said_no, language)
    _add_consent(known, yes=said_yes, no=said_no)
    if fresh:
        _insert(Respondent, RESPONDENT_COLUMNS, list(fresh.values()))
        known.update(_respondent_ids(consultation.pk, list(fresh)))
    label = Response._meta.label_lower
    as_json = Response._meta.get_field("attributes").get_db_prep_save
    values = [
        (org, consultation.pk, job_id, known[k] if k else None, row.line,
         key.seal(row.text, f"{label}|text|{job_id}|{row.line}".encode()), len(row.text), row.language,
         language, stance, as_json(row.attributes, connection), receipt_key(org, row.receipt) if row.receipt else "",
         row.consent, False)
        for row, k, language, stance in zip(rows, keys, languages, stances, strict=True)]
    _insert(Response, RESPONSE_COLUMNS, values)
    return len(fresh), len(values)


def _add_consent(known: dict[str, int], *, yes: set[str], no: set[str]) -> None:
    """Fold this batch's answers into respondents met before (earlier batches or imports): a refusal wins for good.

    Order-free on purpose, so a resumed batch or a file imported after another settles the same way.
    """
    refusing = [known[k] for k in no if k in known]
    agreeing = [known[k] for k in yes - no if k in known]
    for start in range(0, len(refusing), bulk.IN_CHUNK):
        Respondent.objects.filter(pk__in=refusing[start:start + bulk.IN_CHUNK]).update(refused=True, consented=False)
    for start in range(0, len(agreeing), bulk.IN_CHUNK):
        Respondent.objects.filter(pk__in=agreeing[start:start + bulk.IN_CHUNK], refused=False).update(consented=True)


def settle_consent(respondent_ids: list[int]) -> None:
    """Recompute consent from the responses a respondent has left (after a rollback removed some of them)."""
    said = Response.objects.filter(respondent=OuterRef("pk"))
    refused = Exists(said.filter(consent=ContactConsent.REFUSED))
    agreed = Exists(said.filter(consent=ContactConsent.GIVEN))
    for start in range(0, len(respondent_ids), bulk.IN_CHUNK):
        Respondent.objects.filter(pk__in=respondent_ids[start:start + bulk.IN_CHUNK]).update(
            refused=refused, consented=Case(When(agreed & ~refused, then=Value(True)), default=Value(False)))


def _interrupt(job: ResponseImport, error: Exception) -> None:
    ResponseImport.objects.filter(pk=job.pk, state=ImportState.APPLYING).update(
        state=ImportState.INTERRUPTED, heartbeat_at=timezone.now(),
        message=_("Interrupted after line %(line)s: %(error)s. Resume to import the rest, or roll back.") % {
            "line": ResponseImport.objects.filter(pk=job.pk).values_list("checkpoint_line", flat=True).first(),
            "error": type(error).__name__})
    job.refresh_from_db()


@transaction.atomic
def _finish_apply(job: ResponseImport) -> ResponseImport:
    imported = Response.objects.filter(response_import=job).count()
    if _beat(job, ImportState.APPLYING, state=ImportState.APPLIED, finished_at=timezone.now(), message=_(
            "%(count)s responses imported.") % {"count": imported}):
        audit.record(organisation=job.organisation, by=None, action="consultation.import.apply", target=job,
                     summary=f"{imported} responses")
        discard_file(job)
        transaction.on_commit(partial(queries.forget_response_languages, job.consultation_id))
    else:
        job.refresh_from_db()
    return job


# Rolling back and cancelling -------------------------------------------------------

def drop_files_naming(*, organisation_id: int, address: str) -> int:
    """Delete every stored file of responses in which an erased person's address appears; returns how many.

    An import not yet confirmed is cancelled; one already (partly) applied keeps its rows, which erasure clears
    like any other, and can still be rolled back, but no longer resumed. The search reads each sealed file through
    the decrypting stream, ignoring case, as the address is matched everywhere else.
    """
    needle = address.strip().lower().encode()
    if not needle:
        return 0
    dropped = 0
    for job in ResponseImport.objects.filter(organisation_id=organisation_id).exclude(file="").order_by("pk"):
        if not _file_contains(job, needle):
            continue
        if job.state in (ImportState.UPLOADED, ImportState.CHECKING, ImportState.CHECKED, ImportState.FAILED):
            ResponseImport.objects.filter(pk=job.pk).update(
                state=ImportState.CANCELLED, finished_at=timezone.now(),
                message=_("Cancelled: it held the address of a person whose data was erased. Upload the file again "
                          "without them."))
        discard_file(job)
        dropped += 1
    return dropped


def _file_contains(job: ResponseImport, needle: bytes) -> bool:
    tail = b""
    try:
        with job.file.storage.open(job.file.name, "rb") as stream:
            while chunk := stream.read(1 << 20):
                data = tail + chunk.lower()
                if needle in data:
                    return True
                tail = data[-(len(needle) - 1):] if len(needle) > 1 else b""
    except (OSError, SealingError):
        return True  # a file that cannot be checked may hold them: safer gone
    return False


def discard_file(job: ResponseImport) -> None:
    """Delete the sealed file once nothing needs it (applied, rolled back, cancelled, unreadable).

    Runs after the state change commits; a crash in between leaves a file the retention rule
    `consultation_import_files` removes.
    """
    name, storage = job.file.name, job.file.storage
    if not name:
        return

    def remove() -> None:
        storage.delete(name)
        ResponseImport.objects.filter(pk=job.pk, file=name).update(file="")

    job.file.name = ""
    transaction.on_commit(remove)


def rollback_import(*, response_import: ResponseImport, by: Viewer, background: bool = True) -> ResponseImport:
    """Start removing this import's responses and the respondents it created; the removal runs in the background.

    A million responses take minutes to delete, longer than a web request may last, so the request only marks the
    import as rolling back (and records who asked); run_rollback does the work, in batches. A rollback whose process
    died can be asked for again and carries on where it stopped. background=False runs it here (command line).
    """
    _mark_rolling_back(response_import=response_import, by=by, background=background)
    if not background:
        run_rollback(response_import=response_import)
    return response_import


@transaction.atomic
def _mark_rolling_back(*, response_import: ResponseImport, by: Viewer, background: bool) -> None:
    job = ResponseImport.objects.select_for_update().get(pk=response_import.pk)
    now = timezone.now()
    state = shown_state(job, now)
    restarting = state == ImportState.ROLLING_BACK and is_stale(job, now)
    if state not in (ImportState.INTERRUPTED, ImportState.APPLIED) and not restarting:
        raise ValidationError(_("Only an interrupted or imported file can be rolled back (it is now: %(state)s).")
                              % {"state": job.get_state_display()})
    if state == ImportState.APPLIED and MessageRun.objects.filter(consultation_id=job.consultation_id).exists():
        raise ValidationError(_("Respondents have already been sent the outcome: this import can no longer be "
                                "rolled back."))
    if not restarting:
        job.rows_done = 0  # responses removed so far
        job.phase_started_at = now
    job.state, job.heartbeat_at = ImportState.ROLLING_BACK, now
    job.message = _("Removing this file's responses.")
    job.save(update_fields=["state", "rows_done", "phase_started_at", "heartbeat_at", "message"])
    audit.record(organisation=job.organisation, by=by, action="consultation.import.rollback", target=job,
                 summary=job.original_name)
    if background:
        _enqueue("rollback_import", job)
    _copy(job, response_import)


def run_rollback(*, response_import: ResponseImport) -> ResponseImport:
    """Delete the import's responses, then the respondents left with none, in batches; then say it was rolled back.

    Safe to run twice and after a crash: each batch is its own transaction, and the state changes last. Stops when
    the import left the rolling-back state meanwhile.
    """
    job = response_import
    job.refresh_from_db()
    if job.state != ImportState.ROLLING_BACK:
        return job
    size = batch_size()
    with transaction.atomic():
        DuplicateGroup.objects.filter(representative__response_import=job).delete()
    for model, scope in ((Response, {"response_import": job}),
                         (Respondent, {"response_import": job, "responses__isnull": True})):
        counter = "responses_count" if model is Response else "respondents_count"
        while True:
            with transaction.atomic():
                ids = list(model.objects.filter(**scope).values_list("pk", flat=True).distinct()[:size])
                if not ids:
                    break
                heard = [] if model is Respondent else list(
                    Response.objects.filter(pk__in=ids, respondent__isnull=False).exclude(
                        respondent__response_import=job).values_list("respondent_id", flat=True).distinct())
                # Count what this process deleted: a rollback carried on beside a stalled one must not
                # subtract the same rows twice.
                gone = _delete(model, ids)
                # A yes or a no given only in this file goes with it; in the same transaction, so a rollback
                # that dies half-way leaves no respondent settled on deleted answers.
                settle_consent(heard)
                Consultation.objects.filter(pk=job.consultation_id).update(**{counter: F(counter) - gone})
                removed = {"rows_done": F("rows_done") + gone} if model is Response else {}
                if not _beat(job, ImportState.ROLLING_BACK, **removed):
                    transaction.set_rollback(True)
                    job.refresh_from_db()
                    return job
    with transaction.atomic():
        if _beat(job, ImportState.ROLLING_BACK, state=ImportState.ROLLED_BACK, checkpoint_line=0, rows_done=0,
                 finished_at=timezone.now(), message=_("Rolled back: none of this file's responses are kept.")):
            recount(job.consultation)
            audit.record(organisation=job.organisation, by=None, action="consultation.import.rolled_back",
                         target=job, summary=job.original_name)
            discard_file(job)
    job.refresh_from_db()
    return job


def recount(consultation: Consultation) -> None:
    """Count again what the analysis stored about the responses that are left: each theme's size, languages and
    stance, and each duplicate group's size; the public page's cached language counts are dropped.

    Run once a rollback has removed its rows, so no page, public figure or open data counts a removed response.
    """
    from .analysis import refresh_profiles  # the analysis actions load the models' engines: only when needed

    refresh_profiles(consultation, list(consultation.themes.values_list("pk", flat=True)))
    groups = list(DuplicateGroup.objects.filter(consultation=consultation).annotate(left=Count("members"))
                  .only("pk", "size"))
    for group in groups:
        group.size = group.left
    DuplicateGroup.objects.bulk_update(groups, ["size"], batch_size=500)
    transaction.on_commit(partial(queries.forget_response_languages, consultation.pk))


def _delete(model, ids: list[int]) -> int:
    """Delete rows by id and what refers to them, in plain DELETEs: no million sealed texts loaded to do it.

    QuerySet.delete() would fetch every row to cascade; here what refers to a response or a respondent goes first,
    by the same ids. Duplicate groups a response represents are removed before the loop (run_rollback).
    """
    related = ((ThemeAssignment, "response"), (ThemeExample, "response")) if model is Response else (
        (RespondentMessage, "respondent"),)
    for other, field in related:
        _delete_where(other, other._meta.get_field(field).column, ids)
    return _delete_where(model, "id", ids)


def _delete_where(model, column: str, ids: list[int]) -> int:
    return bulk.delete_in(model, column, ids)


@transaction.atomic
def cancel_import(*, response_import: ResponseImport, by: Viewer) -> ResponseImport:
    """Drop an import before it is confirmed; the stored file is deleted."""
    job = ResponseImport.objects.select_for_update().get(pk=response_import.pk)
    if job.state not in (ImportState.UPLOADED, ImportState.CHECKING, ImportState.CHECKED, ImportState.FAILED):
        raise ValidationError(_("Only an import not yet confirmed can be cancelled (it is now: %(state)s).")
                              % {"state": job.get_state_display()})
    job.state, job.finished_at = ImportState.CANCELLED, timezone.now()
    job.message = _("Cancelled before anything was imported.")
    job.save(update_fields=["state", "finished_at", "message"])
    audit.record(organisation=job.organisation, by=by, action="consultation.import.cancel", target=job,
                 summary=job.original_name)
    discard_file(job)
    _copy(job, response_import)
    return response_import
