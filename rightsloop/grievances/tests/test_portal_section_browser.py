"""On a 320 px phone with JavaScript off, a credible proxy raises a grievance for the group it represents in its
portal, sees the receipt once, and follows the case there: reads a question and answers it."""

import re

import pytest

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.grievances.actions import cases as case_actions
from rightsloop.grievances.models import CaseMessage, Grievance
from rightsloop.grievances.vocabulary import MessageDirection, RaisedBy
from rightsloop.portal.testing import fits_the_width, follow_link, phone_browser
from rightsloop.stakeholders.models import Representation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.browser

OVERFLOW = ("[...document.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > 320)"
            ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))")


def test_a_proxy_files_for_its_group_and_answers_on_a_phone_without_javascript(live_server, transactional_db):
    from playwright.sync_api import expect

    lead = make_member(make_organisation("Kestrel Networks"), Role.HR_LEAD)
    proxy = make_stakeholder(lead, name="Riders Union", kind="proxy", entity_type="organisation")
    group = Representation.objects.get(proxy=proxy).group
    with phone_browser(live_server) as page:
        follow_link(page, proxy)
        page.get_by_role("navigation").get_by_role("link", name="Grievances").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Grievances")
        assert fits_the_width(page), page.evaluate(OVERFLOW)
        page.get_by_role("link", name="Raise a grievance").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Raise a grievance")
        assert fits_the_width(page), page.evaluate(OVERFLOW)
        page.get_by_label("For whom do you raise this?").select_option(str(group.pk))
        page.get_by_label("Whom you represent in this case").fill("The riders of the Westlands depot")
        page.get_by_label("What happened?").fill("Our pay was cut after the rating change, with no reason given.")
        page.get_by_role("button", name="Send my grievance").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("We have your grievance")
        assert fits_the_width(page), page.evaluate(OVERFLOW)
        assert re.search(r"(\d{4} ){8}", page.content())
        grievance = Grievance.objects.get()
        assert (grievance.raised_by, grievance.proxy_id, grievance.on_behalf_of_id) == (
            RaisedBy.ON_BEHALF, proxy.pk, group.pk)
        case_actions.send_message(grievance=grievance, text="Since which day?", is_question=True, by=lead)
        page.get_by_role("link", name="Follow my case").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Case {grievance.label}")
        assert fits_the_width(page), page.evaluate(OVERFLOW)
        expect(page.get_by_text("Since which day?")).to_be_visible()
        page.get_by_label("Your message").fill("Since the 3rd of May")
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_text("Your message was sent.")).to_be_visible()
    answer = CaseMessage.objects.get(direction=MessageDirection.FROM_COMPLAINANT)
    assert answer.via == "portal" and answer.text == "Since the 3rd of May"
