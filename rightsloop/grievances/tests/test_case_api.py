"""/api/v1/grievances: the same rules as the pages; 403 without grievances.handle, 404 for excluded or foreign
cases, 400 with details for bad input, and nothing half-saved."""

import pytest

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.grievances.actions import cases
from rightsloop.grievances.models import CaseMessage, Grievance, HandlerExclusion
from rightsloop.grievances.vocabulary import Stage
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories_cases import DESCRIPTION, make_attachment, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(organisation):
    return make_case(organisation)


def test_list_has_no_content_and_filters(api, hr_lead, organisation):
    mine = make_case(organisation, stage=Stage.ACKNOWLEDGED, handler=hr_lead.user)
    other = make_case(organisation, channel="sms", country="UG")
    client = api(hr_lead)
    response = client.get("/api/v1/grievances")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2 and DESCRIPTION not in response.content.decode()
    first = {item["id"]: item for item in body["items"]}[other.pk]
    assert (first["label"], first["next_deadline_is"], first["overdue"]) == (other.label, "acknowledge", False)
    assert [i["id"] for i in client.get("/api/v1/grievances", {"mine": "true"}).json()["items"]] == [mine.pk]
    assert [i["id"] for i in client.get("/api/v1/grievances", {"channel": "sms"}).json()["items"]] == [other.pk]
    assert [i["id"] for i in client.get("/api/v1/grievances", {"country": "ug"}).json()["items"]] == [other.pk]
    assert client.get("/api/v1/grievances", {"stage": "teleported"}).status_code == 400
    assert client.get("/api/v1/grievances", {"page": "0"}).status_code == 400


def test_the_list_reads_a_constant_number_of_queries(api, hr_lead, organisation, django_assert_max_num_queries):
    for _number in range(10):
        make_case(organisation, handler=make_member(organisation, Role.HR_LEAD).user)
    client = api(hr_lead)
    client.get("/api/v1/grievances")
    with django_assert_max_num_queries(10) as few:
        client.get("/api/v1/grievances")
    for _number in range(20):
        make_case(organisation, handler=make_member(organisation, Role.HR_LEAD).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/grievances").json()["count"] == 30


def test_one_case_carries_everything_and_is_audited(api, hr_lead, organisation):
    person = make_stakeholder(hr_lead, name="Hidden Defender", safety_level="high")
    case = make_case(organisation, mode="confidential", complainant_name="Achieng", stakeholder=person)
    make_attachment(case)
    cases.add_internal_note(grievance=case, text="Check logs", by=hr_lead)
    response = api(hr_lead).get(f"/api/v1/grievances/{case.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["description"], body["complainant_name"], body["stakeholder"]) == (
        DESCRIPTION, "Achieng", pseudonym(person.pk))
    assert body["attachments"][0]["file_name"] == "Wanjiru-letter.pdf"
    assert body["timeline"][0]["to_stage"] == Stage.RECEIVED
    assert AuditEntry.objects.filter(action="grievance.read", target_id=str(case.pk)).exists()
    messages = api(hr_lead).get(f"/api/v1/grievances/{case.pk}/messages").json()
    assert [m["text"] for m in messages["items"]] == ["Check logs"]


def test_the_whole_lifecycle(api, hr_lead, organisation, case):
    client = api(hr_lead)
    base = f"/api/v1/grievances/{case.pk}"
    assert client.post(f"{base}/acknowledge", {"note": "Read."}).json()["handler_id"] == hr_lead.user.pk
    assert client.post(f"{base}/stage", {"to": "assessing"}).status_code == 200
    assert client.post(f"{base}/stage", {"to": "investigating"}).status_code == 200
    question = client.post(f"{base}/messages", {"kind": "to_complainant", "text": "When?", "is_question": True})
    assert question.status_code == 201 and question.json()["is_question"] is True
    answer = client.post(f"{base}/messages", {"kind": "from_complainant", "text": "March", "via": "proxy"})
    assert answer.json()["direction"] == "from_complainant" and answer.json()["via"] == "proxy"
    assert client.post(f"{base}/messages", {"kind": "internal", "text": "n"}).status_code == 201
    assert client.post(f"{base}/stage", {"to": "remedy_proposed"}).json()["responded_at"] is not None
    assert client.post(f"{base}/outcome", {"summary": "Apology and fix."}).status_code == 200
    assert client.post(f"{base}/rights-review").json()["rights_reviewed_by_id"] == hr_lead.user.pk
    classified = client.post(f"{base}/classification", {"rights": ["privacy"], "country": "ke"})
    assert classified.json()["country"] == "KE"
    closed = client.post(f"{base}/stage", {"to": "closed", "note": "Thank you."})
    assert closed.json()["stage"] == "closed" and closed.json()["closed_at"] is not None


@pytest.mark.parametrize(("path", "body", "field"), [
    ("stage", {"to": "closed"}, "to"),
    ("stage", {"to": "teleported"}, "to"),
    ("stage", {}, "to"),
    ("stage", {"to": "acknowledged", "note": "x" * 5001}, "note"),
    ("messages", {"kind": "internal", "text": ""}, "text"),
    ("messages", {"kind": "shout", "text": "x"}, "kind"),
    ("messages", {"kind": "from_complainant", "text": "x", "via": "follow_up"}, "via"),
    ("outcome", {"summary": "done"}, "summary"),
    ("rights-review", {}, "__all__"),
    ("classification", {"rights": ["flying"]}, "rights"),
    ("classification", {"country": "XX"}, "country"),
    ("handler", {"handler_id": 0}, "handler_id"),
    ("handler", {"handler_id": 99999999}, "handler_id"),
    ("exclusions", {"user_id": 99999999, "reason": "x"}, "user_id"),
    ("exclusions", {"user_id": 1, "reason": ""}, "reason"),
])
def test_bad_input_is_400_with_details(api, hr_lead, case, path, body, field):
    response = api(hr_lead).post(f"/api/v1/grievances/{case.pk}/{path}", body)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert Grievance.objects.get(pk=case.pk).stage == Stage.RECEIVED
    assert not CaseMessage.objects.exists() and not HandlerExclusion.objects.exists()


def test_a_handler_outside_the_organisation_is_400(api, hr_lead, outsider, case):
    response = api(hr_lead).post(f"/api/v1/grievances/{case.pk}/handler", {"handler_id": outsider.user.pk})
    assert response.status_code == 400
    assert "outside the organisation" in response.json()["errors"]["handler_id"][0]


def test_exclusion_through_the_api_then_404(api, hr_lead, organisation, case):
    colleague = make_member(organisation, Role.HR_LEAD)
    response = api(hr_lead).post(f"/api/v1/grievances/{case.pk}/exclusions",
                                 {"user_id": colleague.user.pk, "reason": "Her brother"})
    assert response.status_code == 201, response.content
    client = api(colleague)
    for path in ("", "/messages"):
        assert client.get(f"/api/v1/grievances/{case.pk}{path}").status_code == 404
    assert client.post(f"/api/v1/grievances/{case.pk}/acknowledge").status_code == 404
    assert client.get("/api/v1/grievances").json()["count"] == 0
    refused = api(hr_lead).post(f"/api/v1/grievances/{case.pk}/handler", {"handler_id": colleague.user.pk})
    assert refused.status_code == 400


def test_another_organisations_case_is_404(api, outsider, case):
    client = api(outsider)
    assert client.get(f"/api/v1/grievances/{case.pk}").status_code == 404
    assert client.post(f"/api/v1/grievances/{case.pk}/stage", {"to": "acknowledged"}).status_code == 404
    assert client.get("/api/v1/grievances/99999999").status_code == 404


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_members_without_handling_get_403(api, organisation, case, role):
    client = api(make_member(organisation, role))
    assert client.get("/api/v1/grievances").status_code == 403
    response = client.get(f"/api/v1/grievances/{case.pk}")
    assert response.status_code == 403 and DESCRIPTION not in response.content.decode()
    assert client.get(f"/api/v1/grievances/{case.pk}/messages").status_code == 403
    assert client.post(f"/api/v1/grievances/{case.pk}/acknowledge").status_code == 403
    assert Grievance.objects.get(pk=case.pk).stage == Stage.RECEIVED
