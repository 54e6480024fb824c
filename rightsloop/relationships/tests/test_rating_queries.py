"""Aggregates hide small groups; one stakeholder's ratings only for the owner and the human rights lead."""

import pytest
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.relationships import rating_queries
from rightsloop.relationships.models import Rating, RatingSettings, Relationship
from rightsloop.relationships.rating_queries import Cell, suppress
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .rating_factories import answer, make_round

pytestmark = pytest.mark.django_db


def _cells(counts):
    return [Cell(count, dict.fromkeys(("trust",), count)) for count in counts]


@given(st.lists(st.integers(min_value=0, max_value=30), min_size=1, max_size=8), st.integers(3, 10))
def test_no_group_under_the_threshold_is_shown_nor_one_hidden_group_left_to_subtract(counts, smallest):
    cells = _cells(counts)
    suppress(cells, smallest)
    assert all(cell.count >= smallest for cell in cells if cell.shown)
    hidden = [cell for cell in cells if cell.count and not cell.shown]
    # One hidden group beside shown ones could be recovered as the total minus the rest; alone, the total
    # is that group and is hidden too.
    assert len(hidden) != 1 or not any(cell.shown and cell.count for cell in cells)


def _answers(viewer, people, round, **scores):
    for person in people:
        answer(round, person, **scores)


def test_the_trend_hides_groups_smaller_than_five_and_says_so(hr_lead):
    experts = [make_stakeholder(hr_lead, kind="expert", country="FR") for _ in range(6)]
    proxies = [make_stakeholder(hr_lead, kind="proxy", country="KE") for _ in range(2)]
    others = [make_stakeholder(hr_lead, kind="other", country="KE") for _ in range(5)]
    round = make_round(hr_lead, experts + proxies + others)
    _answers(hr_lead, experts, round, trust=5)
    _answers(hr_lead, proxies, round, trust=1)
    _answers(hr_lead, others, round, trust=3)
    trend = rating_queries.trend(hr_lead)
    assert trend.overall[round.pk].count == 13 and trend.overall[round.pk].shown
    kinds = trend.breakdowns["kind"]
    assert kinds.cell(round.pk, "proxy").shown is False
    # the proxies alone would be recoverable from the total: the next smallest group is hidden too
    assert kinds.cell(round.pk, "other").shown is False
    assert kinds.cell(round.pk, "expert").average("trust") == 5
    south = trend.breakdowns["global_south"]
    assert south.cell(round.pk, "yes").count == 7 and south.cell(round.pk, "yes").shown


def test_the_threshold_is_the_organisations_setting(hr_lead, organisation):
    people = [make_stakeholder(hr_lead) for _ in range(5)]
    round = make_round(hr_lead, people)
    _answers(hr_lead, people, round)
    assert rating_queries.trend(hr_lead).overall[round.pk].shown
    RatingSettings.objects.create(organisation=organisation, smallest_group=6)
    assert not rating_queries.trend(hr_lead).overall[round.pk].shown


def test_people_hidden_from_the_viewer_are_left_out_of_the_aggregates(hr_lead, admin):
    people = [make_stakeholder(admin) for _ in range(5)]
    protected = make_stakeholder(admin, safety_level="high", safe_channels=["in_person"])
    round = make_round(admin, [*people, protected])
    _answers(admin, [*people, protected], round)
    assert rating_queries.trend(admin).overall[round.pk].count == 6
    assert rating_queries.trend(hr_lead).overall[round.pk].count == 5


def test_one_stakeholders_ratings_only_for_the_owner_and_the_lead(organisation, hr_lead, admin):
    owner = make_member(organisation, Role.ADMIN)
    person, other = make_stakeholder(hr_lead), make_stakeholder(hr_lead)
    Relationship.objects.create(organisation=organisation, stakeholder=person, owner=owner.user)
    round = make_round(hr_lead, [person, other])
    _answers(hr_lead, [person, other], round)
    assert set(rating_queries.visible_ratings(hr_lead).values_list("stakeholder_id", flat=True)) == {
        person.pk, other.pk}
    assert list(rating_queries.visible_ratings(owner).values_list("stakeholder_id", flat=True)) == [person.pk]
    assert not rating_queries.visible_ratings(admin).exists()
    assert rating_queries.access_rated_stakeholder(owner, person.pk) == person
    for viewer, pk in ((owner, other.pk), (admin, person.pk), (hr_lead, 0), (hr_lead, "x")):
        with pytest.raises(Http404):
            rating_queries.access_rated_stakeholder(viewer, pk)


def test_another_organisations_ratings_are_never_read(hr_lead, other_organisation):
    foreign_lead = make_member(other_organisation, Role.HR_LEAD)
    people = [make_stakeholder(foreign_lead) for _ in range(5)]
    round = make_round(foreign_lead, people)
    _answers(foreign_lead, people, round)
    assert rating_queries.trend(hr_lead).rounds == []
    assert not rating_queries.visible_ratings(hr_lead).exists()
    with pytest.raises(Http404):
        rating_queries.access_round(hr_lead, round.pk)


@settings(deadline=None, max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["affected", "proxy", "expert", "other"]),
                          st.sampled_from(["KE", "FR", "BR", "IN", ""])), min_size=0, max_size=14))
def test_every_shown_cell_has_at_least_five_answers(hr_lead, profiles):
    Rating.objects.all().delete()
    people = [make_stakeholder(hr_lead, kind=kind, country=country) for kind, country in profiles]
    if not people:
        return
    round = make_round(hr_lead, people)
    _answers(hr_lead, people, round)
    trend = rating_queries.trend(hr_lead, round_ids=[round.pk])
    cells = [trend.overall[round.pk], *[cell for b in trend.breakdowns.values() for cell in b.cells.values()]]
    assert all(cell.count >= 5 for cell in cells if cell.shown and cell.average("trust") is not None)
    for breakdown in trend.breakdowns.values():
        hidden = [cell for cell in breakdown.cells.values() if cell.count and not cell.shown]
        assert len(hidden) != 1 or not any(cell.shown for cell in breakdown.cells.values())


@settings(deadline=None, max_examples=10, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=12))
def test_the_running_tallies_always_equal_a_recount(hr_lead, organisation, answers):
    from rightsloop.relationships.models import RatingTally
    from rightsloop.relationships.ratings import rebuild_tallies

    RatingTally.objects.all().delete()
    Rating.objects.all().delete()
    people = [make_stakeholder(hr_lead, kind=kind, country=country)
              for kind, country in (("expert", "FR"), ("proxy", "KE"), ("affected", ""), ("expert", "FR"))]
    round = make_round(hr_lead, people)
    for who, trust, safety in answers:  # repeated people change their answer
        answer(round, people[who], trust=trust, safety=safety)

    def state():
        return sorted(RatingTally.objects.filter(answers__gt=0).values_list(
            "round_id", "kind", "region_code", "global_south", "answers", "trust", "safety"))

    running = state()
    rebuild_tallies(organisation=organisation)
    assert running == state()
