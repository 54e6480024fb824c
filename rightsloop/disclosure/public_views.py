"""The open data's public door, /open-data/<organisation slug>/: the index page, datapackage.json and each table as
CSV and JSON, read from the organisation's latest release (disclosure.models.OpenDataRelease).

No sign-in (opted out visibly with @login_not_required), no JavaScript, nothing from another origin. An
organisation that does not publish its open data answers 404 exactly as an unknown slug. Words are in the
language chosen by link (?lang=es), else the organisation's own; every address is stable from one release to the
next, and may be cached for CACHE_SECONDS (so a withdrawal reaches caches within that time).
"""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from rightsloop.core.periods import quarter_label

from . import datapackage, queries
from .models import LICENCE_URLS, Licence, OpenDataRelease

CACHE_SECONDS = 600


def _language(request, release: OpenDataRelease) -> str:
    available = dict(settings.LANGUAGES)
    chosen = request.GET.get("lang", "")
    if chosen in available:
        return chosen
    own = release.organisation.default_language
    return own if own in available else settings.LANGUAGE_CODE


def _cached(response: HttpResponse, release: OpenDataRelease) -> HttpResponse:
    patch_cache_control(response, public=True, max_age=CACHE_SECONDS)
    response["Last-Modified"] = http_date(release.generated_at.timestamp())
    return response


@login_not_required
@require_GET
def index(request, slug: str):
    release = queries.public_release(slug)
    language = _language(request, release)
    with translation.override(language):
        licence = Licence(release.licence) if release.licence in Licence.values else Licence.CC_BY_4
        found = [published for _table, published in datapackage.tables_of(release)]
        tables = [(published, release.row_counts.get(published.key, 0)) for published in found]
        first = datapackage.first_quarter(found)
        response = render(request, "disclosure/open_data/index.html", {
            "organisation": release.organisation, "release": release, "tables": tables, "language": language,
            "languages": settings.LANGUAGES, "licence": licence, "licence_url": LICENCE_URLS[licence],
            "suppression": datapackage.suppression_note(), "first": quarter_label(first) if first else "",
            "last_day": release.ends_before - datetime.timedelta(days=1),
        })
    return _cached(response, release)


@login_not_required
@require_GET
def package(request, slug: str):
    release = queries.public_release(slug)
    with translation.override(_language(request, release)):
        described = datapackage.describe(release)
    response = HttpResponse(json.dumps(described, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    return _cached(response, release)


def _table(request, slug: str, key: str):
    release = queries.public_release(slug)
    language = _language(request, release)
    with translation.override(language):
        found = datapackage.table_of(release, key)
        if found is None:
            raise Http404
        return release, found, language


@login_not_required
@require_GET
def table_csv(request, slug: str, table: str):
    release, found, language = _table(request, slug, table)
    with translation.override(language):
        body = found.to_csv()
    response = HttpResponse(body.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{found.key}.csv"'
    return _cached(response, release)


@login_not_required
@require_GET
def table_json(request, slug: str, table: str):
    release, found, language = _table(request, slug, table)
    with translation.override(language):
        records = found.records()
    response = JsonResponse(records, safe=False, json_dumps_params={"ensure_ascii": False})
    return _cached(response, release)
