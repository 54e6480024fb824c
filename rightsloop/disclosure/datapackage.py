"""The open data package: which tables a release holds, and its `datapackage.json` (Frictionless Data Package v1,
https://specs.frictionlessdata.io/data-package/) describing every field of every CSV file.

Each table is one tabular data resource, `<key>.csv` beside datapackage.json: for each dimension its code and its
label, then the count and a note. A count hidden for safety is an empty cell (the schema's `missingValues`) with
its note, "fewer than 5" or "not shown", in `<count>_note`. The same rows are at `<key>.json` as an array of
objects (a hidden count null), which the package does not list twice.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from rightsloop.core.periods import Period
from rightsloop.core.registry import PublicTable, site

from .models import LICENCE_URLS, Licence, OpenDataRelease
from .tables import QUARTER, PublishedTable

PROFILE = "tabular-data-package"
RESOURCE_PROFILE = "tabular-data-resource"
# Table Schema patterns are XML Schema regular expressions: anchored at both ends by definition.
QUARTER_PATTERN = "[0-9]{4}-Q[1-4]"


def tables_of(release: OpenDataRelease) -> list[tuple[PublicTable, PublishedTable]]:
    """The release's tables that are still registered, in the registry's order, labelled in the active language."""
    return [(table, PublishedTable.restored(table, release.tables[table.key]))
            for table in site.public_tables if table.key in release.tables]


def table_of(release: OpenDataRelease, key: str) -> PublishedTable | None:
    table = next((table for table in site.public_tables if table.key == key), None)
    if table is None or key not in release.tables:
        return None
    return PublishedTable.restored(table, release.tables[key])


def first_quarter(tables: list[PublishedTable]) -> str:
    """The earliest quarter any of the tables counts ("" when none counts by quarter, or nothing yet)."""
    found = [row.codes[[d.name for d in published.dimensions].index(QUARTER)]
             for published in tables if QUARTER in [d.name for d in published.dimensions] for row in published.rows]
    return min(found, default="")


def index_url(organisation) -> str:
    return settings.RIGHTSLOOP_BASE_URL.rstrip("/") + reverse("open-data:index", args=[organisation.slug])


def suppression_note() -> str:
    return _("Counts under 5 are shown as “fewer than 5”, and others hidden so they cannot be worked out. A hidden "
             "count is an empty cell (null in JSON) with its reason in the note beside it. People at high risk are "
             "never counted.")


def describe(release: OpenDataRelease) -> dict[str, Any]:
    """The release's datapackage.json, in the active language."""
    organisation = release.organisation
    licence = Licence(release.licence) if release.licence in Licence.values else Licence.CC_BY_4
    tables = [published for _table, published in tables_of(release)]
    first = first_quarter(tables)
    return {
        "profile": PROFILE,
        "name": f"{organisation.slug.lower()}-open-data",
        "title": _("%(organisation)s: human rights due diligence in figures") % {"organisation": organisation.name},
        "description": " ".join([
            _("Counts of how %(organisation)s engages the people its products affect, decides on what they say "
              "and tells them, the salient human rights risks it manages, its public consultations and its "
              "grievance mechanism. Nothing here is about one person.") % {"organisation": organisation.name},
            suppression_note()]),
        "homepage": index_url(organisation),
        "created": release.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keywords": ["human rights", "due diligence", "stakeholder engagement", "grievance mechanism"],
        "licenses": [{"name": licence.value, "path": LICENCE_URLS[licence], "title": str(licence.label)}],
        "contributors": [{"title": organisation.name, "role": "publisher"}],
        # The quarters counted: from the first with a record to the last completed one.
        "temporal": {"start": (Period.parse(first).start if first else release.ends_before).isoformat(),
                     "end": (release.ends_before - datetime.timedelta(days=1)).isoformat()},
        "resources": [_resource(published) for published in tables],
    }


def _resource(published: PublishedTable) -> dict[str, Any]:
    fields = []
    for dimension in published.dimensions:
        code: dict[str, Any] = {"name": dimension.name, "type": "string", "title": dimension.title,
                                "description": dimension.description, "constraints": {"required": True}}
        if dimension.name == QUARTER:
            code["constraints"]["pattern"] = QUARTER_PATTERN
        fields += [code, {"name": f"{dimension.name}_label", "type": "string",
                          "title": _("%(dimension)s (in words)") % {"dimension": dimension.title},
                          "description": _("The code of “%(dimension)s” in words.") % {
                              "dimension": dimension.title}}]
    measure = published.measure
    fields += [
        {"name": measure.name, "type": "integer", "title": measure.title,
         "description": " ".join([measure.description, _("Empty when hidden: see the note.")]),
         "constraints": {"minimum": 0}},
        {"name": published.note_field, "type": "string", "title": _("Note"),
         "description": _("Why the count is hidden: “%(fewer)s” (1 to 4), or “%(not_shown)s” (hidden so that a "
                          "small count cannot be worked out from the others); empty when the count is shown.") % {
             "fewer": _("fewer than %(n)s") % {"n": published.threshold}, "not_shown": _("not shown")}},
    ]
    return {
        "profile": RESOURCE_PROFILE,
        "name": published.key,
        "path": f"{published.key}.csv",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "title": published.title,
        "description": published.description,
        "dialect": {"delimiter": ",", "lineTerminator": "\r\n", "header": True},
        "schema": {"fields": fields, "missingValues": [""],
                   "primaryKey": [dimension.name for dimension in published.dimensions]},
    }
