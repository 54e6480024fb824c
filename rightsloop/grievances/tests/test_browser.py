"""Issue 14's "done when", end to end on a cheap phone: JavaScript off, 320 px wide, in Spanish by link.

A person opens the organisation's grievance page, comes forward anonymously, writes down the receipt and goes.
A handler acknowledges the case within the deadline. The person comes back with nothing but the receipt, sees
"acknowledged" and the indicative date of the next step, answers the handler's question, agrees to the remedy
proposed, and later confirms the action was delivered; then leaves the case on that phone. The handler's side
goes through the same actions the staff pages call; the person's side only through the pages.
"""

import datetime

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import formats, timezone, translation

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.grievances import receipts
from rightsloop.grievances.actions import cases, remedy
from rightsloop.grievances.models import ActionConfirmation, CaseMessage, Grievance, GrievanceSettings
from rightsloop.grievances.vocabulary import (
    ActionStatus,
    Channel,
    ConfirmationAnswer,
    MessageDirection,
    Mode,
    RemedyType,
    Stage,
)
from rightsloop.portal.testing import fits_the_width, phone_browser

pytestmark = pytest.mark.browser

MAX_PAGE_BYTES = 50_000
DESCRIPTION = ("Mi cuenta de KestrelPay fue suspendida sin aviso y llevo dos semanas sin poder cobrar a los clientes "
               "de mi puesto en el mercado. Nadie me dice por qué.")
ANSWER = "Fue el lunes 3, por la mañana. Vendo fruta en el mercado de San Juan."
# The English text of every message the person reads or acts on below: the Spanish catalogue must have them all.
READ = []


def spanish(message: str, context: str = "") -> str:
    with translation.override("es"):
        return translation.pgettext(context, message) if context else translation.gettext(message)


def es(message: str, context: str = "") -> str:
    """What the person, who chose Spanish, sees for `message` (noted, to check the catalogue has it)."""
    READ.append((context, message))
    return spanish(message, context)


def es_date(day: datetime.date) -> str:
    with translation.override("es"):
        return formats.date_format(day, "DATE_FORMAT")


def check_the_page(page) -> None:
    """Fits 320 px, no script anywhere in it, and the HTML under 50 KB."""
    assert fits_the_width(page), page.url
    assert page.locator("script").count() == 0, page.url
    assert page.evaluate("document.querySelectorAll('[onclick],[onload],[onsubmit]').length") == 0
    assert len(page.content().encode()) < MAX_PAGE_BYTES, page.url
    assert page.locator("html").get_attribute("lang") == "es", page.url


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()  # the receipt throttle's counters
    yield
    cache.clear()


def test_an_anonymous_person_on_a_phone_in_spanish_follows_their_case_to_a_delivered_remedy(live_server,
                                                                                          transactional_db):
    from playwright.sync_api import expect

    READ.clear()
    organisation = make_organisation("Kestrel Networks")
    handler = make_member(organisation, Role.HR_LEAD)
    owner = make_member(organisation, Role.DECISION_MAKER)
    mechanism = GrievanceSettings.of(organisation)
    # Resolving the address loads the URL configuration (the API's modules with it) here, not in the first request.
    intake = reverse("grievances-public:intake", args=[organisation.slug])

    with phone_browser(live_server) as page:
        # The organisation's page, in Spanish by link; anonymous is the way the form starts with.
        page.goto(f"{intake}?lang=es")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Kestrel Networks")
        check_the_page(page)
        expect(page.get_by_label(es("Your name"))).to_have_count(0)
        page.get_by_label(es("What happened?")).fill(DESCRIPTION)
        page.get_by_role("button", name=es("Send my grievance")).click()

        # The receipt, shown once: they write it down (read here off the page) and go.
        expect(page.get_by_role("heading", level=1)).to_have_text(es("We have your grievance"))
        check_the_page(page)
        written_down = page.locator(".receipt").get_attribute("aria-label")
        case = Grievance.objects.get(organisation=organisation)
        assert case.mode == Mode.ANONYMOUS and case.channel == Channel.WEB and case.interface_language == "es"
        assert receipts.check(organisation, receipts.normalise(written_down)) == case
        expect(page.locator("main")).to_contain_text(es_date(case.acknowledge_due_on))
        page.reload()  # shown once: a refresh no longer shows it
        expect(page.get_by_role("heading", level=1)).to_have_text(es("Your receipt was already shown"))
        assert written_down.replace(" ", "") not in page.content()
        page.context.clear_cookies()  # they close the browser: nothing of the visit stays

        # Within the deadline, a handler acknowledges the case.
        cases.acknowledge(grievance=case, by=handler, note="Hemos leído su queja.")
        case.refresh_from_db()
        assert timezone.localdate(case.acknowledged_at) <= case.acknowledge_due_on == (
            timezone.localdate(case.received_at) + datetime.timedelta(days=mechanism.acknowledge_days))

        # They come back with the receipt only, typed as they wrote it down.
        page.goto(f"{intake}?lang=es")
        page.get_by_role("link", name=es("Follow your case with your receipt")).click()
        check_the_page(page)
        page.get_by_label(es("Your receipt")).fill(written_down)
        page.get_by_role("button", name=es("Open my case")).click()
        stage = page.locator("#stage")
        expect(stage.get_by_role("heading")).to_contain_text(es("Acknowledged", "grievance stage"))
        indicative = es("by %(date)s (indicative)") % {"date": es_date(case.respond_due_on)}
        expect(stage).to_contain_text(indicative)
        expect(page.locator("main")).to_contain_text("Hemos leído su queja.")
        check_the_page(page)

        # The handler asks a question; the person answers it.
        cases.move_stage(grievance=case, to=Stage.ASSESSING, by=handler)
        cases.send_message(grievance=case, is_question=True, by=handler,
                           text="¿Qué día suspendieron la cuenta, y qué vende usted?")
        page.reload()
        messages = page.locator("#messages")
        expect(messages).to_contain_text(es("We asked you a question. Please answer below."))
        expect(messages).to_contain_text("¿Qué día suspendieron la cuenta")
        messages.get_by_label(es("Your message")).fill(ANSWER)
        messages.get_by_role("button", name=es("Send my answer")).click()
        expect(page.get_by_role("status")).to_contain_text(es("Your message was sent."))
        check_the_page(page)
        answer = CaseMessage.objects.get(grievance=case, direction=MessageDirection.FROM_COMPLAINANT)
        assert answer.text == ANSWER and answer.via == "follow_up"

        # The handler proposes a remedy: a plan with one action; the person agrees to it.
        cases.move_stage(grievance=case, to=Stage.INVESTIGATING, by=handler)
        plan = remedy.create_plan(grievances=[case], title="Cuenta suspendida sin aviso", by=handler)
        action = remedy.add_action(plan=plan, remedy_type=RemedyType.RESTITUTION, owner=owner.user, by=handler,
                                   due_on=timezone.localdate() + datetime.timedelta(days=10),
                                   description="Reactivar la cuenta y pagar lo que dejó de cobrar.")
        cases.move_stage(grievance=case, to=Stage.REMEDY_PROPOSED, by=handler)
        page.reload()
        section = page.locator("#remedy")
        expect(stage.get_by_role("heading")).to_contain_text(es("Remedy proposed", "grievance stage"))
        expect(section).to_contain_text("Reactivar la cuenta y pagar lo que dejó de cobrar.")
        check_the_page(page)
        section.get_by_label(es("Yes, I agree to it")).check()
        section.get_by_role("button", name=es("Send my answer")).click()
        expect(stage.get_by_role("heading")).to_contain_text(es("Remedy agreed", "grievance stage"))
        check_the_page(page)
        case.refresh_from_db()
        assert case.stage == Stage.REMEDY_AGREED

        # Later the handler delivers it; the person confirms it was done.
        cases.move_stage(grievance=case, to=Stage.REMEDY_DELIVERING, by=handler)
        remedy.mark_delivered(action=action, by=handler)
        page.reload()
        expect(section).to_contain_text(es("We say this was done. Was it?"))
        check_the_page(page)
        section.get_by_label(es("Yes, this was done")).check()
        section.get_by_role("button", name=es("Send my answer")).click()
        expect(section).to_contain_text(es("You told us"))
        expect(section.get_by_role("button", name=es("Send my answer"))).to_have_count(0)
        check_the_page(page)

        # Done: they leave the case on this phone, and the page no longer opens it.
        page.get_by_role("button", name=es("Leave (close my case on this device)")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(es("Follow your case"))
        page.goto(reverse("grievances-public:follow-up", args=[organisation.slug]))
        expect(page.get_by_label(es("Your receipt"))).to_be_visible()

    confirmation = ActionConfirmation.objects.get(action=action, grievance=case)
    assert (confirmation.answer, confirmation.via, confirmation.recorded_by) == (
        ConfirmationAnswer.CONFIRMED, "follow_up", None)
    action.refresh_from_db()
    assert action.status == ActionStatus.CONFIRMED
    # Everything above was read in Spanish: a message still in English fails the "in Spanish".
    untranslated = sorted({message for context, message in READ if spanish(message, context) == message})
    assert not untranslated, f"{len(untranslated)} message(s) the person read have no Spanish translation: " + \
        "; ".join(untranslated)
