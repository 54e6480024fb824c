import datetime

import pytest
from django.core import mail
from django.utils import timezone

from rightsloop.engagements.models import Input
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_whole_loop_through_the_api(hr_lead, decision_maker, api, django_capture_on_commit_callbacks):
    lead = api(hr_lead)
    stakeholder = make_stakeholder(hr_lead, name="Rosa Quispe", email="rosa@example.net", languages=["es"],
                                   preferred_language="es")
    created = lead.post("/api/v1/engagements", {
        "title": "Entrevistas sobre puntuación crediticia", "type": "interview", "phases": ["identify"],
        "starts_on": TODAY.isoformat(), "attending_functions": ["product"]})
    assert created.status_code == 201, created.content
    engagement = created.json()
    assert engagement["feedback_due_on"] == (TODAY + datetime.timedelta(days=60)).isoformat()
    assert engagement["loop_state"] == "not_started"
    eid = engagement["id"]

    participant = lead.post(f"/api/v1/engagements/{eid}/participants", {"stakeholder_id": stakeholder.pk})
    assert participant.status_code == 201
    pid = participant.json()["id"]

    recorded = lead.post(f"/api/v1/engagements/{eid}/inputs", {
        "text": "No entiendo por qué me negaron el préstamo.", "speaker_id": pid, "tags": ["credit"],
        "owning_function": "product"}, headers={"HTTP_IDEMPOTENCY_KEY": "retry-1"})
    assert recorded.status_code == 201
    retried = lead.post(f"/api/v1/engagements/{eid}/inputs", {
        "text": "No entiendo por qué me negaron el préstamo.", "speaker_id": pid},
        headers={"HTTP_IDEMPOTENCY_KEY": "retry-1"})
    assert retried.status_code == 200 and retried.json()["id"] == recorded.json()["id"]
    iid = recorded.json()["id"]
    assert recorded.json()["attribution"] == "anonymised"

    refused = api(decision_maker).post(f"/api/v1/inputs/{iid}/decision", {"outcome": "not_adopted"})
    assert refused.status_code == 400 and "rationale" in refused.json()["errors"]
    decided = api(decision_maker).post(f"/api/v1/inputs/{iid}/decision", {
        "outcome": "partly_adopted", "rationale": "Cada rechazo mostrará ahora las tres razones principales."})
    assert decided.status_code == 201
    history = lead.get(f"/api/v1/inputs/{iid}/decision").json()
    assert history["current"]["outcome"] == "partly_adopted" and len(history["history"]) == 1

    feedback = lead.get(f"/api/v1/engagements/{eid}/feedback").json()
    assert feedback[0]["preview"]["language"] == "es"
    assert "email" in feedback[0]["permitted_channels"]
    with django_capture_on_commit_callbacks(execute=True):
        sent = lead.post(f"/api/v1/engagements/{eid}/feedback/{pid}/deliveries", {"channel": "email"})
    assert sent.status_code == 201
    assert mail.outbox[0].to == ["rosa@example.net"]
    assert lead.get(f"/api/v1/engagements/{eid}").json()["loop_state"] == "closed"
    metrics = lead.get("/api/v1/metrics/loop").json()
    assert metrics["share_decided"] == 1.0 and metrics["overdue"] == 0 and metrics["closed_loops"] == 1


@pytest.mark.parametrize("payload,field", [
    ({"type": "picnic"}, "type"),
    ({"phases": []}, "phases"),
    ({"phases": ["assess"]}, "phases.0"),
    ({"starts_on": "yesterday"}, "starts_on"),
    ({"ends_on": "2000-01-01"}, "ends_on"),
])
def test_engagement_validation(hr_lead, api, payload, field):
    body = {"title": "T", "type": "workshop", "phases": ["act"], "starts_on": TODAY.isoformat(), **payload}
    response = api(hr_lead).post("/api/v1/engagements", body)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_triage_and_list_inputs(hr_lead, api):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, owning_function="")
    client = api(hr_lead)
    response = client.patch(f"/api/v1/inputs/{item.pk}", {"owning_function": "legal", "tags": ["interception"]})
    assert response.status_code == 200 and response.json()["owning_function"] == "legal"
    listed = client.get(f"/api/v1/engagements/{engagement.pk}/inputs").json()
    assert listed["count"] == 1 and listed["items"][0]["tags"] == ["interception"]


def test_high_safety_participation_rules_hold_in_the_api(hr_lead, api):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high")
    client = api(hr_lead)
    refused = client.post(f"/api/v1/engagements/{engagement.pk}/participants", {"stakeholder_id": person.pk})
    assert refused.status_code == 400 and "override_reason" in refused.json()["errors"]
    proxy = make_stakeholder(hr_lead, kind="proxy")
    ok = client.post(f"/api/v1/engagements/{engagement.pk}/participants",
                     {"stakeholder_id": person.pk, "via_proxy_id": proxy.pk})
    assert ok.status_code == 201
    participation = ok.json()
    # What the proxy relays is never recorded against the person at risk: the API says so with a 400.
    relayed = client.post(f"/api/v1/engagements/{engagement.pk}/inputs",
                          {"text": "They follow us home.", "speaker_id": participation["id"]})
    assert relayed.status_code == 400 and "speaker" in relayed.json()["errors"]
    email = client.post(f"/api/v1/engagements/{engagement.pk}/feedback/{participation['id']}/deliveries",
                        {"channel": "email"})
    assert email.status_code == 400


def test_decision_maker_sees_only_routed_inputs(hr_lead, decision_maker, api):
    engagement = make_engagement(hr_lead)
    legal = make_input(hr_lead, engagement, owning_function="legal")
    client = api(decision_maker)
    assert client.get(f"/api/v1/inputs/{legal.pk}/decision").status_code == 404
    assert client.post(f"/api/v1/inputs/{legal.pk}/decision", {"outcome": "adopted"}).status_code == 404
    assert client.get(f"/api/v1/engagements/{engagement.pk}/inputs").status_code == 404


def test_malformed_json_is_a_400(hr_lead, api):
    client = api(hr_lead)
    response = client.client.post("/api/v1/engagements", data="{not json", content_type="application/json",
                                  HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert response.status_code == 400


def test_openapi_schema_lists_the_resources(client):
    schema = client.get("/api/v1/openapi.json").json()
    paths = set(schema["paths"])
    assert {"/api/v1/stakeholders", "/api/v1/engagements", "/api/v1/engagements/{engagement_id}/inputs",
            "/api/v1/inputs/{input_id}/decision", "/api/v1/engagements/{engagement_id}/feedback",
            "/api/v1/metrics/loop"} <= paths
    assert schema["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"


def test_inputs_from_participants_of_other_engagements_are_refused(hr_lead, api):
    engagement = make_engagement(hr_lead)
    other = make_participation(hr_lead, make_engagement(hr_lead), make_stakeholder(hr_lead))
    response = api(hr_lead).post(f"/api/v1/engagements/{engagement.pk}/inputs", {"text": "x", "speaker_id": other.pk})
    assert response.status_code == 404
    assert not Input.objects.exists()
