"""A Pol.is conversation into an exercise, and an exercise out in Pol.is's export format.

The import fills an exercise that has no statements, participants or votes yet (the facilitator creates the
exercise first, with its question and engagement, as for any other; the import brings what Pol.is gathered).
It is all or nothing: the files are parsed and checked completely before the first row is written, and the
writing is one transaction. Pol.is's ids are kept: comment-id becomes the statement's number, a participant's
id their number, so the export gives back the same ids and a person can compare both tools' results.

The export carries participant numbers only (xid always empty, no names, no stakeholder ids), and a
participant's group only for groups of at least the exercise's min_group_size in its latest finished analysis.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from .. import polis
from ..models import AnalysisRun, Exercise, Participant, Statement, Vote
from ..vocabulary import Moderation, RunState, VoteChannel

BATCH = 5_000  # rows per INSERT: few round trips, statements well under PostgreSQL's parameter limit

MODERATION_OF = {1: Moderation.ACCEPTED, 0: Moderation.PENDING, -1: Moderation.REJECTED}
MODERATED_AS = {Moderation.ACCEPTED: 1, Moderation.META: 1, Moderation.PENDING: 0, Moderation.REJECTED: -1}
# Where a problem about each file goes, as a form or the API names the field.
FIELD_OF = {polis.COMMENTS: "comments", polis.VOTES: "votes", polis.PARTICIPANTS_VOTES: "participants_votes"}


class PolisProblems(ValidationError):
    """The files cannot be imported: every problem found, by file and line; nothing was written."""

    def __init__(self, problems: list[polis.Problem]):
        self.problems = problems
        by_field: dict[str, list[str]] = {}
        for problem in problems:
            by_field.setdefault(FIELD_OF.get(problem.file, "__all__"), []).append(str(problem))
        super().__init__(by_field)


@dataclass(frozen=True)
class Imported:
    statements: int
    participants: int
    votes: int
    by_moderation: dict[str, int]


def _require(by: Viewer, capability: str) -> None:
    if not by.can(capability):
        raise PermissionDenied(_("Your role cannot import or export consensus exercises."))


def _read(name: str, upload) -> bytes | polis.Problem | None:
    """The bytes of a file given as bytes or an uploaded file; a problem (not a read) when it is too large."""
    if upload is None or isinstance(upload, bytes):
        return upload
    size = getattr(upload, "size", None)
    if size is not None and size > polis.MAX_FILE_BYTES:
        return polis.Problem(name, None, _("The file is too large: %(size)s MB, the most accepted is %(limit)s MB.")
                             % {"size": f"{size / 1024 / 1024:.1f}", "limit": polis.MAX_FILE_BYTES // 1024 // 1024})
    upload.seek(0)
    return upload.read(polis.MAX_FILE_BYTES + 1)


def read_files(*, comments, votes=None, participants_votes=None) -> polis.Conversation:
    """Parse the files (bytes or uploaded files) into a conversation; PolisProblems when any is bad."""
    given = {polis.COMMENTS: comments, polis.VOTES: votes, polis.PARTICIPANTS_VOTES: participants_votes}
    data = {name: _read(name, upload) for name, upload in given.items()}
    too_large = [value for value in data.values() if isinstance(value, polis.Problem)]
    if too_large:
        raise PolisProblems(too_large)
    if data[polis.COMMENTS] is None:
        raise PolisProblems([polis.Problem(polis.COMMENTS, None, _("Pol.is's comments.csv is needed."))])
    parsed = polis.parse_conversation(comments=data[polis.COMMENTS], votes=data[polis.VOTES],
                                      participants_votes=data[polis.PARTICIPANTS_VOTES])
    if isinstance(parsed, list):
        raise PolisProblems(parsed)
    return parsed


def files_of_zip(upload: File | bytes) -> dict[str, bytes]:
    """comments, votes and participants_votes out of a Pol.is export zip, ready for import_polis."""
    data = _read(_("zip file"), upload)
    if isinstance(data, polis.Problem):
        raise PolisProblems([data])
    found = polis.read_zip(data)
    if isinstance(found, list):
        raise PolisProblems(found)
    return {FIELD_OF[name]: found.get(name) for name in polis.FILES}


def _moment(ms: int | None, default: datetime.datetime) -> datetime.datetime:
    if ms is None:
        return default
    try:
        return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.UTC)
    except (OverflowError, OSError, ValueError):
        return default


def _moderation(comment: polis.Comment) -> str:
    # A rejected meta comment stays rejected; an accepted or unmoderated one is about the exercise itself.
    if comment.is_meta and comment.moderated != -1:
        return Moderation.META
    return MODERATION_OF[comment.moderated]


@transaction.atomic
def import_polis(*, exercise: Exercise, comments: File | bytes, votes: File | bytes | None = None,
                 participants_votes: File | bytes | None = None, by: Viewer) -> Imported:
    """Fill an empty exercise with a Pol.is conversation: its comments, participants and final votes.

    Raises PolisProblems (a ValidationError with every problem, by file and line) and writes nothing when a
    file is bad, and a ValidationError when the exercise already holds statements, participants or votes.
    """
    _require(by, Capability.ENGAGEMENTS_EDIT)
    conversation = read_files(comments=comments, votes=votes, participants_votes=participants_votes)
    exercise = Exercise.objects.select_for_update().get(pk=exercise.pk)
    if (exercise.statements.exists() or exercise.participants.exists() or exercise.votes.exists()):
        raise ValidationError({"__all__": [_("This exercise already has statements, participants or votes: "
                                             "import a Pol.is conversation into a new, empty exercise.")]})
    now = timezone.now()
    participants = _import_participants(exercise, conversation)
    statements = _import_statements(exercise, conversation, participants, now)
    count = _import_votes(exercise, conversation, participants, statements, now)
    exercise.next_statement_number = max(c.number for c in conversation.comments) + 1
    exercise.next_participant_number = max(conversation.participants, default=-1) + 1
    exercise.votes_changed_at = now
    exercise.save(update_fields=["next_statement_number", "next_participant_number", "votes_changed_at"])
    by_moderation = Counter(str(_moderation(comment)) for comment in conversation.comments)
    audit.record(organisation=exercise.organisation, by=by, action="exercise.polis_imported", target=exercise,
                 summary=f"exercise #{exercise.pk}: {len(statements)} statements, {len(participants)} participants, "
                         f"{count} votes from Pol.is", changed_fields=["statements", "participants", "votes"])
    _request_analysis(exercise, by)
    return Imported(statements=len(statements), participants=len(participants), votes=count,
                    by_moderation=dict(by_moderation))


def _request_analysis(exercise: Exercise, by: Viewer) -> None:
    try:
        from .analysis import request_analysis
    except ImportError:  # the analysis actions are not installed: the votes wait for the next request
        return
    request_analysis(exercise=exercise, by=by)


def _import_participants(exercise: Exercise, conversation: polis.Conversation) -> dict[int, int]:
    """Pol.is id -> Participant id. Votes are counted here, so the rows are written with their tallies."""
    counts = Counter(participant for participant, _comment in conversation.votes)
    Participant.objects.bulk_create(
        [Participant(exercise=exercise, number=number, channel=VoteChannel.IMPORT, votes_count=counts[number])
         for number in conversation.participants], batch_size=BATCH)
    return dict(Participant.objects.filter(exercise=exercise).values_list("number", "pk"))


def _import_statements(exercise: Exercise, conversation: polis.Conversation, participants: dict[int, int],
                       now: datetime.datetime) -> dict[int, int]:
    """Pol.is comment id -> Statement id, each with the tallies of its final votes."""
    tallies: dict[int, Counter] = {}
    for (_participant, comment), (value, _ms) in conversation.votes.items():
        tallies.setdefault(comment, Counter())[value] += 1
    rows = []
    for comment in conversation.comments:
        tally = tallies.get(comment.number, Counter())
        moderation = _moderation(comment)
        rows.append(Statement(
            exercise=exercise, number=comment.number, text=comment.text, is_seed=comment.is_seed,
            author_id=participants.get(comment.author) if comment.author is not None else None,
            moderation=moderation, moderated_at=now if moderation != Moderation.PENDING else None,
            language=exercise.language, votes_count=sum(tally.values()), agrees=tally[1], disagrees=tally[-1],
            passes=tally[0]))
    Statement.objects.bulk_create(rows, batch_size=BATCH)
    created = dict(Statement.objects.filter(exercise=exercise).values_list("number", "pk"))
    # created_at keeps Pol.is's moment, so the export gives the same timestamps back.
    moments = [(created[c.number], _moment(c.timestamp, now)) for c in conversation.comments if c.timestamp]
    if moments:
        Statement.objects.bulk_update([Statement(pk=pk, created_at=at) for pk, at in moments], ["created_at"],
                                      batch_size=BATCH)
    return created


def _import_votes(exercise: Exercise, conversation: polis.Conversation, participants: dict[int, int],
                  statements: dict[int, int], now: datetime.datetime) -> int:
    moments: dict[int, datetime.datetime] = {}

    def moment(ms):
        if ms is None:
            return now
        if ms not in moments:
            moments[ms] = _moment(ms, now)
        return moments[ms]

    cast = connection.ops.adapt_datetimefield_value
    rows = [(exercise.pk, participants[participant], statements[comment], value, VoteChannel.IMPORT.value,
             cast(moment(ms))) for (participant, comment), (value, ms) in conversation.votes.items()]
    _insert_votes(rows)
    return len(conversation.votes)


VOTE_COLUMNS = ("exercise", "participant", "statement", "value", "channel", "cast_at")
VOTE_ROWS_PER_INSERT = 1_000  # 6,000 parameters: under SQLite's and PostgreSQL's limits


def _insert_votes(rows: list[tuple]) -> None:
    """Write the votes as ready values: the ORM's bulk_create builds a model object per vote and spends ten times
    longer on 225,000 votes than the database does. COPY on PostgreSQL, multi-row INSERTs elsewhere."""
    table = connection.ops.quote_name(Vote._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(Vote._meta.get_field(name).column) for name in VOTE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        one = "(" + ", ".join(["%s"] * len(VOTE_COLUMNS)) + ")"
        for start in range(0, len(rows), VOTE_ROWS_PER_INSERT):
            chunk = rows[start:start + VOTE_ROWS_PER_INSERT]
            # Names come from the model's meta, every value is a parameter.
            cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(chunk))}",  # noqa: S608
                           [value for row in chunk for value in row])


# Export ---------------------------------------------------------------------------------------------------------

def shown_groups(exercise: Exercise) -> dict[int, int]:
    """Participant number -> group, from the latest finished run, for groups of at least min_group_size."""
    run = (exercise.runs.filter(state=RunState.DONE).order_by("-created_at", "-id")
           .only("pk", "results", "placements").first())
    if run is None:
        return {}
    try:
        from ..analysis import load_placements
    except ImportError:
        return {}
    results = run.results if isinstance(run.results, dict) else {}
    shown = {int(group["id"]) for group in results.get("groups", [])
             if int(group.get("size", 0)) >= exercise.min_group_size}
    placements = _placements(load_placements, run)
    return {int(number): int(group) for number, group in placements if int(group) in shown}


def _placements(load, run: AnalysisRun) -> list[tuple[int, int]]:
    placed = load(run)
    return list(zip(placed.numbers.tolist(), placed.group.tolist(), strict=True))


def _consensus_of(exercise: Exercise) -> dict[int, float]:
    run = exercise.runs.filter(state=RunState.DONE).order_by("-created_at", "-id").only("pk", "results").first()
    statements = (run.results or {}).get("statements", {}) if run is not None and isinstance(run.results, dict) \
        else {}
    return {int(number): figures["gic"] for number, figures in statements.items()
            if isinstance(figures, dict) and figures.get("gic") is not None}


def _ms(moment: datetime.datetime | None) -> int | None:
    return int(moment.timestamp() * 1000) if moment is not None else None


def polis_files(exercise: Exercise) -> dict[str, bytes]:
    """The four files of Pol.is's export, from the exercise's current votes."""
    numbers = dict(exercise.participants.values_list("pk", "number"))
    statements = list(exercise.statements.order_by("number").values_list(
        "pk", "number", "author_id", "agrees", "disagrees", "moderation", "is_seed", "text", "created_at"))
    number_of = {pk: number for pk, number, *_rest in statements}
    consensus = _consensus_of(exercise)
    comments = polis.write_comments(
        (_ms(created), number, numbers.get(author), agrees, disagrees, MODERATED_AS[moderation],
         moderation == Moderation.META, is_seed, consensus.get(number), text)
        for _pk, number, author, agrees, disagrees, moderation, is_seed, text, created in statements)
    votes = list(exercise.votes.order_by("cast_at", "id").values_list("participant_id", "statement_id", "value",
                                                                      "cast_at").iterator(chunk_size=20_000))
    vote_file = polis.write_votes((_ms(cast_at), number_of[statement], numbers[participant], value)
                                  for participant, statement, value, cast_at in votes)
    matrix = {(numbers[participant], number_of[statement]): value for participant, statement, value, _at in votes}
    voted = sorted({comment for _participant, comment in matrix})
    groups = shown_groups(exercise)
    written = Counter(numbers.get(author) for _pk, _n, author, *_rest in statements if author is not None)
    participant_file = polis.write_participants_votes(
        ((number, groups.get(number), written[number]) for number in sorted(numbers.values())), voted, matrix)
    voters = {participant for participant, _comment in matrix}
    summary = polis.write_summary({
        "topic": exercise.question, "url": "", "views": len(numbers), "voters": len(voters),
        "voters-in-conv": len(voters), "commenters": len(written), "comments": len(statements),
        "groups": len(set(groups.values())), "conversation-description": exercise.description})
    return {polis.COMMENTS: comments, polis.VOTES: vote_file, polis.PARTICIPANTS_VOTES: participant_file,
            polis.SUMMARY: summary}


@transaction.atomic
def export_polis(*, exercise: Exercise, by: Viewer) -> bytes:
    """A zip of the exercise in Pol.is's export format: numbers only, never a name or a stakeholder id."""
    _require(by, Capability.ENGAGEMENTS_VIEW)
    archive = polis.write_zip(polis_files(exercise))
    audit.record(organisation=exercise.organisation, by=by, action="exercise.polis_exported", target=exercise,
                 summary=f"exercise #{exercise.pk} exported in Pol.is's format")
    return archive
