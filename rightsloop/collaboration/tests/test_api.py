"""The JSON API of shared assessments: the same rules as the pages, refusals as 400/404/409 with their message."""

import pytest

from rightsloop.accounts.models import Membership
from rightsloop.collaboration import actions
from rightsloop.collaboration.models import PartnerRequest, PoolPartner, SpaceInvitation
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import contribute, make_assessment, make_company

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    return make_company("Lead Company"), make_company("Second Company")


def test_share_invite_accept_and_read_through_the_api(two, api):
    lead, second = two
    lead_api, second_api = api(lead.lead), api(second.lead)
    assessment = make_assessment(lead.lead, title="Nairobi assessment")
    response = lead_api.post("/api/v1/shared-assessments", {"assessment_id": assessment.pk})
    assert response.status_code == 201, response.content
    shared_id = response.json()["id"]
    assert second_api.get(f"/api/v1/shared-assessments/{shared_id}").status_code == 404
    response = lead_api.post(f"/api/v1/shared-assessments/{shared_id}/invitations",
                             {"organisation_id": second.organisation.pk})
    assert response.status_code == 201
    invitations = second_api.get("/api/v1/shared-assessments/invitations").json()
    assert [i["assessment_title"] for i in invitations] == ["Nairobi assessment"]
    response = second_api.post(f"/api/v1/shared-assessments/invitations/{invitations[0]['id']}/accept")
    assert response.status_code == 200, response.content
    detail = second_api.get(f"/api/v1/shared-assessments/{shared_id}").json()
    assert [m["organisation"] for m in detail["members"]] == ["Lead Company", "Second Company"]
    # Sharing it twice, or another organisation's assessment: refused.
    again = lead_api.post("/api/v1/shared-assessments", {"assessment_id": assessment.pk})
    assert again.status_code == 400 and "shared already" in again.json()["errors"]["assessment"][0]
    assert second_api.post("/api/v1/shared-assessments", {"assessment_id": assessment.pk}).status_code == 404


def test_inviting_a_removed_organisation_is_a_400_with_the_reason(two, api):
    lead, second = two
    shared = actions.share_assessment(assessment=make_assessment(lead.lead), by=lead.lead)
    Membership.objects.filter(organisation=second.organisation).update(is_active=False)
    response = api(lead.lead).post(f"/api/v1/shared-assessments/{shared.pk}/invitations",
                                   {"organisation_id": second.organisation.pk})
    assert response.status_code == 400
    assert "was removed from this installation" in response.json()["errors"]["organisation"][0]
    missing = api(lead.lead).post(f"/api/v1/shared-assessments/{shared.pk}/invitations",
                                  {"organisation_id": 2**70})
    assert missing.status_code == 400
    assert not SpaceInvitation.objects.exists()


def test_the_pool_requests_and_the_load_through_the_api(two, api):
    lead, second = two
    shared = actions.share_assessment(assessment=make_assessment(lead.lead), by=lead.lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    actions.accept_invitation(invitation=invitation, by=second.lead)
    lead_api, second_api = api(lead.lead), api(second.lead)
    person = make_stakeholder(lead.lead, name="Amina Odhiambo", notes="never shared")
    response = lead_api.post(f"/api/v1/shared-assessments/{shared.pk}/partners", {
        "stakeholder_id": person.pk, "role": "facilitator", "languages": ["sw", "en"],
        "consent_method": "written", "consent_given_on": "2026-01-05"})
    assert response.status_code == 201, response.content
    partner_id = response.json()["id"]
    # Another member's stakeholder cannot be put in the pool by id.
    assert second_api.post(f"/api/v1/shared-assessments/{shared.pk}/partners", {
        "stakeholder_id": person.pk, "role": "facilitator", "consent_method": "written",
        "consent_given_on": "2026-01-05"}).status_code == 404
    partners = second_api.get(f"/api/v1/shared-assessments/{shared.pk}/partners").json()
    assert partners[0]["name"] == "Amina Odhiambo" and "never shared" not in str(partners)
    engagement = make_engagement(second.lead, title="Second's workshop")
    second_api.post(f"/api/v1/shared-assessments/{shared.pk}/engagements", {"engagement_id": engagement.pk})
    url = f"/api/v1/shared-assessments/{shared.pk}/partners/{partner_id}/requests"
    assert second_api.post(url, {"engagement_id": engagement.pk}).status_code == 201
    conflict = lead_api.post(url, {"engagement_id": engagement.pk})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "already_requested" and conflict.json()["asked_by"] == "Second Company"
    load = lead_api.get(f"/api/v1/shared-assessments/{shared.pk}/partners/{partner_id}/load").json()
    assert load["count_90"] == 1 and load["requests"][0]["organisation"] == "Second Company"
    assert lead_api.post(f"/api/v1/shared-assessments/pool-partners/{partner_id}/withdraw").status_code == 204
    assert second_api.post(f"/api/v1/shared-assessments/pool-partners/{partner_id}/withdraw").status_code == 404
    other = make_engagement(lead.lead)
    actions.share_engagement(shared=shared, engagement=other, by=lead.lead)
    refused = second_api.post(url, {"engagement_id": other.pk})
    assert refused.status_code == 400 and "withdrew their consent" in refused.json()["errors"]["partner"][0]
    assert PartnerRequest.objects.count() == 1
    assert not PoolPartner.objects.in_pool().exists()


def test_inputs_name_only_attributed_speakers_at_normal_safety(two, api):
    from django.utils import timezone

    from rightsloop.stakeholders.actions import record_consent

    lead, second = two
    shared = actions.share_assessment(assessment=make_assessment(lead.lead), by=lead.lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    actions.accept_invitation(invitation=invitation, by=second.lead)
    engagement = make_engagement(lead.lead)
    actions.share_engagement(shared=shared, engagement=engagement, by=lead.lead)
    for name, level in (("Open Speaker", "normal"), ("Wary Speaker", "elevated")):
        person = make_stakeholder(lead.lead, name=name, safety_level=level)
        record_consent(stakeholder=person, scope="attribute_inputs", granted=True, method="verbal",
                       given_on=timezone.localdate(), by=lead.lead)
        make_input(lead.lead, engagement, make_participation(lead.lead, engagement, person),
                   text=f"Words {level}", attribution="attributed")
    quiet = make_stakeholder(lead.lead, name="Quiet Speaker")
    make_input(lead.lead, engagement, make_participation(lead.lead, engagement, quiet), text="Quietly said")
    body = api(second.lead).get(f"/api/v1/shared-assessments/{shared.pk}/engagements/{engagement.pk}/inputs")
    data = body.json()
    assert data["total"] == 3
    speakers = [row["speaker"] for row in data["inputs"]]
    assert speakers[0] == "Open Speaker"
    assert "Wary Speaker" not in body.content.decode() and "Quiet Speaker" not in body.content.decode()
    # The shared report: who was heard across the members' engagements, as counts, naming nobody.
    detail = api(second.lead).get(f"/api/v1/shared-assessments/{shared.pk}/heard")
    heard = detail.json()
    assert heard["inputs"] == 3 and heard["by_kind"] == {"affected": 3}
    assert "Speaker" not in detail.content.decode()


def test_leaving_through_the_api(two, api):
    lead, second = two
    shared = actions.share_assessment(assessment=make_assessment(lead.lead), by=lead.lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    actions.accept_invitation(invitation=invitation, by=second.lead)
    partner = contribute(shared, make_stakeholder(second.lead), by=second.lead)
    assert api(lead.lead).post(f"/api/v1/shared-assessments/{shared.pk}/leave").status_code == 400
    assert api(second.lead).post(f"/api/v1/shared-assessments/{shared.pk}/leave").status_code == 204
    assert api(second.lead).get(f"/api/v1/shared-assessments/{shared.pk}").status_code == 404
    assert api(second.lead).get("/api/v1/shared-assessments").json() == []
    assert [p["id"] for p in api(lead.lead).get(f"/api/v1/shared-assessments/{shared.pk}/partners").json()] == [
        partner.pk]
