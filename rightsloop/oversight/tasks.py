"""Background work of the oversight app; each task is safe to run twice."""

from __future__ import annotations

from django.utils import timezone, translation
from django_tasks import task

from rightsloop.core.models import Organisation
from rightsloop.core.periods import Period

from . import board, packs


@task()
def refresh_board_figures(organisation_id: int, period: str, language: str) -> float:
    """Recompute one period's board figures in one language (queued by a page that served older ones)."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0.0
    with translation.override(language or None):
        return board.compute(organisation, Period.parse(period), today=timezone.localdate()).seconds


@task()
def refresh_all_board_figures() -> int:
    """Keep the running quarter and year fresh for every organisation whose board looked at them."""
    return sum(board.refresh_running(organisation) for organisation in Organisation.objects.all())


@task()
def render_board_pack(pack_id: int) -> str:
    return packs.render(pack_id)
