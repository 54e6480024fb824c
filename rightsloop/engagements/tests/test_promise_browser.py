"""In a real browser: a decision under consideration promises a next step by a date; the date passes with no new
decision, the participant's loop re-opens as overdue, and the dashboard counts a broken promise."""

import datetime
import re

import pytest
from django.urls import get_resolver
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_authenticator, make_member, make_organisation
from rightsloop.engagements import actions
from rightsloop.engagements.actions import promises as promise_actions
from rightsloop.engagements.models import Decision, Participation
from rightsloop.engagements.promises import Promise
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TITLE = "Ride-hailing safety features round table"
SAID = "Let riders share a live trip link with someone they trust, without an account."
NEXT_STEP = "Safety product review with the trust and safety team"


def test_a_broken_promise_reopens_the_loop_and_the_dashboard_counts_it(browser_page):
    from playwright.sync_api import expect

    page = browser_page
    get_resolver().url_patterns  # noqa: B018  (import every schema before the first page, as test_browser does)
    today = timezone.localdate()
    organisation = make_organisation("Kestrel Networks")
    lead = make_member(organisation, Role.HR_LEAD)
    authenticator = make_authenticator(lead.user)
    engagement = make_engagement(lead, title=TITLE, starts_on=today - datetime.timedelta(days=10),
                                 ends_on=today - datetime.timedelta(days=10),
                                 feedback_due_on=today + datetime.timedelta(days=40))
    person = make_stakeholder(lead, name="Mombasa Riders Association")
    participation = make_participation(lead, engagement, person)
    item = make_input(lead, engagement, participation, text=SAID)

    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(lead.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # 1. Keep the input under consideration: without a date the form says what is missing.
    page.goto(f"/engagements/inputs/{item.pk}/decide/")
    page.get_by_role("radio", name="Under consideration").check()
    page.get_by_label("Next step:", exact=True).fill(NEXT_STEP)
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".errorlist")).to_contain_text("Give the date by which the next step will be done.")
    due = today + datetime.timedelta(days=5)
    page.get_by_role("radio", name="Under consideration").check()
    page.get_by_label("Next step by:", exact=True).fill(due.isoformat())
    page.get_by_role("button", name="Record the decision").click()
    promise = Promise.objects.get(input=item)
    assert promise.due_on == due and promise.owner == lead.user

    # 2. The participant is told: their loop, and the engagement's, close.
    participation.refresh_from_db()
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=lead)
    page.goto(f"/engagements/{engagement.pk}/feedback/")
    expect(page.get_by_role("row", name=re.compile("Mombasa Riders"))).to_contain_text("Told")

    # 3. The date passes with no new decision (the promise and its decision moved back, as if days went by), and
    #    the daily round finds it.
    passed = today - datetime.timedelta(days=1)
    Promise.objects.filter(pk=promise.pk).update(due_on=passed)
    Decision.objects.filter(pk=promise.decision_id).update(next_step_due=passed)
    assert promise_actions.break_lapsed_promises(today=today) == 1

    page.goto(f"/engagements/{engagement.pk}/feedback/")
    row = page.get_by_role("row", name=re.compile("Mombasa Riders"))
    expect(row).to_contain_text("Re-opened: a promised next step is overdue")
    expect(page.locator(".badge.overdue").first).to_be_visible()
    page.get_by_role("link", name=re.compile("Mombasa Riders")).click()
    expect(page.locator(".promise-broken")).to_contain_text("Overdue: we promised a next step")
    assert not Participation.objects.get(pk=participation.pk).loop_closed

    page.goto("/")
    broken = page.locator("#metric-broken-promises")
    expect(broken).to_contain_text("Broken promises")
    expect(broken.locator("dd")).to_have_text("1")
    card = page.locator(".broken-promises")
    expect(card).to_contain_text(TITLE)
    expect(page.locator("#chart-trend-broken-promises")).to_be_visible()
    expect(page.get_by_role("heading", name="Overdue", level=3, exact=True).locator("..")).to_contain_text(TITLE)

    # 4. A new decision keeps the promise, late; the decision page says so.
    card.get_by_role("link", name=TITLE).click()
    page.get_by_role("radio", name="Adopted", exact=True).check()
    page.get_by_role("button", name="Record the decision").click()
    page.goto(f"/engagements/inputs/{item.pk}/decide/")
    expect(page.locator(".promise-state")).to_have_text("Promise: Kept late")
    page.goto("/")
    expect(page.locator("#metric-broken-promises dd")).to_have_text("0")
