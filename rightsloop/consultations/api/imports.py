"""Imports of responses through the API: upload (multipart), map the columns, follow, confirm, resume, roll back."""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from .. import imports, queries
from ..actions import imports as actions
from ..views.imports import report_response
from . import router
from .consultations import require

Column = Annotated[str, Field(max_length=100)]


class ProgressOut(Schema):
    done: int
    total: int
    percent: int
    rate: float
    seconds_left: int | None


class ImportOut(Schema):
    id: int
    consultation_id: int
    original_name: str
    format: str
    size: int
    state: str
    columns: list[str]
    mapping: dict
    only_valid: bool
    rows_total: int
    rows_good: int
    rows_bad: int
    rows_done: int
    checkpoint_line: int
    message: str
    progress: ProgressOut
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_state(obj):
        return actions.shown_state(obj)

    @staticmethod
    def resolve_progress(obj):
        return imports.progress_of(obj, timezone.now())


class MappingIn(Schema):
    text: Column
    respondent: Column = ""
    contact: Column = ""
    consent: Column = ""
    language: Column = ""
    receipt: Column = ""
    attributes: Annotated[list[Column], Field(max_length=200)] = []


class ConfirmIn(Schema):
    only_valid: bool = True


class ProblemOut(Schema):
    line: int
    reason: str
    detail: str


UPLOAD_BODY = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary",
                            "description": "CSV, JSON Lines or XLSX, UTF-8, first row the column names"}}}}}}}


@router.post("/{int:consultation_id}/imports", response=documented({201: ImportOut}), openapi_extra=UPLOAD_BODY,
             summary="Upload a file of responses (multipart field `file`); then set its column mapping")
def upload_import(request, consultation_id: int):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    consultation = queries.access_consultation(viewer, consultation_id)
    # Read from request.FILES rather than a File parameter, so the access checks come before the body's.
    upload = request.FILES.get("file") if request.content_type == "multipart/form-data" else None
    if upload is None:
        raise ValidationError({"file": [_("Send the file as multipart/form-data in the field “file”.")]})
    job = actions.upload_responses(consultation=consultation, file=upload, original_name=upload.name, by=viewer)
    return Status(201, job)


@router.get("/{int:consultation_id}/imports", response=documented({200: list[ImportOut]}),
            summary="The imports of a consultation, newest first")
@paginate(ApiPages)
def list_imports(request, consultation_id: int):
    return queries.access_consultation(request.auth, consultation_id).imports.all()


@router.get("/{int:consultation_id}/imports/{int:import_id}", response=documented({200: ImportOut}),
            summary="One import: its state, counts and progress (rows done, rate, seconds left)")
def get_import(request, consultation_id: int, import_id: int):
    return queries.access_import(request.auth, consultation_id, import_id)


@router.put("/{int:consultation_id}/imports/{int:import_id}/mapping", response=documented({202: ImportOut}),
            summary="Say which column holds what; every row is then checked in the background")
def map_import_columns(request, consultation_id: int, import_id: int, payload: MappingIn):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    job = queries.access_import(viewer, consultation_id, import_id)
    return Status(202, actions.map_columns(response_import=job, mapping=payload.dict(), by=viewer))


@router.get("/{int:consultation_id}/imports/{int:import_id}/problems", response=documented({200: list[ProblemOut]}),
            summary="The rows that cannot be imported: line, reason, detail (never the text or contact)")
@paginate(ApiPages)
def list_import_problems(request, consultation_id: int, import_id: int):
    return queries.access_import(request.auth, consultation_id, import_id).problems.all()


# The report is CSV, not JSON: said in the schema, so clients (and the contract test) expect text/csv.
CSV_REPORT = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}


@router.get("/{int:consultation_id}/imports/{int:import_id}/report", response=documented({200: None}),
            openapi_extra=CSV_REPORT, summary="The problems as a CSV file (line, reason, detail)")
def import_report(request, consultation_id: int, import_id: int):
    return report_response(queries.access_import(request.auth, consultation_id, import_id))


@router.post("/{int:consultation_id}/imports/{int:import_id}/confirm", response=documented({202: ImportOut}),
             summary="Import the checked rows: only the valid ones, or all or nothing")
def confirm_import(request, consultation_id: int, import_id: int, payload: ConfirmIn):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    job = queries.access_import(viewer, consultation_id, import_id)
    return Status(202, actions.confirm_import(response_import=job, only_valid=payload.only_valid, by=viewer))


@router.post("/{int:consultation_id}/imports/{int:import_id}/resume", response=documented({202: ImportOut}),
             summary="Carry on an interrupted import after its last imported line")
def resume_import(request, consultation_id: int, import_id: int):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    job = queries.access_import(viewer, consultation_id, import_id)
    return Status(202, actions.resume_import(response_import=job, by=viewer))


class ThemeChangeOut(Schema):
    theme_id: int
    label: str
    final: bool
    before: int = Field(description="Responses placed in the theme now")
    after: int = Field(description="Responses left in it after the rollback")


class RollbackPreviewOut(Schema):
    responses: int = Field(description="Responses of this file the rollback deletes")
    respondents: int = Field(description="Respondents who answered only in this file, deleted with it")
    themes: list[ThemeChangeOut]
    published: bool = Field(description="The consultation's public page is published")
    published_changes: bool = Field(description="The published figures (responses, theme sizes) change")
    messages_sent: bool = Field(description="Respondents were told the outcome: the file can no longer be rolled "
                                            "back")


@router.get("/{int:consultation_id}/imports/{int:import_id}/rollback", response=documented({200: RollbackPreviewOut}),
            summary="What rolling back this import would remove, changing nothing (the page asks the same first)")
def rollback_import_preview(request, consultation_id: int, import_id: int):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    return queries.rollback_preview(queries.access_import(viewer, consultation_id, import_id))


@router.post("/{int:consultation_id}/imports/{int:import_id}/rollback", response=documented({202: ImportOut}),
             summary="Remove an interrupted or imported file's responses and the respondents it created (in the "
                     "background: the import shows rolling_back, then rolled_back)")
def rollback_import(request, consultation_id: int, import_id: int):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    job = queries.access_import(viewer, consultation_id, import_id)
    return Status(202, actions.rollback_import(response_import=job, by=viewer))


@router.post("/{int:consultation_id}/imports/{int:import_id}/cancel", response=documented({200: ImportOut}),
             summary="Drop an import before it is confirmed")
def cancel_import(request, consultation_id: int, import_id: int):
    viewer = request.auth
    require(viewer, Capability.CONSULTATIONS_ANALYSE)
    job = queries.access_import(viewer, consultation_id, import_id)
    return actions.cancel_import(response_import=job, by=viewer)
