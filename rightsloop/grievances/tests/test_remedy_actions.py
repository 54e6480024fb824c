"""Remedy plans (M3) through their actions: plans, proposals as inputs with decisions, actions, confirmations."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.actions import record_decision
from rightsloop.engagements.models import Engagement, Input
from rightsloop.engagements.vocabulary import EngagementType, LoopState
from rightsloop.grievances.actions import remedy
from rightsloop.grievances.models import ActionConfirmation, Grievance, HandlerExclusion, RemedyAction, StageChange
from rightsloop.grievances.remedy_queries import case_proposals, outcome_types
from rightsloop.grievances.vocabulary import ActionStatus, RemedyType, Stage
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories_remedy import DESCRIPTION, make_case

pytestmark = pytest.mark.django_db

PROPOSAL = "Refund both fares to Amina and restore her account"
ACTION = "Refund the double charge to Amina's wallet"


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def case(organisation):
    return make_case(organisation)


@pytest.fixture
def plan(case, hr_lead):
    return remedy.create_plan(grievances=[case], title="Refunds for FareApp", by=hr_lead)


def _action(plan, hr_lead, **fields):
    values = {"remedy_type": RemedyType.RESTITUTION, "description": ACTION, "owner": hr_lead.user,
              "due_on": _tomorrow()}
    values.update(fields)
    return remedy.add_action(plan=plan, by=hr_lead, **values)


def _contents_absent_from_audit(*texts):
    summaries = " ".join(AuditEntry.objects.values_list("summary", flat=True))
    for text in texts:
        assert text not in summaries


# Plans ------------------------------------------------------------------------------------------------------

def test_a_plan_for_one_case_opens_a_remedy_dialogue(case, hr_lead):
    plan = remedy.create_plan(grievances=[case], title="Refunds for FareApp", by=hr_lead)
    case.refresh_from_db()
    assert case.remedy_plan_id == plan.pk
    engagement = plan.engagement
    assert engagement.type == EngagementType.REMEDY_DIALOGUE
    assert engagement.phases == ["remedy"]
    assert engagement.owner == hr_lead.user
    assert "Refunds" not in engagement.title  # the dialogue is named by the plan's number only
    entry = AuditEntry.objects.get(action="remedy_plan.created")
    assert case.label in entry.summary
    _contents_absent_from_audit(DESCRIPTION, "Refunds for FareApp")


def test_a_plan_groups_several_cases(organisation, hr_lead):
    cases = [make_case(organisation) for _ in range(3)]
    plan = remedy.create_plan(grievances=cases, title="Group", by=hr_lead)
    assert set(plan.grievances.values_list("pk", flat=True)) == {case.pk for case in cases}
    assert Engagement.objects.filter(type=EngagementType.REMEDY_DIALOGUE).count() == 1


def test_another_organisations_case_is_refused(organisation, other_organisation, hr_lead):
    ours, theirs = make_case(organisation), make_case(other_organisation)
    with pytest.raises(ValidationError) as error:
        remedy.create_plan(grievances=[ours, theirs], title="Group", by=hr_lead)
    assert "grievances" in error.value.message_dict
    assert not Grievance.objects.filter(remedy_plan__isnull=False).exists()
    assert not Engagement.objects.exists()


def test_a_case_in_another_plan_is_refused(organisation, plan, hr_lead, case):
    other = make_case(organisation)
    with pytest.raises(ValidationError, match="already has a remedy plan"):
        remedy.create_plan(grievances=[other, case], title="Again", by=hr_lead)
    other.refresh_from_db()
    assert other.remedy_plan_id is None


def test_a_case_the_handler_is_excluded_from_is_refused(organisation, hr_lead):
    case = make_case(organisation)
    HandlerExclusion.objects.create(grievance=case, user=hr_lead.user, reason="named", at=timezone.now())
    with pytest.raises(ValidationError, match="not yours"):
        remedy.create_plan(grievances=[case], title="Plan", by=hr_lead)


def test_members_who_do_not_handle_cases_cannot_open_a_plan(case, admin):
    with pytest.raises(ValidationError, match="not yours"):
        remedy.create_plan(grievances=[case], title="Plan", by=admin)


@pytest.mark.parametrize("stage", [Stage.CLOSED, Stage.NOT_ADMISSIBLE])
def test_a_finished_case_gets_no_plan(organisation, hr_lead, stage):
    with pytest.raises(ValidationError, match="closed or not admissible"):
        remedy.create_plan(grievances=[make_case(organisation, stage=stage)], title="Plan", by=hr_lead)


def test_empty_title_and_no_cases_are_refused(case, hr_lead):
    with pytest.raises(ValidationError) as error:
        remedy.create_plan(grievances=[case], title="   ", by=hr_lead)
    assert "title" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        remedy.create_plan(grievances=[], title="Plan", by=hr_lead)
    assert "grievances" in error.value.message_dict


def test_cases_are_added_and_removed_but_the_last_one_stays(organisation, plan, case, hr_lead):
    other = make_case(organisation)
    remedy.add_case_to_plan(plan=plan, grievance=other, by=hr_lead)
    assert plan.grievances.count() == 2
    remedy.remove_case_from_plan(plan=plan, grievance=other, by=hr_lead)
    other.refresh_from_db()
    assert other.remedy_plan_id is None
    with pytest.raises(ValidationError, match="at least one case"):
        remedy.remove_case_from_plan(plan=plan, grievance=case, by=hr_lead)


# Proposals ----------------------------------------------------------------------------------------------------

def test_a_proposal_is_an_input_of_the_dialogue_and_the_loop_closes_on_its_decision(plan, case, hr_lead):
    item, created = remedy.record_proposal(plan=plan, grievance=case, text=PROPOSAL, via="follow_up")
    assert created
    assert item.engagement_id == plan.engagement_id
    assert item.recorded_by is None and item.speaker is None and item.attribution == "anonymised"
    assert item.text == PROPOSAL
    engagement = Engagement.objects.get(pk=plan.engagement_id)
    assert (engagement.inputs_count, engagement.decided_count, engagement.loop_state) == (1, 0, LoopState.OPEN)
    record_decision(input=item, outcome="partly_adopted", rationale="The refund yes; the account after review",
                    by=hr_lead)
    engagement.refresh_from_db()
    assert (engagement.inputs_count, engagement.decided_count, engagement.loop_state) == (1, 1, LoopState.CLOSED)
    assert [p.pk for p in case_proposals(Grievance.objects.get(pk=case.pk))] == [item.pk]
    _contents_absent_from_audit(PROPOSAL)


def test_the_same_proposal_sent_twice_is_recorded_once(plan, case):
    first, created = remedy.record_proposal(plan=plan, grievance=case, text=PROPOSAL, via="follow_up",
                                            submission_key="form-1")
    again, created_again = remedy.record_proposal(plan=plan, grievance=case, text=PROPOSAL, via="follow_up",
                                                  submission_key="form-1")
    assert created and not created_again and first.pk == again.pk
    assert Input.objects.count() == 1


def test_only_the_human_rights_team_decides_on_proposals(plan, case, decision_maker):
    item, _created = remedy.record_proposal(plan=plan, grievance=case, text=PROPOSAL, via="follow_up")
    with pytest.raises(PermissionDenied):
        record_decision(input=item, outcome="adopted", by=decision_maker)


def test_proposals_of_each_case_stay_apart_in_a_group_plan(organisation, hr_lead):
    first, second = make_case(organisation), make_case(organisation)
    plan = remedy.create_plan(grievances=[first, second], title="Group", by=hr_lead)
    mine, _ = remedy.record_proposal(plan=plan, grievance=first, text="Mine", via="follow_up")
    theirs, _ = remedy.record_proposal(plan=plan, grievance=second, text="Theirs", via="staff", by=hr_lead)
    assert [p.pk for p in case_proposals(Grievance.objects.get(pk=first.pk))] == [mine.pk]
    assert [p.pk for p in case_proposals(Grievance.objects.get(pk=second.pk))] == [theirs.pk]
    assert theirs.recorded_by == hr_lead.user


def test_empty_or_huge_proposals_and_cases_outside_the_plan_are_refused(organisation, plan, case):
    for text in ("", "   ", "x" * 20_001):
        with pytest.raises(ValidationError) as error:
            remedy.record_proposal(plan=plan, grievance=case, text=text, via="follow_up")
        assert "text" in error.value.message_dict
    with pytest.raises(ValidationError, match="not in the plan"):
        remedy.record_proposal(plan=plan, grievance=make_case(organisation), text=PROPOSAL, via="follow_up")
    assert not Input.objects.exists()


def test_a_registered_complainant_speaks_in_the_dialogue_unless_at_risk(organisation, hr_lead):
    normal = make_stakeholder(hr_lead)
    at_risk = make_stakeholder(hr_lead, safety_level="high")
    known, protected = make_case(organisation, stakeholder=normal), make_case(organisation, stakeholder=at_risk)
    plan = remedy.create_plan(grievances=[known, protected], title="Group", by=hr_lead)
    participants = set(plan.engagement.participations.values_list("stakeholder_id", flat=True))
    assert participants == {normal.pk}
    heard, _ = remedy.record_proposal(plan=plan, grievance=known, text=PROPOSAL, via="staff", by=hr_lead)
    unnamed, _ = remedy.record_proposal(plan=plan, grievance=protected, text=PROPOSAL, via="follow_up")
    assert heard.speaker.stakeholder_id == normal.pk
    assert unnamed.speaker_id is None


# Actions ------------------------------------------------------------------------------------------------------

def test_an_action_needs_an_owner_of_the_organisation_and_a_due_date_not_past(plan, hr_lead, other_organisation):
    outsider = make_member(other_organisation, Role.HR_LEAD)
    with pytest.raises(ValidationError) as error:
        _action(plan, hr_lead, owner=outsider.user, due_on=timezone.localdate() - datetime.timedelta(days=1),
                remedy_type="bribe", description=" ")
    assert set(error.value.message_dict) == {"owner", "due_on", "remedy_type", "description"}
    assert not RemedyAction.objects.exists()


def test_any_member_may_own_an_action_and_it_may_answer_a_proposal(plan, case, hr_lead, decision_maker):
    item, _ = remedy.record_proposal(plan=plan, grievance=case, text=PROPOSAL, via="follow_up")
    action = _action(plan, hr_lead, owner=decision_maker.user, proposal=item, remedy_type=RemedyType.CHANGE)
    assert (action.owner, action.proposal, action.status) == (decision_maker.user, item, ActionStatus.PLANNED)
    _contents_absent_from_audit(ACTION)


def test_a_proposal_of_another_plan_is_refused(organisation, plan, hr_lead):
    other_case = make_case(organisation)
    other_plan = remedy.create_plan(grievances=[other_case], title="Other", by=hr_lead)
    item, _ = remedy.record_proposal(plan=other_plan, grievance=other_case, text=PROPOSAL, via="follow_up")
    with pytest.raises(ValidationError) as error:
        _action(plan, hr_lead, proposal=item)
    assert "proposal" in error.value.message_dict


def test_an_action_changes_until_it_is_confirmed(plan, case, hr_lead):
    action = _action(plan, hr_lead)
    past = timezone.localdate() - datetime.timedelta(days=3)
    RemedyAction.objects.filter(pk=action.pk).update(due_on=past)
    action.refresh_from_db()
    # A due date already passed may stay; it may not be moved into the past.
    remedy.update_action(action=action, remedy_type=RemedyType.COMPENSATION, description="Pay 40 USD",
                         owner=hr_lead.user, due_on=past, by=hr_lead)
    action.refresh_from_db()
    assert (action.remedy_type, action.description) == (RemedyType.COMPENSATION, "Pay 40 USD")
    with pytest.raises(ValidationError) as error:
        remedy.update_action(action=action, remedy_type=RemedyType.COMPENSATION, description="Pay 40 USD",
                             owner=hr_lead.user, due_on=past - datetime.timedelta(days=1), by=hr_lead)
    assert "due_on" in error.value.message_dict
    remedy.mark_delivered(action=action, by=hr_lead)
    remedy.confirm_or_dispute(action=action, grievance=case, answer="confirmed", via="follow_up")
    with pytest.raises(ValidationError, match="can no longer change"):
        remedy.update_action(action=action, remedy_type=RemedyType.COMPENSATION, description="Pay 50 USD",
                             owner=hr_lead.user, due_on=_tomorrow(), by=hr_lead)


# Confirmations --------------------------------------------------------------------------------------------------

def test_only_a_delivered_action_can_be_confirmed_or_disputed(plan, case, hr_lead):
    action = _action(plan, hr_lead)
    for answer in ("confirmed", "disputed"):
        with pytest.raises(ValidationError, match="Only an action marked delivered"):
            remedy.confirm_or_dispute(action=action, grievance=case, answer=answer, via="follow_up")
    assert not ActionConfirmation.objects.exists()


def test_a_confirmation_confirms_the_action(plan, case, hr_lead):
    action = remedy.mark_delivered(action=_action(plan, hr_lead), by=hr_lead)
    assert action.status == ActionStatus.DELIVERED and action.delivered_at
    remedy.confirm_or_dispute(action=action, grievance=case, answer="confirmed", note="Got the money", via="follow_up")
    action.refresh_from_db()
    assert action.status == ActionStatus.CONFIRMED and action.confirmed_at
    # Sent again (a form posted twice): one confirmation.
    remedy.confirm_or_dispute(action=action, grievance=case, answer="confirmed", note="Got the money", via="follow_up")
    assert ActionConfirmation.objects.count() == 1
    _contents_absent_from_audit("Got the money")
    with pytest.raises(ValidationError, match="Only a planned or disputed"):
        remedy.mark_delivered(action=action, by=hr_lead)


def test_a_dispute_reopens_the_action_and_the_closed_case(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.REMEDY_DELIVERING)
    plan = remedy.create_plan(grievances=[case], title="Plan", by=hr_lead)
    action = remedy.mark_delivered(action=_action(plan, hr_lead), by=hr_lead)
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_at=timezone.now())
    case.refresh_from_db()
    remedy.confirm_or_dispute(action=action, grievance=case, answer="disputed", note="Only one fare came back",
                              via="follow_up")
    action.refresh_from_db()
    case.refresh_from_db()
    assert action.status == ActionStatus.DISPUTED and action.disputed_at and action.confirmed_at is None
    assert case.stage == Stage.REMEDY_DELIVERING and case.closed_at is None
    change = StageChange.objects.filter(grievance=case).latest("at", "id")
    assert (change.from_stage, change.to_stage) == (Stage.CLOSED, Stage.REMEDY_DELIVERING)
    assert change.note  # what the person is told
    assert AuditEntry.objects.filter(action="grievance.stage_changed", target_id=str(case.pk)).exists()
    _contents_absent_from_audit("Only one fare came back")
    # It must be delivered again before anyone can answer.
    with pytest.raises(ValidationError, match="Only an action marked delivered"):
        remedy.confirm_or_dispute(action=action, grievance=case, answer="confirmed", via="follow_up")
    remedy.mark_delivered(action=action, by=hr_lead)
    remedy.confirm_or_dispute(action=action, grievance=case, answer="confirmed", via="proxy", by=hr_lead)
    action.refresh_from_db()
    assert action.status == ActionStatus.CONFIRMED


def test_a_dispute_leaves_a_case_being_delivered_where_it_is(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.REMEDY_DELIVERING)
    plan = remedy.create_plan(grievances=[case], title="Plan", by=hr_lead)
    action = remedy.mark_delivered(action=_action(plan, hr_lead), by=hr_lead)
    changes = StageChange.objects.filter(grievance=case).count()
    remedy.confirm_or_dispute(action=action, grievance=case, answer="disputed", via="follow_up")
    case.refresh_from_db()
    assert case.stage == Stage.REMEDY_DELIVERING
    assert StageChange.objects.filter(grievance=case).count() == changes


def test_in_a_group_plan_every_case_confirms_and_one_dispute_reopens(organisation, hr_lead):
    first, second = make_case(organisation), make_case(organisation)
    plan = remedy.create_plan(grievances=[first, second], title="Group", by=hr_lead)
    action = remedy.mark_delivered(action=_action(plan, hr_lead), by=hr_lead)
    remedy.confirm_or_dispute(action=action, grievance=first, answer="confirmed", via="follow_up")
    action.refresh_from_db()
    assert action.status == ActionStatus.DELIVERED
    with pytest.raises(ValidationError, match="already recorded"):
        remedy.confirm_or_dispute(action=action, grievance=first, answer="disputed", via="follow_up")
    remedy.confirm_or_dispute(action=action, grievance=second, answer="disputed", via="follow_up")
    action.refresh_from_db()
    assert action.status == ActionStatus.DISPUTED


def test_a_case_outside_the_plan_cannot_answer(organisation, plan, hr_lead):
    action = remedy.mark_delivered(action=_action(plan, hr_lead), by=hr_lead)
    with pytest.raises(ValidationError, match="not part of this case"):
        remedy.confirm_or_dispute(action=action, grievance=make_case(organisation), answer="confirmed",
                                  via="follow_up")


def test_outcome_types_are_the_types_of_the_plans_actions(organisation, plan, case, hr_lead):
    assert outcome_types(case) == []
    case.refresh_from_db()
    _action(plan, hr_lead, remedy_type=RemedyType.NON_REPETITION)
    _action(plan, hr_lead, remedy_type=RemedyType.APOLOGY)
    _action(plan, hr_lead, remedy_type=RemedyType.APOLOGY)
    assert outcome_types(case) == [RemedyType.APOLOGY, RemedyType.NON_REPETITION]
    assert remedy.outcome_types is outcome_types
    assert outcome_types(make_case(organisation)) == []


def test_erasing_a_case_destroys_its_proposals_words_but_keeps_their_decisions(organisation, hr_lead):
    first, second = make_case(organisation), make_case(organisation)
    plan = remedy.create_plan(grievances=[first, second], title="Group", by=hr_lead)
    mine, _ = remedy.record_proposal(plan=plan, grievance=first, text=PROPOSAL, via="follow_up")
    theirs, _ = remedy.record_proposal(plan=plan, grievance=second, text="Theirs", via="follow_up")
    record_decision(input=mine, outcome="adopted", by=hr_lead)
    assert remedy.erase_case_proposals(grievance=first, by=hr_lead) == 1
    mine, theirs = Input.objects.get(pk=mine.pk), Input.objects.get(pk=theirs.pk)
    assert mine.text == "" and mine.outcome == "adopted"
    assert theirs.text == "Theirs"
