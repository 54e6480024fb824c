"""Exercises ready for voting, built with the ORM so that the voting tests do not hang on the facilitator's actions."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from rightsloop.engagements.tests.factories import make_engagement

from .. import links
from ..models import Exercise, Participant, Statement
from ..vocabulary import ExerciseStatus, Moderation


def make_exercise(by, *, statements: int = 3, status: str = ExerciseStatus.OPEN, engagement=None,
                  **fields) -> Exercise:
    values = {"question": "Should messaging apps scan private messages for child abuse material?",
              "status": status, "opened_at": timezone.now() if status != ExerciseStatus.DRAFT else None}
    values.update(fields)
    exercise = Exercise.objects.create(organisation=by.organisation, engagement=engagement or make_engagement(by),
                                       created_by=by.user, **values)
    for index in range(statements):
        make_statement(exercise, f"Seed statement {index}: scanning must never break end-to-end encryption.")
    return exercise


def make_statement(exercise: Exercise, text: str = "A statement to vote on.", *,
                   moderation: str = Moderation.ACCEPTED, **fields) -> Statement:
    number = Exercise.objects.filter(pk=exercise.pk).values_list("next_statement_number", flat=True).get()
    Exercise.objects.filter(pk=exercise.pk).update(next_statement_number=F("next_statement_number") + 1)
    values = {"is_seed": "author" not in fields, "moderation": moderation}
    values.update(fields)
    return Statement.objects.create(exercise=exercise, number=number, text=text, **values)


def make_participant(exercise: Exercise, *, participation=None, link: bool = True, **fields) -> Participant:
    number = Exercise.objects.filter(pk=exercise.pk).values_list("next_participant_number", flat=True).get()
    Exercise.objects.filter(pk=exercise.pk).update(next_participant_number=F("next_participant_number") + 1)
    return Participant.objects.create(exercise=exercise, number=number, participation=participation,
                                      link_nonce=links.new_nonce() if link else "", **fields)


def make_voter(exercise: Exercise, **fields) -> tuple[Participant, str]:
    """A participant with a voting link, and the link's token."""
    participant = make_participant(exercise, **fields)
    return participant, links.token_for(participant)
