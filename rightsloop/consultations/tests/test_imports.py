"""Importing responses through the actions: formats, mapping, bad input, batches, resume and roll back."""

import io
import json
import tracemalloc
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.models import F
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.core.models import AuditEntry

from .. import imports
from ..actions import imports as actions
from ..fingerprints import contact_key, receipt_key, respondent_key
from ..models import (
    AnalysisRun,
    Consultation,
    DuplicateGroup,
    ImportProblem,
    ImportState,
    ProblemReason,
    Respondent,
    Response,
)
from .factories import make_applied_import, make_consultation, make_final_theme

pytestmark = pytest.mark.django_db

MAPPING = {"text": "answer", "respondent": "id", "contact": "email", "consent": "consent", "language": "lang",
           "receipt": "receipt", "attributes": ["region"]}


def csv_bytes(rows, delimiter=",", header=("id", "answer", "email", "consent", "lang", "receipt", "region")):
    out = io.StringIO()
    import csv

    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


ROWS = [
    ("r1", "Keep the library open on Sundays", "Ann@Example.org", "yes", "en", "AB-12", "north"),
    ("r2", "Mehr Radwege, bitte", "", "", "de", "", "south"),
    ("r1", "And fix the lights, please", "ann@example.org", "yes", "en", "", "north"),
    ("r3", "Plus de bancs dans le parc", "claude@example.fr", "non", "fr", "", "west"),
]


def upload(consultation, by, content: bytes, name="responses.csv"):
    return actions.upload_responses(consultation=consultation, file=SimpleUploadedFile(name, content),
                                    original_name=name, by=by)


def checked(consultation, by, content, name="responses.csv", mapping=MAPPING):
    job = upload(consultation, by, content, name)
    assert job.state == ImportState.UPLOADED, job.message
    actions.map_columns(response_import=job, mapping=mapping, by=by, background=False)
    return actions.check_import(response_import=job)


def applied(consultation, by, content, name="responses.csv", mapping=MAPPING, only_valid=True):
    job = checked(consultation, by, content, name, mapping)
    actions.confirm_import(response_import=job, only_valid=only_valid, by=by, background=False)
    return actions.apply_import(response_import=job)


def problems(job):
    return list(job.problems.values_list("line", "reason"))


def test_csv_with_mapping_attributes_respondents_and_sealed_contacts(hr_lead):
    consultation = make_consultation(hr_lead)
    job = applied(consultation, hr_lead, csv_bytes(ROWS, delimiter=";"))
    assert job.state == ImportState.APPLIED and job.format == "csv"
    assert (job.rows_total, job.rows_good, job.rows_bad, job.checkpoint_line) == (4, 4, 0, 5)
    responses = list(Response.objects.filter(response_import=job).order_by("line"))
    assert [r.text for r in responses] == [row[1] for row in ROWS]
    assert [r.line for r in responses] == [2, 3, 4, 5]
    assert [r.language for r in responses] == ["en", "de", "en", "fr"]
    assert [r.language_given for r in responses] == ["en", "de", "en", "fr"]
    assert [r.attributes for r in responses] == [{"region": "north"}, {"region": "south"}, {"region": "north"},
                                                 {"region": "west"}]
    org = consultation.organisation_id
    assert responses[0].receipt_index == receipt_key(org, "ab12") and responses[1].receipt_index == ""
    # r1 answered twice: one respondent, created by the first line.
    assert responses[0].respondent_id == responses[2].respondent_id
    respondents = {r.key: r for r in Respondent.objects.filter(consultation=consultation)}
    assert set(respondents) == {respondent_key(org, "r1"), respondent_key(org, "r2"), respondent_key(org, "r3")}
    ann = respondents[respondent_key(org, "r1")]
    assert ann.contact == "Ann@Example.org" and ann.consented and ann.line == 2
    assert ann.contact_index == contact_key(org, "ann@example.org")
    assert b"Example" not in bytes(ann.contact_sealed) and len(bytes(ann.contact_sealed)) > 20
    assert b"library" not in bytes(Response.objects.values_list("text_sealed", flat=True).first())
    claude = respondents[respondent_key(org, "r3")]
    assert claude.consented is False  # "non" is not consent
    assert respondents[respondent_key(org, "r2")].contact == ""
    consultation.refresh_from_db()
    assert (consultation.responses_count, consultation.respondents_count) == (4, 3)
    actions_logged = list(AuditEntry.objects.filter(target_type="consultations.responseimport").values_list(
        "action", flat=True).order_by("sequence"))
    assert actions_logged == ["consultation.import.upload", "consultation.import.map", "consultation.import.check",
                              "consultation.import.confirm", "consultation.import.apply"]


def test_a_second_import_reuses_the_respondents_of_the_consultation(hr_lead):
    consultation = make_consultation(hr_lead)
    applied(consultation, hr_lead, csv_bytes(ROWS))
    second = applied(consultation, hr_lead, csv_bytes([("r2", "Another thought", "", "", "en", "", "")]))
    response = second.responses.get()
    assert response.respondent.response_import_id != second.pk
    assert Respondent.objects.filter(consultation=consultation).count() == 3
    consultation.refresh_from_db()
    assert (consultation.responses_count, consultation.respondents_count) == (5, 3)


def test_json_lines(hr_lead):
    consultation = make_consultation(hr_lead)
    lines = [
        {"text": "Longer opening hours", "who": 7, "mail": "a@example.org", "ok": True, "lang": "en",
         "age": 34, "tags": ["x"]},
        {"text": "Weniger Lärm", "who": 8, "lang": "de-AT", "age": None},
        "not an object",
    ]
    content = ("\n".join(json.dumps(item) for item in lines) + "\n\n{broken\n").encode()
    mapping = {"text": "text", "respondent": "who", "contact": "mail", "consent": "ok", "language": "lang",
               "attributes": ["age", "tags"]}
    job = checked(consultation, hr_lead, content, "answers.jsonl", mapping)
    assert job.format == "jsonl" and job.columns == ["text", "who", "mail", "ok", "lang", "age", "tags"]
    assert problems(job) == [(3, ProblemReason.BAD_ROW), (5, ProblemReason.BAD_ROW)]
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    job = actions.apply_import(response_import=job)
    first, second = Response.objects.filter(response_import=job).order_by("line")
    assert first.attributes == {"age": "34", "tags": '["x"]'} and second.attributes == {"age": "", "tags": ""}
    assert second.language == "de" and first.respondent.consented is True
    assert first.respondent.contact == "a@example.org"


def xlsx_bytes(rows, *, merge=None, formula_at=None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    if formula_at:
        sheet[formula_at] = "=CONCAT(\"a\",\"b\")"
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_xlsx_with_numbers_formulas_and_merged_cells(hr_lead):
    consultation = make_consultation(hr_lead)
    rows = [("id", "answer", "lang", "score"), (1, "Clean the river", "en", 3.0), (2, "More trees", "en", 4.5),
            (3, "Quieter streets", "en", 1), (4, "Safer crossings", "en", 2), (5, None, "en", 2)]
    content = xlsx_bytes(rows, formula_at="B3", merge="B5:B6")
    mapping = {"text": "answer", "respondent": "id", "language": "lang", "attributes": ["score"]}
    job = checked(consultation, hr_lead, content, "answers.xlsx", mapping)
    assert job.format == "xlsx" and job.columns == ["id", "answer", "lang", "score"]
    assert problems(job) == [(3, ProblemReason.FORMULA), (6, ProblemReason.BAD_ROW)]
    merged = job.problems.get(line=6)
    assert "B5:B6" in merged.detail and "merged" in merged.detail
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    job = actions.apply_import(response_import=job)
    assert list(job.responses.order_by("line").values_list("line", "attributes")) == [
        (2, {"score": "3"}), (4, {"score": "1"}), (5, {"score": "2"})]
    assert job.responses.get(line=5).text == "Safer crossings"
    assert job.responses.get(line=5).respondent.key == respondent_key(consultation.organisation_id, "4")


def shared_strings_xlsx(texts: list[str]) -> bytes:
    """A workbook as Excel writes it: every text in the shared-strings table (openpyxl itself writes inline text)."""
    from xml.sax.saxutils import escape

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n - 1}</v></c></row>' for n in range(1, len(texts) + 1))
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
            'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/>'
            f'</Relationships>'),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet '
            f'name="Responses" sheetId="1" r:id="rId1"/></sheets></workbook>'),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
            f'2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/worksheets/sheet1.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}"><sheetData>{rows}</sheetData>'
            f'</worksheet>'),
        "xl/sharedStrings.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{main}" count="{len(texts)}" uniqueCount='
            f'"{len(texts)}">' + "".join(f"<si><t>{escape(text)}</t></si>" for text in texts) + "</sst>"),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@override_settings(RIGHTSLOOP_CONSULTATION_MAX_XLSX_STRINGS=1024**2)
def test_an_xlsx_whose_texts_would_not_fit_in_memory_is_refused_before_it_is_read(hr_lead):
    consultation = make_consultation(hr_lead)
    small = upload(consultation, hr_lead, shared_strings_xlsx(["answer", "Clean the river", "More trees"]), "s.xlsx")
    assert small.state == ImportState.UPLOADED and small.columns == ["answer"]
    # 1,500 distinct texts of about 1 KB: a 1.5 MB shared-strings table against a 1 MB limit.
    texts = ["answer", *(f"Response {number}: " + "very long " * 100 for number in range(1500))]
    job = upload(consultation, hr_lead, shared_strings_xlsx(texts), "big.xlsx")
    assert job.state == ImportState.FAILED
    assert "take 1 MB once unpacked" in job.message and "CSV UTF-8" in job.message
    # The same texts as CSV are read row by row.
    assert upload(consultation, hr_lead, "\n".join(texts).encode(), "big.csv").state == ImportState.UPLOADED


def test_all_or_nothing_refuses_a_file_with_bad_rows_and_only_valid_takes_the_good_ones(hr_lead):
    consultation = make_consultation(hr_lead)
    rows = [*ROWS, ("r4", "", "", "", "en", "", ""), ("r5", "Fine", "not-an-address", "yes", "en", "", "")]
    job = checked(consultation, hr_lead, csv_bytes(rows))
    assert (job.rows_good, job.rows_bad) == (4, 2)
    assert problems(job) == [(6, ProblemReason.MISSING_TEXT), (7, ProblemReason.BAD_CONTACT)]
    assert "not-an-address" not in job.problems.get(line=7).detail
    with pytest.raises(ValidationError, match="all or nothing"):
        actions.confirm_import(response_import=job, only_valid=False, by=hr_lead, background=False)
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED and not Response.objects.exists()
    actions.confirm_import(response_import=job, only_valid=True, by=hr_lead, background=False)
    job = actions.apply_import(response_import=job)
    assert sorted(job.responses.values_list("line", flat=True)) == [2, 3, 4, 5]
    # A clean file goes through all or nothing.
    clean = applied(consultation, hr_lead, csv_bytes(ROWS), only_valid=False)
    assert clean.state == ImportState.APPLIED and clean.responses.count() == 4 and not clean.only_valid


@pytest.mark.parametrize("content, words", [
    (b"", "empty"),
    (b"\n\n  \n", "empty"),
    (b"id,answer,email\n", "no rows"),
    (b"id,answer,lang\n1;hello;en\n2;bye;en\n3;again;en\n", "not consistent with any delimiter"),
])
def test_files_that_cannot_be_read_stop_cleanly_with_a_message(hr_lead, content, words):
    consultation = make_consultation(hr_lead)
    job = upload(consultation, hr_lead, content)
    assert job.state == ImportState.FAILED and words in job.message
    with pytest.raises(ValidationError):
        actions.map_columns(response_import=job, mapping={"text": "answer"}, by=hr_lead, background=False)


def test_wrong_delimiter_names_the_counts(hr_lead):
    job = upload(make_consultation(hr_lead), hr_lead, b"id,answer,lang\n1;hello;en\n2;bye;en\n")
    assert "header has 3 columns but a row has 1" in job.message


def test_single_column_file_and_tab_delimiter(hr_lead):
    consultation = make_consultation(hr_lead)
    job = applied(consultation, hr_lead, b"answer\nA, b and c\nSecond one\n", mapping={"text": "answer"})
    assert sorted(job.responses.values_list("line", flat=True)) == [2, 3]
    assert job.responses.get(line=2).text == "A, b and c"
    tabbed = checked(consultation, hr_lead, csv_bytes(ROWS, delimiter="\t"))
    assert tabbed.rows_good == 4 and tabbed.columns[1] == "answer"


def test_broken_utf8_lines_are_reported_with_their_line(hr_lead):
    consultation = make_consultation(hr_lead)
    content = (b"\xef\xbb\xbfanswer,lang\nfine,en\ncaf\xe9 latin-1,fr\n\"multi\nline \xff\",en\nalso fine,en\n")
    job = checked(consultation, hr_lead, content, mapping={"text": "answer", "language": "lang"})
    assert job.columns == ["answer", "lang"]  # the byte-order mark is not part of the first name
    assert problems(job) == [(3, ProblemReason.ENCODING), (4, ProblemReason.ENCODING)]
    assert "Line 3" in job.problems.first().detail
    assert job.rows_good == 2


def test_a_file_that_is_not_utf8_stops_with_a_suggestion(hr_lead):
    consultation = make_consultation(hr_lead)
    latin = "answer\n" + "".join(f"Réponse numéro {i}\n" for i in range(30))
    job = upload(consultation, hr_lead, latin.encode("latin-1"))
    assert job.state == ImportState.FAILED and "UTF-8" in job.message
    # Readable at the start, Latin-1 for most of the rest: the check stops instead of reporting every row.
    mixed = ("answer\n" + "".join(f"fine {i}\n" for i in range(60))).encode() + "".join(
        f"é {i}\n" for i in range(400)).encode("latin-1")
    job = checked(consultation, hr_lead, mixed, mapping={"text": "answer"})
    assert job.state == ImportState.FAILED and "save it again" in job.message


def test_a_one_megabyte_response_is_too_long_and_never_stored(hr_lead):
    consultation = make_consultation(hr_lead)
    huge = "x" * 1_000_000
    job = applied(consultation, hr_lead, f"answer\nshort one\n{huge}\nanother\n".encode(),
                  mapping={"text": "answer"})
    assert problems(job) == [(3, ProblemReason.TOO_LONG)]
    assert "1000000 characters; the limit is 10000" in job.problems.get().detail
    assert sorted(job.responses.values_list("line", flat=True)) == [2, 4]
    assert max(job.responses.values_list("length", flat=True)) < 20


@override_settings(RIGHTSLOOP_CONSULTATION_MAX_UPLOAD=100)
def test_a_file_over_the_size_limit_is_refused(hr_lead):
    consultation = make_consultation(hr_lead)
    with pytest.raises(ValidationError, match="largest file accepted"):
        upload(consultation, hr_lead, csv_bytes(ROWS * 5))
    assert not consultation.imports.exists()


def test_reading_is_streamed_in_constant_memory(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("id,answer,lang\n")
        for i in range(200_000):
            out.write(f"{i},Response number {i} about the proposal and its effects,en\n")
    size = path.stat().st_size
    assert size > 10_000_000
    tracemalloc.start()
    try:
        with path.open("rb") as stream:
            reader = imports.open_reader(stream, name="big.csv", size=size)
            count = sum(1 for row in reader.rows() if row.cells is not None)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 200_000
    assert peak < 3 * 1024 * 1024, peak


def test_preview_masks_addresses(hr_lead):
    job = upload(make_consultation(hr_lead), hr_lead, csv_bytes(ROWS))
    rows = actions.preview(job)
    assert len(rows) == 4 and rows[0][2] == "A***@Example.org" and rows[0][1] == ROWS[0][1]
    assert "ann@" not in json.dumps(rows).lower()


def test_mapping_is_validated(hr_lead):
    job = upload(make_consultation(hr_lead), hr_lead, csv_bytes(ROWS))
    with pytest.raises(ValidationError) as error:
        actions.map_columns(response_import=job, mapping={"text": "nope", "contact": "email",
                                                          "attributes": ["email", "zzz"]},
                            by=hr_lead, background=False)
    assert set(error.value.message_dict) == {"text", "attributes"}
    with pytest.raises(ValidationError, match="already used"):
        actions.map_columns(response_import=job, mapping={"text": "answer", "respondent": "answer"}, by=hr_lead,
                            background=False)
    job.refresh_from_db()
    assert job.state == ImportState.UPLOADED


@override_settings(RIGHTSLOOP_CONSULTATION_IMPORT_BATCH=10)
def test_resume_after_a_crash_imports_every_line_exactly_once(hr_lead, monkeypatch):
    consultation = make_consultation(hr_lead)
    rows = [(f"p{i % 20}", f"Response {i}", f"p{i % 20}@example.org", "yes", "en", "", "") for i in range(55)]
    job = checked(consultation, hr_lead, csv_bytes(rows))
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    real, calls = actions.insert_batch, []

    def crashing(*args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("process killed")
        return real(*args)

    monkeypatch.setattr(actions, "insert_batch", crashing)
    with pytest.raises(RuntimeError):
        actions.apply_import(response_import=job)
    job.refresh_from_db()
    assert job.state == ImportState.INTERRUPTED and job.checkpoint_line == 21 and job.rows_done == 20
    assert "Interrupted after line 21" in job.message
    assert job.responses.count() == 20
    with pytest.raises(ValidationError):
        actions.confirm_import(response_import=job, by=hr_lead, background=False)
    actions.resume_import(response_import=job, by=hr_lead, background=False)
    job = actions.apply_import(response_import=job)
    assert job.state == ImportState.APPLIED and job.rows_done == 55
    assert sorted(job.responses.values_list("line", flat=True)) == list(range(2, 57))
    assert Respondent.objects.filter(consultation=consultation).count() == 20
    consultation.refresh_from_db()
    assert (consultation.responses_count, consultation.respondents_count) == (55, 20)
    # A second run of the task finds nothing to do.
    assert actions.apply_import(response_import=job).responses.count() == 55
    assert AuditEntry.objects.filter(action="consultation.import.resume").count() == 1


def test_a_stale_apply_shows_as_interrupted_and_can_be_resumed(hr_lead):
    job = checked(make_consultation(hr_lead), hr_lead, csv_bytes(ROWS))
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    assert actions.shown_state(job) == ImportState.APPLYING
    later = timezone.now() + actions.STALE_AFTER * 2
    assert actions.shown_state(job, later) == ImportState.INTERRUPTED
    job.heartbeat_at = timezone.now() - actions.STALE_AFTER * 2
    job.save(update_fields=["heartbeat_at"])
    actions.resume_import(response_import=job, by=hr_lead, background=False)
    assert actions.apply_import(response_import=job).state == ImportState.APPLIED


@override_settings(RIGHTSLOOP_CONSULTATION_IMPORT_BATCH=3)
def test_rollback_removes_the_import_and_only_its_own_respondents(hr_lead, monkeypatch):
    consultation = make_consultation(hr_lead)
    earlier = make_applied_import(consultation, [{"text": "Earlier", "respondent": "r2"}], by=hr_lead)
    rows = [*ROWS, ("r9", "Late one", "", "", "en", "", "")]
    job = checked(consultation, hr_lead, csv_bytes(rows))
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    real, calls = actions.insert_batch, []

    def crashing(*args):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return real(*args)

    monkeypatch.setattr(actions, "insert_batch", crashing)
    with pytest.raises(RuntimeError):
        actions.apply_import(response_import=job)
    assert job.responses.count() == 3
    job = actions.rollback_import(response_import=job, by=hr_lead, background=False)
    assert job.state == ImportState.ROLLED_BACK
    assert not job.responses.exists()
    assert list(Respondent.objects.filter(consultation=consultation).values_list("response_import", flat=True)) == [
        earlier.pk]
    consultation.refresh_from_db()
    assert (consultation.responses_count, consultation.respondents_count) == (1, 1)
    assert AuditEntry.objects.filter(action="consultation.import.rollback", target_id=str(job.pk)).count() == 1
    assert AuditEntry.objects.filter(action="consultation.import.rolled_back", target_id=str(job.pk)).count() == 1
    with pytest.raises(ValidationError):
        actions.rollback_import(response_import=job, by=hr_lead)


@override_settings(RIGHTSLOOP_CONSULTATION_IMPORT_BATCH=2)
def test_a_rollback_runs_in_the_background_and_carries_on_after_its_process_died(hr_lead, monkeypatch,
                                                                                   django_capture_on_commit_callbacks):
    consultation = make_consultation(hr_lead)
    job = applied(consultation, hr_lead, csv_bytes(ROWS))
    with django_capture_on_commit_callbacks(execute=False) as queued:
        actions.rollback_import(response_import=job, by=hr_lead)
    # The request only marks the import; the responses are still there until the task runs.
    assert job.state == ImportState.ROLLING_BACK and job.responses.count() == 4 and len(queued) == 1
    with pytest.raises(ValidationError):
        actions.rollback_import(response_import=job, by=hr_lead)  # already under way, not stale
    real, calls = actions._delete, []

    def dying(model, ids):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(model, ids)

    monkeypatch.setattr(actions, "_delete", dying)
    with pytest.raises(RuntimeError):
        actions.run_rollback(response_import=job)
    monkeypatch.setattr(actions, "_delete", real)
    job.refresh_from_db()
    assert job.state == ImportState.ROLLING_BACK and job.rows_done == 2 and job.responses.count() == 2
    job.heartbeat_at = timezone.now() - actions.STALE_AFTER * 2
    job.save(update_fields=["heartbeat_at"])
    actions.rollback_import(response_import=job, by=hr_lead, background=False)
    assert job.state == ImportState.ROLLED_BACK and not job.responses.exists()
    consultation.refresh_from_db()
    assert (consultation.responses_count, consultation.respondents_count) == (0, 0)


@override_settings(RIGHTSLOOP_CONSULTATION_IMPORT_BATCH=2)
def test_a_rollback_beside_a_stalled_one_subtracts_each_response_once(hr_lead, monkeypatch):
    from rightsloop.core import bulk

    consultation = make_consultation(hr_lead)
    job = applied(consultation, hr_lead, csv_bytes(ROWS))
    actions.rollback_import(response_import=job, by=hr_lead)
    real, raced = actions._delete, []

    def after_the_other_worker(model, ids):
        if model is Response and not raced:
            raced.append(ids)
            bulk.delete_in(Response, "id", ids)  # the stalled worker woke up and removed this batch first
            Consultation.objects.filter(pk=consultation.pk).update(responses_count=F("responses_count") - len(ids))
        return real(model, ids)

    monkeypatch.setattr(actions, "_delete", after_the_other_worker)
    assert actions.run_rollback(response_import=job).state == ImportState.ROLLED_BACK
    consultation.refresh_from_db()
    assert (consultation.responses_count, consultation.respondents_count) == (0, 0)


def test_the_rollback_task_run_twice_removes_everything_once(hr_lead):
    from ..tasks import imports as tasks

    consultation = make_consultation(hr_lead)
    job = applied(consultation, hr_lead, csv_bytes(ROWS))
    actions.rollback_import(response_import=job, by=hr_lead)
    assert tasks.rollback_import.call(import_id=job.pk) == ImportState.ROLLED_BACK
    assert tasks.rollback_import.call(import_id=job.pk) == ImportState.ROLLED_BACK
    consultation.refresh_from_db()
    assert consultation.responses_count == 0 and not job.responses.exists()
    assert AuditEntry.objects.filter(action="consultation.import.rolled_back").count() == 1


def test_rollback_of_an_applied_import_keeps_respondents_answering_elsewhere(hr_lead):
    consultation = make_consultation(hr_lead)
    first = applied(consultation, hr_lead, csv_bytes(ROWS))
    second = applied(consultation, hr_lead, csv_bytes([("r1", "Yet more", "", "", "en", "", "")]))
    theme = make_final_theme(consultation, "Opening hours", list(first.responses.all()[:2]))
    run = AnalysisRun.objects.create(consultation=consultation, kind="discovery")
    group = DuplicateGroup.objects.create(consultation=consultation, run=run, kind="exact", size=2,
                                          representative=first.responses.first())
    second.responses.update(duplicate_group=group)
    actions.rollback_import(response_import=first, by=hr_lead, background=False)
    assert not theme.assignments.exists() and not DuplicateGroup.objects.exists()
    assert second.responses.get().duplicate_group is None
    # r1 was created by the first import but still answered in the second.
    assert list(Respondent.objects.filter(consultation=consultation).values_list("key", flat=True)) == [
        respondent_key(consultation.organisation_id, "r1")]
    assert second.responses.get().respondent is not None
    consultation.refresh_from_db()
    assert (consultation.responses_count, consultation.respondents_count) == (1, 1)


def test_cancel_before_confirming(hr_lead):
    job = checked(make_consultation(hr_lead), hr_lead, csv_bytes(ROWS))
    actions.cancel_import(response_import=job, by=hr_lead)
    assert job.state == ImportState.CANCELLED
    with pytest.raises(ValidationError):
        actions.confirm_import(response_import=job, by=hr_lead, background=False)
    with pytest.raises(ValidationError):
        actions.cancel_import(response_import=job, by=hr_lead)


def test_check_twice_is_safe_and_rechecking_replaces_the_problems(hr_lead):
    consultation = make_consultation(hr_lead)
    job = checked(consultation, hr_lead, csv_bytes([*ROWS, ("r8", "", "", "", "", "", "")]))
    assert actions.check_import(response_import=job).state == ImportState.CHECKED
    assert ImportProblem.objects.filter(response_import=job).count() == 1
    actions.map_columns(response_import=job, mapping={"text": "region"}, by=hr_lead, background=False)
    job = actions.check_import(response_import=job)
    assert problems(job) == [(6, ProblemReason.MISSING_TEXT)]
    job = actions.check_import(response_import=job)
    assert job.problems.count() == 1


def test_queries_per_batch_do_not_grow_with_rows(hr_lead):
    consultation = make_consultation(hr_lead)
    job = checked(consultation, hr_lead, csv_bytes(ROWS))

    def batch(start, count):
        return [imports.GoodRow(line=start + i, text=f"text {i}", respondent=f"p{start + i}",
                                contact=f"p{start + i}@example.org", consented=True, language="en", receipt="R1",
                                attributes={}) for i in range(count)]

    actions.insert_batch(job, consultation, batch(100, 1))  # the organisation's keys are created on first use
    counts = []
    for start, count in ((1000, 10), (5000, 2000)):
        with CaptureQueriesContext(connection) as queries:
            actions.insert_batch(job, consultation, batch(start, count))
        inserts = [q for q in queries.captured_queries if "INSERT INTO" in q["sql"]]
        counts.append((len(queries) - len(inserts), len(inserts)))
    # Two reads of respondents (known ones, then the new ones' ids) and at most one statement per table, whatever
    # the rows (PostgreSQL's COPY goes past Django's query log, so it shows no INSERT at all).
    assert [reads for reads, _inserts in counts] == [2, 2], queries.captured_queries
    assert all(inserts <= 2 for _reads, inserts in counts), counts
    assert Response.objects.filter(response_import=job).count() == 2011


def test_lines_split_across_chunks_and_a_line_too_long_to_hold(monkeypatch):
    monkeypatch.setattr(imports, "CHUNK", 7)
    monkeypatch.setattr(imports, "MAX_LINE_BYTES", 40)
    content = b"answer\nshort\n" + b"y" * 100 + b"\n\"two\nlines\"\nlast"
    reader = imports.open_reader(io.BytesIO(content), name="a.csv", size=len(content))
    rows = [(row.line, row.cells, row.problem and row.problem[0]) for row in reader.rows()]
    assert rows == [(2, ["short"], None), (3, None, ProblemReason.TOO_LONG), (4, ["two\nlines"], None),
                    (6, ["last"], None)]


@pytest.mark.parametrize("name, content, words", [
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old Excel"),
    ("fake.xlsx", b"id,answer\n1,hello\n", "not an Excel workbook"),
    ("broken.xlsx", b"PK\x03\x04" + b"garbage" * 20, "not a readable XLSX"),
    ("lines.jsonl", b"[1, 2]\n\"text\"\n", "No line of the file is a JSON object"),
])
def test_files_in_the_wrong_format_are_refused_with_a_message(hr_lead, name, content, words):
    job = upload(make_consultation(hr_lead), hr_lead, content, name)
    assert job.state == ImportState.FAILED and words in job.message


def test_the_check_task_run_twice_gives_the_same_counts_and_problems(hr_lead):
    from ..tasks import imports as tasks

    job = upload(make_consultation(hr_lead), hr_lead, csv_bytes([*ROWS, ("r8", "", "", "", "", "", "")]))
    actions.map_columns(response_import=job, mapping=MAPPING, by=hr_lead, background=False)
    assert tasks.check_import.call(import_id=job.pk) == ImportState.CHECKED
    assert tasks.check_import.call(import_id=job.pk) == ImportState.CHECKED
    job.refresh_from_db()
    assert (job.rows_good, job.rows_bad) == (4, 1) and problems(job) == [(6, ProblemReason.MISSING_TEXT)]
    assert AuditEntry.objects.filter(action="consultation.import.check").count() == 1
    assert tasks.check_import.call(import_id=10**9) == "missing"


def test_the_apply_task_run_twice_imports_each_line_once(hr_lead):
    from ..tasks import imports as tasks

    consultation = make_consultation(hr_lead)
    job = checked(consultation, hr_lead, csv_bytes(ROWS))
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    assert tasks.apply_import.call(import_id=job.pk) == ImportState.APPLIED
    assert tasks.apply_import.call(import_id=job.pk) == ImportState.APPLIED
    assert job.responses.count() == 4
    consultation.refresh_from_db()
    assert consultation.responses_count == 4
    assert AuditEntry.objects.filter(action="consultation.import.apply").count() == 1
