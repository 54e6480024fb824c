"""End to end in a real browser: an analyst imports a file of responses, runs theme discovery, confirms examples and
finalises the themes, has every response assigned, decides on each theme and sends the loop-closure messages."""

import csv
import random

import pytest
from django_otp.oath import totp

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_authenticator, make_member, make_organisation

from ..models import RespondentMessage, Response, ThemeAssignment, ThemeStatus
from .factories import make_consultation

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def loaded_urls():
    """Load the URLs (and through the analysis API, scikit-learn) before the browser asks for a page: the live
    server runs in this process, and on a busy machine its first request could outlast a navigation's timeout."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - evaluated for its import side effect
PLANTED = {
    "parking": ["There was nowhere to park at the hospital", "The car park was full and parking cost too much",
                "Parking is impossible near the clinic", "I drove around for ages looking for a parking space"],
    "waiting": ["I waited four hours in the emergency department", "The waiting time for an appointment was long",
                "We had to wait too long to be seen", "Waiting times in the clinic are far too long"],
    "staff": ["The nurses were kind and caring", "Staff were friendly and listened to me",
              "The doctor was polite and explained everything", "Lovely caring staff on the ward"],
}


def responses_file(path) -> int:
    """A consultation export built by the test: planted themes, contacts for some, one row with no text."""
    rng = random.Random(3)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "answer", "email", "may_contact", "ward"])
        number = 0
        for theme, sentences in PLANTED.items():
            for _round in range(20):
                number += 1
                text = rng.choice(sentences) + rng.choice(["", ".", " really.", " every time."])
                email = f"person{number}@example.org" if number % 2 else ""
                writer.writerow([f"R{number}", text, email, "yes" if email else "", theme])
        writer.writerow(["R-empty", "", "", "", "none"])
    return number


def test_import_analyse_decide_and_close_the_loop(browser_page, mailoutbox, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    organisation = make_organisation("Kestrel Networks")
    analyst = make_member(organisation, Role.HR_LEAD)
    authenticator = make_authenticator(analyst.user)
    consultation = make_consultation(analyst, title="Hospital experience survey")
    rows = responses_file(tmp_path / "responses.csv")

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(analyst.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()

    # 1. Import: upload, map the columns, check every row, read the problem, confirm.
    page.get_by_role("link", name="Consultations").first.click()
    page.get_by_role("link", name="Hospital experience survey").click()
    page.get_by_role("link", name="Upload a file of responses").click()
    page.get_by_label("File of responses").set_input_files(str(tmp_path / "responses.csv"))
    page.get_by_role("button", name="Upload").click()
    page.get_by_label("Response text").select_option("answer")
    page.get_by_label("Respondent id").select_option("id")
    page.get_by_label("Contact (email address)").select_option("email")
    page.get_by_label("Consent to be contacted (yes/no)").select_option("may_contact")
    page.get_by_label("ward").check()
    page.get_by_role("button", name="Check every row").click()
    expect(page.get_by_text("No response text").first).to_be_visible()
    page.get_by_role("button", name=f"Import {rows} rows").click()
    expect(page.get_by_text("Imported").first).to_be_visible()
    assert "person1@example.org" not in page.content()
    consultation.refresh_from_db()
    assert consultation.responses_count == rows

    # 2. Discovery with three themes, then confirm an example in each and make the set final.
    page.goto(f"/consultations/{consultation.pk}/analysis/")
    page.get_by_label("Number of themes").fill("3")
    page.get_by_role("button", name="Run discovery").click()
    themes = list(consultation.themes.filter(status=ThemeStatus.CANDIDATE))
    assert len(themes) == 3
    for theme in themes:
        page.goto(f"/consultations/{consultation.pk}/themes/{theme.pk}/")
        page.get_by_role("button", name="Confirm", exact=True).first.click()
    # Discovery's key terms are a machine's words: the analyst confirms a label before it is sent or published.
    for theme in themes[1:]:
        page.goto(f"/consultations/{consultation.pk}/themes/{theme.pk}/")
        page.get_by_role("button", name="Confirm this label").click()
        expect(page.get_by_text("Label confirmed").first).to_be_visible()
    page.goto(f"/consultations/{consultation.pk}/themes/{themes[0].pk}/")
    page.get_by_text("Rename", exact=True).click()  # each change is folded until asked for
    page.get_by_label("Label:", exact=True).fill("Renamed by the analyst")
    page.get_by_role("button", name="Save", exact=True).click()
    page.goto(f"/consultations/{consultation.pk}/analysis/")
    page.get_by_role("button", name="Make the theme set final").click()
    page.get_by_role("button", name="Assign to the final themes").click()
    expect(page.get_by_text("Renamed by the analyst").first).to_be_visible()
    assigned = ThemeAssignment.objects.filter(consultation=consultation, source="assigned")
    assert assigned.values("response").distinct().count() == rows
    # The analysis page fits a 1,366 px window: its charts follow their container, nothing overflows sideways.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/consultations/{consultation.pk}/analysis/")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 3. A decision on each theme, then the messages.
    page.goto(f"/consultations/{consultation.pk}/decisions/")
    for theme in consultation.themes.final():
        page.goto(f"/consultations/{consultation.pk}/decisions/{theme.pk}/")
        page.locator("input[name=outcome][value=adopted]").check()
        page.get_by_label("Rationale").fill(f"We act on {theme.label}.")
        page.get_by_role("button", name="Record the decision").click()
    page.goto(f"/consultations/{consultation.pk}/messages/")
    page.get_by_role("button", name="Send the message to").click()
    expect(page.get_by_text("Sent").first).to_be_visible()
    addresses = (rows + 1) // 2
    assert len(mailoutbox) == addresses == RespondentMessage.objects.filter(sent_at__isnull=False).count()
    assert "Renamed by the analyst" in "".join(message.body for message in mailoutbox)


def test_an_import_is_rolled_back_only_after_a_confirmation_page(browser_page, tmp_path):
    from playwright.sync_api import expect

    page = browser_page
    organisation = make_organisation("Kestrel Networks")
    analyst = make_member(organisation, Role.HR_LEAD)
    authenticator = make_authenticator(analyst.user)
    consultation = make_consultation(analyst, title="Hospital experience survey")
    rows = responses_file(tmp_path / "responses.csv")

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(analyst.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()

    page.goto(f"/consultations/{consultation.pk}/imports/new/")
    page.get_by_label("File of responses").set_input_files(str(tmp_path / "responses.csv"))
    page.get_by_role("button", name="Upload").click()
    page.get_by_label("Response text").select_option("answer")
    page.get_by_label("Respondent id").select_option("id")
    page.get_by_role("button", name="Check every row").click()
    page.get_by_role("button", name=f"Import {rows} rows").click()
    expect(page.get_by_text("Imported").first).to_be_visible()

    # One click no longer deletes: the button leads to a page that says what will be lost, and changes nothing.
    page.get_by_role("link", name="Roll back this import").click()
    expect(page.get_by_role("heading", name="What will be lost")).to_be_visible()
    expect(page.get_by_text(f"All {rows} responses from this file are deleted")).to_be_visible()
    assert Response.objects.filter(consultation=consultation).count() == rows
    page.get_by_role("link", name="Keep the import").click()
    expect(page.get_by_role("link", name="Roll back this import")).to_be_visible()
    assert Response.objects.filter(consultation=consultation).count() == rows

    page.get_by_role("link", name="Roll back this import").click()
    page.get_by_role("button", name=f"Delete {rows} responses and roll back").click()
    expect(page.get_by_text("Rolled back").first).to_be_visible()
    assert not Response.objects.filter(consultation=consultation).exists()
