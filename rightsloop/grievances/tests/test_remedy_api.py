"""The remedy plan API: the same actions as the pages, 400 with field messages, 404 for what is not yours."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.grievances.actions import remedy
from rightsloop.grievances.models import RemedyAction, RemedyPlan
from rightsloop.grievances.vocabulary import Stage

from .factories_remedy import make_case

pytestmark = pytest.mark.django_db


def _tomorrow() -> str:
    return (timezone.localdate() + datetime.timedelta(days=1)).isoformat()


@pytest.fixture
def case(organisation):
    return make_case(organisation)


def _plan(client, *cases):
    response = client.post("/api/v1/remedy-plans", {"case_ids": [c.pk for c in cases], "title": "Refunds"})
    assert response.status_code == 201, response.content
    return response.json()


def test_the_remedy_loop_through_the_api(organisation, case, hr_lead, api):
    client = api(hr_lead)
    other = make_case(organisation)
    body = _plan(client, case)
    plan_id = body["id"]
    assert [c["label"] for c in body["cases"]] == [case.label] and body["engagement_id"]
    grouped = client.post(f"/api/v1/remedy-plans/{plan_id}/cases", {"case_id": other.pk})
    assert grouped.status_code == 200 and len(grouped.json()["cases"]) == 2

    proposed = client.post(f"/api/v1/remedy-plans/{plan_id}/proposals",
                           {"case_id": case.pk, "text": "Refund both fares", "via": "proxy"},
                           headers={"HTTP_IDEMPOTENCY_KEY": "sms-77"})
    assert proposed.status_code == 201
    proposal = proposed.json()
    assert (proposal["case_id"], proposal["text"], proposal["outcome"]) == (case.pk, "Refund both fares", "")
    again = client.post(f"/api/v1/remedy-plans/{plan_id}/proposals",
                        {"case_id": case.pk, "text": "Refund both fares", "via": "proxy"},
                        headers={"HTTP_IDEMPOTENCY_KEY": "sms-77"})
    assert again.status_code == 200 and again.json()["id"] == proposal["id"]

    added = client.post(f"/api/v1/remedy-plans/{plan_id}/actions", {
        "remedy_type": "restitution", "description": "Refund the double charge", "owner_id": hr_lead.user.pk,
        "due_on": _tomorrow(), "proposal_id": proposal["id"]})
    assert added.status_code == 201, added.content
    action = added.json()
    assert (action["status"], action["proposal_id"]) == ("planned", proposal["id"])

    changed = client.patch(f"/api/v1/remedy-actions/{action['id']}", {"description": "Refund both charges"})
    assert changed.status_code == 200 and changed.json()["description"] == "Refund both charges"
    early = client.post(f"/api/v1/remedy-actions/{action['id']}/confirmations",
                        {"case_id": case.pk, "answer": "confirmed"})
    assert early.status_code == 400 and "answer" in early.json()["errors"]
    delivered = client.post(f"/api/v1/remedy-actions/{action['id']}/delivered")
    assert delivered.status_code == 200 and delivered.json()["status"] == "delivered"
    disputed = client.post(f"/api/v1/remedy-actions/{action['id']}/confirmations",
                           {"case_id": other.pk, "answer": "disputed", "note": "Only one came back", "via": "proxy"})
    assert disputed.status_code == 201
    assert disputed.json()["status"] == "disputed"
    assert disputed.json()["confirmations"][0]["case_id"] == other.pk

    plan = client.get(f"/api/v1/remedy-plans/{plan_id}").json()
    assert [a["status"] for a in plan["actions"]] == ["disputed"]
    assert [p["id"] for p in plan["proposals"]] == [proposal["id"]]


def test_bad_input_answers_400_with_field_messages(organisation, case, hr_lead, other_organisation, api):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member

    client = api(hr_lead)
    for body in ({"case_ids": [], "title": "x"}, {"case_ids": [case.pk], "title": ""},
                 {"case_ids": [case.pk]}, {"case_ids": ["x"], "title": "x"}):
        response = client.post("/api/v1/remedy-plans", body)
        assert response.status_code == 400, body
        assert response.json()["errors"]
    closed = make_case(organisation, stage=Stage.CLOSED)
    refused = client.post("/api/v1/remedy-plans", {"case_ids": [closed.pk], "title": "x"})
    assert refused.status_code == 400 and "grievances" in refused.json()["errors"]
    plan_id = _plan(client, case)["id"]
    outsider = make_member(other_organisation, Role.HR_LEAD)
    response = client.post(f"/api/v1/remedy-plans/{plan_id}/actions", {
        "remedy_type": "apology", "description": "Say sorry", "owner_id": outsider.user.pk, "due_on": "2000-01-01"})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"owner", "due_on"}
    unknown = client.post(f"/api/v1/remedy-plans/{plan_id}/actions", {
        "remedy_type": "bribe", "description": "x", "owner_id": hr_lead.user.pk, "due_on": _tomorrow()})
    assert unknown.status_code == 400
    outside = client.post(f"/api/v1/remedy-plans/{plan_id}/proposals",
                          {"case_id": make_case(organisation).pk, "text": "x"})
    assert outside.status_code == 400 and "case_id" in outside.json()["errors"]
    emptied = remedy.add_action(plan=RemedyPlan.objects.get(pk=plan_id), remedy_type="apology", description="Sorry",
                                owner=hr_lead.user, due_on=timezone.localdate(), by=hr_lead)
    assert client.patch(f"/api/v1/remedy-actions/{emptied.pk}", {"owner_id": None}).status_code == 400
    assert RemedyAction.objects.count() == 1


def test_what_is_not_yours_is_not_found(organisation, other_organisation, case, hr_lead, outsider, api):
    theirs = make_case(other_organisation)
    client = api(hr_lead)
    assert client.post("/api/v1/remedy-plans", {"case_ids": [case.pk, theirs.pk], "title": "x"}).status_code == 404
    assert not RemedyPlan.objects.exists()
    plan_id = _plan(client, case)["id"]
    action = remedy.add_action(plan=RemedyPlan.objects.get(pk=plan_id), remedy_type="apology", description="Sorry",
                               owner=hr_lead.user, due_on=timezone.localdate(), by=hr_lead)
    foreign = api(outsider)
    assert foreign.get(f"/api/v1/remedy-plans/{plan_id}").status_code == 404
    assert foreign.post(f"/api/v1/remedy-plans/{plan_id}/cases", {"case_id": theirs.pk}).status_code == 404
    assert foreign.post(f"/api/v1/remedy-actions/{action.pk}/delivered").status_code == 404
    assert foreign.patch(f"/api/v1/remedy-actions/{action.pk}", {"description": "x"}).status_code == 404
    assert client.get("/api/v1/remedy-plans/999999").status_code == 404
    assert client.post(f"/api/v1/remedy-plans/{plan_id}/cases", {"case_id": theirs.pk}).status_code == 404


def test_members_who_do_not_handle_cases_are_refused(case, hr_lead, admin, decision_maker, board, api):
    plan = remedy.create_plan(grievances=[case], title="x", by=hr_lead)
    for viewer in (admin, decision_maker, board):
        client = api(viewer)
        assert client.get(f"/api/v1/remedy-plans/{plan.pk}").status_code == 403
        assert client.post("/api/v1/remedy-plans", {"case_ids": [case.pk], "title": "x"}).status_code == 403


# The person's side: no token, the receipt in the body ----------------------------------------------------------

def _with_receipt(organisation, **fields):
    from rightsloop.grievances import receipts

    reference = receipts.new_reference()
    receipt = receipts.compose(reference, receipts.secret_for(organisation.pk))
    case = make_case(organisation, reference=reference, receipt_hash=receipts.hash_receipt(receipt), **fields)
    return case, receipts.display(receipt)


@pytest.fixture
def clear_throttle():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_the_person_proposes_and_answers_with_their_receipt(organisation, hr_lead, clear_throttle):
    from django.test import Client

    from rightsloop.engagements.models import Input
    from rightsloop.grievances.models import ActionConfirmation

    case, receipt = _with_receipt(organisation)
    plan = remedy.create_plan(grievances=[case], title="Refunds", by=hr_lead)
    client = Client()
    base = f"/api/v1/public/grievances/{organisation.slug}/follow-up"
    sent = client.post(f"{base}/proposals", {"receipt": receipt, "text": "Refund both fares"},
                       content_type="application/json", HTTP_IDEMPOTENCY_KEY="sms-1")
    assert sent.status_code == 201, sent.content
    again = client.post(f"{base}/proposals", {"receipt": receipt, "text": "Refund both fares"},
                        content_type="application/json", HTTP_IDEMPOTENCY_KEY="sms-1")
    assert again.status_code == 200 and Input.objects.count() == 1
    assert Input.objects.get().recorded_by is None

    action = remedy.add_action(plan=plan, remedy_type="restitution", description="Refund", owner=hr_lead.user,
                               due_on=timezone.localdate(), by=hr_lead)
    early = client.post(f"{base}/confirmations", {"receipt": receipt, "action_id": action.pk, "answer": "confirmed"},
                        content_type="application/json")
    assert early.status_code == 400
    remedy.mark_delivered(action=action, by=hr_lead)
    answered = client.post(f"{base}/confirmations", {"receipt": receipt, "action_id": action.pk,
                                                     "answer": "disputed", "note": "One fare only"},
                           content_type="application/json")
    assert answered.status_code == 201 and answered.json()["status"] == "disputed"
    assert ActionConfirmation.objects.get().via == "api"


def test_a_wrong_receipt_or_another_cases_action_is_not_found(organisation, hr_lead, clear_throttle):
    from django.test import Client

    case, receipt = _with_receipt(organisation)
    other, _other_receipt = _with_receipt(organisation)
    remedy.create_plan(grievances=[case], title="Mine", by=hr_lead)
    other_plan = remedy.create_plan(grievances=[other], title="Theirs", by=hr_lead)
    theirs = remedy.mark_delivered(action=remedy.add_action(
        plan=other_plan, remedy_type="apology", description="Sorry", owner=hr_lead.user,
        due_on=timezone.localdate(), by=hr_lead), by=hr_lead)
    client = Client()
    base = f"/api/v1/public/grievances/{organisation.slug}/follow-up"
    assert client.post(f"{base}/confirmations", {"receipt": receipt, "action_id": theirs.pk, "answer": "disputed"},
                       content_type="application/json").status_code == 404
    wrong = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    assert client.post(f"{base}/proposals", {"receipt": wrong, "text": "x"},
                       content_type="application/json").status_code == 404
    assert client.post(f"{base}/proposals", {"receipt": "not a receipt", "text": "x"},
                       content_type="application/json").status_code == 400
    assert client.post(f"{base}/proposals", {"receipt": receipt, "text": ""},
                       content_type="application/json").status_code == 400
    assert client.post("/api/v1/public/grievances/nobody/follow-up/proposals", {"receipt": receipt, "text": "x"},
                       content_type="application/json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "delivered"


def test_wrong_receipts_are_throttled(organisation, hr_lead, clear_throttle):
    from django.test import Client

    from rightsloop.grievances import throttle

    case, receipt = _with_receipt(organisation)
    remedy.create_plan(grievances=[case], title="Mine", by=hr_lead)
    wrong = receipt[:-1] + ("0" if receipt[-1] != "0" else "1")
    client = Client()
    url = f"/api/v1/public/grievances/{organisation.slug}/follow-up/proposals"
    codes = [client.post(url, {"receipt": wrong, "text": "x"}, content_type="application/json").status_code
             for _try in range(throttle.REFERENCE_TRIES + 1)]
    assert codes[-1] == 429 and set(codes[:-1]) == {404}
    paused = client.post(url, {"receipt": receipt, "text": "x"}, content_type="application/json")
    assert paused.status_code == 429 and int(paused.headers["Retry-After"]) > 0
    assert "no-store" in paused.headers["Cache-Control"]
