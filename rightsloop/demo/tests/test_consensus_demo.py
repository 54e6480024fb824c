"""The demo's consensus building (E5): child safety and privacy advocates on scanning Kestrel Chat, their claims
side by side and weighed by the decision, and an exercise whose analysis finds two opinion groups, common ground
and what divides them, three findings turned into inputs and the participants able to read what became of them."""

import pytest

from rightsloop.accounts.models import Membership
from rightsloop.accounts.viewer import Viewer
from rightsloop.consensus import links
from rightsloop.consensus.models import Claim, Exercise, ExerciseResult
from rightsloop.consensus.vocabulary import Moderation, RunState
from rightsloop.demo import consensus as demo
from rightsloop.demo import content

pytestmark = pytest.mark.django_db


def _viewer(username: str) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
        user__username=username, organisation__slug=content.ORGANISATION_SLUG))


def test_the_exercise_finds_two_groups_common_ground_and_a_divide(loaded_demo):
    exercise = Exercise.objects.get(question=demo.QUESTION)
    assert exercise.is_open and exercise.participants.count() == len(demo.PARTICIPANTS) + demo.LINK_ONLY
    moderation = sorted(exercise.statements.exclude(is_seed=True).values_list("moderation", flat=True))
    assert moderation == sorted([Moderation.ACCEPTED, Moderation.META, Moderation.PENDING])
    run = exercise.runs.get(state=RunState.DONE)
    found = run.results
    assert found["k"] == 2 and all(group["shown"] for group in found["groups"])
    texts = {statement.number: statement.text for statement in exercise.statements.all()}
    common = {texts[item["statement"]] for item in found["consensus"]["agree"]}
    assert demo.STATEMENTS[0][0] in common or demo.STATEMENTS[1][0] in common
    divisive = {texts[item["statement"]] for item in found["divisive"]}
    assert demo.STATEMENTS[4][0] in divisive  # scanning on the phone splits the camps
    results = ExerciseResult.objects.filter(run=run).select_related("input")
    assert results.count() == 3 and sum(1 for result in results if result.input.outcome) == 2


def test_claims_sit_side_by_side_and_the_decision_weighs_them(loaded_demo, sign_in):
    claims = Claim.objects.filter(decision__title=demo.DECISION_TITLE)
    assert {claim.side for claim in claims} == {demo.PRIVACY, demo.CHILD_SAFETY}
    assert claims.filter(holder_group__isnull=False).exists() and claims.filter(weighings__isnull=False).count() == 2
    amina = sign_in(_viewer(content.HR_LEAD))
    engagement = claims.first().engagement
    page = amina.get(f"/consensus/engagements/{engagement.pk}/claims/").content.decode()
    assert demo.PRIVACY in page and demo.CHILD_SAFETY in page and "Ligtas Kabataan Online Foundation" in page
    decision = claims.first().decision
    assert "Weighed against scanning now" in amina.get(f"/risks/decisions/{decision.pk}/").content.decode()


def test_the_results_page_and_a_participants_voting_page(loaded_demo, sign_in, client):
    exercise = Exercise.objects.get(question=demo.QUESTION)
    amina = sign_in(_viewer(content.HR_LEAD))
    page = amina.get(f"/consensus/exercises/{exercise.pk}/results/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    voter = exercise.participants.exclude(link_nonce="").filter(participation__isnull=True).first()
    vote_page = client.get(f"/vote/{links.token_for(voter)}/")
    body = vote_page.content.decode()
    assert vote_page.status_code == 200 and "<script" not in body and len(vote_page.content) < 50_000
    assert demo.QUESTION in body and "One-tap reporting" in body  # what became of it, decided already
