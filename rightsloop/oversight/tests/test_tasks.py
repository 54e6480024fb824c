"""The oversight app's background tasks, each run twice: the same end state, nothing done twice."""

from django.utils import timezone

from rightsloop.core.periods import Period
from rightsloop.oversight import actions
from rightsloop.oversight import board as figures
from rightsloop.oversight.models import BoardPack, BoardSnapshot, PackStatus
from rightsloop.oversight.tasks import refresh_all_board_figures, refresh_board_figures, render_board_pack
from rightsloop.risks.tests.factories import make_risk


def test_refreshing_a_period_twice_leaves_one_fresh_snapshot(organisation, hr_lead):
    period = Period.containing(timezone.localdate())
    refresh_board_figures.call(organisation.pk, period.key, "en")
    first = BoardSnapshot.objects.get(organisation=organisation, period=period.key, language="en")
    refresh_board_figures.call(organisation.pk, period.key, "en")
    second = BoardSnapshot.objects.get(organisation=organisation, period=period.key, language="en")
    assert first.pk == second.pk and first.evidence == second.evidence
    assert figures.is_fresh(second, figures.version_of(organisation), timezone.localdate())


def test_the_schedule_run_twice_recounts_only_what_changed(organisation, hr_lead):
    period = Period.containing(timezone.localdate())
    figures.compute(organisation, period)
    make_risk(hr_lead)  # a change: the running quarter's figures are stale
    assert refresh_all_board_figures.call() == 1
    assert refresh_all_board_figures.call() == 0


def test_rendering_a_pack_twice_renders_it_once(organisation, board):
    pack = actions.request_board_pack(period=Period.containing(timezone.localdate()), by=board)
    assert render_board_pack.call(pack.pk) == "ready"
    pack.refresh_from_db()
    name = pack.file.name
    assert render_board_pack.call(pack.pk) == "ready"
    pack.refresh_from_db()
    assert pack.file.name == name and pack.status == PackStatus.READY
    assert BoardPack.objects.count() == 1
