"""Demo data for regional and country assessments (G1): KestrelPay Mkopo in Kenya, Uganda and Tanzania.

Kestrel Networks assesses the credit scoring of KestrelPay Mkopo (small loans scored from mobile-money records)
across East Africa over ten months. Its local partners are Mtandao Rights Lab (research), the Gikomba traders'
association (community liaison), Nsamba Legal Aid Collective (facilitation), an interpreter in Dar es Salaam and
a community researcher in Kampala at high safety level (shown by pseudonym; hidden from members without a grant).
The partners were trained in Swahili, with questions asked and some answered; scoping and training are done,
data collection and analysis are under way. Two of the demo's engagements were held inside it (the Nairobi
traders' workshop and the Kampala civil society workshop). One finding became a salient risk, one is still being
analysed. Nobody in Tanzania has been heard yet, nor the mobile-money agents of Dar es Salaam: the who-was-heard
gaps say so.

Everything goes through the assessments app's own actions, as the hr lead (Amina).
"""

from __future__ import annotations

import datetime

from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments import actions
from rightsloop.assessments.models import Assessment
from rightsloop.engagements.models import Engagement
from rightsloop.risks.actions import RiskPlan
from rightsloop.stakeholders import groups as stakeholder_groups
from rightsloop.stakeholders.actions import register_stakeholder
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.vocabulary import Channel, EntityType, Kind, SafetyLevel, Technology

TITLE = "KestrelPay Mkopo credit scoring in East Africa"
TECHNOLOGY = "KestrelPay Mkopo: small loans scored from mobile-money records"
COUNTRIES = ["KE", "TZ", "UG"]
UNHEARD_GROUP = "Mobile-money agents in Dar es Salaam"
INTERPRETER = "Neema Mushi"
# At high safety level: a pseudonym on every page, and nothing at all to members without a grant.
SHIELDED_RESEARCHER = "Community researcher, Kampala (alias R.)"
TRAINING_TITLE = "Mafunzo kwa washirika: haki za binadamu na alama za mikopo"
NEW_RISK = "Shared phones lower women's credit scores"


def _days(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


def _register(hr_lead: Viewer, **fields) -> Stakeholder:
    stakeholder, _duplicates = register_stakeholder(profile=StakeholderProfile(**fields), by=hr_lead)
    return stakeholder


def load_assessments(*, viewers: dict[str, Viewer], stakeholders: dict[str, Stakeholder],
                     engagements: dict[str, Engagement], today: datetime.date, hr_lead: str = "amina") -> Assessment:
    """Build the East African assessment; returns it."""
    by = viewers[hr_lead]
    assessment = actions.create_assessment(by=by, plan=actions.AssessmentPlan(
        title=TITLE, technology=TECHNOLOGY, countries=COUNTRIES, region="East Africa",
        starts_on=_days(today, -150), ends_on=_days(today, 150), status="in_progress",
        scope="How KestrelPay Mkopo scores borrowers from their mobile-money records, and who it may exclude or "
              "harm: women who share a phone, informal traders with irregular income, refugees without national "
              "ID, and the agents who sign borrowers up. Out of scope: the collection of overdue loans, assessed "
              "separately."))

    for kind, start, end, progress, done in (
            ("scoping", -150, -121, 100, True),
            ("partner_training", -120, -101, 100, True),
            ("data_collection", -100, 30, 60, False),
            ("analysis", -20, 75, 20, False),
            ("validation", 80, 110, 0, False),
            ("reporting", 111, 150, 0, False)):
        actions.set_phase(assessment=assessment, by=by, plan=actions.PhasePlan(
            kind=kind, starts_on=_days(today, start), ends_on=_days(today, end), progress=progress, done=done))

    interpreter = _register(by, name=INTERPRETER, kind=Kind.EXPERT, entity_type=EntityType.PERSON, country="TZ",
                            email="neema.mushi@example.org", languages=["sw", "en"], preferred_language="sw",
                            technologies=[Technology.FINTECH],
                            notes="Freelance interpreter and translator, Dar es Salaam.")
    researcher = _register(by, name=SHIELDED_RESEARCHER, kind=Kind.EXPERT, entity_type=EntityType.PERSON,
                           country="UG", languages=["lg", "sw", "en"], safety_level=SafetyLevel.HIGH,
                           preferred_channel=Channel.SECURE_MESSENGER, messenger_handle="@r.kampala",
                           safe_channels=[Channel.SECURE_MESSENGER],
                           notes="Interviews LGBTIQ+ borrowers; must never be named outside the team.")
    partners = {
        key: actions.add_partner(assessment=assessment, stakeholder=stakeholder, role=role, languages=languages,
                                 by=by)
        for key, stakeholder, role, languages in (
            ("mtandao", stakeholders["mtandao"], "research_partner", ["sw", "en"]),
            ("gikomba", stakeholders["gikomba"], "community_liaison", ["sw"]),
            ("nsamba", stakeholders["nsamba"], "facilitator", ["lg", "sw", "en"]),
            ("interpreter", interpreter, "interpreter", ["sw", "en"]),
            ("researcher", researcher, "research_partner", ["lg", "sw"]),
        )}

    training = actions.record_training_session(assessment=assessment, by=by, plan=actions.SessionPlan(
        held_on=_days(today, -110), title=TRAINING_TITLE, language="sw",
        material="1. Haki za binadamu na teknolojia ya fedha: faragha, usawa na kutobaguliwa.\n"
                 "2. Jinsi KestrelPay Mkopo inavyokadiria alama za mikopo kutoka kwa rekodi za pesa za simu.\n"
                 "3. Kuhoji kwa usalama: ridhaa, majina bandia, na jinsi ya kumpeleka mtu kwa msaada.\n"
                 "4. Kuandika tulichosikia bila kumtaja mtu yeyote.",
        attendees=list(partners.values())))
    for asker, question, answer in (
            ("mtandao", "Tunawezaje kuwalinda wanaohojiwa ambao wanaogopa kutajwa?",
             "Tunatumia majina bandia, hatuandiki namba za simu, na maelezo yote yanahifadhiwa kwa usimbaji fiche. "
             "Angalia sehemu ya 3 ya mwongozo."),
            ("gikomba", "Je, wafanyabiashara watalipwa kwa muda wao wa mahojiano?",
             "Ndiyo: kila mshiriki analipwa posho ya usafiri na chakula, hata akiamua kutojibu swali lolote."),
            ("researcher", "Nifanye nini mtu akiniambia kuhusu unyanyasaji unaohusiana na mkopo?", ""),
    ):
        actions.record_question(session=training, question=question, asked_by=partners[asker], answer=answer, by=by)
    actions.record_training_session(assessment=assessment, by=by, plan=actions.SessionPlan(
        held_on=_days(today, -104), title="Interviewing safely: consent, pseudonyms and referrals", language="en",
        material="A half-day refresher for the partners who interview in Kampala, in English with Luganda notes.",
        attendees=[partners["nsamba"], partners["researcher"]]))

    actions.link_engagements(assessment=assessment, by=by, engagements=[
        engagements["fraud_workshop"], engagements["moderation_workshop"]])

    # Tanzania's agents live where nobody has been heard yet: the gap the assessment page flags.
    stakeholder_groups.create_group(by=by, plan=stakeholder_groups.GroupPlan(
        name=UNHEARD_GROUP, description="Agents who register KestrelPay Mkopo borrowers and cash out loans in Dar "
                                         "es Salaam; paid on commission per loan.",
        countries=["TZ"], languages=["sw"], at_risk=["low_income"], size_estimate=1200))

    scored = actions.record_finding(
        assessment=assessment, title=NEW_RISK, countries=["KE", "UG"], by=by,
        description="Women who share a phone with their husband or family have fewer transactions in their own "
                    "name, and score lower even when they repay on time. Partners heard it in Gikomba and in "
                    "Kawempe.")
    actions.finding_becomes_risk(finding=scored, by=by, plan=RiskPlan(
        title=NEW_RISK, product="KestrelPay Mkopo", involvement="cause", scale=3, scope=3, irremediability=2,
        likelihood=4, review_on=_days(today, 90), rights=["non_discrimination", "adequate_standard_of_living"],
        description=scored.description, affected_groups="Women borrowers who share a phone", markets=["KE", "UG"]))
    actions.record_finding(
        assessment=assessment, title="Loan terms sent only in English by SMS", countries=["TZ", "UG"], by=by,
        description="Borrowers receive the loan's price and due date in English only; several partners say most "
                    "borrowers they met read Swahili or Luganda. Still being analysed with the product team.")
    return assessment
