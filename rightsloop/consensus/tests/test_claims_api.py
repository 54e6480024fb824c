"""The claims API: the pages' actions behind JSON, 400 with field messages, 404 for what is not yours."""

import pytest

from rightsloop.engagements.tests.factories import make_participation
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

from ..actions import claims as actions
from ..models import Claim, ClaimWeighing
from .factories_claims import make_claim, make_debate

pytestmark = pytest.mark.django_db
BASE = "/api/v1/consensus"


def body(debate, **fields):
    values = {"engagement_id": debate.engagement.pk, "matter": "risk", "matter_id": debate.risk.pk,
              "side": "Privacy", "holder": "participant", "holder_id": debate.person.pk,
              "rights": ["privacy"], "statement": "Scanning breaks encryption.", "would_accept": "Opt-in only"}
    values.update(fields)
    return values


def delete(client, url):
    return client.client.delete(url, HTTP_AUTHORIZATION=f"Bearer {client.token}")


def test_create_read_list_update_delete(hr_lead, api):
    debate = make_debate(hr_lead)
    client = api(hr_lead)
    response = client.post(f"{BASE}/claims", body(debate))
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["matter"] == "risk" and created["matter_title"] == debate.risk.title
    assert created["holder"] == "participant" and created["holder_id"] == debate.person.pk
    assert created["holder_label"].startswith("Amina Privacy")
    assert created["rights"] == [{"code": "privacy", "name": "Privacy, family, home and correspondence"}]
    pk = created["id"]
    assert client.get(f"{BASE}/claims/{pk}").json()["statement"] == "Scanning breaks encryption."
    group_claim = client.post(f"{BASE}/claims", body(debate, matter="decision", matter_id=debate.decision.pk,
                                                     side="Child safety", holder="group", holder_id=debate.group.pk,
                                                     rights=["child_rights"]))
    assert group_claim.status_code == 201, group_claim.json()
    listed = client.get(f"{BASE}/claims", {"engagement_id": debate.engagement.pk}).json()
    assert listed["count"] == 2 and [c["side"] for c in listed["items"]] == ["Child safety", "Privacy"]
    on_risk = client.get(f"{BASE}/claims", {"risk_id": debate.risk.pk}).json()
    assert [c["id"] for c in on_risk["items"]] == [pk]
    on_decision = client.get(f"{BASE}/claims", {"decision_id": debate.decision.pk}).json()
    assert on_decision["count"] == 2  # the decision's own claim and the one on its risk
    patched = client.patch(f"{BASE}/claims/{pk}", {"side": "Privacy first", "holder": "none"})
    assert patched.status_code == 200, patched.json()
    assert patched.json()["side"] == "Privacy first" and patched.json()["holder"] == "none"
    assert patched.json()["statement"] == "Scanning breaks encryption."
    assert delete(client, f"{BASE}/claims/{pk}").status_code == 204
    assert not Claim.objects.filter(pk=pk).exists()


@pytest.mark.parametrize("fields,field", [
    ({"rights": ["privacy", "scanning"]}, "rights"), ({"rights": []}, "rights"), ({"side": ""}, "side"),
    ({"statement": ""}, "statement"), ({"matter": "policy"}, "matter"), ({"holder_id": None}, "holder_id"),
    ({"attribution": "attributed"}, "attribution"),
    ({"holder": "none"}, "holder_id"),
])
def test_bad_input_is_a_400_naming_the_field(hr_lead, api, fields, field):
    debate = make_debate(hr_lead)
    response = api(hr_lead).post(f"{BASE}/claims", body(debate, **fields))
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Claim.objects.exists()


def test_foreign_ids_are_never_used(hr_lead, outsider, api):
    debate = make_debate(hr_lead)
    theirs = make_debate(outsider)
    client = api(hr_lead)
    assert client.post(f"{BASE}/claims", body(debate, engagement_id=theirs.engagement.pk)).status_code == 404
    # Another organisation's risk, decision, participant or group in the body answers as an id nobody has: 404.
    for fields in ({"matter_id": theirs.risk.pk}, {"matter": "decision", "matter_id": theirs.decision.pk},
                   {"holder_id": theirs.person.pk}, {"holder": "group", "holder_id": theirs.group.pk},
                   {"holder": "group", "holder_id": 987654}):
        response = client.post(f"{BASE}/claims", body(debate, **fields))
        assert response.status_code == 404, (fields, response.content)
    assert not Claim.objects.filter(organisation=hr_lead.organisation).exists()
    foreign = make_claim(outsider, theirs.engagement, risk=theirs.risk)
    assert client.get(f"{BASE}/claims/{foreign.pk}").status_code == 404
    assert client.patch(f"{BASE}/claims/{foreign.pk}", {"side": "Mine"}).status_code == 404
    assert delete(client, f"{BASE}/claims/{foreign.pk}").status_code == 404
    for name, pk in (("engagement_id", theirs.engagement.pk), ("risk_id", theirs.risk.pk),
                     ("decision_id", theirs.decision.pk)):
        assert client.get(f"{BASE}/claims", {name: pk}).status_code == 404
    weigh = f"{BASE}/strategic-decisions/{theirs.decision.pk}/claims/{foreign.pk}/weighing"
    assert client.put(weigh, {"how_weighed": "Mine."}).status_code == 404
    assert client.get(f"{BASE}/strategic-decisions/{theirs.decision.pk}/weighings").status_code == 404
    assert Claim.objects.get(pk=foreign.pk).side == "Privacy" and not ClaimWeighing.objects.exists()


def test_a_protected_participant_is_unknown_to_a_member_without_a_grant(hr_lead, organisation, api):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member

    debate = make_debate(hr_lead)
    high = make_participation(hr_lead, debate.engagement, make_stakeholder(hr_lead, safety_level="high"),
                              override_reason="Asked to speak in person")
    colleague = make_member(organisation, Role.HR_LEAD)
    response = api(colleague).post(f"{BASE}/claims", body(debate, holder_id=high.pk))
    assert response.status_code == 404  # as if the person were not there at all
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=high)
    shown = api(colleague).get(f"{BASE}/claims/{claim.pk}").json()
    assert shown["holder_id"] is None and shown["holder_label"] == "Holder not shown"
    # Changing other fields keeps the holder this member may not know of.
    patched = api(colleague).patch(f"{BASE}/claims/{claim.pk}", {"side": "Safety"})
    assert patched.status_code == 200 and Claim.objects.get(pk=claim.pk).holder == high


def test_weigh_and_list_weighings(hr_lead, decision_maker, auditor, api):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=debate.person)
    url = f"{BASE}/strategic-decisions/{debate.decision.pk}/claims/{claim.pk}/weighing"
    response = api(hr_lead).put(url, {"how_weighed": "Encryption stays whole."})
    assert response.status_code == 200, response.content
    assert response.json()["how_weighed"] == "Encryption stays whole."
    assert api(hr_lead).put(url, {"how_weighed": " "}).status_code == 400
    assert api(decision_maker).put(url, {"how_weighed": "Mine."}).status_code == 403
    assert api(auditor).put(url, {"how_weighed": "Mine."}).status_code == 403
    listed = api(decision_maker).get(f"{BASE}/strategic-decisions/{debate.decision.pk}/weighings")
    assert listed.status_code == 200
    assert [(w["claim_id"], w["how_weighed"]) for w in listed.json()] == [(claim.pk, "Encryption stays whole.")]
    assert "Amina" not in listed.content.decode()
    unrelated = make_claim(hr_lead, debate.engagement, risk=make_risk(hr_lead))
    assert api(hr_lead).put(f"{BASE}/strategic-decisions/{debate.decision.pk}/claims/{unrelated.pk}/weighing",
                            {"how_weighed": "No."}).status_code == 404


def test_readers_read_and_only_the_team_writes(hr_lead, auditor, decision_maker, api):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk)
    assert api(auditor).get(f"{BASE}/claims/{claim.pk}").status_code == 200
    assert api(auditor).post(f"{BASE}/claims", body(debate)).status_code == 403
    assert api(auditor).patch(f"{BASE}/claims/{claim.pk}", {"side": "X"}).status_code == 403
    assert api(decision_maker).get(f"{BASE}/claims").status_code == 403


def test_a_weighed_claim_taken_decision_refuses_deletion(hr_lead, api):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk)
    actions.weigh_claim(decision=debate.decision, claim=claim, how_weighed="Heard.", by=hr_lead)
    type(debate.decision).objects.filter(pk=debate.decision.pk).update(status="decided")
    response = delete(api(hr_lead), f"{BASE}/claims/{claim.pk}")
    assert response.status_code == 400 and Claim.objects.filter(pk=claim.pk).exists()


def test_the_list_reads_a_fixed_number_of_queries(hr_lead, api, django_assert_max_num_queries):
    debate = make_debate(hr_lead)
    elevated = make_participation(hr_lead, debate.engagement, make_stakeholder(hr_lead, safety_level="elevated"))
    for number in range(30):
        claim = make_claim(hr_lead, debate.engagement, risk=debate.risk, side=f"Side {number % 4}",
                           holder=(debate.person, elevated, None)[number % 3])
        actions.weigh_claim(decision=debate.decision, claim=claim, how_weighed="Heard.", by=hr_lead)
    client = api(hr_lead)
    with django_assert_max_num_queries(14):
        response = client.get(f"{BASE}/claims", {"engagement_id": debate.engagement.pk, "page_size": 50})
    assert response.json()["count"] == 30 and len(response.json()["items"]) == 30
