"""The mechanism's settings: page and API, validation, and new deadlines applying to new cases only."""

import pytest

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement
from rightsloop.grievances.actions.settings import update_settings
from rightsloop.grievances.models import GrievanceSettings

from .factories_deadlines import make_case

pytestmark = pytest.mark.django_db
URL = "/grievances/settings/"
API = "/api/v1/grievance-settings"


def form(**fields):
    data = {"intake_open": "on", "acknowledge_days": "5", "respond_days": "60", "escalate_after_days": "10",
            "products": "SafeRide\n  saferide \nFaceCheck\n\n"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def test_page_shows_the_current_settings_and_the_promise(hr_lead, sign_in):
    response = sign_in(hr_lead).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "applies to grievances received from now on" in page
    assert 'name="acknowledge_days"' in page and 'value="7"' in page


@pytest.mark.parametrize("role", ["board", "decision_maker", "auditor"])
def test_only_configurers_open_the_page(role, request, sign_in):
    assert sign_in(request.getfixturevalue(role)).get(URL).status_code == 403


def test_save_settings_audited_by_field_names(organisation, hr_lead, sign_in):
    engagement = make_engagement(hr_lead, title="Consulting the community on the grievance channel")
    response = sign_in(hr_lead).post(URL, form(intake_open=None, mechanism_engagements=[engagement.pk]))
    assert response.status_code == 302
    found = GrievanceSettings.objects.get(organisation=organisation)
    assert (found.intake_open, found.acknowledge_days, found.respond_days, found.escalate_after_days) == (
        False, 5, 60, 10)
    assert found.products == ["SafeRide", "FaceCheck"]  # trimmed, blanks and repeats (any case) dropped
    assert list(found.mechanism_engagements.all()) == [engagement]
    entry = AuditEntry.objects.get(action="grievance.settings_changed")
    assert set(entry.changed_fields) == {"intake_open", "acknowledge_days", "respond_days",
                                         "escalate_after_days", "products", "mechanism_engagements"}
    assert "SafeRide" not in entry.summary and "Consulting" not in entry.summary


def test_saving_unchanged_settings_writes_no_audit_entry(organisation, hr_lead):
    for _ in range(2):
        update_settings(organisation=organisation, intake_open=True, acknowledge_days=7, respond_days=90,
                        escalate_after_days=7, products=[], mechanism_engagements=[], by=hr_lead)
    assert not AuditEntry.objects.filter(action="grievance.settings_changed").exists()


@pytest.mark.parametrize(("field", "value"), [
    ("acknowledge_days", "0"), ("acknowledge_days", "1000"), ("respond_days", "0"), ("respond_days", "1000"),
    ("escalate_after_days", "0"), ("escalate_after_days", "1000"), ("acknowledge_days", "seven"),
    ("respond_days", ""),
])
def test_bad_days_refused_nothing_saved(organisation, hr_lead, sign_in, field, value):
    response = sign_in(hr_lead).post(URL, form(**{field: value}))
    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert GrievanceSettings.of(organisation).acknowledge_days == 7


def test_response_cannot_be_due_before_the_acknowledgement(organisation, hr_lead, sign_in):
    response = sign_in(hr_lead).post(URL, form(acknowledge_days="30", respond_days="20"))
    assert response.status_code == 400
    assert response.context["form"].errors["respond_days"]


def test_another_organisations_engagement_refused(organisation, hr_lead, outsider, sign_in):
    foreign = make_engagement(outsider)
    response = sign_in(hr_lead).post(URL, form(mechanism_engagements=[foreign.pk]))
    assert response.status_code == 400
    assert not GrievanceSettings.of(organisation).mechanism_engagements.exists()


def test_new_deadlines_apply_to_new_cases_only(organisation, hr_lead, sign_in):
    case = make_case(organisation)
    due = (case.acknowledge_due_on, case.respond_due_on)
    sign_in(hr_lead).post(URL, form(acknowledge_days="2", respond_days="30"))
    case.refresh_from_db()
    assert (case.acknowledge_due_on, case.respond_due_on) == due


def test_too_many_or_too_long_products_refused(organisation, hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert client.post(URL, form(products="\n".join(f"P{n}" for n in range(101)))).status_code == 400
    assert client.post(URL, form(products="x" * 201)).status_code == 400
    assert GrievanceSettings.of(organisation).products == []


# API -------------------------------------------------------------------------

def body(**fields):
    data = {"intake_open": True, "acknowledge_days": 5, "respond_days": 60, "escalate_after_days": 10,
            "products": ["SafeRide"], "mechanism_engagement_ids": []}
    data.update(fields)
    return data


def test_api_get_and_put(organisation, hr_lead, api):
    client = api(hr_lead)
    response = client.get(API)
    assert response.status_code == 200
    assert response.json()["acknowledge_days"] == 7
    engagement = make_engagement(hr_lead)
    response = client.put(API, body(mechanism_engagement_ids=[engagement.pk]))
    assert response.status_code == 200, response.json()
    assert response.json()["respond_days"] == 60
    assert response.json()["mechanism_engagement_ids"] == [engagement.pk]
    assert GrievanceSettings.of(organisation).products == ["SafeRide"]


@pytest.mark.parametrize("fields", [
    {"acknowledge_days": 0}, {"respond_days": 1000}, {"escalate_after_days": 0}, {"acknowledge_days": "x"},
    {"acknowledge_days": 30, "respond_days": 20}, {"products": ["x" * 201]},
])
def test_api_refuses_bad_values(organisation, hr_lead, api, fields):
    response = api(hr_lead).put(API, body(**fields))
    assert response.status_code == 400
    assert response.json()["errors"]
    assert GrievanceSettings.of(organisation).acknowledge_days == 7


def test_api_refuses_a_foreign_engagement(organisation, hr_lead, outsider, api):
    response = api(hr_lead).put(API, body(mechanism_engagement_ids=[make_engagement(outsider).pk]))
    assert response.status_code == 400
    assert "mechanism_engagement_ids" in response.json()["errors"]


def test_api_board_reads_but_cannot_change(board, api):
    client = api(board)
    assert client.get(API).status_code == 200
    assert client.put(API, body()).status_code == 403


def test_api_decision_maker_refused(decision_maker, api):
    assert api(decision_maker).get(API).status_code == 403
