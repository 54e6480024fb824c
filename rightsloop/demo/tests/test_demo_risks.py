"""The demo's salient risks, mitigations, strategic decisions and context events (issue 4)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from rightsloop.accounts.models import Membership
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import AuditEntry, Organisation
from rightsloop.demo import content
from rightsloop.demo import risks as demo_risks
from rightsloop.engagements.representation import who_was_heard
from rightsloop.risks import actions, gate, queries, scales
from rightsloop.risks.models import (
    ContextEvent,
    EscalationRule,
    Evidence,
    Mitigation,
    ReassessmentFlag,
    Risk,
    StrategicDecision,
)
from rightsloop.risks.vocabulary import DecisionCategory, DecisionStatus, MitigationStatus, OwnerLevel
from rightsloop.stakeholders.vocabulary import Kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation(loaded_demo):
    """The demo's company; the demo is loaded once for the module (conftest.py), each test's changes undone."""
    return Organisation.objects.get(slug=content.ORGANISATION_SLUG)


@pytest.fixture
def hr_lead(organisation) -> Viewer:
    return Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
        organisation=organisation, user__username=content.HR_LEAD))


def test_about_fifteen_risks_across_the_products_with_a_spread_on_the_heat_map(organisation, hr_lead):
    # Besides these, the East African assessment's finding registered one of its own (demo/assessments.py).
    from_findings = Risk.objects.for_organisation(organisation).filter(assessment_findings__isnull=False).count()
    assert from_findings == 1
    risks = Risk.objects.for_organisation(organisation).filter(assessment_findings__isnull=True)
    assert risks.count() == len(demo_risks.RISKS) == 15
    assert set(risks.values_list("product", flat=True)) == {
        "Kestrel Chat", "KestrelPay", "KestrelPay Crédito", "Kestrel Cloud Vision"}
    # Every risk went through create_risk: a history entry and an audit entry each.
    assert all(risk.changes.count() == 1 for risk in risks)
    assert AuditEntry.objects.filter(organisation=organisation, action="risk.registered").count() == 15 + 1
    grid = queries.heat_map(hr_lead)
    assert sum(map(sum, grid)) == 15 + 1
    assert sum(1 for row in grid if any(row)) == 5  # every severity band is used
    assert sum(1 for column in zip(*grid, strict=True) if any(column)) >= 4
    assert risks.severe().count() >= 5
    assert risks.filter(severity__lt=scales.SEVERE).count() >= 5


def test_escalation_rules_put_some_risks_before_the_board_and_the_executive(organisation, hr_lead):
    # The demo company is new: it follows the default, severity-first rules.
    assert not EscalationRule.objects.filter(organisation=organisation).exists()
    risks = Risk.objects.for_organisation(organisation)
    levels = set(risks.values_list("owner_level", flat=True))
    assert levels == set(OwnerLevel.values)
    board = list(queries.board_risks(hr_lead))
    assert board and all(r.owner_level == OwnerLevel.BOARD for r in board)
    assert {r.title for r in board} >= {"Mass-forwarded messages out LGBTIQ+ people in Uganda"}
    # Severe, irremediable and unlikely: at the board because severity comes first.
    children = risks.get(title="Age estimation from face scans creates biometric data about children")
    assert (children.is_severe, children.irremediability, children.likelihood, children.owner_level) == (
        True, 5, 2, OwnerLevel.BOARD)
    assert AuditEntry.objects.filter(organisation=organisation, action="risk.escalated").count() == 10


def test_some_reviews_are_overdue(organisation, hr_lead):
    today = timezone.localdate()
    overdue = list(queries.due_for_review(hr_lead, today))
    assert len(overdue) == 2
    assert all(r.review_on < today for r in overdue)


def test_mitigations_in_every_state_with_reasons_remedies_indicators_and_views_from_the_ground(organisation):
    mitigations = Mitigation.objects.filter(organisation=organisation)
    assert set(mitigations.values_list("status", flat=True)) == set(MitigationStatus.values)
    unmitigated = mitigations.unmitigated()
    assert unmitigated.count() >= 3
    assert all(m.reason and m.remedy_plan for m in unmitigated)
    # Only the risk an assessment's finding registered last week waits for its first mitigation.
    waiting = Risk.objects.for_organisation(organisation).filter(mitigations__isnull=True)
    assert [risk.assessment_findings.exists() for risk in waiting] == [True]
    evidence = Evidence.objects.filter(indicator__mitigation__organisation=organisation)
    assert evidence.count() >= 10
    assert evidence.values("indicator").distinct().count() >= 4
    from_the_ground = evidence.filter(input__isnull=False)
    assert from_the_ground.count() >= 3
    assert set(from_the_ground.values_list("input__organisation", flat=True)) == {organisation.pk}
    assert mitigations.filter(inputs__isnull=False).distinct().count() >= 5


def test_inputs_are_linked_and_who_was_heard_shows_breakdowns_and_gaps(organisation, hr_lead):
    risks = Risk.objects.for_organisation(organisation)
    assert risks.filter(inputs__isnull=False).distinct().count() == 13

    credit = risks.get(title__startswith="Credit scoring")
    heard = who_was_heard(queries.risk_inputs(hr_lead, credit), markets=credit.market_codes)
    assert heard.inputs == 5 and heard.voices == 5
    kinds = dict(heard.by_kind)
    assert kinds[str(Kind.AFFECTED.label)] == 2 and kinds[str(Kind.EXPERT.label)] == 2
    assert heard.by_language and heard.by_region

    ethiopia = risks.get(markets__country="ET", title__startswith="Incitement")
    gaps = who_was_heard(queries.risk_inputs(hr_lead, ethiopia), markets=ethiopia.market_codes).gaps
    assert any("No affected voices" in gap for gap in gaps)

    vision = risks.get(product="Kestrel Cloud Vision")
    assert who_was_heard(queries.risk_inputs(hr_lead, vision), markets=vision.market_codes).gaps == [
        "Nobody has been heard on this yet."]


def test_who_was_heard_counts_unattributed_inputs_and_flags_dominant_voices(organisation, hr_lead):
    fraud = Risk.objects.for_organisation(organisation).get(title__startswith="Impersonation fraud")
    heard = who_was_heard(queries.risk_inputs(hr_lead, fraud), markets=fraud.market_codes)
    # Wanjiku spoke twice, the traders' association and the rights lab once, and one speaker was not noted.
    assert (heard.inputs, heard.unattributed_inputs, heard.voices) == (5, 1, 3)
    assert heard.top_share == pytest.approx(4 / 5)
    assert heard.global_south == {"yes": 3, "no": 0, "unknown": 0}
    assert any("dominate" in gap for gap in heard.gaps)
    assert not any("No voices from the markets" in gap for gap in heard.gaps)


def test_the_market_entry_is_blocked_by_a_severe_unmitigated_risk(organisation, hr_lead):
    decision = demo_risks.blocked_decision(organisation)
    assert decision.category == DecisionCategory.MARKET_ENTRY
    assert decision.status == DecisionStatus.DRAFT
    missing = actions.blockers(decision)
    assert list(missing) == ["risks", "local_voices"]
    assert "Incitement" in missing["risks"]
    # Nobody from Ethiopia was heard on it: the gate names each missing voice and the main languages.
    assert "Ethiopia: 0 of 1 local expert heard" in missing["local_voices"]
    assert "Amharic" in missing["local_voices"]
    severe = decision.risks.get(title__startswith="Incitement")
    assert severe.is_severe
    assert not severe.mitigations.exclude(status=MitigationStatus.PLANNED).exists()
    with pytest.raises(actions.ValidationError):
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT


def test_the_other_decision_walked_all_four_steps_and_was_taken(organisation):
    decision = StrategicDecision.objects.for_organisation(organisation).get(
        status=DecisionStatus.DECIDED, category=DecisionCategory.BUSINESS_MODEL)
    assert decision.decided_at and decision.decided_by.username == content.ADMIN
    assert decision.risk_picture and decision.mitigation_plan and decision.remedy_plan
    assert decision.communication == "formal_report" and decision.communication_is_safe
    assert decision.engagements.exists() and decision.inputs.count() == 3
    assert actions.blockers(decision) == {}
    assert set(AuditEntry.objects.filter(organisation=organisation, target_id=str(decision.pk),
                                         action__startswith="strategic_decision.")
               .values_list("action", flat=True)) >= {"strategic_decision.created", "strategic_decision.changed",
                                                      "strategic_decision.decided"}


def test_the_board_let_the_bangladesh_launch_past_the_gate_with_its_reason(organisation):
    decision = demo_risks.board_decision(organisation)
    voices = gate.local_voices(decision)
    assert voices.applies and voices.overridden and not voices.heard and not voices.blocks
    (bangladesh,) = voices.markets
    assert (bangladesh.country, bangladesh.experts, bangladesh.affected) == ("BD", 0, 2)
    assert "Dhaka" in decision.local_voices_override_reason


def test_a_market_entry_signed_off_by_the_board_with_conditions_one_met(organisation, hr_lead):
    decision = demo_risks.board_decision(organisation)
    assert (decision.category, decision.status, decision.outcome) == (
        DecisionCategory.MARKET_ENTRY, DecisionStatus.DECIDED, "go_with_conditions")
    assert decision.risks.filter(owner_level=OwnerLevel.BOARD).exists()
    (signed,) = decision.sign_offs.all()
    assert signed.by.username == "helena" and signed.comment and len(signed.conditions) == 3
    conditions = list(decision.conditions.order_by("due_on"))
    assert all(c.owner_id and c.due_on for c in conditions)
    assert sorted(c.status for c in conditions) == ["met", "open", "open"]
    assert StrategicDecision.objects.with_against_severe_risk().get(pk=decision.pk).against_severe_risk
    assert [c.pk for c in queries.overdue_conditions(hr_lead, timezone.localdate())] == [conditions[0].pk]


def test_context_events_flag_the_mitigations_they_touch(organisation):
    events = ContextEvent.objects.for_organisation(organisation)
    assert events.count() == 3
    flagged = Mitigation.objects.filter(organisation=organisation).flagged()
    assert flagged.exists()
    for event in events:
        touched = actions.touched_mitigations(event)
        assert touched, event.title
        # Each touched mitigation still awaits reassessment, or was reassessed in answer to this event.
        answered = set(ReassessmentFlag.objects.filter(event=event, answered_by__isnull=False)
                       .values_list("mitigation_id", flat=True))
        assert {m.pk for m in touched} <= set(flagged.values_list("pk", flat=True)) | answered
    law = events.get(kind="new_law")
    assert set(Mitigation.objects.filter(flagged_by=law).values_list("risk__markets__country", flat=True)) >= {"BD"}
    assert Mitigation.objects.filter(organisation=organisation, needs_reassessment=False).exists()


def test_reset_rebuilds_the_same_risks(organisation):
    from rightsloop.demo.loader import count_demo

    before = count_demo(organisation, timezone.localdate())
    # Three decisions of demo/risks.py and the one on scanning Kestrel Chat (demo/consensus.py).
    assert before.risks == 15 + 1 and before.strategic_decisions == 3 + 1 and before.context_events == 3

    call_command("load_demo", "--reset", stdout=StringIO())

    assert count_demo(organisation, timezone.localdate()) == before


def test_a_mitigation_judged_effective_then_not_effective_after_a_change_of_law(organisation):
    law = ContextEvent.objects.for_organisation(organisation).get(kind="new_law")
    mitigation = Mitigation.objects.get(organisation=organisation, action__startswith="Encrypt location records")
    assert (mitigation.effectiveness, mitigation.needs_reassessment, mitigation.flagged_by) == (
        "not_effective", False, law)
    before, after = mitigation.assessments.order_by("assessed_on")
    assert (before.judgement, after.judgement, after.answers) == ("effective", "not_effective", law)
    assert before.assessed_on < law.occurred_on <= after.assessed_on
    assert after.inputs.exists() and after.evidence.exists() and before.indicators.exists()
    flag = ReassessmentFlag.objects.get(mitigation=mitigation)
    assert (flag.event, flag.answered_by) == (law, after)
    moved = [sorted(change.changed_fields) for change in mitigation.changes.order_by("changed_at", "id")]
    assert moved[1:] == [["effectiveness"], ["flagged_by_id", "needs_reassessment"],
                         ["effectiveness", "needs_reassessment"]]
