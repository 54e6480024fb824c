"""The facilitator's side of a consensus exercise through the API: /api/v1/consensus/exercises/...

The same actions as the pages (consensus.actions.exercises). A broken rule (a smallest group under 5, opening
with fewer than two accepted statements, a moderation other than accepted/rejected/meta, a vote outside
1/-1/0) answers 400 with field messages and saves nothing; an exercise, statement or participant of another
organisation 404s like a missing one. A voting link is in the answer to the operation that made it (invite,
link participants, reissue) and nowhere else: the participant lists never carry one.
"""

import datetime
import uuid
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from ninja import Field, Query, Schema, Status
from ninja.pagination import paginate

from rightsloop.accounts.roles import Capability
from rightsloop.core.access import MAX_ID
from rightsloop.core.api_errors import documented
from rightsloop.core.pagination import ApiPages
from rightsloop.engagements.queries import access_engagement
from rightsloop.risks.queries import visible_decisions, visible_risks
from rightsloop.stakeholders.queries import hidden_from, shown_name

from .. import queries
from ..actions import exercises as actions
from ..vocabulary import ExerciseStatus, Moderation, VoteChannel
from . import router

Id = Annotated[int, Field(ge=1, le=MAX_ID)]


def _require_edit(viewer) -> None:
    if not viewer.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role does not allow this."))


def _value(member):
    return getattr(member, "value", member)


def _one_of(queryset, pk, field: str):
    """An object named in a body: one the caller may not see is a 400 on that field, as a missing one is."""
    if pk is None:
        return None
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise DjangoValidationError({field: [_("Not found.")]})
    return found


# The exercise ---------------------------------------------------------------------------------------------------

class ConsensusExerciseIn(Schema):
    engagement_id: Id
    question: str = Field(..., max_length=300)
    description: str = Field("", max_length=20_000)
    risk_id: Id | None = Field(None, description="A salient risk the exercise informs")
    decision_id: Id | None = Field(None, description="A strategic decision the exercise informs")
    participants_may_write: bool = True
    min_group_size: int = Field(5, ge=0, le=10_000, description="At least 5: a smaller group's figures are never "
                                                                "shown, they could point at its members")
    language: str = Field("", max_length=8, description="ISO 639, e.g. es")


class ConsensusExercisePatch(Schema):
    question: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=20_000)
    risk_id: Id | None = None
    decision_id: Id | None = None
    participants_may_write: bool | None = None
    min_group_size: int | None = Field(None, ge=0, le=10_000)
    language: str | None = Field(None, max_length=8)


class ConsensusExerciseOut(Schema):
    id: int
    uid: uuid.UUID
    engagement_id: int
    question: str
    description: str
    risk_id: int | None
    decision_id: int | None
    status: str
    participants_may_write: bool
    min_group_size: int
    language: str
    created_at: datetime.datetime
    opened_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    statements: int = Field(description="Statements written so far, whatever their moderation")
    participants: int

    @staticmethod
    def resolve_statements(obj) -> int:
        return obj.next_statement_number

    @staticmethod
    def resolve_participants(obj) -> int:
        return obj.next_participant_number


class ConsensusExerciseQuery(Schema):
    status: ExerciseStatus | None = None
    engagement_id: Id | None = None


def _matter(viewer, risk_id, decision_id) -> dict:
    return {"risk": _one_of(visible_risks(viewer), risk_id, "risk_id"),
            "decision": _one_of(visible_decisions(viewer), decision_id, "decision_id")}


def _renamed(error: DjangoValidationError) -> DjangoValidationError:
    """The action's field names (risk, decision) as the API spells them (risk_id, decision_id)."""
    if not hasattr(error, "error_dict"):
        return error
    names = {"risk": "risk_id", "decision": "decision_id", "engagement": "engagement_id"}
    return DjangoValidationError({names.get(name, name): messages for name, messages in error.message_dict.items()})


@router.get("/exercises", response=documented({200: list[ConsensusExerciseOut]}), summary="Consensus exercises")
@paginate(ApiPages)
def list_consensus_exercises(request, filters: Query[ConsensusExerciseQuery]):
    queries.require_reader(request.auth)
    exercises = queries.visible_exercises(request.auth)
    if filters.status:
        exercises = exercises.filter(status=_value(filters.status))
    if filters.engagement_id:
        exercises = exercises.filter(engagement_id=filters.engagement_id)
    return exercises


@router.post("/exercises", response=documented({201: ConsensusExerciseOut}),
             summary="Set up a consensus exercise inside an engagement (a draft)")
def create_consensus_exercise(request, payload: ConsensusExerciseIn):
    viewer = request.auth
    queries.require_reader(viewer)
    _require_edit(viewer)
    engagement = access_engagement(viewer, payload.engagement_id)
    try:
        exercise = actions.create_exercise(
            engagement=engagement, question=payload.question, description=payload.description,
            participants_may_write=payload.participants_may_write, min_group_size=payload.min_group_size,
            language=payload.language, by=viewer, **_matter(viewer, payload.risk_id, payload.decision_id))
    except DjangoValidationError as error:
        raise _renamed(error) from None
    return Status(201, exercise)


@router.get("/exercises/{int:exercise_id}", response=documented({200: ConsensusExerciseOut}), summary="One exercise")
def get_consensus_exercise(request, exercise_id: int):
    return queries.access_exercise(request.auth, exercise_id)


@router.patch("/exercises/{int:exercise_id}", response=documented({200: ConsensusExerciseOut}),
              summary="Change an exercise (only the fields given)")
def update_consensus_exercise(request, exercise_id: int, payload: ConsensusExercisePatch):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    _require_edit(viewer)
    given = payload.dict(exclude_unset=True)
    values = {name: getattr(exercise, name) for name in (
        "question", "description", "participants_may_write", "min_group_size", "language")}
    for name in values:
        if name in given:
            if given[name] is None:
                raise DjangoValidationError({name: [_("This field cannot be emptied.")]})
            values[name] = given[name]
    matter = _matter(viewer, given.get("risk_id"), given.get("decision_id"))
    for name in ("risk", "decision"):
        if f"{name}_id" not in given:  # left as it is; null takes it away
            matter[name] = getattr(exercise, name)
    try:
        return actions.change_exercise(exercise=exercise, by=viewer, **values, **matter)
    except DjangoValidationError as error:
        raise _renamed(error) from None


@router.post("/exercises/{int:exercise_id}/open", response=documented({200: ConsensusExerciseOut}),
             summary="Open for votes (needs two accepted statements)")
def open_consensus_exercise(request, exercise_id: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    _require_edit(request.auth)
    return actions.open_exercise(exercise=exercise, by=request.auth)


@router.post("/exercises/{int:exercise_id}/close", response=documented({200: ConsensusExerciseOut}),
             summary="Close to votes (it can be opened again)")
def close_consensus_exercise(request, exercise_id: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    _require_edit(request.auth)
    return actions.close_exercise(exercise=exercise, by=request.auth)


# Statements -----------------------------------------------------------------------------------------------------

class ExerciseStatementIn(Schema):
    text: str = Field(..., max_length=actions.MAX_STATEMENT_CHARS)
    language: str = Field("", max_length=8)


class StatementModerationIn(Schema):
    moderation: Moderation = Field(description="accepted, rejected or meta")


class ExerciseStatementOut(Schema):
    id: int
    number: int
    text: str
    is_seed: bool
    author_number: int | None = Field(description="The number of the participant who wrote it; none for a seed")
    moderation: str
    language: str
    created_at: datetime.datetime
    votes: int
    agrees: int
    disagrees: int
    passes: int

    @staticmethod
    def resolve_author_number(obj) -> int | None:
        return obj.author.number if obj.author_id else None

    @staticmethod
    def resolve_votes(obj) -> int:
        return obj.votes_count


class ExerciseStatementQuery(Schema):
    moderation: Moderation | None = None


@router.get("/exercises/{int:exercise_id}/statements", response=documented({200: list[ExerciseStatementOut]}),
            summary="The statements with their tallies, by number")
@paginate(ApiPages)
def list_exercise_statements(request, exercise_id: int, filters: Query[ExerciseStatementQuery]):
    statements = queries.access_exercise(request.auth, exercise_id).statements.select_related("author")
    if filters.moderation:
        statements = statements.filter(moderation=_value(filters.moderation))
    return statements.order_by("number")


@router.post("/exercises/{int:exercise_id}/statements", response=documented({201: ExerciseStatementOut}),
             summary="Seed a statement (accepted at once)")
def add_exercise_statement(request, exercise_id: int, payload: ExerciseStatementIn):
    exercise = queries.access_exercise(request.auth, exercise_id)
    _require_edit(request.auth)
    return Status(201, actions.add_statement(exercise=exercise, text=payload.text, language=payload.language,
                                             by=request.auth))


@router.post("/exercises/{int:exercise_id}/statements/{int:statement_id}/moderation",
             response=documented({200: ExerciseStatementOut}),
             summary="Accept, reject or mark as meta (a rejected or meta statement leaves the votes and the analysis)")
def moderate_exercise_statement(request, exercise_id: int, statement_id: int, payload: StatementModerationIn):
    exercise = queries.access_exercise(request.auth, exercise_id)
    statement = queries.access_statement(exercise, statement_id)
    _require_edit(request.auth)
    return actions.moderate_statement(statement=statement, moderation=_value(payload.moderation), by=request.auth)


# Participants and links ---------------------------------------------------------------------------------------

class ExerciseParticipantOut(Schema):
    id: int
    number: int
    channel: str
    name: str | None = Field(description="Only for a participant of the engagement you may know of; a pseudonym "
                                         "at high safety. Never a link.")
    participation_id: int | None
    votes: int
    link: str = Field(description="none, unused, in_use or revoked")
    created_at: datetime.datetime

    @staticmethod
    def resolve_name(obj, context) -> str | None:
        if obj.participation_id is None or obj.hidden:
            return None
        return shown_name(obj.participation.stakeholder, context["request"].auth)

    @staticmethod
    def resolve_participation_id(obj) -> int | None:
        return None if obj.hidden else obj.participation_id

    @staticmethod
    def resolve_votes(obj) -> int:
        return obj.votes_count

    @staticmethod
    def resolve_link(obj) -> str:
        if not obj.link_nonce:
            return "none"
        if obj.link_revoked_at is not None:
            return "revoked"
        return "in_use" if obj.device_hash else "unused"


class VotingLinkOut(Schema):
    participant_id: int
    number: int
    url: str = Field(description="The voting link: shown in this answer only")


class ExerciseInviteIn(Schema):
    participation_ids: list[Id] = Field(..., min_length=1, max_length=actions.MAX_AT_ONCE,
                                        description="Participants of the exercise's engagement")


class ExerciseCountIn(Schema):
    count: int = Field(..., ge=1, le=actions.MAX_AT_ONCE)


class ExerciseRoomVoteIn(Schema):
    participant: int = Field(..., ge=0, le=MAX_ID, description="The room participant's number, as seated")
    value: Literal[1, -1, 0] = Field(..., description="1 agree, -1 disagree, 0 pass")


class ExerciseRoomVotesIn(Schema):
    statement_id: Id
    votes: list[ExerciseRoomVoteIn] = Field(..., min_length=1, max_length=actions.MAX_AT_ONCE)


def _issued(links) -> list[dict]:
    return [{"participant_id": link.participant.pk, "number": link.participant.number, "url": link.url}
            for link in links]


@router.get("/exercises/{int:exercise_id}/participants", response=documented({200: list[ExerciseParticipantOut]}),
            summary="The participants by number, with their channel and vote count (never their links)")
@paginate(ApiPages)
def list_exercise_participants(request, exercise_id: int):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    hidden = hidden_from(viewer).filter(pk=OuterRef("participation__stakeholder_id"))
    return (exercise.participants.select_related("participation__stakeholder")
            .annotate(hidden=Exists(hidden)).order_by("number"))


@router.post("/exercises/{int:exercise_id}/participants", response=documented({201: list[VotingLinkOut]}),
             summary="Give participants of the engagement their voting links (shown in this answer only)")
def invite_exercise_participants(request, exercise_id: int, payload: ExerciseInviteIn):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    _require_edit(viewer)
    people = list(exercise.engagement.participations.filter(pk__in=payload.participation_ids))
    if len(people) != len(set(payload.participation_ids)):
        raise DjangoValidationError({"participation_ids": [_("Choose participants of this exercise's engagement.")]})
    try:
        links = actions.invite_participants(exercise=exercise, participations=people, by=viewer)
    except DjangoValidationError as error:
        if hasattr(error, "error_dict") and "participations" in error.error_dict:
            raise DjangoValidationError({"participation_ids": error.message_dict["participations"]}) from None
        raise
    return Status(201, _issued(links))


@router.post("/exercises/{int:exercise_id}/link-participants", response=documented({201: list[VotingLinkOut]}),
             summary="Make links for people known only by their link (shown in this answer only)")
def add_exercise_link_participants(request, exercise_id: int, payload: ExerciseCountIn):
    exercise = queries.access_exercise(request.auth, exercise_id)
    _require_edit(request.auth)
    return Status(201, _issued(actions.add_link_participants(exercise=exercise, count=payload.count,
                                                             by=request.auth)))


def _participant(request, exercise_id: int, participant_id: int):
    exercise = queries.access_exercise(request.auth, exercise_id)
    participant = queries.access_participant(exercise, participant_id)
    _require_edit(request.auth)
    return participant


@router.post("/exercises/{int:exercise_id}/participants/{int:participant_id}/reissue",
             response=documented({200: VotingLinkOut}),
             summary="A new voting link; the old one stops working")
def reissue_voting_link(request, exercise_id: int, participant_id: int):
    participant = _participant(request, exercise_id, participant_id)
    return _issued([actions.reissue_link(participant=participant, by=request.auth)])[0]


@router.post("/exercises/{int:exercise_id}/participants/{int:participant_id}/free",
             response=documented({200: ExerciseParticipantOut}), summary="Let another device use the voting link")
def free_voting_link(request, exercise_id: int, participant_id: int):
    participant = _participant(request, exercise_id, participant_id)
    actions.free_link(participant=participant, by=request.auth)
    return _listed(request, participant)


@router.post("/exercises/{int:exercise_id}/participants/{int:participant_id}/revoke",
             response=documented({200: ExerciseParticipantOut}), summary="Stop a voting link from working")
def revoke_voting_link(request, exercise_id: int, participant_id: int):
    participant = _participant(request, exercise_id, participant_id)
    actions.revoke_link(participant=participant, by=request.auth)
    return _listed(request, participant)


def _listed(request, participant):
    hidden = hidden_from(request.auth).filter(pk=OuterRef("participation__stakeholder_id"))
    return (participant.exercise.participants.select_related("participation__stakeholder")
            .annotate(hidden=Exists(hidden)).get(pk=participant.pk))


# A room's votes ---------------------------------------------------------------------------------------------------

@router.post("/exercises/{int:exercise_id}/room-participants", response=documented({201: list[ExerciseParticipantOut]}),
             summary="Seat the people of a workshop room, numbered, to record their votes")
def add_exercise_room_participants(request, exercise_id: int, payload: ExerciseCountIn):
    exercise = queries.access_exercise(request.auth, exercise_id)
    _require_edit(request.auth)
    seated = actions.add_room_participants(exercise=exercise, count=payload.count, by=request.auth)
    return Status(201, list(exercise.participants.filter(pk__in=[p.pk for p in seated])
                            .select_related("participation__stakeholder").annotate(hidden=Exists(
                                hidden_from(request.auth).filter(pk=OuterRef("participation__stakeholder_id"))))
                            .order_by("number")))


class ExerciseRoomVotesOut(Schema):
    recorded: int


@router.post("/exercises/{int:exercise_id}/room-votes", response=documented({200: ExerciseRoomVotesOut}),
             summary="Record, for one statement, what each room participant voted (the latest vote wins)")
def record_exercise_room_votes(request, exercise_id: int, payload: ExerciseRoomVotesIn):
    viewer = request.auth
    exercise = queries.access_exercise(viewer, exercise_id)
    _require_edit(viewer)
    statement = _one_of(exercise.statements.all(), payload.statement_id, "statement_id")
    numbers = [vote.participant for vote in payload.votes]
    if len(numbers) != len(set(numbers)):
        raise DjangoValidationError({"votes": [_("One vote per participant and statement.")]})
    seats = {p.number: p for p in exercise.participants.filter(number__in=numbers, channel=VoteChannel.ROOM)}
    missing = [number for number in numbers if number not in seats]
    if missing:
        raise DjangoValidationError({"votes": [_("Not a room participant of this exercise: %(numbers)s.") % {
            "numbers": ", ".join(str(number) for number in missing)}]})
    recorded = actions.record_room_votes(exercise=exercise, statement=statement, by=viewer,
                                         votes={seats[vote.participant]: vote.value for vote in payload.votes})
    return {"recorded": recorded}
