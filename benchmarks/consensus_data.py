"""Synthetic statements-and-votes exercises with planted opinion groups, for the consensus benchmarks (issue 19).

numpy only, so any benchmark (and the engine's tests) can import it without Django. Each group holds a stance on
every statement (agree or disagree, from the group's place in a plane of opinions; a fifth of the statements
shared by all groups: the common ground); a member
votes with the group's stance with probability 0.75, against it with 0.10, and passes otherwise. Participants
differ in how much they vote (a long tail, like real exercises), early statements are seen more often.

    from consensus_data import planted_votes
    votes = planted_votes(100_000, 2_000, 5_000_000, 4, seed=0)
    votes.participants, votes.statements, votes.values, votes.truth   # truth: planted group per participant
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FOLLOW, OPPOSE = 0.75, 0.10  # the rest passes
SHARED = 0.2  # share of statements on which every group takes the same stance


@dataclass(frozen=True)
class PlantedVotes:
    participants: np.ndarray  # int64, one per vote
    statements: np.ndarray  # int64, one per vote
    values: np.ndarray  # int8: 1 agree, -1 disagree, 0 pass
    truth: np.ndarray  # int64 planted group of participant 0 .. participants-1
    stances: np.ndarray  # int8 (groups, statements): each group's stance


def planted_votes(participants: int, statements: int, votes: int, groups: int, seed: int = 0) -> PlantedVotes:
    """`votes` distinct (participant, statement) votes among `participants` people in `groups` planted groups."""
    if votes > participants * statements:
        raise ValueError("more votes than participant x statement pairs")
    rng = np.random.default_rng(seed)
    sizes = rng.dirichlet(np.full(groups, 3.0))
    truth = rng.choice(groups, size=participants, p=sizes).astype(np.int64)
    # Opinions live in a plane, as the method assumes: group g stands at angle 2*pi*g/groups, statement s points
    # at a random angle, and a group agrees with the statements pointing its way.
    angle_of_group = 2 * np.pi * np.arange(groups) / groups
    angle_of_statement = rng.uniform(0, 2 * np.pi, statements)
    stances = np.where(np.cos(angle_of_statement[None, :] - angle_of_group[:, None]) >= 0, 1, -1).astype(np.int8)
    shared = rng.random(statements) < SHARED
    stances[:, shared] = rng.choice(np.array([-1, 1], dtype=np.int8), size=int(shared.sum()))

    # A few people vote on much, most on little; capped so that nobody would need more than every statement.
    activity = np.minimum(rng.pareto(1.5, participants) + 1.0, 20.0)
    popularity = 1.0 / np.sqrt(np.arange(1, statements + 1))  # earlier statements are seen more
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < votes:
        wanted = int((votes - len(keys)) * 1.15) + 1000
        p = _draw(rng, activity, wanted)
        s = _draw(rng, popularity, wanted)
        keys = np.unique(np.concatenate([keys, p * statements + s]))
    keys = np.sort(rng.choice(keys, size=votes, replace=False))
    who, what = keys // statements, keys % statements

    stance = stances[truth[who], what]
    roll = rng.random(votes)
    values = np.where(roll < FOLLOW, stance, np.where(roll < FOLLOW + OPPOSE, -stance, 0)).astype(np.int8)
    return PlantedVotes(participants=who, statements=what, values=values, truth=truth, stances=stances)


def _draw(rng: np.random.Generator, weights: np.ndarray, n: int) -> np.ndarray:
    cumulative = np.cumsum(weights)
    return np.searchsorted(cumulative, rng.random(n) * cumulative[-1], side="right").astype(np.int64)


def load_into_database(planted: PlantedVotes, *, question: str = "Synthetic exercise", seed: int = 0) -> int:
    """Write planted votes into the database as a new open exercise of a new organisation; returns its id.

    Needs Django set up (imported here, so the generator above stays numpy only). Rows go in large batches through
    rightsloop.core.bulk (COPY on PostgreSQL, executemany on SQLite), never a model object per row; the tallies the
    voting actions keep (Statement.votes_count, agrees, disagrees, passes; Participant.votes_count) are counted with
    numpy and written with the rows. Every participant gets a link nonce, so consensus.links.token_for works.
    """
    import secrets
    import uuid

    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from rightsloop.consensus.models import Exercise, Participant, Statement, Vote
    from rightsloop.core import bulk
    from rightsloop.core.models import Organisation
    from rightsloop.engagements.models import Engagement

    n_participants, n_statements = len(planted.truth), planted.stances.shape[1]
    who, what, values = planted.participants, planted.statements, planted.values.astype(np.int64)
    counted = {value: np.bincount(what[values == value], minlength=n_statements) for value in (1, -1, 0)}
    per_statement = np.bincount(what, minlength=n_statements)
    per_participant = np.bincount(who, minlength=n_participants)
    now = timezone.now()
    name = f"Consensus data {uuid.uuid4().hex[:8]}"
    with transaction.atomic():
        organisation = Organisation.objects.create(name=name, slug=name.lower().replace(" ", "-"))
        owner = get_user_model().objects.create(username=f"facilitator-{uuid.uuid4().hex[:12]}")
        engagement = Engagement.objects.create(organisation=organisation, title=question[:200], type="workshop",
                                               phases=["identify"], starts_on=now.date(), ends_on=now.date(),
                                               feedback_due_on=now.date(), owner=owner)
        exercise = Exercise.objects.create(organisation=organisation, engagement=engagement, question=question[:300],
                                           status="open", opened_at=now, seed=seed, votes_changed_at=now,
                                           next_statement_number=n_statements,
                                           next_participant_number=n_participants)
        bulk.insert_rows(Statement, ("exercise_id", "number", "text", "is_seed", "moderation", "language",
                                     "created_at", "votes_count", "agrees", "disagrees", "passes", "priority"),
                         ((exercise.pk, n, f"Statement {n}: keep the key on the device.", True, "accepted", "en", now,
                           int(per_statement[n]), int(counted[1][n]), int(counted[-1][n]), int(counted[0][n]), 1.0)
                          for n in range(n_statements)), batch=10_000)
        bulk.insert_rows(Participant, ("uid", "exercise_id", "number", "channel", "device_hash", "link_nonce",
                                       "votes_count", "created_at"),
                         ((uuid.uuid4().hex, exercise.pk, n, "link", "", secrets.token_urlsafe(12),
                           int(per_participant[n]), now) for n in range(n_participants)), batch=20_000)
        participant_ids = np.zeros(n_participants, dtype=np.int64)
        for pk, number in Participant.objects.filter(exercise=exercise).values_list("id", "number").iterator():
            participant_ids[number] = pk
        statement_ids = np.zeros(n_statements, dtype=np.int64)
        for pk, number in Statement.objects.filter(exercise=exercise).values_list("id", "number"):
            statement_ids[number] = pk
        chunk = 500_000  # the rows of one chunk as Python objects at a time, not 5,000,000
        for start in range(0, len(who), chunk):
            part = slice(start, start + chunk)
            rows = zip(participant_ids[who[part]].tolist(), statement_ids[what[part]].tolist(),
                       values[part].tolist(), strict=True)
            bulk.insert_rows(Vote, ("exercise_id", "participant_id", "statement_id", "value", "channel", "cast_at"),
                             ((exercise.pk, p, s, v, "link", now) for p, s, v in rows), batch=50_000)
    return exercise.pk
