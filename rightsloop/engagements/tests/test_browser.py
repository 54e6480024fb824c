"""End to end in a real browser: a human rights lead closes one loop through the UI, from sign-in to dashboard."""

import base64
import re
from pathlib import Path

import pytest
from django.urls import get_resolver
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_authenticator, make_member, make_organisation
from rightsloop.engagements.models import Engagement, FeedbackReport, Input
from rightsloop.engagements.reports import build_report
from rightsloop.engagements.tests.test_letters import pdf_text
from rightsloop.engagements.vocabulary import DeliveryStatus, LoopState, Outcome

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
STAKEHOLDER = "Nairobi Riders Collective"
STAKEHOLDER_EMAIL = "contact@riders.example.net"
TITLE = "Delivery app location data workshop"
FIRST_SAID = "Riders cannot see how long the app keeps their location trail after a shift ends."
SECOND_SAID = "Show the deactivation reason in Swahili as well as English."
RATIONALE = "Retention is set by the transport regulator; we publish the period in the rider handbook instead."
NOTE = "Thank you for staying late to show us the rider app on your own phone."
NO_RELOAD = "still-the-same-document"
RESULTS_DIR = Path(__file__).resolve().parents[3] / "test-results"


def test_hr_lead_closes_a_loop_end_to_end(browser_page, mailoutbox):
    from playwright.sync_api import expect

    page = browser_page
    # Import the URLconf (and with it every API schema) before the first page: on a loaded machine that first
    # import alone can outlast the browser's 10 s timeout.
    get_resolver().url_patterns  # noqa: B018
    organisation = make_organisation("Kestrel Networks")
    hr_lead = make_member(organisation, Role.HR_LEAD)
    authenticator = make_authenticator(hr_lead.user)
    # Chromium sends "Origin: null" on our form posts (Referrer-Policy: no-referrer); the CSRF check must
    # accept them through Sec-Fetch-Site, and no page may load anything from another origin.
    posted_origins = []
    page.on("request", lambda request: posted_origins.append(request.headers.get("origin"))
            if request.method == "POST" and request.is_navigation_request() else None)
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    # 1. Sign in: the password, then the code the authenticator app would show now.
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(hr_lead.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your code", level=1)).to_be_visible()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert "null" in posted_origins, posted_origins

    # 2. Register a stakeholder, then record their consent to attribution.
    page.goto("/stakeholders/new/")
    page.get_by_label("Name:", exact=True).fill(STAKEHOLDER)
    page.get_by_role("radio", name="Affected stakeholder").check()
    page.get_by_label("Country:", exact=True).select_option(label="Kenya")
    page.get_by_label("Languages:", exact=True).select_option(label="English")
    page.get_by_role("radio", name="Normal").check()
    page.get_by_role("textbox", name="Email:", exact=True).fill(STAKEHOLDER_EMAIL)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("Stakeholder registered.")
    expect(page.get_by_role("heading", level=1)).to_contain_text(STAKEHOLDER)

    page.get_by_label("Consent to").select_option(label="Have their inputs attributed to them internally")
    page.get_by_role("radio", name="Granted").check()
    page.get_by_label("How:", exact=True).select_option(label="Written")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Consent recorded.")
    consent_row = page.get_by_role("row", name=re.compile("Have their inputs attributed"))
    expect(consent_row).to_contain_text("Granted")

    # 3. Plan an engagement.
    page.goto("/engagements/new/")
    page.get_by_label("Title:", exact=True).fill(TITLE)
    page.get_by_label("Type:", exact=True).select_option(label="Workshop")
    page.get_by_role("checkbox", name="Identify and assess").check()
    page.get_by_label("Starts on").fill(timezone.localdate().isoformat())
    page.get_by_label("Information handling").select_option(value="attributable")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Engagement created.")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    engagement_url = page.url

    # 4. Find the stakeholder in the register and invite them.
    page.get_by_label("Find in the register").fill("riders")
    page.get_by_role("button", name="Find", exact=True).click()
    page.get_by_role("link", name=STAKEHOLDER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Invite {STAKEHOLDER} to {TITLE}")
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_role("status")).to_contain_text("Participant added.")
    participants = page.get_by_role("region", name="Participants")
    expect(participants.get_by_role("link", name=STAKEHOLDER)).to_be_visible()

    # 5. Record two inputs live: htmx adds each to the list without reloading the page.
    page.get_by_role("link", name="Inputs", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Inputs: {TITLE}")
    inputs_url = page.url
    # htmx (a deferred script) must have wired the forms up before we submit; then mark this document.
    page.wait_for_load_state("load")
    page.evaluate(f"window.rightsloopMarker = {NO_RELOAD!r}")
    time_origin = page.evaluate("performance.timeOrigin")
    form = page.locator("#input-form")
    rows = page.locator("#input-list > li")

    # An empty input is refused in place: the error shows and what was typed stays.
    form.get_by_label("Themes").fill("kept theme")
    form.get_by_role("button", name="Record").click()
    expect(page.locator("#input-form .errorlist")).to_contain_text("This field is required.")
    expect(page.locator("#input-form").get_by_label("Themes")).to_have_value("kept theme")
    expect(rows).to_have_count(0)
    form = page.locator("#input-form")

    form.get_by_label("Who said it").select_option(label=STAKEHOLDER)
    form.get_by_label("What was said").fill(FIRST_SAID)
    form.get_by_label("Themes").fill("privacy, location data")
    form.get_by_label("Route to").select_option(label="Product")
    form.get_by_role("button", name="Record").click()
    expect(rows).to_have_count(1)
    first = rows.filter(has_text=FIRST_SAID)
    expect(first).to_contain_text(STAKEHOLDER)
    expect(first).to_contain_text("Routed to Product")
    expect(page.locator("#input-status")).to_have_text("Input recorded.")
    expect(page.locator("#input-count")).to_have_text("1")
    assert page.evaluate("window.rightsloopMarker") == NO_RELOAD, "recording an input reloaded the page"
    # The swapped-in form is fresh for the next input, but remembers who is speaking.
    expect(form.get_by_label("What was said")).to_have_value("")
    expect(form.get_by_label("Who said it").locator("option:checked")).to_have_text(STAKEHOLDER)

    form.get_by_label("What was said").fill(SECOND_SAID)
    form.get_by_role("button", name="Record").click()
    expect(rows).to_have_count(2)
    second = rows.filter(has_text=SECOND_SAID)
    expect(rows.first).to_contain_text(SECOND_SAID)
    expect(second).to_contain_text("Not routed")
    expect(page.locator("#input-count")).to_have_text("2")

    # Triage the unrouted input inline.
    second.get_by_label("Route to").select_option(label="Engineering")
    second.get_by_label("Themes").fill("language access")
    second.get_by_role("button", name="Triage").click()
    expect(second).to_contain_text("Routed to Engineering")
    expect(second).not_to_contain_text("Not routed")
    expect(second.locator(".badge", has_text="language access")).to_be_visible()

    assert page.evaluate("window.rightsloopMarker") == NO_RELOAD, "the inputs page reloaded"
    assert page.evaluate("performance.timeOrigin") == time_origin, "the inputs page reloaded"
    assert page.url == inputs_url
    page.screenshot(path=RESULTS_DIR / "browser-1-inputs.png", full_page=True)

    # 6. Decide: the first input is not adopted (a rationale is required), the second is adopted.
    first.get_by_role("link", name="Decide").click()
    expect(page.get_by_role("heading", name="Decide on an input")).to_be_visible()
    expect(page.locator(".said")).to_have_text(FIRST_SAID)
    page.get_by_role("radio", name="Not adopted").check()
    page.get_by_role("button", name="Record the decision").click()
    rationale = page.get_by_role("textbox", name="Rationale")
    expect(page.get_by_text("a decision not to adopt, in full or in part, needs a rationale")).to_be_visible()
    expect(page.get_by_role("radio", name="Not adopted")).to_be_checked()
    expect(rationale).to_have_value("")
    page.screenshot(path=RESULTS_DIR / "browser-2-decision-error.png", full_page=True)
    rationale.fill(RATIONALE)
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(inputs_url)
    expect(page.get_by_role("status").first).to_contain_text("Decision recorded.")
    expect(first.locator(".badge", has_text="Not adopted")).to_be_visible()
    expect(first).to_contain_text(f"Rationale: {RATIONALE}")

    second.get_by_role("link", name="Decide").click()
    expect(page.locator(".said")).to_have_text(SECOND_SAID)
    page.get_by_role("radio", name="Adopted", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(inputs_url)
    expect(second.locator(".badge", has_text="Adopted")).to_be_visible()

    # 7. Close the loop: preview the participant's report and send it by email.
    page.get_by_role("link", name="Back to the engagement").click()
    expect(page).to_have_url(engagement_url)
    page.get_by_role("link", name="Close the loop").click()
    person = page.get_by_role("row", name=re.compile(STAKEHOLDER))
    expect(person).to_contain_text("Ready to send")
    person.get_by_role("link", name=STAKEHOLDER).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Feedback report for {STAKEHOLDER}")
    expect(page.get_by_text("This letter is in English.")).to_be_visible()
    letter = page.locator("article.letter")
    for said in (FIRST_SAID, SECOND_SAID, RATIONALE, "What we did not do, and why"):
        expect(letter).to_contain_text(said)
    expect(letter.get_by_text(FIRST_SAID)).to_have_count(1)  # each input quoted once
    # A personal word from the owner, saved with the letter and shown in it.
    page.get_by_role("textbox", name="Personal note").fill(NOTE)
    page.get_by_role("button", name="Save the note").click()
    expect(page.get_by_role("status")).to_contain_text("Personal note saved.")
    expect(letter.locator(".personal-note")).to_have_text(NOTE)
    page.screenshot(path=RESULTS_DIR / "browser-3-report.png", full_page=True)
    # The same letter on paper, for the post or a proxy.
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the letter as PDF").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and download.value.suggested_filename.endswith(".pdf")
    participation = Engagement.objects.get(title=TITLE).participations.get()
    assert NOTE in pdf_text(build_report(participation, addressee=STAKEHOLDER),
                            participation.engagement.organisation)
    page.get_by_role("button", name="Send by email").click()
    expect(page.get_by_role("status")).to_contain_text("The report is being sent by email.")
    expect(page.get_by_role("row", name=re.compile(STAKEHOLDER))).to_contain_text("Told")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [STAKEHOLDER_EMAIL]
    assert message.subject == f"What became of your input: {TITLE}"
    assert message.body.count(FIRST_SAID) == 1 and RATIONALE in message.body and NOTE in message.body
    assert message.reply_to == [hr_lead.user.email]
    assert message.alternatives[0][1] == "text/html" and NOTE in message.alternatives[0][0]

    # 8. The dashboard shows the loop closed.
    page.get_by_role("link", name="Dashboard").click()
    metrics = page.locator("dl.metrics > div")

    def metric(label: str):
        return metrics.filter(has=page.locator("dt", has_text=label)).locator("dd")

    expect(metric("Closed loops")).to_have_text("1")
    expect(metric("Share of inputs decided")).to_have_text("100%")
    expect(metric("Overdue loops")).to_have_text("0")
    expect(metric("Inputs awaiting a decision")).to_have_text("0")
    expect(page.get_by_text("No overdue loops.")).to_be_visible()
    page.screenshot(path=RESULTS_DIR / "browser-4-dashboard.png", full_page=True)
    assert csp_violations == []

    engagement = Engagement.objects.get(title=TITLE)
    assert engagement.loop_state == LoopState.CLOSED
    assert sorted(Input.objects.filter(engagement=engagement).values_list("outcome", flat=True)) == sorted(
        [Outcome.ADOPTED, Outcome.NOT_ADOPTED])
    assert list(FeedbackReport.objects.filter(engagement=engagement).values_list("status", flat=True)) == [
        DeliveryStatus.SENT]


def _watch(page, base_url: str) -> tuple[list[str], list[str]]:
    """Collect Content-Security-Policy violations and requests to any origin but ours."""
    violations: list[str] = []
    foreign: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.on("request", lambda request: foreign.append(request.url)
            if not request.url.startswith((base_url, "data:")) else None)
    return violations, foreign


def test_first_sign_in_sets_up_an_authenticator_app(browser_page, live_server):
    from playwright.sync_api import expect

    page = browser_page
    board = make_member(make_organisation("Kestrel Networks"), Role.BOARD)
    violations, foreign = _watch(page, live_server.url)

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(board.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Set up your authenticator app", level=1)).to_be_visible()
    expect(page.get_by_role("img", name="QR code of your sign-in secret")).to_be_visible()
    page.screenshot(path=RESULTS_DIR / "browser-5-enrol.png", full_page=True)
    # What a person would type into their app: the secret shown as text.
    key = base64.b32decode(page.locator("#authenticator-secret").inner_text().replace(" ", ""))
    page.get_by_label("Code from the app:", exact=True).fill(f"{totp(key):06d}")
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", name="Your recovery codes", level=1)).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    page.get_by_role("link", name="I have saved them: continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    assert violations == [] and foreign == []


def test_api_docs_work_under_the_content_security_policy(browser_page, live_server):
    from playwright.sync_api import expect

    from rightsloop.accounts.actions import issue_api_token
    from rightsloop.accounts.models import Membership

    page = browser_page
    hr_lead = make_member(make_organisation("Kestrel Networks"), Role.HR_LEAD)
    _token, raw = issue_api_token(membership=Membership.objects.get(user=hr_lead.user), name="docs", by=None)
    violations, foreign = _watch(page, live_server.url)

    page.goto("/api/v1/docs")
    expect(page.get_by_role("heading", name=re.compile("Rightsloop API"))).to_be_visible()
    page.get_by_role("button", name=re.compile("Authorize")).first.click()
    dialog = page.locator(".dialog-ux .modal-ux")
    dialog.locator(".auth-container input").fill(raw)
    dialog.locator("button.modal-btn.authorize").click()
    dialog.locator("button.btn-done").click()
    page.get_by_text("List stakeholders", exact=True).click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    expect(page.locator(".live-responses-table tbody .response-col_status").first).to_have_text("200")
    assert violations == [] and foreign == []
