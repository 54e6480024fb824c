"""On a phone-sized browser with JavaScript off: a stakeholder reads their payments, accepts one and declines
another without giving a reason."""

import pytest

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.portal.testing import fits_the_width, follow_link, phone_browser
from rightsloop.resourcing.models import Payment
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_grant, make_payment

pytestmark = pytest.mark.browser


def test_a_stakeholder_answers_offers_on_a_phone(live_server, transactional_db):
    from playwright.sync_api import expect

    staff = make_member(make_organisation("Kestrel Networks"), Role.HR_LEAD)
    person = make_stakeholder(staff, name="Mtandao Rights Lab", preferred_language="en")
    workshop = make_payment(staff, person, amount="30000", currency="KES", description="Two workshop days")
    honorarium = make_payment(staff, person, kind="honorarium", amount="600", currency="EUR",
                              description="Expert briefing")
    make_grant(staff, person)
    with phone_browser(live_server) as page:
        follow_link(page, person)
        page.get_by_role("navigation").get_by_role("link", name="Your payments").click()
        expect(page.get_by_role("heading", level=1, name="Your payments")).to_be_visible()
        expect(page.get_by_text("Two workshop days")).to_be_visible()
        assert fits_the_width(page)
        page.locator("section", has_text="Two workshop days").get_by_role("button", name="Accept").click()
        expect(page.get_by_text("Thank you: you accepted.")).to_be_visible()
        page.locator("section", has_text="Expert briefing").get_by_role("button", name="Decline").click()
        expect(page.get_by_text("Your answer is recorded.")).to_be_visible()
        assert fits_the_width(page)
    workshop.refresh_from_db()
    honorarium.refresh_from_db()
    assert (workshop.state, honorarium.state) == ("accepted", "declined")
    assert Payment.objects.filter(state="offered").count() == 0
