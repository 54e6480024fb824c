"""Build exercises through the facilitator's actions (consensus.actions.exercises)."""

from __future__ import annotations

from itertools import count

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.tests.factories import make_engagement

from ..actions import exercises as actions
from ..models import Exercise

_numbers = count(1)


def make_exercise(by: Viewer, engagement: Engagement | None = None, *, statements: int = 0, opened: bool = False,
                  **fields) -> Exercise:
    """An exercise with `statements` seed statements, opened for votes if asked (opening needs two)."""
    values = {"question": f"Should messages be scanned on the phone? ({next(_numbers)})",
              "description": "Privacy and child safety, side by side."}
    values.update(fields)
    exercise = actions.create_exercise(engagement=engagement or make_engagement(by), by=by, **values)
    for number in range(statements):
        actions.add_statement(exercise=exercise, text=f"Seed statement {number}: encryption must stay whole.", by=by)
    if opened:
        actions.open_exercise(exercise=exercise, by=by)
    exercise.refresh_from_db()
    return exercise
