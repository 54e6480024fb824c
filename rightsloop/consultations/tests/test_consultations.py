"""Opening a consultation and changing how it is run, through the pages and the API."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement

from ..models import Consultation
from .factories import make_applied_import, make_consultation

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_open_a_consultation_in_the_page(hr_lead, sign_in):
    client = sign_in(hr_lead)
    response = client.post("/consultations/new/", {
        "title": "Default end-to-end encryption", "question": "Should messages be end-to-end encrypted by default?",
        "starts_on": TODAY.isoformat(), "ends_on": (TODAY + datetime.timedelta(days=60)).isoformat(),
        "yes_no": "on", "issues_receipts": "on"})
    consultation = Consultation.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/consultations/{consultation.pk}/"
    assert consultation.yes_no and consultation.issues_receipts and not consultation.published
    assert consultation.engagement.type == "public_consultation"
    assert consultation.organisation == hr_lead.organisation
    assert AuditEntry.objects.filter(action="consultation.open").count() == 1
    page = client.get(response["Location"]).content.decode()
    assert "Default end-to-end encryption" in page and "Upload a file of responses" in page


def test_the_form_keeps_what_was_typed_and_names_the_mistake(hr_lead, sign_in):
    client = sign_in(hr_lead)
    response = client.post("/consultations/new/", {
        "title": "Kept title", "starts_on": TODAY.isoformat(),
        "ends_on": (TODAY - datetime.timedelta(days=1)).isoformat()})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot close before it opens" in page and 'value="Kept title"' in page
    assert not Consultation.objects.exists()


def test_settings_are_changed_and_audited(hr_lead, sign_in):
    consultation = make_consultation(hr_lead)
    client = sign_in(hr_lead)
    refused = client.post(f"/consultations/{consultation.pk}/settings/", {"review_threshold": "3"})
    assert refused.status_code == 400 and "between 0 and 1" in refused.content.decode()
    saved = client.post(f"/consultations/{consultation.pk}/settings/", {
        "question": "Keep it?", "yes_no": "on", "published": "on", "review_threshold": "0.35"})
    assert saved.status_code == 302
    consultation.refresh_from_db()
    assert (consultation.question, consultation.yes_no, consultation.published) == ("Keep it?", True, True)
    assert consultation.review_threshold == pytest.approx(0.35)
    entry = AuditEntry.objects.get(action="consultation.settings")
    assert set(entry.changed_fields) == {"question", "yes_no", "published", "review_threshold"}


def test_the_list_counts_without_reading_responses(hr_lead, sign_in, django_assert_max_num_queries):
    for number in range(3):
        consultation = make_consultation(hr_lead, title=f"Listed {number}")
        make_applied_import(consultation, [{"text": f"response {n}"} for n in range(number + 1)])
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(12):
        page = client.get("/consultations/").content.decode()
    assert all(f"Listed {number}" in page for number in range(3))


def test_a_public_consultation_engagement_leads_to_its_consultation(hr_lead, auditor, sign_in):
    engagement = make_engagement(hr_lead, type="public_consultation", title="Made as an engagement")
    assert sign_in(auditor).post(f"/consultations/for-engagement/{engagement.pk}/").status_code == 403
    response = sign_in(hr_lead).post(f"/consultations/for-engagement/{engagement.pk}/")
    consultation = Consultation.objects.get(engagement=engagement)
    assert response["Location"] == f"/consultations/{consultation.pk}/"
    again = sign_in(auditor).post(f"/consultations/for-engagement/{engagement.pk}/")
    assert again["Location"] == f"/consultations/{consultation.pk}/"
    workshop = make_engagement(hr_lead, type="workshop")
    assert sign_in(hr_lead).post(f"/consultations/for-engagement/{workshop.pk}/").status_code == 404


def test_the_api_opens_reads_and_changes_a_consultation(hr_lead, other_organisation, api):
    client = api(hr_lead)
    created = client.post("/api/v1/consultations", {
        "title": "Age checks", "starts_on": TODAY.isoformat(), "yes_no": True})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == "Age checks" and body["yes_no"] is True and body["responses_count"] == 0
    bad = client.post("/api/v1/consultations", {
        "title": "Backwards", "starts_on": TODAY.isoformat(), "ends_on": "2000-01-01"})
    assert bad.status_code == 400 and "ends_on" in bad.content.decode()
    changed = client.patch(f"/api/v1/consultations/{body['id']}", {"published": True, "review_threshold": 0.6})
    assert changed.status_code == 200 and changed.json()["published"] is True
    assert client.patch(f"/api/v1/consultations/{body['id']}", {"review_threshold": 2}).status_code == 400
    listed = client.get("/api/v1/consultations").json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
