"""Recording a grievance received by another channel: the page (receipt shown once) and POST /api/v1/grievances."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.grievances import receipts
from rightsloop.grievances.models import CaseAttachment, Grievance
from rightsloop.grievances.vocabulary import Channel, Stage
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

TOLD = "The SMS said my loan was refused because of where I live"


def form(**fields):
    return {"token": "tok-" + "x" * 20, "channel": Channel.HOTLINE, "mode": "anonymous", "raised_by": "affected",
            "description": TOLD, "country": "KE", **fields}


def test_record_then_the_receipt_once(sign_in, admin):
    client = sign_in(admin)
    assert client.get(reverse("grievances:record")).status_code == 200
    response = client.post(reverse("grievances:record"), form())
    assert response.status_code == 302 and response.url == reverse("grievances:recorded")
    grievance = Grievance.objects.get()
    assert (grievance.channel, grievance.recorded_by_id, grievance.stage) == (Channel.HOTLINE, admin.user.pk,
                                                                              Stage.RECEIVED)
    shown = client.get(reverse("grievances:recorded"))
    assert shown.status_code == 200 and "no-store" in shown["Cache-Control"]
    body = shown.content.decode()
    receipt = shown.context["receipt"]
    assert receipt in body and grievance.label in body
    assert receipts.check(grievance.organisation, receipts.normalise(receipt)).pk == grievance.pk
    assert reverse("grievances:case", kwargs={"pk": grievance.pk}) not in body  # the admin cannot open cases
    again = client.get(reverse("grievances:recorded"))
    assert receipt not in again.content.decode() and again.context["already_shown"]
    for entry in AuditEntry.objects.all():
        assert TOLD not in entry.summary and receipt.replace(" ", "") not in entry.summary.replace(" ", "")


def test_the_same_form_twice_is_one_case_with_the_same_receipt(sign_in, hr_lead):
    client = sign_in(hr_lead)
    client.post(reverse("grievances:record"), form())
    first = client.get(reverse("grievances:recorded")).context["receipt"]
    client.post(reverse("grievances:record"), form())
    second = client.get(reverse("grievances:recorded"))
    assert second.context["receipt"] == first and second.context["created"] is False
    assert Grievance.objects.count() == 1


def test_a_proxy_filing_for_a_group(sign_in, hr_lead):
    from rightsloop.stakeholders.models import AffectedGroup

    proxy = make_stakeholder(hr_lead, name="Mtandao NGO", kind="proxy")
    group = AffectedGroup.objects.create(organisation=hr_lead.organisation, name="Riders in Kisumu")
    client = sign_in(hr_lead)
    response = client.post(reverse("grievances:record"), form(
        channel=Channel.NGO, raised_by="on_behalf", proxy=proxy.pk, on_behalf_of=group.pk,
        represents="Forty riders of the Kisumu co-operative"))
    assert response.status_code == 302, response.context["form"].errors
    grievance = Grievance.objects.get()
    assert (grievance.proxy_id, grievance.on_behalf_of_id, grievance.represents) == (
        proxy.pk, group.pk, "Forty riders of the Kisumu co-operative")


@pytest.mark.parametrize(("fields", "field"), [
    ({"description": ""}, "description"),
    ({"description": "x" * 20_001}, "description"),
    ({"channel": "web"}, "channel"),
    ({"channel": "carrier pigeon"}, "channel"),
    ({"country": "XX"}, "country"),
    ({"complainant_name": "Achieng"}, "complainant_name"),  # anonymous takes no name
    ({"mode": "confidential"}, "complainant_name"),  # confidential needs a name or contact
    ({"stakeholder": 99999999, "mode": "named", "complainant_name": "A"}, "stakeholder"),
    ({"proxy": 99999999}, "proxy"),
    ({"description": "broken \ufffd text"}, "description"),
])
def test_bad_input_re_renders_with_errors_and_saves_nothing(sign_in, hr_lead, fields, field):
    response = sign_in(hr_lead).post(reverse("grievances:record"), form(**fields))
    assert response.status_code == 400
    assert field in response.context["form"].errors, response.context["form"].errors
    assert not Grievance.objects.exists()


def test_a_stakeholder_who_is_not_a_proxy_is_refused_as_proxy(sign_in, hr_lead):
    person = make_stakeholder(hr_lead, name="Someone", kind="affected")
    response = sign_in(hr_lead).post(reverse("grievances:record"), form(proxy=person.pk))
    assert response.status_code == 400 and "proxy" in response.context["form"].errors


def test_files_are_sealed_and_a_disguised_executable_refused(sign_in, hr_lead):
    client = sign_in(hr_lead)
    bad = SimpleUploadedFile("letter.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert client.post(reverse("grievances:record"), {**form(), "attachments": [bad]}).status_code == 400
    assert not Grievance.objects.exists() and not CaseAttachment.objects.exists()
    good = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 the letter", content_type="application/pdf")
    assert client.post(reverse("grievances:record"), {**form(token="tok-" + "y" * 20),
                                                      "attachments": [good]}).status_code == 302
    assert CaseAttachment.objects.get().grievance == Grievance.objects.get()


@pytest.mark.parametrize("role", [Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_only_recorders_may_record(sign_in, organisation, role):
    client = sign_in(make_member(organisation, role))
    assert client.get(reverse("grievances:record")).status_code == 403
    assert client.post(reverse("grievances:record"), form()).status_code == 403
    assert client.get(reverse("grievances:recorded")).status_code == 403
    assert not Grievance.objects.exists()


# The API --------------------------------------------------------------------------

def body(**fields):
    return {"channel": "sms", "description": TOLD, "country": "ke", **fields}


def test_api_record_with_an_idempotency_key(api, admin):
    client = api(admin)
    first = client.post("/api/v1/grievances", body(), headers={"HTTP_IDEMPOTENCY_KEY": "sms-gateway-000001"})
    assert first.status_code == 201, first.content
    answer = first.json()
    grievance = Grievance.objects.get()
    assert (answer["id"], answer["stage"], answer["created"]) == (grievance.pk, "received", True)
    assert grievance.channel == "sms" and grievance.country == "KE"
    assert receipts.check(grievance.organisation, receipts.normalise(answer["receipt"])).pk == grievance.pk
    again = client.post("/api/v1/grievances", body(), headers={"HTTP_IDEMPOTENCY_KEY": "sms-gateway-000001"})
    assert again.status_code == 200 and again.json()["receipt"] == answer["receipt"]
    other = client.post("/api/v1/grievances", body(description="Something else"),
                        headers={"HTTP_IDEMPOTENCY_KEY": "sms-gateway-000001"})
    assert other.status_code == 400 and "Idempotency-Key" in other.json()["errors"]
    assert Grievance.objects.count() == 1
    # The admin records but may not read the case.
    assert client.get(f"/api/v1/grievances/{grievance.pk}").status_code == 403


@pytest.mark.parametrize(("fields", "field"), [
    ({"description": ""}, "description"),
    ({"description": "x" * 20_001}, "description"),
    ({"channel": "web"}, "channel"),
    ({"country": "XX"}, "country"),
    ({"mode": "anonymous", "complainant_name": "Achieng"}, "complainant_name"),
    ({"at_risk": ["wizards"]}, "at_risk"),
    ({"stakeholder_id": 99999999, "mode": "named"}, "stakeholder_id"),
    ({"proxy_id": 99999999}, "proxy_id"),
    ({"on_behalf_of_id": 99999999}, "on_behalf_of_id"),
    ({"occurred_on": "yesterday"}, "occurred_on"),
])
def test_api_bad_input_is_400(api, hr_lead, fields, field):
    response = api(hr_lead).post("/api/v1/grievances", body(**fields))
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not Grievance.objects.exists()


@pytest.mark.parametrize("role", [Role.DECISION_MAKER, Role.BOARD, Role.AUDITOR])
def test_api_record_needs_the_capability(api, organisation, role):
    assert api(make_member(organisation, role)).post("/api/v1/grievances", body()).status_code == 403
    assert not Grievance.objects.exists()


def test_an_oversized_file_is_refused_unread(sign_in, hr_lead):
    from rightsloop.grievances import attachments

    big = SimpleUploadedFile("recording.mp3", b"ID3" + b"\0" * attachments.MAX_BYTES, content_type="audio/mpeg")
    response = sign_in(hr_lead).post(reverse("grievances:record"), {**form(), "attachments": [big]})
    assert response.status_code == 413
    assert "attachments" in response.context["form"].errors
    assert not Grievance.objects.exists() and not CaseAttachment.objects.exists()
