"""The person's actions on their case: reply, add files, satisfaction, appeal, seen."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.grievances.actions import follow_up as person
from rightsloop.grievances.actions.intake import GrievanceReport, submit_grievance
from rightsloop.grievances.models import (
    Appeal,
    CaseAttachment,
    CaseMessage,
    Grievance,
    GrievanceSettings,
    HandlerExclusion,
    StageChange,
)
from rightsloop.grievances.vocabulary import Channel, MessageDirection, MessageVia, Stage


@pytest.fixture
def case(organisation):
    return submit_grievance(organisation=organisation, channel=Channel.WEB, report=GrievanceReport(
        mode="anonymous", raised_by="affected", description="Mi cuenta fue bloqueada")).grievance


@pytest.mark.django_db
def test_reply_is_sealed_audited_without_content_and_idempotent(case):
    message = person.reply(grievance=case, text="Fue el lunes por la mañana", via=MessageVia.FOLLOW_UP,
                           submission_key="token-abcdefgh")
    assert message.direction == MessageDirection.FROM_COMPLAINANT and message.language == "es"
    assert b"lunes" not in bytes(message.text_sealed)
    again = person.reply(grievance=case, text="Fue el lunes por la mañana", via=MessageVia.FOLLOW_UP,
                         submission_key="token-abcdefgh")
    assert again.pk == message.pk and CaseMessage.objects.count() == 1
    with pytest.raises(ValidationError):
        person.reply(grievance=case, text="otra cosa", via=MessageVia.FOLLOW_UP, submission_key="token-abcdefgh")
    entry = AuditEntry.objects.get(action="grievance.message_from_complainant")
    assert "lunes" not in entry.summary and entry.summary.startswith("G-1")


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001, "roto \ufffd", "nul \x00"])
def test_bad_replies_are_refused(case, text):
    with pytest.raises(ValidationError):
        person.reply(grievance=case, text=text, via=MessageVia.FOLLOW_UP)
    assert not CaseMessage.objects.exists()


@pytest.mark.django_db
def test_relayed_by_staff_only_with_a_right_to_and_in_the_organisation(case, hr_lead, decision_maker, outsider):
    person.reply(grievance=case, text="Llamó por teléfono", via=MessageVia.STAFF, by=hr_lead)
    for viewer in (decision_maker, outsider):
        with pytest.raises(PermissionDenied):
            person.reply(grievance=case, text="x", via=MessageVia.STAFF, by=viewer)
    HandlerExclusion.objects.create(grievance=case, user=hr_lead.user, reason="named", at=timezone.now())
    with pytest.raises(PermissionDenied):
        person.reply(grievance=case, text="x", via=MessageVia.STAFF, by=hr_lead)


@pytest.mark.django_db
def test_files_added_later_are_checked_and_capped(case, private_media_root):
    added = person.add_attachment(grievance=case, via=MessageVia.FOLLOW_UP,
                                  files=[SimpleUploadedFile("f.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)])
    assert added[0].content_type == "image/png"
    with pytest.raises(ValidationError):
        person.add_attachment(grievance=case, via=MessageVia.FOLLOW_UP, files=[])
    with pytest.raises(ValidationError):
        person.add_attachment(grievance=case, via=MessageVia.FOLLOW_UP,
                              files=[SimpleUploadedFile("x.exe", b"MZ\x00\x00")])
    assert CaseAttachment.objects.count() == 1


@pytest.mark.django_db
def test_satisfaction_waits_for_an_outcome_and_may_change(case):
    with pytest.raises(ValidationError):
        person.give_satisfaction(grievance=case, satisfaction="satisfied", note="", via=MessageVia.FOLLOW_UP)
    case.outcome_summary = "Cuenta restablecida y disculpa"
    case.stage = Stage.REMEDY_PROPOSED
    case.save()
    given = person.give_satisfaction(grievance=case, satisfaction="partly", note="Tardaron", via=MessageVia.API)
    assert (given.satisfaction, given.satisfaction_note) == ("partly", "Tardaron") and given.satisfaction_at
    changed = person.give_satisfaction(grievance=case, satisfaction="satisfied", note="", via=MessageVia.API)
    assert Grievance.objects.get(pk=case.pk).satisfaction == "satisfied" == changed.satisfaction
    with pytest.raises(ValidationError):
        person.give_satisfaction(grievance=case, satisfaction="ecstatic", note="", via=MessageVia.API)
    summaries = list(AuditEntry.objects.filter(action="grievance.satisfaction").values_list("summary", flat=True))
    assert len(summaries) == 2 and all("Tardaron" not in s for s in summaries)


@pytest.mark.django_db
@pytest.mark.parametrize("stage", [Stage.RECEIVED, Stage.ASSESSING, Stage.INVESTIGATING, Stage.REMEDY_AGREED])
def test_appeal_only_from_closed_or_not_admissible(case, stage):
    Grievance.objects.filter(pk=case.pk).update(stage=stage)
    with pytest.raises(ValidationError):
        person.appeal(grievance=Grievance.objects.get(pk=case.pk), reason="No", via=MessageVia.FOLLOW_UP)
    assert not Appeal.objects.exists()


@pytest.mark.django_db
def test_an_appeal_reopens_for_another_handler_with_fresh_deadlines(case, hr_lead, organisation):
    GrievanceSettings.objects.update_or_create(organisation=organisation, defaults={"respond_days": 30})
    closed_at = timezone.now() - datetime.timedelta(days=3)
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.CLOSED, handler=hr_lead.user, closed_at=closed_at,
                                                responded_at=closed_at, escalation_level=2)
    now = timezone.now()
    filed = person.appeal(grievance=Grievance.objects.get(pk=case.pk), reason="El resultado no repara el daño",
                          via=MessageVia.FOLLOW_UP, now=now)
    assert filed.from_stage == Stage.CLOSED and filed.previous_handler == hr_lead.user
    assert Appeal.objects.get().reason == "El resultado no repara el daño"
    fresh = Grievance.objects.get(pk=case.pk)
    assert (fresh.stage, fresh.handler, fresh.appeals_count, fresh.closed_at, fresh.responded_at,
            fresh.escalation_level) == (Stage.ASSESSING, None, 1, None, None, 0)
    assert fresh.respond_due_on == timezone.localdate(now) + datetime.timedelta(days=30)
    exclusion = HandlerExclusion.objects.get(grievance=case)
    assert exclusion.user == hr_lead.user and exclusion.reason == "handled the appealed outcome"
    assert StageChange.objects.filter(grievance=case).last().to_stage == Stage.ASSESSING
    entry = AuditEntry.objects.get(action="grievance.appealed")
    assert "daño" not in entry.summary
    with pytest.raises(ValidationError):
        person.appeal(grievance=fresh, reason="otra vez", via=MessageVia.FOLLOW_UP)


@pytest.mark.django_db
def test_an_appeal_needs_a_reason(case):
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.NOT_ADMISSIBLE)
    with pytest.raises(ValidationError) as refused:
        person.appeal(grievance=Grievance.objects.get(pk=case.pk), reason=" ", via=MessageVia.FOLLOW_UP)
    assert "reason" in refused.value.message_dict


@pytest.mark.django_db
def test_mark_seen_marks_only_what_was_written_to_them(case, hr_lead):
    for direction in (MessageDirection.TO_COMPLAINANT, MessageDirection.INTERNAL, MessageDirection.FROM_COMPLAINANT):
        CaseMessage(grievance=case, direction=direction, text="t", author=hr_lead.user,
                    created_at=timezone.now()).save()
    assert person.mark_seen(case) == 1
    assert person.mark_seen(case) == 0
    seen = dict(CaseMessage.objects.values_list("direction", "seen_at"))
    assert seen[MessageDirection.TO_COMPLAINANT] is not None
    assert seen[MessageDirection.INTERNAL] is None and seen[MessageDirection.FROM_COMPLAINANT] is None
    assert AuditEntry.objects.filter(action="grievance.messages_seen").count() == 1


@pytest.mark.django_db
def test_an_erased_case_takes_nothing(case):
    Grievance.objects.filter(pk=case.pk).update(erased_at=timezone.now())
    with pytest.raises(ValidationError):
        person.reply(grievance=Grievance.objects.get(pk=case.pk), text="hola", via=MessageVia.FOLLOW_UP)
