"""End to end in a real browser: a human rights lead registers a salient risk, ties what stakeholders said
to it, escalates it to the board, finds a market entry decision blocked until a remedy plan exists, and
puts it to the board, whose member signs it off before it counts as taken."""

import datetime
import re

import pytest
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_authenticator, make_member, make_organisation
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.risks.models import Risk, RiskChange, StrategicDecision
from rightsloop.risks.tests.factories import past_the_gate
from rightsloop.risks.vocabulary import DecisionStatus, OwnerLevel
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple"
TITLE = "Location trails of riders exposed to local police"
ENGAGEMENT = "Rider safety workshop, Nairobi"
SAID = ("Police stop riders and ask to see the app's trip history.",
        "Nobody told us the trail is kept after the shift ends.")
DECISION = "Launch the rider app in a new market"


def _rate(page, scale: int, scope: int, irremediability: int, likelihood: int) -> None:
    for name, value in (("scale", scale), ("scope", scope), ("irremediability", irremediability),
                        ("likelihood", likelihood)):
        page.locator(f"input[name={name}][value='{value}']").check()


def test_risk_is_linked_escalated_and_blocks_a_decision_until_remedy_exists(browser_page, mailoutbox):
    from playwright.sync_api import expect

    page = browser_page
    organisation = make_organisation("Kestrel Networks")
    hr_lead = make_member(organisation, Role.HR_LEAD)
    board_member = make_member(organisation, Role.BOARD)
    authenticator = make_authenticator(hr_lead.user)
    engagement = make_engagement(hr_lead, title=ENGAGEMENT)
    riders = make_stakeholder(hr_lead, name="Nairobi Riders Collective", kind="affected", country="KE",
                              languages=["sw", "en"])
    speaker = make_participation(hr_lead, engagement, riders)
    inputs = [make_input(hr_lead, engagement, speaker, text=text) for text in SAID]

    # 1. Sign in: the password, then the authenticator's code.
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(hr_lead.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(authenticator.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()

    # 2. Register a mild risk from the register page: the human rights team owns it.
    page.get_by_role("link", name="Salient risks").first.click()
    expect(page.get_by_role("heading", name="Salient risks", level=1)).to_be_visible()
    page.get_by_role("link", name="Add a risk").click()
    page.get_by_label("Title:", exact=True).fill(TITLE)
    page.get_by_label("Product or service:", exact=True).fill("Rider app")
    # Long lists are searchable (js/forms.js): typing filters the options, the list stays the control.
    page.get_by_role("searchbox", name="Type to filter the list").first.fill("priv")
    page.get_by_label("Rights affected:", exact=True).select_option("privacy")
    page.get_by_label("Markets:", exact=True).select_option("KE")
    page.get_by_role("radio", name="Contributes to").check()
    _rate(page, scale=2, scope=2, irremediability=1, likelihood=2)
    page.get_by_label("Owner:", exact=True).select_option(label=hr_lead.user.display_name)
    review_on = timezone.localdate() + datetime.timedelta(days=90)
    page.get_by_label("Next review:", exact=True).fill(review_on.isoformat())
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    risk = Risk.objects.get(title=TITLE)
    assert risk.owner_level == OwnerLevel.TEAM
    expect(page.get_by_text("Nobody has been heard on this yet.")).to_be_visible()

    # 3. Link what the riders said to the risk: who was heard now counts their voice.
    page.get_by_role("link", name="Link inputs").first.click()
    for item in inputs:
        page.locator(f"input[name=inputs][value='{item.pk}']").check()
    page.get_by_role("button", name="Link the chosen inputs", exact=True).click()
    page.get_by_role("link", name="Back to the risk").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    assert set(risk.inputs.values_list("pk", flat=True)) == {item.pk for item in inputs}
    expect(page.get_by_text(SAID[0])).to_be_visible()
    expect(page.get_by_text("No affected voices")).to_have_count(0)

    # 4. The riders' account makes it grave, wide, hard to undo and likely: the board must own it now.
    page.get_by_role("link", name="Change this risk").click()
    _rate(page, scale=5, scope=4, irremediability=4, likelihood=4)
    page.get_by_label("Why it changes:", exact=True).fill("Riders report police checks of trip histories.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    risk.refresh_from_db()
    assert (risk.severity, risk.owner_level) == (13, OwnerLevel.BOARD)
    expect(page.get_by_text("Riders report police checks of trip histories.")).to_be_visible()
    assert RiskChange.objects.filter(risk=risk).count() == 2
    escalation_mail = [m for m in mailoutbox if board_member.user.email in m.to]
    assert len(escalation_mail) == 1 and TITLE in escalation_mail[0].body

    # 5. A market entry decision linked to the risk, all four steps written: it is still blocked.
    page.goto("/risks/decisions/new/")
    page.get_by_label("Title:", exact=True).fill(DECISION)
    page.get_by_label("Kind of decision:", exact=True).select_option(label="Market entry or growth")
    page.get_by_label("Markets:", exact=True).select_option("KE")
    page.get_by_role("checkbox", name=re.compile(re.escape(TITLE))).check()
    page.get_by_label("The current picture:", exact=True).fill("Police use trip histories to stop riders.")
    page.get_by_label("Mitigations, and the risks not or not yet mitigated:", exact=True).fill(
        "No technical measure stops a lawful demand for trip histories.")
    page.get_by_label("How remedy would be delivered:", exact=True).fill("A legal aid fund for riders.")
    page.get_by_label("How it will be communicated:", exact=True).select_option(label="Formal public reporting")
    page.get_by_label("Communication plan:", exact=True).fill("In the annual human rights report.")
    page.get_by_role("checkbox", name=re.compile("endangers no one")).check()
    page.get_by_role("checkbox", name=ENGAGEMENT).check()
    page.get_by_label("Outcome:", exact=True).select_option(label="Go")
    page.get_by_role("button", name="Save").click()
    decision = StrategicDecision.objects.get(title=DECISION)
    expect(page.get_by_role("heading", name=DECISION, level=1)).to_be_visible()
    page.get_by_role("button", name="Mark decided and put to the board").click()
    expect(page.get_by_text("Blocks the decision").first).to_be_visible()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DRAFT

    # 6. Record that the risk cannot be mitigated, with a remedy plan: now the decision can be taken.
    page.goto(f"/risks/{risk.pk}/")
    page.get_by_role("link", name="Add a mitigation").click()
    page.get_by_label("Action:", exact=True).fill("Refuse bulk demands; publish a transparency report.")
    page.get_by_label("Status:", exact=True).select_option(label="Cannot be mitigated")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("A risk left unmitigated needs a remedy plan").first).to_be_visible()
    page.get_by_label("Why it is not, or cannot be, mitigated:", exact=True).fill(
        "Local law obliges us to hand over records on a court order.")
    page.get_by_label("Remedy plan:", exact=True).fill("Legal aid for riders and compensation for lost work.")
    page.get_by_role("button", name="Add", exact=True).click()
    # The mitigation's own page, with its effectiveness not yet known and the risk it belongs to.
    expect(page.get_by_role("heading", name="Refuse bulk demands; publish a transparency report.",
                            level=1)).to_be_visible()
    expect(page.get_by_role("link", name=f"Risk: {TITLE}")).to_be_visible()

    # Kenya was not heard yet: the local-voices gate says what is missing (its own tests walk the override).
    page.goto(f"/risks/decisions/{decision.pk}/")
    expect(page.get_by_text("Kenya: 0 of 1 local expert heard").first).to_be_visible()
    past_the_gate(decision)

    # The risk is owned at board level: the team cannot take the decision alone, it goes to the board.
    page.goto(f"/risks/decisions/{decision.pk}/")
    page.get_by_role("button", name="Mark decided and put to the board").click()
    expect(page.get_by_text("Awaiting the sign-off of one of:")).to_be_visible()
    decision.refresh_from_db()
    assert (decision.status, decision.decided_by) == (DecisionStatus.AWAITING_BOARD, hr_lead.user)

    # 7. The board member signs it off with a comment; only then is it taken.
    page.get_by_role("button", name="Sign out").click()
    board_app = make_authenticator(board_member.user)
    page.goto("/accounts/sign-in/")
    page.get_by_label("Username").fill(board_member.user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code:", exact=True).fill(f"{totp(board_app.bin_key):06d}")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Awaiting your sign-off").first).to_be_visible()
    page.goto(f"/risks/decisions/{decision.pk}/")
    page.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.get_by_text("Awaiting your sign-off.")).to_be_visible()  # a comment is required
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.AWAITING_BOARD
    page.get_by_label("Your comment").fill("Go, on the legal aid fund being in place first.")
    page.get_by_role("button", name="Sign off", exact=True).click()
    expect(page.get_by_text("Go, on the legal aid fund being in place first.").first).to_be_visible()
    decision.refresh_from_db()
    assert decision.status == DecisionStatus.DECIDED
    assert decision.decided_by == hr_lead.user
    assert decision.sign_offs.get().by == board_member.user
