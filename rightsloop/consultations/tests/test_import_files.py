"""Uploaded files of responses at rest: sealed, owner-only, gone once the import is applied, rolled back or
cancelled, and a canary uploaded through the real page is never found in clear on disk."""

import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from rightsloop.core import sealed_files

from ..actions import imports as actions
from ..models import ImportState
from .factories import make_consultation
from .test_imports import MAPPING, ROWS, csv_bytes

pytestmark = pytest.mark.django_db

CANARY = "canary-files-4417@example.org"
CANARY_TEXT = "Canary words 4417 that only this respondent wrote"


def canary_file(extra_rows: int = 0) -> bytes:
    rows = [*ROWS, ("r9", CANARY_TEXT, CANARY, "yes", "en", "", "north")]
    rows += [(f"x{i}", f"Filler response number {i} about the library", f"p{i}@example.org", "no", "en", "", "")
             for i in range(extra_rows)]
    return csv_bytes(rows)


def files_under(*folders) -> list[Path]:
    return [path for folder in folders for path in Path(folder).rglob("*") if path.is_file()]


def assert_no_canary_and_private(media_root, temp_dir) -> list[Path]:
    found = files_under(media_root, temp_dir)
    for path in found:
        data = path.read_bytes()
        assert CANARY.encode() not in data and CANARY_TEXT.encode() not in data, path
    for path in [*found, *Path(media_root).rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    return [path for path in found if path.is_relative_to(media_root)]


@pytest.mark.parametrize("ending", ["apply", "rollback", "cancel"])
def test_a_canary_uploaded_through_the_page_is_sealed_private_and_gone_at_the_end(
        hr_lead, sign_in, private_media_root, tmp_path, django_capture_on_commit_callbacks, ending):
    consultation = make_consultation(hr_lead, yes_no=True)
    page = sign_in(hr_lead)
    base = f"/consultations/{consultation.pk}/imports"
    temp_dir = tmp_path / "uploads"
    temp_dir.mkdir()
    content = canary_file(extra_rows=2000)
    # A memory limit below the file's size sends the upload through the handler that writes to disk.
    with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024, FILE_UPLOAD_TEMP_DIR=str(temp_dir)):
        response = page.post(f"{base}/new/", {"file": SimpleUploadedFile("answers.csv", content)})
    assert response.status_code == 302
    job = consultation.imports.get()
    stored = assert_no_canary_and_private(private_media_root, temp_dir)
    assert [p.relative_to(private_media_root).as_posix() for p in stored] == [job.file.name]
    assert job.file.name.startswith(f"consultation-imports/org-{hr_lead.organisation.pk}/")
    with job.file.storage.open(job.file.name) as opened:
        assert opened.read() == content  # readable through the sealed storage only
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"{base}/{job.pk}/columns/", {"text": "answer", "respondent": "id", "contact": "email",
                                                 "consent": "consent"})
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED, job.message
    if ending == "cancel":
        with django_capture_on_commit_callbacks(execute=True):
            page.post(f"{base}/{job.pk}/cancel/")
    else:
        with django_capture_on_commit_callbacks(execute=True):
            page.post(f"{base}/{job.pk}/confirm/", {"only_valid": "yes"})
        job.refresh_from_db()
        assert job.state == ImportState.APPLIED, job.message
        if ending == "rollback":
            with django_capture_on_commit_callbacks(execute=True):
                page.post(f"{base}/{job.pk}/rollback/")
    job.refresh_from_db()
    expected = {"apply": ImportState.APPLIED, "rollback": ImportState.ROLLED_BACK, "cancel": ImportState.CANCELLED}
    assert job.state == expected[ending]
    assert job.file.name == ""
    assert assert_no_canary_and_private(private_media_root, temp_dir) == []


def test_a_file_that_cannot_be_read_is_not_kept(hr_lead, private_media_root, django_capture_on_commit_callbacks):
    consultation = make_consultation(hr_lead, yes_no=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.upload_responses(consultation=consultation, file=SimpleUploadedFile("a.xlsx", b"not a zip"),
                                       original_name="a.xlsx", by=hr_lead)
    assert job.state == ImportState.FAILED
    job.refresh_from_db()
    assert job.file.name == "" and files_under(private_media_root) == []
    assert actions.preview(job) == []  # the page still shows, with nothing to preview


def test_an_xlsx_upload_is_read_through_the_sealed_file(hr_lead, private_media_root):
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["id", "answer", "email", "consent", "lang", "receipt", "region"])
    for row in ROWS:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    consultation = make_consultation(hr_lead, yes_no=True)
    job = actions.upload_responses(consultation=consultation, file=SimpleUploadedFile("a.xlsx", buffer.getvalue()),
                                   original_name="a.xlsx", by=hr_lead)
    assert job.state == ImportState.UPLOADED and job.format == "xlsx", job.message
    actions.map_columns(response_import=job, mapping=MAPPING, by=hr_lead, background=False)
    job = actions.check_import(response_import=job)
    assert job.state == ImportState.CHECKED and job.rows_good == len(ROWS)
    assert sealed_files.is_sealed(Path(private_media_root) / job.file.name)
    assert not any(p.read_bytes().startswith(b"PK\x03\x04") for p in files_under(private_media_root))
