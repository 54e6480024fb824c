"""The demo's rating rounds: a trend over two rounds and one flagged relationship."""

import pytest
from django.utils import timezone

from rightsloop.demo.ratings import load_ratings
from rightsloop.relationships import rating_queries
from rightsloop.relationships.models import RatingFlag
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_two_rounds_a_trend_and_mtandao_flagged(hr_lead):
    people = {f"p{n}": make_stakeholder(hr_lead, kind="affected" if n % 2 else "proxy") for n in range(12)}
    people["mtandao"] = make_stakeholder(hr_lead, kind="proxy")
    counts = load_ratings(viewer=hr_lead, stakeholders=people, today=timezone.localdate())
    assert counts["rounds"] == 2 and counts["ratings"] > 15
    trend = rating_queries.trend(hr_lead)
    autumn, spring = trend.rounds
    assert autumn.title.startswith("First") and autumn.state(timezone.localdate()) == "closed"
    assert trend.overall[spring.pk].average("influence") > trend.overall[autumn.pk].average("influence")
    flag = RatingFlag.objects.get(stakeholder=people["mtandao"], rating__round=spring)
    assert flag.reason == "low_and_falling"
