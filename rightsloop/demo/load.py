"""Demo data for engagement load (S3): an NGO that several teams asked within 90 days, and one of its people.

Called by the demo loader once the members exist: load_load(organisation=…, hr_lead=…, admin=…, today=…).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.models import Participation
from rightsloop.stakeholders.actions import register_stakeholder
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.vocabulary import Channel, EntityType, Kind

NGO_NAME = "Haki Digital Kenya"
MEMBER_NAME = "Achieng Atieno"

# (title, owner: "hr_lead" or "admin", functions attending, asked days ago, starts in days, whom: "ngo"/"member")
ASKS = (
    ("Mobile money fraud: complaint handling review", "hr_lead", ("product",), 80, 5, "ngo"),
    ("KestrelPay Crédito: lending criteria in Kenya", "admin", ("legal", "policy"), 55, 12, "ngo"),
    ("Kenyan elections: content moderation readiness", "hr_lead", ("policy", "engineering"), 34, 18, "member"),
    ("Location data retention: civil society briefing", "admin", ("product", "legal"), 20, 25, "ngo"),
    # The last two ask this month from two teams (the engagement list marks them, to be merged); the sixth is over
    # the threshold and confirmed by the human rights lead, which the audit shows.
    ("Chat safety features for women traders", "admin", ("product",), 0, 30, "ngo"),
    ("Annual salient risks consultation, East Africa", "hr_lead", ("policy",), 0, 40, "ngo"),
)


def load_load(*, organisation, hr_lead: Viewer, admin: Viewer, today: datetime.date) -> Stakeholder:
    """Register the NGO and its member, then ask them from two teams, oldest first, dated as they were."""
    ngo, _flags = register_stakeholder(by=hr_lead, profile=StakeholderProfile(
        name=NGO_NAME, kind=Kind.EXPERT, entity_type=EntityType.ORGANISATION, country="KE",
        email="info@haki-digital.example", languages=["en", "sw"], preferred_channel=Channel.EMAIL,
        rights=["privacy", "freedom_of_expression"],
        notes="Digital rights NGO in Nairobi; asked for input by several of our teams.",
    ))
    member, _flags = register_stakeholder(by=hr_lead, profile=StakeholderProfile(
        name=MEMBER_NAME, kind=Kind.EXPERT, entity_type=EntityType.PERSON, country="KE",
        email="achieng@haki-digital.example", languages=["en", "sw"], affiliation=ngo.pk,
        notes="Policy lead at Haki Digital Kenya.",
    ))
    owners = {"hr_lead": hr_lead, "admin": admin}
    now = timezone.now()
    for title, owner, functions, asked_days_ago, starts_in, whom in ASKS:
        by = owners[owner]
        starts_on = today + datetime.timedelta(days=starts_in)
        engagement = engagement_actions.create_engagement(by=by, plan=engagement_actions.EngagementPlan(
            title=title, type="interview", phases=["identify"], starts_on=starts_on, ends_on=starts_on,
            attending_functions=list(functions), owner=by.user,
        ))
        participation = engagement_actions.add_participant(
            engagement=engagement, stakeholder=ngo if whom == "ngo" else member, by=by, confirm_load=True)
        # Dated when it was asked, so that the rolling windows, the chart and the overlaps read as in real use.
        Participation.objects.filter(pk=participation.pk).update(
            added_at=now - datetime.timedelta(days=asked_days_ago))
    return ngo
