"""What a strategic decision decided: outcome, conditions, the board's sign-off, and going ahead against a
severe risk that cannot be mitigated (issue "decisions that say what was decided")."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.risks import actions, decision_actions, queries
from rightsloop.risks.decisions import board_sign_off_needed, missing_for_decision
from rightsloop.risks.models import DecisionCondition, DecisionSignOff, Risk, StrategicDecision
from rightsloop.risks.tests.factories import make_mitigation, make_risk, past_the_gate
from rightsloop.risks.vocabulary import DecisionCategory, DecisionOutcome, MitigationStatus, OwnerLevel

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=30)
STEPS = {
    "risk_picture": "Location data could expose journalists.", "mitigation_plan": "Retention cut to 30 days.",
    "remedy_plan": "Legal aid fund run with a local partner.", "communication": "formal_report",
    "communication_plan": "Annual human rights report.", "communication_is_safe": True,
    "no_engagement_reason": "Partners asked us not to convene defenders.",
}


def at_level(risk: Risk, level: str) -> Risk:
    # Pinned, so the tests do not hang on the escalation rules of the day.
    Risk.objects.filter(pk=risk.pk).update(owner_level=level)
    risk.owner_level = level
    return risk


def prepare(by, *, risks, outcome="go", category="market_entry", **fields) -> StrategicDecision:
    plan = actions.DecisionPlan(title="Enter market X", category=category, risks=list(risks), outcome=outcome,
                                **{**STEPS, **fields})
    return past_the_gate(actions.create_strategic_decision(plan=plan, by=by))


def replan(decision, by, **fields) -> StrategicDecision:
    names = actions.PLAN_TEXT
    values = {name: getattr(decision, name) for name in names}
    values.update(fields)
    return actions.update_strategic_decision(decision=decision, plan=actions.DecisionPlan(
        **values, risks=list(decision.risks.all()), engagements=list(decision.engagements.all())), by=by)


def fresh(decision) -> StrategicDecision:
    return StrategicDecision.objects.get(pk=decision.pk)


# Rules ---------------------------------------------------------------------

@given(st.lists(st.sampled_from(OwnerLevel.values), max_size=6))
def test_sign_off_is_needed_exactly_when_a_linked_risk_is_owned_by_the_board(levels):
    assert board_sign_off_needed(levels) == (OwnerLevel.BOARD in levels)


def missing(**fields):
    values = {"risk_picture": "x", "mitigation_plan": "x", "remedy_plan": "x", "communication": "not_communicated",
              "communication_plan": "", "communication_is_safe": True, "engaged": True, "no_engagement_reason": "",
              "risks": [], "today": TODAY}
    values.update(fields)
    return set(missing_for_decision(**values)) - {"risks"}


@given(outcome=st.sampled_from(["", *DecisionOutcome.values]), conditions=st.integers(0, 3),
       offset=st.one_of(st.none(), st.integers(-5, 5)))
def test_the_outcome_rules(outcome, conditions, offset):
    deferred_to = None if offset is None else TODAY + datetime.timedelta(days=offset)
    found = missing(outcome=outcome, conditions=conditions, deferred_to=deferred_to)
    assert ("outcome" in found) == (outcome == "")
    if outcome:
        # "Go, with conditions" needs one; any other outcome carries none.
        assert ("conditions" in found) == ((outcome == DecisionOutcome.GO_WITH_CONDITIONS) != (conditions > 0))
    assert ("deferred_to" in found) == (outcome == DecisionOutcome.DEFERRED and (offset is None or offset <= 0))


# Against a severe risk that cannot be mitigated --------------------------------

@pytest.mark.django_db
def test_against_a_severe_risk_is_one_rule_over_kind_outcome_severity_and_mitigation(hr_lead):
    severe_unmitigable = make_risk(hr_lead, title="Surveillance", scale=5, scope=5, irremediability=4)
    make_mitigation(hr_lead, severe_unmitigable, status="cannot_mitigate", reason="Licence terms",
                    remedy_plan="Legal aid fund")
    severe_acting = make_risk(hr_lead, title="Doxxing", scale=5, scope=5, irremediability=4)
    make_mitigation(hr_lead, severe_acting, status="in_progress")
    mild_unmitigable = make_risk(hr_lead, title="Spam", scale=1, scope=1, irremediability=1)
    make_mitigation(hr_lead, mild_unmitigable, status="not_mitigated", reason="Not yet", remedy_plan="Refunds")
    expected = {}
    for category in DecisionCategory.values:
        for outcome in ["", *DecisionOutcome.values]:
            for risk in (severe_unmitigable, severe_acting, mild_unmitigable):
                decision = prepare(hr_lead, risks=[risk], outcome=outcome, category=category)
                expected[decision.pk] = (category in ("market_entry", "geographic_expansion", "high_risk_sale")
                                         and outcome in ("go", "go_with_conditions") and risk == severe_unmitigable)
    found = dict(StrategicDecision.objects.with_against_severe_risk().values_list("pk", "against_severe_risk"))
    assert found == expected
    flagged = next(pk for pk, yes in expected.items() if yes)
    (exposure,) = queries.severe_exposures(StrategicDecision.objects.get(pk=flagged))
    assert exposure.title == "Surveillance" and exposure.remedy_plans == ("Legal aid fund",)


# Outcome, sign-off and conditions (actions) ---------------------------------

@pytest.mark.django_db
def test_a_board_level_decision_waits_for_a_board_members_sign_off(hr_lead, board):
    risk = at_level(make_risk(hr_lead), OwnerLevel.BOARD)
    decision = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
    with pytest.raises(ValidationError) as caught:
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert set(caught.value.message_dict) == {"conditions"}
    decision_actions.add_condition(decision=decision, text="Independent audit of data requests",
                                   owner=hr_lead.user, due_on=LATER, by=hr_lead)
    taken = actions.take_strategic_decision(decision=decision, by=hr_lead)
    # The human rights lead cannot take it alone.
    assert taken.status == "awaiting_board" and taken.decided_at is None and taken.decided_by == hr_lead.user
    with pytest.raises(PermissionDenied):
        decision_actions.sign_off_decision(decision=taken, comment="Fine by me", by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        decision_actions.sign_off_decision(decision=taken, comment="  ", by=board)
    assert "comment" in caught.value.message_dict
    assert fresh(decision).status == "awaiting_board"
    signed = decision_actions.sign_off_decision(decision=taken, comment="Agreed, with the audit first.", by=board)
    decision = fresh(decision)
    assert decision.status == "decided" and decision.decided_at == signed.at
    assert (signed.verdict, signed.by, signed.outcome) == ("signed", board.user, "go_with_conditions")
    assert [c["text"] for c in signed.conditions] == ["Independent audit of data requests"]
    assert decision_actions.valid_sign_off(decision) == signed
    assert list(AuditEntry.objects.filter(target_id=str(decision.pk)).values_list("action", flat=True)
                .filter(action__startswith="strategic_decision.").order_by("sequence")) == [
        "strategic_decision.created", "strategic_decision.put_to_board", "strategic_decision.signed_off"]
    # Signing twice does nothing more: it no longer awaits the board.
    with pytest.raises(ValidationError):
        decision_actions.sign_off_decision(decision=decision, comment="Again", by=board)


@pytest.mark.django_db
def test_below_the_board_the_team_takes_the_decision_itself(hr_lead):
    risk = at_level(make_risk(hr_lead), OwnerLevel.EXECUTIVE)
    taken = actions.take_strategic_decision(decision=prepare(hr_lead, risks=[risk], outcome="no_go"), by=hr_lead)
    assert taken.status == "decided" and taken.decided_at is not None and not taken.sign_offs.exists()


@pytest.mark.django_db
def test_a_board_member_may_decline_and_send_it_back(hr_lead, board):
    risk = at_level(make_risk(hr_lead), OwnerLevel.BOARD)
    decision = actions.take_strategic_decision(decision=prepare(hr_lead, risks=[risk]), by=hr_lead)
    refusal = decision_actions.decline_sign_off(decision=decision, comment="Not before the audit.", by=board)
    decision = fresh(decision)
    assert decision.status == "draft" and decision.decided_by is None and refusal.verdict == "declined"
    assert AuditEntry.objects.filter(action="strategic_decision.sign_off_declined").count() == 1
    assert decision_actions.valid_sign_off(decision) is None
    # Taken again, it awaits the board again.
    assert actions.take_strategic_decision(decision=decision, by=hr_lead).status == "awaiting_board"


@pytest.mark.django_db
def test_changing_the_decision_while_it_awaits_the_board_sends_it_back_to_the_team(hr_lead, board):
    risk = at_level(make_risk(hr_lead), OwnerLevel.BOARD)
    decision = actions.take_strategic_decision(decision=prepare(hr_lead, risks=[risk]), by=hr_lead)
    replan(decision, hr_lead, outcome="deferred", deferred_to=LATER)
    decision = fresh(decision)
    assert decision.status == "draft" and decision.outcome == "deferred" and decision.deferred_to == LATER
    with pytest.raises(ValidationError):
        decision_actions.sign_off_decision(decision=decision, comment="Agreed", by=board)


@pytest.mark.django_db
def test_a_change_to_the_conditions_after_sign_off_voids_it_and_asks_again(hr_lead, board, organisation):
    owner = make_member(organisation, Role.DECISION_MAKER)
    risk = at_level(make_risk(hr_lead), OwnerLevel.BOARD)
    decision = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
    first = decision_actions.add_condition(decision=decision, text="Audit", owner=owner.user, due_on=LATER,
                                           by=hr_lead)
    second = decision_actions.add_condition(decision=decision, text="Local partner", owner=hr_lead.user,
                                            due_on=LATER, by=hr_lead)
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    signed = decision_actions.sign_off_decision(decision=decision, comment="Agreed.", by=board)

    # Tracking is not a change: the owner records that their condition was met.
    decision_actions.update_condition(condition=first, text="Audit", owner=owner.user, due_on=LATER,
                                      status="met", note="Report filed", by=owner)
    first.refresh_from_db()
    assert (first.status, first.closed_by) == ("met", owner.user)
    assert fresh(decision).status == "decided"
    # The owner may not rewrite the condition, and nobody closes it as not met without saying why.
    with pytest.raises(PermissionDenied):
        decision_actions.update_condition(condition=first, text="Smaller audit", owner=owner.user, due_on=LATER,
                                          status="met", note="", by=owner)
    with pytest.raises(ValidationError) as caught:
        decision_actions.update_condition(condition=second, text="Local partner", owner=hr_lead.user,
                                          due_on=LATER, status="not_met", note="", by=hr_lead)
    assert "note" in caught.value.message_dict
    # Dropping a condition changes what the board signed.
    decision_actions.update_condition(condition=second, text="Local partner", owner=hr_lead.user, due_on=LATER,
                                      status="dropped", note="No partner could be found safely.", by=hr_lead)
    decision = fresh(decision)
    signed.refresh_from_db()
    assert decision.status == "awaiting_board" and decision.decided_at is None and signed.voided_at is not None
    again = decision_actions.sign_off_decision(decision=decision, comment="Agreed without the partner.", by=board)
    assert [c["text"] for c in again.conditions] == ["Audit"]  # the dropped one is no longer signed
    # Adding a condition after sign-off asks again too.
    decision_actions.add_condition(decision=decision, text="Quarterly review", owner=hr_lead.user, due_on=LATER,
                                   by=hr_lead)
    assert fresh(decision).status == "awaiting_board"
    assert DecisionSignOff.objects.filter(decision=decision, voided_at__isnull=True).count() == 0
    assert AuditEntry.objects.filter(action="strategic_decision.sign_off_voided").count() == 2


@pytest.mark.django_db
def test_conditions_belong_to_a_go_with_conditions_and_need_a_member_as_owner(hr_lead, organisation):
    from rightsloop.accounts.tests.factories import make_organisation

    stranger = make_member(make_organisation(), Role.HR_LEAD)
    risk = at_level(make_risk(hr_lead), OwnerLevel.TEAM)
    decision = actions.take_strategic_decision(decision=prepare(hr_lead, risks=[risk], outcome="no_go"), by=hr_lead)
    with pytest.raises(ValidationError):
        decision_actions.add_condition(decision=decision, text="Audit", owner=hr_lead.user, due_on=LATER,
                                       by=hr_lead)
    draft = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
    with pytest.raises(ValidationError) as caught:
        decision_actions.add_condition(decision=draft, text="Audit", owner=stranger.user, due_on=LATER,
                                       by=hr_lead)
    assert "owner" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        decision_actions.add_condition(decision=draft, text=" ", owner=hr_lead.user, due_on=LATER, by=hr_lead)
    assert "text" in caught.value.message_dict
    board = make_member(organisation, Role.BOARD)
    with pytest.raises(PermissionDenied):
        decision_actions.add_condition(decision=draft, text="Audit", owner=hr_lead.user, due_on=LATER, by=board)
    assert not DecisionCondition.objects.exists()


@pytest.mark.django_db
def test_a_deferral_needs_a_future_date_and_comes_back_when_it_passes(hr_lead):
    risk = at_level(make_risk(hr_lead), OwnerLevel.TEAM)
    decision = prepare(hr_lead, risks=[risk], outcome="deferred")
    with pytest.raises(ValidationError) as caught:
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert set(caught.value.message_dict) == {"deferred_to"}
    with pytest.raises(ValidationError):
        replan(decision, hr_lead, outcome="go", deferred_to=LATER)  # only a deferral has a date
    replan(decision, hr_lead, deferred_to=TODAY + datetime.timedelta(days=1))
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert not StrategicDecision.objects.deferral_passed(TODAY).exists()
    assert list(StrategicDecision.objects.deferral_passed(TODAY + datetime.timedelta(days=1))) == [fresh(decision)]


@pytest.mark.django_db
def test_overdue_conditions_are_those_open_and_past_due_on_decisions_taken(hr_lead):
    risk = at_level(make_risk(hr_lead), OwnerLevel.TEAM)
    decision = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
    late = decision_actions.add_condition(decision=decision, text="Audit", owner=hr_lead.user,
                                          due_on=TODAY - datetime.timedelta(days=2), by=hr_lead)
    decision_actions.add_condition(decision=decision, text="Partner", owner=hr_lead.user, due_on=LATER, by=hr_lead)
    assert list(queries.overdue_conditions(hr_lead, TODAY)) == []  # a draft's conditions are not yet owed
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    assert list(queries.overdue_conditions(hr_lead, TODAY)) == [late]
    decision_actions.update_condition(condition=late, text="Audit", owner=hr_lead.user, due_on=late.due_on,
                                      status="met", note="", by=hr_lead)
    assert list(queries.overdue_conditions(hr_lead, TODAY)) == []


@pytest.mark.django_db
def test_mitigation_statuses_that_count_as_unmitigable(hr_lead):
    # The marker's rule reads the two explicit statuses R4 gives "no mitigation", nothing else.
    risk = make_risk(hr_lead, scale=5, scope=5, irremediability=4)
    decision = prepare(hr_lead, risks=[risk])
    for status in MitigationStatus.values:
        fields = {"reason": "why", "remedy_plan": "remedy"} if status in ("not_mitigated", "cannot_mitigate") else {}
        mitigation = make_mitigation(hr_lead, risk, status=status, **fields)
        flagged = StrategicDecision.objects.with_against_severe_risk().get(pk=decision.pk).against_severe_risk
        assert flagged == (status in ("not_mitigated", "cannot_mitigate")), status
        mitigation.delete()


@pytest.mark.django_db
def test_the_board_is_told_by_email_when_a_decision_awaits_it(hr_lead, board, django_capture_on_commit_callbacks):
    from django.core import mail

    risk = at_level(make_risk(hr_lead), OwnerLevel.BOARD)
    decision = prepare(hr_lead, risks=[risk], outcome="go_with_conditions")
    condition = decision_actions.add_condition(decision=decision, text="Audit", owner=hr_lead.user, due_on=LATER,
                                               by=hr_lead)
    with django_capture_on_commit_callbacks(execute=True):
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    (sent,) = mail.outbox
    assert sent.to == [board.user.email] and decision.title in sent.subject
    assert f"/risks/decisions/{decision.pk}/" in sent.body and hr_lead.user.display_name in sent.body
    decision_actions.sign_off_decision(decision=decision, comment="Agreed.", by=board)
    with django_capture_on_commit_callbacks(execute=True):
        decision_actions.update_condition(condition=condition, text="A wider audit", owner=hr_lead.user,
                                          due_on=LATER, status="open", note="", by=hr_lead)
    assert len(mail.outbox) == 2  # asked again once what was signed changed
