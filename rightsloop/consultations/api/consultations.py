"""Consultations themselves: list, open, read, change settings."""

import datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from .. import queries
from ..actions import consultations as actions
from . import router

Text = Annotated[str, Field(max_length=10000)]


def require(viewer: Viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


class ConsultationIn(Schema):
    title: Annotated[str, Field(min_length=1, max_length=200)]
    starts_on: datetime.date
    ends_on: datetime.date | None = None
    purpose: Text = ""
    question: Text = ""
    yes_no: bool = False
    issues_receipts: bool = False


class SettingsIn(Schema):
    question: Text | None = None
    yes_no: bool | None = None
    issues_receipts: bool | None = None
    published: bool | None = None
    review_threshold: Annotated[float, Field(ge=0, le=1)] | None = None


class ConsultationOut(Schema):
    id: int
    engagement_id: int
    title: str
    question: str
    yes_no: bool
    issues_receipts: bool
    published: bool
    public_token: str
    review_threshold: float
    responses_count: int
    respondents_count: int
    themes_final_at: datetime.datetime | None

    @staticmethod
    def resolve_title(obj):
        return obj.engagement.title


@router.get("", response=documented({200: list[ConsultationOut]}), summary="Public consultations")
@paginate(ApiPages)
def list_consultations(request):
    return queries.visible_consultations(request.auth)


@router.post("", response=documented({201: ConsultationOut}), summary="Open a public consultation")
def open_consultation(request, payload: ConsultationIn):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    if payload.ends_on and payload.ends_on < payload.starts_on:
        raise ValidationError({"ends_on": [_("The consultation cannot close before it opens.")]})
    consultation = actions.open_consultation(**payload.dict(), by=viewer)
    return Status(201, consultation)


@router.get("/{int:consultation_id}", response=documented({200: ConsultationOut}), summary="One consultation")
def get_consultation(request, consultation_id: int):
    return queries.access_consultation(request.auth, consultation_id)


@router.patch("/{int:consultation_id}", response=documented({200: ConsultationOut}),
              summary="Change how a consultation is run (question type, receipts, public page, review threshold)")
def change_consultation_settings(request, consultation_id: int, payload: SettingsIn):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    consultation = queries.access_consultation(viewer, consultation_id)
    values = {name: value for name, value in payload.dict(exclude_unset=True).items() if value is not None}
    return actions.change_settings(consultation=consultation, by=viewer, **values)
