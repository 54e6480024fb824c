"""Uploaded files of responses at rest: sealed, owner-only, gone once the import is applied, rolled back or
cancelled, and a canary uploaded through the real page is never found in clear on disk."""

import os
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


def test_retention_removes_files_nobody_will_import(hr_lead, private_media_root):
    import datetime

    from django.utils import timezone

    from rightsloop.core import retention
    from rightsloop.engagements.models import BriefingMaterial

    from ..models import ResponseImport

    consultation = make_consultation(hr_lead, yes_no=True)
    old = actions.upload_responses(consultation=consultation, file=SimpleUploadedFile("a.csv", canary_file()),
                                   original_name="a.csv", by=hr_lead)
    recent = actions.upload_responses(consultation=consultation, file=SimpleUploadedFile("b.csv", canary_file()),
                                      original_name="b.csv", by=hr_lead)
    finished = actions.upload_responses(consultation=consultation, file=SimpleUploadedFile("c.csv", canary_file()),
                                        original_name="c.csv", by=hr_lead)
    now = timezone.now()
    ResponseImport.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=31))
    # A crash between the state change and the deletion leaves a finished import's file behind.
    ResponseImport.objects.filter(pk=finished.pk).update(state=ImportState.APPLIED)
    # An upload whose transaction rolled back leaves a file no row names.
    orphan = Path(private_media_root) / sealed_files.file_name("consultation-imports", hr_lead.organisation.pk)
    orphan.write_bytes(b"RLSEALED left behind")
    os.utime(orphan, (now.timestamp() - 40 * 86400,) * 2)
    briefing_orphan = Path(private_media_root) / sealed_files.file_name("briefings", hr_lead.organisation.pk)
    briefing_orphan.parent.mkdir(parents=True)
    briefing_orphan.write_bytes(b"RLSEALED left behind")
    os.utime(briefing_orphan, (now.timestamp() - 2 * 86400,) * 2)
    assert len(files_under(private_media_root)) == 5

    done = retention.purge(now=now)

    assert done[(hr_lead.organisation.slug, "consultation_import_files")] == 3
    assert done[(hr_lead.organisation.slug, "briefing_file_leftovers")] == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    finished.refresh_from_db()
    assert old.state == ImportState.CANCELLED and old.file.name == "" and finished.file.name == ""
    assert recent.state == ImportState.UPLOADED
    assert [p.relative_to(private_media_root).as_posix() for p in files_under(private_media_root)] == [
        recent.file.name]
    assert not BriefingMaterial.objects.exists()
    assert retention.purge(now=now)[(hr_lead.organisation.slug, "consultation_import_files")] == 0


def test_files_stored_in_clear_before_sealing_are_sealed_by_the_command(hr_lead, private_media_root):
    from django.core.management import call_command

    from rightsloop.engagements import actions as engagement_actions
    from rightsloop.engagements.models import BriefingMaterial
    from rightsloop.engagements.tests.factories import make_engagement

    from ..models import ResponseImport

    consultation = make_consultation(hr_lead, yes_no=True)
    job = actions.upload_responses(consultation=consultation, file=SimpleUploadedFile("a.csv", canary_file()),
                                   original_name="a.csv", by=hr_lead)
    engagement = make_engagement(hr_lead)
    briefing = engagement_actions.add_briefing(engagement=engagement, title="Tool", shared_on=engagement.starts_on,
                                               by=hr_lead, file=SimpleUploadedFile("tool.pdf", b"x"))
    # As the product stored them before: in clear, under the old names, readable by anyone on the machine.
    root = Path(private_media_root)
    for name, content in (("consultation-imports/2026/05/responses-1a2b.csv", canary_file()),
                          ("briefings/2026/05/Tool explained.pdf", CANARY.encode()),
                          ("consultation-imports/2026/04/responses-gone.csv", canary_file())):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(content)
        (root / name).chmod(0o644)
    ResponseImport.objects.filter(pk=job.pk).update(file="consultation-imports/2026/05/responses-1a2b.csv")
    BriefingMaterial.objects.filter(pk=briefing.pk).update(file="briefings/2026/05/Tool explained.pdf", file_name="")

    call_command("seal_files", "--delete-unreferenced")

    assert_no_canary_and_private(root, root)
    job.refresh_from_db()
    briefing.refresh_from_db()
    assert job.file.name.startswith(f"consultation-imports/org-{hr_lead.organisation.pk}/")
    with job.file.storage.open(job.file.name) as opened:
        assert opened.read() == canary_file()
    assert briefing.file_name == "Tool explained.pdf"
    with briefing.file.open("rb") as opened:
        assert opened.read() == CANARY.encode()
    assert all(sealed_files.is_sealed(p) for p in files_under(root))
    assert len(files_under(root)) == 4  # two sealed by the command, two sealed at upload; the clear ones gone
    call_command("seal_files")  # a second run finds nothing to do
    assert len(files_under(root)) == 4


def test_erasing_a_person_deletes_the_stored_files_that_hold_their_address(hr_lead, private_media_root,
                                                                          django_capture_on_commit_callbacks):
    from rightsloop.stakeholders.actions import erase_stakeholder
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    person = make_stakeholder(hr_lead, email=CANARY)
    consultation = make_consultation(hr_lead, yes_no=True)
    holding = actions.upload_responses(  # the address in other letters' case: addresses match ignoring it
        consultation=consultation, file=SimpleUploadedFile("a.csv", canary_file(2000).replace(
            CANARY.encode(), CANARY.upper().encode())), original_name="a.csv", by=hr_lead)
    other = actions.upload_responses(consultation=consultation, file=SimpleUploadedFile("b.csv", csv_bytes(ROWS)),
                                     original_name="b.csv", by=hr_lead)
    assert len(files_under(private_media_root)) == 2

    with django_capture_on_commit_callbacks(execute=True):
        erase_stakeholder(stakeholder=person, reason="asked to be forgotten", by=hr_lead)

    holding.refresh_from_db()
    other.refresh_from_db()
    assert holding.state == ImportState.CANCELLED and holding.file.name == ""
    assert other.state == ImportState.UPLOADED and other.file.name
    assert [p.relative_to(private_media_root).as_posix() for p in files_under(private_media_root)] == [
        other.file.name]


def test_an_interrupted_import_whose_file_was_deleted_is_not_resumed(hr_lead, private_media_root,
                                                                     django_capture_on_commit_callbacks):
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from rightsloop.core import retention

    from ..models import ResponseImport
    from .test_imports import checked

    job = checked(make_consultation(hr_lead, yes_no=True), hr_lead, canary_file())
    long_ago = timezone.now() - datetime.timedelta(days=31)
    ResponseImport.objects.filter(pk=job.pk).update(state=ImportState.INTERRUPTED, heartbeat_at=long_ago)
    assert retention.purge(now=timezone.now())[(hr_lead.organisation.slug, "consultation_import_files")] == 1
    job.refresh_from_db()
    assert job.state == ImportState.INTERRUPTED and job.file.name == "" and files_under(private_media_root) == []
    with pytest.raises(ValidationError, match="roll it back"):
        actions.resume_import(response_import=job, by=hr_lead, background=False)
    with django_capture_on_commit_callbacks(execute=True):
        actions.rollback_import(response_import=job, by=hr_lead, background=False)
    job.refresh_from_db()
    assert job.state == ImportState.ROLLED_BACK
