"""In a real browser: invite several participants at once from the engagement form (the list filtered by typing),
then read one participant's timeline on their page; fields for one kind show only for it."""

import re

import pytest
from django.urls import get_resolver
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_authenticator, make_member, make_organisation
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.tests.factories import make_input
from rightsloop.stakeholders import actions
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TITLE = "Rider safety listening session"
SAID = "Night shifts need a panic button that works without mobile data."


def test_invite_several_at_once_then_read_the_timeline(browser_page):
    from playwright.sync_api import expect

    page = browser_page
    get_resolver().url_patterns  # noqa: B018  (import every URLconf before the first page, as the other walks do)
    organisation = make_organisation("Kestrel Networks")
    hr_lead = make_member(organisation, Role.HR_LEAD)
    authenticator = make_authenticator(hr_lead.user)
    amina = make_stakeholder(hr_lead, name="Amina Wanjiru")
    make_stakeholder(hr_lead, name="Amani Riders Union")
    make_stakeholder(hr_lead, name="Juma Otieno")
    make_stakeholder(hr_lead, name="Hidden Defender", safety_level="high")
    actions.record_consent(stakeholder=amina, scope="attribute_inputs", granted=True, method="written",
                           given_on=timezone.localdate(), by=hr_lead)
    csp_violations = []
    page.on("console", lambda message: csp_violations.append(message.text)
            if "Content Security Policy" in message.text else None)

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(hr_lead.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # A credible proxy's group is asked for only when the kind says proxy; a person's organisation only for a person.
    page.goto("/stakeholders/new/")
    group = page.locator("fieldset[data-shown-for='kind:proxy']")
    organisation_field = page.get_by_label("Organisation they belong to")
    page.get_by_role("radio", name="Affected stakeholder").check()
    expect(group).to_be_hidden()
    page.get_by_role("radio", name="Credible proxy").check()
    expect(group).to_be_visible()
    expect(organisation_field).to_be_hidden()
    page.get_by_role("radio", name="Person", exact=True).check()
    expect(organisation_field).to_be_visible()

    # Plan an engagement and invite two people at once; typing filters the long list.
    page.goto("/engagements/new/")
    page.get_by_label("Title:", exact=True).fill(TITLE)
    page.get_by_label("Type:", exact=True).select_option(label="Workshop")
    page.get_by_role("checkbox", name="Identify and assess").check()
    page.get_by_label("Starts on").fill(timezone.localdate().isoformat())
    people = page.get_by_label("Invite participants:", exact=True)
    expect(people.locator("option")).to_have_count(3)  # the person at high risk is never listed
    page.get_by_role("searchbox", name="Type to filter the list").fill("am")
    expect(people.locator("option:not([hidden])")).to_have_count(2)
    people.select_option(label=["Amina Wanjiru (KE)", "Amani Riders Union (KE)"])
    expect(page.locator(".list-chosen")).to_contain_text("Amina Wanjiru (KE)")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").first).to_contain_text("Engagement created.")
    expect(page.get_by_text("2 participants invited.")).to_be_visible()
    engagement = Engagement.objects.get(title=TITLE)
    assert {p.stakeholder.name for p in engagement.participations.select_related("stakeholder")} == {
        "Amina Wanjiru", "Amani Riders Union"}

    # What Amina said, recorded in the session; her page tells it in order.
    make_input(hr_lead, engagement, engagement.participations.get(stakeholder=amina), text=SAID,
               attribution="attributed")
    page.goto(f"/stakeholders/{amina.pk}/")
    timeline = page.locator("#timeline")
    expect(timeline.get_by_role("heading", name="Timeline")).to_be_visible()
    items = timeline.locator("ol.timeline > li")
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_contain_text("Consent to Have their inputs attributed to them internally granted")
    expect(items.nth(1)).to_contain_text(f"Invited to {TITLE}")
    expect(items.nth(2)).to_contain_text(SAID)
    expect(timeline.locator(".loop-standing")).to_contain_text(re.compile(r"1 input\(s\) awaiting a decision"))
    assert not csp_violations, csp_violations
