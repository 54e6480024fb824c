"""Briefing material files at rest: sealed under the organisation's key, owner-only, downloaded in clear only
through the page that checks access."""

import stat
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from rightsloop.core import sealed_files
from rightsloop.engagements.tests.factories import make_engagement

pytestmark = pytest.mark.django_db

CANARY = b"canary-briefing-5521: Ana Example, 12 Workers Road, ana@example.org\n"


def test_a_briefing_file_uploaded_through_the_page_is_sealed_and_downloads_whole(
        hr_lead, outsider, sign_in, private_media_root, tmp_path):
    engagement = make_engagement(hr_lead)
    content = CANARY * 5000
    temp_dir = tmp_path / "uploads"
    temp_dir.mkdir()
    page = sign_in(hr_lead)
    with override_settings(FILE_UPLOAD_MAX_MEMORY_SIZE=1024, FILE_UPLOAD_TEMP_DIR=str(temp_dir)):
        response = page.post(f"/engagements/{engagement.pk}/briefings/", {
            "title": "How the scheduling tool works", "shared_on": timezone.localdate().isoformat(),
            "file": SimpleUploadedFile("Tool explained.pdf", content)})
    assert response.status_code == 302, response.content.decode()[:500]
    briefing = engagement.briefings.get()
    assert briefing.file_name == "Tool explained.pdf"
    assert briefing.file.name.startswith(f"briefings/org-{engagement.organisation_id}/")
    stored = [p for p in Path(private_media_root).rglob("*") if p.is_file()]
    assert [p.relative_to(private_media_root).as_posix() for p in stored] == [briefing.file.name]
    assert list(temp_dir.iterdir()) == []
    for path in [*Path(private_media_root).rglob("*"), Path(private_media_root)]:
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path
        if path.is_file():
            assert sealed_files.is_sealed(path) and b"canary-briefing" not in path.read_bytes()
    download = page.get(f"/engagements/{engagement.pk}/briefings/{briefing.pk}/file/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert 'filename="Tool explained.pdf"' in download["Content-Disposition"]
    assert int(download["Content-Length"]) == len(content)
    assert sign_in(outsider).get(f"/engagements/{engagement.pk}/briefings/{briefing.pk}/file/").status_code == 404
