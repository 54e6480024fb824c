"""Every main page at a phone's width (390 px) and a desktop's (1366 px), signed in as the demo role that uses it:
nothing scrolls sideways and nothing a reader needs is cut off.

The same walk takes the user guide's screenshots (docs/guide/screenshots/<page>-<width>.png) when
RIGHTSLOOP_GUIDE_SCREENSHOTS=1 is set (`make guide-screenshots`), so they never go stale; without it (CI), it
checks that every screenshot the guide shows exists and that every page the guide shows is one it walked.
"""

import os
import re
from dataclasses import dataclass
from io import BytesIO, StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.urls import reverse

from rightsloop.accounts import mfa
from rightsloop.accounts.models import User
from rightsloop.demo import content

pytestmark = pytest.mark.browser

GUIDE = Path(__file__).resolve().parents[3] / "docs" / "guide"
SCREENSHOTS = GUIDE / "screenshots"
WIDTHS = {390: 844, 1366: 900}
TAKE_SCREENSHOTS = os.environ.get("RIGHTSLOOP_GUIDE_SCREENSHOTS") == "1"
SCREENSHOT_REFERENCE = re.compile(r"screenshots/([a-z0-9-]+)-(\d+)\.png")
PUBLIC_PAGE_BUDGET = 50_000
# The page's own bytes and everything it loaded, as sent (compressed where the server compresses).
WEIGHT = """() => [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')]
  .reduce((sum, entry) => sum + entry.encodedBodySize, 0)"""

# What a reader needs, checked on every page: headings, links, buttons, fields, table cells and figures lie inside
# the window, not past its edge nor hidden inside a box that scrolls sideways. The skip link waits off screen
# until focused, and visually hidden labels are 1 px on purpose.
CLIPPED = """() => {
  const wanted = 'h1, h2, h3, p, a, button, input, select, textarea, label, th, td, dt, dd, li, summary, svg, img';
  const out = [];
  const width = window.innerWidth;
  const boxes = (el) => {
    const found = [];
    for (let box = el.parentElement; box; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible') found.push(box);
    }
    return found;
  };
  for (const el of document.querySelectorAll(wanted)) {
    if (el.closest('.skip-link, .visually-hidden, details:not([open]) > :not(summary), [hidden]')) continue;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const rect = el.getBoundingClientRect();
    if (rect.width <= 1 || rect.height <= 1) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const clipping = boxes(el);
    // Inside a 1 px box that hides what it holds: visually hidden on purpose (a card table's header row).
    const tiny = (box) => { const r = box.getBoundingClientRect(); return r.width <= 1 || r.height <= 1; };
    if (clipping.some(tiny)) continue;
    let clippedBy = null;
    if (rect.left < -1 || rect.right > width + 1) clippedBy = 'the window';
    for (const box of clipping) {
      if (clippedBy) break;
      const outer = box.getBoundingClientRect();
      if (rect.left < outer.left - 1 || rect.right > outer.right + 1) clippedBy = box.tagName.toLowerCase()
        + (box.className ? '.' + String(box.className).trim().replace(/\\s+/g, '.') : '');
    }
    if (clippedBy) out.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.getAttribute('aria-label')
      || '').trim().slice(0, 60)}" (${Math.round(rect.left)}..${Math.round(rect.right)} px) by ${clippedBy}`);
  }
  return out.slice(0, 12);
}"""


@dataclass(frozen=True)
class Page:
    name: str  # the screenshot's name in docs/guide/screenshots/
    path: str
    heading: str  # part of the page's h1


def guide_references() -> set[tuple[str, int]]:
    """Every screenshot the guide's pages show, as (page, width)."""
    found = set()
    for document in GUIDE.glob("*.md"):
        found |= {(name, int(width)) for name, width in SCREENSHOT_REFERENCE.findall(document.read_text())}
    return found


def sign_in(page, username: str) -> None:
    user = User.objects.get(username=username)
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(content.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(mfa.current_code(mfa.authenticator_for(user)))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()


def check(page, visit: Page, problems: list[str], *, public: bool = False) -> None:
    """Open the page at each width; note sideways scrolling and clipped content; take its screenshot if asked.

    A public page is also weighed: it and everything it loads stay under the 50 KB a slow phone can afford."""
    for width, height in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": height})
        response = page.goto(visit.path)
        status = response.status if response is not None else None
        assert status == 200, f"{visit.name}: {visit.path} answered {status}"
        heading = page.locator("h1").first.inner_text()
        assert visit.heading.lower() in heading.lower(), f"{visit.name}: {visit.path} shows “{heading}”"
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        inner_width = page.evaluate("window.innerWidth")
        if scroll_width > inner_width:
            problems.append(f"{visit.name} at {width}px scrolls sideways: {scroll_width}px in a {inner_width}px window")
        for clipped in page.evaluate(CLIPPED):
            problems.append(f"{visit.name} at {width}px cuts off {clipped}")
        if public:
            weight = page.evaluate(WEIGHT)
            assert weight > 0, f"{visit.name}: the browser reported no bytes for the page, so it cannot be weighed"
            if weight > PUBLIC_PAGE_BUDGET:
                problems.append(f"{visit.name} weighs {weight} bytes, over the {PUBLIC_PAGE_BUDGET} a public page may")
        if TAKE_SCREENSHOTS:
            save_screenshot(page, SCREENSHOTS / f"{visit.name}-{width}.png")


def save_screenshot(page, path: Path) -> None:
    """What the window shows, in 128 colours: a page of text and flat colour loses nothing a reader would see, and
    the guide's pictures stay small enough to keep in the repository."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.open(BytesIO(page.screenshot(full_page=False)))
    image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def test_every_main_page_fits_a_phone_and_a_desktop(browser_page, live_server):
    from rightsloop.accounts.roles import Function
    from rightsloop.consultations.models import Consultation
    from rightsloop.core.models import Organisation
    from rightsloop.disclosure.report_models import Report
    from rightsloop.engagements.models import Engagement, Input, Participation
    from rightsloop.grievances.models import Grievance
    from rightsloop.risks.models import Risk
    from rightsloop.stakeholders.models import Stakeholder
    from rightsloop.stakeholders.vocabulary import SafetyLevel

    page = browser_page
    out = StringIO()
    call_command("load_demo", stdout=out)
    portal_link = re.search(r"https?://\S+/portal/enter/\S+", out.getvalue()).group(0)
    organisation = Organisation.objects.get(slug=content.ORGANISATION_SLUG)

    stakeholder = (Stakeholder.objects.for_organisation(organisation).filter(safety_level=SafetyLevel.NORMAL)
                   .annotate(n=Count("participations")).order_by("-n", "pk").first())
    # The contact card must wrap what no column is wide enough for: an address and a handle without spaces.
    stakeholder.email = "community-liaison.and.digital-rights-desk@very-long-organisation-name.example"
    stakeholder.messenger_handle = "https://signal.me/#eu/" + "x" * 60
    stakeholder.save()
    engagement = (Engagement.objects.filter(organisation=organisation)
                  .annotate(n=Count("participations__inputs")).order_by("-n", "pk").first())
    participation = Participation.objects.filter(engagement=engagement).order_by("pk").first()
    risk = Risk.objects.filter(organisation=organisation).order_by("-severity", "pk").first()
    consultation = Consultation.objects.filter(organisation=organisation).order_by("pk").first()
    case = Grievance.objects.filter(organisation=organisation).order_by("pk").first()
    report = Report.objects.filter(organisation=organisation).order_by("period").first()
    undecided = (Input.objects.filter(organisation=organisation, owning_function=Function.PRODUCT, outcome="")
                 .order_by("pk").first())
    said = Input.objects.filter(engagement=engagement).order_by("pk").first()
    slug = organisation.slug

    by_role = {
        content.HR_LEAD: [
            Page("dashboard", reverse("core:home"), "Dashboard"),
            Page("stakeholders", reverse("stakeholders:list"), "Stakeholders"),
            Page("register-stakeholder", reverse("stakeholders:create"), "Register a stakeholder"),
            Page("stakeholder", reverse("stakeholders:detail", args=[stakeholder.pk]), ""),
            Page("engagements", reverse("engagements:list"), "Engagements"),
            Page("plan-engagement", reverse("engagements:create"), "Plan an engagement"),
            Page("engagement", reverse("engagements:detail", args=[engagement.pk]), engagement.title),
            Page("inputs", reverse("engagements:inputs", args=[engagement.pk]), ""),
            Page("feedback", reverse("engagements:feedback", args=[engagement.pk]), ""),
            Page("feedback-letter", reverse("engagements:feedback-participant",
                                            args=[engagement.pk, participation.pk]), "Feedback report"),
            Page("send-ready", reverse("engagements:feedback-send-ready", args=[engagement.pk]),
                 "Send every ready report"),
            Page("input-history", reverse("engagements:input-versions", args=[said.pk]), "An input and its history"),
            Page("withdraw-input", reverse("engagements:input-withdraw", args=[said.pk]), "Withdraw this input?"),
            Page("my-mitigations", reverse("risks:my-mitigations"), "My mitigations"),
            Page("strategic-decisions", reverse("risks:decisions"), ""),
            Page("affected-groups", reverse("stakeholders:group-list"), ""),
            Page("payments", reverse("resourcing:ledger"), ""),
            Page("grievance-mechanism", reverse("grievances:self-check"), ""),
            Page("risks", reverse("risks:register"), "Salient risks"),
            Page("risk", reverse("risks:detail", args=[risk.pk]), risk.title),
            Page("consultations", reverse("consultations:list"), "Consultations"),
            Page("consultation", reverse("consultations:detail", args=[consultation.pk]), ""),
            Page("analysis", reverse("consultations:analysis", args=[consultation.pk]), ""),
            Page("consultation-decisions", reverse("consultations:decisions", args=[consultation.pk]),
                 "Decisions per theme"),
            Page("grievances", reverse("grievances:list"), ""),
            Page("grievance", reverse("grievances:case", args=[case.pk]), ""),
            Page("agreements", reverse("relationships:agreement-list"), ""),
            Page("ratings", reverse("relationships:ratings"), ""),
            Page("reports", reverse("reports:list"), ""),
            Page("report", reverse("reports:detail", args=[report.pk]), ""),
        ],
        content.PRODUCT_LEAD: [
            Page("decision-queue", reverse("engagements:queue"), "Inputs routed"),
            Page("decide", reverse("engagements:input-decide", args=[undecided.pk]), "Decide on an input"),
        ],
        "helena": [
            Page("board", reverse("oversight:board"), "Board view"),
        ],
        "marcus": [
            Page("audit-log", reverse("core:audit"), ""),
        ],
        content.ADMIN: [
            Page("members", reverse("accounts:members"), "Members"),
        ],
    }
    public = [
        Page("public-report", reverse("reports-public:report", args=[slug, report.period]), ""),
        Page("public-consultation", reverse("consultation_public:heard", args=[consultation.public_token]), ""),
        Page("grievance-intake", reverse("grievances-public:intake", args=[slug]), ""),
    ]
    problems: list[str] = []
    walked: set[str] = set()
    for username, visits in by_role.items():
        page.set_viewport_size({"width": 1366, "height": 900})
        sign_in(page, username)
        for visit in visits:
            check(page, visit, problems)
            walked.add(visit.name)
        sign_out(page)
    # Stakeholders and the public: no sign-in, and no JavaScript needed, so none runs.
    quiet = page.context.browser.new_context(base_url=live_server.url, java_script_enabled=False, locale="en-GB")
    quiet.route("**/favicon.ico", lambda route: route.abort())
    public_page = quiet.new_page()
    try:
        for visit in public:
            check(public_page, visit, problems, public=True)
            walked.add(visit.name)
        # A portal link opens a page with one button: following the link alone never spends it.
        public_page.goto(urlsplit(portal_link).path)
        public_page.locator("main form button[type=submit]").click()
        public_page.wait_for_url(f"**{reverse('portal:home')}")
        check(public_page, Page("portal", reverse("portal:home"), ""), problems, public=True)
        walked.add("portal")
    finally:
        quiet.close()

    assert not problems, "\n".join(problems)
    referenced = guide_references()
    assert {name for name, _width in referenced} <= walked, "the guide shows a page this test does not walk"
    missing = sorted(f"{name}-{width}.png" for name, width in referenced
                     if not (SCREENSHOTS / f"{name}-{width}.png").exists())
    assert not missing, f"the guide shows screenshots that were never taken: {missing} (make guide-screenshots)"
