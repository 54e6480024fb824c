"""Who was heard (S2) through the API: the pages' figures for the same viewer, on a risk, a decision, an engagement."""

import copy
import json
import pickle

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.engagements.heard_api import heard_out
from rightsloop.engagements.representation import Tally
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_group, make_input, make_participation, make_relayed_input

pytestmark = pytest.mark.django_db

PROTECTED_WORDS = "Protected-Words-Marker-4471"


@pytest.fixture
def world(hr_lead):
    """Two voices of their own, a protected journalist heard directly (by override), a group heard through a proxy."""
    engagement = make_engagement(hr_lead)
    rider = make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"])
    scholar = make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"])
    journalist = make_stakeholder(hr_lead, name="Hidden Journalist", kind="affected", country="MM", languages=["my"],
                                  at_risk=["journalist"], safety_level="high")
    ngo = make_stakeholder(hr_lead, kind="proxy", country="KE", languages=["en"])
    group = make_group(hr_lead, ngo, name="Night-shift riders", countries=["KE", "UG"], languages=["sw", "lg"],
                       at_risk=["human_rights_defender"])
    riding = make_participation(hr_lead, engagement, rider)
    inputs = [make_input(hr_lead, engagement, riding) for _ in range(2)]
    inputs.append(make_input(hr_lead, engagement, make_participation(hr_lead, engagement, scholar)))
    speaking = make_participation(hr_lead, engagement, journalist, override_reason="Met at their request")
    inputs.append(make_input(hr_lead, engagement, speaking, text=PROTECTED_WORDS))
    inputs += [make_relayed_input(hr_lead, engagement, ngo, group) for _ in range(2)]
    risk = make_risk(hr_lead, markets=["KE", "BR"])
    risk_actions.link_inputs(target=risk, inputs=inputs, by=hr_lead)
    decision = risk_actions.create_strategic_decision(plan=risk_actions.DecisionPlan(
        title="Enter Brazil", category="market_entry", risks=[risk], engagements=[engagement]), by=hr_lead)
    return {"engagement": engagement, "risk": risk, "decision": decision, "journalist": journalist}


def _places(world) -> list[tuple[str, str]]:
    """(page, API operation) pairs showing who was heard on the same thing."""
    e, r, d = world["engagement"].pk, world["risk"].pk, world["decision"].pk
    return [(f"/engagements/{e}/", f"/api/v1/engagements/{e}/heard"), (f"/risks/{r}/", f"/api/v1/risks/{r}/heard"),
            (f"/risks/decisions/{d}/", f"/api/v1/strategic-decisions/{d}/heard")]


@pytest.mark.parametrize("role", ["hr_lead", "admin", "auditor"])
def test_the_api_gives_the_pages_figures_for_the_same_viewer(world, role, request, sign_in, api):
    viewer = request.getfixturevalue(role)
    page, bearer = sign_in(viewer), api(viewer)
    for page_url, api_url in _places(world):
        response = bearer.get(api_url)
        assert response.status_code == 200, (api_url, response.content)
        shown = page.get(page_url)
        assert shown.status_code == 200, page_url
        assert response.json() == json.loads(json.dumps(heard_out(shown.context["heard"], viewer))), api_url


def test_codes_stand_beside_translated_labels_and_groups_heard_through_a_proxy_count(world, hr_lead, api):
    body = api(hr_lead).get(f"/api/v1/engagements/{world['engagement'].pk}/heard").json()
    assert (body["inputs"], body["voices"], body["unattributed_inputs"]) == (6, 3, 0)
    assert body["breakdowns"] is True
    assert {row["code"]: row["count"] for row in body["by_kind"]} == {"affected": 2, "expert": 1}
    assert {"code": "expert", "label": "Expert stakeholder", "count": 1} in body["by_kind"]
    assert {row["code"]: row["count"] for row in body["by_language"]} == {"sw": 1, "fr": 1, "my": 1}
    assert [row["code"] for row in body["by_at_risk"]] == ["journalist"]
    assert body["global_south"] == {"yes": 2, "no": 1, "unknown": 0}
    assert all(row["code"] and row["label"] for row in body["by_region"])
    groups = body["through_proxy"]
    assert (groups["groups"], groups["inputs"]) == (1, 2)
    assert groups["by_region"] == [{"code": "002", "label": "Africa", "count": 1}]
    assert {row["code"] for row in groups["by_language"]} == {"sw", "lg"}
    assert groups["by_at_risk"] == [{"code": "human_rights_defender", "label": "Human rights defender", "count": 1}]
    assert groups["global_south"] == {"yes": 1, "no": 0, "unknown": 0}
    assert "countries" not in groups and "languages" not in groups


def test_labels_and_gaps_follow_the_requests_language_and_codes_do_not(world, hr_lead, api):
    client = api(hr_lead)
    risk = make_risk(hr_lead, markets=["JP"])
    risk_actions.link_inputs(target=risk, inputs=list(world["engagement"].inputs.all()), by=hr_lead)
    url = f"/api/v1/risks/{risk.pk}/heard"
    english = client.get(url).json()
    spanish = client.get(url, headers={"HTTP_ACCEPT_LANGUAGE": "es"}).json()
    assert [row["code"] for row in english["by_kind"]] == [row["code"] for row in spanish["by_kind"]]
    assert {row["label"] for row in english["by_kind"]} != {row["label"] for row in spanish["by_kind"]}
    assert english["gaps"][0] == "No voices from the markets concerned (JP)."
    assert len(spanish["gaps"]) == len(english["gaps"]) and spanish["gaps"][0] != english["gaps"][0]


def test_a_member_without_a_grant_learns_nothing_of_the_protected_speaker(world, admin, hr_lead, sign_in, api):
    bearer = api(admin)
    for page_url, api_url in _places(world):
        response = bearer.get(api_url)
        body, text = response.json(), response.content.decode()
        # The journalist's input counts, as one without a speaker the admin may know of; nothing else of them.
        assert (body["inputs"], body["voices"], body["unattributed_inputs"]) == (6, 2, 1), api_url
        assert body["by_at_risk"] == [] and "my" not in {row["code"] for row in body["by_language"]}
        assert "MM" not in text and "Burmese" not in text and "Hidden Journalist" not in text
        assert PROTECTED_WORDS not in text and "journalist" not in text
        assert body["global_south"] == {"yes": 1, "no": 1, "unknown": 0}
        assert sign_in(admin).get(page_url).context["heard"].voices == body["voices"]
    # One who holds a grant on her is told of her, as on the page.
    assert api(hr_lead).get(_places(world)[1][1]).json()["voices"] == 3


def test_the_board_gets_the_totals_notes_and_gaps_its_pages_show(world, board, admin, api):
    client = api(board)
    for _page_url, api_url in _places(world)[1:]:
        body, full = client.get(api_url).json(), api(admin).get(api_url).json()
        assert body["breakdowns"] is False and body["voices"] == 2
        assert (body["inputs"], body["gaps"], body["notes"]) == (full["inputs"], full["gaps"], full["notes"])
        assert all(body[name] is None for name in ("by_kind", "by_region", "global_south", "by_language",
                                                   "by_at_risk", "top_share"))
        assert body["through_proxy"]["groups"] == 1 and body["through_proxy"]["by_at_risk"] is None
    # The board has no engagement pages: an engagement is not found, as for any id it may not see.
    assert client.get(_places(world)[0][1]).status_code == 404


def test_foreign_and_missing_ids_are_not_found(world, outsider, hr_lead, decision_maker, api):
    stranger = api(outsider)
    for _page_url, api_url in _places(world):
        assert stranger.get(api_url).status_code == 404, api_url
        missing = api_url.replace("/heard", "").rsplit("/", 1)[0] + "/999999/heard"
        assert api(hr_lead).get(missing).status_code == 404, missing
    assert api(decision_maker).get(_places(world)[0][1]).status_code == 404


def test_reading_who_was_heard_takes_a_bounded_number_of_queries(world, hr_lead, api,
                                                                   django_assert_max_num_queries):
    client = api(hr_lead)
    before = {}
    for _page_url, api_url in _places(world):
        with CaptureQueriesContext(connection) as queries:
            client.get(api_url)
        before[api_url] = len(queries.captured_queries)
        assert before[api_url] <= 11, api_url  # a decision reads its inputs' ids once (risks.queries)
    engagement = world["engagement"]
    for number in range(10):
        person = make_stakeholder(hr_lead, country=["KE", "BR", "IN"][number % 3], languages=["pt", "hi"])
        make_input(hr_lead, engagement, make_participation(hr_lead, engagement, person))
    risk_actions.link_inputs(target=world["risk"], inputs=list(engagement.inputs.all()), by=hr_lead)
    # Ten more speakers in three more countries: not one query more.
    for _page_url, api_url in _places(world):
        with django_assert_max_num_queries(before[api_url]):
            assert client.get(api_url).json()["voices"] == 13


def test_a_tally_reads_as_the_pages_pair_and_keeps_its_code_when_copied():
    tally = Tally("expert", "Expert stakeholder", 2)
    assert tally == ("Expert stakeholder", 2) and dict([tally]) == {"Expert stakeholder": 2}
    for copied in (copy.deepcopy(tally), pickle.loads(pickle.dumps(tally))):  # noqa: S301 (our own bytes)
        assert copied == tally and copied.code == "expert"
