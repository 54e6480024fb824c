"""The published reports at their public addresses, /r/<organisation>/<period>/: HTML, PDF and JSON.

No sign-in (visibly, with @login_not_required), no JavaScript, no cookie: what is served is a published version's
stored content, never recomputed, in the language it was published in. An organisation with nothing published,
a period without a published report and a version that does not exist are all simply not found.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from .report_models import ReportStatus, ReportVersion
from .report_tasks import document_html


def _versions(slug: str):
    if len(slug) > 50:
        raise Http404
    return ReportVersion.objects.filter(report__organisation__slug=slug).select_related("report__organisation")


def _version(slug: str, period: str, number: int | None) -> ReportVersion:
    versions = _versions(slug).filter(report__period=period)
    found = versions.filter(number=number).first() if number is not None else versions.order_by("-number").first()
    if found is None:
        raise Http404
    return found


def _addresses(version: ReportVersion, *, latest: bool) -> dict[str, str]:
    slug, period = version.report.organisation.slug, version.report.period
    args = [slug, period] if latest else [slug, period, version.number]
    suffix = "" if latest else "-version"
    return {"html": reverse(f"reports-public:report{suffix}", args=args),
            "pdf": reverse(f"reports-public:pdf{suffix}", args=args),
            "json": reverse(f"reports-public:json{suffix}", args=args)}


@login_not_required
@require_GET
def index(request, slug: str):
    versions = list(_versions(slug).order_by("-report__period", "-number"))
    if not versions:
        raise Http404
    latest = {}
    for version in versions:
        latest.setdefault(version.report.period, version)
    organisation = versions[0].report.organisation
    return render(request, "disclosure/public/index.html", {
        "organisation": organisation, "reports": list(latest.values()), "versions": versions})


@login_not_required
@require_GET
@gzip_page  # a year's report at scale is ~50 KB of HTML; compressed, a tenth of it (no secret on it to guess)
def report(request, slug: str, period: str, number: int | None = None):
    version = _version(slug, period, number)
    newest = _version(slug, period, None)
    with translation.override(version.language or None):
        html = document_html(version, for_print=False, newest=newest)
    response = HttpResponse(html)
    response["Content-Language"] = version.language
    if newest.number != version.number:
        response["Link"] = f'<{_addresses(newest, latest=True)["html"]}>; rel="latest-version"'
    return response


@login_not_required
@require_GET
def pdf(request, slug: str, period: str, number: int | None = None):
    version = _version(slug, period, number)
    if not version.pdf:
        with translation.override(version.language or None):
            response = render(request, "disclosure/public/pdf_pending.html", {
                "organisation": version.report.organisation, "version": version,
                "html": _addresses(version, latest=number is None)["html"]}, status=503)
        response["Retry-After"] = "60"
        return response
    name = f"{version.report.organisation.slug}-human-rights-report-{version.report.period}-v{version.number}.pdf"
    return FileResponse(version.pdf.open("rb"), content_type="application/pdf", filename=name)


@login_not_required
@require_GET
@gzip_page
def as_json(request, slug: str, period: str, number: int | None = None):
    version = _version(slug, period, number)
    body = {**version.content, "addresses": _addresses(version, latest=False),
            "status": ReportStatus.PUBLISHED.value}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})
