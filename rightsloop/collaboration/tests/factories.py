"""Build shared assessments through the actions: a lead with its assessment, members that accepted, a pool."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from itertools import count

from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments import actions as assessment_actions
from rightsloop.assessments.models import Assessment
from rightsloop.collaboration import actions
from rightsloop.collaboration.models import PoolPartner, SharedAssessment
from rightsloop.stakeholders.models import Stakeholder

_numbers = count(1)


def make_assessment(by: Viewer, **fields) -> Assessment:
    """An assessment of the viewer's organisation, through G1's action."""
    today = timezone.localdate()
    values = {"title": f"Assessment {next(_numbers)}", "technology": "Facial recognition", "countries": ["KE"],
              "region": "East Africa", "starts_on": today - datetime.timedelta(days=30),
              "ends_on": today + datetime.timedelta(days=150)}
    values.update(fields)
    return assessment_actions.create_assessment(plan=assessment_actions.AssessmentPlan(**values), by=by)


def make_shared(lead: Viewer, **fields) -> SharedAssessment:
    return actions.share_assessment(assessment=make_assessment(lead, **fields), by=lead)


def join(shared: SharedAssessment, invited_hr_lead: Viewer, *, by: Viewer) -> None:
    invitation = actions.invite_organisation(shared=shared, organisation_id=invited_hr_lead.organisation.pk, by=by)
    actions.accept_invitation(invitation=invitation, by=invited_hr_lead)


def contribute(shared: SharedAssessment, stakeholder: Stakeholder, *, by: Viewer, role: str = "facilitator",
               languages=("sw",)) -> PoolPartner:
    return actions.contribute_partner(shared=shared, stakeholder=stakeholder, role=role, languages=list(languages),
                                      consent_method="written", consent_given_on=timezone.localdate(), by=by)


@dataclass
class Company:
    organisation: object
    lead: Viewer  # its human rights lead
    members: dict[str, Viewer] = field(default_factory=dict)


def make_company(name: str) -> Company:
    organisation = make_organisation(name)
    return Company(organisation=organisation, lead=make_member(organisation, Role.HR_LEAD))
