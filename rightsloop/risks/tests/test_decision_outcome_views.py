"""Pages and API of a decision's outcome, conditions and board sign-off (issue "decisions")."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.risks import actions, decision_actions
from rightsloop.risks.models import DecisionCondition, StrategicDecision
from rightsloop.risks.tests.factories import make_mitigation, make_risk, past_the_gate
from rightsloop.risks.tests.test_decision_outcomes import LATER, at_level, fresh, prepare
from rightsloop.risks.vocabulary import OwnerLevel

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
MARKER = "Taken against a severe risk that cannot be mitigated"


def board_decision(hr_lead, **fields):
    risk = at_level(make_risk(hr_lead, title="Surveillance of journalists"), OwnerLevel.BOARD)
    return prepare(hr_lead, risks=[risk], **fields)


# Pages ---------------------------------------------------------------------

def test_the_form_records_the_outcome_and_the_page_says_what_is_awaited_and_from_whom(hr_lead, board, sign_in):
    decision = board_decision(hr_lead, outcome="")
    client = sign_in(hr_lead)
    page = client.get(f"/risks/decisions/{decision.pk}/edit/").content.decode()
    assert "What was decided" in page and 'name="outcome"' in page and 'name="deferred_to"' in page
    data = {name: getattr(decision, name) for name in actions.PLAN_TEXT if getattr(decision, name) not in (None, "")}
    data.update(communication_is_safe="on", risks=[r.pk for r in decision.risks.all()], outcome="deferred",
                markets="KE")
    refused = client.post(f"/risks/decisions/{decision.pk}/edit/", {**data, "outcome": "maybe"})
    assert refused.status_code == 400 and "outcome" in refused.context["form"].errors
    assert client.post(f"/risks/decisions/{decision.pk}/edit/", {**data, "deferred_to": LATER.isoformat()}
                       ).status_code == 302
    assert (fresh(decision).outcome, fresh(decision).deferred_to) == ("deferred", LATER)
    past_the_gate(decision)  # naming Kenya voided the override prepare() gave: Kenya was not heard
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Mark decided and put to the board" in page and "cannot take it alone" in page
    assert client.post(f"/risks/decisions/{decision.pk}/decide/").status_code == 302
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Awaiting the sign-off of one of:" in page and board.user.display_name in page
    assert 'id="sign-off"' not in page  # the team sees what is awaited, but may not sign
    assert client.post(f"/risks/decisions/{decision.pk}/sign-off/", {"comment": "ok"}).status_code == 403


def test_a_board_member_signs_off_on_the_page_with_a_comment(hr_lead, board, sign_in):
    decision = board_decision(hr_lead, outcome="go_with_conditions")
    decision_actions.add_condition(decision=decision, text="Independent audit first", owner=hr_lead.user,
                                   due_on=LATER, by=hr_lead)
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    client = sign_in(board)
    home = client.get("/").content.decode()
    assert "Awaiting your sign-off" in home and decision.title in home
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert 'id="sign-off"' in page and "Independent audit first" in page
    empty = client.post(f"/risks/decisions/{decision.pk}/sign-off/", {"comment": ""})
    assert empty.status_code == 400 and "This field is required" in empty.content.decode()
    assert fresh(decision).status == "awaiting_board"
    done = client.post(f"/risks/decisions/{decision.pk}/sign-off/", {"comment": "Agreed once the audit is done."})
    assert done.status_code == 302 and fresh(decision).status == "decided"
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert f"Signed off by {board.user.display_name}, board member" in page and "Agreed once the audit" in page
    assert "No decision awaits the board." in client.get("/").content.decode()
    # Once taken, signing again is refused with the reason, not an error page.
    again = client.post(f"/risks/decisions/{decision.pk}/sign-off/", {"comment": "Again"})
    assert again.status_code == 400 and "not awaiting a board sign-off" in again.content.decode()


def test_a_board_member_declines_on_the_page(hr_lead, board, sign_in):
    decision = board_decision(hr_lead)
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    response = sign_in(board).post(f"/risks/decisions/{decision.pk}/decline/", {"comment": "Audit first."})
    assert response.status_code == 302 and fresh(decision).status == "draft"
    page = sign_in(hr_lead).get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Declined by" in page and "Audit first." in page


def test_conditions_are_added_and_closed_on_pages_and_their_owner_may_close_theirs(hr_lead, organisation, sign_in):
    owner = make_member(organisation, Role.DECISION_MAKER)
    risk = at_level(make_risk(hr_lead), OwnerLevel.TEAM)
    decision = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
    client = sign_in(hr_lead)
    assert client.get(f"/risks/decisions/{decision.pk}/conditions/new/").status_code == 200
    bad = client.post(f"/risks/decisions/{decision.pk}/conditions/new/", {"text": "Audit", "owner": owner.user.pk})
    assert bad.status_code == 400 and "due_on" in bad.context["form"].errors
    added = client.post(f"/risks/decisions/{decision.pk}/conditions/new/", {
        "text": "Audit of data requests", "owner": owner.user.pk,
        "due_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert added.status_code == 302
    condition = DecisionCondition.objects.get()
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert "Overdue" in client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Audit of data requests" in client.get("/").content.decode()  # overdue on the dashboard
    # The owner records the outcome; the text they cannot change (the field is disabled).
    owner_client = sign_in(owner)
    url = f"/risks/decisions/conditions/{condition.pk}/edit/"
    no_note = owner_client.post(url, {"status": "not_met"})
    assert no_note.status_code == 400 and "note" in no_note.context["form"].errors
    assert owner_client.post(url, {"status": "met", "text": "Something else"}).status_code == 302
    condition.refresh_from_db()
    assert (condition.status, condition.text, condition.closed_by) == ("met", "Audit of data requests", owner.user)
    someone = make_member(organisation, Role.DECISION_MAKER)
    assert sign_in(someone).get(url).status_code == 403
    assert AuditEntry.objects.filter(action="decision_condition.changed").count() == 1


def test_the_marker_shows_wherever_the_decision_is_listed(hr_lead, board, sign_in, api):
    risk = at_level(make_risk(hr_lead, title="Surveillance", scale=5, scope=5, irremediability=4), OwnerLevel.BOARD)
    make_mitigation(hr_lead, risk, status="cannot_mitigate", reason="The licence requires interception.",
                    remedy_plan="Legal aid through a local bar association.")
    decision = prepare(hr_lead, risks=[risk], outcome="go", remedy_plan="Remedy fund of 2 million.")
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    decision_actions.sign_off_decision(decision=decision, comment="We accept the risk.", by=board)
    client = sign_in(hr_lead)
    for url in ("/risks/decisions/", f"/risks/{risk.pk}/", "/"):
        page = client.get(url).content.decode()
        assert MARKER in page and "Remedy fund of 2 million." in page, url
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert MARKER in page and "Legal aid through a local bar association." in page
    listed = api(hr_lead).get("/api/v1/strategic-decisions", {"against_severe_risk": True}).json()
    assert [item["id"] for item in listed["items"]] == [decision.pk] and listed["items"][0]["against_severe_risk"]
    one = api(hr_lead).get(f"/api/v1/strategic-decisions/{decision.pk}").json()
    assert one["severe_risks_without_mitigation"] == [{
        "risk_id": risk.pk, "title": "Surveillance", "remedy_plans": ["Legal aid through a local bar association."]}]
    assert one["remedy_plan"] == "Remedy fund of 2 million."


def test_the_list_reads_a_fixed_number_of_queries(hr_lead, sign_in, django_assert_max_num_queries):
    risk = at_level(make_risk(hr_lead, scale=5, scope=5, irremediability=4), OwnerLevel.TEAM)
    make_mitigation(hr_lead, risk, status="cannot_mitigate", reason="r", remedy_plan="p")
    client = sign_in(hr_lead)
    for number in range(3):
        decision = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
        decision_actions.add_condition(decision=decision, text=f"c{number}", owner=hr_lead.user, due_on=LATER,
                                       by=hr_lead)
    client.get("/risks/decisions/")
    with django_assert_max_num_queries(12) as few:
        client.get("/risks/decisions/")
    for _ in range(10):
        prepare(hr_lead, risks=[risk], outcome="go")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/risks/decisions/").content.decode().count(MARKER) == 13


# API -----------------------------------------------------------------------

def test_the_api_records_outcome_conditions_and_the_board_sign_off(hr_lead, board, api):
    risk = at_level(make_risk(hr_lead), OwnerLevel.BOARD)
    team = api(hr_lead)
    created = team.post("/api/v1/strategic-decisions", {
        "title": "Enter market X", "category": "business_model", "risk_ids": [risk.pk], "outcome": "go_with_conditions",
        "risk_picture": "x", "mitigation_plan": "x", "remedy_plan": "x", "communication": "formal_report",
        "communication_plan": "x", "communication_is_safe": True, "no_engagement_reason": "x"})
    assert created.status_code == 201, created.content
    did = created.json()["id"]
    assert created.json()["blockers"] == {"conditions": created.json()["blockers"]["conditions"]}
    assert created.json()["board_sign_off_needed"] is True
    assert team.post(f"/api/v1/strategic-decisions/{did}/conditions", {"text": "Audit"}).status_code == 400
    assert team.post(f"/api/v1/strategic-decisions/{did}/conditions", {
        "text": "Audit", "due_on": LATER.isoformat(), "owner_id": 10**6}).status_code == 400
    added = team.post(f"/api/v1/strategic-decisions/{did}/conditions", {"text": "Audit", "due_on": LATER.isoformat()})
    assert added.status_code == 201 and added.json()["owner"] == hr_lead.user.username
    assert team.patch(f"/api/v1/strategic-decisions/{did}", {"deferred_to": LATER.isoformat()}).status_code == 400
    put = team.post(f"/api/v1/strategic-decisions/{did}/decide")
    assert put.status_code == 200 and put.json()["status"] == "awaiting_board"
    assert put.json()["awaiting_sign_off_from"] == [board.user.username]
    # The human rights lead is refused; a board member without a comment gets the field error.
    assert team.post(f"/api/v1/strategic-decisions/{did}/sign-off", {"comment": "ok"}).status_code == 403
    members = api(board)
    assert members.post(f"/api/v1/strategic-decisions/{did}/sign-off", {"comment": ""}).status_code == 400
    signed = members.post(f"/api/v1/strategic-decisions/{did}/sign-off", {"comment": "Agreed."})
    assert signed.status_code == 200, signed.content
    body = signed.json()
    assert body["status"] == "decided" and body["sign_offs"][0]["by"] == board.user.username
    assert body["sign_offs"][0]["conditions"][0]["text"] == "Audit" and body["conditions"][0]["status"] == "open"
    cid = body["conditions"][0]["id"]
    refused = team.patch(f"/api/v1/decision-conditions/{cid}", {"status": "dropped"})
    assert refused.status_code == 400 and "note" in refused.json()["errors"]
    met = team.patch(f"/api/v1/decision-conditions/{cid}", {"status": "met"})
    assert met.status_code == 200 and met.json()["status"] == "met"
    assert team.get(f"/api/v1/strategic-decisions/{did}").json()["status"] == "decided"
    assert [c["id"] for c in team.get(f"/api/v1/strategic-decisions/{did}/conditions").json()] == [cid]


def test_the_api_decline(hr_lead, board, api):
    decision = board_decision(hr_lead)
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    declined = api(board).post(f"/api/v1/strategic-decisions/{decision.pk}/decline", {"comment": "Not yet."})
    assert declined.status_code == 200 and declined.json()["status"] == "draft"
    assert declined.json()["sign_offs"][0]["verdict"] == "declined"
    assert StrategicDecision.objects.get(pk=decision.pk).decided_by is None


def test_the_dashboard_panel_reads_a_fixed_number_of_queries(hr_lead, board, sign_in, django_assert_max_num_queries):
    risk = at_level(make_risk(hr_lead, scale=5, scope=5, irremediability=4), OwnerLevel.BOARD)
    make_mitigation(hr_lead, risk, status="cannot_mitigate", reason="r", remedy_plan="p")

    def awaiting_with_overdue_condition():
        decision = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
        decision_actions.add_condition(decision=decision, text="Audit", owner=hr_lead.user,
                                       due_on=TODAY - datetime.timedelta(days=1), by=hr_lead)
        actions.take_strategic_decision(decision=decision, by=hr_lead)
        decision_actions.sign_off_decision(decision=decision, comment="Agreed.", by=board)
        return prepare(hr_lead, risks=[risk], outcome="no_go")

    client = sign_in(board)
    for _ in range(2):
        actions.take_strategic_decision(decision=awaiting_with_overdue_condition(), by=hr_lead)
    client.get("/")
    with django_assert_max_num_queries(200) as few:
        client.get("/")
    for _ in range(6):
        actions.take_strategic_decision(decision=awaiting_with_overdue_condition(), by=hr_lead)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/").content.decode()
    assert page.count("Awaiting your sign-off") == 1 and page.count('#sign-off">') == 8
    assert page.count("was due") == 8


def test_the_board_is_told_inputs_were_linked_even_though_it_may_not_read_them(hr_lead, board, sign_in):
    from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    decision = board_decision(hr_lead, outcome="go")
    engagement = make_engagement(hr_lead)
    speaker = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, kind="affected"))
    actions.link_inputs(target=decision, inputs=[make_input(hr_lead, engagement, speaker, text="Words for the team")],
                        by=hr_lead)
    page = sign_in(board).get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Words for the team" not in page and "No input linked yet." not in page
    assert "1 input is linked; your role sees who was heard, not what was said." in page
    page = sign_in(hr_lead).get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Words for the team" in page and "your role sees who was heard" not in page
