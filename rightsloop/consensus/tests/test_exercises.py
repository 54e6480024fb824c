"""The facilitator's side of an exercise: the actions' rules and audit entries, the pages, and the safety of links
and names."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .. import links
from ..actions import exercises as actions
from ..models import Exercise, Participant, Statement, Vote
from ..vocabulary import ExerciseStatus, Moderation, RunState, VoteChannel
from .factories_exercises import make_exercise

pytestmark = pytest.mark.django_db


def audit_actions(exercise) -> list[str]:
    return list(AuditEntry.objects.filter(target_id=str(exercise.pk), action__startswith="exercise.")
                .order_by("id").values_list("action", flat=True))


# Setting up ------------------------------------------------------------------------------------------------------

def test_create_an_exercise_is_a_draft_and_audited_without_its_words(hr_lead):
    risk = make_risk(hr_lead)
    exercise = make_exercise(hr_lead, risk=risk, language="es", min_group_size=7)
    assert exercise.status == ExerciseStatus.DRAFT and exercise.risk == risk and exercise.min_group_size == 7
    entry = AuditEntry.objects.get(action="exercise.created")
    assert entry.target_id == str(exercise.pk) and "scanned" not in entry.summary
    assert {"question", "risk_id", "language"} <= set(entry.changed_fields)


@pytest.mark.parametrize("size", [0, 3, 4])
def test_a_group_smaller_than_five_is_refused_with_the_reason(hr_lead, size):
    with pytest.raises(ValidationError) as refused:
        make_exercise(hr_lead, min_group_size=size)
    assert "point at its members" in refused.value.message_dict["min_group_size"][0]
    assert not Exercise.objects.exists()


@pytest.mark.parametrize("fields,field", [({"question": "  "}, "question"), ({"language": "xx-nope"}, "language")])
def test_bad_fields_are_field_errors(hr_lead, fields, field):
    with pytest.raises(ValidationError) as refused:
        make_exercise(hr_lead, **fields)
    assert field in refused.value.message_dict


def test_a_matter_of_another_organisation_is_refused(hr_lead, outsider):
    with pytest.raises(ValidationError) as refused:
        make_exercise(hr_lead, risk=make_risk(outsider))
    assert "risk" in refused.value.message_dict


def test_only_editors_set_up_exercises(hr_lead, auditor):
    with pytest.raises(PermissionDenied):
        make_exercise(auditor, engagement=make_engagement(hr_lead))


def test_change_records_only_the_changed_fields(hr_lead):
    exercise = make_exercise(hr_lead)
    actions.change_exercise(exercise=exercise, question=exercise.question, description="New words",
                            participants_may_write=False, by=hr_lead)
    entry = AuditEntry.objects.get(action="exercise.changed")
    assert sorted(entry.changed_fields) == ["description", "participants_may_write"]
    actions.change_exercise(exercise=exercise, question=exercise.question, description="New words",
                            participants_may_write=False, by=hr_lead)
    assert AuditEntry.objects.filter(action="exercise.changed").count() == 1


def test_open_needs_two_accepted_statements_and_says_so(hr_lead):
    exercise = make_exercise(hr_lead, statements=1)
    with pytest.raises(ValidationError) as refused:
        actions.open_exercise(exercise=exercise, by=hr_lead)
    assert "at least 2 accepted statements" in refused.value.messages[0]
    actions.add_statement(exercise=exercise, text="A second seed.", by=hr_lead)
    actions.open_exercise(exercise=exercise, by=hr_lead)
    exercise.refresh_from_db()
    assert exercise.status == ExerciseStatus.OPEN and exercise.opened_at is not None


def test_close_then_open_again(hr_lead):
    exercise = make_exercise(hr_lead, statements=2, opened=True)
    actions.close_exercise(exercise=exercise, by=hr_lead)
    exercise.refresh_from_db()
    assert exercise.status == ExerciseStatus.CLOSED and exercise.closed_at is not None
    with pytest.raises(ValidationError):
        actions.close_exercise(exercise=exercise, by=hr_lead)
    with pytest.raises(ValidationError):
        actions.add_statement(exercise=exercise, text="Too late.", by=hr_lead)
    actions.open_exercise(exercise=exercise, by=hr_lead)
    assert audit_actions(exercise).count("exercise.opened") == 2
    assert "exercise.closed" in audit_actions(exercise)


# Statements ----------------------------------------------------------------------------------------------------

def test_seed_statements_are_numbered_accepted_and_audited(hr_lead):
    exercise = make_exercise(hr_lead, statements=3)
    rows = list(exercise.statements.values_list("number", "moderation", "is_seed", "moderated_by"))
    assert rows == [(n, Moderation.ACCEPTED, True, hr_lead.user.pk) for n in range(3)]
    assert exercise.next_statement_number == 3
    assert audit_actions(exercise).count("exercise.statement_added") == 3


@pytest.mark.parametrize("text", ["", "   ", "x" * 1001])
def test_an_empty_or_overlong_statement_is_refused(hr_lead, text):
    exercise = make_exercise(hr_lead)
    with pytest.raises(ValidationError) as refused:
        actions.add_statement(exercise=exercise, text=text, by=hr_lead)
    assert "text" in refused.value.message_dict and not exercise.statements.exists()


def _participant_statement(exercise, text="Let people choose.") -> Statement:
    """A statement written by a participant, waiting for moderation (as the voting page leaves it)."""
    author = Participant.objects.create(exercise=exercise, number=99)
    return Statement.objects.create(exercise=exercise, number=50, text=text, author=author)


def test_moderation_accepts_rejects_or_marks_meta_and_refuses_pending(hr_lead):
    exercise = make_exercise(hr_lead)
    statement = _participant_statement(exercise)
    with pytest.raises(ValidationError):
        actions.moderate_statement(statement=statement, moderation=Moderation.PENDING, by=hr_lead)
    actions.moderate_statement(statement=statement, moderation=Moderation.META, by=hr_lead)
    statement.refresh_from_db()
    assert statement.moderation == Moderation.META and statement.moderated_by == hr_lead.user
    assert not exercise.statements.votable().exists()
    assert audit_actions(exercise) == ["exercise.created", "exercise.statement_moderated"]
    # No votes on it: nothing for the analysis to redo.
    assert not exercise.runs.exists()


def test_rejecting_a_statement_with_votes_asks_for_a_new_analysis(hr_lead):
    exercise = make_exercise(hr_lead, statements=2, opened=True)
    statement = exercise.statements.first()
    Statement.objects.filter(pk=statement.pk).update(votes_count=3, agrees=3)
    actions.moderate_statement(statement=statement, moderation=Moderation.REJECTED, by=hr_lead)
    exercise.refresh_from_db()
    assert exercise.votes_changed_at is not None and exercise.analysis_requested_at is not None
    assert exercise.runs.get().state == RunState.QUEUED
    assert list(exercise.statements.votable().values_list("number", flat=True)) == [1]


# Participants and links ---------------------------------------------------------------------------------------

def test_invite_gives_each_participant_a_numbered_working_link_once(hr_lead):
    exercise = make_exercise(hr_lead)
    people = [make_participation(hr_lead, exercise.engagement, make_stakeholder(hr_lead)) for _ in range(2)]
    issued = actions.invite_participants(exercise=exercise, participations=people, by=hr_lead)
    assert [link.participant.number for link in issued] == [0, 1]
    for link in issued:
        token = link.url.rstrip("/").rsplit("/", 1)[-1]
        assert link.url.startswith("http") and links.participant_for(token) == link.participant
        assert link.participant.channel == VoteChannel.LINK
    # Asked again, nobody is invited twice.
    assert actions.invite_participants(exercise=exercise, participations=people, by=hr_lead) == []
    exercise.refresh_from_db()
    assert exercise.next_participant_number == 2 and exercise.participants.count() == 2
    assert audit_actions(exercise).count("exercise.participant_invited") == 1


def test_invite_refuses_people_of_another_engagement(hr_lead):
    exercise = make_exercise(hr_lead)
    stranger = make_participation(hr_lead, make_engagement(hr_lead), make_stakeholder(hr_lead))
    with pytest.raises(ValidationError) as refused:
        actions.invite_participants(exercise=exercise, participations=[stranger], by=hr_lead)
    assert "participations" in refused.value.message_dict and not exercise.participants.exists()


def test_link_only_participants_continue_the_numbering(hr_lead):
    exercise = make_exercise(hr_lead)
    actions.add_link_participants(exercise=exercise, count=2, by=hr_lead)
    issued = actions.add_link_participants(exercise=exercise, count=3, by=hr_lead)
    assert [link.participant.number for link in issued] == [2, 3, 4]
    assert all(link.participant.participation_id is None for link in issued)
    with pytest.raises(ValidationError):
        actions.add_link_participants(exercise=exercise, count=0, by=hr_lead)
    with pytest.raises(ValidationError):
        actions.add_link_participants(exercise=exercise, count=actions.MAX_AT_ONCE + 1, by=hr_lead)


def test_reissue_kills_the_old_link_and_frees_the_device(hr_lead):
    exercise = make_exercise(hr_lead)
    (first,) = actions.add_link_participants(exercise=exercise, count=1, by=hr_lead)
    old = links.token_for(first.participant)
    Participant.objects.filter(pk=first.participant.pk).update(device_hash="a" * 64)
    actions.revoke_link(participant=first.participant, by=hr_lead)
    second = actions.reissue_link(participant=first.participant, by=hr_lead)
    assert links.participant_for(old) is None
    new = second.participant
    assert links.participant_for(links.token_for(new)) == new and new.device_hash == ""
    assert new.link_revoked_at is None and new.number == first.participant.number
    assert "exercise.link_reissued" in audit_actions(exercise)


def test_free_and_revoke(hr_lead):
    exercise = make_exercise(hr_lead)
    (issued,) = actions.add_link_participants(exercise=exercise, count=1, by=hr_lead)
    participant = issued.participant
    Participant.objects.filter(pk=participant.pk).update(device_hash="b" * 64)
    actions.free_link(participant=participant, by=hr_lead)
    participant.refresh_from_db()
    assert participant.device_hash == "" and links.participant_for(links.token_for(participant)) == participant
    actions.revoke_link(participant=participant, by=hr_lead)
    assert links.participant_for(links.token_for(participant)) is None
    assert audit_actions(exercise)[-2:] == ["exercise.link_freed", "exercise.link_revoked"]


def test_a_room_participant_has_no_link_to_reissue(hr_lead):
    exercise = make_exercise(hr_lead)
    (seat,) = actions.add_room_participants(exercise=exercise, count=1, by=hr_lead)
    assert seat.channel == VoteChannel.ROOM and seat.link_nonce == ""
    for action in (actions.reissue_link, actions.free_link, actions.revoke_link):
        with pytest.raises(ValidationError):
            action(participant=seat, by=hr_lead)


# A room's votes ------------------------------------------------------------------------------------------------

def test_record_a_rooms_votes_the_latest_wins(hr_lead):
    exercise = make_exercise(hr_lead, statements=2, opened=True)
    statement = exercise.statements.first()
    seats = actions.add_room_participants(exercise=exercise, count=3, by=hr_lead)
    assert [seat.number for seat in seats] == [0, 1, 2]
    actions.record_room_votes(exercise=exercise, statement=statement, votes={seats[0]: 1, seats[1]: -1},
                              by=hr_lead)
    actions.record_room_votes(exercise=exercise, statement=statement, votes={seats[1]: 1, seats[2]: 0}, by=hr_lead)
    statement.refresh_from_db()
    assert (statement.agrees, statement.disagrees, statement.passes, statement.votes_count) == (2, 0, 1, 3)
    assert set(Vote.objects.values_list("channel", flat=True)) == {VoteChannel.ROOM}
    assert audit_actions(exercise).count("exercise.room_votes_recorded") == 2


def test_room_votes_are_refused_on_a_rejected_statement_or_a_closed_exercise(hr_lead):
    exercise = make_exercise(hr_lead, statements=3, opened=True)
    (seat,) = actions.add_room_participants(exercise=exercise, count=1, by=hr_lead)
    rejected = exercise.statements.first()
    actions.moderate_statement(statement=rejected, moderation=Moderation.REJECTED, by=hr_lead)
    with pytest.raises(ValidationError):
        actions.record_room_votes(exercise=exercise, statement=rejected, votes={seat: 1}, by=hr_lead)
    with pytest.raises(ValidationError):
        actions.record_room_votes(exercise=exercise, statement=exercise.statements.last(), votes={seat: 2},
                                  by=hr_lead)
    actions.close_exercise(exercise=exercise, by=hr_lead)
    with pytest.raises(ValidationError):
        actions.record_room_votes(exercise=exercise, statement=exercise.statements.last(), votes={seat: 1},
                                  by=hr_lead)
    assert not Vote.objects.exists()


def test_a_link_participant_is_not_voted_for_by_the_room(hr_lead):
    exercise = make_exercise(hr_lead, statements=2, opened=True)
    (issued,) = actions.add_link_participants(exercise=exercise, count=1, by=hr_lead)
    with pytest.raises(ValidationError):
        actions.record_room_votes(exercise=exercise, statement=exercise.statements.first(),
                                  votes={issued.participant: 1}, by=hr_lead)
    assert not Vote.objects.exists()


# Pages ---------------------------------------------------------------------------------------------------------

def test_set_up_an_exercise_through_the_pages(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    client = sign_in(hr_lead)
    url = reverse("consensus:exercise-new", args=[engagement.pk])
    assert client.get(url).status_code == 200
    small = client.post(url, {"question": "Scan or not?", "min_group_size": 3, "participants_may_write": "on"})
    assert small.status_code == 400 and "point at its members" in small.content.decode()
    assert not Exercise.objects.exists()
    made = client.post(url, {"question": "Scan or not?", "min_group_size": 5})
    exercise = Exercise.objects.get()
    assert made.status_code == 302 and made["Location"] == reverse("consensus:exercise", args=[exercise.pk])
    assert not exercise.participants_may_write
    add = reverse("consensus:statement-add", args=[exercise.pk])
    assert client.post(add, {"text": ""}).status_code == 400
    assert client.post(add, {"text": "Encryption must stay whole.", "another": "1"})["Location"] == add
    # One statement: opening is refused with the reason.
    refused = client.post(reverse("consensus:exercise-open", args=[exercise.pk]), follow=True)
    assert "at least 2 accepted statements" in refused.content.decode()
    client.post(add, {"text": "Children must be protected."})
    assert client.get(reverse("consensus:exercise-open", args=[exercise.pk])).status_code == 200  # asks first
    client.post(reverse("consensus:exercise-open", args=[exercise.pk]))
    exercise.refresh_from_db()
    assert exercise.status == ExerciseStatus.OPEN
    edit = reverse("consensus:exercise-edit", args=[exercise.pk])
    assert client.get(edit).status_code == 200
    assert client.post(edit, {"question": "", "min_group_size": 5}).status_code == 400
    client.post(reverse("consensus:exercise-close", args=[exercise.pk]))
    exercise.refresh_from_db()
    assert exercise.status == ExerciseStatus.CLOSED


def test_the_list_filters_by_status_and_engagement(hr_lead, sign_in):
    draft = make_exercise(hr_lead)
    opened = make_exercise(hr_lead, statements=2, opened=True)
    client = sign_in(hr_lead)
    page = client.get(reverse("consensus:exercises") + "?status=open").content.decode()
    assert opened.question in page and draft.question not in page
    page = client.get(reverse("consensus:exercises") + f"?engagement={draft.engagement_id}").content.decode()
    assert draft.question in page and opened.question not in page
    assert reverse("consensus:exercise-new", args=[draft.engagement_id]) in page
    assert client.get(reverse("consensus:exercises") + "?status=nonsense").status_code == 200


def test_moderate_with_one_click_from_the_queue(hr_lead, sign_in):
    exercise = make_exercise(hr_lead)
    statement = _participant_statement(exercise, text="Ask the users first.")
    client = sign_in(hr_lead)
    page = client.get(reverse("consensus:exercise", args=[exercise.pk])).content.decode()
    url = reverse("consensus:statement-moderate", args=[exercise.pk, statement.pk])
    assert url in page and "Ask the users first." in page
    assert client.post(url, {"moderation": "pending"}).status_code == 400
    assert client.post(url, {"moderation": "accepted"}).status_code == 302
    statement.refresh_from_db()
    assert statement.moderation == Moderation.ACCEPTED


def test_links_are_shown_once_with_a_qr_code_and_never_listed(hr_lead, sign_in):
    exercise = make_exercise(hr_lead)
    person = make_participation(hr_lead, exercise.engagement, make_stakeholder(hr_lead, name="Amina Odhiambo"))
    client = sign_in(hr_lead)
    url = reverse("consensus:participants-invite", args=[exercise.pk])
    form = client.get(url).content.decode()
    assert "Amina Odhiambo" in form
    assert client.post(url, {}).status_code == 400
    issued = client.post(url, {"participations": [person.pk], "link_only": 2})
    page = issued.content.decode()
    participants = list(exercise.participants.order_by("number"))
    assert issued.status_code == 200 and len(participants) == 3 and page.count("<svg") == 3
    for participant in participants:
        assert links.token_for(participant) in page
    detail = client.get(reverse("consensus:exercise", args=[exercise.pk])).content.decode()
    assert "Amina Odhiambo" in detail
    for participant in participants:
        assert links.token_for(participant) not in detail
    # Reissued: the new link is shown once, the old is dead.
    old = links.token_for(participants[1])
    reissue = reverse("consensus:link-reissue", args=[exercise.pk, participants[1].pk])
    assert client.get(reissue).status_code == 200
    again = client.post(reissue).content.decode()
    participants[1].refresh_from_db()
    assert links.token_for(participants[1]) in again and links.participant_for(old) is None
    revoke = reverse("consensus:link-revoke", args=[exercise.pk, participants[2].pk])
    assert client.post(revoke).status_code == 302
    participants[2].refresh_from_db()
    assert participants[2].link_revoked_at is not None
    free = reverse("consensus:link-free", args=[exercise.pk, participants[0].pk])
    assert client.post(free).status_code == 302


def test_record_a_room_on_one_form(hr_lead, sign_in):
    exercise = make_exercise(hr_lead, statements=2, opened=True)
    first, second = exercise.statements.order_by("number")
    client = sign_in(hr_lead)
    url = reverse("consensus:room", args=[exercise.pk])
    assert client.post(url, {"count": 0}).status_code == 400  # the form re-renders with the field error
    assert client.post(url, {"count": 3}).status_code == 302
    seats = list(exercise.participants.order_by("number"))
    assert [seat.channel for seat in seats] == [VoteChannel.ROOM] * 3
    page = client.get(url + f"?statement={first.number}").content.decode()
    assert f'name="vote_{seats[0].pk}"' in page
    recorded = client.post(url, {"statement": first.number, f"vote_{seats[0].pk}": "1",
                                 f"vote_{seats[1].pk}": "-1", f"vote_{seats[2].pk}": ""})
    assert recorded.status_code == 302 and recorded["Location"].endswith(f"?statement={second.number}")
    first.refresh_from_db()
    assert (first.agrees, first.disagrees, first.votes_count) == (1, 1, 2)
    assert client.post(url, {"statement": 999, f"vote_{seats[0].pk}": "1"}).status_code == 400
    assert client.post(url, {"statement": first.number, f"vote_{seats[0].pk}": "7"}).status_code == 400


def test_pages_of_another_organisation_are_not_found(hr_lead, outsider, sign_in):
    exercise = make_exercise(hr_lead, statements=2)
    client = sign_in(outsider)
    for name in ("exercise", "exercise-edit", "statement-add", "participants-invite", "room"):
        assert client.get(reverse(f"consensus:{name}", args=[exercise.pk])).status_code == 404
    assert client.get(reverse("consensus:exercise-new", args=[exercise.engagement_id])).status_code == 404


def test_readers_see_the_exercise_but_change_nothing(hr_lead, auditor, sign_in):
    exercise = make_exercise(hr_lead, statements=2)
    client = sign_in(auditor)
    page = client.get(reverse("consensus:exercise", args=[exercise.pk]))
    assert page.status_code == 200
    assert reverse("consensus:statement-add", args=[exercise.pk]) not in page.content.decode()
    assert client.post(reverse("consensus:statement-add", args=[exercise.pk]), {"text": "x"}).status_code == 403


def test_the_detail_page_reads_a_bounded_number_of_queries(hr_lead, sign_in, django_assert_max_num_queries):
    exercise = make_exercise(hr_lead, statements=2)
    people = [make_participation(hr_lead, exercise.engagement, make_stakeholder(hr_lead)) for _ in range(3)]
    actions.invite_participants(exercise=exercise, participations=people, by=hr_lead)
    actions.add_link_participants(exercise=exercise, count=120, by=hr_lead)
    actions.add_room_participants(exercise=exercise, count=10, by=hr_lead)
    for number in range(120):
        actions.add_statement(exercise=exercise, text=f"Statement {number}", by=hr_lead)
    for number in range(60):
        Statement.objects.create(exercise=exercise, number=1000 + number, text=f"Pending {number}")
    client = sign_in(hr_lead)
    url = reverse("consensus:exercise", args=[exercise.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        page = client.get(url + "?participants=2&statements=2")
    assert page.status_code == 200
    assert [p.number for p in page.context["participant_rows"]] == list(range(50, 100))
    assert [s.number for s in page.context["statements"]] == list(range(50, 100))
    assert page.context["participants"].paginator.num_pages == 3


# Safety ---------------------------------------------------------------------------------------------------------

def test_a_protected_participant_is_a_pseudonym_or_a_bare_number(hr_lead, admin, sign_in):
    exercise = make_exercise(hr_lead)
    proxy = make_stakeholder(hr_lead, name="Defenders Coalition", kind="proxy")
    person = make_stakeholder(hr_lead, name="Protected Person Name", safety_level="high")
    participation = make_participation(hr_lead, exercise.engagement, person, via_proxy=proxy)
    # hr_lead registered the person and holds a grant: the invite form and the page show the pseudonym.
    client = sign_in(hr_lead)
    form = client.get(reverse("consensus:participants-invite", args=[exercise.pk])).content.decode()
    assert pseudonym(person.pk) in form and "Protected Person Name" not in form
    actions.invite_participants(exercise=exercise, participations=[participation], by=hr_lead)
    detail = client.get(reverse("consensus:exercise", args=[exercise.pk])).content.decode()
    assert pseudonym(person.pk) in detail and "Protected Person Name" not in detail
    # The admin holds no grant: the participant is a number only, not even a pseudonym, and cannot be invited.
    other = sign_in(admin).get(reverse("consensus:exercise", args=[exercise.pk])).content.decode()
    assert pseudonym(person.pk) not in other and "Protected Person Name" not in other
    with pytest.raises(ValidationError):
        actions.invite_participants(exercise=make_exercise(hr_lead, engagement=exercise.engagement),
                                    participations=[participation], by=admin)


def test_the_engagement_page_leads_to_its_exercises_and_claims(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    page = sign_in(hr_lead).get(reverse("engagements:detail", args=[engagement.pk])).content.decode()
    assert f'{reverse("consensus:exercises")}?engagement={engagement.pk}' in page
    assert reverse("consensus:claims", args=[engagement.pk]) in page
