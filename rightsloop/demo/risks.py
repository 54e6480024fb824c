"""The demo organisation's salient risks, mitigations, strategic decisions and context events (issue 4).

Everything is written through rightsloop.risks.actions, as a human rights lead would enter it. The risks
are about Kestrel Networks' own products (Kestrel Chat, KestrelPay, KestrelPay Crédito, Kestrel Cloud
Vision) in the markets its stakeholders come from, and link to what those stakeholders said in the
engagements of content.py. Dates are offsets in days from the day the demo is loaded.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from rightsloop.accounts.viewer import Viewer
from rightsloop.engagements.models import Engagement, Input
from rightsloop.risks import actions, decision_actions
from rightsloop.risks.models import Mitigation, Risk, StrategicDecision
from rightsloop.risks.vocabulary import (
    Communication,
    ConditionStatus,
    DecisionCategory,
    DecisionOutcome,
    Effectiveness,
    EventKind,
    Involvement,
    MitigationStatus,
)

from . import content

CHAT = "Kestrel Chat"
PAY = "KestrelPay"
CREDIT = "KestrelPay Crédito"
VISION = "Kestrel Cloud Vision"

# A stakeholder input, as (engagement key, speaker key): the speaker key is None for an unattributed input.
Heard = tuple[str, str | None]


@dataclass(frozen=True)
class Reading:
    """One evidence entry of an indicator; `heard` makes it a view from the ground."""

    days_ago: int
    value: str
    note: str = ""
    heard: Heard | None = None


@dataclass(frozen=True)
class Measure:
    name: str
    target: str
    readings: tuple[Reading, ...] = ()


@dataclass(frozen=True)
class Action:
    action: str
    status: str
    owner: str = content.HR_LEAD
    due_in: int | None = None
    reason: str = ""
    remedy_plan: str = ""
    measures: tuple[Measure, ...] = ()
    heard: tuple[Heard, ...] = ()
    key: str = ""  # names the mitigations the demo comes back to (RiskBuilder.mitigations)


@dataclass(frozen=True)
class SalientRisk:
    key: str
    title: str
    product: str
    involvement: str
    rights: tuple[str, ...]
    markets: tuple[str, ...]
    # scale, scope, irremediability, likelihood
    ratings: tuple[int, int, int, int]
    review_in: int
    description: str = ""
    use_context: str = ""
    affected_groups: str = ""
    owner: str = content.HR_LEAD
    heard: tuple[Heard, ...] = ()
    actions: tuple[Action, ...] = field(default_factory=tuple)


PLANNED = MitigationStatus.PLANNED
IN_PROGRESS = MitigationStatus.IN_PROGRESS
DONE = MitigationStatus.DONE
NOT_MITIGATED = MitigationStatus.NOT_MITIGATED
CANNOT_MITIGATE = MitigationStatus.CANNOT_MITIGATE

RISKS: tuple[SalientRisk, ...] = (
    SalientRisk(
        key="refugee_location",
        title="Location records of Rohingya camp residents reach the authorities",
        product=CHAT, involvement=Involvement.CAUSE,
        rights=("privacy", "security_of_person", "freedom_of_movement"), markets=("BD",),
        ratings=(5, 3, 5, 3), review_in=30,
        description="Kestrel Chat records where its users are. Residents of the Cox's Bazar camps fear that the "
                    "records could be demanded and used to follow people who move between camps or leave them.",
        use_context="Phones shared within families; 'nearby friends' switched on by default until last year.",
        affected_groups="Rohingya refugees, especially women and girls who move between camps.",
        heard=(("location_interviews", "nur"), ("location_interviews", "ukhia"), ("location_interviews", "katrin")),
        actions=(
            Action("Stop collecting precise location in the camp areas; keep city-level location only.",
                   IN_PROGRESS, owner=content.PRODUCT_LEAD, due_in=21,
                   heard=(("location_interviews", "nur"),)),
            Action("Encrypt location records end to end and keep them only on servers outside Bangladesh, so "
                   "that no one in the country can be made to hand them over readable.", DONE,
                   owner=content.PRODUCT_LEAD, key="location_encryption",
                   measures=(Measure("Location records readable by staff or stored in Bangladesh", "None", (
                       Reading(40, "None", "Encryption and storage in Singapore confirmed by the security team."),
                       Reading(5, "Copies in Bangladesh required from next quarter",
                               "The data protection act requires a local copy and lets the agency demand keys."),
                   )),)),
            Action("Refuse to hand over the location records already held.", CANNOT_MITIGATE,
                   owner=content.LEGAL_LEAD,
                   reason="A court order under national law can compel disclosure of records we still hold; "
                          "we cannot lawfully refuse one.",
                   remedy_plan="Tell the Ukhia Women's Safety Network at once, fund legal aid through it for "
                               "anyone affected, and delete everything the order does not name."),
        ),
    ),
    SalientRisk(
        key="location_retention",
        title="Precise location history kept after users switch the feature off",
        product=CHAT, involvement=Involvement.CAUSE,
        rights=("privacy",), markets=("BD", "IN"),
        ratings=(3, 4, 3, 5), review_in=-12,
        description="Location history for 'nearby friends' stayed on our servers for up to a year after the "
                    "feature was switched off, and the permission prompt was not understood in Hindi.",
        affected_groups="Kestrel Chat users in Bangladesh and India, older users and screen-reader users.",
        heard=(("location_interviews", "tanvir"), ("location_interviews", "savitri"),
               ("location_interviews", "katrin"), ("location_interviews", "drishti")),
        actions=(
            Action("Delete location history when the feature is switched off, and keep none longer than 30 days.",
                   DONE, owner=content.PRODUCT_LEAD,
                   measures=(Measure("Location records older than 30 days", "None", (
                       Reading(90, "41 % of records"),
                       Reading(45, "8 % of records", "Backfill deletion half done."),
                       Reading(10, "0 records", "Confirmed by the user who first raised it.",
                                heard=("location_interviews", "tanvir")),
                   )),)),
            Action("Rewrite the location permission prompt in plain Hindi and Bengali, read correctly by "
                   "screen readers.", IN_PROGRESS, owner=content.PRODUCT_LEAD, due_in=14,
                   heard=(("location_interviews", "savitri"), ("location_interviews", "drishti"))),
        ),
    ),
    SalientRisk(
        key="government_demands",
        title="Government demands for user data and interception in high-risk markets",
        product=CHAT, involvement=Involvement.CONTRIBUTE,
        rights=("privacy", "freedom_of_expression", "security_of_person", "freedom_from_arbitrary_detention"),
        markets=("MM", "CM", "PH", "UG"),
        ratings=(5, 4, 5, 4), review_in=45,
        description="Authorities and partner network operators ask for account data and interception without "
                    "a court order; journalists' sources and activists can be identified from what we hand over.",
        affected_groups="Journalists and their sources, activists, human rights defenders.",
        heard=(("interception_interviews", "observatoire"), ("interception_interviews", "maricel"),
               ("interception_interviews", "thiha"), ("interception_interviews", "lanthit")),
        actions=(
            Action("Review every demand against international human rights law; challenge overbroad ones in "
                   "court; publish the number received and refused per country.", IN_PROGRESS,
                   owner=content.LEGAL_LEAD, due_in=60,
                   measures=(Measure("Demands challenged or narrowed", "All without a court order", (
                       Reading(120, "12 %"), Reading(60, "35 %"), Reading(5, "58 %"),
                   )),)),
            Action("Tell users when a government asks for their data.", NOT_MITIGATED,
                   owner=content.LEGAL_LEAD,
                   reason="Laws in three of these markets make telling the user a crime for our local staff.",
                   remedy_plan="Where notice is forbidden, tell the user as soon as the gag lapses; support "
                               "people detained on the basis of our data through partner legal-aid funds.",
                   heard=(("interception_interviews", "maricel"),)),
        ),
    ),
    SalientRisk(
        key="moderation_languages",
        title="Reports in East African languages wait days for review",
        product=CHAT, involvement=Involvement.CONTRIBUTE,
        rights=("non_discrimination", "freedom_of_expression", "security_of_person"), markets=("UG", "KE", "ET"),
        ratings=(4, 4, 3, 4), review_in=20,
        description="Reports written in Amharic, Tigrinya, Afaan Oromo, Luganda, French or Lingala queue for an "
                    "English-language team, while harmful content keeps spreading.",
        heard=(("moderation_workshop", "selam"), ("moderation_workshop", "arck"), ("moderation_workshop", "kato"),
               ("moderation_workshop", "nsamba")),
        actions=(
            Action("Hire reviewers for Amharic, Tigrinya, Afaan Oromo, Luganda, Swahili and Lingala, and route "
                   "reports by language.", IN_PROGRESS, due_in=45,
                   measures=(Measure("Median hours to first review of a Luganda report", "Under 24 hours", (
                       Reading(80, "96 hours"),
                       Reading(40, "52 hours"),
                       Reading(7, "Still days for reports sent at night",
                               "Proxy's account of what community members see.",
                               heard=("moderation_workshop", "nsamba")),
                   )),)),
        ),
    ),
    SalientRisk(
        key="ethiopia_hate",
        title="Incitement in Amharic, Tigrinya and Afaan Oromo left unmoderated during conflict",
        product=CHAT, involvement=Involvement.CONTRIBUTE,
        rights=("life", "security_of_person", "freedom_from_propaganda_for_war"), markets=("ET",),
        ratings=(5, 4, 4, 4), review_in=15,
        description="If Kestrel Chat launches in Ethiopia without classifiers and reviewers for its main "
                    "languages, calls to violence against ethnic groups would spread unchecked.",
        affected_groups="Ethnic communities in conflict-affected regions of Ethiopia.",
        # Only an expert has been heard: the register flags that no affected voice has.
        heard=(("moderation_workshop", "selam"),),
        actions=(
            Action("Build and test classifiers and a reviewer team for the three languages before any launch.",
                   PLANNED, owner=content.PRODUCT_LEAD, due_in=180),
        ),
    ),
    SalientRisk(
        key="outing",
        title="Mass-forwarded messages out LGBTIQ+ people in Uganda",
        product=CHAT, involvement=Involvement.CONTRIBUTE,
        rights=("security_of_person", "privacy", "non_discrimination"), markets=("UG",),
        ratings=(5, 3, 5, 4), review_in=10,
        description="Forwarded messages in Luganda name people and say they are gay, under a law that "
                    "criminalises them; reporting one takes many steps and gets no answer in time.",
        affected_groups="LGBTIQ+ people in Kampala and Wakiso.",
        heard=(("moderation_workshop", "kato"), ("moderation_workshop", "nsamba"), ("moderation_workshop", "boda")),
        actions=(
            Action("One-tap report for forwarded messages, in Luganda and Swahili.", DONE,
                   owner=content.PRODUCT_LEAD, heard=(("moderation_workshop", "kato"),)),
            Action("Emergency trusted-flagger channel with a named person for Nsamba Legal Aid Collective.",
                   IN_PROGRESS, due_in=7,
                   measures=(Measure("Hours from an emergency flag to removal", "Under 2 hours", (
                       Reading(30, "19 hours"),
                       Reading(3, "3 hours", "The collective confirms the last two were handled the same day.",
                               heard=("moderation_workshop", "nsamba")),
                   )),)),
        ),
    ),
    SalientRisk(
        key="forward_limits",
        title="Forwarding limits cut off job alerts for savings groups",
        product=CHAT, involvement=Involvement.CAUSE,
        rights=("freedom_of_expression", "work"), markets=("UG",),
        ratings=(1, 2, 1, 4), review_in=90,
        description="The five-forward limit that slows rumours also slows job alerts in riders' savings groups.",
        heard=(("moderation_workshop", "boda"),),
        actions=(
            Action("Let group admins forward to their own groups without the limit.", PLANNED,
                   owner=content.PRODUCT_LEAD, due_in=60),
        ),
    ),
    SalientRisk(
        key="fraud",
        title="Impersonation fraud drains traders' wallets; recovery takes weeks",
        product=PAY, involvement=Involvement.CONTRIBUTE,
        rights=("adequate_standard_of_living", "property", "effective_remedy"), markets=("KE",),
        ratings=(3, 3, 2, 5), review_in=60,
        description="Callers posing as KestrelPay staff obtain PINs; a stolen phone means weeks without the wallet.",
        affected_groups="Market traders and hawkers who take most of their sales through KestrelPay.",
        heard=(("fraud_workshop", "wanjiku"), ("fraud_workshop", "gikomba"), ("fraud_workshop", "mtandao"),
               ("fraud_workshop", None)),
        actions=(
            Action("Wallet recovery at any agent within 48 hours with an ID check.", DONE,
                   owner=content.PRODUCT_LEAD, heard=(("fraud_workshop", "gikomba"),),
                   measures=(Measure("Median days to recover a wallet after a stolen phone", "2 days", (
                       Reading(60, "21 days"),
                       Reading(30, "9 days"),
                       Reading(5, "2 days", "Members report recovery within two days at the market agents.",
                               heard=("fraud_workshop", "gikomba")),
                   )),)),
            Action("Warn users in Swahili and English when a call claims to come from KestrelPay.", DONE,
                   owner=content.PRODUCT_LEAD, heard=(("fraud_workshop", "wanjiku"),)),
        ),
    ),
    SalientRisk(
        key="pay_accessibility",
        title="Blind users cannot complete payments before the PIN screen closes",
        product=PAY, involvement=Involvement.CAUSE,
        rights=("non_discrimination",), markets=("KE", "IN"),
        ratings=(3, 2, 2, 4), review_in=-5,
        heard=(("fraud_workshop", "otieno"), ("advisory_council", "drishti"), ("advisory_council", "anjali")),
        actions=(
            Action("Extend the PIN timeout, label every control for TalkBack, and add Marathi and Kannada voice "
                   "menus.", IN_PROGRESS, owner=content.PRODUCT_LEAD, due_in=30),
        ),
    ),
    SalientRisk(
        key="credit_scoring",
        title="Credit scoring penalises neighbourhood, illness and marriage",
        product=CREDIT, involvement=Involvement.CAUSE,
        rights=("non_discrimination", "gender_equality", "adequate_standard_of_living"),
        markets=("MX", "CO", "BR"),
        ratings=(4, 4, 3, 4), review_in=40,
        description="The model lowers limits after sick leave, refuses Afro-Colombian neighbourhoods and cuts "
                    "women's limits when they change phone number after marriage.",
        affected_groups="Women, Afro-Colombian and Indigenous borrowers, platform workers.",
        heard=(("latam_credit", "alejandra"), ("latam_credit", "jhon"), ("latam_credit", "red_pacifico"),
               ("latam_credit", "laja"), ("advisory_council", "cifr")),
        actions=(
            Action("Independent fairness audit broken down by gender, ethnicity and region, and a published "
                   "model card.", IN_PROGRESS, due_in=90, heard=(("latam_credit", "laja"),)),
            Action("Remove neighbourhood from the model's features.", NOT_MITIGATED, owner=content.PRODUCT_LEAD,
                   reason="Postcode is built into the licensed model; the vendor will not retrain it before "
                          "the contract renews next year.",
                   remedy_plan="Manual review on request of every refusal in Buenaventura and Tumaco, refunds of "
                               "interest charged above the fair rate, and a named contact at the Red."),
            Action("An appeal against a cut credit limit, answered by a person within five days.", PLANNED,
                   due_in=30, heard=(("latam_credit", "alejandra"),)),
        ),
    ),
    SalientRisk(
        key="indigenous_contracts",
        title="Credit contracts only in Portuguese for Indigenous borrowers",
        product=CREDIT, involvement=Involvement.CAUSE,
        rights=("minority_rights", "non_discrimination"), markets=("BR",),
        ratings=(3, 2, 3, 3), review_in=120,
        heard=(("latam_credit", "raimunda"),),
        actions=(
            Action("Contract summaries in Nheengatu and Tukano, read aloud by community agents.", PLANNED,
                   due_in=120),
        ),
    ),
    SalientRisk(
        key="face_matching",
        title="Face matching sold to customers who watch protesters",
        product=VISION, involvement=Involvement.CONTRIBUTE,
        rights=("privacy", "freedom_of_assembly", "non_discrimination"), markets=("MX", "BR", "PH"),
        ratings=(5, 4, 4, 2), review_in=12,
        description="Customers have asked for face matching against crowds; error rates are higher for darker "
                    "skin tones and older people.",
        # Nobody has been heard yet: the consultation is coming up.
        actions=(
            Action("Refuse face matching for public places and for law enforcement, by contract and by a "
                   "technical block.", IN_PROGRESS, owner=content.LEGAL_LEAD, due_in=20),
            Action("Control what a customer does with match results it already holds.", CANNOT_MITIGATE,
                   owner=content.LEGAL_LEAD,
                   reason="Once results leave our cloud we cannot see or limit their reuse.",
                   remedy_plan="Terminate the contract on evidence of misuse, notify the people matched where we "
                               "can, and fund independent legal support for them."),
        ),
    ),
    SalientRisk(
        key="child_age",
        title="Age estimation from face scans creates biometric data about children",
        product=CHAT, involvement=Involvement.CAUSE,
        rights=("child_rights", "privacy"), markets=("PH",),
        # Severe and irremediable (a face template cannot be withdrawn once it leaks) but unlikely, as the scan
        # stays on the phone: the board owns it because severity comes first in the default rules.
        ratings=(4, 3, 5, 2), review_in=50,
        description="A face template made from a child's scan, once leaked or misused, cannot be changed or "
                    "withdrawn. Estimating on the phone makes a leak unlikely, not harmless.",
        heard=(("advisory_council", "ligtas"),),
        actions=(
            Action("Estimate age on the phone and discard the scan at once; offer an alternative without a face.",
                   IN_PROGRESS, owner=content.PRODUCT_LEAD, due_in=40),
        ),
    ),
    SalientRisk(
        key="moderators",
        title="Outsourced content moderators exposed to traumatic content without support",
        product=CHAT, involvement=Involvement.DIRECTLY_LINKED,
        rights=("just_working_conditions", "health"), markets=("KE",),
        ratings=(4, 2, 3, 4), review_in=25,
        description="The moderation vendor in Nairobi reviews violent and abusive content for long shifts; "
                    "counselling and exposure limits are not in its contract.",
        affected_groups="Content moderators employed by our supplier.",
        actions=(
            Action("Require counselling, exposure limits and a living wage in the vendor contract, with audits.",
                   PLANNED, owner=content.LEGAL_LEAD, due_in=75),
        ),
    ),
    SalientRisk(
        key="remittance_fees",
        title="Remittance fees shown only after the PIN is entered",
        product=PAY, involvement=Involvement.CAUSE,
        rights=("adequate_standard_of_living",), markets=("DE", "SN"),
        ratings=(2, 3, 1, 5), review_in=100,
        heard=(("advisory_council", "aicha"),),
        actions=(
            Action("Show the full fee and exchange rate before the PIN screen.", DONE, owner=content.PRODUCT_LEAD,
                   heard=(("advisory_council", "aicha"),)),
        ),
    ),
)


def _days(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


class RiskBuilder:
    def __init__(self, *, organisation, today: datetime.date, viewers: dict[str, Viewer],
                 heard: dict[str, list[tuple[str | None, Input]]], engagements: dict[str, Engagement]):
        self.organisation = organisation
        self.today = today
        self.viewers = viewers
        self.heard = heard
        self.engagements = engagements
        self.risks: dict[str, Risk] = {}
        self.mitigations: dict[str, Mitigation] = {}

    @property
    def hr_lead(self) -> Viewer:
        return self.viewers[content.HR_LEAD]

    def inputs(self, keys) -> list[Input]:
        found = []
        for meeting, speaker in keys:
            matches = [item for said_by, item in self.heard[meeting] if said_by == speaker]
            if not matches:
                raise LookupError(f"no input by {speaker!r} in {meeting!r}")
            found += matches
        return found

    def build(self) -> None:
        # The demo company is new, so it follows the default, severity-first escalation rules.
        for risk in RISKS:
            self.add_risk(risk)
        self.judge_before_the_law()
        self.record_events()
        self.reassess_after_the_law()
        self.decide()

    def add_risk(self, spec: SalientRisk) -> None:
        scale, scope, irremediability, likelihood = spec.ratings
        plan = actions.RiskPlan(
            title=spec.title, product=spec.product, involvement=spec.involvement, scale=scale, scope=scope,
            irremediability=irremediability, likelihood=likelihood, review_on=_days(self.today, spec.review_in),
            description=spec.description, use_context=spec.use_context, affected_groups=spec.affected_groups,
            owner=self.viewers[spec.owner].user, rights=list(spec.rights), markets=list(spec.markets),
        )
        risk = actions.create_risk(plan=plan, by=self.hr_lead)
        if spec.heard:
            actions.link_inputs(target=risk, inputs=self.inputs(spec.heard), by=self.hr_lead)
        for step in spec.actions:
            self.add_mitigation(risk, step)
        self.risks[spec.key] = risk

    def add_mitigation(self, risk: Risk, step: Action) -> Mitigation:
        mitigation = actions.add_mitigation(
            risk=risk, action=step.action, owner=self.viewers[step.owner].user, status=step.status,
            due_on=None if step.due_in is None else _days(self.today, step.due_in),
            reason=step.reason, remedy_plan=step.remedy_plan, by=self.hr_lead,
        )
        if step.key:
            self.mitigations[step.key] = mitigation
        if step.heard:
            actions.link_inputs(target=mitigation, inputs=self.inputs(step.heard), by=self.hr_lead)
        for measure in step.measures:
            indicator = actions.add_indicator(mitigation=mitigation, name=measure.name, target=measure.target,
                                              by=self.hr_lead)
            for reading in measure.readings:
                actions.record_evidence(
                    indicator=indicator, observed_on=_days(self.today, -reading.days_ago), value=reading.value,
                    note=reading.note, input=self.inputs([reading.heard])[0] if reading.heard else None,
                    by=self.hr_lead,
                )
        return mitigation

    def judge_before_the_law(self) -> None:
        """The encryption of camp residents' location records, judged effective on its evidence."""
        mitigation = self.mitigations["location_encryption"]
        indicator = mitigation.indicators.get()
        actions.assess_mitigation(
            mitigation=mitigation, judgement=Effectiveness.EFFECTIVE, assessed_on=_days(self.today, -30),
            reasoning="No location record can be read by our staff or is stored in Bangladesh, so a demand made "
                      "there can only reach ciphertext held abroad.",
            indicators=[indicator], evidence=list(indicator.evidence.filter(observed_on__lt=_days(self.today, -30))),
            by=self.hr_lead)

    def reassess_after_the_law(self) -> None:
        """The new law flagged it; reassessed, it is judged not effective, on the camp residents' own fears."""
        mitigation = self.mitigations["location_encryption"]
        indicator = mitigation.indicators.get()
        actions.reassess_mitigation(
            mitigation=mitigation, judgement=Effectiveness.NOT_EFFECTIVE, assessed_on=_days(self.today, -3),
            note="Reassessed the storage and key arrangements against the data protection act: it requires a copy "
                 "of the records in Bangladesh and lets the agency demand the keys without a court order. The "
                 "encryption no longer keeps the records from the authorities, which is what camp residents "
                 "told us they fear.",
            evidence=list(indicator.evidence.filter(observed_on__gte=_days(self.today, -9))),
            inputs=self.inputs([("location_interviews", "nur")]), by=self.hr_lead)

    def record_events(self) -> None:
        actions.record_context_event(
            title="Bangladesh data protection act: local storage, and access for the authorities",
            kind=EventKind.NEW_LAW, occurred_on=_days(self.today, -9), by=self.hr_lead, countries_touched=["BD"],
            description="The act requires personal data to be stored in the country and lets a government "
                        "agency demand it without a court order.",
        )
        actions.record_context_event(
            title="Country staff in Kampala questioned by police about user reports",
            kind=EventKind.THREAT_TO_STAFF, occurred_on=_days(self.today, -4), by=self.hr_lead,
            countries_touched=["UG"],
            description="Two trust and safety staff were asked to name the people who reported a forwarded "
                        "message; they declined and are safe.",
        )
        actions.record_context_event(
            title="A customer asks to match faces from protest footage",
            kind=EventKind.USAGE_CHANGE, occurred_on=_days(self.today, -2), by=self.hr_lead, products=[VISION],
        )

    def decide(self) -> None:
        hr_lead = self.hr_lead
        # Blocked: a severe risk has only a planned mitigation and no remedy plan.
        actions.create_strategic_decision(plan=actions.DecisionPlan(
            title="Launch Kestrel Chat and KestrelPay in Ethiopia",
            category=DecisionCategory.MARKET_ENTRY,
            description="Enter the Ethiopian market next year with both products, through a local operator.",
            risk_picture="Incitement in Ethiopia's main languages is the most severe risk; reports in these "
                         "languages already wait days in East Africa.",
            mitigation_plan="Classifiers and reviewers for Amharic, Tigrinya and Afaan Oromo are planned, not "
                            "built; language routing is in progress for East Africa.",
            remedy_plan="Grievance channel in the three languages; support through local partners for people "
                        "harmed by content we failed to remove.",
            communication=Communication.FORMAL_REPORT,
            communication_plan="Section of the annual human rights report, and a briefing to the experts engaged.",
            communication_is_safe=True, outcome=DecisionOutcome.GO,
            risks=[self.risks["ethiopia_hate"], self.risks["moderation_languages"]],
            engagements=[self.engagements["moderation_workshop"]],
            # Nobody in Ethiopia was heard yet, in Amharic, Afaan Oromo or English: the local-voices gate
            # keeps it from being taken as well (G2).
            markets=["ET"],
        ), by=hr_lead)

        # Decided: prepared in two passes (the first two steps, then the rest), then taken.
        decision = actions.create_strategic_decision(plan=actions.DecisionPlan(
            title="Keep KestrelPay Crédito open in Mexico, Colombia and Brazil under new scoring safeguards",
            category=DecisionCategory.BUSINESS_MODEL,
            risk_picture="The scoring model discriminates by neighbourhood, illness and marriage; borrowers and "
                         "their organisations told us so in the regional assessment.",
            mitigation_plan="Independent fairness audit in progress; neighbourhood cannot be removed before the "
                            "vendor contract renews; an appeal to a person is planned.",
            risks=[self.risks["credit_scoring"], self.risks["indigenous_contracts"]],
            engagements=[self.engagements["latam_credit"]],
        ), by=hr_lead)
        plan = actions.DecisionPlan(
            title=decision.title, category=decision.category, description=decision.description,
            risk_picture=decision.risk_picture, mitigation_plan=decision.mitigation_plan,
            remedy_plan="Manual review of refusals on request, refunds of unfair interest, and the grievance "
                        "channel run with the Red de Mujeres Afrocolombianas del Pacífico.",
            communication=Communication.FORMAL_REPORT,
            communication_plan="Annual human rights report, the model card, and feedback to every participant "
                               "of the regional assessment in Spanish and Portuguese.",
            communication_is_safe=True, outcome=DecisionOutcome.GO,
            risks=list(decision.risks.all()), engagements=list(decision.engagements.all()),
        )
        decision = actions.update_strategic_decision(decision=decision, plan=plan, by=hr_lead)
        actions.link_inputs(target=decision, inputs=self.inputs([("latam_credit", "alejandra"),
                                                                  ("latam_credit", "urcp"),
                                                                  ("latam_credit", "datos")]), by=hr_lead)
        actions.take_strategic_decision(decision=decision, by=self.viewers[content.ADMIN])
        self.decide_with_the_board()

    def decide_with_the_board(self) -> None:
        """A market entry touching board-level risks: a go with conditions, signed off by the board, one met.

        It goes ahead while camp residents' location records cannot be kept from the authorities, so every list
        marks it as taken against a severe risk that cannot be mitigated, with the remedy plan.
        """
        hr_lead, legal = self.hr_lead, self.viewers[content.LEGAL_LEAD]
        decision = actions.create_strategic_decision(plan=actions.DecisionPlan(
            title="Launch Kestrel Chat in Bangladesh with a local carrier",
            category=DecisionCategory.MARKET_ENTRY,
            description="Bundle Kestrel Chat with a local carrier's data plans across Bangladesh, Cox's Bazar "
                        "included.",
            risk_picture="The new data protection act lets an agency demand records without a court order; "
                         "location records of Rohingya camp residents are the most severe exposure.",
            mitigation_plan="End-to-end encryption stays; location history stays off by default. Keeping the "
                            "records from the authorities cannot be done under the act: recorded as such.",
            remedy_plan="Legal aid through a partner in Cox's Bazar for anyone questioned on our data, and "
                        "notice to affected users wherever the law allows.",
            communication=Communication.FORMAL_REPORT,
            communication_plan="The annual human rights report and a six-monthly transparency report.",
            communication_is_safe=True, outcome=DecisionOutcome.GO_WITH_CONDITIONS,
            risks=[self.risks["refugee_location"], self.risks["government_demands"]],
            engagements=[self.engagements["location_interviews"]],
            markets=["BD"],
        ), by=hr_lead)
        # Affected people in Bangladesh were heard (a student user, the camp residents' network), no local
        # expert: none would speak to us under the new act, so the board let it go ahead on the record.
        actions.link_inputs(target=decision, inputs=self.inputs([("location_interviews", "tanvir"),
                                                                  ("location_interviews", "ukhia")]), by=hr_lead)
        actions.override_local_voices(
            decision=decision, by=self.viewers["helena"],
            reason="No Bangladeshi digital rights expert would speak to us on the record under the new data "
                   "protection act; the camp residents' network and users were heard, and an expert review in "
                   "Dhaka is a condition of the launch.")
        kept_abroad = decision_actions.add_condition(
            decision=decision, owner=legal.user, due_on=_days(self.today, -1), by=hr_lead,
            text="No copy of camp residents' location records is made in Bangladesh until the court challenge "
                 "is decided.")
        decision_actions.add_condition(
            decision=decision, owner=legal.user, due_on=_days(self.today, 60), by=hr_lead,
            text="Publish every government demand for Bangladeshi users' data, every six months.")
        decision_actions.add_condition(
            decision=decision, owner=hr_lead.user, due_on=_days(self.today, -2), by=hr_lead,
            text="Camp residents, heard through their credible proxy, review the launch before it reaches the "
                 "camps.")
        actions.take_strategic_decision(decision=decision, by=hr_lead)
        decision_actions.sign_off_decision(
            decision=decision, by=self.viewers["helena"],  # the demo's board member
            comment="Signed for the board on these three conditions. The location records are the line: if "
                    "the court orders a local copy, this comes back to the board.")
        decision_actions.update_condition(
            condition=kept_abroad, text=kept_abroad.text, owner=legal.user, due_on=kept_abroad.due_on,
            status=ConditionStatus.MET, note="The carrier contract keeps all records on our servers abroad.",
            by=legal)


def build_risks(*, organisation, today: datetime.date, viewers: dict[str, Viewer],
                heard: dict[str, list[tuple[str | None, Input]]],
                engagements: dict[str, Engagement]) -> dict[str, Risk]:
    builder = RiskBuilder(organisation=organisation, today=today, viewers=viewers, heard=heard,
                          engagements=engagements)
    builder.build()
    return builder.risks


def blocked_decision(organisation) -> StrategicDecision:
    return StrategicDecision.objects.for_organisation(organisation).get(category=DecisionCategory.MARKET_ENTRY,
                                                                        status="draft")


def board_decision(organisation) -> StrategicDecision:
    return StrategicDecision.objects.for_organisation(organisation).get(sign_offs__isnull=False)
