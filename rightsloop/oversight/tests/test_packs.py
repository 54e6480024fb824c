"""Board packs: queued, rendered by WeasyPrint with progress, sealed at rest, downloaded with an audit entry."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rightsloop.core import sealed_files
from rightsloop.core.models import AuditEntry
from rightsloop.core.periods import Period
from rightsloop.oversight import actions, packs
from rightsloop.oversight.models import BoardPack, PackStatus
from rightsloop.risks.tests.factories import make_risk


def test_a_pack_is_rendered_sealed_and_downloaded(organisation, hr_lead, board, sign_in, settings):
    make_risk(hr_lead, title="Location data sold to brokers", scale=5, scope=5, irremediability=5, likelihood=5)
    pack = actions.request_board_pack(period=Period.containing(timezone.localdate()), by=board)
    assert pack.status == PackStatus.QUEUED
    assert packs.render(pack.pk) == "ready"
    pack.refresh_from_db()
    assert (pack.status, pack.progress) == (PackStatus.READY, 100)
    assert pack.pages >= 6, "a cover and a page per question"
    stored = settings.MEDIA_ROOT / pack.file.name
    assert sealed_files.is_sealed(stored)
    assert b"%PDF" not in stored.read_bytes()[:64]
    response = sign_in(board).get(reverse("oversight:pack-download", args=[pack.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and len(content) == pack.size
    assert AuditEntry.objects.filter(action="board_pack.downloaded", target_id=str(pack.pk)).exists()
    # Run twice (a worker retried): the pack stays as it was.
    assert packs.render(pack.pk) == "ready"


def test_a_second_request_while_one_is_prepared_gets_that_one(organisation, board):
    period = Period.containing(timezone.localdate())
    first = actions.request_board_pack(period=period, by=board)
    assert actions.request_board_pack(period=period, by=board) == first
    assert BoardPack.objects.count() == 1


def test_a_pack_for_a_period_not_started_or_by_a_decision_maker_is_refused(organisation, board, decision_maker):
    with pytest.raises(ValidationError):
        actions.request_board_pack(period=Period.containing(timezone.localdate()).following(), by=board)
    with pytest.raises(PermissionDenied):
        actions.request_board_pack(period=Period.containing(timezone.localdate()), by=decision_maker)


def test_a_failed_render_says_so_and_keeps_nothing_half_written(organisation, board, monkeypatch):
    pack = actions.request_board_pack(period=Period.containing(timezone.localdate()), by=board)

    def broken(_html):
        raise OSError("no fonts")

    monkeypatch.setattr(packs, "pdf", broken)
    assert packs.render(pack.pk) == "failed"
    pack.refresh_from_db()
    assert pack.status == PackStatus.FAILED and not pack.file and pack.error == "OSError"


def test_the_packs_page_prepares_and_shows_progress(organisation, board, sign_in):
    client = sign_in(board)
    period = Period.containing(timezone.localdate())
    response = client.post(reverse("oversight:packs"), {"period": period.key})
    assert response.status_code == 302
    page = client.get(reverse("oversight:packs"))
    assert "hx-trigger=\"every 2s\"" in page.content.decode()
    refused = client.post(reverse("oversight:packs"), {"period": "someday"})
    assert refused.status_code == 400 and "is not a period" in refused.content.decode()


def test_a_pack_not_ready_is_not_downloaded(organisation, board, sign_in):
    pack = actions.request_board_pack(period=Period.containing(timezone.localdate()), by=board)
    response = sign_in(board).get(reverse("oversight:pack-download", args=[pack.pk]))
    assert response.status_code == 302
