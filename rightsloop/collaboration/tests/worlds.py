"""The shared-assessment objects of an access world (core/tests/access_worlds.build_world calls this).

The world's organisation leads a shared assessment with one of its engagements held in it and its person in the
pool; a third organisation of the world shares its own assessment and invites the world's organisation (the open
invitation its human rights lead may answer). Every name carries the world's marker.
"""

from __future__ import annotations

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.accounts.viewer import Viewer
from rightsloop.collaboration import actions
from rightsloop.engagements.tests.factories import make_engagement

from .factories import contribute, make_assessment


def collaboration_world(builder: Viewer, marker: str, o: dict) -> None:
    o["shared"] = actions.share_assessment(assessment=make_assessment(builder, title=f"{marker} shared assessment"),
                                           by=builder)
    o["assessment_to_share"] = make_assessment(builder, title=f"{marker} assessment not shared")
    o["shared_engagement"] = make_engagement(builder, title=f"{marker} shared engagement")
    actions.share_engagement(shared=o["shared"], engagement=o["shared_engagement"], by=builder)
    o["spare_engagement"] = make_engagement(builder, title=f"{marker} engagement to share")
    o["pool_partner"] = contribute(o["shared"], o["stakeholder"], by=builder)
    inviter = make_member(make_organisation(f"Inviter of {builder.organisation.name}"), Role.HR_LEAD)
    elsewhere = actions.share_assessment(assessment=make_assessment(inviter, title=f"{marker} invited to"),
                                         by=inviter)
    o["shared_invitation"] = actions.invite_organisation(shared=elsewhere, organisation_id=builder.organisation.pk,
                                                         by=inviter)
    # An organisation anyone of the installation may invite: organisations are named by the invitation form.
    o["invitable_organisation"] = make_member(make_organisation(f"Invitable by {builder.organisation.name}"),
                                              Role.HR_LEAD).organisation


def shared_objects(builder: Viewer, marker: str) -> dict:
    """The same objects for core/tests/test_isolation.py's worlds, keyed as its object_for reads them."""
    from rightsloop.stakeholders.tests.factories import make_stakeholder

    o = {"stakeholder": make_stakeholder(builder, name=f"{marker} pool partner")}
    collaboration_world(builder, marker, o)
    return {key: o[key] for key in ("shared", "shared_engagement", "pool_partner", "shared_invitation")}
