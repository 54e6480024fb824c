import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.stakeholders.models import ConsentRecord, DuplicateFlag, Stakeholder
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

VALID = {
    "entity_type": "organisation", "name": "Observatorio Digital", "kind": "expert", "country": "CO",
    "languages": ["es", "en"], "preferred_language": "es", "safety_level": "elevated",
    "safe_channels": ["secure_messenger"], "preferred_channel": "secure_messenger",
    "email": "contacto@observatorio.example", "at_risk": ["journalist"], "rights": ["privacy"],
    "technologies": ["surveillance"],
}


def test_register_through_the_form(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/stakeholders/new/", VALID)
    stakeholder = Stakeholder.objects.get()
    assert response.status_code == 302 and response.url == f"/stakeholders/{stakeholder.pk}/"
    assert stakeholder.global_south is True and stakeholder.languages == ["en", "es"]
    assert stakeholder.safe_channels == ["secure_messenger"]


def test_form_errors_rerender_with_everything_typed(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/stakeholders/new/", {**VALID, "kind": "proxy", "email": "not-an-email"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Choose the affected group this proxy represents, or name a new one." in page
    assert "Say why the group recognises this proxy." in page
    assert "Enter a valid email address." in page
    assert 'value="Observatorio Digital"' in page
    assert 'aria-invalid="true"' in page
    assert not Stakeholder.objects.exists()


def test_likely_duplicate_needs_confirmation(hr_lead, sign_in):
    existing = make_stakeholder(hr_lead, email="contacto@observatorio.example")
    client = sign_in(hr_lead)
    response = client.post("/stakeholders/new/", VALID)
    assert response.status_code == 200
    assert "This may be someone already in the register" in response.content.decode()
    assert Stakeholder.objects.count() == 1
    response = client.post("/stakeholders/new/", {**VALID, "confirm_distinct": "on"})
    assert response.status_code == 302
    created = Stakeholder.objects.exclude(pk=existing.pk).get()
    assert DuplicateFlag.objects.get(stakeholder=created).other == existing


def test_list_filters_and_paginates_in_constant_queries(hr_lead, sign_in):
    for number in range(30):
        make_stakeholder(hr_lead, name=f"Collective {number:02d}", languages=["es"], at_risk=["child"])
    make_stakeholder(hr_lead, name="Someone Else", languages=["de"], country="DE")
    client = sign_in(hr_lead)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/stakeholders/?language=es&global_south=yes")
    page = response.content.decode()
    assert "30 stakeholders" in page and "Someone Else" not in page
    assert "Page 1 of 2" in page
    first_count = len(captured)
    with CaptureQueriesContext(connection) as captured:
        client.get("/stakeholders/?language=es&global_south=yes&page=2")
    assert len(captured) == first_count <= 8


def test_htmx_filter_returns_only_the_results(hr_lead, sign_in):
    make_stakeholder(hr_lead, name="Riders Kenya")
    response = sign_in(hr_lead).post("/stakeholders/", {"q": "riders"}, HTTP_HX_REQUEST="true",
                                     HTTP_HX_TARGET="stakeholder-results")
    page = response.content.decode()
    assert "Riders Kenya" in page and "<html" not in page
    assert response["HX-Push-Url"].startswith("/stakeholders/?search=") and "riders" not in response["HX-Push-Url"]


def test_edit_updates_the_profile(hr_lead, sign_in):
    stakeholder = make_stakeholder(hr_lead, name="Old")
    response = sign_in(hr_lead).post(f"/stakeholders/{stakeholder.pk}/edit/", {**VALID, "name": "New"})
    assert response.status_code == 302
    stakeholder.refresh_from_db()
    assert stakeholder.name == "New" and stakeholder.country == "CO"


def test_consent_form(hr_lead, sign_in):
    stakeholder = make_stakeholder(hr_lead)
    client = sign_in(hr_lead)
    bad = client.post(f"/stakeholders/{stakeholder.pk}/consents/", {"scope": "contact", "granted": "yes"})
    assert bad.status_code == 400 and not ConsentRecord.objects.exists()
    client.post(f"/stakeholders/{stakeholder.pk}/consents/", {
        "scope": "attribute_inputs", "granted": "yes", "method": "written", "given_on": "2026-11-01"})
    consent = ConsentRecord.objects.get()
    assert consent.granted and consent.scope == "attribute_inputs"
    client.post(f"/stakeholders/{stakeholder.pk}/consents/{consent.pk}/withdraw/")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None


@pytest.mark.parametrize("role", ["decision_maker", "board"])
def test_roles_without_need_to_know_are_refused(request, role, hr_lead, sign_in):
    stakeholder = make_stakeholder(hr_lead)
    client = sign_in(request.getfixturevalue(role))
    assert client.get("/stakeholders/").status_code == 403
    assert client.get(f"/stakeholders/{stakeholder.pk}/").status_code == 403


def test_auditor_reads_but_cannot_change(auditor, hr_lead, sign_in):
    stakeholder = make_stakeholder(hr_lead)
    client = sign_in(auditor)
    assert client.get(f"/stakeholders/{stakeholder.pk}/").status_code == 200
    assert client.get("/stakeholders/new/").status_code == 403
    assert client.post(f"/stakeholders/{stakeholder.pk}/edit/", VALID).status_code == 403
