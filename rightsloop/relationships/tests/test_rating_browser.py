"""On a phone-sized browser with JavaScript off, a stakeholder rates the relationship and may change it."""

import pytest

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.portal.testing import fits_the_width, follow_link, phone_browser
from rightsloop.relationships.models import Rating
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .rating_factories import make_round

pytestmark = pytest.mark.browser


def test_a_stakeholder_rates_the_relationship_on_a_phone_without_javascript(live_server, transactional_db):
    from playwright.sync_api import expect

    lead = make_member(make_organisation("Kestrel Networks"), Role.HR_LEAD)
    person = make_stakeholder(lead)
    round = make_round(lead, [person], title="Spring relationship check")
    with phone_browser(live_server) as page:
        follow_link(page, person)
        page.get_by_role("navigation").get_by_role("link", name="Rate our relationship").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("How is our relationship going?")
        page.wait_for_load_state("load")
        assert fits_the_width(page)
        page.get_by_role("link", name="Answer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Spring relationship check")
        page.wait_for_load_state("load")
        assert fits_the_width(page), page.evaluate(
            "[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 320)"
            ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))")
        for question, value in (("How much do you trust us", "2"), ("Did your input change anything", "1"),
                                ("Is the time and effort", "4"), ("How useful is working", "3"),
                                ("How safe do you feel", "5")):
            page.get_by_role("group", name=question).get_by_label(value, exact=False).first.check()
        page.get_by_label("Anything you want to add").fill("Nobody told us what happened next.")
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
        page.get_by_role("link", name="Back to your ratings").click()
        page.get_by_role("link", name="Change your answer").click()
        page.get_by_role("group", name="Did your input change anything").get_by_label("3").check()
        page.get_by_role("button", name="Change my answer").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    rating = Rating.objects.get(round=round)
    assert (rating.trust, rating.influence, rating.safety) == (2, 3, 5)
    assert rating.comment == "Nobody told us what happened next."
