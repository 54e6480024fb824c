"""The assessments API: the pages' actions behind JSON, 400 with field messages, 404 for what is not yours."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from rightsloop.assessments import actions
from rightsloop.assessments.models import Assessment, AssessmentPartner, Finding, TrainingSession
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

from .factories import make_assessment, make_session

pytestmark = pytest.mark.django_db
BASE = "/api/v1/assessments"
BODY = {"title": "Mobile-money credit scoring in East Africa", "technology": "Credit scoring",
        "countries": ["KE", "UG", "TZ"], "region": "East Africa", "starts_on": "2026-09-01",
        "ends_on": "2027-03-31"}


def delete(client, url):
    return client.client.delete(url, HTTP_AUTHORIZATION=f"Bearer {client.token}")


def test_create_read_update(hr_lead, api):
    client = api(hr_lead)
    response = client.post(BASE, BODY)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["countries"] == ["KE", "TZ", "UG"] and body["phases"] == [] and body["status"] == "planned"
    pk = body["id"]
    assert client.get(f"{BASE}/{pk}").json()["title"] == BODY["title"]
    assert [a["id"] for a in client.get(BASE).json()["items"]] == [pk]
    patched = client.patch(f"{BASE}/{pk}", {"status": "in_progress"})
    assert patched.status_code == 200 and patched.json()["status"] == "in_progress"
    assert patched.json()["countries"] == ["KE", "TZ", "UG"]


@pytest.mark.parametrize("codes", [["XK1"], ["ZZ"], ["KE", "ZZ"], []])
def test_unknown_country_is_a_400_naming_the_field_and_nothing_is_saved(hr_lead, api, codes):
    response = api(hr_lead).post(BASE, {**BODY, "countries": codes})
    assert response.status_code == 400
    assert "countries" in response.json()["errors"]
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("body,field", [
    ({"ends_on": "2026-01-01"}, "ends_on"), ({"title": ""}, "title"), ({"status": "paused"}, "status"),
    ({"owner_id": 999999}, "owner_id"), ({"starts_on": "yesterday"}, "starts_on"),
])
def test_bad_input_is_a_400(hr_lead, api, body, field):
    response = api(hr_lead).post(BASE, {**BODY, **body})
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_phases_through_the_api(hr_lead, api):
    assessment = make_assessment(hr_lead)
    client = api(hr_lead)
    url = f"{BASE}/{assessment.pk}/phases"
    dates = {"starts_on": "2026-10-01", "ends_on": "2026-10-31"}
    ok = client.put(url, {"kind": "partner_training", **dates, "progress": 50})
    assert ok.status_code == 200 and ok.json()["label"] == "Partner training"
    assert client.put(url, {"kind": "partner_training", **dates, "progress": 101}).status_code == 400
    assert client.put(url, {"kind": "nap", **dates}).status_code == 400
    assert client.put(url, {"kind": "analysis", "starts_on": "2026-10-31", "ends_on": "2026-10-01"}).status_code == 400
    done = client.put(url, {"kind": "partner_training", **dates, "done": True})
    assert done.json()["progress"] == 100 and done.json()["done"] and done.json()["id"] == ok.json()["id"]
    assert [p["kind"] for p in client.get(url).json()] == ["partner_training"]
    assert delete(client, f"{url}/{ok.json()['id']}").status_code == 204
    assert delete(client, f"{url}/{ok.json()['id']}").status_code == 404


def test_partners_training_and_questions(hr_lead, api):
    assessment = make_assessment(hr_lead)
    person = make_stakeholder(hr_lead, kind="expert", name="Baraka Otieno")
    client = api(hr_lead)
    url = f"{BASE}/{assessment.pk}"
    added = client.post(f"{url}/partners", {"stakeholder_id": person.pk, "role": "facilitator",
                                            "languages": ["sw", "en"]})
    assert added.status_code == 201 and added.json()["name"] == "Baraka Otieno"
    partner_id = added.json()["id"]
    assert client.post(f"{url}/partners", {"stakeholder_id": person.pk, "role": "facilitator"}).status_code == 400
    assert client.post(f"{url}/partners", {"stakeholder_id": person.pk, "role": "boss"}).status_code == 400
    assert client.patch(f"{url}/partners/{partner_id}", {"languages": ["xx9"]}).status_code == 400
    session = client.post(f"{url}/training", {"held_on": "2026-10-05", "title": "Mafunzo", "language": "sw",
                                              "attendee_ids": [partner_id]})
    assert session.status_code == 201 and session.json()["attendee_ids"] == [partner_id]
    session_id = session.json()["id"]
    bad = client.post(f"{url}/training", {"held_on": "2026-10-05", "title": "X", "language": "sw",
                                          "attendee_ids": [999999]})
    assert bad.status_code == 400 and "attendee_ids" in bad.json()["errors"]
    asked = client.post(f"{url}/training/{session_id}/questions",
                        {"question": "Je, tutalipwa?", "asked_by_id": partner_id})
    assert asked.status_code == 201
    question = asked.json()["questions"][0]
    assert question["asked_by"] == "Baraka Otieno" and question["answer"] == ""
    answered = client.post(f"{url}/training/{session_id}/questions/{question['id']}/answer", {"answer": "Ndiyo."})
    assert answered.json()["questions"][0]["answer"] == "Ndiyo."
    assert client.put(f"{url}/training/{session_id}/attendees", {"attendee_ids": []}).json()["attendee_ids"] == []
    upload = Client()
    upload_response = upload.post(f"{url}/training/{session_id}/material",
                                  {"file": SimpleUploadedFile("slides.pdf", b"%PDF-1.4 slides")},
                                  HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert upload_response.status_code == 200 and upload_response.json()["material_file_name"] == "slides.pdf"
    assert TrainingSession.objects.get().material_file.open("rb").read() == b"%PDF-1.4 slides"
    assert client.post(f"{url}/training/{session_id}/material", {}).status_code == 400
    assert delete(client, f"{url}/partners/{partner_id}").status_code == 204
    assert not AssessmentPartner.objects.exists()


def test_engagements_of_another_organisation_are_a_400(hr_lead, outsider, api):
    assessment = make_assessment(hr_lead)
    mine, theirs = make_engagement(hr_lead), make_engagement(outsider)
    client = api(hr_lead)
    url = f"{BASE}/{assessment.pk}/engagements"
    refused = client.post(url, {"engagement_ids": [mine.pk, theirs.pk]})
    assert refused.status_code == 400 and "engagement_ids" in refused.json()["errors"]
    assert not assessment.engagements.exists()
    assert [e["id"] for e in client.post(url, {"engagement_ids": [mine.pk]}).json()] == [mine.pk]
    assert delete(client, f"{url}/{theirs.pk}").status_code == 404
    assert delete(client, f"{url}/{mine.pk}").status_code == 204


def test_findings_become_and_update_risks(hr_lead, api):
    assessment = make_assessment(hr_lead)
    client = api(hr_lead)
    url = f"{BASE}/{assessment.pk}/findings"
    assert client.post(url, {"title": "x", "countries": ["BR"]}).status_code == 400
    finding = client.post(url, {"title": "Scores penalise shared phones", "countries": ["UG"]}).json()
    created = client.post(f"{url}/{finding['id']}/new-risk", {
        "title": finding["title"], "product": "Credit scoring", "involvement": "cause", "scale": 4, "scope": 3,
        "irremediability": 3, "likelihood": 4, "review_on": "2027-06-01", "rights": ["non_discrimination"]})
    assert created.status_code == 201, created.json()
    assert created.json()["risk_link"] == "created" and created.json()["risk_id"]
    again = client.post(f"{url}/{finding['id']}/new-risk", {
        "title": "y", "product": "y", "involvement": "cause", "scale": 4, "scope": 3,
        "irremediability": 3, "likelihood": 4, "review_on": "2027-06-01", "rights": ["privacy"]})
    assert again.status_code == 400
    second = client.post(url, {"title": "Agents keep ID copies"}).json()
    risk = make_risk(hr_lead)
    no_reason = client.post(f"{url}/{second['id']}/update-risk", {"risk_id": risk.pk, "likelihood": 5})
    assert no_reason.status_code == 400
    updated = client.post(f"{url}/{second['id']}/update-risk", {"risk_id": risk.pk, "likelihood": 5,
                                                                "reason": "Seen in Kampala and Dodoma"})
    assert updated.status_code == 200 and updated.json()["risk_link"] == "updated"
    risk.refresh_from_db()
    assert risk.likelihood == 5 and set(risk.market_codes) == {"KE", "UG"}
    assert Finding.objects.filter(risk__isnull=False).count() == 2


def test_heard_names_the_language_and_group_gaps(hr_lead, api):
    assessment = make_assessment(hr_lead, countries=["KE", "TZ"])
    group = make_group(hr_lead, name="Market traders", countries=["TZ"])
    engagement = make_engagement(hr_lead)
    speaker = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, languages=["en"], country="KE"))
    make_input(hr_lead, engagement, speaker, language="en")
    actions.link_engagements(assessment=assessment, engagements=[engagement], by=hr_lead)
    body = api(hr_lead).get(f"{BASE}/{assessment.pk}/heard").json()
    texts = [gap["text"] for gap in body["gaps"]]
    assert "No one was heard in Swahili, a main language of Kenya and Tanzania." in texts
    assert "No one from Tanzania was heard." in texts
    assert "No voice from the affected group “Market traders”." in texts
    assert {"kind": "group", "codes": [str(group.uid)]}.items() <= next(
        gap for gap in body["gaps"] if gap["kind"] == "group").items()
    assert body["countries_heard"] == ["KE"] and "en" in body["languages_heard"]


def test_foreign_and_hidden_are_404_and_read_only_roles_are_403(hr_lead, outsider, auditor, admin, api):
    theirs = make_assessment(outsider)
    session = make_session(outsider, theirs)
    finding = actions.record_finding(assessment=theirs, title="x", by=outsider)
    client = api(hr_lead)
    for url in (f"{BASE}/{theirs.pk}", f"{BASE}/{theirs.pk}/phases", f"{BASE}/{theirs.pk}/partners",
                f"{BASE}/{theirs.pk}/training/{session.pk}", f"{BASE}/{theirs.pk}/findings/{finding.pk}",
                f"{BASE}/{theirs.pk}/heard"):
        assert client.get(url).status_code == 404, url
    mine = make_assessment(hr_lead)
    assert client.get(f"{BASE}/{mine.pk}/training/{session.pk}").status_code == 404
    assert client.post(f"{BASE}/{mine.pk}/partners", {"stakeholder_id": make_stakeholder(outsider).pk,
                                                      "role": "facilitator"}).status_code == 404
    shielded = make_stakeholder(hr_lead, safety_level="high", name="Hidden Person")
    assert api(admin).post(f"{BASE}/{mine.pk}/partners", {"stakeholder_id": shielded.pk,
                                                          "role": "interpreter"}).status_code == 404
    # Without a grant the person does not exist, whatever the role: "not found" before "not allowed".
    assert api(auditor).post(f"{BASE}/{mine.pk}/partners", {"stakeholder_id": shielded.pk,
                                                            "role": "interpreter"}).status_code == 404
    assert api(auditor).post(f"{BASE}/{mine.pk}/partners", {"stakeholder_id": make_stakeholder(hr_lead).pk,
                                                            "role": "interpreter"}).status_code == 403
    actions.add_partner(assessment=mine, stakeholder=shielded, role="interpreter", by=hr_lead)
    assert api(admin).get(f"{BASE}/{mine.pk}/partners").json() == []
    named = api(hr_lead).get(f"{BASE}/{mine.pk}/partners").json()
    assert len(named) == 1 and "Hidden" not in named[0]["name"]
    assert api(auditor).get(f"{BASE}/{mine.pk}").status_code == 200
    # An object named besides the assessment is looked up first: another organisation's is "not found" to any role.
    held = make_engagement(hr_lead)
    actions.link_engagements(assessment=mine, engagements=[held], by=hr_lead)
    assert delete(api(auditor), f"{BASE}/{mine.pk}/engagements/{held.pk}").status_code == 403
    assert delete(api(auditor), f"{BASE}/{mine.pk}/engagements/{make_engagement(outsider).pk}").status_code == 404
    finding = actions.record_finding(assessment=mine, title="f", by=hr_lead)
    assert api(auditor).post(f"{BASE}/{mine.pk}/findings/{finding.pk}/update-risk",
                             {"risk_id": make_risk(outsider).pk, "reason": "r"}).status_code == 404
    assert api(auditor).post(BASE, BODY).status_code == 403
    assert api(auditor).patch(f"{BASE}/{mine.pk}", {"status": "completed"}).status_code == 403


def test_roles_without_assessments_are_refused_whatever_the_id(hr_lead, decision_maker, board, api):
    mine = make_assessment(hr_lead)
    for viewer in (decision_maker, board):
        assert api(viewer).get(f"{BASE}/{mine.pk}").status_code == 403
        assert api(viewer).get(f"{BASE}/987654321").status_code == 403
        assert api(viewer).get(BASE).status_code == 403


def test_every_change_is_audited(hr_lead, api):
    client = api(hr_lead)
    pk = client.post(BASE, BODY).json()["id"]
    client.put(f"{BASE}/{pk}/phases", {"kind": "scoping", "starts_on": "2026-09-01", "ends_on": "2026-09-30"})
    actions_ = set(AuditEntry.objects.filter(target_type="assessments.assessment", target_id=str(pk))
                   .values_list("action", flat=True))
    assert actions_ == {"assessment.created", "assessment.phase_planned"}
