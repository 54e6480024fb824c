"""The ratings API: rounds, ratings with the page's visibility rules, the trend with small groups hidden."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.relationships.models import Rating, RatingInvitation, RatingRound
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .rating_factories import answer, make_round

pytestmark = pytest.mark.django_db


def test_open_read_and_close_a_round(hr_lead, api):
    person = make_stakeholder(hr_lead)
    client = api(hr_lead)
    today = timezone.localdate()
    created = client.post("/api/v1/rating-rounds", {
        "title": "2026", "opens_on": str(today), "closes_on": str(today + datetime.timedelta(days=9)),
        "stakeholder_ids": [person.pk]})
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["state"], body["invited"], body["answered"]) == ("open", 1, 0)
    assert client.get(f"/api/v1/rating-rounds/{body['id']}").json()["title"] == "2026"
    assert [r["id"] for r in client.get("/api/v1/rating-rounds").json()] == [body["id"]]
    closed = client.post(f"/api/v1/rating-rounds/{body['id']}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert client.post(f"/api/v1/rating-rounds/{body['id']}/close").status_code == 400


def test_bad_rounds_answer_400_and_save_nothing(hr_lead, api):
    person = make_stakeholder(hr_lead)
    client = api(hr_lead)
    for body in ({"title": "", "opens_on": "2030-01-01", "closes_on": "2030-01-02"},
                 {"title": "x", "opens_on": "2030-01-05", "closes_on": "2030-01-02", "stakeholder_ids": [person.pk]},
                 {"title": "x", "opens_on": "2030-01-01", "closes_on": "2030-01-02", "stakeholder_ids": [10**20]},
                 {"title": "x", "opens_on": "2030-01-01", "closes_on": "2030-01-02"}):
        assert client.post("/api/v1/rating-rounds", body).status_code == 400
    assert not RatingRound.objects.exists()


def test_ids_of_another_organisation_or_a_hidden_person_answer_400_naming_the_field(hr_lead, admin, outsider,
                                                                                     api):
    person = make_stakeholder(hr_lead)
    foreign = make_stakeholder(outsider)
    hidden = make_stakeholder(admin, safety_level="high", safe_channels=["in_person"])
    client = api(hr_lead)
    for unknown in (foreign, hidden):
        refused = client.post("/api/v1/rating-rounds", {
            "title": "x", "opens_on": "2030-01-01", "closes_on": "2030-01-02",
            "stakeholder_ids": [person.pk, unknown.pk]})
        assert refused.status_code == 400, refused.content
        assert list(refused.json()["errors"]) == ["stakeholder_ids"]
        assert hidden.name not in refused.content.decode()
    assert not RatingRound.objects.exists() and not RatingInvitation.objects.exists()


def test_record_on_behalf_and_a_rating_outside_1_to_5_is_400(hr_lead, api):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    client = api(hr_lead)
    body = {"round_id": round.pk, "stakeholder_id": person.pk, "trust": 6, "influence": 3, "burden": 3,
            "usefulness": 3, "safety": 3}
    bad = client.post("/api/v1/ratings", body)
    assert bad.status_code == 400 and "trust" in str(bad.json())
    assert client.post("/api/v1/ratings", {**body, "trust": 0}).status_code == 400
    assert not Rating.objects.exists()
    good = client.post("/api/v1/ratings", {**body, "trust": 1, "comment": "Said on the phone"})
    assert good.status_code == 201, good.content
    assert (good.json()["given_offline"], good.json()["flag"]) == (True, "low")


def test_ratings_list_follows_the_visibility_rules(hr_lead, admin, auditor, api, outsider):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    answer(round, person, comment="Fine")
    listed = api(hr_lead).get("/api/v1/ratings").json()
    assert [item["comment"] for item in listed["items"]] == ["Fine"]
    assert api(admin).get("/api/v1/ratings").json()["items"] == []
    assert api(auditor).get("/api/v1/ratings").json()["items"] == []
    assert api(outsider).get("/api/v1/ratings").json()["items"] == []
    assert api(outsider).get(f"/api/v1/rating-rounds/{round.pk}").status_code == 404
    body = {"round_id": round.pk, "stakeholder_id": person.pk, "trust": 3, "influence": 3, "burden": 3,
            "usefulness": 3, "safety": 3}
    assert api(admin).post("/api/v1/ratings", body).status_code == 404  # not their relationship
    assert api(auditor).post("/api/v1/ratings", body).status_code == 403


def test_the_trend_hides_small_groups(hr_lead, api):
    people = [make_stakeholder(hr_lead, kind="expert") for _ in range(5)] + [make_stakeholder(hr_lead, kind="proxy")]
    round = make_round(hr_lead, people)
    for person in people:
        answer(round, person)
    trend = api(hr_lead).get("/api/v1/ratings/trend").json()
    assert trend["smallest_group"] == 5
    entry = trend["rounds"][0]
    assert entry["overall"]["count"] == 6 and entry["overall"]["averages"]["trust"] == 4
    kinds = {group["code"]: group["cell"] for group in entry["by_kind"]}
    assert kinds["proxy"] == {"count": None, "hidden": True, "averages": dict.fromkeys(trend["dimensions"])}
    assert kinds["expert"]["hidden"] is True  # hidden too, or the proxy is the total minus the experts
