"""Consent recorded while registering: one submit registers the person and records what they agreed to."""

import pytest

from rightsloop.core.models import AuditEntry
from rightsloop.stakeholders.models import ConsentRecord, Stakeholder

pytestmark = pytest.mark.django_db

PERSON = {"entity_type": "person", "name": "Amina Odhiambo", "kind": "affected", "country": "KE",
          "safety_level": "normal", "preferred_channel": "email", "email": "amina@example.net"}


def test_one_submit_registers_and_records_consent(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/stakeholders/new/", {
        **PERSON, "consent-scopes": ["contact", "attribute_inputs"], "consent-granted": "yes",
        "consent-method": "written", "consent-given_on": "2026-11-30", "consent-notes": "Signed form"})
    stakeholder = Stakeholder.objects.get()
    assert response.status_code == 302 and response.url == f"/stakeholders/{stakeholder.pk}/"
    records = ConsentRecord.objects.filter(stakeholder=stakeholder).order_by("scope")
    assert [(r.scope, r.granted, r.method, str(r.given_on), r.notes) for r in records] == [
        ("attribute_inputs", True, "written", "2026-11-30", "Signed form"),
        ("contact", True, "written", "2026-11-30", "Signed form")]
    audited = AuditEntry.objects.filter(action="consent.recorded", target_id=str(stakeholder.pk))
    assert audited.count() == 2
    assert AuditEntry.objects.filter(action="stakeholder.registered").count() == 1


def test_a_refusal_is_recorded_too(hr_lead, sign_in):
    sign_in(hr_lead).post("/stakeholders/new/", {
        **PERSON, "consent-scopes": ["quote_publicly"], "consent-granted": "no", "consent-method": "verbal",
        "consent-given_on": "2026-11-30"})
    assert list(ConsentRecord.objects.values_list("scope", "granted")) == [("quote_publicly", False)]


def test_no_scope_chosen_records_no_consent(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/stakeholders/new/", {**PERSON, "consent-granted": "yes"})
    assert response.status_code == 302
    assert Stakeholder.objects.count() == 1 and not ConsentRecord.objects.exists()


def test_incomplete_consent_rerenders_and_registers_nobody(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/stakeholders/new/", {
        **PERSON, "consent-scopes": ["contact"], "consent-granted": "yes", "consent-given_on": ""})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Say how the consent was given." in page and "Give the date of the consent." in page
    assert 'value="Amina Odhiambo"' in page
    assert not Stakeholder.objects.exists() and not ConsentRecord.objects.exists()


def test_the_form_offers_consent_only_when_registering(hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert 'name="consent-scopes"' in client.get("/stakeholders/new/").content.decode()
    client.post("/stakeholders/new/", PERSON)
    stakeholder = Stakeholder.objects.get()
    assert 'name="consent-scopes"' not in client.get(f"/stakeholders/{stakeholder.pk}/edit/").content.decode()


def test_the_api_registers_with_consent(hr_lead, api):
    body = {"name": "Amina Odhiambo", "kind": "affected", "country": "KE",
            "consents": [{"scope": "contact", "granted": True, "method": "online", "given_on": "2026-11-30"}]}
    response = api(hr_lead).post("/api/v1/stakeholders", body)
    assert response.status_code == 201
    stakeholder = Stakeholder.objects.get(pk=response.json()["id"])
    assert list(stakeholder.consents.values_list("scope", "granted", "method")) == [("contact", True, "online")]
    bad = api(hr_lead).post("/api/v1/stakeholders", {**body, "consents": [{"scope": "telepathy", "granted": True}]})
    assert bad.status_code == 400 and Stakeholder.objects.count() == 1
