"""The public grievance pages: intake, receipt shown once, follow-up with the receipt, and every bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.http import urlencode

from rightsloop.grievances import follow_up, receipts, throttle
from rightsloop.grievances.models import (
    Appeal,
    CaseAttachment,
    CaseMessage,
    Grievance,
    GrievanceSettings,
    HandlerExclusion,
)
from rightsloop.grievances.vocabulary import MessageDirection, Mode, Stage

DESCRIPTION = "La verificación facial bloqueó mi cuenta durante tres semanas y nadie me respondió"
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def css_bytes() -> int:
    return sum(Path(finders.find(name)).stat().st_size for name in ("css/rightsloop.css", "grievances/public.css"))


def assert_public(response, *, lang: str = "en"):
    body = response.content.decode()
    assert "<script" not in body.lower()
    assert f'<html lang="{lang}" dir="ltr">' in body
    assert len(response.content) + css_bytes() < 50 * 1024, len(response.content)
    assert "no-store" in response["Cache-Control"]
    assert "127.0.0.1" not in body
    return body


def form_token(body: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', body).group(1)


def intake_url(organisation, **query) -> str:
    return f"/g/{organisation.slug}/" + (f"?{urlencode(query)}" if query else "")


def send(client, organisation, *, way=Mode.ANONYMOUS, **fields):
    page = client.get(intake_url(organisation, way=way))
    data = {"token": form_token(page.content.decode()), "mode": way, "raised_by": "affected",
            "description": DESCRIPTION, "country": "MX"}
    data.update(fields)
    return client.post(intake_url(organisation), data), data


def receipt_from(client, organisation) -> str:
    page = client.get(f"/g/{organisation.slug}/receipt/")
    groups = re.findall(r"<span>(\d{4})</span>", page.content.decode())
    assert len(groups) == 8
    return "".join(groups)


def submitted_case(organisation) -> tuple[Client, Grievance, str]:
    client = Client()
    response, _data = send(client, organisation)
    assert response.status_code == 303
    receipt = receipt_from(client, organisation)
    return client, Grievance.objects.get(organisation=organisation), receipt


def following(organisation, grievance_receipt: str) -> Client:
    client = Client()
    response = client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": grievance_receipt})
    assert response.status_code == 303 and response.url == f"/g/{organisation.slug}/case/"
    return client


# Intake ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_intake_page_explains_and_is_light_plain_and_private(organisation):
    GrievanceSettings.objects.create(organisation=organisation, acknowledge_days=5, respond_days=60)
    response = Client().get(intake_url(organisation))
    assert response.status_code == 200
    body = assert_public(response)
    assert "Within 5 days" in body and "Within 60 days" in body
    assert "You can stay anonymous" in body and "I work for Kestrel Networks" in body
    assert 'name="complainant_name"' not in body and 'name="complainant_contact"' not in body
    assert 'enctype="multipart/form-data"' in body and "10 MB" in body
    assert 'href="?way=confidential#form"' in body


@pytest.mark.django_db
def test_a_visit_writes_nothing(organisation, django_assert_max_num_queries):
    # The organisation, its settings, and the session holding the form's CSRF secret (CSRF_USE_SESSIONS).
    with django_assert_max_num_queries(6):
        Client().get(intake_url(organisation))
    assert not GrievanceSettings.objects.exists()


@pytest.mark.django_db
def test_confidential_and_named_ask_who_you_are(organisation):
    body = Client().get(intake_url(organisation, way="confidential")).content.decode()
    assert 'name="complainant_name"' in body and 'name="complainant_contact"' in body


@pytest.mark.django_db
def test_an_unknown_organisation_is_404(organisation):
    assert Client().get("/g/nobody-here/").status_code == 404
    assert Client().get("/g/nobody-here/follow-up/").status_code == 404


@pytest.mark.django_db
def test_send_then_the_receipt_is_shown_once(organisation):
    client = Client()
    response, _data = send(client, organisation)
    assert response.status_code == 303 and response.url == f"/g/{organisation.slug}/receipt/"
    case = Grievance.objects.get()
    assert case.description == DESCRIPTION and case.channel == "web" and case.mode == Mode.ANONYMOUS
    assert case.language == "es" and case.interface_language == "en" and case.country == "MX"
    shown = client.get(f"/g/{organisation.slug}/receipt/")
    body = assert_public(shown)
    assert "write it down" in body.lower() and "G-1" in body
    receipt = "".join(re.findall(r"<span>(\d{4})</span>", body))
    assert receipts.check(organisation, receipt) == case
    again = client.get(f"/g/{organisation.slug}/receipt/")
    assert "already shown" in again.content.decode() and receipt[7:11] not in again.content.decode()
    assert "rightsloop.grievances.receipt" not in client.session


@pytest.mark.django_db
def test_the_same_form_sent_twice_is_one_case_and_the_same_receipt(organisation):
    client = Client()
    _first, data = send(client, organisation)
    receipt = receipt_from(client, organisation)
    second = client.post(intake_url(organisation), data)
    assert second.status_code == 303
    assert receipt_from(client, organisation) == receipt
    assert Grievance.objects.count() == 1


@pytest.mark.django_db
def test_a_confidential_case_keeps_the_identity_sealed(organisation):
    client = Client()
    response, _data = send(client, organisation, way="confidential", complainant_name="Lucía Pérez",
                           complainant_contact="+52 55 0000 0000")
    assert response.status_code == 303
    case = Grievance.objects.get()
    assert case.complainant_name == "Lucía Pérez" and b"Luc" not in bytes(case.complainant_name_sealed)


@pytest.mark.django_db
def test_an_anonymous_form_with_a_name_smuggled_in_is_refused(organisation):
    response, _data = send(Client(), organisation, complainant_name="Lucía")
    assert response.status_code == 400
    assert "anonymous" in response.content.decode() and not Grievance.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("fields", "message"), [
    ({"description": ""}, "Tell us what happened"),
    ({"description": "x" * 1_000_000}, "under 20,000 characters; it has 1,000,000"),
    ({"country": "ZZ"}, "Select a valid choice"),
    ({"occurred_on": "yesterday-ish"}, "Enter a valid date"),
    ({"mode": "named"}, "Give your name or a way to reach you"),
    ({"mode": "secret"}, "Select a valid choice"),
])
def test_bad_input_re_renders_with_errors_and_saves_nothing(organisation, fields, message):
    response, _data = send(Client(), organisation, **fields)
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body and 'role="alert"' in body and "Please check what you sent" in body
    assert not Grievance.objects.exists()
    if "description" in fields:
        assert 'aria-describedby="id_description_helptext id_description_error"' in body
        assert 'aria-invalid="true"' in body


@pytest.mark.django_db
def test_broken_utf8_gets_a_clear_message(organisation):
    client = Client()
    token = form_token(client.get(intake_url(organisation)).content.decode())
    body = (f"token={token}&mode=anonymous&raised_by=affected&description=".encode() + b"caf\xe9 \xff\xfe broken")
    response = client.generic("POST", intake_url(organisation), body,
                              content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "could not be read" in response.content.decode() and not Grievance.objects.exists()


@pytest.mark.django_db
def test_a_file_is_kept_sealed_with_its_real_type(organisation, private_media_root):
    response, _data = send(Client(), organisation,
                           attachments=[SimpleUploadedFile("carta.pdf", b"%PDF-1.7\nfirmada\n")])
    assert response.status_code == 303
    attachment = CaseAttachment.objects.get()
    assert attachment.content_type == "application/pdf" and attachment.file_name == "carta.pdf"


@pytest.mark.django_db
def test_a_disguised_program_is_refused_and_nothing_saved(organisation, private_media_root):
    response, _data = send(Client(), organisation,
                           attachments=[SimpleUploadedFile("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200)])
    assert response.status_code == 400
    assert "not a type of file we accept" in response.content.decode()
    assert not Grievance.objects.exists() and not any(Path(private_media_root).rglob("*.sealed"))


@pytest.mark.django_db
def test_a_50_mb_file_is_refused_unread_with_a_clear_message(organisation, private_media_root, monkeypatch):
    read = []
    from rightsloop.core import sealed_files

    original = sealed_files.SealedUpload.write
    monkeypatch.setattr(sealed_files.SealedUpload, "write", lambda self, data: read.append(len(data)) or
                        original(self, data))
    big = SimpleUploadedFile("video.pdf", b"%PDF-" + b"0" * (50 * 1024 * 1024))
    response, _data = send(Client(), organisation, attachments=[big])
    assert response.status_code == 413
    body = response.content.decode()
    assert "Nothing was saved" in body and "31.0" in body
    assert read == [] and not Grievance.objects.exists()
    assert 'name="token"' in body  # the page comes back, ready to send again


@pytest.mark.django_db
def test_one_file_over_10_mb_stops_the_upload_and_keeps_the_text(organisation, private_media_root):
    big = SimpleUploadedFile("scan.pdf", b"%PDF-" + b"0" * (11 * 1024 * 1024))
    response, _data = send(Client(), organisation, attachments=[big])
    assert response.status_code == 413
    body = response.content.decode()
    assert "“scan.pdf” is larger than 10.0" in body and DESCRIPTION in body
    assert not Grievance.objects.exists()


@pytest.mark.django_db
def test_a_closed_page_says_so_and_still_offers_follow_up(organisation):
    GrievanceSettings.objects.create(organisation=organisation, intake_open=False)
    client = Client()
    page = client.get(intake_url(organisation))
    body = page.content.decode()
    assert page.status_code == 200 and "not taking new grievances" in body and "/follow-up/" in body
    assert 'name="description"' not in body
    refused = client.post(intake_url(organisation), {"mode": "anonymous", "description": DESCRIPTION})
    assert refused.status_code == 403 and not Grievance.objects.exists()


@pytest.mark.django_db
def test_spanish_by_link_and_kept_for_the_visit(organisation):
    client = Client()
    page = client.get(intake_url(organisation, lang="es"))
    assert_public(page, lang="es")
    assert page["Content-Language"] == "es"
    following_page = client.get(f"/g/{organisation.slug}/follow-up/")
    assert '<html lang="es"' in following_page.content.decode()
    _response, _data = send(client, organisation)
    assert Grievance.objects.get().interface_language == "es"


# Follow-up -------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_receipt_typed_in_arabic_indic_digits_with_dashes_opens_the_case(organisation):
    _client, case, receipt = submitted_case(organisation)
    typed = "-".join(receipt[i:i + 4] for i in range(0, 32, 4)).translate(ARABIC_INDIC)
    client = following(organisation, typed)
    page = client.get(f"/g/{organisation.slug}/case/")
    body = assert_public(page)
    assert "G-1" in body and "We have your grievance" in body and "Acknowledgement" in body
    assert client.session[follow_up.SESSION_CASE_KEY] == case.pk
    assert receipt not in str(dict(client.session.items()))


@pytest.mark.django_db
def test_without_a_followed_case_the_case_page_sends_to_the_receipt_form(organisation):
    response = Client().get(f"/g/{organisation.slug}/case/")
    assert response.status_code == 302 and response.url == f"/g/{organisation.slug}/follow-up/"


@pytest.mark.django_db
def test_a_wrong_or_malformed_receipt_reveals_nothing(organisation):
    _client, _case, receipt = submitted_case(organisation)
    client = Client()
    wrong = receipt[:7] + ("0" if receipt[7] != "0" else "1") + receipt[8:]
    response = client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": wrong})
    assert response.status_code == 400 and "does not open a case here" in response.content.decode()
    malformed = client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": "1234"})
    assert malformed.status_code == 400 and "32 digits" in malformed.content.decode()
    assert follow_up.SESSION_CASE_KEY not in client.session


@pytest.mark.django_db
def test_a_thousand_wrong_receipts_are_throttled_without_any_address(organisation, settings, monkeypatch):
    from argon2 import PasswordHasher, Type

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "grievance-throttle-test"}}
    # The throttle is under test here, not Argon2's cost: a cheap hasher keeps a thousand tries quick.
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1, type=Type.ID)
    monkeypatch.setattr(receipts, "hasher", lambda: cheap)
    monkeypatch.setattr(receipts, "_dummy_hash", lambda: cheap.hash("dummy"))
    _client, _case, receipt = submitted_case(organisation)
    client = Client(REMOTE_ADDR="203.0.113.77")
    statuses = []
    for number in range(1000):
        guess = f"{number:07d}" + f"{number:025d}"
        statuses.append(client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": guess}).status_code)
    assert statuses[0] == 400 and statuses[-1] == 429
    assert statuses.index(429) == throttle.ORGANISATION_TRIES
    throttled = client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": receipt})
    assert throttled.status_code == 429
    assert "Your case is safe" in throttled.content.decode()
    assert follow_up.SESSION_CASE_KEY not in client.session
    from django.core.cache import caches

    keys = list(caches["default"]._cache.keys())
    assert keys and all("203.0.113" not in key and "127.0.0.1" not in key for key in keys)
    assert "203.0.113" not in str(dict(client.session.items()))


@pytest.mark.django_db
def test_five_wrong_tries_lock_one_reference_but_not_the_others(organisation):
    _client, _case, receipt = submitted_case(organisation)
    client = Client()
    for digit in "12345":
        client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": receipt[:7] + digit * 25})
    locked = client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": receipt})
    assert locked.status_code == 429
    other = client.post(f"/g/{organisation.slug}/follow-up/", {"receipt": "9" * 32})
    assert other.status_code == 400


@pytest.mark.django_db
def test_the_person_answers_a_question_and_sees_our_messages(organisation, hr_lead):
    _client, case, receipt = submitted_case(organisation)
    question = CaseMessage(grievance=case, direction=MessageDirection.TO_COMPLAINANT, text="¿Qué día pasó?",
                           is_question=True, author=hr_lead.user, created_at=timezone.now())
    question.save()
    CaseMessage(grievance=case, direction=MessageDirection.INTERNAL, text="internal: check the logs",
                author=hr_lead.user, created_at=timezone.now()).save()
    client = following(organisation, receipt)
    page = client.get(f"/g/{organisation.slug}/case/").content.decode()
    assert "¿Qué día pasó?" in page and "We asked you a question" in page and "internal: check" not in page
    question.refresh_from_db()
    assert question.seen_at is not None
    token = form_token(page)
    answered = client.post(f"/g/{organisation.slug}/case/reply/", {"token": token, "text": "El 3 de marzo"})
    assert answered.status_code == 303 and answered.url.endswith("/case/#messages")
    again = client.post(f"/g/{organisation.slug}/case/reply/", {"token": token, "text": "El 3 de marzo"})
    assert again.status_code == 303
    replies = CaseMessage.objects.filter(grievance=case, direction=MessageDirection.FROM_COMPLAINANT)
    assert [m.text for m in replies] == ["El 3 de marzo"]
    page = client.get(f"/g/{organisation.slug}/case/").content.decode()
    assert "We asked you a question" not in page and "Your message was sent" in page
    empty = client.post(f"/g/{organisation.slug}/case/reply/", {"token": form_token(page), "text": " "})
    assert empty.status_code == 400 and "Write your message" in empty.content.decode()


@pytest.mark.django_db
def test_satisfaction_only_once_there_is_an_outcome_then_appeal(organisation, hr_lead):
    _client, case, receipt = submitted_case(organisation)
    client = following(organisation, receipt)
    page = client.get(f"/g/{organisation.slug}/case/").content.decode()
    assert 'name="satisfaction"' not in page and 'name="reason"' not in page
    early = client.post(f"/g/{organisation.slug}/case/satisfaction/", {"satisfaction": "satisfied"})
    assert early.status_code == 400 and "once there is an outcome" in early.content.decode()
    case.stage, case.handler, case.outcome_summary = Stage.CLOSED, hr_lead.user, "Se restableció la cuenta"
    case.closed_at = timezone.now()
    case.save()
    page = client.get(f"/g/{organisation.slug}/case/").content.decode()
    assert "Se restableció la cuenta" in page and 'name="satisfaction"' in page and 'name="reason"' in page
    given = client.post(f"/g/{organisation.slug}/case/satisfaction/", {"satisfaction": "partly", "note": "tarde"})
    assert given.status_code == 303
    case.refresh_from_db()
    assert case.satisfaction == "partly" and case.satisfaction_note == "tarde"
    no_reason = client.post(f"/g/{organisation.slug}/case/appeal/", {"reason": ""})
    assert no_reason.status_code == 400
    appealed = client.post(f"/g/{organisation.slug}/case/appeal/", {"reason": "Perdí tres semanas de salario"})
    assert appealed.status_code == 303
    case.refresh_from_db()
    assert case.stage == Stage.ASSESSING and case.handler is None and case.appeals_count == 1
    assert HandlerExclusion.objects.filter(grievance=case, user=hr_lead.user).exists()
    assert Appeal.objects.get(grievance=case).reason == "Perdí tres semanas de salario"
    page = client.get(f"/g/{organisation.slug}/case/").content.decode()
    assert "You appealed" in page and 'name="reason"' not in page


@pytest.mark.django_db
def test_the_person_adds_a_file_through_the_case_page(organisation, private_media_root):
    _client, case, receipt = submitted_case(organisation)
    client = following(organisation, receipt)
    added = client.post(f"/g/{organisation.slug}/case/files/",
                        {"attachments": [SimpleUploadedFile("audio.ogg", b"OggS\x00\x02" + b"\x01" * 100)]})
    assert added.status_code == 303
    assert CaseAttachment.objects.get(grievance=case).content_type == "audio/ogg"
    page = client.get(f"/g/{organisation.slug}/case/").content.decode()
    assert "audio.ogg" in page
    refused = client.post(f"/g/{organisation.slug}/case/files/",
                          {"attachments": [SimpleUploadedFile("page.html", b"<!doctype html><p>hi")]})
    assert refused.status_code == 400 and "not a type of file we accept" in refused.content.decode()


@pytest.mark.django_db
def test_the_case_page_reads_in_constant_queries(organisation, hr_lead, django_assert_max_num_queries):
    _client, case, receipt = submitted_case(organisation)
    client = following(organisation, receipt)
    client.get(f"/g/{organisation.slug}/case/")
    for number in range(30):
        CaseMessage(grievance=case, direction=MessageDirection.TO_COMPLAINANT if number % 2 else
                    MessageDirection.FROM_COMPLAINANT, text=f"mensaje {number}", author=hr_lead.user,
                    created_at=timezone.now(), seen_at=timezone.now()).save()
    with django_assert_max_num_queries(14):
        response = client.get(f"/g/{organisation.slug}/case/")
    assert response.content.decode().count("mensaje ") == 30


@pytest.mark.django_db
def test_leaving_ends_the_follow_up_in_this_browser(organisation):
    _client, _case, receipt = submitted_case(organisation)
    client = following(organisation, receipt)
    left = client.post(f"/g/{organisation.slug}/case/leave/")
    assert left.status_code == 303 and left.url == f"/g/{organisation.slug}/follow-up/"
    assert client.get(f"/g/{organisation.slug}/case/").status_code == 302


@pytest.mark.django_db
def test_another_organisations_page_does_not_open_the_case(organisation, other_organisation):
    _client, _case, receipt = submitted_case(organisation)
    client = following(organisation, receipt)
    assert client.get(f"/g/{other_organisation.slug}/case/").status_code == 302
    response = Client().post(f"/g/{other_organisation.slug}/follow-up/", {"receipt": receipt})
    assert response.status_code == 400


def test_no_client_address_in_the_logging_configuration():
    formats = [formatter.get("format", "") for formatter in settings.LOGGING.get("formatters", {}).values()]
    assert all("addr" not in fmt and "%(h)" not in fmt for fmt in formats)


@pytest.mark.django_db
def test_a_form_text_over_djangos_limit_gets_the_page_back_with_413(organisation):
    response = Client().post(intake_url(organisation), data="description=" + "x" * 6_000_000,
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and "Nothing was saved" in response.content.decode()
    assert not Grievance.objects.exists()


@pytest.mark.django_db
def test_a_followed_case_reads_in_the_complainants_language_whatever_the_browser_says(organisation):
    """Filed in Swahili (the Swahili form, a Swahili text, in Kenya), followed weeks later from a phone set to
    English: the case and its remedy pages are in Swahili (Grievance.complainant_language); a link naming a
    language still wins."""
    filing = Client()
    filing.get(intake_url(organisation, lang="sw"))
    response, _data = send(filing, organisation, country="KE", description=(
        "Akaunti yangu ilifungwa kwa wiki tatu baada ya simu yangu kuibiwa, na hakuna aliyenijibu."))
    assert response.status_code == 303
    receipt = receipt_from(filing, organisation)
    assert Grievance.objects.get().complainant_language == "sw"
    client = following(organisation, receipt)
    for path in ("case/", "case/remedy/"):
        page = client.get(f"/g/{organisation.slug}/{path}", HTTP_ACCEPT_LANGUAGE="en-GB,en")
        assert page.status_code == 200 and page["Content-Language"] == "sw", path
        assert '<html lang="sw" dir="ltr">' in page.content.decode(), path
    chosen = client.get(f"/g/{organisation.slug}/case/?lang=fr", HTTP_ACCEPT_LANGUAGE="en-GB,en")
    assert '<html lang="fr"' in chosen.content.decode()
    # Someone who filed on the English form keeps English, whatever their browser says now.
    other = Client()
    assert send(other, organisation)[0].status_code == 303
    english = receipt_from(other, organisation)
    page = following(organisation, english).get(f"/g/{organisation.slug}/case/", HTTP_ACCEPT_LANGUAGE="sw")
    assert '<html lang="en"' in page.content.decode()
