"""JSON front door of engagement load (S3): /api/v1/stakeholders/{id}/load and /api/v1/load-thresholds.

The figures are the pages' own (engagements.load computes both). Adding a participant through
POST /api/v1/engagements/{id}/participants answers 409 with a LoadWarningOut when the stakeholder was already
asked more than the thresholds allow, unless the request says `confirm_load: true`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented
from rightsloop.stakeholders.queries import access_stakeholder, hidden_from

from . import load

router = Router(tags=["engagement load"])


class LoadThresholdsOut(Schema):
    warn_90: int = Field(description="More requests than this in the last 90 days warns")
    warn_365: int = Field(description="More requests than this in the last 365 days warns")


class LoadThresholdsIn(Schema):
    warn_90: int = Field(..., ge=0, le=1000)
    warn_365: int = Field(..., ge=0, le=10000)


class LoadRequestOut(Schema):
    engagement_id: int
    title: str
    team: str = Field(description="The engagement's owner: the team that asked")
    functions: list[str] = Field(description="Codes of the decision-maker functions attending")
    asked_at: datetime.datetime = Field(description="When the stakeholder (or one of its people) was added")
    stakeholder_id: int = Field(description="Who was asked: the stakeholder itself or a person who belongs to it")


class LoadOut(Schema):
    stakeholder_id: int
    count_90: int = Field(description="Engagements that asked in the last 90 days (an organisation with its people)")
    count_365: int = Field(description="The same over the last 365 days")
    thresholds: LoadThresholdsOut
    over_90: bool
    over_365: bool
    over: bool = Field(description="True when either window is over its threshold: inviting again warns")
    requests: list[LoadRequestOut] = Field(description="The last 365 days, newest first, at most 50")


class LoadWarningOut(Schema):
    detail: str
    code: str = Field("over_solicited", description="Always over_solicited; send confirm_load: true to go ahead")
    load: LoadOut


def load_out(found: load.Load) -> dict:
    return {
        "stakeholder_id": found.stakeholder.pk, "count_90": found.count_90, "count_365": found.count_365,
        "thresholds": {"warn_90": found.thresholds.warn_90, "warn_365": found.thresholds.warn_365},
        "over_90": found.over_90, "over_365": found.over_365, "over": found.over,
        "requests": [{"engagement_id": r.engagement_id, "title": r.title, "team": r.owner,
                      "functions": r.functions, "asked_at": r.asked_at, "stakeholder_id": r.stakeholder_id}
                     for r in found.requests],
    }


def warning_out(found: load.Load) -> dict:
    return {"detail": load.warning_text(found), "code": "over_solicited", "load": load_out(found)}


def _require(viewer, *capabilities: str) -> None:
    if not any(viewer.can(capability) for capability in capabilities):
        raise PermissionDenied(_("Your role does not allow this."))


@router.get("/stakeholders/{int:stakeholder_id}/load", response=documented({200: LoadOut}),
            summary="A stakeholder's engagement load: requests in 90 and 365 days against the thresholds")
def stakeholder_load(request, stakeholder_id: int):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_VIEW)
    stakeholder = access_stakeholder(viewer, stakeholder_id)
    return load_out(load.load_of(stakeholder, leave_out=hidden_from(viewer)))


@router.get("/load-thresholds", response=documented({200: LoadThresholdsOut}), summary="Engagement load thresholds")
def get_load_thresholds(request):
    viewer = request.auth
    _require(viewer, Capability.ENGAGEMENTS_VIEW, Capability.ORGANISATION_MANAGE, Capability.RELATIONSHIPS_VIEW)
    found = load.thresholds_of(viewer.organisation)
    return {"warn_90": found.warn_90, "warn_365": found.warn_365}


@router.put("/load-thresholds", response=documented({200: LoadThresholdsOut}),
            summary="Change the engagement load thresholds")
def put_load_thresholds(request, payload: LoadThresholdsIn):
    viewer = request.auth
    _require(viewer, Capability.ORGANISATION_MANAGE, Capability.RELATIONSHIPS_EDIT)
    row = load.set_thresholds(organisation=viewer.organisation, warn_90=payload.warn_90,
                              warn_365=payload.warn_365, by=viewer)
    return {"warn_90": row.warn_90, "warn_365": row.warn_365}
