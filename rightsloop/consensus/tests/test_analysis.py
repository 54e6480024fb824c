"""The analysis in the background: reading votes into numbers, the debounce, storing and repeating runs."""

import datetime

import numpy
import pytest
from django.test import override_settings

from rightsloop.consensus import analysis, engine
from rightsloop.consensus.actions.analysis import request_analysis
from rightsloop.consensus.models import AnalysisRun, Statement, Vote
from rightsloop.consensus.tasks import analyse_exercise
from rightsloop.consensus.vocabulary import Moderation, RunState
from rightsloop.core.models import AuditEntry

from .factories_results import add_participants, add_statements, make_exercise, plant_two_groups

pytestmark = pytest.mark.django_db


def test_votes_are_read_as_numbers_with_rejected_statements_muted(hr_lead):
    exercise = make_exercise(hr_lead)
    people, statements = plant_two_groups(exercise, per_group=3, statements=4)
    Statement.objects.filter(pk=statements[3].pk).update(moderation=Moderation.REJECTED)
    add_statements(exercise, 1, moderation=Moderation.PENDING)
    read = analysis.read_votes(exercise)
    table = read.table
    assert read.n_votes == 24 == len(table.values)
    assert sorted(set(table.participants.tolist())) == [p.number for p in people]
    assert table.statement_numbers.tolist() == [0, 1, 2] and table.muted.tolist() == [3]
    vote = Vote.objects.get(participant=people[4], statement=statements[2])
    row = (table.participants == people[4].number) & (table.statements == 2)
    assert table.values[row].tolist() == [vote.value]


def test_many_votes_queue_one_run_started_a_little_later(hr_lead, django_capture_on_commit_callbacks):
    exercise = make_exercise(hr_lead)
    with override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            runs = {request_analysis(exercise=exercise).pk for _ in range(25)}
        backend = analyse_exercise.get_backend()
        assert len(runs) == 1 and len(callbacks) == 1
        assert AnalysisRun.objects.filter(exercise=exercise, state=RunState.QUEUED).count() == 1
        [queued] = [result for result in backend.results if result.task.name == "analyse_exercise"]
        assert queued.kwargs == {"run_id": runs.pop()}
        assert queued.task.run_after > queued.enqueued_at + datetime.timedelta(seconds=5)
    # Voting asks with no one: no audit entry per vote.
    assert not AuditEntry.objects.filter(action="exercise.analysis_requested").exists()


def test_a_new_run_is_queued_once_the_queued_one_started(hr_lead):
    exercise = make_exercise(hr_lead)
    first = request_analysis(exercise=exercise)
    AnalysisRun.objects.filter(pk=first.pk).update(state=RunState.RUNNING)
    second = request_analysis(exercise=exercise)
    assert second.pk != first.pk and second.state == RunState.QUEUED


def test_a_lost_queued_run_does_not_block_for_ever(hr_lead):
    exercise = make_exercise(hr_lead)
    lost = request_analysis(exercise=exercise)
    AnalysisRun.objects.filter(pk=lost.pk).update(created_at=lost.created_at - datetime.timedelta(hours=2))
    fresh = request_analysis(exercise=exercise)
    lost.refresh_from_db()
    assert fresh.pk != lost.pk and lost.state == RunState.FAILED and lost.message


def test_the_task_runs_the_queued_run_and_a_second_call_does_nothing(hr_lead, django_capture_on_commit_callbacks):
    exercise = make_exercise(hr_lead)
    plant_two_groups(exercise)
    with django_capture_on_commit_callbacks(execute=True):
        run = request_analysis(exercise=exercise)
    run.refresh_from_db()
    assert run.state == RunState.DONE and run.started_at and run.finished_at and run.seconds is not None
    finished = run.finished_at
    assert analyse_exercise.call(run_id=run.pk) == RunState.DONE
    run.refresh_from_db()
    assert run.finished_at == finished
    assert analyse_exercise.call(run_id=987654) == "missing"


def test_a_run_is_stored_with_its_parameters_and_version_and_repeats_exactly(hr_lead):
    exercise = make_exercise(hr_lead, seed=7)
    people, _statements = plant_two_groups(exercise)
    first = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    again = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    assert first.state == RunState.DONE
    assert first.parameters == {**engine.Parameters(seed=7).as_dict(), "kept_from_run": None}
    assert first.parameters["seed"] == 7 and again.parameters["kept_from_run"] == first.pk
    assert first.engine_version == engine.ENGINE_VERSION and first.votes_as_of <= first.finished_at
    first.refresh_from_db()
    assert first.results == again.results and first.results["k"] == 2
    assert [g["size"] for g in first.results["groups"]] == [12, 12]
    placed, placed_again = analysis.load_placements(first), analysis.load_placements(again)
    assert placed.numbers.tolist() == [p.number for p in people]
    assert numpy.array_equal(placed.x, placed_again.x) and numpy.array_equal(placed.group, placed_again.group)
    # The planted sides are the groups found.
    assert len(set(placed.group[:12].tolist())) == 1 and set(placed.group[:12]) != set(placed.group[12:])
    assert placed.base_size.sum() == 24


def test_three_voters_are_not_enough_and_say_so(hr_lead):
    exercise = make_exercise(hr_lead)
    plant_two_groups(exercise, per_group=1, statements=5)
    add_participants(exercise, 1)
    run = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    assert run.state == RunState.NOT_ENOUGH and run.placements == b""
    assert "Not enough people have voted yet" in run.message and "2 voted" in run.message
    assert analysis.run_message(run) == run.message
    assert len(analysis.load_placements(run)) == 0


def test_an_exercise_without_votes_is_not_enough_not_a_failure(hr_lead):
    run = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=make_exercise(hr_lead)))
    assert run.state == RunState.NOT_ENOUGH and run.message


def test_an_engine_error_fails_the_run_with_a_message_and_raises_nothing(hr_lead, monkeypatch):
    exercise = make_exercise(hr_lead)
    plant_two_groups(exercise)

    def broken(table, parameters):
        raise FloatingPointError("matrix went wrong")

    monkeypatch.setattr(engine, "analyse", broken)
    run = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    assert run.state == RunState.FAILED and "matrix went wrong" in run.message and run.finished_at


def test_a_done_run_refreshes_the_routing_priorities(hr_lead, monkeypatch):
    exercise = make_exercise(hr_lead)
    plant_two_groups(exercise)
    seen = []
    from rightsloop.consensus import routing

    monkeypatch.setattr(routing, "refresh_priorities", lambda **kwargs: seen.append(kwargs))
    run = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    assert seen == [{"exercise": exercise, "results": run.results}]


def test_the_vote_table_is_read_in_a_bounded_number_of_queries(hr_lead, django_assert_max_num_queries):
    exercise = make_exercise(hr_lead)
    plant_two_groups(exercise, per_group=40, statements=20)
    with django_assert_max_num_queries(6):
        read = analysis.read_votes(exercise)
    assert read.n_votes == 1600


def test_who_was_clustered_stays_clustered_when_the_exercise_grows(hr_lead):
    """Membership is sticky (METHOD.md step 3): a participant grouped on the first five statements keeps a group
    when five more arrive that they never saw, though they now have fewer than seven votes."""
    exercise = make_exercise(hr_lead)
    people, _statements = plant_two_groups(exercise, per_group=10, statements=5)
    first = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    assert first.state == RunState.DONE and (analysis.load_placements(first).group >= 0).all()
    later = add_statements(exercise, 5)
    now = first.finished_at
    Vote.objects.bulk_create([Vote(exercise=exercise, participant=person, statement=statement, cast_at=now,
                                   value=1 if index < 10 else -1)
                              for index, person in enumerate(people[:16]) for statement in later])
    second = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    placed = analysis.load_placements(second)
    light = [person.number for person in people[16:]]
    assert second.parameters["kept_from_run"] == first.pk
    assert (placed.group[numpy.isin(placed.numbers, light)] >= 0).all()
    # Without the earlier runs, the four with five votes of ten would not be grouped.
    AnalysisRun.objects.filter(exercise=exercise).delete()
    fresh = analysis.run_analysis(run=AnalysisRun.objects.create(exercise=exercise))
    placed = analysis.load_placements(fresh)
    assert fresh.parameters["kept_from_run"] is None
    assert (placed.group[numpy.isin(placed.numbers, light)] == -1).all()
