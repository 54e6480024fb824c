"""JSON API of the open data (O3): /api/v1/open-data, read and set whether the caller's organisation publishes it.

The same actions and reads as the settings page; the data itself is public at /open-data/<slug>/ without a token.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented

from . import actions, datapackage, queries
from .models import Licence

router = Router(tags=["open data"])


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


class OpenDataIn(Schema):
    published: bool = Field(description="Publish the open data (a release is built at once), or withdraw it")
    licence: Licence | None = Field(None, description="SPDX identifier of the licence; unchanged when left out")


class OpenDataReleaseOut(Schema):
    generated_at: datetime.datetime
    starts_on: datetime.date
    ends_before: datetime.date = Field(description="The release covers every completed quarter before this day")
    licence: str
    rows_total: int
    rows_hidden: int = Field(description="Rows whose count is hidden (fewer than 5, or not shown)")
    tables: dict[str, int] = Field(description="Rows per table")


class OpenDataOut(Schema):
    published: bool
    licence: str
    changed_at: datetime.datetime | None
    public_url: str = Field(description="The index page of the open data; empty while it is not published")
    latest_release: OpenDataReleaseOut | None


def _summary(organisation) -> dict:
    current = queries.settings_of(organisation)
    latest = queries.latest_release(organisation)
    return {
        "published": current.published, "licence": current.licence, "changed_at": current.changed_at,
        "public_url": datapackage.index_url(organisation) if current.published else "",
        "latest_release": None if latest is None else {
            "generated_at": latest.generated_at, "starts_on": latest.starts_on, "ends_before": latest.ends_before,
            "licence": latest.licence, "rows_total": latest.rows_total, "rows_hidden": latest.rows_hidden,
            "tables": latest.row_counts},
    }


@router.get("/open-data", response=documented({200: OpenDataOut}),
            summary="Whether the organisation publishes its open data, and its latest release")
def get_open_data(request):
    viewer = request.auth
    _require(viewer, Capability.OPEN_DATA_MANAGE)
    return _summary(viewer.organisation)


@router.put("/open-data", response=documented({200: OpenDataOut}), summary="Publish or withdraw the open data")
def put_open_data(request, body: OpenDataIn):
    viewer = request.auth
    _require(viewer, Capability.OPEN_DATA_MANAGE)
    actions.set_open_data(organisation=viewer.organisation, published=body.published,
                          licence=body.licence.value if body.licence is not None else None, by=viewer)
    return _summary(viewer.organisation)
