"""Issue 17's "Done when", as a practitioner lives it: a partner in Nairobi sees everything addressed to them in
Swahili, and an Arabic-speaking stakeholder sees a correct right-to-left portal and feedback letter.

Every message and page that reaches a stakeholder is produced here through the action or the page that sends or
shows it, and read back as they would read it: the language it declares (`lang`, Content-Language, the PDF's
/Lang), Swahili sentences from the catalogue, and no fixed text of ours left in English
(language_checks.leftover_english). Two partners: one whose only recorded language is Swahili, and one with no
recorded language at all, whom the fall-back order (their country's lingua franca) must bring to Swahili too.
"""

from __future__ import annotations

import datetime
import re
import zlib
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rightsloop.core.registry import site
from rightsloop.core.tests.language_checks import html_language, leftover_english, translate
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.models import FeedbackReport
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.actions import record_consent
from rightsloop.stakeholders.tests.factories import make_stakeholder

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
SAID = "Wakopaji wanawake wanaoshiriki simu moja hawapaswi kupoteza alama zao za mkopo."


def said_in_swahili(text: str, *msgids: str) -> None:
    """Each msgid's Swahili msgstr is in `text`, and the English msgid is not."""
    for msgid in msgids:
        swahili = translate(msgid, "sw")
        assert swahili != msgid, f"the Swahili catalogue lacks {msgid!r}"
        assert swahili in text, f"{swahili!r} (for {msgid!r}) is missing"
        assert msgid not in text, f"{msgid!r} is still in English"


def pdf_languages(pdf: bytes) -> set[str]:
    """The /Lang entries of a PDF, looked for in its compressed streams too (WeasyPrint compresses its catalogue)."""
    chunks = [pdf]
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            continue
    return {found.decode() for chunk in chunks for found in re.findall(rb"/Lang\s*\((\w+)\)", chunk)}


@pytest.fixture(params=["swahili", "no-language"])
def partner(request, hr_lead):
    """A local partner in Nairobi who agreed to be contacted: Swahili recorded as their only language, or no
    language recorded at all. The organisation writes English by default."""
    assert hr_lead.organisation.default_language == "en"
    languages = ["sw"] if request.param == "swahili" else []
    person = make_stakeholder(hr_lead, name="Wanjiku Otieno", entity_type="person", country="KE",
                              languages=languages, preferred_language="", email="wanjiku@example.net")
    record_consent(stakeholder=person, scope="contact", granted=True, method="verbal", given_on=TODAY, by=hr_lead)
    person.refresh_from_db()
    return person


def told_and_decided(hr_lead, person):
    """The partner took part in a workshop and said one thing, which is still under consideration."""
    engagement = make_engagement(hr_lead, title="Mkopo credit scoring workshop, Nairobi",
                                 starts_on=TODAY - 10 * DAY, ends_on=TODAY - 9 * DAY)
    participation = make_participation(hr_lead, engagement, person)
    item = make_input(hr_lead, engagement, participation, text=SAID)
    engagement_actions.record_decision(input=item, outcome="under_consideration", rationale="",
                                       next_step="A review of shared-phone scoring", next_step_due=TODAY + 30 * DAY,
                                       by=hr_lead)
    participation.refresh_from_db()
    return participation


# The feedback letter: email (text and HTML), PDF, and the copy in the portal ---------------------------------------

@pytest.mark.django_db
def test_the_feedback_letter_reaches_them_in_swahili_by_email_and_as_a_pdf(
        hr_lead, partner, django_capture_on_commit_callbacks):
    participation = told_and_decided(hr_lead, partner)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_actions.send_feedback_by_email(participation=participation, by=hr_lead)
    [message] = mail.outbox
    assert message.to == ["wanjiku@example.net"] and message.extra_headers["Content-Language"] == "sw"
    assert message.subject == translate("What became of your input: %(title)s", "sw") % {
        "title": "Mkopo credit scoring workshop, Nairobi"}
    [(html, _mimetype)] = message.alternatives
    assert html_language(html) == ("sw", "ltr") and 'lang="sw"' in html.split("<article", 1)[1][:40]
    for text in (message.body, html):
        said_in_swahili(text, "We are still considering this.")
        assert SAID in text and translate("Dear %(name)s,", "sw") % {"name": "Wanjiku Otieno"} in text
    said_in_swahili(html, "Still open")
    assert translate("Still open", "sw").upper() in message.body  # the plain text's section heading
    assert leftover_english(message.body, "sw", html=False) == []
    assert leftover_english(html, "sw") == []
    assert FeedbackReport.objects.get().language == "sw"

    # The PDF the owner prints or hands over: its text in Swahili, and the PDF says so (/Lang).
    from rightsloop.engagements.tests.test_letters import pdf_text

    content, pdf = engagement_actions.download_letter_pdf(participation=participation, addressee="Wanjiku Otieno",
                                                         by=hr_lead)
    assert content.language == "sw" and pdf_languages(pdf) == {"sw"}
    printed = pdf_text(content, participation.engagement.organisation)
    assert translate("Still open", "sw") in printed and "Still open" not in printed


# The portal: the link's email, following it, every page ------------------------------------------------------------

@pytest.mark.django_db
def test_the_portal_link_email_and_every_portal_page_are_in_swahili(hr_lead, partner):
    from rightsloop.portal.actions.links import issue_portal_link, send_link_email
    from rightsloop.portal.models import PortalLink

    participation = told_and_decided(hr_lead, partner)
    report = engagement_actions.mark_feedback_delivered(participation=participation, channel="in_person",
                                                        note="read out at the Nairobi office", by=hr_lead)
    issued = issue_portal_link(viewer=hr_lead, stakeholder=partner, channel="email")
    assert send_link_email(link_id=issued.link.pk) == "sent"
    [message] = mail.outbox
    assert message.extra_headers["Content-Language"] == "sw"
    assert message.subject == translate("Your link to the stakeholder portal of %(organisation)s", "sw") % {
        "organisation": hr_lead.organisation.name}
    assert message.body.startswith("Habari,")  # the catalogue's greeting: the English one starts "Hello,"
    assert leftover_english(message.body, "sw", html=False) == []
    assert PortalLink.objects.get().sent_at is not None

    # They follow the link from the email, in a browser that says nothing of their language.
    client = Client()
    enter = urlsplit(re.search(r"https?://\S+/portal/enter/\S+/", message.body).group(0)).path
    door = client.get(enter).content.decode()
    assert html_language(door) == ("sw", "ltr") and leftover_english(door, "sw") == []
    assert client.post(enter).status_code == 302
    pages = [reverse("portal:home"), reverse("portal:said:report", args=[report.pk])]
    pages += [reverse(f"portal:{section.key}:index") for section in site.portal_sections]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.content.decode()
        assert html_language(page) == ("sw", "ltr"), path
        assert leftover_english(page, "sw") == [], path
        said_in_swahili(page, "Sign out", "Home")
    letter = client.get(reverse("portal:said:report", args=[report.pk])).content.decode()
    assert SAID in letter and translate("Still open", "sw").upper() in letter  # the letter as it was sent


# Rating requests and their reminder; the end of an NDA ---------------------------------------------------------------

@pytest.mark.django_db
def test_a_rating_request_and_its_reminder_are_in_swahili(hr_lead, partner):
    from rightsloop.relationships import ratings
    from rightsloop.relationships.tests.rating_factories import make_round

    make_round(hr_lead, [partner], title="Mkopo partners, first round", closes_on=TODAY + 2 * DAY)
    # Two days before it closes: the invitation and the reminder both go today.
    assert ratings.send_round_notices(today=TODAY) == 2
    invitation, reminder = mail.outbox
    for message in (invitation, reminder):
        assert message.to == ["wanjiku@example.net"] and message.extra_headers["Content-Language"] == "sw"
        said_in_swahili(message.body, "Hello,")
        assert leftover_english(message.body, "sw", html=False) == []
    assert invitation.subject == translate("How is our relationship going? %(round)s", "sw") % {
        "round": "Mkopo partners, first round"}
    assert reminder.subject == translate("Reminder: tell us how our relationship is going", "sw")


@pytest.mark.django_db
def test_the_end_of_their_nda_is_told_in_swahili(hr_lead, partner):
    from rightsloop.relationships import agreements
    from rightsloop.relationships.tests.agreement_factories import make_agreement

    make_agreement(hr_lead, partner, state="in_force", starts_on=TODAY - 100 * DAY, review_on=TODAY + 100 * DAY,
                   nda_sunset_on=TODAY - DAY)
    mail.outbox.clear()
    assert agreements.send_agreement_reminders(today=TODAY) == 1
    [message] = mail.outbox
    assert message.to == ["wanjiku@example.net"] and message.extra_headers["Content-Language"] == "sw"
    said_in_swahili(message.body, "Hello,", "Thank you for your time and your expertise.")
    assert leftover_english(message.body, "sw", html=False) == []


# A consultation's outcome message, to someone who answered in Swahili -------------------------------------------------

@pytest.mark.django_db
def test_a_consultation_respondent_who_answered_in_swahili_hears_the_outcome_in_swahili(hr_lead):
    from rightsloop.consultations.tests.test_outcomes import consultation_with_themes, person, send_all

    consultation, _privacy, _cost = consultation_with_themes(
        hr_lead, [person(1, language="sw", contact="mwananchi@example.net"), person(2)])
    send_all(consultation, hr_lead)
    message = next(m for m in mail.outbox if m.to == ["mwananchi@example.net"])
    assert message.extra_headers["Content-Language"] == "sw"
    assert message.subject == translate("What became of what you told us: %(title)s", "sw") % {
        "title": consultation.engagement.title}
    said_in_swahili(message.body, "Our decision:")
    assert leftover_english(message.body, "sw", html=False) == []


# A grievance written in Swahili: the case pages, our question, the answer to a remedy ---------------------------------

GRIEVANCE = ("Akaunti yangu ya KestrelPay ilifungwa kwa wiki tatu baada ya simu yangu kuibiwa, na hakuna mtu "
             "aliyenijibu wala kunieleza sababu.")


@pytest.mark.django_db
def test_a_complainant_who_wrote_in_swahili_follows_the_case_in_swahili_from_any_browser(organisation, hr_lead):
    from rightsloop.grievances.actions import cases
    from rightsloop.grievances.models import Grievance, StageChange
    from rightsloop.grievances.tests.test_public_pages import following, intake_url, receipt_from, send

    filing = Client()
    filing.get(intake_url(organisation, lang="sw"))  # the link on the poster in the market hall
    response, _data = send(filing, organisation, description=GRIEVANCE, country="KE")
    assert response.status_code == 303
    receipt = receipt_from(filing, organisation)
    case = Grievance.objects.get()
    assert (case.language, case.interface_language, case.complainant_language) == ("sw", "sw", "sw")
    cases.send_message(grievance=case, text="Simu iliibiwa lini?", is_question=True, by=hr_lead)

    # Weeks later, on a borrowed phone set to English: the receipt opens the case, in Swahili.
    later = following(organisation, receipt)
    page = later.get(f"/g/{organisation.slug}/case/", HTTP_ACCEPT_LANGUAGE="en-GB,en").content.decode()
    assert html_language(page) == ("sw", "ltr")
    assert "Simu iliibiwa lini?" in page
    said_in_swahili(page, "We asked you a question. Please answer below.")
    assert leftover_english(page, "sw") == []
    # A link that names another language still wins: the person chose it.
    assert html_language(later.get(f"/g/{organisation.slug}/case/?lang=fr").content.decode())[0] == "fr"

    # What the mechanism writes to them on its own (a remedy agreed) is in Swahili too.
    from rightsloop.grievances.actions.remedy_answer import answer_proposed_remedy
    from rightsloop.grievances.vocabulary import MessageVia, Stage

    Grievance.objects.filter(pk=case.pk).update(stage=Stage.REMEDY_PROPOSED)
    case.refresh_from_db()
    answer_proposed_remedy(grievance=case, agree=True, via=MessageVia.FOLLOW_UP)
    note = StageChange.objects.filter(grievance=case).order_by("-at", "-pk").first().note
    assert note == translate("You agreed to the proposed remedy. We will tell you as each part is done.", "sw")


# Right to left, in a browser: an Arabic speaker in Egypt, their portal and their letter -------------------------------

@pytest.mark.browser
def test_an_arabic_speaker_reads_their_portal_and_feedback_letter_right_to_left(browser_page, live_server):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member, make_organisation
    from rightsloop.core.tests.test_rtl_browser import LAYOUT
    from rightsloop.portal.testing import follow_link

    staff = make_member(make_organisation("Kestrel Networks"), Role.HR_LEAD)
    person = make_stakeholder(staff, name="Nour El-Sayed", entity_type="person", country="EG", languages=["ar"],
                              email="nour@example.net")
    record_consent(stakeholder=person, scope="contact", granted=True, method="verbal", given_on=TODAY, by=staff)
    engagement = make_engagement(staff, title="Content moderation in Egyptian Arabic",
                                 starts_on=TODAY - 10 * DAY, ends_on=TODAY - 9 * DAY)
    participation = make_participation(staff, engagement, person)
    item = make_input(staff, engagement, participation,
                      text="يجب أن يفهم المراجعون اللهجة المصرية قبل حذف أي منشور.")
    engagement_actions.record_decision(input=item, outcome="adopted", rationale="", by=staff)
    participation.refresh_from_db()
    report = engagement_actions.send_feedback_by_email(participation=participation, by=staff)
    report.refresh_from_db()
    assert report.language == "ar"

    page = browser_page
    arabic = re.compile("[\u0600-\u06ff]")
    problems: list[str] = []

    def check(name: str, found: dict) -> None:
        if (found["direction"], found["dir"], found["lang"]) != ("rtl", "rtl", "ar"):
            problems.append(f"{name}: direction {found['direction']}, dir={found['dir']!r}, lang={found['lang']!r}")
        h1 = found["h1"]
        if h1 is None or found["width"] - h1["right"] > h1["left"] + 1:
            problems.append(f"{name}: the heading does not start at the right: {h1} in {found['width']} px")

    # The portal opens in Arabic by the fall-back order alone: no switcher, a browser set to English.
    follow_link(page, person)
    page.wait_for_url(f"**{reverse('portal:home')}")
    check("portal", page.evaluate(LAYOUT))
    if translate("Your portal", "ar") not in page.title():
        problems.append(f"portal: its title is not in Arabic: {page.title()!r}")

    # The letter, as the portal shows it: Arabic, right to left, its lines starting at the right.
    page.goto(reverse("portal:said:report", args=[report.pk]))
    check("portal letter", page.evaluate(LAYOUT))
    letter = page.evaluate("""() => {
      const body = document.querySelector('main div[lang="ar"]');
      const first = body && body.querySelector('p');
      const range = document.createRange();
      if (first) range.selectNodeContents(first);
      const text = first && range.getBoundingClientRect(), box = body && body.getBoundingClientRect();
      return body && {direction: getComputedStyle(body).direction, align: getComputedStyle(first).textAlign,
                      text: first.textContent, gapRight: box.right - text.right, gapLeft: text.left - box.left};
    }""")
    if not letter or letter["direction"] != "rtl" or not arabic.search(letter["text"]):
        problems.append(f"portal letter: not Arabic right to left: {letter}")
    elif not letter["gapRight"] < 2 < letter["gapLeft"]:
        problems.append(f"portal letter: its first line does not start at the right: {letter}")

    # The letter as the email shows it (its HTML part), with its own stylesheet.
    page.set_content(report.body_html)
    check("emailed letter", page.evaluate(LAYOUT))
    greeting = page.evaluate("""() => {
      const article = document.querySelector('article.letter'), first = article.querySelector('p');
      const range = document.createRange(); range.selectNodeContents(first);
      const text = range.getBoundingClientRect(), box = first.getBoundingClientRect();
      return {direction: getComputedStyle(article).direction, lang: article.lang, text: first.textContent,
              gapRight: box.right - text.right, gapLeft: text.left - box.left};
    }""")
    if (greeting["direction"], greeting["lang"]) != ("rtl", "ar") or not arabic.search(greeting["text"]):
        problems.append(f"emailed letter: not Arabic right to left: {greeting}")
    elif not greeting["gapRight"] < 2 < greeting["gapLeft"]:
        problems.append(f"emailed letter: its greeting does not start at the right: {greeting}")

    assert not problems, "\n".join(problems)
