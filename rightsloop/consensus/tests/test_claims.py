"""Competing claims: the actions' rules and audit, the pages (columns, pseudonyms, field errors), the decision's
section and its weighing of each claim."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_participation
from rightsloop.risks.models import StrategicDecision
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders import actions as stakeholder_actions
from rightsloop.stakeholders.models import StakeholderGrant
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from ..actions import claims as actions
from ..models import Claim, ClaimWeighing
from .factories_claims import make_claim, make_debate

pytestmark = pytest.mark.django_db


def plan(**fields):
    values = {"side": "Privacy", "statement": "Scanning breaks encryption.", "rights": ["privacy"]}
    values.update(fields)
    return actions.ClaimPlan(**values)


# Actions --------------------------------------------------------------------------------------------------------

def test_record_a_claim_sealed_under_its_holders_key_and_audited_without_its_words(hr_lead):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=debate.person,
                       rights=["privacy", "freedom_of_expression", "privacy"])
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.rights == ["freedom_of_expression", "privacy"]
    assert claim.statement == "Scanning every message breaks end-to-end encryption."
    assert bytes(claim.statement_sealed)[0] == 2  # a person's key (core.sealing.PERSON_FORMAT)
    assert claim.attribution == "anonymised"  # no consent to attribution recorded
    entry = AuditEntry.objects.get(action="claim.recorded")
    assert entry.target_id == str(claim.pk) and "encryption" not in entry.summary
    assert {"side", "statement", "rights", "risk", "holder"} <= set(entry.changed_fields)


@pytest.mark.parametrize("matter,field", [({}, "risk"), ({"both": True}, "risk")])
def test_exactly_one_matter(hr_lead, matter, field):
    debate = make_debate(hr_lead)
    values = {"risk": debate.risk, "decision": debate.decision} if matter else {}
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, plan=plan(**values), by=hr_lead)
    assert field in error.value.message_dict
    assert not Claim.objects.exists()


def test_a_matter_of_another_organisation_is_refused(hr_lead, outsider):
    debate = make_debate(hr_lead)
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, plan=plan(risk=make_risk(outsider)), by=hr_lead)
    assert "risk" in error.value.message_dict
    foreign = StrategicDecision.objects.create(organisation=outsider.organisation, title="Theirs",
                                               category="market_entry")
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, plan=plan(decision=foreign), by=hr_lead)
    assert "decision" in error.value.message_dict
    assert not Claim.objects.exists()


def test_unknown_rights_and_empty_texts_are_field_errors(hr_lead):
    debate = make_debate(hr_lead)
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, by=hr_lead,
                             plan=plan(risk=debate.risk, rights=["privacy", "right_to_scan"], side=" ", statement=""))
    assert set(error.value.message_dict) == {"rights", "side", "statement"}
    assert "right_to_scan" in error.value.message_dict["rights"][0]


def test_who_may_hold_a_claim(hr_lead):
    debate = make_debate(hr_lead)
    elsewhere = make_participation(hr_lead, make_debate(hr_lead).engagement, make_stakeholder(hr_lead))
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, plan=plan(risk=debate.risk, holder=elsewhere), by=hr_lead)
    assert "holder" in error.value.message_dict
    # A person at risk heard through a proxy: their group holds the claim, never their own record.
    at_risk = make_stakeholder(hr_lead, safety_level="high")
    through_proxy = make_participation(hr_lead, debate.engagement, at_risk, via_proxy=debate.proxy.stakeholder)
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, plan=plan(risk=debate.risk, holder=through_proxy),
                             by=hr_lead)
    assert "holder" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, by=hr_lead,
                             plan=plan(risk=debate.risk, holder=debate.person, holder_group=debate.group))
    assert "holder" in error.value.message_dict


def test_a_group_holds_a_claim_only_through_a_proxy_taking_part(hr_lead):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, decision=debate.decision, holder_group=debate.group,
                       side="Child safety", rights=["child_rights"])
    assert bytes(Claim.objects.get(pk=claim.pk).statement_sealed)[0] == 1  # the organisation's key
    other = make_debate(hr_lead)  # its engagement has another proxy, not this group's
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=other.engagement, by=hr_lead,
                             plan=plan(risk=other.risk, holder_group=debate.group))
    assert "holder_group" in error.value.message_dict


def test_attribution_needs_the_persons_consent(hr_lead):
    debate = make_debate(hr_lead)
    with pytest.raises(ValidationError) as error:
        actions.record_claim(engagement=debate.engagement, by=hr_lead,
                             plan=plan(risk=debate.risk, holder=debate.person, attribution="attributed"))
    assert "attribution" in error.value.message_dict


def test_roles_that_may_not_change_engagements_cannot_record(hr_lead, auditor):
    debate = make_debate(hr_lead)
    with pytest.raises(PermissionDenied):
        actions.record_claim(engagement=debate.engagement, plan=plan(risk=debate.risk), by=auditor)


def test_change_a_claim_and_its_holder_keeps_its_words_readable(hr_lead):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=debate.person)
    actions.change_claim(claim=claim, by=hr_lead, plan=plan(
        risk=debate.risk, holder_group=debate.group, side="Privacy", statement=claim.statement,
        rights=["privacy"], evidence="Expert report", would_accept="Opt-in reporting only"))
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.holder_group == debate.group and claim.holder is None
    assert claim.statement.startswith("Scanning every message") and claim.evidence == "Expert report"
    assert bytes(claim.evidence_sealed)[0] == 1  # sealed again, under the group's (the organisation's) key
    entry = AuditEntry.objects.get(action="claim.changed")
    assert set(entry.changed_fields) == {"holder_id", "holder_group_id"}
    # Saying the same again changes nothing and writes nothing.
    actions.change_claim(claim=claim, by=hr_lead, plan=plan(
        risk=debate.risk, holder_group=debate.group, statement=claim.statement, evidence="Expert report",
        would_accept="Opt-in reporting only"))
    assert AuditEntry.objects.filter(action="claim.changed").count() == 1


def test_a_weighed_claim_keeps_its_matter(hr_lead):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk)
    actions.weigh_claim(decision=debate.decision, claim=claim, how_weighed="Outweighed by the risk.", by=hr_lead)
    with pytest.raises(ValidationError) as error:
        actions.change_claim(claim=claim, by=hr_lead, plan=plan(decision=debate.decision, statement="Changed"))
    assert "risk" in error.value.message_dict
    assert Claim.objects.get(pk=claim.pk).risk == debate.risk


def test_remove_a_claim_with_its_draft_weighing_but_not_once_a_taken_decision_weighed_it(hr_lead):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk)
    actions.weigh_claim(decision=debate.decision, claim=claim, how_weighed="Heard.", by=hr_lead)
    actions.remove_claim(claim=claim, by=hr_lead)
    assert not Claim.objects.exists() and not ClaimWeighing.objects.exists()
    assert AuditEntry.objects.filter(action="claim.removed").count() == 1
    kept = make_claim(hr_lead, debate.engagement, risk=debate.risk)
    actions.weigh_claim(decision=debate.decision, claim=kept, how_weighed="Heard.", by=hr_lead)
    StrategicDecision.objects.filter(pk=debate.decision.pk).update(status="decided")
    with pytest.raises(ValidationError):
        actions.remove_claim(claim=kept, by=hr_lead)
    assert Claim.objects.filter(pk=kept.pk).exists()


def test_weigh_a_claim_on_the_decision_or_one_of_its_risks(hr_lead, decision_maker):
    debate = make_debate(hr_lead)
    on_risk = make_claim(hr_lead, debate.engagement, risk=debate.risk)
    weighing = actions.weigh_claim(decision=debate.decision, claim=on_risk, how_weighed="First.", by=hr_lead)
    again = actions.weigh_claim(decision=debate.decision, claim=on_risk, how_weighed="Second.", by=hr_lead)
    assert again.pk == weighing.pk and ClaimWeighing.objects.get().how_weighed == "Second."
    assert AuditEntry.objects.filter(action="claim.weighed", target_id=str(on_risk.pk)).count() == 2
    unrelated = make_claim(hr_lead, debate.engagement, risk=make_risk(hr_lead))
    with pytest.raises(ValidationError) as error:
        actions.weigh_claim(decision=debate.decision, claim=unrelated, how_weighed="No.", by=hr_lead)
    assert "claim" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.weigh_claim(decision=debate.decision, claim=on_risk, how_weighed="  ", by=hr_lead)
    assert "how_weighed" in error.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.weigh_claim(decision=debate.decision, claim=on_risk, how_weighed="Mine.", by=decision_maker)
    StrategicDecision.objects.filter(pk=debate.decision.pk).update(status="decided")
    debate.decision.refresh_from_db()
    with pytest.raises(ValidationError):
        actions.weigh_claim(decision=debate.decision, claim=on_risk, how_weighed="Later.", by=hr_lead)
    assert ClaimWeighing.objects.get().how_weighed == "Second."


# Pages ----------------------------------------------------------------------------------------------------------

def test_the_claims_page_puts_each_side_in_its_column(hr_lead, sign_in):
    debate = make_debate(hr_lead)
    privacy = make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=debate.person,
                         rights=["privacy", "freedom_of_expression"])
    make_claim(hr_lead, debate.engagement, decision=debate.decision, holder_group=debate.group,
               side="Child safety", rights=["child_rights"], statement="Abuse material spreads unseen.")
    actions.weigh_claim(decision=debate.decision, claim=privacy, how_weighed="Scanning stays off by default.",
                        by=hr_lead)
    response = sign_in(hr_lead).get(reverse("consensus:claims", args=[debate.engagement.pk]))
    assert response.status_code == 200
    columns = response.context["columns"]
    assert [column.side for column in columns] == ["Child safety", "Privacy"]
    page = response.content.decode()
    assert "Amina Privacy" in page and "Children using the messenger" in page  # the team sees who holds each
    assert "Privacy, family, home and correspondence" in page and "Rights of the child" in page
    assert "Scanning stays off by default." in page and "Opt-in reporting only" in page
    only_risk = sign_in(hr_lead).get(reverse("consensus:claims", args=[debate.engagement.pk]),
                                     {"matter": f"risk-{debate.risk.pk}"})
    assert [column.side for column in only_risk.context["columns"]] == ["Privacy"]


def test_holders_as_each_viewer_may_see_them(hr_lead, auditor, organisation, sign_in):
    debate = make_debate(hr_lead)
    elevated = make_participation(hr_lead, debate.engagement,
                                  make_stakeholder(hr_lead, name="Elevated Person", safety_level="elevated"))
    high = make_participation(hr_lead, debate.engagement,
                              make_stakeholder(hr_lead, name="High Person", safety_level="high"),
                              override_reason="Asked to speak in person")
    for holder, side in ((elevated, "Elevated side"), (high, "High side"), (debate.person, "Anonymised side")):
        make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=holder, side=side)
    colleague = make_member(organisation, Role.HR_LEAD)  # no grant on anyone
    page = sign_in(colleague).get(reverse("consensus:claims", args=[debate.engagement.pk])).content.decode()
    assert "Elevated Person" not in page and pseudonym(elevated.stakeholder_id) in page
    assert "High Person" not in page and pseudonym(high.stakeholder_id) not in page and "Holder not shown" in page
    assert "Amina Privacy" in page  # anonymised, but the human rights team sees who holds it
    # Grants are for high-safety people (stakeholders.actions.grant_access); one on an elevated person is honoured.
    StakeholderGrant.objects.create(stakeholder=elevated.stakeholder, user=colleague.user, reason="Liaison")
    stakeholder_actions.grant_access(stakeholder=high.stakeholder, user=colleague.user, reason="Liaison",
                                     by=hr_lead)
    page = sign_in(colleague).get(reverse("consensus:claims", args=[debate.engagement.pk])).content.decode()
    assert "Elevated Person" in page and pseudonym(high.stakeholder_id) in page and "High Person" not in page
    page = sign_in(auditor).get(reverse("consensus:claims", args=[debate.engagement.pk])).content.decode()
    assert "Amina Privacy" not in page and "Anonymised" in page


def test_the_form_rerenders_with_field_errors_and_saves_nothing(hr_lead, sign_in):
    debate = make_debate(hr_lead)
    url = reverse("consensus:claim-new", args=[debate.engagement.pk])
    client = sign_in(hr_lead)
    assert client.get(url, {"risk": debate.risk.pk}).status_code == 200
    response = client.post(url, {"side": "Privacy", "risk": debate.risk.pk, "decision": debate.decision.pk,
                                 "statement": "", "rights": ["privacy"], "attribution": "anonymised"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "statement" in errors and "risk" in errors
    assert not Claim.objects.exists()
    response = client.post(url, {"side": "Privacy", "risk": debate.risk.pk, "holder": debate.person.pk,
                                 "statement": "Keep encryption whole.", "rights": ["privacy"],
                                 "attribution": "anonymised"})
    claim = Claim.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#claim-{claim.pk}")
    assert claim.holder == debate.person


def test_change_and_remove_through_the_pages(hr_lead, sign_in):
    debate = make_debate(hr_lead)
    claim = make_claim(hr_lead, debate.engagement, risk=debate.risk)
    client = sign_in(hr_lead)
    edit = reverse("consensus:claim-edit", args=[claim.pk])
    assert "Scanning every message" in client.get(edit).content.decode()
    response = client.post(edit, {"side": "Privacy first", "risk": debate.risk.pk, "statement": "Changed words.",
                                  "rights": ["privacy"], "attribution": "anonymised"})
    assert response.status_code == 302
    assert Claim.objects.get().statement == "Changed words."
    remove = reverse("consensus:claim-remove", args=[claim.pk])
    assert client.get(remove).status_code == 200 and Claim.objects.exists()
    assert client.post(remove).status_code == 302 and not Claim.objects.exists()


def test_the_claims_page_reads_a_fixed_number_of_queries(hr_lead, sign_in, django_assert_max_num_queries):
    debate = make_debate(hr_lead)
    elevated = make_participation(hr_lead, debate.engagement, make_stakeholder(hr_lead, safety_level="elevated"))
    client = sign_in(hr_lead)
    url = reverse("consensus:claims", args=[debate.engagement.pk])
    client.get(url)
    for number in range(40):
        claim = make_claim(hr_lead, debate.engagement, risk=debate.risk, side=f"Side {number % 5}",
                           holder=(debate.person, elevated, None)[number % 3])
        actions.weigh_claim(decision=debate.decision, claim=claim, how_weighed="Heard.", by=hr_lead)
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert sum(len(column.rows) for column in response.context["columns"]) == 40
    with django_assert_max_num_queries(45):  # the decision's page as a whole, with 40 claims on it
        response = client.get(reverse("risks:decision-detail", args=[debate.decision.pk]))
    assert response.context["claims"].count == 40


def test_the_decision_page_lists_the_claims_and_weighs_them(hr_lead, decision_maker, board, sign_in):
    debate = make_debate(hr_lead)
    on_risk = make_claim(hr_lead, debate.engagement, risk=debate.risk, holder=debate.person)
    make_claim(hr_lead, debate.engagement, decision=debate.decision, holder_group=debate.group,
               side="Child safety", rights=["child_rights"], statement="Abuse material spreads unseen.")
    page_url = reverse("risks:decision-detail", args=[debate.decision.pk])
    client = sign_in(hr_lead)
    page = client.get(page_url).content.decode()
    assert "Competing claims" in page and "Abuse material spreads unseen." in page and "Scanning every" in page
    weigh = reverse("consensus:claim-weigh", args=[debate.decision.pk, on_risk.pk])
    assert f'action="{weigh}"' in page
    assert client.post(weigh, {"how_weighed": ""}).status_code == 400
    response = client.post(weigh, {"how_weighed": "Encryption stays whole: no scanning on the device."})
    assert response.status_code == 302 and response["Location"].endswith(f"#claim-{on_risk.pk}")
    assert "Encryption stays whole" in client.get(page_url).content.decode()
    # Decision makers and the board read the claims and how they were weighed, never who holds them.
    for viewer in (decision_maker, board):
        page = sign_in(viewer).get(page_url).content.decode()
        assert "Abuse material spreads unseen." in page and "Encryption stays whole" in page
        assert "Amina Privacy" not in page and "Children using the messenger" not in page
        assert f'action="{weigh}"' not in page
        assert sign_in(viewer).post(weigh, {"how_weighed": "Mine."}).status_code == 403


def test_a_claim_on_another_decision_cannot_be_weighed_here(hr_lead, sign_in):
    debate = make_debate(hr_lead)
    other = make_debate(hr_lead)
    claim = make_claim(hr_lead, other.engagement, decision=other.decision)
    response = sign_in(hr_lead).post(reverse("consensus:claim-weigh", args=[debate.decision.pk, claim.pk]),
                                     {"how_weighed": "Not here."})
    assert response.status_code == 404 and not ClaimWeighing.objects.exists()


def test_the_risk_page_links_to_its_claims(hr_lead, decision_maker, sign_in):
    debate = make_debate(hr_lead)
    make_claim(hr_lead, debate.engagement, risk=debate.risk)
    link = reverse("consensus:claims-on-risk", args=[debate.risk.pk])
    page = sign_in(hr_lead).get(reverse("risks:detail", args=[debate.risk.pk])).content.decode()
    assert link in page and "1 claim recorded on this risk" in page
    assert link not in sign_in(decision_maker).get(reverse("risks:detail", args=[debate.risk.pk])).content.decode()
    response = sign_in(hr_lead).get(link)
    assert response.status_code == 200 and "Scanning every message" in response.content.decode()
    response = sign_in(hr_lead).get(reverse("consensus:claims-on-decision", args=[debate.decision.pk]))
    assert "Scanning every message" in response.content.decode()  # a claim on the decision's risk


def test_a_participant_who_holds_a_claim_cannot_be_removed(hr_lead):
    """The claim is what they said: removing them would orphan it (and the protected key would refuse it)."""
    from rightsloop.engagements import actions as engagement_actions
    from rightsloop.engagements.tests.factories import make_engagement, make_participation
    from rightsloop.risks.tests.factories import make_risk
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    from .factories_claims import make_claim

    engagement = make_engagement(hr_lead)
    holder = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    make_claim(hr_lead, engagement, risk=make_risk(hr_lead), holder=holder)
    with pytest.raises(ValidationError, match="competing claim"):
        engagement_actions.remove_participant(participation=holder, by=hr_lead)
