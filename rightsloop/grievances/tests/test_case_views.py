"""The handler's pages: list, case, each action's form, attachments; who may see them and who may not."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.grievances.actions import cases
from rightsloop.grievances.models import CaseMessage, Grievance, HandlerExclusion
from rightsloop.grievances.vocabulary import Stage
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories_cases import DESCRIPTION, make_attachment, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(organisation):
    return make_case(organisation)


def case_url(case, name="grievances:case", **extra):
    return reverse(name, kwargs={"pk": case.pk, **extra})


def test_the_list_shows_no_content(sign_in, hr_lead, case):
    response = sign_in(hr_lead).get(reverse("grievances:list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert case.label in body and "FaceCheck" in body and "Kenya" in body
    assert DESCRIPTION not in body


def test_the_list_filters(sign_in, hr_lead, organisation):
    old = make_case(organisation, received_at=timezone.now() - datetime.timedelta(days=30), country="UG")
    mine = make_case(organisation, stage=Stage.ACKNOWLEDGED, handler=hr_lead.user)
    appealed = make_case(organisation, stage=Stage.ASSESSING, appeals_count=1, channel="sms")
    client = sign_in(hr_lead)

    def listed(**params):
        response = client.get(reverse("grievances:list"), params)
        assert response.status_code == 200
        return {case.pk for case in response.context["page"].object_list}

    assert listed() == {old.pk, mine.pk, appealed.pk}
    assert listed(overdue="on") == {old.pk}
    assert listed(mine="on") == {mine.pk}
    assert listed(unassigned="on") == {old.pk, appealed.pk}
    assert listed(appealed="on") == {appealed.pk}
    assert listed(channel="sms") == {appealed.pk}
    assert listed(country="UG") == {old.pk}
    assert listed(stage=Stage.ACKNOWLEDGED) == {mine.pk}
    assert listed(stage="nonsense", country="<x>") == {old.pk, mine.pk, appealed.pk}  # a bad filter shows all
    assert client.get(reverse("grievances:list"), {"page": "99999"}).status_code == 200


def test_the_list_reads_a_constant_number_of_queries(sign_in, hr_lead, organisation, django_assert_max_num_queries):
    colleague = make_member(organisation, Role.HR_LEAD)
    for number in range(30):
        make_case(organisation, handler=colleague.user if number % 2 else hr_lead.user)
    client = sign_in(hr_lead)
    client.get(reverse("grievances:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("grievances:list"))
    for _number in range(30):
        make_case(organisation, handler=make_member(organisation, Role.HR_LEAD).user)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("grievances:list"))
    assert len(response.context["page"].object_list) == 25
    listed = " ".join(query["sql"] for query in few.captured_queries)
    assert "description_sealed" not in listed


def test_the_count_is_limited(sign_in, hr_lead, organisation, monkeypatch):
    from rightsloop.grievances import case_queries

    monkeypatch.setattr(case_queries, "COUNT_LIMIT", 2)
    for _number in range(3):
        make_case(organisation)
    response = sign_in(hr_lead).get(reverse("grievances:list"))
    assert "More than 2 cases" in response.content.decode()


def test_the_case_page_shows_everything_and_audits_the_read(sign_in, hr_lead, organisation):
    person = make_stakeholder(hr_lead, name="Amina Njoroge")
    case = make_case(organisation, mode="confidential", complainant_name="Achieng Otieno",
                     complainant_contact="+254 700 000000", stakeholder=person, wanted_outcome="My account back")
    cases.send_message(grievance=case, text="When did it start?", is_question=True, by=hr_lead)
    cases.add_internal_note(grievance=case, text="Check the logs", by=hr_lead)
    make_attachment(case)
    response = sign_in(hr_lead).get(case_url(case))
    assert response.status_code == 200
    body = response.content.decode()
    for shown in (DESCRIPTION, "Achieng Otieno", "+254 700 000000", "My account back", "When did it start?",
                  "Check the logs", "Amina Njoroge", reverse("grievances:attachment",
                                                            kwargs={"pk": case.pk, "attachment_pk": 1})[:-2]):
        assert shown in body
    assert "Wanjiru-letter.pdf" in body
    assert AuditEntry.objects.filter(action="grievance.read", target_id=str(case.pk)).count() == 1


def test_a_high_safety_stakeholder_is_a_pseudonym(sign_in, hr_lead, organisation):
    person = make_stakeholder(hr_lead, name="Hidden Defender", safety_level="high")
    case = make_case(organisation, stakeholder=person)
    body = sign_in(hr_lead).get(case_url(case)).content.decode()
    assert "Hidden Defender" not in body and pseudonym(person.pk) in body


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_members_without_handling_get_403(sign_in, organisation, case, role):
    member = make_member(organisation, role)
    client = sign_in(member)
    attachment = make_attachment(case)
    for url in (reverse("grievances:list"), case_url(case),
                case_url(case, "grievances:attachment", attachment_pk=attachment.pk)):
        response = client.get(url)
        assert response.status_code == 403, url
        assert DESCRIPTION not in response.content.decode()
    assert client.post(case_url(case, "grievances:acknowledge")).status_code == 403
    assert Grievance.objects.get(pk=case.pk).stage == Stage.RECEIVED


def test_an_excluded_handler_gets_404(sign_in, hr_lead, organisation, case):
    colleague = make_member(organisation, Role.HR_LEAD)
    cases.exclude_handler(grievance=case, user=hr_lead.user, reason="Named in it", by=colleague)
    attachment = make_attachment(case)
    client = sign_in(hr_lead)
    assert client.get(case_url(case)).status_code == 404
    assert client.get(case_url(case, "grievances:attachment", attachment_pk=attachment.pk)).status_code == 404
    assert client.post(case_url(case, "grievances:acknowledge")).status_code == 404
    assert case.label not in client.get(reverse("grievances:list")).content.decode()


def test_another_organisations_case_is_404(sign_in, outsider, case):
    assert sign_in(outsider).get(case_url(case)).status_code == 404


def test_acknowledge_and_move_through_the_page(sign_in, hr_lead, case):
    client = sign_in(hr_lead)
    response = client.post(case_url(case, "grievances:acknowledge"), {"note": "Read it."})
    assert response.status_code == 302 and response.url == case_url(case)
    assert client.post(case_url(case, "grievances:move"), {"to": Stage.ASSESSING}).status_code == 302
    refused = client.post(case_url(case, "grievances:move"), {"to": Stage.NOT_ADMISSIBLE, "reasons": ""})
    assert refused.status_code == 400
    assert "where else" in refused.content.decode()
    assert Grievance.objects.get(pk=case.pk).stage == Stage.ASSESSING
    wrong = client.post(case_url(case, "grievances:move"), {"to": Stage.CLOSED})
    assert wrong.status_code == 400
    done = client.post(case_url(case, "grievances:move"), {"to": Stage.NOT_ADMISSIBLE, "reasons": "Go to court."})
    assert done.status_code == 302
    assert Grievance.objects.get(pk=case.pk).stage == Stage.NOT_ADMISSIBLE


def test_handler_forms(sign_in, hr_lead, organisation, outsider, case):
    colleague = make_member(organisation, Role.HR_LEAD)
    board = make_member(organisation, Role.BOARD)
    client = sign_in(hr_lead)
    assert client.post(case_url(case, "grievances:assign"), {"handler": colleague.user.pk}).status_code == 302
    assert Grievance.objects.get(pk=case.pk).handler_id == colleague.user.pk
    for refused in (outsider.user.pk, board.user.pk, "x"):
        assert client.post(case_url(case, "grievances:assign"), {"handler": refused}).status_code == 400
    assert client.post(case_url(case, "grievances:exclude"), {"user": colleague.user.pk, "reason": ""}).status_code \
        == 400
    assert client.post(case_url(case, "grievances:exclude"),
                       {"user": colleague.user.pk, "reason": "Her cousin"}).status_code == 302
    assert Grievance.objects.get(pk=case.pk).handler_id is None
    # Now excluded, the colleague is no longer offered and cannot be named.
    assert client.post(case_url(case, "grievances:assign"), {"handler": colleague.user.pk}).status_code == 400
    # Excluding oneself leaves the case: back to the list.
    response = client.post(case_url(case, "grievances:exclude"), {"user": hr_lead.user.pk, "reason": "I know her"})
    assert response.status_code == 302 and response.url == reverse("grievances:list")
    assert HandlerExclusion.objects.filter(grievance=case).count() == 2


def test_message_outcome_review_classify_forms(sign_in, hr_lead, organisation):
    case = make_case(organisation, stage=Stage.INVESTIGATING)
    client = sign_in(hr_lead)
    for kind in ("message", "question", "note", "answer_staff", "answer_proxy"):
        assert client.post(case_url(case, "grievances:message"), {"kind": kind, "text": kind}).status_code == 302
    assert CaseMessage.objects.filter(grievance=case).count() == 5
    assert client.post(case_url(case, "grievances:message"), {"kind": "note", "text": ""}).status_code == 400
    assert client.post(case_url(case, "grievances:message"), {"kind": "shout", "text": "x"}).status_code == 400
    assert client.post(case_url(case, "grievances:rights-review")).status_code == 400
    assert client.post(case_url(case, "grievances:outcome"), {"summary": "An apology."}).status_code == 302
    assert client.post(case_url(case, "grievances:rights-review")).status_code == 302
    assert client.post(case_url(case, "grievances:classify"), {
        "rights": ["privacy"], "at_risk": ["child"], "product": "FaceCheck", "country": "TZ"}).status_code == 302
    assert client.post(case_url(case, "grievances:classify"), {"rights": ["flying"]}).status_code == 400
    case = Grievance.objects.get(pk=case.pk)
    assert (case.rights, case.country, case.rights_reviewed_by_id) == (["privacy"], "TZ", hr_lead.user.pk)


def test_attachment_downloads_as_opaque_bytes(sign_in, hr_lead, case):
    attachment = make_attachment(case, content=b"%PDF-1.4 secret letter")
    response = sign_in(hr_lead).get(case_url(case, "grievances:attachment", attachment_pk=attachment.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 secret letter"
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Wanjiru" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="grievance.attachment_read").count() == 1


def test_a_missing_or_foreign_attachment_is_404(sign_in, hr_lead, organisation, case):
    other = make_attachment(make_case(organisation))
    client = sign_in(hr_lead)
    assert client.get(case_url(case, "grievances:attachment", attachment_pk=other.pk)).status_code == 404
    assert client.get(case_url(case, "grievances:attachment", attachment_pk=999999)).status_code == 404


def test_the_menu_names_grievances_for_handlers_only(sign_in, hr_lead, board):
    assert reverse("grievances:list") in sign_in(hr_lead).get(reverse("core:home")).content.decode()
    assert reverse("grievances:list") + '"' not in sign_in(board).get(reverse("core:home")).content.decode()


def test_the_case_page_reads_a_constant_number_of_queries(sign_in, hr_lead, organisation,
                                                          django_assert_max_num_queries):
    case = make_case(organisation, stage=Stage.INVESTIGATING, handler=hr_lead.user)
    client = sign_in(hr_lead)
    for number in range(3):
        cases.send_message(grievance=case, text=f"message {number}", by=hr_lead)
        make_attachment(case)
    client.get(case_url(case))
    with django_assert_max_num_queries(40) as few:
        client.get(case_url(case))
    for number in range(20):
        cases.add_internal_note(grievance=case, text=f"note {number}", by=make_member(organisation, Role.HR_LEAD))
        cases.move_stage(grievance=case, to=Stage.REMEDY_PROPOSED if number % 2 == 0 else Stage.INVESTIGATING,
                         by=hr_lead)
        make_attachment(case)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(case_url(case))
    assert response.status_code == 200 and "note 19" in response.content.decode()
