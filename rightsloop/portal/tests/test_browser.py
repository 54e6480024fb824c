"""End to end on a phone-sized browser with JavaScript off: a stakeholder follows their link, reads what became
of what they said, downloads a briefing, accepts the agreement proposed to them, rates the relationship,
updates their details and withdraws a consent, then signs out (issue 13's "done when", in one visit).

Sections of other apps can be driven the same way (rightsloop.portal.testing.phone_browser, follow_link).
"""

import pytest
from django.utils import translation

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.portal.testing import fits_the_width, follow_link, phone_browser
from rightsloop.relationships.models import Agreement, Rating
from rightsloop.relationships.tests.agreement_factories import make_agreement
from rightsloop.relationships.tests.rating_factories import make_round
from rightsloop.stakeholders.models import ConsentRecord, Stakeholder

from .conftest import build_portal_world

pytestmark = pytest.mark.browser


def _french(message: str) -> str:
    """What the person (who reads French) sees for `message` until they switch to English."""
    with translation.override("fr"):
        return translation.gettext(message)


def test_a_stakeholder_on_a_phone_without_javascript(live_server, transactional_db):
    from playwright.sync_api import expect

    organisation = make_organisation("Kestrel Networks")
    staff = make_member(organisation, Role.HR_LEAD)
    world = build_portal_world(staff, make_member(make_organisation("Other Company"), Role.HR_LEAD))
    agreement = make_agreement(staff, world.person, state="proposed")
    rating_round = make_round(staff, [world.person], title="Relationship check")
    with phone_browser(live_server) as page:
        follow_link(page, world.person)
        # Their language (French), their pages.
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert fits_the_width(page)
        page.get_by_role("navigation").get_by_role("link", name=_french("What became of what you said")).click()
        expect(page.get_by_text("Delete location history after 30 days")).to_be_visible()
        expect(page.get_by_text("Kept 90 days for fraud checks")).to_be_visible()
        expect(page.get_by_text("Present the costing to the riders")).to_be_visible()
        assert "Colleague secret words" not in page.content()
        assert fits_the_width(page)
        # The feedback report they were given.
        page.get_by_role("link", name="Location data workshop").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Location data workshop")
        page.go_back()
        # Upcoming engagement and its briefing, downloaded as a file.
        page.get_by_role("navigation").get_by_role("link", name=_french("Upcoming engagements")).click()
        expect(page.get_by_text("Algorithmic pay consultation")).to_be_visible()
        with page.expect_download() as download:
            page.get_by_role("link", name="How pay is computed").click()
        assert download.value.suggested_filename == "pay.txt"
        # Details: switch to English, change the phone number, withdraw the contact consent.
        page.get_by_label("Langue").select_option("en")
        page.get_by_role("button", name="Modifier").click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        # The agreement proposed to them: read and accepted.
        page.get_by_role("navigation").get_by_role("link", name="Your agreement").click()
        assert fits_the_width(page)
        page.get_by_label("Accept", exact=True).check()
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_text("Thank you: you accepted the agreement.")).to_be_visible()
        # How the relationship feels: five questions, one click each.
        page.get_by_role("navigation").get_by_role("link", name="Rate our relationship").click()
        page.get_by_role("link", name="Answer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Relationship check")
        assert fits_the_width(page)
        for question, value in (("How much do you trust us", "4"), ("Did your input change anything", "2"),
                                ("Is the time and effort", "3"), ("How useful is working", "4"),
                                ("How safe do you feel", "5")):
            page.get_by_role("group", name=question).get_by_label(value, exact=False).first.check()
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        page.get_by_role("navigation").get_by_role("link", name="Your details and consent").click()
        assert fits_the_width(page)
        page.get_by_label("Phone").fill("+254 700 123456")
        page.get_by_role("button", name="Save my details").click()
        expect(page.get_by_text("Your details were saved.")).to_be_visible()
        page.get_by_label("Email address").fill("not an address")
        page.get_by_role("button", name="Save my details").click()
        expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
        # Asked first, on a page of its own (no JavaScript), that says what will change.
        page.get_by_role("link", name="Withdraw this consent").click()
        expect(page.get_by_role("heading", name="What will change")).to_be_visible()
        page.get_by_role("button", name="Yes, withdraw my consent").click()
        expect(page.get_by_text("Your consent was withdrawn.")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
        page.go_back()
        page.reload()
        expect(page.get_by_role("heading", name="This link cannot open your portal")).to_be_visible()
    person = Stakeholder.objects.get(pk=world.person.pk)
    assert person.phone == "+254 700 123456" and person.email == "amina@example.net"
    assert ConsentRecord.objects.get(pk=world.objects["consent"].pk).withdrawn_at is not None
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.state == "in_force" and agreement.current_version.answered_via == "portal"
    rating = Rating.objects.get(round=rating_round, stakeholder=world.person)
    assert (rating.trust, rating.influence, rating.burden, rating.usefulness, rating.safety) == (4, 2, 3, 4, 5)
