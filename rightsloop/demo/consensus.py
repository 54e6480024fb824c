"""Demo data for consensus building (E5): the debate on scanning Kestrel Chat for known abuse images.

Kestrel Networks is asked to detect known child sexual abuse images in Kestrel Chat, which is end-to-end
encrypted: the only place to look is the phone, before a message is encrypted ("client-side scanning"). Child
safety organisations say the company knowingly hosts abuse it could find; privacy and digital-rights groups say
a scanner on every phone is a capability governments will turn on dissidents. Kestrel heard both sides together
in one online dialogue instead of in separate rooms:

- four competing claims on the strategic decision, in two columns (privacy and security of communications;
  protection of children), one of them held by the affected group of defenders inside Myanmar through its proxy,
  and the decision, still being prepared, says how it weighed two of them;
- an exercise of fourteen statements with 60 participants (the engagement's five, and 55 people of a workshop
  known only by their voting link), two participants' own statements (one accepted, one about the question
  itself), and one awaiting moderation. Votes are drawn, seeded, from two camps of opinion that agree on in-chat
  reporting, transparency and independent review, and split on scanning;
- its analysis (two opinion groups, common ground, the divisive statements) and three findings turned into
  inputs: one adopted, one under consideration, one not yet decided.

Everything goes through the consensus app's own actions, as the human rights lead (Amina); decisions on the
inputs by the product lead, to whom they are routed.
"""

from __future__ import annotations

import datetime
import random

from rightsloop.accounts.roles import Function
from rightsloop.accounts.viewer import Viewer
from rightsloop.consensus import analysis
from rightsloop.consensus.actions import analysis as analysis_actions
from rightsloop.consensus.actions import claims as claim_actions
from rightsloop.consensus.actions import exercises as exercise_actions
from rightsloop.consensus.actions import results as result_actions
from rightsloop.consensus.actions import votes as vote_actions
from rightsloop.consensus.models import Exercise
from rightsloop.consensus.vocabulary import Moderation, ResultKind, RunState, VoteChannel
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.actions.decisions import record_decision
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.vocabulary import Outcome
from rightsloop.risks import actions as risk_actions
from rightsloop.risks.models import Risk
from rightsloop.risks.vocabulary import DecisionCategory
from rightsloop.stakeholders.models import AffectedGroup, Stakeholder

from . import content

TITLE = "Client-side scanning in Kestrel Chat: joint dialogue on child safety and privacy"
DECISION_TITLE = "Whether Kestrel Chat scans images on the phone for known child sexual abuse material"
QUESTION = "What should Kestrel Chat do about known child sexual abuse images in encrypted chats?"
PRIVACY = "Privacy and security of communications"
CHILD_SAFETY = "Protection of children from sexual abuse"
# Who takes part by name: the engagement's participants (keys of demo/content.py's stakeholders).
PARTICIPANTS = ("ligtas", "observatoire", "katrin", "lanthit", "aicha")
LINK_ONLY = 55
SEED = 2050

# Each seed statement with how likely each camp is to agree (the rest disagree or pass): camp 0 leans to child
# safety, camp 1 to privacy. What both camps agree on is the common ground the analysis should find.
STATEMENTS: tuple[tuple[str, float, float], ...] = (
    ("Children should be able to report abuse to Kestrel from inside a chat with one tap.", 0.95, 0.9),
    ("Kestrel should publish every year how many abuse reports it receives and what it did with them.", 0.9, 0.9),
    ("Any new safety feature should be reviewed by independent experts before it is launched.", 0.8, 0.95),
    ("Kestrel should never hand message content to a government without a court order.", 0.7, 0.97),
    ("Kestrel should scan images on the phone against lists of known abuse material before they are sent.",
     0.9, 0.05),
    ("End-to-end encryption must never be weakened, even to find abuse.", 0.15, 0.95),
    ("A system that only matches known images cannot be turned to other uses.", 0.75, 0.05),
    ("Scanning on the phone is acceptable if a person checks every match before anything is reported.", 0.85, 0.15),
    ("Kestrel knowingly lets abusers use its service if it refuses to detect known images.", 0.85, 0.1),
    ("Journalists and activists would stop using Kestrel Chat if it scanned their messages.", 0.3, 0.95),
    ("Some governments would force Kestrel to scan for political content once a scanner exists.", 0.35, 0.95),
    ("Kestrel should read every message with artificial intelligence to find grooming.", 0.1, 0.02),
    ("Nothing needs to change: today's reporting tools are enough.", 0.05, 0.25),
    ("Kestrel should fund hotlines that help children in the countries where it operates.", 0.9, 0.8),
)
OWN_STATEMENTS = (
    ("Parents should be able to see who their young children chat with, with the child told.", Moderation.ACCEPTED),
    ("The question assumes scanning is the only option; say so at the start.", Moderation.META),
    ("Abuse reports should go to the hotline of the child's own country, not only to a US centre.", None),
)
# The findings turned into inputs, and what the product lead decided (None: not decided yet).
ADOPTED_TEXT = ("One-tap reporting from inside a chat ships in the next release, in every language of the app, "
                "with the report reaching our trust and safety team and, where the child agrees, the national "
                "hotline.")
CONSIDERING_TEXT = ("The board takes up scanning on the phone after the independent review of the proposal; "
                    "the review's terms of reference will be shared with both sides first.")


def _days(today: datetime.date, offset: int) -> datetime.date:
    return today + datetime.timedelta(days=offset)


def _engagement(*, hr_lead: Viewer, stakeholders: dict[str, Stakeholder], today: datetime.date) -> tuple:
    plan = engagement_actions.EngagementPlan(
        title=TITLE, type="workshop", phases=["identify", "act"], starts_on=_days(today, -12),
        ends_on=_days(today, -12), location="Online, end-to-end encrypted video call, with a voting link per person",
        purpose="Hear child safety and privacy advocates together on detecting known abuse images in Kestrel "
                "Chat, find what both sides can accept, and say how the decision weighed each claim.",
        attending_functions=[Function.PRODUCT, Function.LEGAL], owner=hr_lead.user)
    engagement = engagement_actions.create_engagement(plan=plan, by=hr_lead)
    participations = {}
    for key in PARTICIPANTS:
        stakeholder = stakeholders[key]
        participations[key] = engagement_actions.add_participant(engagement=engagement, stakeholder=stakeholder,
                                                                 by=hr_lead)
    return engagement, participations


def _decision(*, hr_lead: Viewer, engagement: Engagement, organisation):
    risks = list(Risk.objects.for_organisation(organisation).filter(
        title__in=["Government demands for user data and interception in high-risk markets",
                   "Age estimation from face scans creates biometric data about children"]))
    return risk_actions.create_strategic_decision(plan=risk_actions.DecisionPlan(
        title=DECISION_TITLE, category=DecisionCategory.PRODUCT_DESIGN,
        description="Child safety organisations ask us to match images against lists of known abuse material on "
                    "the phone, before encryption. Privacy groups ask us not to build a scanner at all.",
        risk_picture="Known abuse images are shared in encrypted chats we cannot see; a scanner on every phone "
                     "could be extended, by law or by force, to political content in the markets where "
                     "governments already demand our users' data.",
        risks=risks, engagements=[engagement]), by=hr_lead)


def _claims(*, hr_lead: Viewer, engagement: Engagement, participations: dict, decision, proxy_group) -> list:
    plan = claim_actions.ClaimPlan
    recorded = [
        claim_actions.record_claim(engagement=engagement, by=hr_lead, plan=plan(
            side=CHILD_SAFETY, decision=decision, holder=participations["ligtas"],
            rights=["child_rights", "freedom_from_torture"],
            statement="Children in the Philippines are abused on livestreams and the images are passed on in "
                      "encrypted chats. A company that could detect known images and chooses not to keeps "
                      "hosting the abuse.",
            evidence="Referrals to the national hotline last year: most cases began or continued on messaging "
                     "apps; known images recur for years after the abuse.",
            would_accept="Matching of known images only, on the phone, with a person reviewing every match "
                         "before any report, and nothing else scanned.")),
        claim_actions.record_claim(engagement=engagement, by=hr_lead, plan=plan(
            side=PRIVACY, decision=decision, holder=participations["observatoire"],
            rights=["privacy", "freedom_of_expression", "freedom_of_assembly"],
            statement="A scanner on every phone ends the promise of end-to-end encryption. The same mechanism "
                      "can match any list of images, and governments in our region already demand message "
                      "content.",
            evidence="Demands received by platforms in Central Africa for the content of opposition members' "
                     "messages; laws that allow interception without a court.",
            would_accept="Reporting that users start themselves, hotlines funded, and no scanning of what people "
                         "send.")),
        claim_actions.record_claim(engagement=engagement, by=hr_lead, plan=plan(
            side=PRIVACY, decision=decision, holder=participations["katrin"],
            rights=["privacy", "fair_trial"],
            statement="Perceptual hashes can be made to collide: innocent images can be crafted to match, and "
                      "people reported for what they never sent.",
            evidence="Published collision attacks on perceptual hash functions used for image matching.",
            would_accept="An independent security review before any design is chosen, published in full.")),
    ]
    if proxy_group is not None and "lanthit" in participations:
        recorded.append(claim_actions.record_claim(engagement=engagement, by=hr_lead, plan=plan(
            side=PRIVACY, decision=decision, holder_group=proxy_group,
            rights=["life", "security_of_person", "freedom_of_expression"],
            statement="Anything that inspects our phones will be used to find us. Defenders would leave Kestrel "
                      "Chat for tools that cannot be searched.",
            would_accept="No scanning on the phone in any market.")))
    return recorded


def _votes(*, exercise: Exercise, participants: list, statements: list) -> None:
    rng = random.Random(SEED)  # noqa: S311 - demo votes, drawn the same way every time
    for index, participant in enumerate(participants):
        camp = 0 if index % 20 < 11 else 1
        for statement, (_text, *agree) in zip(statements, STATEMENTS, strict=True):
            if rng.random() < 0.12:
                continue  # not every statement reaches every participant
            draw = rng.random()
            value = 1 if draw < agree[camp] else (0 if draw < agree[camp] + 0.08 else -1)
            vote_actions.cast_vote(participant=participant, statement=statement, value=value,
                                   channel=VoteChannel.LINK)


def load_consensus(*, viewers: dict[str, Viewer], stakeholders: dict[str, Stakeholder],
                   today: datetime.date) -> Exercise:
    hr_lead, product = viewers[content.HR_LEAD], viewers[content.PRODUCT_LEAD]
    engagement, participations = _engagement(hr_lead=hr_lead, stakeholders=stakeholders, today=today)
    decision = _decision(hr_lead=hr_lead, engagement=engagement, organisation=hr_lead.organisation)
    proxy_group = AffectedGroup.objects.for_organisation(hr_lead.organisation).filter(
        name=content.DEFENDERS_GROUP).first()
    claims = _claims(hr_lead=hr_lead, engagement=engagement, participations=participations, decision=decision,
                     proxy_group=proxy_group)
    claim_actions.weigh_claim(decision=decision, claim=claims[0], by=hr_lead, how_weighed=(
        "Taken seriously: known images recur for years. Both sides accept one-tap reporting and funded hotlines, "
        "which we adopt now; matching on the phone waits for the independent review."))
    claim_actions.weigh_claim(decision=decision, claim=claims[1], by=hr_lead, how_weighed=(
        "Weighed against scanning now: three of our markets already demand message content without a court "
        "order, and a scanner could not be withheld from them by policy alone."))

    exercise = exercise_actions.create_exercise(
        engagement=engagement, question=QUESTION, decision=decision, language="en", by=hr_lead,
        description="Vote on each statement: agree, disagree or pass. Add your own if something is missing. "
                    "Nobody else sees how you voted.")
    statements = [exercise_actions.add_statement(exercise=exercise, text=text, by=hr_lead)
                  for text, _camp0, _camp1 in STATEMENTS]
    exercise_actions.open_exercise(exercise=exercise, by=hr_lead)
    exercise_actions.invite_participants(exercise=exercise, participations=participations.values(), by=hr_lead)
    exercise_actions.add_link_participants(exercise=exercise, count=LINK_ONLY, by=hr_lead)
    participants = list(exercise.participants.order_by("number"))
    _votes(exercise=exercise, participants=participants, statements=statements)
    for author, (text, moderation) in zip(participants[7:10], OWN_STATEMENTS, strict=True):
        written = vote_actions.submit_statement(participant=author, text=text)
        if moderation is not None:
            exercise_actions.moderate_statement(statement=written, moderation=moderation, by=hr_lead)

    # The analysis runs at once here rather than after the debounce: the demo shows its result on first sight.
    run = analysis_actions.request_analysis(exercise=exercise, by=hr_lead)
    run = analysis.run_analysis(run=run)
    if run.state != RunState.DONE:
        raise RuntimeError(f"the demo exercise's analysis did not finish: {run.state} {run.message}")
    found = run.results
    agreed = [item["statement"] for item in found["consensus"]["agree"]]
    divisive = [item["statement"] for item in found["divisive"]]
    picks = [result_actions.Pick(statement=number, kind=ResultKind.CONSENSUS_AGREE) for number in agreed[:2]]
    picks += [result_actions.Pick(statement=number, kind=ResultKind.DIVISIVE) for number in divisive[:1]]
    turned = result_actions.results_to_inputs(run=run, picks=picks, by=hr_lead, owning_function=Function.PRODUCT)
    record_decision(input=turned[0].input, outcome=Outcome.ADOPTED, rationale=ADOPTED_TEXT, by=product,
                    next_step="One-tap reporting released", next_step_due=_days(today, 45))
    if len(turned) > 2:
        record_decision(input=turned[2].input, outcome=Outcome.UNDER_CONSIDERATION, rationale=CONSIDERING_TEXT,
                        next_step="Independent review published", next_step_due=_days(today, 90), by=product)
    return exercise
