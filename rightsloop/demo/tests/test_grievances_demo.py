"""The demo's grievance mechanism (issue 14): every stage, several languages and channels, the case followed by
its printed receipt, an appeal, a disputed remedy, overdue and escalated cases, the mechanism's settings."""

import datetime
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from rightsloop.accounts.models import User
from rightsloop.core.models import AuditEntry, Organisation
from rightsloop.demo import content
from rightsloop.demo import grievances as demo_grievances
from rightsloop.engagements.models import Engagement, Input
from rightsloop.grievances import receipts
from rightsloop.grievances.actions.deadlines import send_deadline_notices
from rightsloop.grievances.actions.follow_up import APPEAL_EXCLUSION_REASON
from rightsloop.grievances.models import (
    ActionConfirmation,
    Appeal,
    CaseMessage,
    CaseReminder,
    Grievance,
    GrievanceSettings,
    HandlerExclusion,
    RemedyAction,
    SelfAssessment,
    StageChange,
)
from rightsloop.grievances.vocabulary import (
    ActionStatus,
    Channel,
    ConfirmationAnswer,
    MessageDirection,
    Mode,
    RaisedBy,
    Satisfaction,
    Stage,
)

pytestmark = pytest.mark.django_db

RECEIPT = re.compile(r"^  (\d{4}(?: \d{4}){7})$", re.MULTILINE)
CASE = re.compile(r"the anonymous person who raised (G-\d+)")


@pytest.fixture
def organisation(loaded_demo) -> Organisation:
    return Organisation.objects.get(slug=content.ORGANISATION_SLUG)


@pytest.fixture
def demo_cases(organisation):
    return Grievance.objects.for_organisation(organisation)


def printed_receipt(output: str) -> tuple[str, str]:
    (receipt,) = RECEIPT.findall(output)
    (label,) = CASE.findall(output)
    return label, receipt


def test_a_dozen_cases_in_every_stage_language_and_channel(demo_cases):
    assert demo_cases.count() >= 12
    assert set(demo_cases.values_list("stage", flat=True)) == set(Stage.values)
    assert {"en", "es", "fr", "pt", "sw"} <= set(demo_cases.values_list("language", flat=True))
    assert {Channel.WEB, Channel.HOTLINE, Channel.LETTER, Channel.NGO, Channel.PORTAL, Channel.IN_PERSON,
            Channel.EMAIL} <= set(demo_cases.values_list("channel", flat=True))
    assert set(demo_cases.values_list("mode", flat=True)) == set(Mode.values)
    # Numbered 1..n in the order received, each received before it was acknowledged.
    assert list(demo_cases.order_by("received_at").values_list("number", flat=True)) == list(
        range(1, demo_cases.count() + 1))
    for case in demo_cases.exclude(acknowledged_at=None):
        assert case.received_at < case.acknowledged_at <= case.stage_changed_at


def test_the_printed_receipt_opens_the_anonymous_case_followed_by_it(loaded_demo, organisation):
    label, receipt = printed_receipt(loaded_demo)

    case = receipts.check(organisation, receipts.normalise(receipt))

    assert case is not None and case.label == label
    assert case.mode == Mode.ANONYMOUS and case.complainant_name == "" and case.stakeholder_id is None
    assert case.stage == Stage.REMEDY_DELIVERING
    # Followed: they answered our question on the follow-up page, read our messages, agreed and confirmed.
    question = CaseMessage.objects.get(grievance=case, is_question=True)
    answer = CaseMessage.objects.get(grievance=case, direction=MessageDirection.FROM_COMPLAINANT)
    assert answer.via == "follow_up" and answer.created_at > question.created_at and question.seen_at
    assert StageChange.objects.filter(grievance=case, to_stage=Stage.REMEDY_AGREED, by=None).exists()
    assert case.remedy_plan.actions.filter(status=ActionStatus.DELIVERED).count() == 1  # awaiting their word
    assert case.remedy_plan.actions.filter(status=ActionStatus.CONFIRMED).count() == 1
    # Nothing else opens it: another run prints the same receipt and adds no case.
    assert receipts.check(organisation, "0" * receipts.DIGITS) is None


def test_running_again_prints_the_same_receipt_and_adds_no_case(loaded_demo, demo_cases):
    before = demo_cases.count()
    out = StringIO()

    call_command("load_demo", stdout=out)

    assert printed_receipt(out.getvalue()) == printed_receipt(loaded_demo)
    assert demo_cases.count() == before


def test_a_reset_rebuilds_the_cases_and_prints_a_receipt_of_the_new_followed_case(loaded_demo, organisation):
    _old_label, old_receipt = printed_receipt(loaded_demo)
    old_ids = set(Grievance.objects.filter(organisation=organisation).values_list("pk", flat=True))
    out = StringIO()

    call_command("load_demo", "--reset", stdout=out)

    label, receipt = printed_receipt(out.getvalue())
    assert not Grievance.objects.filter(pk__in=old_ids).exists()
    assert receipts.check(organisation, receipts.normalise(old_receipt)) is None
    assert receipts.check(organisation, receipts.normalise(receipt)).label == label


def test_the_appealed_case_has_another_handler_and_excludes_the_first(demo_cases):
    case = demo_cases.get(appeals_count=1)
    appeal = Appeal.objects.get(grievance=case)

    assert case.stage == Stage.ASSESSING and appeal.from_stage == Stage.CLOSED
    assert case.handler is not None and appeal.previous_handler is not None
    assert case.handler != appeal.previous_handler
    assert {content.HR_LEAD, content.GRIEVANCE_OFFICER} == {case.handler.username, appeal.previous_handler.username}
    exclusion = HandlerExclusion.objects.get(grievance=case)
    assert exclusion.user == appeal.previous_handler and exclusion.reason == APPEAL_EXCLUSION_REASON
    assert case.satisfaction == Satisfaction.NOT_SATISFIED
    # The promise starts again from the appeal.
    assert case.respond_due_on > timezone.localdate() and case.responded_at is None


def test_the_disputed_action_reopened_its_closed_case(demo_cases):
    disputed = RemedyAction.objects.get(plan__organisation=demo_cases.first().organisation,
                                        status=ActionStatus.DISPUTED)
    (case,) = disputed.plan.grievances.all()
    confirmation = ActionConfirmation.objects.get(action=disputed)

    assert confirmation.answer == ConfirmationAnswer.DISPUTED and confirmation.note
    assert case.stage == Stage.REMEDY_DELIVERING and case.closed_at is None
    assert list(case.stage_changes.values_list("to_stage", flat=True))[-2:] == [Stage.CLOSED, Stage.REMEDY_DELIVERING]
    assert disputed.disputed_at > disputed.delivered_at
    # Its other action was confirmed and stays so.
    assert disputed.plan.actions.exclude(pk=disputed.pk).get().status == ActionStatus.CONFIRMED


def test_some_cases_are_overdue_and_escalated_by_todays_round(organisation, demo_cases):
    today = timezone.localdate()

    overdue = demo_cases.overdue(today)
    assert overdue.count() == 2
    assert set(overdue.values_list("escalation_level", flat=True)) == {1, 2}
    assert demo_cases.acknowledgement_overdue(today).get().escalation_level == 2
    assert demo_cases.response_overdue(today).get().escalation_level == 1
    assert AuditEntry.objects.filter(organisation=organisation, action="grievance.escalation_sent").count() == 3
    # A remedy action is late too.
    assert RemedyAction.objects.filter(plan__organisation=organisation, status=ActionStatus.PLANNED,
                                       due_on__lt=today).count() == 1


def test_the_stages_carry_what_the_person_is_told(demo_cases):
    not_admissible = demo_cases.get(stage=Stage.NOT_ADMISSIBLE)
    assert "Data Protection Commissioner" in not_admissible.not_admissible_reasons
    closed = demo_cases.get(stage=Stage.CLOSED)
    assert closed.satisfaction == Satisfaction.SATISFIED and closed.rights_reviewed_at and closed.outcome_summary
    investigating = demo_cases.filter(stage=Stage.INVESTIGATING, messages__is_question=True).distinct().get()
    question = investigating.messages.get(is_question=True)
    assert investigating.messages.filter(direction=MessageDirection.FROM_COMPLAINANT,
                                         created_at__gt=question.created_at).exists()
    proposed = demo_cases.get(stage=Stage.REMEDY_PROPOSED)
    assert proposed.remedy_plan.actions.count() == 2 and proposed.proxy and proposed.on_behalf_of
    # Its people's proposal is an input of the remedy dialogue, decided, and answered by an action.
    proposal = Input.objects.get(engagement=proposed.remedy_plan.engagement)
    assert proposal.outcome == "adopted" and proposed.remedy_plan.actions.filter(proposal=proposal).exists()
    assert demo_cases.get(stage=Stage.REMEDY_AGREED).remedy_plan.actions.count() == 2


def test_proxies_staff_and_the_register(demo_cases):
    portal = demo_cases.get(channel=Channel.PORTAL)
    assert portal.raised_by == RaisedBy.ON_BEHALF and portal.proxy == portal.stakeholder
    assert portal.on_behalf_of.name == "Gikomba market traders" and portal.supported_by_adviser
    received_on = timezone.localdate(portal.received_at)
    assert portal.acknowledge_due_on == received_on + datetime.timedelta(days=demo_grievances.ACKNOWLEDGE_DAYS)
    ngo = demo_cases.get(channel=Channel.NGO, stage=Stage.INVESTIGATING)
    assert ngo.on_behalf_of.name == content.DEFENDERS_GROUP and ngo.mode == Mode.ANONYMOUS
    concern = demo_cases.get(raised_by=RaisedBy.STAFF)
    assert concern.mode == Mode.ANONYMOUS
    assert list(concern.risks.values_list("title", flat=True)) == [demo_grievances.STAFF_CONCERN_RISK]


def test_the_mechanism_is_configured_and_assessed(organisation):
    mechanism = GrievanceSettings.objects.get(organisation=organisation)
    assert (mechanism.acknowledge_days, mechanism.respond_days) == (7, 60)
    assert mechanism.products == demo_grievances.PRODUCTS
    assert set(mechanism.mechanism_engagements.values_list("title", flat=True)) == set(
        demo_grievances.MECHANISM_ENGAGEMENTS)
    assert SelfAssessment.objects.filter(organisation=organisation).values("criterion").distinct().count() == 4
    assert set(Engagement.objects.for_organisation(organisation).filter(type="remedy_dialogue")
               .values_list("remedy_plan__grievances__stage", flat=True)) >= {Stage.REMEDY_PROPOSED}


def test_no_case_content_reaches_the_audit_log_or_an_email(organisation, demo_cases):
    summaries = "\n".join(AuditEntry.objects.filter(organisation=organisation).values_list("summary", flat=True))
    words = []
    for case in demo_cases:
        for name in ("description", "wanted_outcome", "complainant_name", "complainant_contact", "represents",
                     "not_admissible_reasons", "outcome_summary", "satisfaction_note"):
            text = getattr(case, name)
            words += [text[:30]] if len(text) >= 12 else []
    words += [message.text[:30] for message in CaseMessage.objects.filter(grievance__organisation=organisation)]
    assert len(words) > 40
    assert not [word for word in words if word in summaries]
    # The emails today's round sent (the outbox is emptied between tests: send them again).
    CaseReminder.objects.filter(grievance__organisation=organisation).delete()
    assert send_deadline_notices(today=timezone.localdate()) == len(mail.outbox) >= 3
    mails = "\n".join(f"{message.subject}\n{message.body}" for message in mail.outbox)
    assert "G-" in mails and not [word for word in words if word in mails]


def test_both_handlers_are_members_with_a_sign_in(organisation):
    officer = User.objects.get(username=content.GRIEVANCE_OFFICER)
    assert officer.memberships.get(organisation=organisation).role == "hr_lead"
    assert officer.check_password(content.DEMO_PASSWORD)


def test_the_demo_cases_open_on_the_handlers_pages_and_the_followed_case_on_the_public_page(loaded_demo, organisation,
                                                                                            demo_cases):
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from rightsloop.accounts.models import Membership
    from rightsloop.accounts.viewer import Viewer
    from rightsloop.conftest import signed_in

    def client_of(username):
        return signed_in(Viewer.from_membership(Membership.objects.select_related("user", "organisation").get(
            organisation=organisation, user__username=username)))

    amina, lucia = client_of(content.HR_LEAD), client_of(content.GRIEVANCE_OFFICER)
    appealed = demo_cases.get(appeals_count=1)
    for case in demo_cases:
        # The handler of the appealed outcome no longer opens the case; the other handler does.
        client = lucia if case == appealed else amina
        assert client.get(reverse("grievances:case", args=[case.pk])).status_code == 200, case.label
        if case.remedy_plan_id:
            assert client.get(reverse("grievances:plan", args=[case.remedy_plan_id])).status_code == 200
    assert amina.get(reverse("grievances:case", args=[appealed.pk])).status_code == 404
    listed = amina.get(reverse("grievances:list"))
    assert listed.status_code == 200 and f"G-{demo_cases.count()}" in listed.text
    for name in ("grievances:self-check", "grievances:settings", "grievances:themes"):
        assert amina.get(reverse(name)).status_code == 200, name

    cache.clear()
    label, receipt = printed_receipt(loaded_demo)
    person = Client()
    opened = person.post(reverse("grievances-public:follow-up-sign-in", args=[organisation.slug]),
                         {"receipt": receipt}, follow=True)
    assert opened.status_code == 200 and label in opened.text
    assert reverse("grievances-public:remedy-answer", args=[organisation.slug, demo_cases.get(
        number=int(label[2:])).remedy_plan.actions.get(status=ActionStatus.DELIVERED).pk]) in opened.text
