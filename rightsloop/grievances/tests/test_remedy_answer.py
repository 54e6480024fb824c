"""The person's answer to a proposed remedy (actions/remedy_answer.py)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.models import Input
from rightsloop.grievances.actions import remedy
from rightsloop.grievances.actions.remedy_answer import answer_proposed_remedy
from rightsloop.grievances.models import CaseMessage, Grievance, HandlerExclusion, StageChange
from rightsloop.grievances.vocabulary import MessageDirection, Stage
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories_remedy import make_case

pytestmark = pytest.mark.django_db

WORDS = "Only if the refund reaches Amina's mobile money account, not the app wallet"


def test_agreeing_moves_the_case_to_remedy_agreed_and_tells_them(organisation):
    case = make_case(organisation, stage=Stage.REMEDY_PROPOSED)
    answer_proposed_remedy(grievance=case, agree=True, via="follow_up")
    case.refresh_from_db()
    assert case.stage == Stage.REMEDY_AGREED
    change = StageChange.objects.filter(grievance=case).latest("at")
    assert change.to_stage == Stage.REMEDY_AGREED and change.by is None and "agreed" in change.note
    # Sent twice (a second tap on a slow phone): one answer.
    answer_proposed_remedy(grievance=case, agree=True, via="follow_up")
    assert StageChange.objects.filter(grievance=case, to_stage=Stage.REMEDY_AGREED).count() == 1
    entry = AuditEntry.objects.filter(action="grievance.remedy_answered").get()
    assert "Amina" not in entry.summary


def test_not_agreeing_needs_their_words_and_becomes_a_proposal_of_the_plan(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.INVESTIGATING)
    plan = remedy.create_plan(grievances=[case], title="Refunds", by=hr_lead)
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.REMEDY_PROPOSED)
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        answer_proposed_remedy(grievance=case, agree=False, via="follow_up")
    assert "note" in refused.value.message_dict
    answer_proposed_remedy(grievance=case, agree=False, note=WORDS, via="follow_up")
    case.refresh_from_db()
    assert case.stage == Stage.REMEDY_PROPOSED  # the handler revises the proposal
    message = CaseMessage.objects.get(grievance=case)
    assert message.direction == MessageDirection.FROM_COMPLAINANT and message.text == WORDS
    assert [item.text for item in Input.objects.filter(engagement=plan.engagement)] == [WORDS]


def test_only_a_proposed_remedy_can_be_answered(organisation):
    case = make_case(organisation, stage=Stage.INVESTIGATING)
    with pytest.raises(ValidationError):
        answer_proposed_remedy(grievance=case, agree=True, via="follow_up")
    with pytest.raises(ValidationError):
        answer_proposed_remedy(grievance=case, agree=True, via="pigeon")


def test_a_handler_records_an_answer_given_by_phone_unless_excluded(organisation, hr_lead):
    case = make_case(organisation, stage=Stage.REMEDY_PROPOSED)
    board = make_member(organisation, Role.BOARD)
    with pytest.raises(PermissionDenied):
        answer_proposed_remedy(grievance=case, agree=True, via="staff", by=board)
    HandlerExclusion.objects.create(grievance=case, user=hr_lead.user, reason="named in it", at=case.received_at)
    with pytest.raises(PermissionDenied):
        answer_proposed_remedy(grievance=case, agree=True, via="staff", by=hr_lead)
    other = make_member(organisation, Role.HR_LEAD)
    answer_proposed_remedy(grievance=case, agree=True, via="staff", by=other)
    case.refresh_from_db()
    assert case.stage == Stage.REMEDY_AGREED


# Through the follow-up page and the API ------------------------------------------------------------------------

def test_the_person_agrees_on_the_follow_up_page_without_a_plan_yet(organisation, client):
    from .factories_remedy import follow

    case = make_case(organisation, stage=Stage.REMEDY_PROPOSED)
    follow(client, case)
    page = client.get(f"/g/{organisation.slug}/case/remedy/")
    body = page.content.decode()
    assert page.status_code == 200 and "<script" not in body
    assert f"/g/{organisation.slug}/case/remedy/agreement/" in body
    refused = client.post(f"/g/{organisation.slug}/case/remedy/agreement/", {"agree": "no", "note": ""})
    assert refused.status_code == 400 and "what would you want instead" in refused.content.decode()
    agreed = client.post(f"/g/{organisation.slug}/case/remedy/agreement/", {"agree": "yes"})
    assert agreed.status_code == 302
    case.refresh_from_db()
    assert case.stage == Stage.REMEDY_AGREED
    # Once agreed, the question is not asked again.
    assert "/case/remedy/agreement/" not in client.get(f"/g/{organisation.slug}/case/remedy/").content.decode()


def test_the_agreement_page_needs_the_followed_case(organisation, client):
    answered = client.post(f"/g/{organisation.slug}/case/remedy/agreement/", {"agree": "yes"})
    assert answered.status_code == 302 and "/case/remedy/" not in answered["Location"]


def test_the_person_agrees_through_the_api_with_their_receipt(organisation):
    from django.core.cache import cache
    from django.test import Client

    from .test_remedy_api import _with_receipt

    cache.clear()
    _case, receipt = _with_receipt(organisation, stage=Stage.REMEDY_PROPOSED)
    url = f"/api/v1/public/grievances/{organisation.slug}/follow-up/remedy-agreement"
    wrong = Client().post(url, {"receipt": receipt, "agree": False}, content_type="application/json")
    assert wrong.status_code == 400 and "note" in wrong.json()["errors"]
    done = Client().post(url, {"receipt": receipt, "agree": True}, content_type="application/json")
    assert done.status_code == 200 and done.json() == {"stage": Stage.REMEDY_AGREED}
    cache.clear()


def test_a_remedy_dialogue_is_for_grievance_handlers_only(organisation, hr_lead, admin, auditor):
    """The affected people's proposals are case content: administrators and auditors, who may read every other
    engagement, do not see the remedy dialogue or its inputs."""
    from rightsloop.engagements.queries import visible_engagements, visible_inputs

    case = make_case(organisation, stage=Stage.INVESTIGATING)
    plan = remedy.create_plan(grievances=[case], title="Refunds", by=hr_lead)
    remedy.record_proposal(plan=plan, grievance=case, text=WORDS, via="follow_up")
    assert list(visible_engagements(hr_lead)) == [plan.engagement]
    assert visible_inputs(hr_lead).count() == 1
    for outsider in (admin, auditor):
        assert not visible_engagements(outsider).exists() and not visible_inputs(outsider).exists()


def test_a_plan_for_a_case_a_proxy_filed_for_its_group_from_the_portal(organisation, hr_lead):
    """The portal records the proxy as the case's stakeholder and its proxy: it speaks in its own name."""
    proxy = make_stakeholder(hr_lead, name="Gikomba Traders Association", kind="proxy")
    case = make_case(organisation, stage=Stage.INVESTIGATING, stakeholder=proxy, proxy=proxy)
    plan = remedy.create_plan(grievances=[case], title="Frozen wallets", by=hr_lead)
    item, _created = remedy.record_proposal(plan=plan, grievance=case, text=WORDS, via="portal", by=hr_lead)
    assert item.speaker.stakeholder == proxy and item.speaker.via_proxy is None


def test_a_dispute_reopens_a_case_closed_after_the_caller_read_it(organisation, hr_lead):
    import datetime

    from django.utils import timezone

    case = make_case(organisation, stage=Stage.REMEDY_DELIVERING)
    plan = remedy.create_plan(grievances=[case], title="Refunds", by=hr_lead)
    action = remedy.add_action(plan=plan, remedy_type="restitution", description="Refund", owner=hr_lead.user,
                               due_on=timezone.localdate() + datetime.timedelta(days=1), by=hr_lead)
    remedy.mark_delivered(action=action, by=hr_lead)
    stale = Grievance.objects.get(pk=case.pk)
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, closed_at=timezone.now())
    remedy.confirm_or_dispute(action=action, grievance=stale, answer="disputed", note="Only half", via="follow_up")
    assert Grievance.objects.get(pk=case.pk).stage == Stage.REMEDY_DELIVERING
