"""Exercises for the Pol.is tests, built with the ORM so they do not depend on the exercise actions."""

from pathlib import Path

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements.tests.factories import make_engagement

from ..models import Exercise

POLIS_DATA = Path("/work/shared/data/polis")


def make_empty_exercise(by: Viewer, **fields) -> Exercise:
    values = {"question": "What should change?", "min_group_size": 5}
    values.update(fields)
    return Exercise.objects.create(organisation=by.organisation, engagement=make_engagement(by), created_by=by.user,
                                   **values)


def polis_files(conversation: str, *names: str) -> dict[str, bytes]:
    """The named files of a real Pol.is conversation, read in place, keyed as import_polis takes them."""
    folder = POLIS_DATA / conversation
    return {name.removesuffix(".csv").replace("-", "_"): (folder / name).read_bytes() for name in names}
