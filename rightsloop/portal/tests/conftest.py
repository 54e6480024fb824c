"""A small world for portal tests: a person with inputs, decisions, a report, an upcoming engagement with
briefings and consents; a colleague of theirs in the same organisation; a proxy relaying a group; and a
person of another organisation."""

import datetime
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import (
    make_engagement,
    make_group,
    make_input,
    make_participation,
    make_relayed_input,
)
from rightsloop.stakeholders import actions as stakeholder_actions
from rightsloop.stakeholders.tests.factories import make_stakeholder


@dataclass
class PortalWorld:
    staff: object
    person: object
    colleague: object
    proxy: object
    outsider: object
    objects: dict = field(default_factory=dict)


def build_portal_world(staff, outsider_staff, *, marker: str = "") -> PortalWorld:
    today = timezone.localdate()
    person = make_stakeholder(staff, name=f"Amina Wanjiru{marker}", entity_type="person", preferred_language="fr",
                              email="amina@example.net")
    colleague = make_stakeholder(staff, name="Colleague Person", entity_type="person", email="colleague@example.net")
    proxy = make_stakeholder(staff, name="Riders Union", kind="proxy", email="union@example.net")
    outsider = make_stakeholder(outsider_staff, name="Outsider Person", entity_type="person",
                                email="outsider@example.net")
    world = PortalWorld(staff=staff, person=person, colleague=colleague, proxy=proxy, outsider=outsider)
    o = world.objects
    # A past engagement: two inputs, one decided with a next step, one still open; a report delivered.
    past = make_engagement(staff, title="Location data workshop", starts_on=today - datetime.timedelta(days=40),
                           ends_on=today - datetime.timedelta(days=39))
    own = make_participation(staff, past, person)
    o["decided_input"] = make_input(staff, past, own, text="Delete location history after 30 days")
    o["open_input"] = make_input(staff, past, own, text="Tell riders when their data is shared")
    o["considered_input"] = make_input(staff, past, own, text="Pay riders for waiting time")
    o["decision"] = engagement_actions.record_decision(
        input=o["decided_input"], outcome="partly_adopted", rationale="Kept 90 days for fraud checks",
        next_step="Shorten retention in the next release", next_step_due=today + datetime.timedelta(days=30),
        by=staff)
    engagement_actions.record_decision(
        input=o["considered_input"], outcome="under_consideration", rationale="Costed this quarter",
        next_step="Present the costing to the riders", next_step_due=today + datetime.timedelta(days=20), by=staff)
    o["report"] = engagement_actions.mark_feedback_delivered(participation=own, channel="in_person",
                                                             note="handed over at the office", by=staff)
    # The colleague's input in the same engagement: never in the person's portal.
    colleague_part = make_participation(staff, past, colleague)
    o["colleague_input"] = make_input(staff, past, colleague_part, text="Colleague secret words")
    o["colleague_report"] = engagement_actions.mark_feedback_delivered(participation=colleague_part,
                                                                       channel="in_person", by=staff)
    # The proxy relays a group's words; a group member (the person) never sees them.
    group = make_group(staff, proxy=proxy, members=[person], name="Riders of Nairobi")
    o["relayed_input"] = make_relayed_input(staff, past, proxy, group, text="Group words relayed by the union")
    # An upcoming engagement with a file and a link.
    in_ten_days = today + datetime.timedelta(days=10)
    upcoming = make_engagement(staff, title="Algorithmic pay consultation", starts_on=in_ten_days,
                               ends_on=in_ten_days, location="Nairobi office")
    make_participation(staff, upcoming, person)
    o["upcoming"] = upcoming
    o["briefing"] = engagement_actions.add_briefing(
        engagement=upcoming, title="How pay is computed", shared_on=today, by=staff,
        file=SimpleUploadedFile("pay.txt", b"Pay model briefing text"))
    o["briefing_link"] = engagement_actions.add_briefing(
        engagement=upcoming, title="Public summary", shared_on=today, by=staff, link="https://example.org/summary")
    # An engagement the person is not in: its briefing is not theirs.
    elsewhere = make_engagement(staff, title="Other consultation", starts_on=today + datetime.timedelta(days=5))
    make_participation(staff, elsewhere, colleague)
    o["elsewhere"] = elsewhere
    o["other_briefing"] = engagement_actions.add_briefing(
        engagement=elsewhere, title="Other briefing", shared_on=today, by=staff,
        file=SimpleUploadedFile("other.txt", b"Other briefing text"))
    o["consent"] = stakeholder_actions.record_consent(stakeholder=person, scope="contact", granted=True,
                                                      method="verbal", given_on=today, by=staff)
    o["colleague_consent"] = stakeholder_actions.record_consent(stakeholder=colleague, scope="contact", granted=True,
                                                                method="verbal", given_on=today, by=staff)
    # The outsider's own things in the other organisation.
    foreign = make_engagement(outsider_staff, title="Foreign engagement", starts_on=today + datetime.timedelta(days=3))
    foreign_part = make_participation(outsider_staff, foreign, outsider)
    o["foreign_input"] = make_input(outsider_staff, foreign, foreign_part, text="Foreign words")
    o["foreign_briefing"] = engagement_actions.add_briefing(
        engagement=foreign, title="Foreign briefing", shared_on=today, by=outsider_staff,
        file=SimpleUploadedFile("foreign.txt", b"Foreign briefing text"))
    o["foreign"] = foreign
    o["foreign_consent"] = stakeholder_actions.record_consent(stakeholder=outsider, scope="contact", granted=True,
                                                              method="verbal", given_on=today, by=outsider_staff)
    o["foreign_report"] = engagement_actions.mark_feedback_delivered(participation=foreign_part, channel="in_person",
                                                                     by=outsider_staff)
    return world


@pytest.fixture
def world(hr_lead, other_organisation):
    return build_portal_world(hr_lead, make_member(other_organisation, Role.HR_LEAD))
