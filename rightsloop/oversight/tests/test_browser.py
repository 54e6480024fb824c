"""End to end in a real browser: a board member opens the board view on a phone and on a desktop, reads the five
answers with their charts, moves to another period, follows a finding to the risk and records the board's review,
then prepares the board pack and downloads it."""

import pytest
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_authenticator, make_member, make_organisation
from rightsloop.core.periods import Period
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.oversight.models import BoardPack, PackStatus
from rightsloop.risks.models import BoardReview
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
RISK = "Location trails of riders exposed to local police"


def test_a_board_member_reads_the_board_view_reviews_a_risk_and_takes_the_pack(browser_page):
    from playwright.sync_api import expect

    page = browser_page
    organisation = make_organisation("Kestrel Networks")
    hr_lead = make_member(organisation, Role.HR_LEAD)
    board_member = make_member(organisation, Role.BOARD)
    authenticator = make_authenticator(board_member.user)
    engagement = make_engagement(hr_lead, title="Rider safety workshop")
    riders = make_stakeholder(hr_lead, name="Nairobi Riders Collective", kind="affected", country="KE")
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, riders), text="Police read trip logs")
    make_risk(hr_lead, title=RISK, markets=["KE"], scale=5, scope=5, irremediability=5, likelihood=5)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(board_member.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()

    # The board view from the menu: five questions, each with a verdict; the charts have their table twins.
    page.locator("summary", has_text="Menu").click()  # on a phone the site menu folds behind one button
    page.get_by_role("link", name="Board", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Board view")
    for number in range(1, 6):
        expect(page.locator(f"#q{number}")).to_be_visible()
    expect(page.locator("#q3 .badge").first).to_have_text("Not yet")
    assert page.locator("svg[role=img]").count() >= 3
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width}px)"

    # Another period from the selector; then back to this quarter on a desktop.
    this_quarter = Period.containing(timezone.localdate())
    page.select_option("#period", this_quarter.previous().key)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(this_quarter.previous().label)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/oversight/?period={this_quarter.key}")

    # The finding leads to the risk, where the board records its review.
    page.get_by_role("link", name=f"“{RISK}” is owned at board level and the board has never reviewed it.").click()
    expect(page.get_by_role("heading", name=RISK, level=1)).to_be_visible()
    page.get_by_label("What the board concluded").fill("Keep at board level; deletion audit before next review.")
    page.get_by_role("button", name="Record the board's review").click()
    expect(page.get_by_text("The board's review is recorded.")).to_be_visible()
    assert BoardReview.objects.filter(risk__title=RISK).count() == 1

    # The board pack: prepared (the test's task backend renders it at once), then downloaded.
    page.goto(f"/oversight/?period={this_quarter.key}")
    page.get_by_role("button", name="Prepare the board pack (PDF)").click()
    expect(page.get_by_role("heading", name="Board packs", level=1)).to_be_visible()
    pack = BoardPack.objects.get()
    assert pack.status == PackStatus.READY
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name=f"PDF, {pack.pages} pages").click()
    assert download.value.suggested_filename.endswith(f"{this_quarter.key}.pdf")
