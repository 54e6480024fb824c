"""Exercises with planted opinion groups, built with the ORM in bulk, for the analysis and results tests."""

from __future__ import annotations

import numpy
from django.utils import timezone

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements.tests.factories import make_engagement

from ..models import Exercise, Participant, Statement, Vote
from ..vocabulary import ExerciseStatus, Moderation


def make_exercise(by: Viewer, *, engagement=None, **fields) -> Exercise:
    values = {"question": "Should messages be scanned on the phone?", "status": ExerciseStatus.OPEN}
    values.update(fields)
    engagement = engagement or make_engagement(by)
    return Exercise.objects.create(organisation=by.organisation, engagement=engagement, created_by=by.user,
                                   opened_at=timezone.now(), **values)


def add_statements(exercise: Exercise, count: int, *, moderation: str = Moderation.ACCEPTED) -> list[Statement]:
    start = exercise.next_statement_number
    made = Statement.objects.bulk_create([
        Statement(exercise=exercise, number=start + n, text=f"Statement {start + n}: keep the key on the device.",
                  is_seed=True, moderation=moderation) for n in range(count)])
    exercise.next_statement_number = start + count
    exercise.save(update_fields=["next_statement_number"])
    return made


def add_participants(exercise: Exercise, count: int, **fields) -> list[Participant]:
    start = exercise.next_participant_number
    Participant.objects.bulk_create([Participant(exercise=exercise, number=start + n, **fields)
                                            for n in range(count)])
    exercise.next_participant_number = start + count
    exercise.save(update_fields=["next_participant_number"])
    return list(exercise.participants.filter(number__gte=start).order_by("number"))


def plant_two_groups(exercise: Exercise, *, per_group: int = 12, statements: int = 12, seed: int = 0):
    """Two groups that agree on the first two statements and split on the rest; returns (participants, statements)."""
    rng = numpy.random.default_rng(seed)
    made = add_statements(exercise, statements)
    people = add_participants(exercise, 2 * per_group)
    now = timezone.now()
    votes = []
    for i, person in enumerate(people):
        side = 1 if i < per_group else -1
        for j, statement in enumerate(made):
            value = 1 if j < 2 else side * (1 if j % 2 else -1)
            if rng.random() < 0.08:
                value = 0
            votes.append(Vote(exercise=exercise, participant=person, statement=statement, value=value, cast_at=now))
    Vote.objects.bulk_create(votes, batch_size=2000)
    return people, made
