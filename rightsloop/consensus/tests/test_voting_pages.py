"""The voting page reached by a signed link (/vote/<token>/) and the portal's exercises section."""

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from rightsloop.engagements.models import Input
from rightsloop.engagements.tests.factories import make_participation
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.tests.factories import make_stakeholder

from ..actions.exercises import reissue_link, revoke_link
from ..models import AnalysisRun, Exercise, ExerciseResult, Participant, Statement, Vote
from ..views.voting import DEVICE_COOKIE
from ..vocabulary import ExerciseStatus, Moderation, ResultKind, RunState, VoteChannel
from .factories_voting import make_exercise, make_statement, make_voter

pytestmark = pytest.mark.django_db

MAX_BYTES = 50 * 1024


@pytest.fixture
def exercise(hr_lead):
    return make_exercise(hr_lead, description="Both sides heard the same evidence on client-side scanning.")


def _url(token: str, name: str = "vote") -> str:
    return reverse(f"consensus-public:{name}", args=[token])


def _light(response) -> str:
    """The page works on a slow phone without JavaScript: small, no script, a document language and direction."""
    body = response.content.decode()
    assert len(response.content) < MAX_BYTES
    assert "<script" not in body.lower() and " on" + "click=" not in body.lower()
    assert re.search(r'<html lang="[a-z-]+" dir="(ltr|rtl)">', body)
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    return body


def test_the_page_shows_one_statement_with_three_plain_buttons(exercise):
    _participant, token = make_voter(exercise)
    response = Client().get(_url(token))
    assert response.status_code == 200
    body = _light(response)
    assert exercise.question in body and "Both sides heard" in body
    assert body.count('name="value"') == 3 and body.count('<form method="post"') == 2
    assert "You have voted on 0 of 3 statements." in body
    assert "Write your own statement" in body
    assert 'dir="ltr"' in body and 'lang="en"' in body


def test_the_page_speaks_the_stakeholders_arabic_right_to_left(exercise, hr_lead):
    stakeholder = make_stakeholder(hr_lead, preferred_language="ar", languages=["ar"], country="EG")
    participation = make_participation(hr_lead, exercise.engagement, stakeholder)
    _participant, token = make_voter(exercise, participation=participation)
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get(_url(token))
    body = _light(response)
    assert '<html lang="ar" dir="rtl">' in body
    assert response["Content-Language"] == "ar"


def test_a_link_only_voter_gets_the_browsers_language(exercise):
    _participant, token = make_voter(exercise)
    body = _light(Client(HTTP_ACCEPT_LANGUAGE="ar").get(_url(token)))
    assert '<html lang="ar" dir="rtl">' in body


def test_a_vote_is_posted_and_the_next_statement_follows(exercise):
    participant, token = make_voter(exercise)
    client = Client(enforce_csrf_checks=False)
    shown = int(re.search(r'name="statement" value="(\d+)"', client.get(_url(token)).content.decode())[1])
    response = client.post(_url(token), {"statement": shown, "value": "-1"})
    assert response.status_code == 303 and response["Location"] == _url(token)
    vote = Vote.objects.get(participant=participant)
    assert (vote.statement.number, vote.value, vote.channel) == (shown, -1, VoteChannel.LINK)
    page = client.get(_url(token)).content.decode()
    assert "You have voted on 1 of 3 statements." in page
    assert f'name="statement" value="{shown}"' not in page


def test_the_first_vote_binds_the_link_to_the_device(exercise):
    participant, token = make_voter(exercise)
    phone, other = Client(), Client()
    # Viewing (a messaging app's preview) binds nothing.
    assert other.get(_url(token)).status_code == 200
    response = phone.post(_url(token), {"statement": 0, "value": "1"})
    assert response.status_code == 303
    cookie = response.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["path"] == "/vote/" and int(cookie["max-age"]) > 300 * 24 * 3600
    participant.refresh_from_db()
    assert participant.device_hash == hashlib.sha256(cookie.value.encode()).hexdigest()
    # The same phone goes on; another device is told, and votes nothing.
    assert phone.post(_url(token), {"statement": 1, "value": "1"}).status_code == 303
    refused = other.get(_url(token))
    assert refused.status_code == 403
    assert "already in use on another device" in refused.content.decode()
    assert other.post(_url(token), {"statement": 2, "value": "1"}).status_code == 403
    assert other.post(_url(token, "write"), {"text": "Mine."}).status_code == 403
    assert Vote.objects.filter(participant=participant).count() == 2


def test_a_freed_link_can_be_taken_by_a_new_device(exercise):
    participant, token = make_voter(exercise)
    Client().post(_url(token), {"statement": 0, "value": "1"})
    Participant.objects.filter(pk=participant.pk).update(device_hash="")
    new_phone = Client()
    assert new_phone.post(_url(token), {"statement": 1, "value": "1"}).status_code == 303
    assert new_phone.get(_url(token)).status_code == 200


@pytest.mark.parametrize("token", ["nonsense", "x" * 500, ".eJwrSC0qzs-zUsrJT0osUirRSsrPzytJLS4pVrIyNLC0tDA",
                                   "a.b:c"])
def test_a_link_that_is_not_genuine_answers_a_clear_404(token):
    response = Client().get(f"/vote/{token}/")
    assert response.status_code == 404
    assert "This voting link does not work" in response.content.decode()


def test_a_reissued_or_revoked_link_is_dead(exercise, hr_lead):
    participant, old_token = make_voter(exercise)
    Client().post(_url(old_token), {"statement": 0, "value": "1"})
    issued = reissue_link(participant=participant, by=hr_lead)
    dead = Client().get(_url(old_token))
    assert dead.status_code == 404 and "This voting link does not work" in dead.content.decode()
    new_token = issued.url.rstrip("/").rsplit("/", 1)[-1]
    # Any device may take the new link (the binding was reset).
    assert Client().get(_url(new_token)).status_code == 200
    revoke_link(participant=participant, by=hr_lead)
    assert Client().get(_url(new_token)).status_code == 404
    assert Client().post(_url(new_token), {"statement": 1, "value": "1"}).status_code == 404
    assert Vote.objects.filter(participant=participant).count() == 1


@pytest.mark.parametrize("data", [{"statement": 0, "value": "2"}, {"statement": 0}, {"value": "1"},
                                  {"statement": 99, "value": "1"}, {"statement": "x", "value": "1"}])
def test_a_bad_vote_re_renders_the_page_with_a_message(exercise, data):
    _participant, token = make_voter(exercise)
    response = Client().post(_url(token), data)
    assert response.status_code == 400
    assert 'role="alert"' in _light(response)
    assert not Vote.objects.exists()


def test_a_vote_on_a_rejected_statement_is_refused(exercise):
    _participant, token = make_voter(exercise)
    pending = make_statement(exercise, "Still awaiting the facilitator.", moderation=Moderation.PENDING)
    response = Client().post(_url(token), {"statement": pending.number, "value": "1"})
    assert response.status_code == 400 and "awaiting moderation" in response.content.decode()
    assert not Vote.objects.exists()


def test_a_participant_writes_a_statement(exercise):
    participant, token = make_voter(exercise)
    client = Client()
    response = client.post(_url(token, "write"), {"text": "  Publish the scanner's error rates. "})
    assert response.status_code == 303 and response["Location"] == _url(token) + "?written=1"
    statement = Statement.objects.get(author=participant)
    assert (statement.text, statement.moderation) == ("Publish the scanner's error rates.", Moderation.PENDING)
    assert "once the facilitator has read it" in client.get(response["Location"]).content.decode()
    too_long = client.post(_url(token, "write"), {"text": "z" * 1001})
    assert too_long.status_code == 400 and "at most 1000 characters" in too_long.content.decode()
    assert client.get(_url(token, "write")).status_code == 405


def test_no_writing_form_where_only_the_facilitator_writes(exercise):
    Exercise.objects.filter(pk=exercise.pk).update(participants_may_write=False)
    _participant, token = make_voter(exercise)
    client = Client()
    assert "Write your own statement" not in client.get(_url(token)).content.decode()
    assert client.post(_url(token, "write"), {"text": "Let me write."}).status_code == 400
    assert not Statement.objects.filter(author__isnull=False).exists()


def _turn_into_input(hr_lead, exercise) -> ExerciseResult:
    run = AnalysisRun.objects.create(exercise=exercise, state=RunState.DONE, results={"groups": []})
    item = Input(organisation=exercise.organisation, engagement=exercise.engagement, recorded_by=hr_lead.user)
    item.text = "Common ground: no scanning without an independent audit."
    item.save()
    return ExerciseResult.objects.create(run=run, statement=exercise.statements.first(),
                                         kind=ResultKind.CONSENSUS_AGREE, input=item)


def test_a_closed_exercise_says_so_and_shows_what_became_of_it(exercise, hr_lead):
    _participant, token = make_voter(exercise)
    _turn_into_input(hr_lead, exercise)
    Exercise.objects.filter(pk=exercise.pk).update(status=ExerciseStatus.CLOSED)
    response = Client().get(_url(token))
    body = _light(response)
    assert "This exercise is closed" in body and 'name="value"' not in body
    assert "What became of it" in body and exercise.statements.first().text in body
    assert "Not decided yet" in body
    assert Client().post(_url(token), {"statement": 0, "value": "1"}).status_code == 400


def test_a_draft_exercise_is_not_open_yet(hr_lead):
    exercise = make_exercise(hr_lead, status=ExerciseStatus.DRAFT)
    _participant, token = make_voter(exercise)
    body = _light(Client().get(_url(token)))
    assert "not open for votes yet" in body and 'name="value"' not in body


def test_when_every_statement_is_voted_the_page_says_so(exercise):
    _participant, token = make_voter(exercise)
    client = Client()
    for number in range(3):
        client.post(_url(token), {"statement": number, "value": "0"})
    assert "You have voted on every statement so far" in client.get(_url(token)).content.decode()


def test_the_page_reads_a_bounded_number_of_queries(hr_lead, django_assert_max_num_queries):
    small, big = make_exercise(hr_lead, statements=2), make_exercise(hr_lead, statements=60)
    for exercise in (small, big):
        _participant, token = make_voter(exercise)
        client = Client()
        client.post(_url(token), {"statement": 1, "value": "1"})
        # The participant, the next statement, the progress, the outcomes, the organisation; and the session that
        # keeps the CSRF token (read, and written on a first visit).
        with django_assert_max_num_queries(9):
            assert client.get(_url(token)).status_code == 200
        with django_assert_max_num_queries(6):
            assert client.get(_url(token)).status_code == 200


# The portal ------------------------------------------------------------------------------------------------------

@pytest.fixture
def portal_voter(exercise, hr_lead):
    stakeholder = make_stakeholder(hr_lead, email="amina@example.net")
    make_participation(hr_lead, exercise.engagement, stakeholder)
    client = Client()
    open_portal(client, stakeholder)
    return client, stakeholder


def test_the_portal_lists_the_stakeholders_exercises_and_takes_votes(exercise, hr_lead, portal_voter):
    client, stakeholder = portal_voter
    make_exercise(hr_lead, question="Another engagement's question?")
    make_exercise(hr_lead, engagement=exercise.engagement, status=ExerciseStatus.DRAFT, question="Draft question?")
    listing = client.get(reverse("portal:exercises:index")).content.decode()
    assert exercise.question in listing
    assert "Another engagement" not in listing and "Draft question" not in listing
    page = client.get(reverse("portal:exercises:vote", args=[exercise.pk]))
    assert page.status_code == 200 and page.content.decode().count('name="value"') == 3
    assert not Participant.objects.exists()  # a visit creates nobody
    response = client.post(reverse("portal:exercises:vote", args=[exercise.pk]), {"statement": 2, "value": "1"})
    assert response.status_code == 303
    vote = Vote.objects.get()
    assert vote.channel == VoteChannel.PORTAL and vote.participant.participation.stakeholder == stakeholder
    assert vote.participant.channel == VoteChannel.PORTAL
    written = client.post(reverse("portal:exercises:write", args=[exercise.pk]), {"text": "Ask the children too."})
    assert written.status_code == 303
    assert Statement.objects.get(author=vote.participant).moderation == Moderation.PENDING
    assert Participant.objects.count() == 1


def test_the_portal_refuses_an_exercise_the_stakeholder_is_not_in(hr_lead, portal_voter):
    client, _stakeholder = portal_voter
    elsewhere = make_exercise(hr_lead)
    assert client.get(reverse("portal:exercises:vote", args=[elsewhere.pk])).status_code == 404
    assert client.post(reverse("portal:exercises:vote", args=[elsewhere.pk]),
                       {"statement": 0, "value": "1"}).status_code == 404
    assert not Vote.objects.exists()


def test_the_portal_section_needs_a_portal_session(exercise, hr_lead, sign_in):
    assert sign_in(hr_lead).get(reverse("portal:exercises:vote", args=[exercise.pk])).status_code == 403
    assert Client().get(reverse("portal:exercises:index")).status_code == 403
