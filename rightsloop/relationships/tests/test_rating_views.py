"""Staff pages of relationship quality and the portal's rating form."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.portal.testing import open_portal
from rightsloop.relationships.models import Rating, RatingRound, Relationship
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .rating_factories import answer, make_round

pytestmark = pytest.mark.django_db


def test_the_ratings_page_draws_the_trend_and_says_when_a_group_is_too_small(hr_lead, sign_in,
                                                                              django_assert_max_num_queries):
    people = [make_stakeholder(hr_lead, kind="expert") for _ in range(6)] + [make_stakeholder(hr_lead, kind="proxy")]
    round = make_round(hr_lead, people)
    for person in people:
        answer(round, person, trust=2 if person.kind == "proxy" else 4)
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("relationships:ratings"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in page and "as a table" in page
    assert "fewer than 5 answers" in page
    assert "Relationships that need attention" in page  # the proxy's low rating, for the lead


def test_the_ratings_page_query_count_does_not_grow_with_rounds_or_flags(hr_lead, sign_in,
                                                                         django_assert_max_num_queries):
    people = [make_stakeholder(hr_lead) for _ in range(5)]
    for n in range(4):
        round = make_round(hr_lead, people, title=f"Round {n}")
        for person in people:
            answer(round, person, trust=1)
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("relationships:ratings")).status_code == 200


def test_open_a_round_from_the_page_and_bad_input_saves_nothing(hr_lead, sign_in):
    person = make_stakeholder(hr_lead)
    client = sign_in(hr_lead)
    bad = client.post(reverse("relationships:rating-round-create"), {
        "title": "Round", "opens_on": "2030-05-02", "closes_on": "2030-05-01", "stakeholder_ids": str(person.pk)})
    assert bad.status_code == 400 and not RatingRound.objects.exists()
    bad = client.post(reverse("relationships:rating-round-create"), {
        "title": "Round", "opens_on": "2030-05-01", "closes_on": "2030-05-09", "stakeholder_ids": "12, abc"})
    assert bad.status_code == 400 and not RatingRound.objects.exists()
    foreign = make_stakeholder(make_member(make_organisation("Elsewhere"), Role.HR_LEAD))
    bad = client.post(reverse("relationships:rating-round-create"), {
        "title": "Round", "opens_on": "2030-05-01", "closes_on": "2030-05-09",
        "stakeholder_ids": f"{person.pk}, {foreign.pk}"})
    assert bad.status_code == 400 and "stakeholder_ids" in bad.context["form"].errors
    assert not RatingRound.objects.exists()
    good = client.post(reverse("relationships:rating-round-create"), {
        "title": "Round", "opens_on": "2030-05-01", "closes_on": "2030-05-09", "stakeholder_ids": f"{person.pk}"})
    round = RatingRound.objects.get()
    assert good.status_code == 302 and good.url == reverse("relationships:rating-round", args=[round.pk])
    assert client.get(good.url).status_code == 200


def test_record_an_offline_answer_and_a_bad_score_re_renders(hr_lead, sign_in):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    client = sign_in(hr_lead)
    url = reverse("relationships:rating-record", args=[round.pk, person.pk])
    scores = {"trust": "4", "influence": "3", "burden": "5", "usefulness": "4", "safety": "4"}
    assert client.post(url, {**scores, "trust": "9"}).status_code == 400
    assert not Rating.objects.exists()
    assert client.post(url, {**scores, "comment": "By phone"}).status_code == 302
    rating = Rating.objects.get()
    assert rating.recorded_by == hr_lead.user and rating.comment == "By phone"


def test_a_stakeholders_own_ratings_page_is_for_the_owner_and_the_lead_only(organisation, hr_lead, admin, sign_in):
    owner = make_member(organisation, Role.ADMIN)
    person = make_stakeholder(hr_lead)
    Relationship.objects.create(organisation=organisation, stakeholder=person, owner=owner.user)
    answer(make_round(hr_lead, [person]), person, trust=2, comment="Too slow")
    url = reverse("relationships:stakeholder-ratings", args=[person.pk])
    for viewer in (hr_lead, owner):
        response = sign_in(viewer).get(url)
        assert response.status_code == 200 and "Too slow" in response.content.decode()
    assert sign_in(admin).get(url).status_code == 404


def test_the_round_page_never_lists_people_to_someone_who_may_not_see_their_ratings(hr_lead, admin, sign_in):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    page = sign_in(admin).get(reverse("relationships:rating-round", args=[round.pk])).content.decode()
    assert person.name not in page
    assert person.name in sign_in(hr_lead).get(reverse("relationships:rating-round", args=[round.pk])).content.decode()


def test_only_an_administrator_sets_the_smallest_group(admin, hr_lead, sign_in, organisation):
    assert sign_in(hr_lead).post(reverse("relationships:rating-settings"), {"smallest_group": "7"}).status_code == 403
    client = sign_in(admin)
    bad = client.post(reverse("relationships:rating-settings"), {"smallest_group": "1"})
    assert bad.status_code == 400 and "errorlist" in bad.content.decode()
    assert client.post(reverse("relationships:rating-settings"), {"smallest_group": "7"}).status_code == 302
    organisation.refresh_from_db()
    assert organisation.rating_settings.smallest_group == 7


# The portal --------------------------------------------------------------------------------------------

def test_a_stakeholder_rates_in_the_portal_without_javascript(hr_lead, django_assert_max_num_queries):
    person = make_stakeholder(hr_lead, preferred_language="es", languages=["es"])
    round = make_round(hr_lead, [person])
    client = Client()
    open_portal(client, person)
    with django_assert_max_num_queries(15):
        index = client.get(reverse("portal:ratings:index"))
    assert index.status_code == 200 and round.title in index.content.decode()
    form = client.get(reverse("portal:ratings:answer", args=[round.pk]))
    page = form.content.decode()
    assert "<script" not in page and 'type="radio"' in page and len(form.content) < 50_000
    assert 'lang="es"' in page
    bad = client.post(reverse("portal:ratings:answer", args=[round.pk]), {"trust": "0"})
    assert bad.status_code == 400 and not Rating.objects.exists()
    scores = {"trust": "2", "influence": "3", "burden": "4", "usefulness": "4", "safety": "5", "comment": "Hola"}
    done = client.post(reverse("portal:ratings:answer", args=[round.pk]), scores)
    assert done.status_code == 302 and done.url == reverse("portal:ratings:thanks", args=[round.pk])
    rating = Rating.objects.get()
    assert (rating.trust, rating.comment, rating.language, rating.recorded_by) == (2, "Hola", "es", None)
    again = client.get(reverse("portal:ratings:answer", args=[round.pk])).content.decode()
    assert re.search(r'value="2"[^>]*checked', again)


def test_the_portal_answers_404_for_someone_elses_round(hr_lead, outsider):
    person, other = make_stakeholder(hr_lead), make_stakeholder(hr_lead)
    theirs = make_round(hr_lead, [other])
    foreign = make_round(outsider, [make_stakeholder(outsider)])
    mine = make_round(hr_lead, [person])
    answer(mine, person)
    client = Client()
    open_portal(client, person)
    for round in (theirs, foreign):
        assert client.get(reverse("portal:ratings:answer", args=[round.pk])).status_code == 404
        assert client.post(reverse("portal:ratings:answer", args=[round.pk]), {}).status_code == 404
        assert client.get(reverse("portal:ratings:thanks", args=[round.pk])).status_code == 404
    assert not Rating.objects.filter(round__in=[theirs, foreign]).exists()


def test_the_portal_shows_past_answers_and_nothing_without_a_session(hr_lead):
    person = make_stakeholder(hr_lead)
    round = make_round(hr_lead, [person])
    answer(round, person, trust=3)
    from rightsloop.relationships import ratings

    ratings.close_round(viewer=hr_lead, round=round)
    client = Client()
    assert client.get(reverse("portal:ratings:index")).status_code == 403
    open_portal(client, person)
    page = client.get(reverse("portal:ratings:index")).content.decode()
    assert "Your earlier answers" in page and "3 / 5" in page
