"""The routing rule: few votes first, the latest analysis's priorities, a shuffle per participant, no repeats."""

import pytest

from .. import routing
from ..actions.votes import cast_vote, submit_statement
from ..models import Statement
from ..vocabulary import Moderation, VoteChannel
from .factories_voting import make_exercise, make_participant, make_statement

pytestmark = pytest.mark.django_db


@pytest.fixture
def exercise(hr_lead):
    return make_exercise(hr_lead, statements=0)


def _statements(exercise, count):
    return [make_statement(exercise, f"Statement {index}.") for index in range(count)]


def test_statements_with_few_votes_come_first(exercise):
    many, few, some = _statements(exercise, 3)
    Statement.objects.filter(pk=many.pk).update(votes_count=60)
    Statement.objects.filter(pk=some.pk).update(votes_count=30)
    for _index in range(10):
        assert routing.next_statement(make_participant(exercise)) == few


def test_the_latest_analysis_priorities_are_followed(exercise):
    plain, divisive = _statements(exercise, 2)
    Statement.objects.filter(pk=divisive.pk).update(priority=2.0)
    for _index in range(10):
        assert routing.next_statement(make_participant(exercise)) == divisive
    # Until it has many more votes than the others.
    Statement.objects.filter(pk=divisive.pk).update(votes_count=40)
    assert routing.next_statement(make_participant(exercise)) == plain


def test_only_accepted_statements_are_shown_and_never_twice(exercise):
    _statements(exercise, 6)
    for moderation in (Moderation.PENDING, Moderation.REJECTED, Moderation.META):
        make_statement(exercise, "Not for votes.", moderation=moderation)
    participant, seen = make_participant(exercise), []
    while (statement := routing.next_statement(participant)) is not None:
        assert statement.moderation == Moderation.ACCEPTED
        seen.append(statement.number)
        cast_vote(participant=participant, statement=statement, value=0, channel=VoteChannel.LINK)
    assert sorted(seen) == list(range(6))
    assert routing.progress(participant) == (6, 6)


def test_participants_do_not_all_see_the_same_order(exercise):
    _statements(exercise, 20)
    firsts = {routing.next_statement(make_participant(exercise)).number for _index in range(12)}
    assert len(firsts) >= 4


def test_a_participant_sees_the_same_statement_until_they_vote(exercise):
    _statements(exercise, 20)
    participant = make_participant(exercise)
    assert len({routing.next_statement(participant).pk for _index in range(5)}) == 1


def test_routing_is_one_query_whatever_the_number_of_statements(exercise, django_assert_num_queries):
    _statements(exercise, 40)
    participant = make_participant(exercise)
    cast_vote(participant=participant, statement=exercise.statements.first(), value=1, channel=VoteChannel.LINK)
    with django_assert_num_queries(1):
        routing.next_statement(participant)
    with django_assert_num_queries(1):
        assert routing.progress(participant) == (1, 40)


def test_someone_who_has_not_voted_yet_is_routed_unsaved(exercise):
    _statements(exercise, 3)
    from ..models import Participant

    stand_in = Participant(exercise=exercise, number=0)
    assert routing.next_statement(stand_in) is not None
    assert routing.progress(stand_in) == (0, 3)


RESULTS = {
    "statements": {"0": {"ns": 10, "na": 5, "nd": 5}, "1": {"ns": 10, "na": 9, "nd": 0},
                   "2": {"ns": 10, "na": 4, "nd": 1}, "3": {"ns": 10, "na": 0, "nd": 0}},
    "divisive": [{"statement": 0, "spread": 0.9}],
    "consensus": {"agree": [{"statement": 1, "pa": 0.9}], "disagree": []},
    "representative": {"0": [{"statement": 2, "direction": "agree"}], "1": [{"statement": 0}]},
    "group_consensus": [{"statement": 1, "gic": 0.8}],
}


def test_refreshed_priorities_favour_what_divides_or_joins_the_groups(exercise):
    divisive, common, representative, passed, unseen_seed = _statements(exercise, 5)
    writer = make_participant(exercise)
    written = submit_statement(participant=writer, text="Let an independent body audit the scanner.")
    Statement.objects.filter(pk=written.pk).update(moderation=Moderation.ACCEPTED, priority=1.0)
    routing.refresh_priorities(exercise=exercise, results=RESULTS)
    priority = dict(exercise.statements.values_list("number", "priority"))
    # Divisive and representative of a group outweigh common ground, which outweighs the plain; a statement
    # everyone passed on weighs least; what the run has not seen keeps its start: a participant's is boosted.
    assert priority[divisive.number] > priority[common.number] > priority[representative.number] > priority[
        passed.number]
    assert priority[passed.number] < 1
    assert priority[unseen_seed.number] == routing.BASE
    assert priority[written.number] == routing.NEW_STATEMENT_PRIORITY
    assert routing.next_statement(make_participant(exercise)).number == divisive.number


def test_refreshing_with_empty_or_odd_results_does_not_fail(exercise):
    _statements(exercise, 2)
    routing.refresh_priorities(exercise=exercise, results={})
    routing.refresh_priorities(exercise=exercise, results={"statements": {"x": None, "0": None},
                                                           "divisive": [{"nope": 1}, "junk"]})
    assert set(exercise.statements.values_list("priority", flat=True)) <= {routing.BASE, 0.75}
