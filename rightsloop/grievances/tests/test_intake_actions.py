"""submit_grievance: validation, numbering, deadlines, sealing, idempotence, attachments all-or-nothing."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from rightsloop.core.models import AuditEntry
from rightsloop.grievances import receipts
from rightsloop.grievances.actions import intake
from rightsloop.grievances.actions.intake import GrievanceReport, submit_grievance
from rightsloop.grievances.models import CaseAttachment, Grievance, GrievanceSettings, StageChange
from rightsloop.grievances.vocabulary import Channel, Mode, RaisedBy, Stage

DESCRIPTION = "The face check locked Amina Odhiambo out of her bank account for three weeks"
SPANISH = "El reconocimiento facial me bloqueó la cuenta del banco durante tres semanas y nadie me ayudó"


def report(**fields) -> GrievanceReport:
    values = {"mode": Mode.ANONYMOUS, "raised_by": RaisedBy.AFFECTED, "description": DESCRIPTION}
    values.update(fields)
    return GrievanceReport(**values)


def submit(organisation, **kwargs):
    kwargs.setdefault("report", report())
    kwargs.setdefault("channel", Channel.WEB)
    return submit_grievance(organisation=organisation, **kwargs)


def pdf(name="letter.pdf", body=b"%PDF-1.4\n a letter from Amina\n"):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def sealed_files(root) -> list[Path]:
    return [path for path in Path(root).rglob("*") if path.is_file()]


@pytest.mark.django_db
def test_a_case_is_numbered_dated_staged_and_audited_without_content(organisation):
    GrievanceSettings.objects.create(organisation=organisation, acknowledge_days=5, respond_days=30)
    now = datetime.datetime(2026, 3, 2, 10, tzinfo=datetime.UTC)
    first = submit(organisation, now=now)
    second = submit(organisation, report=report(description=SPANISH, country="mx"), now=now)
    assert first.created and (first.grievance.number, second.grievance.number) == (1, 2)
    case = Grievance.objects.get(pk=second.grievance.pk)
    assert case.stage == Stage.RECEIVED and case.received_at == now and case.country == "MX"
    assert case.acknowledge_due_on == datetime.date(2026, 3, 7)
    assert case.respond_due_on == datetime.date(2026, 4, 1)
    assert case.language == "es"
    assert list(StageChange.objects.filter(grievance=case).values_list("from_stage", "to_stage")) == [
        ("", Stage.RECEIVED)]
    entry = AuditEntry.objects.filter(action="grievance.received", target_id=str(case.pk)).get()
    assert entry.summary.startswith("G-2 received") and "banco" not in entry.summary
    assert len(case.reference) == receipts.REFERENCE_DIGITS and case.reference == second.receipt[:7]


@pytest.mark.django_db
def test_the_receipt_is_32_digits_and_only_its_argon2id_hash_is_stored(organisation):
    submitted = submit(organisation)
    receipt = submitted.receipt
    assert len(receipt) == 32 and receipt.isdigit()
    row = Grievance.objects.get(pk=submitted.grievance.pk)
    assert row.receipt_hash.startswith("$argon2id$")
    assert receipts.check(organisation, receipt) == row
    secret = receipt[7:]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM grievances_grievance WHERE id = %s", [row.pk])
        raw = cursor.fetchone()
    for value in raw:
        as_text = value.hex() if isinstance(value, bytes | memoryview) else str(value)
        assert secret not in as_text and receipt not in as_text


@pytest.mark.django_db
def test_anonymous_keeps_no_name_and_refuses_one(organisation):
    submitted = submit(organisation)
    assert submitted.grievance.complainant_name == "" and bytes(submitted.grievance.complainant_name_sealed) == b""
    with pytest.raises(ValidationError) as refused:
        submit(organisation, report=report(complainant_name="Amina", complainant_contact="+254 700 000"))
    assert set(refused.value.message_dict) == {"complainant_name", "complainant_contact"}
    assert Grievance.objects.count() == 1


@pytest.mark.django_db
def test_confidential_needs_a_name_or_contact_and_seals_it(organisation):
    with pytest.raises(ValidationError) as refused:
        submit(organisation, report=report(mode=Mode.CONFIDENTIAL))
    assert "complainant_name" in refused.value.message_dict
    submitted = submit(organisation, report=report(mode=Mode.CONFIDENTIAL, complainant_name="Amina Odhiambo",
                                                   complainant_contact="amina@example.org"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT complainant_name_sealed, description_sealed FROM grievances_grievance WHERE id = %s",
                       [submitted.grievance.pk])
        name, description = (bytes(value) for value in cursor.fetchone())
    assert b"Amina" not in name and b"Amina" not in description and name
    assert Grievance.objects.get(pk=submitted.grievance.pk).complainant_name == "Amina Odhiambo"


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "field"), [
    ({"description": ""}, "description"),
    ({"description": "   "}, "description"),
    ({"description": "x" * 1_000_000}, "description"),
    ({"description": "broken \ufffd bytes"}, "description"),
    ({"description": "nul \x00"}, "description"),
    ({"product": "p" * 201}, "product"),
    ({"country": "XX"}, "country"),
    ({"mode": "secret"}, "mode"),
    ({"raised_by": "robot"}, "raised_by"),
    ({"at_risk": ["pirate"]}, "at_risk"),
    ({"occurred_on": datetime.date(2999, 1, 1)}, "occurred_on"),
])
def test_bad_reports_are_refused_by_field_and_nothing_is_saved(organisation, fields, field):
    with pytest.raises(ValidationError) as refused:
        submit(organisation, report=report(**fields))
    assert field in refused.value.message_dict
    assert not Grievance.objects.exists() and not AuditEntry.objects.filter(action="grievance.received").exists()


@pytest.mark.django_db
def test_a_megabyte_of_text_gets_a_clear_message(organisation):
    with pytest.raises(ValidationError) as refused:
        submit(organisation, report=report(description="a" * 1_000_000))
    assert "20,000" in refused.value.message_dict["description"][0]
    assert "1,000,000" in refused.value.message_dict["description"][0]


@pytest.mark.django_db
def test_unknown_channel_refused(organisation):
    with pytest.raises(ValidationError):
        submit(organisation, channel="pigeon")


@pytest.mark.django_db
def test_the_same_submission_twice_is_one_case_with_the_same_receipt(organisation):
    first = submit(organisation, submission_key="form-token-0123456789")
    again = submit(organisation, submission_key="form-token-0123456789")
    assert again.grievance.pk == first.grievance.pk and again.receipt == first.receipt and not again.created
    assert Grievance.objects.count() == 1
    row = Grievance.objects.get()
    assert row.submission_key != "form-token-0123456789" and len(row.submission_key) == 64
    with pytest.raises(ValidationError) as refused:
        submit(organisation, submission_key="form-token-0123456789", report=report(description="something else"))
    assert "already sent" in refused.value.message_dict["submission_key"][0]
    assert Grievance.objects.count() == 1


@pytest.mark.django_db
def test_without_a_key_each_submission_is_its_own_case_with_its_own_receipt(organisation):
    first, second = submit(organisation), submit(organisation)
    assert first.grievance.pk != second.grievance.pk and first.receipt[7:] != second.receipt[7:]


@pytest.mark.django_db
def test_a_taken_reference_is_drawn_again(organisation, monkeypatch):
    first = submit(organisation)
    drawn = iter([first.grievance.reference, "7654321"])
    monkeypatch.setattr(receipts, "new_reference", lambda: next(drawn))
    second = submit(organisation)
    assert second.grievance.reference == "7654321" and second.grievance.number == 2


@pytest.mark.django_db
def test_attachments_are_sealed_with_the_type_read_from_their_bytes(organisation, private_media_root):
    note = SimpleUploadedFile("note.txt", "Habari ya leo — asante".encode())
    submitted = submit(organisation, attachments=[pdf(), note])
    stored = list(CaseAttachment.objects.filter(grievance=submitted.grievance).order_by("id"))
    assert [(a.content_type, a.file_name) for a in stored] == [("application/pdf", "letter.pdf"),
                                                               ("text/plain", "note.txt")]
    files = sealed_files(private_media_root)
    assert len(files) == 2 and all(b"Amina" not in path.read_bytes() for path in files)
    assert all(path.read_bytes().startswith(b"RLSEALED") for path in files)
    with stored[0].file.open("rb") as opened:
        assert opened.read() == b"%PDF-1.4\n a letter from Amina\n"


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff",  # a Windows program renamed .pdf
    b"\x7fELF\x02\x01\x01\x00",
    b"#!/bin/sh\nrm -rf /\n",
    b"<html><script>alert(1)</script></html>",
    b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'/>",
    b"PK\x03\x04\x14\x00\x00\x00",
    b"caf\xe9 in latin-1",
])
def test_disguised_and_unaccepted_files_are_refused_and_nothing_is_left(organisation, private_media_root, body):
    with pytest.raises(ValidationError) as refused:
        submit(organisation, attachments=[pdf(), SimpleUploadedFile("scan.pdf", body)])
    assert "not a type of file we accept" in refused.value.message_dict["attachments"][0]
    assert not Grievance.objects.exists() and sealed_files(private_media_root) == []


@pytest.mark.django_db
def test_too_many_too_big_or_empty_files_are_refused(organisation, monkeypatch):
    with pytest.raises(ValidationError):
        submit(organisation, attachments=[pdf(f"{n}.pdf") for n in range(4)])
    with pytest.raises(ValidationError):
        submit(organisation, attachments=[SimpleUploadedFile("empty.pdf", b"")])
    big = pdf(body=b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        submit(organisation, attachments=[big])
    assert "at most 10.0" in refused.value.message_dict["attachments"][0]
    assert not Grievance.objects.exists()


@pytest.mark.django_db
def test_a_failure_after_the_files_were_written_leaves_no_case_and_no_file(organisation, private_media_root,
                                                                           monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(intake.audit, "record", broken)
    with pytest.raises(RuntimeError):
        submit(organisation, attachments=[pdf(), pdf("second.pdf")])
    assert not Grievance.objects.exists() and not CaseAttachment.objects.exists()
    assert sealed_files(private_media_root) == []


@pytest.mark.django_db
def test_staff_record_other_channels_and_only_with_the_capability(organisation, hr_lead, decision_maker,
                                                                  other_organisation):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member

    submitted = submit(organisation, channel=Channel.HOTLINE, by=hr_lead,
                       report=report(raised_by=RaisedBy.STAFF))
    assert submitted.grievance.channel == Channel.HOTLINE and submitted.grievance.recorded_by == hr_lead.user
    assert submitted.grievance.mode == Mode.ANONYMOUS
    with pytest.raises(PermissionDenied):
        submit(organisation, by=decision_maker)
    with pytest.raises(PermissionDenied):
        submit(organisation, by=make_member(other_organisation, Role.HR_LEAD))


@pytest.mark.django_db
def test_a_proxy_of_another_organisation_is_refused(organisation, hr_lead, outsider):
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    foreign = make_stakeholder(outsider)
    with pytest.raises(ValidationError) as refused:
        submit(organisation, by=hr_lead, proxy=foreign, channel=Channel.NGO,
               report=report(raised_by=RaisedBy.ON_BEHALF, represents="The riders of Kibera"))
    assert "proxy" in refused.value.message_dict
