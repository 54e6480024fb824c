"""The feedback letter: each input once, a personal note, replies that reach someone, a PDF, its language."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import formats, timezone

from rightsloop.conftest import signed_in
from rightsloop.core.models import AuditEntry
from rightsloop.engagements import actions
from rightsloop.engagements.models import FeedbackReport, LetterDraft
from rightsloop.engagements.reports import build_report, letter_document
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
NOTE = "It was good to see you in Kisumu; thank you for the long drive."
# The letters below are for people whose language the interface lacks (Urdu in Pakistan, Amharic in Ethiopia,
# where the fall-back order ends in English): a human translation is what they are sent. Urdu is written right to
# left in the Arabic script, so the Arabic text stands in for one.
ARABIC = "عزيزي المشارك،\n\nشكراً لمشاركتك. هذا ما فعلناه بما قلته لنا."  # noqa: RUF001


def three_decisions(hr_lead, **stakeholder_fields):
    """A participant told us three things: one adopted, one not, one still under consideration."""
    engagement = make_engagement(hr_lead, title="Location data workshop")
    stakeholder = make_stakeholder(hr_lead, **stakeholder_fields)
    participation = make_participation(hr_lead, engagement, stakeholder)
    said = ["Show riders why an order was refused.", "Delete location history after 30 days.",
            "Let riders export their ratings."]
    items = [make_input(hr_lead, engagement, participation, text=text) for text in said]
    actions.record_decision(input=items[0], outcome="adopted", rationale="Shipped in the May release.", by=hr_lead)
    actions.record_decision(input=items[1], outcome="not_adopted", rationale="Fraud checks need 90 days.",
                            by=hr_lead)
    actions.record_decision(input=items[2], outcome="under_consideration", rationale="",
                            next_step="A privacy review of the export format",
                            next_step_due=TODAY + datetime.timedelta(days=40), by=hr_lead)
    participation.refresh_from_db()
    return engagement, participation, said


def pdf_text(content, organisation) -> str:
    """The text WeasyPrint lays out for the letter's PDF (no PDF text extractor is installed)."""
    from weasyprint import HTML

    from rightsloop.oversight.packs import print_stylesheet

    document = HTML(string=letter_document(content, organisation=organisation)).render(
        stylesheets=[print_stylesheet("css/letter.css")])
    texts: list[str] = []

    def walk(box):
        if getattr(box, "text", None):
            texts.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return " ".join(texts)


# The letter ------------------------------------------------------------------

def test_each_input_is_quoted_once_with_its_decision_rationale_and_promise(hr_lead):
    _engagement, participation, said = three_decisions(hr_lead)
    report = build_report(participation)
    for text in said:
        assert report.body.count(text) == 1
        assert report.html.count(text) == 1
    assert "Shipped in the May release." in report.body and "Fraud checks need 90 days." in report.body
    promised = formats.date_format(TODAY + datetime.timedelta(days=40), "DATE_FORMAT")
    assert f"Next step: A privacy review of the export format. You will hear from us by {promised}." in report.body
    assert [len(report.done), len(report.not_done), len(report.still_open)] == [1, 1, 1]
    # The HTML and the text say the same words: both are laid out from one structure.
    for sentence in [report.greeting, *report.opening, *report.closing]:
        assert sentence in report.body
    assert "<blockquote>" in report.html and 'lang="en"' in report.html and 'dir="ltr"' in report.html


def test_the_letter_says_truthfully_where_a_reply_goes(hr_lead, organisation):
    engagement, participation, _said = three_decisions(hr_lead)
    owner = engagement.owner
    report = build_report(participation)
    assert report.reply_to == owner.email
    assert f"write to {owner.get_full_name() or owner.get_username()} at {owner.email}" in report.body
    organisation.feedback_reply_to = "listening@kestrel.example"
    organisation.save()
    participation = type(participation).objects.select_related("engagement__organisation").get(pk=participation.pk)
    report = build_report(participation)
    assert report.reply_to == "listening@kestrel.example"
    assert "write to us at listening@kestrel.example" in report.body


def test_a_personal_note_is_saved_audited_and_in_the_letter(hr_lead):
    _engagement, participation, _said = three_decisions(hr_lead)
    actions.set_personal_note(participation=participation, note=f"  {NOTE}  ", by=hr_lead)
    assert LetterDraft.objects.get(participation=participation).personal_note == NOTE
    report = build_report(participation)
    assert report.body.count(NOTE) == 1 and report.html.count(NOTE) == 1
    assert AuditEntry.objects.filter(action="feedback.note_set").count() == 1
    actions.set_personal_note(participation=participation, note="", by=hr_lead)
    assert NOTE not in build_report(participation).body
    assert AuditEntry.objects.filter(action="feedback.note_cleared").count() == 1


def test_only_roles_that_send_feedback_write_notes(hr_lead, auditor):
    _engagement, participation, _said = three_decisions(hr_lead)
    with pytest.raises(PermissionDenied):
        actions.set_personal_note(participation=participation, note=NOTE, by=auditor)
    assert not LetterDraft.objects.exists()


def test_the_email_is_html_with_a_text_alternative_and_replies_reach_the_owner(
        hr_lead, django_capture_on_commit_callbacks):
    engagement, participation, said = three_decisions(hr_lead, email="rider@example.net")
    actions.set_personal_note(participation=participation, note=NOTE, by=hr_lead)
    with django_capture_on_commit_callbacks(execute=True):
        report = actions.send_feedback_by_email(participation=participation, by=hr_lead)
    [message] = mail.outbox
    assert message.reply_to == [engagement.owner.email]
    assert message.to == ["rider@example.net"]
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html" and html.startswith("<!doctype html>")
    for text in said:
        assert message.body.count(text) == 1 and html.count(text) == 1
    assert NOTE in message.body and NOTE in html
    report.refresh_from_db()
    assert report.status == "sent" and report.personal_note == NOTE and report.reply_to == engagement.owner.email
    # The note was for this letter: the next one starts without it.
    assert not LetterDraft.objects.filter(participation=participation).exists()


def test_withdrawn_inputs_leave_the_letter(hr_lead):
    engagement, participation, _said = three_decisions(hr_lead)
    extra = make_input(hr_lead, engagement, participation, text="Please pay riders for waiting time.")
    actions.withdraw_input(input=extra, reason="Recorded against the wrong person.", by=hr_lead)
    participation.refresh_from_db()
    assert "Please pay riders for waiting time." not in build_report(participation).body


# Its language -----------------------------------------------------------------

def test_a_preferred_language_without_translation_is_named_and_a_human_translation_is_sent(
        hr_lead, django_capture_on_commit_callbacks):
    _engagement, participation, _said = three_decisions(
        hr_lead, email="rider@example.net", preferred_language="ur", languages=["ur"], country="PK")
    report = build_report(participation)
    assert (report.language, report.wanted_language, report.translated) == ("en", "ur", False)
    actions.attach_translation(participation=participation, text=ARABIC, by=hr_lead)
    assert AuditEntry.objects.filter(action="feedback.translation_attached").count() == 1
    report = build_report(participation)
    assert report.translated and (report.language, report.direction) == ("ur", "rtl")
    assert 'lang="ur" dir="rtl"' in report.html and "شكراً لمشاركتك" in report.html
    assert report.original.language == "en"
    with django_capture_on_commit_callbacks(execute=True):
        sent = actions.send_feedback_by_email(participation=participation, by=hr_lead)
    [message] = mail.outbox
    assert message.body.strip() == ARABIC and message.extra_headers["Content-Language"] == "ur"
    assert '<html lang="ur" dir="rtl">' in message.alternatives[0][0]
    sent.refresh_from_db()
    assert sent.translated and sent.language == "ur"


def test_a_translation_of_an_older_letter_is_not_sent(hr_lead):
    _engagement, participation, _said = three_decisions(hr_lead, preferred_language="am", languages=["am"],
                                                        country="ET")
    actions.attach_translation(participation=participation, text="Mpendwa mshiriki, asante.", by=hr_lead)
    actions.set_personal_note(participation=participation, note=NOTE, by=hr_lead)  # the letter changed
    report = build_report(participation)
    assert report.translation_outdated and not report.translated and report.language == "en"
    with pytest.raises(ValidationError):
        actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    actions.remove_translation(participation=participation, by=hr_lead)
    assert AuditEntry.objects.filter(action="feedback.translation_removed").count() == 1
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)


def test_a_translation_needs_a_language_other_than_the_letters(hr_lead):
    _engagement, participation, _said = three_decisions(hr_lead)  # reads English: nothing is missing
    with pytest.raises(ValidationError) as caught:
        actions.attach_translation(participation=participation, text="Hello", by=hr_lead)
    assert "language" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.attach_translation(participation=participation, text="Hello", language="en", by=hr_lead)
    with pytest.raises(ValidationError):
        actions.attach_translation(participation=participation, text="Hello", language="zz", by=hr_lead)
    actions.attach_translation(participation=participation, text="Bonjour", language="fr", by=hr_lead)


# The PDF ------------------------------------------------------------------------

def test_the_pdf_is_the_letter_with_its_note_and_its_download_is_audited(hr_lead):
    _engagement, participation, said = three_decisions(hr_lead)
    actions.set_personal_note(participation=participation, note=NOTE, by=hr_lead)
    content, pdf = actions.download_letter_pdf(participation=participation, addressee="Amina", by=hr_lead)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(content, participation.engagement.organisation)
    assert "Kisumu" in text and "Dear Amina," in text and said[1] in text
    assert AuditEntry.objects.filter(action="feedback.letter_downloaded").count() == 1
    assert not FeedbackReport.objects.exists()  # made on demand, nothing stored


def test_an_arabic_translation_prints_right_to_left(hr_lead):
    _engagement, participation, _said = three_decisions(hr_lead, preferred_language="ur", languages=["ur"],
                                                        country="PK")
    actions.attach_translation(participation=participation, text=ARABIC, by=hr_lead)
    content, pdf = actions.download_letter_pdf(participation=participation, addressee="x", by=hr_lead)
    assert pdf.startswith(b"%PDF") and content.direction == "rtl"
    assert "شكراً" in pdf_text(content, participation.engagement.organisation)


# Send every ready report ------------------------------------------------------------

def test_send_every_ready_report_sends_the_ready_and_says_why_the_others_wait(
        hr_lead, django_capture_on_commit_callbacks):
    engagement = make_engagement(hr_lead)
    ready = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, email="ready@example.net"))
    waiting = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, email="wait@example.net"))
    unreachable = make_participation(hr_lead, engagement, make_stakeholder(
        hr_lead, email="", safe_channels=["phone"], phone="+254700000000"))
    untranslated = make_participation(hr_lead, engagement, make_stakeholder(
        hr_lead, email="am@example.net", preferred_language="am", languages=["am"], country="ET"))
    for participation in (ready, unreachable, untranslated):
        item = make_input(hr_lead, engagement, participation)
        actions.record_decision(input=item, outcome="adopted", rationale="Done.", by=hr_lead)
    make_input(hr_lead, engagement, waiting)
    promised = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, email="late@example.net"))
    actions.record_decision(input=make_input(hr_lead, engagement, promised), outcome="under_consideration",
                            next_step="A review", next_step_due=TODAY + datetime.timedelta(days=1), by=hr_lead)
    type(promised).objects.filter(pk=promised.pk).update(broken_promises=1)  # as if that day had passed
    plan = actions.plan_ready_reports(engagement, hr_lead)
    assert [p.pk for p in plan.ready] == [ready.pk]
    reasons = {p.pk: reason for p, reason in plan.skipped}
    assert reasons[waiting.pk] == "1 input still has no decision."
    assert "Email is not a safe channel" in reasons[unreachable.pk]
    assert "no translation into Amharic" in reasons[untranslated.pk]
    assert "A promised next step is overdue" in reasons[promised.pk]
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.send_ready_reports(engagement=engagement, by=hr_lead)
    assert [p.pk for p in done.ready] == [ready.pk] and len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ready@example.net"]
    assert AuditEntry.objects.filter(action="feedback.ready_sent", summary="1 sent, 4 left for later").exists()
    # Sent is sent: asking again finds nobody ready and that person told.
    again = actions.plan_ready_reports(engagement, hr_lead)
    assert again.ready == [] and {p.pk for p, _reason in again.skipped} >= {ready.pk}


# Pages ------------------------------------------------------------------------------

def test_the_preview_shows_the_letter_its_language_and_saves_a_note(hr_lead):
    engagement, participation, said = three_decisions(hr_lead, preferred_language="am", languages=["am"], country="ET")
    client = signed_in(hr_lead)
    url = reverse("engagements:feedback-participant", args=[engagement.pk, participation.pk])
    page = client.get(url).content.decode()
    assert "This letter is in English." in page
    assert "prefers Amharic" in page and "we have no translation of the letter into Amharic" in page
    assert page.count(said[0]) == 1 and 'class="letter"' in page and "css/letter" in page
    answer = client.post(url, {"do": "note", "personal_note": NOTE})
    assert answer.status_code == 302
    page = client.get(url).content.decode()
    assert page.count(NOTE) == 2  # in the letter, and in the note's form
    assert client.post(url, {"do": "note", "personal_note": "x" * 2001}).status_code == 400


def test_a_translation_can_be_uploaded_as_a_text_file(hr_lead):
    engagement, participation, _said = three_decisions(hr_lead, preferred_language="ur", languages=["ur"], country="PK")
    client = signed_in(hr_lead)
    url = reverse("engagements:feedback-participant", args=[engagement.pk, participation.pk])
    bad = SimpleUploadedFile("letter.txt", b"\xff\xfe\x00bad", content_type="text/plain")
    assert client.post(url, {"do": "translation", "language": "ur", "file": bad}).status_code == 400
    good = SimpleUploadedFile("letter.txt", ARABIC.encode(), content_type="text/plain")
    assert client.post(url, {"do": "translation", "language": "ur", "file": good}).status_code == 302
    page = client.get(url).content.decode()
    assert 'lang="ur" dir="rtl"' in page and "the human translation you attached" in page


def test_the_pdf_downloads_from_the_preview(hr_lead):
    engagement, participation, _said = three_decisions(hr_lead)
    answer = signed_in(hr_lead).get(reverse("engagements:feedback-letter-pdf",
                                            args=[engagement.pk, participation.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and "no-store" in answer["Cache-Control"]


def test_send_every_ready_report_asks_first(hr_lead, django_capture_on_commit_callbacks):
    engagement, _participation, _said = three_decisions(hr_lead, email="rider@example.net")
    client = signed_in(hr_lead)
    url = reverse("engagements:feedback-send-ready", args=[engagement.pk])
    page = client.get(url).content.decode()
    assert "1 letter is ready to be sent by email." in page and len(mail.outbox) == 0
    assert client.post(url, {}).status_code == 400 and len(mail.outbox) == 0  # not confirmed
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(url, {"confirm": "yes"}).content.decode()
    assert "1 letter is being sent by email." in page and len(mail.outbox) == 1


# Safety -------------------------------------------------------------------------------

def protected_participant(hr_lead):
    """A person at high safety level, engaged directly by an audited override; hr_lead holds a grant on them."""
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, name="Amani Secret", safety_level="high", email="",
                              safe_channels=["secure_messenger"], messenger_handle="@amani")
    participation = make_participation(hr_lead, engagement, person, override_reason="Met at their request")
    item = make_input(hr_lead, engagement, participation, text="Stop sharing my route with my employer.")
    actions.record_decision(input=item, outcome="adopted", rationale="Done.", by=hr_lead)
    participation.refresh_from_db()
    return engagement, participation, person


def test_a_protected_persons_letter_and_pdf_are_not_found_without_a_grant(hr_lead, organisation):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member

    engagement, participation, person = protected_participant(hr_lead)
    colleague = make_member(organisation, Role.HR_LEAD)
    client = signed_in(colleague)
    for name in ("engagements:feedback-participant", "engagements:feedback-letter-pdf"):
        assert client.get(reverse(name, args=[engagement.pk, participation.pk])).status_code == 404
    page = client.get(reverse("engagements:feedback-send-ready", args=[engagement.pk])).content.decode()
    assert pseudonym(person.pk) not in page and "Amani" not in page
    assert not AuditEntry.objects.filter(action="feedback.letter_downloaded").exists()


def test_a_protected_persons_pdf_carries_the_pseudonym_the_grant_holder_sees(hr_lead):
    engagement, participation, person = protected_participant(hr_lead)
    client = signed_in(hr_lead)
    page = client.get(reverse("engagements:feedback-participant", args=[engagement.pk, participation.pk]))
    assert page.status_code == 200
    assert f"Dear {pseudonym(person.pk)}," in page.content.decode() and "Amani" not in page.content.decode()
    answer = client.get(reverse("engagements:feedback-letter-pdf", args=[engagement.pk, participation.pk]))
    assert answer.status_code == 200
    content = build_report(participation, addressee=pseudonym(person.pk))
    text = pdf_text(content, engagement.organisation)
    assert pseudonym(person.pk) in text and "Amani" not in text


# Retention and erasure ------------------------------------------------------------------

def test_erasure_and_retention_clear_the_letter_in_every_form(hr_lead):
    from rightsloop.engagements import retention, subjects

    _engagement, participation, _said = three_decisions(hr_lead)
    actions.set_personal_note(participation=participation, note=NOTE, by=hr_lead)
    report = actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    assert report.personal_note == NOTE and "Kisumu" in report.body_html
    assert subjects.export(participation.stakeholder)[0]["feedback_reports"][0]["personal_note"] == NOTE
    actions.set_personal_note(participation=participation, note="For the next letter.", by=hr_lead)
    later = timezone.now() + datetime.timedelta(days=1)
    assert retention.purge_report_bodies(participation.engagement.organisation, later) == 1
    kept = FeedbackReport.objects.get(pk=report.pk)
    assert (kept.body, kept.body_html, kept.personal_note) == ("", "", "")
    subjects.erase(participation.stakeholder)
    assert not LetterDraft.objects.exists()


# The API ------------------------------------------------------------------------------

def delete(client, path):
    return client.client.delete(path, HTTP_AUTHORIZATION=f"Bearer {client.token}")


def test_the_note_translation_pdf_and_ready_reports_through_the_api(
        hr_lead, api, django_capture_on_commit_callbacks):
    engagement, participation, _said = three_decisions(
        hr_lead, email="rider@example.net", preferred_language="ur", languages=["ur"], country="PK")
    client = api(hr_lead)
    base = f"/api/v1/engagements/{engagement.pk}/feedback/{participation.pk}"
    noted = client.put(f"{base}/note", {"note": NOTE})
    assert noted.status_code == 200, noted.content
    assert noted.json()["personal_note"] == NOTE and NOTE in noted.json()["body"]
    assert noted.json()["wanted_language"] == "ur" and noted.json()["language"] == "en"
    assert client.put(f"{base}/note", {"note": "x" * 2001}).status_code == 400
    assert client.put(f"{base}/translation", {"text": ARABIC, "language": "zz"}).status_code == 400
    translated = client.put(f"{base}/translation", {"text": ARABIC})
    assert translated.status_code == 200, translated.content
    letter = translated.json()
    assert letter["translated"] and (letter["language"], letter["direction"]) == ("ur", "rtl")
    assert letter["body"].strip() == ARABIC
    pdf = client.get(f"{base}/letter.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    removed = delete(client, f"{base}/translation")
    assert removed.status_code == 200 and not removed.json()["translated"]
    assert client.put(f"{base}/translation", {"text": ARABIC}).status_code == 200
    listed = client.get(f"/api/v1/engagements/{engagement.pk}/feedback").json()
    assert listed[0]["preview"]["translated"] and listed[0]["preview"]["html"].count('dir="rtl"') == 1
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(f"/api/v1/engagements/{engagement.pk}/feedback/send-ready")
    assert sent.status_code == 200, sent.content
    assert sent.json() == {"sent": [participation.pk], "skipped": []}
    assert mail.outbox[0].body.strip() == ARABIC
    assert [e.action for e in AuditEntry.objects.filter(action__startswith="feedback.").order_by("sequence")] == [
        "feedback.note_set", "feedback.translation_attached", "feedback.letter_downloaded",
        "feedback.translation_removed", "feedback.translation_attached", "feedback.queued", "feedback.ready_sent",
        "feedback.sent"]


def test_a_protected_persons_letter_is_not_found_through_the_api_without_a_grant(hr_lead, organisation, api):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member

    engagement, participation, _person = protected_participant(hr_lead)
    colleague = api(make_member(organisation, Role.HR_LEAD))
    base = f"/api/v1/engagements/{engagement.pk}/feedback/{participation.pk}"
    assert colleague.get(f"{base}/letter.pdf").status_code == 404
    assert colleague.put(f"{base}/note", {"note": NOTE}).status_code == 404
    assert colleague.put(f"{base}/translation", {"text": "x", "language": "fr"}).status_code == 404
    assert delete(colleague, f"{base}/translation").status_code == 404
    assert not LetterDraft.objects.exists()
    assert api(hr_lead).get(f"{base}/letter.pdf").status_code == 200


def test_the_organisation_sets_where_replies_to_letters_go(admin):
    client = signed_in(admin)
    form = {"name": "Kestrel", "default_language": "en", "feedback_days": 60}
    bad = client.post("/organisation/", {**form, "feedback_reply_to": "not an address"})
    assert bad.status_code == 200 and "Enter a valid email address." in bad.content.decode()
    client.post("/organisation/", {**form, "feedback_reply_to": "listening@kestrel.example"})
    admin.organisation.refresh_from_db()
    assert admin.organisation.feedback_reply_to == "listening@kestrel.example"
    assert "feedback_reply_to" in AuditEntry.objects.get(action="organisation.updated").changed_fields


def test_planning_the_ready_reports_costs_a_few_queries_per_letter(hr_lead):
    """Each ready letter is built to check its translation and language; nothing else grows with the people."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    engagement = make_engagement(hr_lead)

    def add_ready(count):
        for _ in range(count):
            participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
            for _ in range(3):
                item = make_input(hr_lead, engagement, participation)
                actions.record_decision(input=item, outcome="adopted", rationale="Done.", by=hr_lead)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            plan = actions.plan_ready_reports(engagement, hr_lead)
        return len(captured), len(plan.ready)

    add_ready(2)
    few, two = queries()
    add_ready(4)
    many, six = queries()
    assert (two, six) == (2, 6)
    assert many - few <= 4 * 4, (few, many)  # at most four queries for each further letter, whatever its inputs
