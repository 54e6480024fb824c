"""The intake's JSON API: the public operations (no token) and the recording of other channels (token)."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from rightsloop.grievances import receipts, throttle
from rightsloop.grievances.models import Appeal, CaseMessage, Grievance, GrievanceSettings
from rightsloop.grievances.vocabulary import Channel, MessageDirection, Mode, Stage

DESCRIPTION = "Le système de reconnaissance faciale m'a refusé l'accès au bureau pendant deux semaines"


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def post(path: str, body, *, key: str = "", raw: bytes | None = None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    data = raw if raw is not None else json.dumps(body)
    return Client().post(path, data=data, content_type="application/json", **headers)


def submit_url(organisation) -> str:
    return f"/api/v1/public/grievances/{organisation.slug}"


def submitted(organisation, **fields) -> tuple[Grievance, str]:
    response = post(submit_url(organisation), {"description": DESCRIPTION, "country": "fr", **fields})
    assert response.status_code == 201, response.content
    body = response.json()
    return Grievance.objects.get(reference=body["reference"]), body["receipt"]


@pytest.mark.django_db
def test_raise_a_grievance_without_a_token(organisation):
    response = post(submit_url(organisation), {"description": DESCRIPTION, "country": "fr"}, key="retry-key-123456")
    assert response.status_code == 201
    body = response.json()
    assert body["case"] == "G-1" and body["stage"] == Stage.RECEIVED and len(body["reference"]) == 7
    assert len(body["receipt"]) == 39 and body["receipt"].replace(" ", "").startswith(body["reference"])
    assert "no-store" in response["Cache-Control"]
    case = Grievance.objects.get()
    assert case.channel == Channel.API and case.mode == Mode.ANONYMOUS and case.language == "fr"
    again = post(submit_url(organisation), {"description": DESCRIPTION, "country": "fr"}, key="retry-key-123456")
    assert again.status_code == 200 and again.json()["receipt"] == body["receipt"]
    changed = post(submit_url(organisation), {"description": "autre chose"}, key="retry-key-123456")
    assert changed.status_code == 400 and "already sent" in changed.json()["errors"]["submission_key"][0]
    assert Grievance.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), [
    ({}, "description"),
    ({"description": ""}, "description"),
    ({"description": "x" * 1_000_000}, "description"),
    ({"description": DESCRIPTION, "complainant_name": "Camille"}, "complainant_name"),
    ({"description": DESCRIPTION, "mode": "confidential"}, "complainant_name"),
    ({"description": DESCRIPTION, "mode": "hidden"}, "mode"),
    ({"description": DESCRIPTION, "country": "Atlantis"}, "country"),
    ({"description": DESCRIPTION, "at_risk": ["dragons"]}, "at_risk"),
    ({"description": DESCRIPTION, "occurred_on": "not a date"}, "occurred_on"),
])
def test_bad_input_is_400_with_details_and_nothing_saved(organisation, body, field):
    response = post(submit_url(organisation), body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Grievance.objects.exists()


@pytest.mark.django_db
def test_broken_utf8_and_non_objects_are_400(organisation):
    broken = post(submit_url(organisation), None, raw=b'{"description": "caf\xe9 \xff"}')
    assert broken.status_code == 400
    assert post(submit_url(organisation), None, raw=b"[1, 2]").status_code == 400
    assert post(submit_url(organisation), None, raw=b'{"description": "nul \\u0000"}').status_code == 400
    assert not Grievance.objects.exists()


@pytest.mark.django_db
def test_a_bad_idempotency_key_is_400(organisation):
    response = post(submit_url(organisation), {"description": DESCRIPTION}, key="short")
    assert response.status_code == 400 and "submission_key" in response.json()["errors"]


@pytest.mark.django_db
def test_unknown_organisation_is_404_and_a_closed_page_403(organisation):
    assert post("/api/v1/public/grievances/nobody", {"description": DESCRIPTION}).status_code == 404
    GrievanceSettings.objects.create(organisation=organisation, intake_open=False)
    closed = post(submit_url(organisation), {"description": DESCRIPTION})
    assert closed.status_code == 403 and "not taking new grievances" in closed.json()["detail"]


@pytest.mark.django_db
def test_follow_a_case_with_its_receipt(organisation, hr_lead):
    case, receipt = submitted(organisation)
    CaseMessage(grievance=case, direction=MessageDirection.TO_COMPLAINANT, text="Quand exactement ?", is_question=True,
                author=hr_lead.user, created_at=timezone.now()).save()
    CaseMessage(grievance=case, direction=MessageDirection.INTERNAL, text="note interne", author=hr_lead.user,
                created_at=timezone.now()).save()
    response = post(f"{submit_url(organisation)}/follow-up", {"receipt": receipt.replace(" ", "-")})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    body = response.json()
    assert body["case"] == "G-1" and body["stage"] == "received" and body["next_step"]["text"] == "Acknowledgement"
    assert [m["text"] for m in body["messages"]] == ["Quand exactement ?"]
    assert [t["stage"] for t in body["timeline"]] == ["received"] and not body["may_appeal"]
    assert CaseMessage.objects.get(is_question=True).seen_at is not None


@pytest.mark.django_db
def test_reply_is_idempotent_and_refused_empty(organisation):
    _case, receipt = submitted(organisation)
    url = f"{submit_url(organisation)}/follow-up/messages"
    first = post(url, {"receipt": receipt, "text": "Le 4 mars"}, key="message-key-0001")
    again = post(url, {"receipt": receipt, "text": "Le 4 mars"}, key="message-key-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert CaseMessage.objects.filter(direction=MessageDirection.FROM_COMPLAINANT).count() == 1
    assert post(url, {"receipt": receipt, "text": "  "}).status_code == 400


@pytest.mark.django_db
def test_satisfaction_and_appeal(organisation, hr_lead):
    case, receipt = submitted(organisation)
    url = f"{submit_url(organisation)}/follow-up"
    early = post(f"{url}/satisfaction", {"receipt": receipt, "satisfaction": "satisfied"})
    assert early.status_code == 400
    assert post(f"{url}/appeal", {"receipt": receipt, "reason": "trop tôt"}).status_code == 400
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.NOT_ADMISSIBLE, handler=hr_lead.user)
    given = post(f"{url}/satisfaction", {"receipt": receipt, "satisfaction": "not_satisfied", "note": "injuste"})
    assert given.status_code == 200 and given.json()["satisfaction"] == "not_satisfied"
    assert post(f"{url}/satisfaction", {"receipt": receipt, "satisfaction": "meh"}).status_code == 400
    appealed = post(f"{url}/appeal", {"receipt": receipt, "reason": "Ce n'est pas hors sujet"})
    assert appealed.status_code == 201
    assert appealed.json()["stage"] == "assessing" and appealed.json()["appeals_count"] == 1
    assert Appeal.objects.get().previous_handler == hr_lead.user


@pytest.mark.django_db
def test_wrong_receipts_are_404_then_429_and_nothing_revealed(organisation):
    _case, receipt = submitted(organisation)
    url = f"{submit_url(organisation)}/follow-up"
    assert post(url, {"receipt": "12"}).status_code == 400
    wrong = receipt[:8] + ("1" if receipt[8] != "1" else "2") + receipt[9:]
    statuses = [post(url, {"receipt": wrong}).status_code for _ in range(throttle.REFERENCE_TRIES)]
    assert statuses == [404] * throttle.REFERENCE_TRIES
    paused = post(url, {"receipt": receipt})
    assert paused.status_code == 429 and int(paused["Retry-After"]) == throttle.REFERENCE_LOCK_SECONDS
    assert "No case was opened" in paused.json()["detail"] and "G-1" not in paused.content.decode()


@pytest.mark.django_db
def test_staff_record_another_channel_with_a_token(organisation, hr_lead, decision_maker, api):
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    proxy = make_stakeholder(hr_lead, kind="proxy")
    client = api(hr_lead)
    response = client.post("/api/v1/grievances/intake", {
        "channel": "sms", "description": DESCRIPTION, "raised_by": "on_behalf", "proxy_id": proxy.pk,
        "represents": "Les livreurs de Belleville"}, headers={"HTTP_IDEMPOTENCY_KEY": "sms-000123-abc"})
    assert response.status_code == 201, response.content
    case = Grievance.objects.get()
    assert case.channel == Channel.SMS and case.proxy == proxy and case.recorded_by == hr_lead.user
    assert receipts.check(organisation, response.json()["receipt"].replace(" ", "")) == case
    refused = api(decision_maker).post("/api/v1/grievances/intake", {"channel": "sms", "description": DESCRIPTION})
    assert refused.status_code == 403
    assert Client().post("/api/v1/grievances/intake", {"channel": "sms"}, content_type="application/json"
                         ).status_code == 401


@pytest.mark.django_db
def test_another_organisations_stakeholder_is_404(organisation, hr_lead, outsider, api):
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    foreign = make_stakeholder(outsider, kind="proxy")
    response = api(hr_lead).post("/api/v1/grievances/intake", {"channel": "ngo", "description": DESCRIPTION,
                                                                "proxy_id": foreign.pk})
    assert response.status_code == 404 and not Grievance.objects.exists()


@pytest.mark.django_db
def test_a_body_over_djangos_limit_is_413_not_500(organisation):
    response = post(submit_url(organisation), {"description": "x" * 6_000_000})
    assert response.status_code == 413 and "larger than" in response.json()["detail"]
    assert not Grievance.objects.exists()
