"""On a 320 px browser with JavaScript off, a stakeholder reads the agreement proposed to them and accepts it."""

import pytest

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.portal.testing import fits_the_width, follow_link, phone_browser
from rightsloop.relationships.models import Agreement
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement

pytestmark = pytest.mark.browser


def test_accept_an_agreement_on_a_phone_without_javascript(live_server, transactional_db):
    from playwright.sync_api import expect

    staff = make_member(make_organisation("Kestrel Networks"), Role.HR_LEAD)
    stakeholder = make_stakeholder(staff, name="Mtandao Rights Lab", languages=["en"])
    agreement = make_agreement(staff, stakeholder, state="proposed")
    with phone_browser(live_server) as page:
        follow_link(page, stakeholder)
        page.get_by_role("navigation").get_by_role("link", name="Your agreement").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Your agreement")
        expect(page.get_by_text("The product roadmap shown in workshops").first).to_be_visible()
        assert fits_the_width(page)
        # Asking for changes without saying which is refused, and nothing is recorded.
        page.get_by_label("Ask for changes").check()
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_text("Say which changes you would like.")).to_be_visible()
        page.get_by_label("Accept", exact=True).check()
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_text("Thank you: you accepted the agreement.")).to_be_visible()
        expect(page.get_by_text("These terms are in force.")).to_be_visible()
        assert fits_the_width(page)
    agreement = Agreement.objects.get(pk=agreement.pk)
    assert agreement.state == "in_force" and agreement.current_version.answered_via == "portal"
