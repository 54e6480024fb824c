"""Pol.is files through the API: import a conversation (multipart upload) and export an exercise (zip).

A bad file answers 400 with `problems`, one per bad row or column (file, line, message), and imports nothing.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import ErrorOut, documented

from .. import queries
from ..actions import polis as actions
from . import router


class PolisImportedOut(Schema):
    exercise_id: int
    statements: int
    participants: int
    votes: int
    by_moderation: dict[str, int]


class PolisProblemOut(Schema):
    file: str
    line: int | None
    message: str


class PolisProblemsOut(ErrorOut):
    problems: list[PolisProblemOut] = []


UPLOAD_BODY = {"requestBody": {"content": {"multipart/form-data": {"schema": {
    "type": "object",
    "properties": {
        "archive": {"type": "string", "format": "binary", "description": "Pol.is's export zip (instead of the CSVs)"},
        "comments": {"type": "string", "format": "binary", "description": "comments.csv (needed without a zip)"},
        "votes": {"type": "string", "format": "binary", "description": "votes.csv: the event log; latest wins"},
        "participants_votes": {"type": "string", "format": "binary",
                               "description": "participants-votes.csv: final votes, used without votes.csv"},
    }}}}}}
ZIP_FILE = {"responses": {200: {"content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}}}}


@router.post("/exercises/{int:exercise_id}/polis/import",
             response={**documented({201: PolisImportedOut}), 400: PolisProblemsOut}, openapi_extra=UPLOAD_BODY,
             summary="Import a Pol.is conversation into an empty exercise (multipart: a zip, or the CSV files)")
def import_polis(request, exercise_id: int):
    viewer = request.auth
    # Seen but not changed by a reader (403, as every change of an exercise answers); others' ids are 404.
    exercise = queries.access_exercise(viewer, exercise_id)
    if not viewer.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role does not allow this."))
    # Read from request.FILES rather than File parameters, so the access check comes before the body's.
    files = request.FILES if request.content_type == "multipart/form-data" else {}
    try:
        if files.get("archive") is not None:
            given = actions.files_of_zip(files["archive"])
        elif files.get("comments") is not None:
            given = {name: files.get(name) for name in ("comments", "votes", "participants_votes")}
        else:
            raise ValidationError({"comments": [_("Send Pol.is's zip in the field “archive”, or its CSV files in "
                                                  "“comments”, “votes” and “participants_votes”, as "
                                                  "multipart/form-data.")]})
        imported = actions.import_polis(exercise=exercise, by=viewer, **given)
    except actions.PolisProblems as error:
        return Status(400, {"detail": _("The Pol.is files cannot be imported; nothing was imported."),
                            "errors": error.message_dict, "problems": [p.as_dict() for p in error.problems]})
    return Status(201, {"exercise_id": exercise.pk, "statements": imported.statements,
                        "participants": imported.participants, "votes": imported.votes,
                        "by_moderation": imported.by_moderation})


@router.get("/exercises/{int:exercise_id}/polis/export", response=documented({200: None}), openapi_extra=ZIP_FILE,
            summary="The exercise in Pol.is's export format: a zip of comments, votes, participants-votes and "
                    "summary CSVs (participant numbers only)")
def export_polis(request, exercise_id: int):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    response = HttpResponse(actions.export_polis(exercise=exercise, by=viewer), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="exercise-{exercise.pk}-polis.zip"'
    response["Cache-Control"] = "no-store"
    return response
