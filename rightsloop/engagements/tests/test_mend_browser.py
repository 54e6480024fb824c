"""In a real browser: an input corrected with its earlier version kept, then withdrawn after a confirmation."""

import pytest
from django.urls import get_resolver
from django_otp.oath import totp

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_authenticator, make_member, make_organisation
from rightsloop.engagements.models import Input, InputVersion
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TYPO = "Riders cannot see how long the app keeps their locaton trail."
FIXED = "Riders cannot see how long the app keeps their location trail."
MISTAKE = "Words recorded against the wrong engagement."


def test_an_input_is_mended_in_the_browser(browser_page):
    from playwright.sync_api import expect

    page = browser_page
    get_resolver().url_patterns  # noqa: B018  (import every URLconf before the first page; see test_browser)
    organisation = make_organisation("Kestrel Networks")
    hr_lead = make_member(organisation, Role.HR_LEAD)
    authenticator = make_authenticator(hr_lead.user)
    engagement = make_engagement(hr_lead, title="Location data workshop")
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, name="Riders Collective"))
    item = make_input(hr_lead, engagement, participation, text=TYPO)
    mistake = make_input(hr_lead, engagement, participation, text=MISTAKE)

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(hr_lead.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # Correct the typo: the page keeps the version before.
    page.goto(f"/engagements/{engagement.pk}/inputs/")
    page.locator(f"#input-{item.pk}").get_by_role("link", name="Correct").click()
    expect(page.get_by_role("heading", name="Correct an input", level=1)).to_be_visible()
    page.get_by_label("What was said").fill(FIXED)
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("heading", name="An input and its history", level=1)).to_be_visible()
    expect(page.locator("#now-h + p")).to_have_text(FIXED)
    expect(page.locator("ol.versions")).to_contain_text(TYPO)
    expect(page.locator("ol.versions")).to_contain_text("Version 1, replaced by")
    assert InputVersion.objects.get(input=item).text == TYPO

    # Withdraw the mistake: a confirmation page first, which changes nothing until confirmed.
    page.goto(f"/engagements/{engagement.pk}/inputs/")
    page.locator(f"#input-{mistake.pk}").get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", name="Withdraw this input?", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="What will change")).to_be_visible()
    assert Input.objects.get(pk=mistake.pk).stands
    page.get_by_label("Why").fill("Recorded in the wrong engagement.")
    page.get_by_role("button", name="Withdraw the input").click()
    expect(page.get_by_text("Input withdrawn.")).to_be_visible()
    expect(page.locator(f"#input-{mistake.pk}")).to_have_count(0)
    expect(page.locator(f"#input-{item.pk}")).to_be_visible()
    assert Input.objects.get(pk=mistake.pk).is_withdrawn
