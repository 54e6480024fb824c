"""Votes through the API: an exercise's votes (by numbers, never names), a batch from an integration, and the next
statement for a participant (an SMS or kiosk service asking what to show).

Reading takes engagements.view, sending votes engagements.edit. A batch with any bad vote answers 400 with each bad
vote under `errors["votes.<i>"]` and records nothing; an exercise the token's member may not see is a 404.
"""

import datetime
from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Field, Schema, Status
from ninja.pagination import paginate

from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages

from .. import queries, routing
from ..actions import votes as actions
from ..models import Vote
from . import router

Number = Annotated[int, Field(ge=0, le=2_000_000_000)]


class ExerciseVoteOut(Schema):
    participant: int = Field(..., description="The participant's number in the exercise (as in Pol.is's export)")
    statement: int = Field(..., description="The statement's number in the exercise")
    value: int = Field(..., description="1 agree, -1 disagree, 0 pass")
    cast_at: datetime.datetime

    @staticmethod
    def resolve_participant(row) -> int:
        return row["participant__number"]

    @staticmethod
    def resolve_statement(row) -> int:
        return row["statement__number"]


class ExerciseVoteIn(Schema):
    participant: Number
    statement: Number
    value: int = Field(..., description="1 agree, -1 disagree, 0 pass")
    cast_at: datetime.datetime | None = Field(None, description="When it was cast; now if left out")


class ExerciseVotesIn(Schema):
    votes: list[ExerciseVoteIn] = Field(..., min_length=1, max_length=1000)


class ExerciseVotesRecordedOut(Schema):
    recorded: int


class ExerciseNextStatementOut(Schema):
    participant: int
    statement: int | None = Field(None, description="The number of the statement to show next; null when the "
                                                    "participant has voted on every accepted statement or the "
                                                    "exercise is not open")
    text: str | None = None
    voted: int
    total: int


@router.get("/exercises/{int:exercise_id}/votes", response=documented({200: list[ExerciseVoteOut]}),
            summary="The exercise's current votes, by participant and statement number (never names)")
@paginate(ApiPages)
def list_exercise_votes(request, exercise_id: int, statement: Number | None = None,
                        since: datetime.datetime | None = None):
    exercise = queries.access_exercise(request.auth, exercise_id)
    found = Vote.objects.filter(exercise=exercise)
    if statement is not None:
        found = found.filter(statement__number=statement)
    if since is not None:
        found = found.filter(cast_at__gt=since)
    # Numbers only, read by a join: never a model object per vote (an exercise may hold millions).
    return found.order_by("pk").values("participant__number", "statement__number", "value", "cast_at")


@router.post("/exercises/{int:exercise_id}/votes", response=documented({201: ExerciseVotesRecordedOut}),
             summary="Record a batch of votes from an integration, by participant and statement number: all or none")
def record_exercise_votes(request, exercise_id: int, payload: ExerciseVotesIn):
    viewer = request.auth
    # Seen first (another organisation's exercise is a 404), then the action refuses a reader who may not edit (403).
    exercise = queries.access_exercise(viewer, exercise_id)
    recorded = actions.record_votes(exercise=exercise, by=viewer, votes=[
        actions.NumberedVote(participant=vote.participant, statement=vote.statement, value=vote.value,
                             cast_at=vote.cast_at) for vote in payload.votes])
    return Status(201, {"recorded": recorded})


@router.get("/exercises/{int:exercise_id}/participants/{int:participant_number}/next-statement",
            response=documented({200: ExerciseNextStatementOut}),
            summary="The statement a participant should vote on next, by the routing rule of the voting page")
def next_statement_for_participant(request, exercise_id: int, participant_number: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    participant = exercise.participants.filter(number=participant_number).first() if (
        0 <= participant_number <= 2_000_000_000) else None
    if participant is None:
        return Status(404, {"detail": _("No participant with this number in the exercise.")})
    participant.exercise = exercise
    queue = routing.queue(participant)
    statement = queue.statement if exercise.is_open else None
    return {"participant": participant.number, "statement": statement.number if statement else None,
            "text": statement.text if statement else None, "voted": queue.voted, "total": queue.total}
