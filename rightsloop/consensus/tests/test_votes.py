"""Casting votes (the latest wins, tallies kept), participants' own statements, and votes through the API."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rightsloop.core.models import AuditEntry

from ..actions import votes as actions
from ..actions.votes import NumberedVote, cast_vote, record_votes, submit_statement
from ..models import AnalysisRun, Exercise, Participant, Statement, Vote
from ..vocabulary import ExerciseStatus, Moderation, RunState, VoteChannel, VoteValue
from .factories_voting import make_exercise, make_participant, make_statement

pytestmark = pytest.mark.django_db

AGREE, DISAGREE, PASS = VoteValue.AGREE, VoteValue.DISAGREE, VoteValue.PASS


@pytest.fixture
def exercise(hr_lead):
    return make_exercise(hr_lead)


def _tallies(statement):
    statement.refresh_from_db()
    return statement.votes_count, statement.agrees, statement.disagrees, statement.passes


def _votes_of(participant):
    return Participant.objects.get(pk=participant.pk).votes_count


def test_a_first_vote_is_counted_and_asks_for_an_analysis(exercise):
    participant, statement = make_participant(exercise), exercise.statements.first()
    before = AuditEntry.objects.count()
    vote = cast_vote(participant=participant, statement=statement, value=AGREE, channel=VoteChannel.LINK)
    assert (vote.value, vote.channel) == (1, "link")
    assert _tallies(statement) == (1, 1, 0, 0)
    assert _votes_of(participant) == 1
    exercise.refresh_from_db()
    assert exercise.votes_changed_at is not None and exercise.analysis_requested_at is not None
    assert AnalysisRun.objects.filter(exercise=exercise, state=RunState.QUEUED).count() == 1
    # Participants' votes are not audited one by one (see actions/votes.py).
    assert AuditEntry.objects.count() == before


def test_the_latest_vote_wins_and_the_tallies_follow(exercise):
    participant, other = make_participant(exercise), make_participant(exercise)
    statement = exercise.statements.first()
    cast_vote(participant=participant, statement=statement, value=AGREE, channel=VoteChannel.LINK)
    cast_vote(participant=other, statement=statement, value=AGREE, channel=VoteChannel.LINK)
    assert _tallies(statement) == (2, 2, 0, 0)
    later = timezone.now() + datetime.timedelta(minutes=5)
    cast_vote(participant=participant, statement=statement, value=DISAGREE, channel=VoteChannel.PORTAL, at=later)
    assert _tallies(statement) == (2, 1, 1, 0)
    cast_vote(participant=participant, statement=statement, value=PASS, channel=VoteChannel.LINK)
    assert _tallies(statement) == (2, 1, 0, 1)
    # The same value again changes nothing but the time.
    cast_vote(participant=participant, statement=statement, value=PASS, channel=VoteChannel.LINK)
    assert _tallies(statement) == (2, 1, 0, 1)
    vote = Vote.objects.get(participant=participant, statement=statement)
    assert vote.value == 0 and Vote.objects.filter(statement=statement).count() == 2
    assert _votes_of(participant) == 1 and _votes_of(other) == 1


def test_votes_on_several_statements_add_up(exercise):
    participant = make_participant(exercise)
    for statement in exercise.statements.all():
        cast_vote(participant=participant, statement=statement, value=DISAGREE, channel=VoteChannel.LINK)
    assert _votes_of(participant) == 3
    assert sorted(exercise.statements.values_list("disagrees", flat=True)) == [1, 1, 1]


@pytest.mark.parametrize("moderation", [Moderation.PENDING, Moderation.REJECTED, Moderation.META])
def test_a_statement_not_accepted_is_refused(exercise, moderation):
    participant = make_participant(exercise)
    statement = make_statement(exercise, "Not for votes.", moderation=moderation)
    with pytest.raises(ValidationError) as refused:
        cast_vote(participant=participant, statement=statement, value=AGREE, channel=VoteChannel.LINK)
    assert "statement" in refused.value.message_dict
    assert not Vote.objects.exists() and _tallies(statement) == (0, 0, 0, 0)


def test_a_statement_rejected_after_the_page_was_shown_is_refused(exercise):
    participant, statement = make_participant(exercise), exercise.statements.first()
    Statement.objects.filter(pk=statement.pk).update(moderation=Moderation.REJECTED)
    with pytest.raises(ValidationError, match="rejected"):
        cast_vote(participant=participant, statement=statement, value=AGREE, channel=VoteChannel.LINK)


@pytest.mark.parametrize("status", [ExerciseStatus.CLOSED, ExerciseStatus.DRAFT])
def test_a_closed_or_draft_exercise_takes_no_vote(exercise, status):
    participant, statement = make_participant(exercise), exercise.statements.first()
    Exercise.objects.filter(pk=exercise.pk).update(status=status)
    with pytest.raises(ValidationError) as refused:
        cast_vote(participant=participant, statement=statement, value=AGREE, channel=VoteChannel.LINK)
    assert "exercise" in refused.value.message_dict
    assert not Vote.objects.exists()


@pytest.mark.parametrize("value", [2, -2, True, "1", None, 0.5])
def test_a_value_other_than_agree_disagree_pass_is_refused(exercise, value):
    participant, statement = make_participant(exercise), exercise.statements.first()
    with pytest.raises(ValidationError) as refused:
        cast_vote(participant=participant, statement=statement, value=value, channel=VoteChannel.LINK)
    assert "value" in refused.value.message_dict
    assert not Vote.objects.exists()


def test_a_statement_of_another_exercise_is_refused(exercise, hr_lead):
    other = make_exercise(hr_lead)
    participant = make_participant(exercise)
    with pytest.raises(ValidationError, match="another exercise"):
        cast_vote(participant=participant, statement=other.statements.first(), value=AGREE,
                  channel=VoteChannel.LINK)
    assert not Vote.objects.exists()


def test_an_unknown_channel_is_refused(exercise):
    with pytest.raises(ValidationError):
        cast_vote(participant=make_participant(exercise), statement=exercise.statements.first(), value=AGREE,
                  channel="carrier-pigeon")


# Participants' own statements -----------------------------------------------------------------------------------

def test_a_participant_writes_a_statement_that_awaits_moderation(exercise):
    participant = make_participant(exercise)
    statement = submit_statement(participant=participant, text="   Keep the scanning   on the server only.  \n")
    assert statement.text == "Keep the scanning on the server only."
    assert (statement.moderation, statement.author, statement.is_seed) == (Moderation.PENDING, participant, False)
    assert statement.number == 3
    exercise.refresh_from_db()
    assert exercise.next_statement_number == 4
    # Boosted in the routing once accepted, so that it collects votes.
    assert statement.priority > 1


def test_the_same_statement_twice_is_kept_once(exercise):
    participant = make_participant(exercise)
    first = submit_statement(participant=participant, text="Publish how the scanner is audited.")
    again = submit_statement(participant=participant, text=" Publish how the scanner  is audited. ")
    assert first.pk == again.pk
    assert exercise.statements.filter(author=participant).count() == 1


@pytest.mark.parametrize("text", ["", "   \n ", "x" * 1001])
def test_an_empty_or_long_statement_is_refused(exercise, text):
    with pytest.raises(ValidationError) as refused:
        submit_statement(participant=make_participant(exercise), text=text)
    assert "text" in refused.value.message_dict


def test_a_statement_of_a_thousand_characters_is_taken(exercise):
    statement = submit_statement(participant=make_participant(exercise), text="y" * 1000)
    assert len(statement.text) == 1000


def test_writing_is_refused_where_only_the_facilitator_adds_statements(exercise):
    Exercise.objects.filter(pk=exercise.pk).update(participants_may_write=False)
    with pytest.raises(ValidationError, match="only the facilitator"):
        submit_statement(participant=make_participant(exercise), text="Let us write too.")


@pytest.mark.parametrize("status", [ExerciseStatus.CLOSED, ExerciseStatus.DRAFT])
def test_writing_is_refused_in_a_closed_or_draft_exercise(exercise, status):
    Exercise.objects.filter(pk=exercise.pk).update(status=status)
    with pytest.raises(ValidationError):
        submit_statement(participant=make_participant(exercise), text="Too late or too early.")


def test_statements_per_hour_are_limited(exercise):
    participant, other = make_participant(exercise), make_participant(exercise)
    for index in range(actions.STATEMENTS_PER_HOUR):
        submit_statement(participant=participant, text=f"Idea number {index}.")
    with pytest.raises(ValidationError, match="last hour"):
        submit_statement(participant=participant, text="One more idea.")
    # Someone else is not held back, and an hour later the writer may write again.
    submit_statement(participant=other, text="My first idea.")
    Statement.objects.filter(author=participant).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    submit_statement(participant=participant, text="One more idea.")


def test_joining_through_the_portal_numbers_the_participant_once(exercise, hr_lead):
    from rightsloop.engagements.tests.factories import make_participation
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    participation = make_participation(hr_lead, exercise.engagement, make_stakeholder(hr_lead))
    make_participant(exercise)
    joined = actions.join_through_portal(exercise=exercise, participation=participation)
    again = actions.join_through_portal(exercise=exercise, participation=participation)
    assert joined.pk == again.pk and joined.number == 1 and joined.channel == VoteChannel.PORTAL
    exercise.refresh_from_db()
    assert exercise.next_participant_number == 2


# A batch of votes (an integration) ------------------------------------------------------------------------------

def test_a_batch_is_recorded_whole_and_audited_once(exercise, hr_lead):
    first, second = make_participant(exercise), make_participant(exercise)
    before = AuditEntry.objects.count()
    recorded = record_votes(exercise=exercise, by=hr_lead, votes=[
        NumberedVote(participant=0, statement=0, value=1), NumberedVote(participant=1, statement=0, value=-1),
        NumberedVote(participant=0, statement=0, value=0)])
    assert recorded == 3
    assert _tallies(exercise.statements.get(number=0)) == (2, 0, 1, 1)
    assert set(Vote.objects.values_list("channel", flat=True)) == {"api"}
    assert _votes_of(first) == 1 and _votes_of(second) == 1
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.latest("pk").action == "exercise.votes_recorded"


def test_a_batch_with_bad_votes_reports_each_and_records_nothing(exercise, hr_lead):
    make_participant(exercise)
    make_statement(exercise, "Awaiting.", moderation=Moderation.PENDING)
    with pytest.raises(ValidationError) as refused:
        record_votes(exercise=exercise, by=hr_lead, votes=[
            NumberedVote(participant=0, statement=0, value=1), NumberedVote(participant=7, statement=0, value=1),
            NumberedVote(participant=0, statement=99, value=1), NumberedVote(participant=0, statement=3, value=1),
            NumberedVote(participant=0, statement=1, value=5),
            NumberedVote(participant=0, statement=1, value=1,
                         cast_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)),
            NumberedVote(participant=0, statement=1, value=1, cast_at=datetime.datetime(2026, 1, 1))])
    assert sorted(refused.value.message_dict) == ["votes.1", "votes.2", "votes.3", "votes.4", "votes.5", "votes.6"]
    assert not Vote.objects.exists()


def test_a_batch_needs_the_edit_capability(exercise, auditor):
    make_participant(exercise)
    with pytest.raises(PermissionDenied):
        record_votes(exercise=exercise, by=auditor, votes=[NumberedVote(participant=0, statement=0, value=1)])


# The API --------------------------------------------------------------------------------------------------------

def test_the_api_lists_votes_by_numbers_never_names(exercise, hr_lead, api):
    participant = make_participant(exercise)
    cast_vote(participant=participant, statement=exercise.statements.get(number=1), value=AGREE,
              channel=VoteChannel.LINK)
    response = api(hr_lead).get(f"/api/v1/consensus/exercises/{exercise.pk}/votes")
    assert response.status_code == 200, response.content
    (row,) = response.json()["items"]
    assert set(row) == {"participant", "statement", "value", "cast_at"}
    assert (row["participant"], row["statement"], row["value"]) == (participant.number, 1, 1)


def test_the_api_records_a_batch_or_reports_every_bad_vote(exercise, hr_lead, auditor, api):
    make_participant(exercise)
    url = f"/api/v1/consensus/exercises/{exercise.pk}/votes"
    bad = api(hr_lead).post(url, {"votes": [{"participant": 0, "statement": 0, "value": 1},
                                            {"participant": 0, "statement": 1, "value": 3}]})
    assert bad.status_code == 400 and list(bad.json()["errors"]) == ["votes.1"]
    assert not Vote.objects.exists()
    good = api(hr_lead).post(url, {"votes": [{"participant": 0, "statement": 0, "value": 1}]})
    assert good.status_code == 201 and good.json() == {"recorded": 1}
    assert api(auditor).post(url, {"votes": [{"participant": 0, "statement": 1, "value": 1}]}).status_code == 403
    assert Vote.objects.count() == 1


def test_the_api_gives_the_next_statement_for_a_participant(exercise, hr_lead, outsider, api):
    participant = make_participant(exercise)
    for number in (0, 1):
        cast_vote(participant=participant, statement=exercise.statements.get(number=number), value=PASS,
                  channel=VoteChannel.LINK)
    url = f"/api/v1/consensus/exercises/{exercise.pk}/participants/{participant.number}/next-statement"
    answer = api(hr_lead).get(url)
    assert answer.status_code == 200
    assert answer.json() == {"participant": 0, "statement": 2, "text": exercise.statements.get(number=2).text,
                             "voted": 2, "total": 3}
    assert api(hr_lead).get(url.replace("/0/", "/5/")).status_code == 404
    assert api(outsider).get(url).status_code == 404
