"""What participants do in an exercise: vote on a statement (the latest vote wins) and write their own statements.

Votes and participants' statements are not written to the audit log. The audit log records what staff do with
people's data; participants, not staff, cast these votes, through their own link or portal, and an exercise may
gather millions of them: one entry per vote would bury the staff's entries, grow the log by the size of the vote
table and, joined with the times, tie a participant number to a moment of use. What staff do with votes (record a
room's votes, import, send a batch through the API, moderate, free a link) is audited, once per action.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, languages

from ..models import Exercise, Participant, Statement, Vote
from ..routing import NEW_STATEMENT_PRIORITY
from ..vocabulary import ExerciseStatus, Moderation, VoteChannel, VoteValue
from .analysis import request_analysis

# The statement's tally column that counts each value.
TALLY = {VoteValue.AGREE: "agrees", VoteValue.DISAGREE: "disagrees", VoteValue.PASS: "passes"}
STATEMENT_MAX_CHARS = 1000
# A participant may write this many statements an hour: enough for anyone writing in earnest, too few for one link
# to flood the facilitator's moderation queue.
STATEMENTS_PER_HOUR = 10


# Why a statement cannot be voted on, by its moderation (called when raised, so in the active language).
_NOT_VOTABLE = {
    Moderation.PENDING: lambda: _("This statement is awaiting moderation: it cannot be voted on yet."),
    Moderation.REJECTED: lambda: _("This statement was rejected by the facilitator: it cannot be voted on."),
    Moderation.META: lambda: _("This statement is about the exercise itself: it is not voted on."),
}


def _vote_value(value) -> VoteValue:
    if isinstance(value, bool) or value not in VoteValue.values:
        raise ValidationError({"value": _("A vote is agree, disagree or pass.")})
    return VoteValue(value)


def _check_open(status: str) -> None:
    if status == ExerciseStatus.CLOSED:
        raise ValidationError({"exercise": _("This exercise is closed: votes and statements are no longer taken.")})
    if status != ExerciseStatus.OPEN:
        raise ValidationError({"exercise": _("This exercise is not open for votes yet.")})


@transaction.atomic
def cast_vote(*, participant: Participant, statement: Statement, value: int, channel: str,
              at: datetime.datetime | None = None) -> Vote:
    """Record the participant's vote on the statement, replacing an earlier one, and keep the tallies right.

    Refused (ValidationError) for a value other than agree/disagree/pass, a statement of another exercise or not
    accepted (awaiting moderation, rejected, meta), and an exercise that is not open.
    """
    vote_value = _vote_value(value)
    if channel not in VoteChannel.values:
        raise ValidationError({"channel": _("Unknown voting channel.")})
    if statement.exercise_id != participant.exercise_id:
        raise ValidationError({"statement": _("This statement belongs to another exercise.")})
    # Read afresh: the facilitator may have rejected the statement or closed the exercise since the page was shown.
    current = Statement.objects.filter(pk=statement.pk).values_list("moderation", "exercise__status").first()
    if current is None:
        raise ValidationError({"statement": _("This statement no longer exists.")})
    moderation, status = current
    _check_open(status)
    if moderation != Moderation.ACCEPTED:
        raise ValidationError({"statement": _NOT_VOTABLE.get(moderation, _NOT_VOTABLE[Moderation.PENDING])()})
    at = at or timezone.now()
    vote = _record(participant, statement, vote_value, channel, at)
    _votes_changed(participant.exercise, at)
    return vote


def _votes_changed(exercise: Exercise, at: datetime.datetime) -> None:
    Exercise.objects.filter(pk=exercise.pk).update(votes_changed_at=at)
    # Debounced: the analysis runs in the background, never in this request.
    request_analysis(exercise=exercise)


def _plausible_time(at: datetime.datetime) -> bool:
    if timezone.is_naive(at):
        return False
    earliest = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    try:
        return earliest <= at <= timezone.now() + datetime.timedelta(minutes=5)
    except OverflowError:
        return False


@dataclass(frozen=True)
class NumberedVote:
    """A vote as an integration sends it: participant and statement by their numbers in the exercise."""

    participant: int
    statement: int
    value: int
    cast_at: datetime.datetime | None = None


@transaction.atomic
def record_votes(*, exercise: Exercise, votes: Sequence[NumberedVote], by: Viewer) -> int:
    """Record a batch of votes sent by an integration (an SMS or kiosk service): all of them, or none.

    Every bad vote is reported by its place in the batch (`votes.<i>`); in order, so a later vote of the same
    participant on the same statement wins. One audit entry for the batch, by the member whose token sent it.
    """
    if not by.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role cannot record votes."))
    if not votes:
        raise ValidationError({"votes": _("Send at least one vote.")})
    status = Exercise.objects.filter(pk=exercise.pk).values_list("status", flat=True).first()
    _check_open(status)
    participants = {p.number: p for p in Participant.objects.filter(
        exercise=exercise, number__in={vote.participant for vote in votes})}
    statements = {s.number: s for s in Statement.objects.filter(
        exercise=exercise, number__in={vote.statement for vote in votes})}
    errors = {}
    for index, vote in enumerate(votes):
        problem = _batch_problem(vote, participants, statements)
        if problem:
            errors[f"votes.{index}"] = problem
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    for vote in votes:
        participant = participants[vote.participant]
        participant.exercise = exercise
        _record(participant, statements[vote.statement], VoteValue(vote.value), VoteChannel.API, vote.cast_at or now)
    _votes_changed(exercise, now)
    audit.record(organisation=exercise.organisation, by=by, action="exercise.votes_recorded", target=exercise,
                 summary=f"{len(votes)} votes", changed_fields=["votes"])
    return len(votes)


def _batch_problem(vote: NumberedVote, participants: dict, statements: dict) -> str:
    if isinstance(vote.value, bool) or vote.value not in VoteValue.values:
        return _("A vote is agree (1), disagree (-1) or pass (0).")
    if vote.cast_at is not None and not _plausible_time(vote.cast_at):
        return _("A vote's time must have a time zone and lie between the year 2000 and now.")
    if vote.participant not in participants:
        return _("No participant %(number)d in this exercise.") % {"number": vote.participant}
    statement = statements.get(vote.statement)
    if statement is None:
        return _("No statement %(number)d in this exercise.") % {"number": vote.statement}
    if statement.moderation != Moderation.ACCEPTED:
        return _NOT_VOTABLE.get(statement.moderation, _NOT_VOTABLE[Moderation.PENDING])()
    return ""


def _record(participant: Participant, statement: Statement, value: VoteValue, channel: str,
            at: datetime.datetime) -> Vote:
    """Insert or replace the vote row and move the tallies by what changed (F expressions: no lost update)."""
    vote = Vote.objects.select_for_update().filter(participant=participant, statement=statement).first()
    if vote is None:
        try:
            with transaction.atomic():
                vote = Vote.objects.create(exercise_id=participant.exercise_id, participant=participant,
                                           statement=statement, value=value, channel=channel, cast_at=at)
        except IntegrityError:
            # The same participant's other tab or device voted on it at the same moment: theirs is the row to replace.
            vote = Vote.objects.select_for_update().get(participant=participant, statement=statement)
        else:
            Statement.objects.filter(pk=statement.pk).update(votes_count=F("votes_count") + 1,
                                                             **{TALLY[value]: F(TALLY[value]) + 1})
            Participant.objects.filter(pk=participant.pk).update(votes_count=F("votes_count") + 1)
            return vote
    previous = VoteValue(vote.value)
    vote.value, vote.channel, vote.cast_at = value, channel, at
    vote.save(update_fields=["value", "channel", "cast_at"])
    if previous != value:
        Statement.objects.filter(pk=statement.pk).update(**{TALLY[previous]: F(TALLY[previous]) - 1,
                                                            TALLY[value]: F(TALLY[value]) + 1})
    return vote


def _clean_text(text: str) -> str:
    cleaned = " ".join((text or "").split())
    if not cleaned:
        raise ValidationError({"text": _("Write your statement first.")})
    if len(cleaned) > STATEMENT_MAX_CHARS:
        raise ValidationError({"text": _("A statement has at most %(max)d characters (this one has %(count)d).")
                               % {"max": STATEMENT_MAX_CHARS, "count": len(cleaned)}})
    return cleaned


@transaction.atomic
def submit_statement(*, participant: Participant, text: str) -> Statement:
    """A participant's own statement, awaiting the facilitator's moderation; the same words twice are kept once.

    Refused when the exercise is not open or does not let participants write, for an empty text or one over
    1,000 characters, and past STATEMENTS_PER_HOUR statements by the participant in the last hour.
    """
    cleaned = _clean_text(text)
    # Locked: the statement takes the exercise's next number.
    exercise = Exercise.objects.select_for_update().get(pk=participant.exercise_id)
    _check_open(exercise.status)
    if not exercise.participants_may_write:
        raise ValidationError({"text": _("In this exercise, only the facilitator adds statements.")})
    own = Statement.objects.filter(exercise=exercise, author=participant)
    existing = own.filter(text=cleaned).first()
    if existing is not None:
        return existing
    # Counted from the statements themselves (the project has no rate-limiting library, and the grievance pages'
    # cache counters exist to count people they must not store; here the author is stored): exact, and the same in
    # every web process without a shared cache.
    if own.filter(created_at__gte=timezone.now() - datetime.timedelta(hours=1)).count() >= STATEMENTS_PER_HOUR:
        raise ValidationError({"text": _("You have written many statements in the last hour: please wait a while "
                                         "before adding another.")})
    statement = Statement.objects.create(
        exercise=exercise, number=exercise.next_statement_number, text=cleaned, author=participant,
        moderation=Moderation.PENDING, language=languages.detect(cleaned), priority=NEW_STATEMENT_PRIORITY)
    Exercise.objects.filter(pk=exercise.pk).update(next_statement_number=F("next_statement_number") + 1)
    return statement


@transaction.atomic
def join_through_portal(*, exercise: Exercise, participation) -> Participant:
    """The exercise's participant for an engagement participant voting in the portal, numbered on first vote."""
    found = Participant.objects.filter(exercise=exercise, participation=participation).first()
    if found is not None:
        return found
    locked = Exercise.objects.select_for_update().get(pk=exercise.pk)
    found = Participant.objects.filter(exercise=exercise, participation=participation).first()
    if found is not None:
        return found
    participant = Participant.objects.create(exercise=locked, number=locked.next_participant_number,
                                             participation=participation, channel=VoteChannel.PORTAL)
    Exercise.objects.filter(pk=exercise.pk).update(next_participant_number=F("next_participant_number") + 1)
    participant.exercise = exercise
    return participant
