"""Build rating rounds and answers for the ratings tests."""

import datetime

from django.utils import timezone

from rightsloop.relationships import ratings
from rightsloop.relationships.models import RatingRound

GOOD = {"trust": 4, "influence": 4, "burden": 4, "usefulness": 4, "safety": 4}


def make_round(viewer, people, *, title="Spring round", opens_on=None, closes_on=None) -> RatingRound:
    today = timezone.localdate()
    return ratings.open_round(
        viewer=viewer, title=title, opens_on=opens_on or today - datetime.timedelta(days=1),
        closes_on=closes_on or today + datetime.timedelta(days=20),
        chooser=ratings.Chooser(stakeholder_ids=tuple(person.pk for person in people)))


def answer(round, stakeholder, by=None, comment="", **scores):
    return ratings.record_rating(round=round, stakeholder=stakeholder, scores={**GOOD, **scores}, comment=comment,
                                 language="en", by=by)


def backdate(round, days: int) -> RatingRound:
    """Move a round into the past (as if it happened `days` ago), keeping it open for answers in tests."""
    RatingRound.objects.filter(pk=round.pk).update(opens_on=round.opens_on - datetime.timedelta(days=days))
    round.refresh_from_db()
    return round
