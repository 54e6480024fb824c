"""A stakeholder's grievances in their subject access export and their erasure (X5): the cases they raised go
with them (the case key destroyed, the words cleared, the files deleted); a case filed for a group stays."""

import pytest
from django.core.exceptions import ValidationError

from rightsloop.core.models import AuditEntry
from rightsloop.core.sealing import ERASED
from rightsloop.grievances import receipts
from rightsloop.grievances.actions import cases
from rightsloop.grievances.actions import follow_up as person
from rightsloop.grievances.actions.intake import GrievanceReport, submit_grievance
from rightsloop.grievances.models import CaseAttachment, CaseMessage, Grievance
from rightsloop.grievances.vocabulary import Channel, MessageVia, Stage
from rightsloop.stakeholders.actions import erase_stakeholder, export_subject
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

from .factories_cases import make_attachment
from .factories_cases import make_case as make_group_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(organisation, hr_lead):
    """A person of the register raised a confidential case; messages went both ways, a file came with it."""
    amani = make_stakeholder(hr_lead, name="Amani Njoroge")
    submitted = submit_grievance(organisation=organisation, channel=Channel.WEB, stakeholder=amani,
                                 report=GrievanceReport(mode="confidential", raised_by="affected",
                                                        description="The loan app called my employer",
                                                        complainant_name="Amani Njoroge",
                                                        complainant_contact="+254 700 000 111"))
    grievance = submitted.grievance
    cases.acknowledge(grievance=grievance, note="We read it and will look into it.", by=hr_lead)
    cases.send_message(grievance=grievance, text="Which day did they call?", by=hr_lead)
    cases.add_internal_note(grievance=grievance, text="Check the collections vendor", by=hr_lead)
    person.reply(grievance=grievance, text="Last Tuesday, twice", via=MessageVia.FOLLOW_UP)
    attachment = make_attachment(grievance, name="Amani-call-log.pdf")
    return {"person": amani, "grievance": grievance, "receipt": submitted.receipt, "attachment": attachment}


def test_the_export_holds_the_case_with_their_words_but_not_the_internal_notes(raised, hr_lead):
    document = export_subject(stakeholder=raised["person"], by=hr_lead)
    [case] = document["grievances"]
    assert case["what_happened"] == "The loan app called my employer"
    assert case["name"] == "Amani Njoroge" and case["contact"] == "+254 700 000 111"
    assert [m["text"] for m in case["messages"]] == ["Which day did they call?", "Last Tuesday, twice"]
    assert "Check the collections vendor" not in str(document)
    assert case["files"][0]["name"] == "Amani-call-log.pdf" and case["filed_for_group"] is None


def test_erasing_the_person_erases_the_cases_they_raised(raised, organisation, hr_lead):
    grievance, attachment = raised["grievance"], raised["attachment"]
    stored = attachment.file.name
    storage = attachment.file.storage
    assert storage.exists(stored)
    erase_stakeholder(stakeholder=raised["person"], reason="asked to be forgotten", by=hr_lead)

    grievance = Grievance.objects.get(pk=grievance.pk)
    assert grievance.is_erased and bytes(grievance.sealed_key) == b""
    assert grievance.description in ("", ERASED) and grievance.complainant_name in ("", ERASED)
    assert not bytes(grievance.description_sealed) and not bytes(grievance.complainant_contact_sealed)
    assert all(not bytes(message.text_sealed) for message in CaseMessage.objects.filter(grievance=grievance))
    assert not CaseAttachment.objects.filter(grievance=grievance).exists() and not storage.exists(stored)
    # The receipt opens nothing any more, and nothing can be added to the case.
    assert receipts.check(organisation, raised["receipt"]) is None
    with pytest.raises(ValidationError):
        cases.send_message(grievance=grievance, text="Are you still there?", by=hr_lead)
    # What the figures count stays.
    assert grievance.stage == Stage.ACKNOWLEDGED and grievance.channel == Channel.WEB
    entry = AuditEntry.objects.get(action="grievance.erased")
    assert entry.target_id == str(grievance.pk) and "Amani" not in entry.summary
    assert export_subject(stakeholder=raised["person"], by=hr_lead)["grievances"] == []


def test_erasure_is_idempotent_and_leaves_other_cases(raised, organisation, hr_lead):
    anonymous = submit_grievance(organisation=organisation, channel=Channel.WEB, report=GrievanceReport(
        mode="anonymous", raised_by="affected", description="Someone else's account of it")).grievance
    erase_stakeholder(stakeholder=raised["person"], reason="asked", by=hr_lead)
    from rightsloop.grievances import subjects

    subjects.erase_case(Grievance.objects.get(pk=raised["grievance"].pk), reason="again")
    assert AuditEntry.objects.filter(action="grievance.erased").count() == 1
    anonymous = Grievance.objects.get(pk=anonymous.pk)
    assert not anonymous.is_erased and anonymous.description == "Someone else's account of it"


def test_a_case_filed_for_a_group_is_the_groups_and_stays_when_the_proxy_is_erased(organisation, hr_lead):
    proxy = make_stakeholder(hr_lead, name="Riders' Union", kind="proxy")
    group = make_group(hr_lead, name="Delivery riders of Nairobi")
    grievance = make_group_case(organisation, proxy=proxy, on_behalf_of=group, mode="named",
                                description="Riders are deactivated by the face check without appeal")
    [case] = export_subject(stakeholder=proxy, by=hr_lead)["grievances"]
    assert case["filed_for_group"] == "Delivery riders of Nairobi"
    assert case["what_happened"] == "Riders are deactivated by the face check without appeal"
    erase_stakeholder(stakeholder=proxy, reason="asked", by=hr_lead)
    grievance = Grievance.objects.get(pk=grievance.pk)
    assert not grievance.is_erased
    assert grievance.description == "Riders are deactivated by the face check without appeal"
