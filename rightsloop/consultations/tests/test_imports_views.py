"""The import through its pages, the API and the management command, with who may do what."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from rightsloop.core.models import AuditEntry

from ..actions import imports as actions
from ..models import ImportState, Respondent, Response
from .factories import make_consultation
from .test_imports import MAPPING, ROWS, checked, csv_bytes

pytestmark = pytest.mark.django_db

BAD = [*ROWS, ("r7", "", "bob@example.org", "yes", "en", "", ""), ("r8", "Text", "bob at example", "yes", "", "", "")]


def base(consultation):
    return f"/consultations/{consultation.pk}/imports"


def test_the_whole_import_in_the_browser_without_javascript(hr_lead, sign_in, django_capture_on_commit_callbacks):
    consultation = make_consultation(hr_lead, yes_no=True)
    page = sign_in(hr_lead)
    assert page.get(f"{base(consultation)}/new/").status_code == 200
    response = page.post(f"{base(consultation)}/new/", {"file": SimpleUploadedFile("answers.csv", csv_bytes(BAD))})
    job = consultation.imports.get()
    assert response.status_code == 302 and response["Location"] == f"{base(consultation)}/{job.pk}/columns/"
    mapping_page = page.get(response["Location"]).content.decode()
    assert "b***@example.org" in mapping_page and "bob@example.org" not in mapping_page
    assert "Keep the library open on Sundays" in mapping_page
    # The mapping is preselected from the column names.
    assert 'value="answer" selected' in mapping_page and 'value="email" selected' in mapping_page
    invalid = page.post(f"{base(consultation)}/{job.pk}/columns/", {"text": "", "contact": "email"})
    assert invalid.status_code == 400 and "This field is required" in invalid.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(f"{base(consultation)}/{job.pk}/columns/", {
            "text": "answer", "respondent": "id", "contact": "email", "consent": "consent", "receipt": "receipt",
            "attributes": ["region"]})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == ImportState.CHECKED and (job.rows_good, job.rows_bad) == (4, 2)
    detail = page.get(f"{base(consultation)}/{job.pk}/").content.decode()
    assert "No response text" in detail and "Contact is not a valid email address" in detail
    assert "Download the report of all 2 rows" in detail and "Import 4 rows" in detail
    assert "bob at example" not in detail and "bob@example.org" not in detail
    report = page.get(f"{base(consultation)}/{job.pk}/report.csv")
    assert report["Content-Type"].startswith("text/csv")
    body = b"".join(report.streaming_content).decode()
    assert list(csv.reader(io.StringIO(body))) == [
        ["line", "reason", "detail"], ["6", "No response text", "The text column is empty."],
        ["7", "Contact is not a valid email address", "The contact is not a valid email address."]]
    with django_capture_on_commit_callbacks(execute=True):
        refused = page.post(f"{base(consultation)}/{job.pk}/confirm/", {"only_valid": "no"}, follow=True)
    assert "nothing was imported (all or nothing)" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"{base(consultation)}/{job.pk}/confirm/", {"only_valid": "yes"})
    job.refresh_from_db()
    assert job.state == ImportState.APPLIED
    responses = Response.objects.filter(response_import=job)
    assert responses.count() == 4
    # No language column: detected per batch; a yes/no consultation gets a stance per response.
    assert responses.get(line=2).language == "en" and responses.get(line=5).language == "fr"
    assert responses.get(line=2).language_given == ""
    assert all(stance in ("for", "against", "unclear") for stance in responses.values_list("stance", flat=True))
    assert "Responses imported" in page.get(f"{base(consultation)}/{job.pk}/").content.decode()
    consultation_page = page.get(f"/consultations/{consultation.pk}/").content.decode()
    assert "answers.csv" in consultation_page


def test_progress_partial_polls_while_running_and_refreshes_when_done(hr_lead, sign_in):
    consultation = make_consultation(hr_lead)
    job = checked(consultation, hr_lead, csv_bytes(ROWS))
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    page = sign_in(hr_lead)
    url = f"{base(consultation)}/{job.pk}/"
    full = page.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in full and "<progress" in full and "Reload to see the progress" in full
    partial = page.get(url, HTTP_HX_REQUEST="true")
    assert partial.status_code == 200 and "<progress" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    actions.apply_import(response_import=job)
    done = page.get(url, HTTP_HX_REQUEST="true")
    assert done.status_code == 204 and done["HX-Refresh"] == "true"


def test_an_interrupted_import_offers_resume_and_roll_back(hr_lead, auditor, sign_in,
                                                          django_capture_on_commit_callbacks):
    consultation = make_consultation(hr_lead)
    job = checked(consultation, hr_lead, csv_bytes(ROWS))
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    job.heartbeat_at = timezone.now() - actions.STALE_AFTER * 2
    job.save(update_fields=["heartbeat_at"])
    page = sign_in(hr_lead)
    detail = page.get(f"{base(consultation)}/{job.pk}/").content.decode()
    assert "Interrupted: 0 of 4 rows imported" in detail and "Resume" in detail and "Roll back" in detail
    seen_by_auditor = sign_in(auditor).get(f"{base(consultation)}/{job.pk}/").content.decode()
    assert "Interrupted" in seen_by_auditor and "/resume/" not in seen_by_auditor
    assert sign_in(auditor).post(f"{base(consultation)}/{job.pk}/resume/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        page.post(f"{base(consultation)}/{job.pk}/resume/")
    job.refresh_from_db()
    assert job.state == ImportState.APPLIED and job.responses.count() == 4
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page.post(f"{base(consultation)}/{job.pk}/rollback/")
    rolling = page.get(f"{base(consultation)}/{job.pk}/").content.decode()
    assert "Rolling back" in rolling and "0 of 4 responses removed" in rolling and "every 2s" in rolling
    for callback in queued:
        callback()
    job.refresh_from_db()
    assert job.state == ImportState.ROLLED_BACK and not Response.objects.exists()


def test_a_rollback_whose_process_died_can_be_carried_on_from_the_page(hr_lead, auditor, sign_in):
    consultation = make_consultation(hr_lead)
    job = checked(consultation, hr_lead, csv_bytes(ROWS))
    actions.confirm_import(response_import=job, by=hr_lead, background=False)
    actions.apply_import(response_import=job)
    actions.rollback_import(response_import=job, by=hr_lead)  # its task never ran: the worker died
    job.heartbeat_at = timezone.now() - actions.STALE_AFTER * 2
    job.save(update_fields=["heartbeat_at"])
    page = sign_in(hr_lead)
    detail = page.get(f"{base(consultation)}/{job.pk}/").content.decode()
    assert "The rollback stopped after removing 0 responses" in detail and "Carry on rolling back" in detail
    assert "every 2s" not in detail
    assert "Carry on rolling back" not in sign_in(auditor).get(f"{base(consultation)}/{job.pk}/").content.decode()
    assert sign_in(auditor).post(f"{base(consultation)}/{job.pk}/rollback/").status_code == 403
    page.post(f"{base(consultation)}/{job.pk}/rollback/")
    job.refresh_from_db()
    assert job.state == ImportState.ROLLING_BACK and job.heartbeat_at > timezone.now() - actions.STALE_AFTER


def test_pages_refuse_bad_input_with_a_message(hr_lead, sign_in):
    consultation = make_consultation(hr_lead)
    page = sign_in(hr_lead)
    empty = page.post(f"{base(consultation)}/new/", {"file": SimpleUploadedFile("empty.csv", b"")})
    # Django's form refuses an empty upload before the action sees it.
    assert empty.status_code == 400 and "The submitted file is empty" in empty.content.decode()
    header_only = page.post(f"{base(consultation)}/new/", {"file": SimpleUploadedFile("h.csv", b"a,b\n")},
                            follow=True)
    assert "column names but no rows" in header_only.content.decode()
    assert consultation.imports.get().state == ImportState.FAILED
    with override_settings(RIGHTSLOOP_CONSULTATION_MAX_UPLOAD=50):
        big = page.post(f"{base(consultation)}/new/", {"file": SimpleUploadedFile("big.csv", csv_bytes(ROWS))})
    assert big.status_code == 400 and "too large" in big.content.decode()
    assert consultation.imports.count() == 1


def test_page_permissions(hr_lead, auditor, decision_maker, outsider, sign_in):
    consultation = make_consultation(hr_lead)
    job = checked(consultation, hr_lead, csv_bytes(ROWS))
    detail = f"{base(consultation)}/{job.pk}/"
    assert sign_in(auditor).get(detail).status_code == 200
    assert sign_in(auditor).get(f"{detail}report.csv").status_code == 200
    assert sign_in(auditor).get(f"{base(consultation)}/new/").status_code == 403
    assert sign_in(auditor).post(f"{detail}confirm/").status_code == 403
    assert sign_in(decision_maker).get(detail).status_code == 403
    assert sign_in(outsider).get(detail).status_code == 404
    assert sign_in(outsider).post(f"{detail}confirm/").status_code == 404
    other = make_consultation(hr_lead)
    assert sign_in(hr_lead).get(f"{base(other)}/{job.pk}/").status_code == 404


def test_the_import_through_the_api(hr_lead, auditor, api, django_capture_on_commit_callbacks):
    consultation = make_consultation(hr_lead)
    client = api(hr_lead)
    url = f"/api/v1/consultations/{consultation.pk}/imports"
    missing = client.post(url, {})
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    created = client.client.post(url, {"file": SimpleUploadedFile("a.csv", csv_bytes(BAD))},
                                 HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "uploaded" and body["columns"][:2] == ["id", "answer"]
    job_url = f"{url}/{body['id']}"
    wrong = client.put(f"{job_url}/mapping", {"text": "nope"})
    assert wrong.status_code == 400 and "text" in wrong.json()["errors"]
    with django_capture_on_commit_callbacks(execute=True):
        mapped = client.put(f"{job_url}/mapping", MAPPING)
    assert mapped.status_code == 202
    status = client.get(job_url).json()
    assert status["state"] == "checked" and (status["rows_good"], status["rows_bad"]) == (4, 2)
    assert status["progress"]["done"] == 6 and status["progress"]["percent"] == 100
    problems = client.get(f"{job_url}/problems", {"page_size": 1}).json()
    assert problems["count"] == 2 and problems["items"] == [
        {"line": 6, "reason": "missing_text", "detail": "The text column is empty."}]
    report = client.get(f"{job_url}/report")
    assert report.status_code == 200 and b"bob" not in b"".join(report.streaming_content)
    assert api(auditor).post(f"{job_url}/confirm", {}).status_code == 403
    assert client.post(f"{job_url}/confirm", {"only_valid": False}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(f"{job_url}/confirm", {"only_valid": True})
    assert confirmed.status_code == 202
    assert client.get(job_url).json()["state"] == "applied"
    assert client.post(f"{job_url}/resume").status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        rolled = client.post(f"{job_url}/rollback")
    assert rolled.status_code == 202 and rolled.json()["state"] == "rolling_back"
    assert client.get(job_url).json()["state"] == "rolled_back"
    assert client.get(url).json()["count"] == 1
    assert api(auditor).get(job_url).status_code == 200
    assert client.post(f"{job_url}/cancel").status_code == 400


def test_the_management_command(hr_lead, tmp_path, capsys):
    consultation = make_consultation(hr_lead)
    path = tmp_path / "answers.csv"
    path.write_bytes(csv_bytes(BAD))
    report = tmp_path / "report.csv"
    call_command("import_responses", str(consultation.pk), str(path), "--text", "answer", "--respondent", "id",
                 "--contact", "email", "--consent", "consent", "--attributes", "region,lang", "--yes",
                 "--report", str(report))
    out = capsys.readouterr()
    assert "4 can be imported, 2 cannot" in out.out and "line 6: No response text" in out.out
    assert "4 responses imported" in out.out and "rows/s" in out.out
    assert "bob" not in report.read_text() and report.read_text().count("\n") == 3
    job = consultation.imports.get()
    assert job.state == ImportState.APPLIED and job.created_by == consultation.engagement.owner
    assert Response.objects.get(response_import=job, line=2).attributes == {"lang": "en", "region": "north"}
    with pytest.raises(CommandError, match="all-or-nothing"):
        call_command("import_responses", str(consultation.pk), str(path), "--text", "answer", "--all-or-nothing",
                     "--contact", "email", "--yes")
    call_command("import_responses", "--rollback", str(job.pk))
    job.refresh_from_db()
    assert job.state == ImportState.ROLLED_BACK and not Respondent.objects.filter(response_import=job).exists()
    with pytest.raises(CommandError, match="Only an interrupted import"):
        call_command("import_responses", "--resume", str(job.pk))
    assert AuditEntry.objects.filter(action="consultation.import.rollback").count() == 1


def test_the_command_refuses_bad_files_and_unknown_people(hr_lead, tmp_path):
    consultation = make_consultation(hr_lead)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="empty"):
        call_command("import_responses", str(consultation.pk), str(empty), "--text", "answer", "--yes")
    good = tmp_path / "good.csv"
    good.write_bytes(csv_bytes(ROWS))
    with pytest.raises(CommandError, match="No user"):
        call_command("import_responses", str(consultation.pk), str(good), "--text", "answer", "--as", "x@y.z")
    with pytest.raises(CommandError, match="no column"):
        call_command("import_responses", str(consultation.pk), str(good), "--text", "nope", "--yes")


def test_posting_no_file_says_so(hr_lead, sign_in):
    consultation = make_consultation(hr_lead)
    response = sign_in(hr_lead).post(f"{base(consultation)}/new/", {})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
