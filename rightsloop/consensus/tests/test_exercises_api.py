"""The facilitator's API of an exercise: the same actions behind JSON, 400 with field messages, 404 for what is not
yours, links in the answer that made them and never in a list."""

from __future__ import annotations

import pytest

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .. import links
from ..actions import exercises as actions
from ..models import Exercise, Participant, Statement, Vote
from ..vocabulary import ExerciseStatus, Moderation
from .factories_exercises import make_exercise

pytestmark = pytest.mark.django_db
BASE = "/api/v1/consensus/exercises"


def test_create_read_update_open_close(hr_lead, api):
    client = api(hr_lead)
    engagement = make_engagement(hr_lead)
    risk = make_risk(hr_lead)
    made = client.post(BASE, {"engagement_id": engagement.pk, "question": "Scan on the phone?", "risk_id": risk.pk})
    assert made.status_code == 201, made.json()
    body = made.json()
    assert body["status"] == "draft" and body["risk_id"] == risk.pk and body["min_group_size"] == 5
    pk = body["id"]
    assert client.get(f"{BASE}/{pk}").json()["question"] == "Scan on the phone?"
    assert [e["id"] for e in client.get(BASE, {"status": "draft"}).json()["items"]] == [pk]
    assert client.get(BASE, {"status": "open"}).json()["items"] == []
    patched = client.patch(f"{BASE}/{pk}", {"description": "Both sides.", "risk_id": None})
    assert patched.status_code == 200 and patched.json()["risk_id"] is None
    assert patched.json()["question"] == "Scan on the phone?"
    refused = client.post(f"{BASE}/{pk}/open")
    assert refused.status_code == 400 and "at least 2 accepted statements" in str(refused.json())
    for text in ("Encryption must stay whole.", "Children must be protected."):
        assert client.post(f"{BASE}/{pk}/statements", {"text": text}).status_code == 201
    assert client.post(f"{BASE}/{pk}/open").json()["status"] == "open"
    assert client.post(f"{BASE}/{pk}/close").json()["status"] == "closed"
    assert client.post(f"{BASE}/{pk}/close").status_code == 400


@pytest.mark.parametrize("body,field", [
    ({"min_group_size": 4}, "min_group_size"), ({"question": ""}, "question"), ({"language": "zz-zz"}, "language"),
    ({"risk_id": 987654}, "risk_id"), ({"engagement_id": "x"}, "engagement_id"),
])
def test_bad_input_is_a_400_naming_the_field(hr_lead, api, body, field):
    engagement = make_engagement(hr_lead)
    response = api(hr_lead).post(BASE, {"engagement_id": engagement.pk, "question": "Scan?", **body})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Exercise.objects.exists()


def test_the_smallest_group_error_says_why(hr_lead, api):
    response = api(hr_lead).post(BASE, {"engagement_id": make_engagement(hr_lead).pk, "question": "Scan?",
                                        "min_group_size": 3})
    assert "point at its members" in response.json()["errors"]["min_group_size"][0]


def test_another_organisations_ids_are_not_found(hr_lead, outsider, api):
    exercise = make_exercise(hr_lead, statements=2)
    statement = exercise.statements.first()
    (issued,) = actions.add_link_participants(exercise=exercise, count=1, by=hr_lead)
    client = api(outsider)
    assert client.get(f"{BASE}/{exercise.pk}").status_code == 404
    assert client.patch(f"{BASE}/{exercise.pk}", {"question": "Mine"}).status_code == 404
    assert client.post(f"{BASE}/{exercise.pk}/open").status_code == 404
    assert client.get(f"{BASE}/{exercise.pk}/participants").status_code == 404
    assert client.post(f"{BASE}/{exercise.pk}/statements/{statement.pk}/moderation",
                       {"moderation": "rejected"}).status_code == 404
    assert client.post(f"{BASE}/{exercise.pk}/participants/{issued.participant.pk}/reissue").status_code == 404
    assert client.post(BASE, {"engagement_id": exercise.engagement_id, "question": "Q"}).status_code == 404
    own = make_exercise(outsider)
    assert api(hr_lead).get(f"{BASE}/{own.pk}").status_code == 404
    assert client.get(BASE).json()["items"] == [{**client.get(f"{BASE}/{own.pk}").json()}]


def test_statements_list_and_moderation(hr_lead, api):
    exercise = make_exercise(hr_lead, statements=2)
    author = Participant.objects.create(exercise=exercise, number=7)
    pending = Statement.objects.create(exercise=exercise, number=2, text="Ask users.", author=author)
    client = api(hr_lead)
    listed = client.get(f"{BASE}/{exercise.pk}/statements", {"moderation": "pending"}).json()["items"]
    assert [(s["number"], s["author_number"], s["is_seed"]) for s in listed] == [(2, 7, False)]
    url = f"{BASE}/{exercise.pk}/statements/{pending.pk}/moderation"
    assert client.post(url, {"moderation": "pending"}).status_code == 400
    assert client.post(url, {"moderation": "maybe"}).status_code == 400
    moderated = client.post(url, {"moderation": "meta"})
    assert moderated.status_code == 200 and moderated.json()["moderation"] == Moderation.META
    assert client.post(f"{BASE}/{exercise.pk}/statements", {"text": ""}).status_code == 400
    assert client.post(f"{BASE}/{exercise.pk}/statements", {"text": "x" * 1001}).status_code == 400


def test_links_are_in_the_answer_that_made_them_and_never_in_a_list(hr_lead, api):
    exercise = make_exercise(hr_lead)
    person = make_participation(hr_lead, exercise.engagement, make_stakeholder(hr_lead, name="Wanjiru Kamau"))
    client = api(hr_lead)
    invited = client.post(f"{BASE}/{exercise.pk}/participants", {"participation_ids": [person.pk]})
    assert invited.status_code == 201 and invited.json()[0]["number"] == 0
    made = client.post(f"{BASE}/{exercise.pk}/link-participants", {"count": 2})
    assert made.status_code == 201 and [row["number"] for row in made.json()] == [1, 2]
    urls = [row["url"] for row in invited.json() + made.json()]
    listed = client.get(f"{BASE}/{exercise.pk}/participants")
    text = listed.content.decode()
    for participant in exercise.participants.all():
        assert links.token_for(participant) not in text
    assert not any(url in text for url in urls)
    rows = listed.json()["items"]
    assert [(r["number"], r["name"], r["link"]) for r in rows] == [
        (0, "Wanjiru Kamau", "unused"), (1, None, "unused"), (2, None, "unused")]
    first = exercise.participants.get(number=1)
    reissued = client.post(f"{BASE}/{exercise.pk}/participants/{first.pk}/reissue")
    assert reissued.status_code == 200 and reissued.json()["url"] != urls[1]
    old_token = urls[1].rstrip("/").rsplit("/", 1)[-1]
    assert links.participant_for(old_token) is None
    assert client.post(f"{BASE}/{exercise.pk}/participants/{first.pk}/free").json()["link"] == "unused"
    assert client.post(f"{BASE}/{exercise.pk}/participants/{first.pk}/revoke").json()["link"] == "revoked"
    stranger = make_participation(hr_lead, make_engagement(hr_lead), make_stakeholder(hr_lead))
    refused = client.post(f"{BASE}/{exercise.pk}/participants", {"participation_ids": [stranger.pk]})
    assert refused.status_code == 400 and "participation_ids" in refused.json()["errors"]
    assert client.post(f"{BASE}/{exercise.pk}/link-participants", {"count": 0}).status_code == 400
    assert set(AuditEntry.objects.filter(action__startswith="exercise.link").values_list("action", flat=True)) == {
        "exercise.link_reissued", "exercise.link_revoked"}


def test_a_protected_participant_is_named_by_pseudonym_or_not_at_all(hr_lead, admin, api):
    exercise = make_exercise(hr_lead)
    proxy = make_stakeholder(hr_lead, name="Defenders Coalition", kind="proxy")
    person = make_stakeholder(hr_lead, name="Protected Person Name", safety_level="high")
    participation = make_participation(hr_lead, exercise.engagement, person, via_proxy=proxy)
    actions.invite_participants(exercise=exercise, participations=[participation], by=hr_lead)
    granted = api(hr_lead).get(f"{BASE}/{exercise.pk}/participants").json()["items"]
    assert granted[0]["name"] == pseudonym(person.pk)
    other = api(admin).get(f"{BASE}/{exercise.pk}/participants")
    assert other.json()["items"][0]["name"] is None and other.json()["items"][0]["participation_id"] is None
    assert "Protected Person Name" not in other.content.decode() and pseudonym(person.pk) not in other.content.decode()


def test_record_a_rooms_votes(hr_lead, api):
    exercise = make_exercise(hr_lead, statements=2, opened=True)
    statement = exercise.statements.first()
    client = api(hr_lead)
    seated = client.post(f"{BASE}/{exercise.pk}/room-participants", {"count": 2})
    assert seated.status_code == 201 and [(r["number"], r["channel"]) for r in seated.json()] == [
        (0, "room"), (1, "room")]
    a, b = (row["number"] for row in seated.json())
    url = f"{BASE}/{exercise.pk}/room-votes"
    recorded = client.post(url, {"statement_id": statement.pk, "votes": [{"participant": a, "value": 1},
                                                                          {"participant": b, "value": -1}]})
    assert recorded.status_code == 200 and recorded.json() == {"recorded": 2}
    client.post(url, {"statement_id": statement.pk, "votes": [{"participant": b, "value": 1}]})
    statement.refresh_from_db()
    assert (statement.agrees, statement.disagrees, statement.votes_count) == (2, 0, 2)
    bad = [{"statement_id": statement.pk, "votes": [{"participant": a, "value": 2}]},
           {"statement_id": statement.pk, "votes": [{"participant": 987654, "value": 1}]},
           {"statement_id": 987654, "votes": [{"participant": a, "value": 1}]},
           {"statement_id": statement.pk, "votes": []}]
    for body in bad:
        assert client.post(url, body).status_code == 400, body
    assert Vote.objects.count() == 2


def test_readers_may_read_but_not_change(hr_lead, auditor, api):
    exercise = make_exercise(hr_lead, statements=2)
    client = api(auditor)
    assert client.get(f"{BASE}/{exercise.pk}").status_code == 200
    assert client.post(f"{BASE}/{exercise.pk}/open").status_code == 403
    exercise.refresh_from_db()
    assert exercise.status == ExerciseStatus.DRAFT
