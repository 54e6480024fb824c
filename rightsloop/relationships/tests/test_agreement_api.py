"""/api/v1/agreements: draft, change, propose, answer on the stakeholder's behalf, review, end."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.relationships.models import Agreement, AgreementVersion
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _terms(**fields) -> dict:
    body = {
        "starts_on": TODAY.isoformat(), "review_on": (TODAY + 365 * DAY).isoformat(),
        "engagements_expected": 4, "engagement_kinds": ["workshop", "advisory_council"],
        "indicative_months": [2, 5, 8, 11], "briefing_topics": ["technologies"],
        "feedback_within_days": 30, "we_may": {"name_as_adviser": True}, "they_may": {"quote_staff": False},
        "nda_scope": "Unreleased features", "nda_sunset_on": (TODAY + 200 * DAY).isoformat(),
        "compensation_terms": "EUR 400 a day",
    }
    body.update(fields)
    return body


def test_whole_life_through_the_api(hr_lead, api):
    client = api(hr_lead)
    stakeholder = make_stakeholder(hr_lead)
    created = client.post("/api/v1/agreements", {"stakeholder_id": stakeholder.pk, **_terms()})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["state"] == "drafted" and body["current_version"] == 1
    assert body["versions"][0]["we_may"]["name_as_adviser"] is True
    agreement_id = body["id"]
    changed = client.put(f"/api/v1/agreements/{agreement_id}", _terms(feedback_within_days=15))
    assert changed.status_code == 200 and changed.json()["versions"][0]["feedback_within_days"] == 15
    assert client.post(f"/api/v1/agreements/{agreement_id}/propose").json()["state"] == "proposed"
    answered = client.post(f"/api/v1/agreements/{agreement_id}/answer",
                           {"answer": "changes_requested", "via": "phone", "comment": "Shorter NDA"})
    assert answered.status_code == 200
    version = answered.json()["versions"][0]
    assert version["answer"] == "changes_requested" and version["answered_via"] == "phone"
    assert version["answer_recorded_by"] == hr_lead.user.username and version["comment"] == "Shorter NDA"
    revised = client.post(f"/api/v1/agreements/{agreement_id}/revise").json()
    assert revised["current_version"] == 2 and [v["number"] for v in revised["versions"]] == [2, 1]
    client.post(f"/api/v1/agreements/{agreement_id}/propose")
    accepted = client.post(f"/api/v1/agreements/{agreement_id}/answer", {"answer": "accepted", "via": "email"})
    assert accepted.json()["state"] == "in_force" and accepted.json()["accepted_version"] == 2
    assert client.post(f"/api/v1/agreements/{agreement_id}/review").json()["state"] == "under_review"
    ended = client.post(f"/api/v1/agreements/{agreement_id}/end", {"reason": "Closed"})
    assert ended.json()["state"] == "ended" and ended.json()["ended_on"] == TODAY.isoformat()
    listed = client.get("/api/v1/agreements", {"state": "ended"}).json()
    assert [item["id"] for item in listed] == [agreement_id]
    assert AuditEntry.objects.filter(action__startswith="agreement.").count() == 9


@pytest.mark.parametrize("body", [
    _terms(nda_sunset_on=(TODAY - DAY).isoformat()),
    _terms(review_on=(TODAY - DAY).isoformat()),
    _terms(nda_sunset_on=None),
    _terms(indicative_months=[13]),
    _terms(engagement_kinds=["party"]),
    _terms(we_may={"sell": True}),
    _terms(engagements_expected=-2),
    _terms(starts_on="not a date"),
    {"starts_on": TODAY.isoformat()},
])
def test_bad_terms_answer_400_and_save_nothing(hr_lead, api, body):
    stakeholder = make_stakeholder(hr_lead)
    response = api(hr_lead).post("/api/v1/agreements", {"stakeholder_id": stakeholder.pk, **body})
    assert response.status_code == 400, response.content
    assert response.json()["errors"]
    assert not Agreement.objects.exists() and not AgreementVersion.objects.exists()


def test_wrong_steps_answer_400(hr_lead, api):
    client = api(hr_lead)
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead))
    assert client.post(f"/api/v1/agreements/{agreement.pk}/answer",
                       {"answer": "accepted", "via": "email"}).status_code == 400
    assert client.post(f"/api/v1/agreements/{agreement.pk}/review").status_code == 400
    assert client.post(f"/api/v1/agreements/{agreement.pk}/answer",
                       {"answer": "accepted", "via": "portal"}).status_code == 400
    assert client.post(f"/api/v1/agreements/{agreement.pk}/end", {"reason": ""}).status_code == 400
    client.post(f"/api/v1/agreements/{agreement.pk}/propose")
    assert client.put(f"/api/v1/agreements/{agreement.pk}", _terms()).status_code == 400
    assert client.post(f"/api/v1/agreements/{agreement.pk}/answer",
                       {"answer": "changes_requested", "via": "email"}).status_code == 400
    second = client.post("/api/v1/agreements", {"stakeholder_id": agreement.stakeholder_id, **_terms()})
    assert second.status_code == 400 and "stakeholder_id" in second.json()["errors"]


def test_foreign_and_missing_are_404(hr_lead, outsider, api):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead))
    client = api(outsider)
    for path in (f"/api/v1/agreements/{agreement.pk}", "/api/v1/agreements/999999",
                 "/api/v1/agreements/99999999999999999999"):
        assert client.get(path).status_code == 404
    assert client.post(f"/api/v1/agreements/{agreement.pk}/propose").status_code == 404
    assert client.put(f"/api/v1/agreements/{agreement.pk}", _terms()).status_code == 404
    assert client.post("/api/v1/agreements", {"stakeholder_id": agreement.stakeholder_id,
                                              **_terms()}).status_code == 404
    assert client.get("/api/v1/agreements").json() == []
    agreement.refresh_from_db()
    assert agreement.state == "drafted"


def test_high_safety_person_by_pseudonym_and_only_with_a_grant(hr_lead, admin, api):
    protected = make_stakeholder(hr_lead, name="Hidden Defender", safety_level="high")
    agreement = make_agreement(hr_lead, protected)
    body = api(hr_lead).get(f"/api/v1/agreements/{agreement.pk}").json()
    assert body["stakeholder_name"] == pseudonym(protected.pk)
    assert api(admin).get(f"/api/v1/agreements/{agreement.pk}").status_code == 404


def test_roles(auditor, decision_maker, hr_lead, api):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead))
    assert api(auditor).get(f"/api/v1/agreements/{agreement.pk}").status_code == 200
    assert api(auditor).post(f"/api/v1/agreements/{agreement.pk}/propose").status_code == 404
    assert api(decision_maker).get("/api/v1/agreements").status_code == 403
