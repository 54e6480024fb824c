"""The board pack: the board view of a period as a paginated PDF (WeasyPrint, charts as inline SVG).

Rendered by a task that reports its progress on the pack's row as it goes; the PDF is sealed at rest under the
organisation's key like every other stored file and served only through a view that checks access.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.core import sealed_files
from rightsloop.core.periods import Period

from . import board
from .models import BoardPack, PackStatus

logger = logging.getLogger(__name__)


def _step(pack_id: int, progress: int, step: str, **values) -> None:
    """Record progress in its own short transaction, so the packs page sees it while the rest runs."""
    with transaction.atomic():
        BoardPack.objects.filter(pk=pack_id).update(progress=progress, step=step, **values)


def html(view: board.BoardView) -> str:
    return render_to_string("oversight/pack.html", {
        "view": view, "base_url": settings.RIGHTSLOOP_BASE_URL.rstrip("/"), "generated_at": timezone.now(),
    })


def print_stylesheet(name: str):
    """A stylesheet of the product's static files for WeasyPrint (kept out of the HTML: no inline style anywhere)."""
    from django.contrib.staticfiles import finders
    from weasyprint import CSS

    return CSS(filename=finders.find(name))


def pdf(document_html: str) -> tuple[bytes, int]:
    from weasyprint import HTML

    document = HTML(string=document_html, base_url=settings.RIGHTSLOOP_BASE_URL).render(
        stylesheets=[print_stylesheet("css/board-pack.css")])
    return document.write_pdf(), len(document.pages)


def render(pack_id: int) -> str:
    pack = BoardPack.objects.select_related("organisation").filter(pk=pack_id).first()
    if pack is None:
        return "missing"
    if pack.status == PackStatus.READY:
        return "ready"  # run twice: the first run finished it
    try:
        with translation.override(pack.language or None):
            _step(pack.pk, 10, _("Gathering the figures"), status=PackStatus.RENDERING)
            view = board.board_view(pack.organisation, Period.parse(pack.period))
            _step(pack.pk, 40, _("Laying out the pages"))
            document_html = html(view)
            _step(pack.pk, 60, _("Rendering the PDF"))
            content, pages = pdf(document_html)
        name = sealed_files.file_name("board-packs", pack.organisation_id)
        with transaction.atomic():
            pack = BoardPack.objects.select_for_update().get(pk=pack.pk)
            if pack.status == PackStatus.READY:
                return "ready"
            previous = pack.file.name
            pack.file.save(name, ContentFile(content), save=False)
            pack.status, pack.progress, pack.step = PackStatus.READY, 100, ""
            pack.pages, pack.size, pack.finished_at = pages, len(content), timezone.now()
            pack.save()
            if previous:
                transaction.on_commit(lambda: sealed_files.sealed_storage().delete(previous))
        return "ready"
    except Exception as error:
        logger.exception("board pack %s failed", pack_id)
        _step(pack_id, 0, "", status=PackStatus.FAILED, error=type(error).__name__[:300],
              finished_at=timezone.now())
        return "failed"
