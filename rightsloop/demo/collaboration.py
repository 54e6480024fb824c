"""Demo data for shared assessments (G3): Kestrel Networks runs its East African assessment with Savanna Mobile.

Savanna Mobile is a second demo company with its own human rights lead (Nia Wanjiru, password as every demo
account), its own administrator, stakeholders and salient risks that Kestrel never sees. Kestrel shares its
assessment (the one of G1's demo when it exists, else one made here through G1's actions), invites Savanna,
whose human rights lead accepts. Kestrel puts Haki Digital Kenya (the NGO of the load demo) in the shared pool on
its written consent; Savanna puts a Mombasa community organiser in it, and a human rights defender at high safety
level who shows to Kestrel as a code name only. Savanna holds a workshop inside the assessment, and asks Haki
Digital to it through the pool: the NGO's load, as either company sees it, counts both companies' requests.

Called by the demo loader once Kestrel's demo exists: load_collaboration(organisation=…, hr_lead=…, today=…).
Loading again empties Savanna Mobile first (its audit log stays, as the demo organisation's does).
"""

from __future__ import annotations

import datetime

from rightsloop.accounts.actions import add_member
from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments import actions as assessment_actions
from rightsloop.assessments.models import Assessment
from rightsloop.collaboration import actions
from rightsloop.collaboration.models import SharedAssessment
from rightsloop.core import audit
from rightsloop.core.models import Organisation
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.models import Engagement, FeedbackReport, Input, Participation
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.models import Risk
from rightsloop.stakeholders.actions import record_consent, register_stakeholder
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.vocabulary import EntityType, Kind

from . import content
from .load import NGO_NAME

SECOND_NAME = "Savanna Mobile"
SECOND_SLUG = "savanna-mobile"
SECOND_EMAIL_DOMAIN = "savanna-mobile.example"
# (username, first name, last name, role)
SECOND_MEMBERS = (
    ("omar.haji", "Omar", "Haji", Role.ADMIN),
    ("nia.wanjiru", "Nia", "Wanjiru", Role.HR_LEAD),
)
SECOND_HR_LEAD = "nia.wanjiru"
# Savanna's own register and risks: Kestrel must never see them (the demo test checks).
PRIVATE_STAKEHOLDER = "Savanna private supplier contact"
PRIVATE_RISK = "SIM registration data shared with the police without a warrant"
WORKSHOP = "Mombasa community workshop: SIM registration and mobile money"

def find_second_company() -> Organisation | None:
    return Organisation.objects.filter(slug=SECOND_SLUG).first()

def _empty(organisation: Organisation) -> None:
    """Take Savanna Mobile's demo records away, children first; the organisation and its audit log stay."""
    FeedbackReport.objects.filter(organisation=organisation).delete()
    Input.objects.filter(organisation=organisation).delete()
    Participation.objects.filter(engagement__organisation=organisation).delete()
    Engagement.objects.filter(organisation=organisation).delete()
    Risk.objects.filter(organisation=organisation).delete()
    Assessment.objects.filter(organisation=organisation).delete()
    Stakeholder.objects.filter(organisation=organisation).delete()
    Membership.objects.filter(organisation=organisation).delete()

def _second_company() -> dict[str, Viewer]:
    organisation = find_second_company()
    if organisation is None:
        organisation = Organisation.objects.create(name=SECOND_NAME, slug=SECOND_SLUG)
        audit.record(organisation=organisation, by=None, action="organisation.created", target=organisation,
                     summary=f"{organisation.slug}: second demo company loaded by manage.py load_demo")
    else:
        _empty(organisation)
    viewers: dict[str, Viewer] = {}
    by = None
    for username, first_name, last_name, role in SECOND_MEMBERS:
        membership = add_member(organisation=organisation, username=username,
                                email=f"{username}@{SECOND_EMAIL_DOMAIN}", first_name=first_name,
                                last_name=last_name, password=content.DEMO_PASSWORD, role=role, by=by)
        viewers[username] = Viewer.from_membership(membership)
        by = by or viewers[username]
    return viewers

def _person(by: Viewer, name: str, **fields) -> Stakeholder:
    values = {"kind": Kind.AFFECTED, "entity_type": EntityType.PERSON, "country": "KE", "languages": ["sw", "en"]}
    values.update(fields)
    stakeholder, _flags = register_stakeholder(profile=StakeholderProfile(name=name, **values), by=by)
    return stakeholder

def _assessment(hr_lead: Viewer, today: datetime.date) -> Assessment:
    """G1's demo assessment in Kenya when it is there; otherwise one made through G1's own action."""
    found = (Assessment.objects.for_organisation(hr_lead.organisation).filter(shared__isnull=True)
             .order_by("starts_on", "id"))
    for assessment in found:
        if "KE" in assessment.countries:
            return assessment
    return assessment_actions.create_assessment(by=hr_lead, plan=assessment_actions.AssessmentPlan(
        title="Mobile money and facial verification in East Africa", technology="Facial verification for mobile money",
        countries=["KE", "TZ", "UG"], region="East Africa", starts_on=today - datetime.timedelta(days=60),
        ends_on=today + datetime.timedelta(days=120), status="in_progress",
        scope="How face checks at sign-up affect people without recent photo ID, in towns and rural areas."))

def load_collaboration(*, organisation: Organisation, hr_lead: Viewer, today: datetime.date) -> SharedAssessment:
    second = _second_company()
    nia = second[SECOND_HR_LEAD]
    # Savanna's own register and risks, which stay its own.
    _person(nia, PRIVATE_STAKEHOLDER, kind=Kind.OTHER, notes="Savanna's own contact: never shared.")
    risk_actions.create_risk(by=nia, plan=risk_actions.RiskPlan(
        title=PRIVATE_RISK, product="Savanna SIM", involvement="contribute", scale=3, scope=3, irremediability=2,
        likelihood=3, review_on=today + datetime.timedelta(days=180), rights=["privacy"], markets=["KE"]))

    shared = actions.share_assessment(assessment=_assessment(hr_lead, today), by=hr_lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=nia.organisation.pk, by=hr_lead)
    actions.accept_invitation(invitation=invitation, by=nia)

    consented = today - datetime.timedelta(days=10)
    haki = next((s for s in Stakeholder.objects.for_organisation(organisation).filter(
        entity_type=EntityType.ORGANISATION) if s.name == NGO_NAME), None)
    haki_partner = None
    if haki is not None:
        haki_partner = actions.contribute_partner(shared=shared, stakeholder=haki, role="research_partner",
                                                  languages=["sw", "en"], consent_method="written",
                                                  consent_given_on=consented, by=hr_lead)
    organiser = _person(nia, "Zawadi Mwangi", notes="Community organiser in Mombasa.")
    actions.contribute_partner(shared=shared, stakeholder=organiser, role="community_liaison", languages=["sw"],
                               consent_method="verbal", consent_given_on=consented, by=nia)
    defender = _person(nia, "Baraka Otieno", kind=Kind.EXPERT, safety_level="high",
                       notes="Human rights defender; never named outside Savanna.")
    actions.contribute_partner(shared=shared, stakeholder=defender, role="expert_adviser", languages=["sw"],
                               consent_method="written", consent_given_on=consented, by=nia)

    # Savanna's workshop inside the assessment: its standing inputs are the members' to read.
    starts_on = today - datetime.timedelta(days=5)
    workshop = engagement_actions.create_engagement(by=nia, plan=engagement_actions.EngagementPlan(
        title=WORKSHOP, type="workshop", phases=["identify"], starts_on=starts_on, ends_on=starts_on,
        location="Mombasa", owner=nia.user))
    actions.share_engagement(shared=shared, engagement=workshop, by=nia)
    trader = _person(nia, "Mwanaisha Said", notes="Market trader; uses mobile money daily.")
    record_consent(stakeholder=trader, scope="attribute_inputs", granted=True, method="verbal",
                   given_on=starts_on, by=nia)
    voices = [
        (trader, "attributed", "Face checks fail in the market light, and then my wallet is frozen for a week."),
        (organiser, "anonymised", "Older women without a recent ID photo are turned away at the agent's counter."),
    ]
    for person, attribution, text in voices:
        participation = engagement_actions.add_participant(engagement=workshop, stakeholder=person, by=nia)
        engagement_actions.record_input(engagement=workshop, speaker=participation, text=text, by=nia,
                                        attribution=attribution, language="en", owning_function="product")
    if haki_partner is not None:
        # The NGO was asked often by Kestrel's teams already: Savanna sees it and confirms, the audit says so.
        actions.request_partner(shared=shared, partner=haki_partner, engagement=workshop, by=nia,
                                confirm_load=True)
    return shared
