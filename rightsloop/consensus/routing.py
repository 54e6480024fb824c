"""Which statement a participant sees next: the routing rule of docs/consensus.md ("Voting").

Among the accepted statements the participant has not voted on, the one with the highest score

    score = priority * VOTES_SCALE / (VOTES_SCALE + votes_count) * (1 + JITTER * u)

comes next, where
- `priority` is what the latest analysis run gave the statement (refresh_priorities): 1 before any run, more for
  the statements that divide the groups, that every group agrees on or that stand for one group, and a boost for a
  participant's own statement the run has not seen yet, so that it collects votes;
- the middle factor halves a statement's pull once it has VOTES_SCALE votes, thirds it at twice that...: the
  statements with few votes come first, so every statement gets enough votes for the analysis to place it;
- `u` in [0, 1) is a pseudo-random number fixed per participant and statement (a permutation of the statement
  numbers keyed by the participant's uid), so two participants do not see the same order and a participant
  reloading the page sees the same statement.

It is one query (the index (exercise, moderation, priority) narrows it to the exercise's accepted statements; the
participant's votes are excluded through the unique (participant, statement) index), computed by the database
whatever the number of statements: no statement is looked at in Python. The same query counts the statements left
and accepted, for the page's progress.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from .models import Exercise, Participant, Statement, Vote
from .vocabulary import Moderation

# Votes at which a statement's pull is halved.
VOTES_SCALE = 10.0
# How far the per-participant shuffle moves a score: up to 25 %, enough to break ties and spread concurrent voters
# over statements of similar standing, too little to put a well-voted statement before a fresh one.
JITTER = 0.25
# A prime larger than any plausible number of statements per exercise stays a permutation below it; numbers beyond
# wrap around, which only makes the shuffle coarser.
SHUFFLE_MODULUS = 65_521

# The weights of refresh_priorities: what a statement found by the latest run is worth showing.
BASE = 1.0
DIVISIVE_WEIGHT = 1.0        # added for a statement that divides the groups
CONSENSUS_WEIGHT = 0.5       # added for common ground (consensus, high group-informed consensus)
REPRESENTATIVE_WEIGHT = 0.5  # added for a statement that stands for one group
# A participant's own statement the latest run has not seen (written since): it starts ahead so that it collects
# votes; its few votes keep it ahead until it has some.
NEW_STATEMENT_PRIORITY = 2.0
# How many of the run's common-ground statements count as such (the run lists every statement by its group-informed
# consensus, best first).
GROUP_CONSENSUS_TOP = 20


def _shuffle_key(participant: Participant) -> tuple[int, int]:
    """A multiplier and an offset, both fixed by the participant's uid, for the permutation n -> (a·n + b) mod p."""
    digest = hashlib.sha256(f"{participant.uid}".encode()).digest()
    multiplier = 1 + int.from_bytes(digest[:4], "big") % (SHUFFLE_MODULUS - 1)
    offset = int.from_bytes(digest[4:8], "big") % SHUFFLE_MODULUS
    return multiplier, offset


@dataclass(frozen=True)
class Queue:
    """What the voting page needs of a participant's queue: the next statement and the progress."""

    statement: Statement | None
    voted: int   # accepted statements the participant has voted on
    total: int   # accepted statements


def _queue_sql() -> str:
    """The routing rule as one statement of SQL that SQLite and PostgreSQL both read (see the module's docstring).

    Written out rather than built by the ORM: the page runs it on every view, and composing the expression costs
    more than running it. Table and column names come from the models; every value is a parameter.
    """
    statement, vote = Statement._meta.db_table, Vote._meta.db_table
    return (
        f"SELECT s.*, COUNT(*) OVER () AS remaining, "  # noqa: S608 - names from the models, values as parameters
        f"(SELECT COUNT(*) FROM {statement} a WHERE a.exercise_id = %s AND a.moderation = %s) AS accepted "
        f"FROM {statement} s WHERE s.exercise_id = %s AND s.moderation = %s "
        f"AND NOT EXISTS (SELECT 1 FROM {vote} v WHERE v.participant_id = %s AND v.statement_id = s.id) "
        "ORDER BY s.priority * %s / (%s + s.votes_count) "
        "* (1.0 + %s * ((CAST(s.number AS BIGINT) * %s + %s) %% %s)) DESC, s.number "
        "LIMIT 1"
    )


def queue(participant: Participant) -> Queue:
    """The next statement for the participant and their progress, in one query (None when all are voted on).

    An unsaved participant (a portal visitor who has not voted yet) is routed as someone with no votes.
    """
    multiplier, offset = _shuffle_key(participant)
    exercise, accepted = participant.exercise_id, Moderation.ACCEPTED.value
    params = [exercise, accepted, exercise, accepted, participant.pk or 0, VOTES_SCALE, VOTES_SCALE,
              JITTER / SHUFFLE_MODULUS, multiplier, offset, SHUFFLE_MODULUS]
    found = next(iter(Statement.objects.raw(_queue_sql(), params)), None)
    if found is None:
        total = Statement.objects.filter(exercise_id=exercise, moderation=accepted).count()
        return Queue(statement=None, voted=total, total=total)
    return Queue(statement=found, voted=found.accepted - found.remaining, total=found.accepted)


def next_statement(participant: Participant) -> Statement | None:
    """The statement to show the participant next, or None when they have voted on every accepted statement."""
    return queue(participant).statement


def progress(participant: Participant) -> tuple[int, int]:
    """(statements voted on, statements open for votes): the page's "voted n of m"."""
    found = queue(participant)
    return found.voted, found.total


def _numbers(entries: Iterable) -> set[int]:
    found = set()
    for entry in entries or ():
        try:
            found.add(int(entry["statement"]))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def weights_from(results: dict) -> dict[int, float]:
    """Each statement number the run saw and its routing weight (see the module's docstring and docs/consensus.md).

    A statement most voters passed on says little about anyone: its weight shrinks towards half as passes grow.
    """
    divisive = _numbers(results.get("divisive"))
    consensus = results.get("consensus") or {}
    common = (_numbers(consensus.get("agree")) | _numbers(consensus.get("disagree"))
              | _numbers((results.get("group_consensus") or [])[:GROUP_CONSENSUS_TOP]))
    representative = set()
    for entries in (results.get("representative") or {}).values():
        representative |= _numbers(entries)
    weights = {}
    for key, figures in (results.get("statements") or {}).items():
        try:
            number = int(key)
        except (TypeError, ValueError):
            continue
        weight = (BASE + DIVISIVE_WEIGHT * (number in divisive) + CONSENSUS_WEIGHT * (number in common)
                  + REPRESENTATIVE_WEIGHT * (number in representative))
        seen = (figures or {}).get("ns") or 0
        decided = ((figures or {}).get("na") or 0) + ((figures or {}).get("nd") or 0)
        clarity = (decided + 1) / (seen + 2)
        weights[number] = weight * (0.5 + 0.5 * clarity)
    return weights


def refresh_priorities(*, exercise: Exercise, results: dict) -> None:
    """Store each statement's routing priority from an analysis run's results (called after every run).

    Statements the run did not see (written or added since) get NEW_STATEMENT_PRIORITY when a participant wrote
    them, BASE otherwise. One bulk update in batches; the caller's transaction holds it.
    """
    weights = weights_from(results or {})
    statements = list(Statement.objects.filter(exercise=exercise).only("pk", "number", "author_id", "priority"))
    changed = []
    for statement in statements:
        if statement.number in weights:
            priority = weights[statement.number]
        else:
            priority = NEW_STATEMENT_PRIORITY if statement.author_id else BASE
        if statement.priority != priority:
            statement.priority = priority
            changed.append(statement)
    Statement.objects.bulk_update(changed, ["priority"], batch_size=500)
