"""/api/v1/groups: affected groups, their members, the proxies that speak for them and the risks touching them."""

import pytest
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders import groups
from rightsloop.stakeholders.models import AffectedGroup, Representation
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

pytestmark = pytest.mark.django_db

GROUP = {"name": "Women human rights defenders", "description": "In the north", "countries": ["MM"],
         "languages": ["my"], "at_risk": ["human_rights_defender"], "size_estimate": 300}


def test_create_read_update_delete(hr_lead, api):
    client = api(hr_lead)
    created = client.post("/api/v1/groups", GROUP)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["countries"] == ["MM"] and body["size_estimate"] == 300
    assert client.get(f"/api/v1/groups/{body['id']}").json()["name"] == GROUP["name"]
    changed = client.patch(f"/api/v1/groups/{body['id']}", {"size_estimate": None, "languages": ["my", "en"]})
    assert changed.status_code == 200
    assert changed.json()["size_estimate"] is None and changed.json()["languages"] == ["en", "my"]
    assert changed.json()["description"] == "In the north"
    listed = client.get("/api/v1/groups").json()
    assert [(g["name"], g["member_count"], g["proxy_count"], g["risk_count"]) for g in listed] == [
        (GROUP["name"], 0, 0, 0)]
    assert client.client.delete(f"/api/v1/groups/{body['id']}",
                                HTTP_AUTHORIZATION=f"Bearer {client.token}").status_code == 204
    assert not AffectedGroup.objects.exists()


@pytest.mark.parametrize("change,field", [
    ({"countries": ["Myanmar"]}, "countries"),
    ({"languages": ["burmese"]}, "languages"),
    ({"at_risk": ["tall"]}, "at_risk.0"),
    ({"name": ""}, "name"),
    ({"size_estimate": -1}, "size_estimate"),
])
def test_bad_input_is_a_400_with_field_messages(hr_lead, api, change, field):
    response = api(hr_lead).post("/api/v1/groups", {**GROUP, **change})
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not AffectedGroup.objects.exists()


def test_members_representations_and_risks(hr_lead, api):
    client = api(hr_lead)
    group = make_group(hr_lead)
    person = make_stakeholder(hr_lead, name="Open Organiser")
    added = client.post(f"/api/v1/groups/{group.pk}/members", {"stakeholder_id": person.pk})
    assert added.status_code == 201 and added.json()["name"] == "Open Organiser"
    assert [m["id"] for m in client.get(f"/api/v1/groups/{group.pk}/members").json()] == [person.pk]
    removed = client.client.delete(f"/api/v1/groups/{group.pk}/members/{person.pk}",
                                   HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert removed.status_code == 204 and not group.members.exists()

    proxy = make_stakeholder(hr_lead, kind="proxy")
    refused = client.post(f"/api/v1/groups/{group.pk}/representations", {"proxy_id": person.pk,
                                                                         "legitimacy_basis": "Elected"})
    assert refused.status_code == 400 and "proxy" in refused.json()["errors"]
    made = client.post(f"/api/v1/groups/{group.pk}/representations", {
        "proxy_id": proxy.pk, "legitimacy_basis": "Elected", "evidence": "Minutes"})
    assert made.status_code == 201 and made.json()["review_overdue"] is True
    today = timezone.localdate().isoformat()
    patched = client.patch(f"/api/v1/groups/representations/{made.json()['id']}", {"reviewed_on": today})
    assert patched.json()["review_overdue"] is False and patched.json()["evidence"] == "Minutes"
    ended = client.post(f"/api/v1/groups/representations/{made.json()['id']}/end")
    assert ended.status_code == 200 and ended.json()["ended_at"]
    assert client.get(f"/api/v1/groups/{group.pk}/representations").json() == []

    risk = make_risk(hr_lead)
    assert client.post(f"/api/v1/groups/{group.pk}/risks", {"risk_ids": [risk.pk]}).json() == {"risk_ids": [risk.pk]}
    assert client.get(f"/api/v1/groups/{group.pk}/risks").json() == {"risk_ids": [risk.pk]}
    # An unknown id (or another organisation's, or one too large to be an id) is simply not found.
    for unknown in (987654321, 10**30):
        assert client.post(f"/api/v1/groups/{group.pk}/risks", {"risk_ids": [risk.pk, unknown]}).status_code == 404
    assert client.post(f"/api/v1/groups/{group.pk}/risks/unlink", {"risk_ids": [risk.pk]}).json() == {
        "risk_ids": []}
    assert AuditEntry.objects.filter(action__startswith="group.").count() >= 7


def test_the_last_group_of_a_proxy_is_not_deleted_nor_its_mandate_ended(hr_lead, api):
    client = api(hr_lead)
    proxy = make_stakeholder(hr_lead, kind="proxy")
    mandate = proxy.representations.get()
    response = client.client.delete(f"/api/v1/groups/{mandate.group_id}", HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert response.status_code == 400
    assert client.post(f"/api/v1/groups/representations/{mandate.pk}/end").status_code == 400
    assert Representation.objects.current().filter(pk=mandate.pk).exists()


def test_a_protected_member_exists_only_for_grant_holders(hr_lead, admin, api):
    group = make_group(hr_lead)
    protected = make_stakeholder(hr_lead, name="Hidden Defender", safety_level="high")
    groups.add_member(group=group, stakeholder=protected, by=hr_lead)
    holder = api(hr_lead).get(f"/api/v1/groups/{group.pk}/members").json()
    assert holder == [{"id": protected.pk, "name": pseudonym(protected.pk), "kind": "affected",
                       "safety_level": "high"}]
    other = api(admin)
    assert other.get(f"/api/v1/groups/{group.pk}/members").json() == []
    assert other.get("/api/v1/groups").json()[0]["member_count"] == 0
    removal = other.client.delete(f"/api/v1/groups/{group.pk}/members/{protected.pk}",
                                  HTTP_AUTHORIZATION=f"Bearer {other.token}")
    assert removal.status_code == 404
    adding = other.post(f"/api/v1/groups/{group.pk}/members", {"stakeholder_id": protected.pk})
    assert adding.status_code == 404
    assert group.members.count() == 1


def test_roles_without_the_register_see_no_groups(hr_lead, board, auditor, api):
    group = make_group(hr_lead)
    assert api(board).get("/api/v1/groups").status_code == 403
    assert api(board).get(f"/api/v1/groups/{group.pk}").status_code == 404
    assert api(auditor).get(f"/api/v1/groups/{group.pk}").status_code == 200
    assert api(auditor).post("/api/v1/groups", GROUP).status_code == 403
    assert api(auditor).patch(f"/api/v1/groups/{group.pk}", {"name": "x"}).status_code == 404
    group.refresh_from_db()
    assert group.name != "x"
