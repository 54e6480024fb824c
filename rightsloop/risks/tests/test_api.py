import datetime
import json

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.risks import actions
from rightsloop.risks.models import ContextEvent, Mitigation, Risk, RiskChange, StrategicDecision
from rightsloop.risks.tests.factories import make_mitigation, make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

RISK = {
    "title": "Location data handed to police", "product": "Messenger", "involvement": "contribute",
    "scale": 5, "scope": 3, "irremediability": 4, "likelihood": 2, "review_on": "2027-03-01",
    "rights": ["privacy", "freedom_of_expression"], "markets": ["ke", "UG"],
}


def test_rights_taxonomy(hr_lead, api):
    response = api(hr_lead).get("/api/v1/rights")
    assert response.status_code == 200
    body = response.json()
    codes = {right["code"]: right for right in body["rights"]}
    assert body["version"] and "privacy" in codes and codes["privacy"]["name"].startswith("Privacy")
    assert "UDHR 12" in codes["privacy"]["sources"]
    assert codes["freedom_of_expression"]["groupings"] == ["expression"]
    groupings = {grouping["code"]: grouping for grouping in body["groupings"]}
    assert "child_rights" in groupings["child_rights"]["rights"]


def test_register_a_risk_and_read_it_ranked(hr_lead, api):
    client = api(hr_lead)
    mild = make_risk(hr_lead, scale=1, scope=1, irremediability=1, likelihood=5)
    created = client.post("/api/v1/risks", RISK)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["severity"], body["priority"], body["severe"]) == (12, 122, True)
    assert body["rights"] == ["freedom_of_expression", "privacy"] and body["markets"] == ["KE", "UG"]
    assert body["rank"] == 1 and body["owner_id"] == hr_lead.user.pk
    assert client.get(f"/api/v1/risks/{mild.pk}").json()["rank"] == 2
    listed = client.get("/api/v1/risks").json()
    assert [item["id"] for item in listed["items"]] == [body["id"], mild.pk]
    assert [item["rank"] for item in listed["items"]] == [1, 2]
    assert listed["count"] == 2


@pytest.mark.parametrize("change,field", [
    ({"scale": 0}, "scale"), ({"likelihood": 6}, "likelihood"), ({"rights": ["right_to_wifi"]}, "rights"),
    ({"rights": []}, "rights"), ({"markets": ["XX"]}, "markets"), ({"involvement": "enables"}, "involvement"),
    ({"title": ""}, "title"), ({"review_on": "soon"}, "review_on"), ({"owner_id": 999999}, "owner_id"),
])
def test_bad_risks_answer_400_with_details_and_save_nothing(hr_lead, api, change, field):
    response = api(hr_lead).post("/api/v1/risks", {**RISK, **change})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Risk.objects.exists()


def test_change_a_risk_keeps_history(hr_lead, admin, api):
    risk = make_risk(hr_lead, likelihood=2)
    client = api(hr_lead)
    assert client.patch(f"/api/v1/risks/{risk.pk}", {"likelihood": 4}).status_code == 400  # no reason
    refused = client.patch(f"/api/v1/risks/{risk.pk}", {"likelihood": 9, "reason": "x"})
    assert refused.status_code == 400 and "likelihood" in refused.json()["errors"]
    unknown = client.patch(f"/api/v1/risks/{risk.pk}", {"rights": ["nope"], "reason": "x"})
    assert unknown.status_code == 400 and "rights" in unknown.json()["errors"]
    assert Risk.objects.get(pk=risk.pk).likelihood == 2
    changed = client.patch(f"/api/v1/risks/{risk.pk}", {"likelihood": 4, "owner_id": admin.user.pk,
                                                         "reason": "New reports from Nairobi"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["likelihood"] == 4 and changed.json()["owner_id"] == admin.user.pk
    assert changed.json()["rights"] == ["privacy"]  # untouched fields stay
    history = client.get(f"/api/v1/risks/{risk.pk}/history").json()["items"]
    assert history[0]["reason"] == "New reports from Nairobi"
    assert (history[0]["before"]["likelihood"], history[0]["after"]["likelihood"]) == (2, 4)
    assert "likelihood" in history[0]["changed_fields"] and len(history) == 2


def test_list_filters(hr_lead, api):
    severe = make_risk(hr_lead, scale=5, scope=5, irremediability=5, likelihood=1, rights=["life"], markets=["UG"])
    make_risk(hr_lead, product="Payments")
    client = api(hr_lead)
    assert [r["id"] for r in client.get("/api/v1/risks", {"severe": "true"}).json()["items"]] == [severe.pk]
    assert [r["id"] for r in client.get("/api/v1/risks", {"right": "life"}).json()["items"]] == [severe.pk]
    assert [r["id"] for r in client.get("/api/v1/risks", {"market": "ug"}).json()["items"]] == [severe.pk]
    assert client.get("/api/v1/risks", {"product": "payments"}).json()["count"] == 1
    # Severity 15 at likelihood 1: the board owns it, as severity comes first.
    assert [r["id"] for r in client.get("/api/v1/risks", {"level": "board"}).json()["items"]] == [severe.pk]
    assert client.get("/api/v1/risks", {"level": "castle"}).status_code == 400


def test_lists_take_a_fixed_number_of_queries(hr_lead, api):
    client = api(hr_lead)
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))

    def counts():
        risk = make_risk(hr_lead, rights=["privacy", "life"], markets=["KE", "UG"])
        make_mitigation(hr_lead, risk)
        actions.link_inputs(target=risk, inputs=[make_input(hr_lead, engagement, participation)], by=hr_lead)
        decision = actions.create_strategic_decision(plan=actions.DecisionPlan(
            title="Enter", category="market_entry", risks=[risk], engagements=[engagement]), by=hr_lead)
        actions.record_context_event(title="Law", kind="new_law", occurred_on=datetime.date(2026, 1, 1),
                                     countries_touched=["KE"], by=hr_lead)
        found = {}
        for url in ("/api/v1/risks", "/api/v1/strategic-decisions", "/api/v1/context-events",
                    f"/api/v1/risks/{risk.pk}/mitigations", f"/api/v1/risks/{risk.pk}/inputs",
                    f"/api/v1/strategic-decisions/{decision.pk}"):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            found[url.split("/")[3]] = len(queries)
        return found

    first = counts()
    for _ in range(3):
        counts()
    assert counts() == first


def test_mitigations(hr_lead, decision_maker, board, api):
    risk = make_risk(hr_lead)
    client = api(hr_lead)
    missing = client.post(f"/api/v1/risks/{risk.pk}/mitigations", {"action": "None possible",
                                                                   "status": "cannot_mitigate"})
    assert missing.status_code == 400
    assert {"reason", "remedy_plan"} <= set(missing.json()["errors"])
    assert not Mitigation.objects.exists()
    added = client.post(f"/api/v1/risks/{risk.pk}/mitigations", {
        "action": "Limit retention", "owner_id": decision_maker.user.pk, "due_on": "2027-01-01"})
    assert added.status_code == 201 and added.json()["status"] == "planned"
    mid = added.json()["id"]
    assert [m["id"] for m in client.get(f"/api/v1/risks/{risk.pk}/mitigations").json()] == [mid]
    # The owner may change their own mitigation; the board may not.
    unexplained = api(decision_maker).patch(f"/api/v1/mitigations/{mid}", {"status": "in_progress"})
    assert unexplained.status_code == 400 and "why" in unexplained.json()["errors"]
    own = api(decision_maker).patch(f"/api/v1/mitigations/{mid}", {"status": "in_progress", "why": "Work began"})
    assert own.status_code == 200 and own.json()["status"] == "in_progress"
    assert own.json()["action"] == "Limit retention" and own.json()["due_on"] == "2027-01-01"
    assert api(board).patch(f"/api/v1/mitigations/{mid}", {"status": "done"}).status_code == 403
    bad = client.patch(f"/api/v1/mitigations/{mid}", {"status": "not_mitigated"})
    assert bad.status_code == 400 and "remedy_plan" in bad.json()["errors"]
    assert Mitigation.objects.get(pk=mid).status == "in_progress"


def test_input_links_from_both_sides(hr_lead, board, auditor, api):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk)
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, name="Amina Yusuf"))
    said = make_input(hr_lead, engagement, participation, text="They read our messages")
    other = make_input(hr_lead, engagement, participation, text="Second input")
    decision = actions.create_strategic_decision(plan=actions.DecisionPlan(title="Enter", category="market_entry"),
                                                 by=hr_lead)
    client = api(hr_lead)
    linked = client.post(f"/api/v1/risks/{risk.pk}/inputs", {"input_ids": [said.pk, other.pk]})
    assert linked.status_code == 200 and linked.json() == {"changed": 2, "input_ids": [said.pk, other.pk]}
    assert client.post(f"/api/v1/risks/{risk.pk}/inputs", {"input_ids": [said.pk]}).json()["changed"] == 0
    inputs = client.get(f"/api/v1/risks/{risk.pk}/inputs").json()["items"]
    assert [i["text"] for i in inputs] == ["They read our messages", "Second input"]
    # The board sees the risk but none of what people said.
    board_view = api(board).get(f"/api/v1/risks/{risk.pk}/inputs")
    assert board_view.status_code == 200 and board_view.json()["items"] == []
    assert "Amina" not in board_view.content.decode()
    assert api(board).get(f"/api/v1/inputs/{said.pk}/links").status_code == 404
    unlinked = client.client.delete(
        f"/api/v1/risks/{risk.pk}/inputs", data=json.dumps({"input_ids": [other.pk]}), content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert unlinked.status_code == 200 and unlinked.json()["input_ids"] == [said.pk]
    # From the input's side.
    from_input = client.post(f"/api/v1/inputs/{other.pk}/links", {
        "risk_ids": [risk.pk], "mitigation_ids": [mitigation.pk], "decision_ids": [decision.pk]})
    assert from_input.status_code == 200 and from_input.json()["changed"] == 3
    links = api(auditor).get(f"/api/v1/inputs/{other.pk}/links").json()
    assert ([r["id"] for r in links["risks"]], [m["id"] for m in links["mitigations"]],
            [d["id"] for d in links["decisions"]]) == ([risk.pk], [mitigation.pk], [decision.pk])
    assert api(auditor).post(f"/api/v1/inputs/{other.pk}/links", {"risk_ids": [risk.pk]}).status_code == 403
    assert client.post(f"/api/v1/inputs/{other.pk}/links", {}).status_code == 400
    assert AuditEntry.objects.filter(action="inputs.linked").count() == 4


def test_decisions_are_blocked_until_the_steps_are_done(hr_lead, api):
    severe = make_risk(hr_lead, scale=5, scope=5, irremediability=4, likelihood=2)
    Risk.objects.filter(pk=severe.pk).update(owner_level="executive")  # below the board: the team may take it
    engagement = make_engagement(hr_lead)
    client = api(hr_lead)
    created = client.post("/api/v1/strategic-decisions", {
        "title": "Change the business model", "category": "business_model", "risk_ids": [severe.pk],
        "engagement_ids": [engagement.pk]})
    assert created.status_code == 201, created.content
    did = created.json()["id"]
    assert created.json()["risk_ids"] == [severe.pk] and "risk_picture" in created.json()["blockers"]
    refused = client.post(f"/api/v1/strategic-decisions/{did}/decide")
    assert refused.status_code == 400
    assert {"risk_picture", "mitigation_plan", "remedy_plan", "communication"} <= set(refused.json()["errors"])
    steps = {"risk_picture": "Surveillance demands likely", "mitigation_plan": "Cannot be mitigated fully",
             "remedy_plan": "Fund legal aid", "communication": "formal_report",
             "communication_plan": "Annual report", "communication_is_safe": True, "outcome": "no_go"}
    assert client.patch(f"/api/v1/strategic-decisions/{did}", steps).status_code == 200
    blocked = client.post(f"/api/v1/strategic-decisions/{did}/decide")
    assert blocked.status_code == 400 and "risks" in blocked.json()["errors"]
    assert StrategicDecision.objects.get(pk=did).status == "draft"
    make_mitigation(hr_lead, severe, status="cannot_mitigate", reason="State demand",
                    remedy_plan="Legal aid fund")
    decided = client.post(f"/api/v1/strategic-decisions/{did}/decide")
    assert decided.status_code == 200 and decided.json()["status"] == "decided"
    assert decided.json()["blockers"] == {}
    assert client.patch(f"/api/v1/strategic-decisions/{did}", {"title": "Later"}).status_code == 400
    assert client.get("/api/v1/strategic-decisions", {"status": "decided"}).json()["count"] == 1
    assert client.post("/api/v1/strategic-decisions", {"title": "X", "category": "lunch"}).status_code == 400


def test_context_events_flag_mitigations(hr_lead, api, django_capture_on_commit_callbacks):
    risk = make_risk(hr_lead, markets=["KE"])
    mitigation = make_mitigation(hr_lead, risk)
    client = api(hr_lead)
    with django_capture_on_commit_callbacks(execute=True):
        recorded = client.post("/api/v1/context-events", {
            "title": "New surveillance law", "kind": "new_law", "occurred_on": "2026-11-01", "countries": ["KE"]})
    assert recorded.status_code == 201, recorded.content
    assert recorded.json()["flagged_mitigation_ids"] == [mitigation.pk]
    assert Mitigation.objects.get(pk=mitigation.pk).needs_reassessment
    assert len(mail.outbox) == 1
    bad = client.post("/api/v1/context-events", {"title": "x", "kind": "new_law", "occurred_on": "2026-11-01",
                                                 "countries": ["XX"]})
    assert bad.status_code == 400 and "countries" in bad.json()["errors"]
    assert client.get("/api/v1/context-events").json()["count"] == ContextEvent.objects.count() == 1


@pytest.mark.parametrize("role", ["board", "auditor", "decision_maker"])
def test_read_only_roles_cannot_write(role, request, hr_lead, api):
    viewer = request.getfixturevalue(role)
    risk = make_risk(hr_lead)
    decision = actions.create_strategic_decision(plan=actions.DecisionPlan(title="D", category="market_entry"),
                                                 by=hr_lead)
    client = api(viewer)
    assert client.get("/api/v1/risks").status_code == 200
    assert client.get(f"/api/v1/risks/{risk.pk}").status_code == 200
    for method, url, body in [
        ("post", "/api/v1/risks", RISK),
        ("patch", f"/api/v1/risks/{risk.pk}", {"likelihood": 5, "reason": "x"}),
        ("post", f"/api/v1/risks/{risk.pk}/mitigations", {"action": "x"}),
        ("post", "/api/v1/strategic-decisions", {"title": "X", "category": "market_entry"}),
        ("patch", f"/api/v1/strategic-decisions/{decision.pk}", {"title": "X"}),
        ("post", f"/api/v1/strategic-decisions/{decision.pk}/decide", {}),
        ("post", "/api/v1/context-events", {"title": "x", "kind": "new_law", "occurred_on": "2026-01-01",
                                            "countries": ["KE"]}),
    ]:
        assert getattr(client, method)(url, body).status_code == 403, (method, url)
    assert Risk.objects.count() == 1 and RiskChange.objects.count() == 1
    assert StrategicDecision.objects.get(pk=decision.pk).title == "D"


def test_other_organisations_ids_are_not_found(hr_lead, outsider, api):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk)
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
    decision = actions.create_strategic_decision(plan=actions.DecisionPlan(title="D", category="market_entry"),
                                                 by=hr_lead)
    event = actions.record_context_event(title="E", kind="new_law", occurred_on=datetime.date(2026, 1, 1),
                                         countries_touched=["KE"], by=hr_lead)
    client = api(outsider)
    for url in (f"/api/v1/risks/{risk.pk}", f"/api/v1/risks/{risk.pk}/history",
                f"/api/v1/risks/{risk.pk}/mitigations", f"/api/v1/risks/{risk.pk}/inputs",
                f"/api/v1/inputs/{item.pk}/links", f"/api/v1/strategic-decisions/{decision.pk}",
                f"/api/v1/context-events/{event.pk}"):
        assert client.get(url).status_code == 404, url
    assert client.patch(f"/api/v1/risks/{risk.pk}", {"reason": "x", "likelihood": 1}).status_code == 404
    assert client.patch(f"/api/v1/mitigations/{mitigation.pk}", {"status": "done"}).status_code == 404
    assert client.post(f"/api/v1/strategic-decisions/{decision.pk}/decide").status_code == 404
    # Another organisation's ids in a body are unknown too, and nothing is linked.
    own_risk = make_risk(outsider)
    assert client.post(f"/api/v1/risks/{own_risk.pk}/inputs", {"input_ids": [item.pk]}).status_code == 404
    assert client.post("/api/v1/strategic-decisions", {"title": "X", "category": "market_entry",
                                                       "risk_ids": [risk.pk]}).status_code == 404
    assert not own_risk.inputs.exists()
    assert client.get("/api/v1/risks").json()["items"][0]["id"] == own_risk.pk
    assert client.get("/api/v1/strategic-decisions").json()["count"] == 0


def test_list_filters_by_family_of_rights(hr_lead, api):
    speech = make_risk(hr_lead, rights=["freedom_of_expression"])
    make_risk(hr_lead, rights=["privacy"])
    client = api(hr_lead)
    listed = client.get("/api/v1/risks", {"grouping": "expression"})
    assert listed.status_code == 200
    assert [row["id"] for row in listed.json()["items"]] == [speech.pk]
    unknown = client.get("/api/v1/risks", {"grouping": "made_up"})
    assert unknown.status_code == 400 and "grouping" in unknown.content.decode()
