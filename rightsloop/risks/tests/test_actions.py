import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.representation import who_was_heard
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.risks import actions, queries
from rightsloop.risks.escalation import Threshold
from rightsloop.risks.models import Mitigation, Risk, RiskChange, RiskInput
from rightsloop.risks.tests.factories import make_mitigation, make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 22)


def test_a_risk_is_ranked_from_its_ratings(hr_lead):
    risk = make_risk(hr_lead, scale=5, scope=4, irremediability=5, likelihood=2, rights=["privacy", "life"],
                     markets=["ke", "UG"])
    assert (risk.severity, risk.priority) == (14, 142)
    assert risk.rights_codes == ["life", "privacy"] and risk.market_codes == ["KE", "UG"]
    assert risk.changes.count() == 1
    assert AuditEntry.objects.filter(action="risk.registered", target_id=str(risk.pk)).exists()


@pytest.mark.parametrize("field,value", [("scale", 0), ("likelihood", 6), ("rights", ["right_to_wifi"]),
                                         ("rights", []), ("markets", ["XX"]), ("involvement", "enables"),
                                         ("scope", True)])
def test_bad_ratings_and_codes_are_refused_and_nothing_saved(hr_lead, field, value):
    with pytest.raises(ValidationError) as caught:
        make_risk(hr_lead, **{field: value})
    assert field in caught.value.message_dict
    assert not Risk.objects.exists()


def test_every_change_keeps_its_history_and_needs_a_reason(hr_lead):
    risk = make_risk(hr_lead, likelihood=2)
    plan = actions.RiskPlan(title=risk.title, product=risk.product, involvement=risk.involvement, scale=4,
                            scope=risk.scope, irremediability=risk.irremediability, likelihood=4,
                            review_on=risk.review_on, rights=["privacy"], markets=["KE"])
    with pytest.raises(ValidationError):
        actions.update_risk(risk=risk, plan=plan, reason=" ", by=hr_lead)
    actions.update_risk(risk=risk, plan=plan, reason="New reports from Nairobi", by=hr_lead)
    change = RiskChange.objects.filter(risk=risk).first()
    assert change.reason == "New reports from Nairobi" and change.changed_by == hr_lead.user
    assert (change.before["scale"], change.after["scale"]) == (3, 4)
    assert (change.before["likelihood"], change.after["likelihood"]) == (2, 4)
    assert "scale" in change.changed_fields and "severity" in change.changed_fields


def test_crossing_a_threshold_escalates_and_notifies_the_new_owners(
        hr_lead, board, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        risk = make_risk(hr_lead, scale=2, scope=2, irremediability=2, likelihood=2)
    assert risk.owner_level == "team" and mail.outbox == []
    plan = actions.RiskPlan(title=risk.title, product=risk.product, involvement=risk.involvement, scale=5,
                            scope=4, irremediability=5, likelihood=4, review_on=risk.review_on,
                            rights=["privacy"], markets=["KE"])
    with django_capture_on_commit_callbacks(execute=True):
        actions.update_risk(risk=risk, plan=plan, reason="Evidence of harm", by=hr_lead)
    risk.refresh_from_db()
    assert risk.owner_level == "board"
    assert [m.to for m in mail.outbox] == [[board.user.email]]
    assert AuditEntry.objects.filter(action="risk.escalated", target_id=str(risk.pk)).count() == 1
    # The history records the move with the ratings that caused it.
    change = risk.changes.first()
    assert (change.before["owner_level"], change.after["owner_level"]) == ("team", "board")
    assert "owner_level" in change.changed_fields and change.reason == "Evidence of harm"


def test_only_the_team_changes_the_register(hr_lead, board, decision_maker):
    risk = make_risk(hr_lead)
    for viewer in (board, decision_maker):
        with pytest.raises(PermissionDenied):
            make_risk(viewer)
        plan = actions.RiskPlan(title="Changed", product=risk.product, involvement=risk.involvement, scale=1,
                                scope=1, irremediability=1, likelihood=1, review_on=risk.review_on,
                                rights=["privacy"])
        with pytest.raises(PermissionDenied):
            actions.update_risk(risk=risk, plan=plan, reason="No", by=viewer)
    risk.refresh_from_db()
    assert risk.title != "Changed" and risk.changes.count() == 1


def test_organisation_rules_move_existing_risks(hr_lead, admin):
    risk = make_risk(hr_lead, scale=3, scope=3, irremediability=3, likelihood=3)
    assert risk.owner_level == "executive"
    moved = actions.set_escalation_rules(organisation=admin.organisation, rules=[Threshold("board", 9, 3)],
                                         by=admin)
    risk.refresh_from_db()
    assert [m.risk_id for m in moved] == [risk.pk] and risk.owner_level == "board"
    with pytest.raises(ValidationError):
        actions.set_escalation_rules(organisation=admin.organisation, rules=[Threshold("board", 2, 3)], by=admin)


def test_unmitigated_states_need_a_reason_and_a_remedy_plan(hr_lead):
    risk = make_risk(hr_lead)
    with pytest.raises(ValidationError) as caught:
        make_mitigation(hr_lead, risk, status="cannot_mitigate")
    assert set(caught.value.message_dict) == {"reason", "remedy_plan"}
    mitigation = make_mitigation(hr_lead, risk, status="cannot_mitigate", reason="The law requires the data",
                                 remedy_plan="Fund legal aid for users whose data is requested")
    assert mitigation.status == "cannot_mitigate"


def test_only_owners_and_the_team_change_mitigations(hr_lead, decision_maker, legal_decision_maker):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk, owner=decision_maker.user)
    actions.update_mitigation(mitigation=mitigation, action=mitigation.action, status="in_progress", due_on=None,
                              reason="", remedy_plan="", why="Work started", by=decision_maker)
    with pytest.raises(PermissionDenied):
        actions.update_mitigation(mitigation=mitigation, action="x", status="done", due_on=None, reason="",
                                  remedy_plan="", by=legal_decision_maker)
    with pytest.raises(PermissionDenied):
        make_mitigation(decision_maker, risk)


def test_evidence_can_be_a_view_from_the_ground(hr_lead):
    risk = make_risk(hr_lead)
    indicator = actions.add_indicator(mitigation=make_mitigation(hr_lead, risk), name="Requests refused",
                                      target="> 90 %", by=hr_lead)
    engagement = make_engagement(hr_lead)
    said = make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)),
                      text="The police still get our chats.")
    evidence = actions.record_evidence(indicator=indicator, observed_on=TODAY, value="64 %", input=said,
                                       by=hr_lead)
    assert evidence.input == said


def test_a_context_event_flags_the_mitigations_it_touches_and_tells_their_owners(
        hr_lead, decision_maker, django_capture_on_commit_callbacks):
    in_kenya = make_mitigation(hr_lead, make_risk(hr_lead, markets=["KE"]), owner=decision_maker.user)
    on_product = make_mitigation(hr_lead, make_risk(hr_lead, markets=["DE"], product="Cloud Storage"))
    elsewhere = make_mitigation(hr_lead, make_risk(hr_lead, markets=["BR"], product="Messenger"))
    with django_capture_on_commit_callbacks(execute=True):
        event = actions.record_context_event(title="Data retention law", kind="new_law", occurred_on=TODAY,
                                             countries_touched=["ke"], products=["cloud storage"], by=hr_lead)
    flagged = set(Mitigation.objects.flagged().values_list("pk", flat=True))
    assert flagged == {in_kenya.pk, on_product.pk} and elsewhere.pk not in flagged
    assert Mitigation.objects.get(pk=in_kenya.pk).flagged_by == event
    assert sorted(m.to[0] for m in mail.outbox) == sorted([decision_maker.user.email, hr_lead.user.email])
    actions.reassess_mitigation(mitigation=in_kenya, judgement="partly_effective", note="Checked the new law",
                                by=decision_maker)
    assert not Mitigation.objects.get(pk=in_kenya.pk).needs_reassessment


def full_plan(risks, **fields):
    values = {
        "title": "Change the business model", "category": "business_model", "risk_picture": "Surveillance laws.",
        "mitigation_plan": "Encrypt by default.", "remedy_plan": "Legal aid fund.",
        "communication": "formal_report", "communication_plan": "Annual report section.",
        "communication_is_safe": True, "no_engagement_reason": "Consulted via partners only.", "risks": risks,
        "outcome": "go",
    }
    values.update(fields)
    return actions.DecisionPlan(**values)


def test_a_decision_is_blocked_until_every_step_and_a_remedy_plan_exist(hr_lead):
    severe = make_risk(hr_lead, scale=5, scope=4, irremediability=5, likelihood=2)
    Risk.objects.filter(pk=severe.pk).update(owner_level="executive")  # below the board: the team may take it
    decision = actions.create_strategic_decision(plan=full_plan([severe], remedy_plan=""), by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert {"remedy_plan", "risks"} <= set(caught.value.message_dict)
    actions.update_strategic_decision(decision=decision, plan=full_plan([severe]), by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert set(caught.value.message_dict) == {"risks"}  # the severe risk is unmitigated and has no remedy plan
    make_mitigation(hr_lead, severe, status="cannot_mitigate", reason="Law requires access",
                    remedy_plan="Notify users and fund legal aid")
    taken = actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert taken.status == "decided" and taken.decided_by == hr_lead.user


def test_a_severe_risk_requires_formal_reporting_and_a_safe_communication(hr_lead):
    severe = make_risk(hr_lead, scale=5, scope=4, irremediability=5, likelihood=2)
    make_mitigation(hr_lead, severe, status="in_progress")
    decision = actions.create_strategic_decision(
        plan=full_plan([severe], communication="public_statement", communication_is_safe=False), by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert set(caught.value.message_dict) == {"communication", "communication_is_safe"}


def test_linking_inputs_from_either_side_and_who_was_heard(hr_lead):
    risk = make_risk(hr_lead, markets=["KE"])
    engagement = make_engagement(hr_lead)
    expert = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, kind="expert", country="DE",
                                                                      languages=["de"]))
    said = [make_input(hr_lead, engagement, expert) for _ in range(3)]
    assert actions.link_inputs(target=risk, inputs=said, by=hr_lead) == 3
    assert actions.link_inputs(target=risk, inputs=said, by=hr_lead) == 0
    assert set(said[0].risks.all()) == {risk}
    heard = who_was_heard(risk.inputs.all(), markets=risk.market_codes)
    assert (heard.inputs, heard.voices) == (3, 1)
    assert len(heard.gaps) == 4  # no affected voices, none from Kenya, none in Swahili or English, none from the South
    local = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, kind="proxy", country="KE",
                                                                     languages=["sw"]))
    actions.link_inputs(target=risk, inputs=[make_input(hr_lead, engagement, local) for _ in range(3)], by=hr_lead)
    heard = who_was_heard(risk.inputs.all(), markets=risk.market_codes)
    assert heard.voices == 2 and heard.gaps == [
        "The same few voices dominate: 2 stakeholders gave 100 % of the inputs."]
    # The links carry each input's speaker, and the risk page's breakdown read from them is the same.
    anonymous = make_input(hr_lead, engagement, None)
    actions.link_inputs(target=risk, inputs=[anonymous], by=hr_lead)
    carried = dict(RiskInput.objects.filter(risk=risk).values_list("input_id", "stakeholder_id"))
    assert carried == {item.pk: item.speaker.stakeholder_id if item.speaker else None
                       for item in risk.inputs.select_related("speaker")}
    assert carried[anonymous.pk] is None
    assert queries.who_was_heard_on(risk) == who_was_heard(risk.inputs.all(), markets=risk.market_codes)
    assert actions.link_inputs(target=risk, inputs=said, by=hr_lead, unlink=True) == 3
    assert not RiskInput.objects.filter(risk=risk, input__in=said).exists()


def test_the_linked_count_is_what_each_viewer_may_read(hr_lead, decision_maker, board):
    risk = make_risk(hr_lead)
    engagement = make_engagement(hr_lead)
    routed = [make_input(hr_lead, engagement, owning_function=function) for function in ("product", "legal", "legal")]
    actions.link_inputs(target=risk, inputs=routed, by=hr_lead)
    for viewer, readable in ((hr_lead, 3), (decision_maker, 1), (board, 0)):
        assert queries.risk_inputs(viewer, risk).count() == readable
        assert queries.risk_inputs_count(viewer, risk) == readable
