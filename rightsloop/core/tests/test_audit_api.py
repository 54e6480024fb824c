"""/api/v1/audit-log: the audit log for auditors' tools, filtered and worded as the page is."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.engagements.tests.factories import make_engagement, make_input
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_auditors_read_the_log_in_words_with_raw_values(auditor, hr_lead, api):
    engagement = make_engagement(hr_lead, title="Workshop in Nairobi")
    make_engagement(hr_lead, title="Survey of riders")

    response = api(auditor).get("/api/v1/audit-log", {"action": "engagement.created", "search": "nairobi"})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["what_happened"] == f"{hr_lead.user.display_name} created the engagement “Workshop in Nairobi”"
    assert (item["record"], item["record_url"]) == ("“Workshop in Nairobi”", f"/engagements/{engagement.pk}/")
    assert (item["action"], item["target_type"], item["target_id"]) == (
        "engagement.created", "engagements.engagement", str(engagement.pk))
    assert item["area"] == "Engagements and the loop" and item["role"] == "hr_lead"


def test_a_protected_person_is_neither_named_nor_addressed(auditor, hr_lead, api):
    hidden = make_stakeholder(hr_lead, name="Hidden Person", safety_level="high")

    body = api(auditor).get("/api/v1/audit-log", {"target_kind": "stakeholders.stakeholder"}).json()

    assert "Hidden Person" not in str(body)
    registered = next(item for item in body["items"] if item["action"] == "stakeholder.registered")
    assert (registered["record"], registered["record_url"], registered["target_id"]) == (
        "a stakeholder", "", str(hidden.pk))


def test_bad_filters_answer_400_with_the_field_and_other_roles_403(auditor, hr_lead, api):
    client = api(auditor)
    bad = client.get("/api/v1/audit-log", {"since": "2026-05-02", "until": "2026-05-01"})
    assert bad.status_code == 400 and "until" in bad.json()["errors"]
    assert client.get("/api/v1/audit-log", {"action": "nothing.happened"}).status_code == 400
    assert client.get("/api/v1/audit-log", {"actor": "someone"}).status_code == 400
    assert api(hr_lead).get("/api/v1/audit-log").status_code == 403


def test_a_page_is_named_in_a_constant_number_of_queries(auditor, hr_lead, api):
    client = api(auditor)
    make_input(hr_lead, make_engagement(hr_lead))
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/audit-log")
    for _round in range(10):
        make_input(hr_lead, make_engagement(hr_lead))
        make_stakeholder(hr_lead)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/audit-log").status_code == 200
    assert len(many) <= len(few) + 1  # stakeholders are a kind of record the first page did not name
