"""The PDF of a published report version, rendered in the background (WeasyPrint); safe to run twice."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from rightsloop.core import sealed_files

from .report_models import ReportVersion

logger = logging.getLogger(__name__)


def document_html(version: ReportVersion, *, for_print: bool, newest: ReportVersion | None = None) -> str:
    """The published version as one HTML document: the public page, and (for_print) the PDF's source."""
    organisation = version.report.organisation
    with translation.override(version.language or None):
        return render_to_string("disclosure/public/report.html", {
            "report": version.content, "version": version, "organisation": organisation, "for_print": for_print,
            "newest": newest if newest is not None and newest.pk != version.pk else None,
            "base_url": settings.RIGHTSLOOP_BASE_URL.rstrip("/")})


def render_pdf(version: ReportVersion) -> tuple[bytes, int]:
    from weasyprint import HTML

    from rightsloop.oversight.packs import print_stylesheet

    document = HTML(string=document_html(version, for_print=True), base_url=settings.RIGHTSLOOP_BASE_URL).render(
        stylesheets=[print_stylesheet("css/report-print.css")])
    return document.write_pdf(), len(document.pages)


@task()
def render_report_pdf(version_id: int) -> str:
    version = ReportVersion.objects.select_related("report__organisation").filter(pk=version_id).first()
    if version is None:
        return "missing"
    if version.pdf:
        return "ready"
    content, pages = render_pdf(version)
    with transaction.atomic():
        locked = ReportVersion.objects.select_for_update().get(pk=version_id)
        if locked.pdf:
            return "ready"
        locked.pdf.save(sealed_files.file_name("reports", version.report.organisation_id), ContentFile(content),
                        save=False)
        locked.pdf_pages = pages
        locked.save(update_fields=["pdf", "pdf_pages"])
    return "ready"
