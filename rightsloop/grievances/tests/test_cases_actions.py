"""Handling a case: every stage move allowed or refused, handlers and exclusions, messages, outcome, audit."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.grievances import stages
from rightsloop.grievances.actions import cases
from rightsloop.grievances.models import CaseMessage, Grievance, HandlerExclusion, StageChange
from rightsloop.grievances.vocabulary import MessageDirection, MessageVia, Stage

from .factories_cases import DESCRIPTION, make_case

pytestmark = pytest.mark.django_db

ALL_MOVES = [(current, target) for current in Stage.values for target in Stage.values]


@pytest.fixture
def case(organisation):
    return make_case(organisation)


def fresh(grievance) -> Grievance:
    return Grievance.objects.get(pk=grievance.pk)


def test_acknowledge_takes_an_unassigned_case_and_tells_the_person(case, hr_lead):
    cases.acknowledge(grievance=case, note="We have read it.", by=hr_lead)
    case = fresh(case)
    assert case.stage == Stage.ACKNOWLEDGED and case.acknowledged_at is not None
    assert case.handler_id == hr_lead.user.pk
    change = case.stage_changes.last()
    assert (change.from_stage, change.to_stage, change.note, change.by_id) == (
        Stage.RECEIVED, Stage.ACKNOWLEDGED, "We have read it.", hr_lead.user.pk)
    assert AuditEntry.objects.filter(action="grievance.stage_changed", target_id=str(case.pk)).count() == 1


def test_acknowledge_keeps_the_named_handler(organisation, hr_lead):
    colleague = make_member(organisation, Role.HR_LEAD)
    case = make_case(organisation, handler=colleague.user)
    cases.acknowledge(grievance=case, by=hr_lead)
    assert fresh(case).handler_id == colleague.user.pk


def test_acknowledge_twice_is_refused(case, hr_lead):
    cases.acknowledge(grievance=case, by=hr_lead)
    with pytest.raises(ValidationError) as error:
        cases.acknowledge(grievance=case, by=hr_lead)
    assert "stage" in error.value.message_dict
    assert StageChange.objects.filter(grievance=case).count() == 2  # receipt and one acknowledgement


@pytest.mark.parametrize(("current", "target"), ALL_MOVES)
def test_every_move_is_allowed_exactly_when_stages_next_allows_it(organisation, hr_lead, current, target):
    case = make_case(organisation, stage=current, outcome_summary="An apology and a fix.")
    extra = {"reasons": "Not about our products; the data protection authority can help."} \
        if target == Stage.NOT_ADMISSIBLE else {}
    if stages.allowed(current, target):
        cases.move_stage(grievance=case, to=target, note="told", by=hr_lead, **extra)
        assert fresh(case).stage == target
        assert StageChange.objects.filter(grievance=case, from_stage=current, to_stage=target).exists()
    else:
        with pytest.raises(ValidationError) as error:
            cases.move_stage(grievance=case, to=target, by=hr_lead, **extra)
        assert "to" in error.value.message_dict
        assert str(Stage(current).label).lower() in error.value.message_dict["to"][0]
        assert fresh(case).stage == current
        assert not StageChange.objects.filter(grievance=case, to_stage=target).exclude(
            to_stage=Stage.RECEIVED).exists()


def test_unknown_stage_is_refused(case, hr_lead):
    with pytest.raises(ValidationError) as error:
        cases.move_stage(grievance=case, to="teleported", by=hr_lead)
    assert "to" in error.value.message_dict


def test_not_admissible_needs_reasons_kept_sealed(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.ASSESSING)
    for empty in ("", "   "):
        with pytest.raises(ValidationError) as error:
            cases.move_stage(grievance=case, to=Stage.NOT_ADMISSIBLE, by=hr_lead, reasons=empty)
        assert "reasons" in error.value.message_dict
    assert fresh(case).stage == Stage.ASSESSING
    reasons = "Outside our products; the national ombudsman in Nairobi can take it."
    cases.move_stage(grievance=case, to=Stage.NOT_ADMISSIBLE, by=hr_lead, reasons=reasons)
    case = fresh(case)
    assert case.stage == Stage.NOT_ADMISSIBLE and case.not_admissible_reasons == reasons
    assert case.responded_at is not None and case.closed_at is not None
    raw = Grievance.objects.filter(pk=case.pk).values_list("not_admissible_reasons_sealed", flat=True).get()
    assert b"ombudsman" not in bytes(raw)


def test_reasons_on_another_move_are_refused(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.ASSESSING)
    with pytest.raises(ValidationError) as error:
        cases.move_stage(grievance=case, to=Stage.INVESTIGATING, by=hr_lead, reasons="why")
    assert "reasons" in error.value.message_dict


def test_responded_at_is_set_once_by_the_first_substantive_stage(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.INVESTIGATING)
    cases.move_stage(grievance=case, to=Stage.REMEDY_PROPOSED, by=hr_lead)
    first = fresh(case).responded_at
    assert first is not None
    cases.move_stage(grievance=case, to=Stage.INVESTIGATING, by=hr_lead)
    cases.move_stage(grievance=case, to=Stage.REMEDY_PROPOSED, by=hr_lead)
    assert fresh(case).responded_at == first


def test_investigating_is_not_a_substantive_response(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.ASSESSING)
    cases.move_stage(grievance=case, to=Stage.INVESTIGATING, by=hr_lead)
    assert fresh(case).responded_at is None


def test_closing_needs_the_outcome(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.REMEDY_DELIVERING)
    with pytest.raises(ValidationError) as error:
        cases.move_stage(grievance=case, to=Stage.CLOSED, by=hr_lead)
    assert "outcome" in error.value.message_dict["to"][0]
    cases.record_outcome(grievance=case, summary="Account restored and an apology given.", by=hr_lead)
    cases.move_stage(grievance=case, to=Stage.CLOSED, by=hr_lead)
    case = fresh(case)
    assert case.stage == Stage.CLOSED and case.closed_at is not None and case.responded_at is not None


def test_a_move_of_an_unassigned_case_takes_it(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.ASSESSING)
    cases.move_stage(grievance=case, to=Stage.INVESTIGATING, by=hr_lead)
    assert fresh(case).handler_id == hr_lead.user.pk


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_only_handlers_may_act(organisation, case, role):
    member = make_member(organisation, role)
    with pytest.raises(PermissionDenied):
        cases.acknowledge(grievance=case, by=member)
    with pytest.raises(PermissionDenied):
        cases.send_message(grievance=case, text="hello", by=member)
    assert fresh(case).stage == Stage.RECEIVED and not CaseMessage.objects.exists()


def test_an_excluded_handler_may_not_act(case, hr_lead, organisation):
    colleague = make_member(organisation, Role.HR_LEAD)
    cases.exclude_handler(grievance=case, user=hr_lead.user, reason="Named in the grievance", by=colleague)
    with pytest.raises(PermissionDenied):
        cases.acknowledge(grievance=case, by=hr_lead)
    with pytest.raises(PermissionDenied):
        cases.add_internal_note(grievance=case, text="note", by=hr_lead)


def test_a_handler_of_another_organisation_may_not_act(case, outsider):
    with pytest.raises(PermissionDenied):
        cases.acknowledge(grievance=case, by=outsider)


def test_assign_handler(case, hr_lead, organisation):
    colleague = make_member(organisation, Role.HR_LEAD)
    cases.assign_handler(grievance=case, handler=colleague.user, by=hr_lead)
    assert fresh(case).handler_id == colleague.user.pk
    cases.assign_handler(grievance=case, handler=None, by=hr_lead)
    assert fresh(case).handler_id is None
    assert AuditEntry.objects.filter(action="grievance.handler_assigned").count() == 2


def test_a_handler_outside_the_organisation_is_refused(case, hr_lead, outsider):
    with pytest.raises(ValidationError) as error:
        cases.assign_handler(grievance=case, handler=outsider.user, by=hr_lead)
    assert "outside the organisation" in error.value.message_dict["handler"][0]
    assert fresh(case).handler_id is None


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_a_member_without_handling_is_refused_as_handler(case, hr_lead, organisation, role):
    member = make_member(organisation, role)
    with pytest.raises(ValidationError) as error:
        cases.assign_handler(grievance=case, handler=member.user, by=hr_lead)
    assert "handler" in error.value.message_dict


def test_an_inactive_member_is_refused_as_handler(case, hr_lead, organisation):
    colleague = make_member(organisation, Role.HR_LEAD)
    colleague.user.is_active = False
    colleague.user.save(update_fields=["is_active"])
    with pytest.raises(ValidationError):
        cases.assign_handler(grievance=case, handler=colleague.user, by=hr_lead)


def test_exclusion_removes_the_handler_and_cannot_be_assigned_back(case, hr_lead, organisation):
    colleague = make_member(organisation, Role.HR_LEAD)
    cases.assign_handler(grievance=case, handler=colleague.user, by=hr_lead)
    reason = "Colleague is the brother of Wanjiru Kamau"
    cases.exclude_handler(grievance=case, user=colleague.user, reason=reason, by=hr_lead)
    assert fresh(case).handler_id is None
    with pytest.raises(ValidationError) as error:
        cases.assign_handler(grievance=case, handler=colleague.user, by=hr_lead)
    assert "excluded" in error.value.message_dict["handler"][0]
    with pytest.raises(ValidationError):
        cases.exclude_handler(grievance=case, user=colleague.user, reason="again", by=hr_lead)
    assert HandlerExclusion.objects.filter(grievance=case).count() == 1
    assert not AuditEntry.objects.filter(summary__icontains="Wanjiru").exists()


def test_exclusion_needs_a_reason_and_a_member(case, hr_lead, outsider):
    with pytest.raises(ValidationError) as error:
        cases.exclude_handler(grievance=case, user=hr_lead.user, reason=" ", by=hr_lead)
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        cases.exclude_handler(grievance=case, user=outsider.user, reason="conflict", by=hr_lead)
    assert "user" in error.value.message_dict
    assert not HandlerExclusion.objects.exists()


def test_messages_both_ways_and_notes(case, hr_lead):
    question = cases.send_message(grievance=case, text="When did it start?", is_question=True, by=hr_lead)
    note = cases.add_internal_note(grievance=case, text="Check the FaceCheck logs.", by=hr_lead)
    answer = cases.record_message_from_complainant(grievance=case, text="Last March, by phone",
                                                   via=MessageVia.STAFF, by=hr_lead)
    assert (question.direction, question.is_question, question.via) == (
        MessageDirection.TO_COMPLAINANT, True, MessageVia.FOLLOW_UP)
    assert note.direction == MessageDirection.INTERNAL
    assert (answer.direction, answer.via) == (MessageDirection.FROM_COMPLAINANT, MessageVia.STAFF)
    assert CaseMessage.objects.get(pk=answer.pk).text == "Last March, by phone"


@pytest.mark.parametrize("text", ["", "   ", "x" * (cases.MESSAGE_MAX + 1)])
def test_empty_or_huge_messages_are_refused(case, hr_lead, text):
    with pytest.raises(ValidationError) as error:
        cases.send_message(grievance=case, text=text, by=hr_lead)
    assert "text" in error.value.message_dict
    assert not CaseMessage.objects.exists()


def test_a_relayed_answer_names_how_it_came(case, hr_lead):
    with pytest.raises(ValidationError) as error:
        cases.record_message_from_complainant(grievance=case, text="yes", via=MessageVia.FOLLOW_UP, by=hr_lead)
    assert "via" in error.value.message_dict


def test_outcome_and_rights_review(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.INVESTIGATING)
    with pytest.raises(ValidationError):
        cases.review_rights(grievance=case, by=hr_lead)
    cases.record_outcome(grievance=case, summary="Account restored.", by=hr_lead)
    cases.review_rights(grievance=case, by=hr_lead)
    case = fresh(case)
    assert case.rights_reviewed_by_id == hr_lead.user.pk and case.rights_reviewed_at is not None
    cases.record_outcome(grievance=case, summary="Account restored and compensation paid.", by=hr_lead)
    case = fresh(case)
    assert case.outcome_summary == "Account restored and compensation paid."
    assert case.rights_reviewed_at is None  # a changed outcome is reviewed again


def test_no_outcome_for_a_received_case(case, hr_lead):
    with pytest.raises(ValidationError):
        cases.record_outcome(grievance=case, summary="done", by=hr_lead)
    with pytest.raises(ValidationError):
        cases.record_outcome(grievance=make_case(case.organisation, stage=Stage.ASSESSING), summary=" ", by=hr_lead)


def test_classification(case, hr_lead):
    cases.set_classification(grievance=case, rights=["privacy", "non_discrimination"], at_risk=["child"],
                             product="FaceCheck 2", country="ug", by=hr_lead)
    case = fresh(case)
    assert (case.rights, case.at_risk, case.product, case.country) == (
        ["non_discrimination", "privacy"], ["child"], "FaceCheck 2", "UG")


@pytest.mark.parametrize(("values", "field"), [
    ({"rights": ["flying"]}, "rights"),
    ({"rights": [3]}, "rights"),
    ({"at_risk": ["wizards"]}, "at_risk"),
    ({"country": "XX"}, "country"),
    ({"product": "p" * 201}, "product"),
])
def test_bad_classification_is_refused(case, hr_lead, values, field):
    given = {"rights": [], "at_risk": [], "product": "", "country": "", **values}
    with pytest.raises(ValidationError) as error:
        cases.set_classification(grievance=case, by=hr_lead, **given)
    assert field in error.value.message_dict
    assert fresh(case).country == "KE"


def test_audit_entries_carry_no_content(organisation, hr_lead):
    colleague = make_member(organisation, Role.HR_LEAD)
    case = make_case(organisation)
    secret = "Wanjiru"
    cases.acknowledge(grievance=case, note=f"Dear {secret}, we read it.", by=hr_lead)
    cases.move_stage(grievance=case, to=Stage.ASSESSING, note=f"{secret}: assessing", by=hr_lead)
    cases.send_message(grievance=case, text=f"{secret}, when?", by=hr_lead)
    cases.add_internal_note(grievance=case, text=f"{secret} called", by=hr_lead)
    cases.record_message_from_complainant(grievance=case, text=f"{secret} here", via=MessageVia.PROXY, by=hr_lead)
    cases.move_stage(grievance=case, to=Stage.NOT_ADMISSIBLE, reasons=f"{secret} should go to court", by=hr_lead)
    cases.exclude_handler(grievance=case, user=colleague.user, reason=f"knows {secret}", by=hr_lead)
    cases.record_case_read(grievance=case, by=hr_lead, where=f"/grievances/{case.pk}/")
    other = make_case(organisation, stage=Stage.INVESTIGATING)
    cases.record_outcome(grievance=other, summary=f"{secret} gets an apology", by=hr_lead)
    cases.review_rights(grievance=other, by=hr_lead)
    summaries = list(AuditEntry.objects.values_list("summary", flat=True))
    assert len(summaries) >= 10
    for summary in summaries:
        assert secret not in summary and DESCRIPTION not in summary and "court" not in summary
    assert str(case) == f"G-{case.number}"
