"""The demo's grievance mechanism (issue 14): fourteen cases in every stage, told in the words people used.

Called by the demo loader once members, stakeholders, affected groups, risks and engagements exist:
    load_grievances(organisation=organisation, viewers=builder.viewers, stakeholders=builder.stakeholders,
                    today=today)
and emptied by delete_demo before the stakeholders and engagements the cases point at (delete_grievances).

Everything goes through the grievance actions, as the public page, the portal, the hotline, the handlers and
the people themselves would: intake (web, hotline, letter, email, in person, an NGO, the portal), the handlers'
moves, messages and questions, remedy plans with actions, proposals and decisions, the person's agreement,
confirmations and a dispute, an outcome, satisfaction, an appeal, a link to the risk register, the
mechanism's settings and its UNGP 31 self-assessment; the daily deadline round then reminds and escalates.

Actions write the time they run. Like the demo's other histories (ratings.py), each step is then moved to
the day it is told on: every timestamp a step wrote is re-dated to that day, keeping the order within it, so
the timeline, the deadlines and the self-check's figures read as weeks of work. The due dates promised to
each person come from the day their case was received (submit_grievance and appeal take that time).

One anonymous case is followed with its receipt. A receipt is stored only as a hash; this case was submitted
with an idempotency key derived from the organisation's own blind-index key, so submitting it again (what a
double-clicked form does) gives back the same receipt and no new case: followed_case_receipt() does that on
every run of load_demo, which prints it like the portal link.
"""

from __future__ import annotations

import bisect
import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import Organisation
from rightsloop.core.sealing import blind_index
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.vocabulary import Outcome
from rightsloop.grievances.actions import assessments, cases, follow_up, links, remedy, remedy_answer
from rightsloop.grievances.actions import deadlines as deadline_actions
from rightsloop.grievances.actions import settings as mechanism_settings
from rightsloop.grievances.actions.intake import GrievanceReport, submission_digest, submit_grievance
from rightsloop.grievances.actions.portal import raise_from_portal
from rightsloop.grievances.models import (
    ActionConfirmation,
    Appeal,
    CaseAttachment,
    CaseMessage,
    Grievance,
    HandlerExclusion,
    RemedyAction,
    RemedyPlan,
    StageChange,
)
from rightsloop.grievances.vocabulary import (
    Assessment,
    Channel,
    ConfirmationAnswer,
    Criterion,
    MessageVia,
    Mode,
    RaisedBy,
    RemedyType,
    Satisfaction,
    Stage,
)
from rightsloop.risks.models import Risk
from rightsloop.stakeholders.models import AffectedGroup, Stakeholder
from rightsloop.stakeholders.vocabulary import AtRisk

from . import content

PRODUCTS = ["Kestrel Chat", "KestrelPay", "KestrelPay Crédito", "Kestrel Cloud Vision"]
ACKNOWLEDGE_DAYS = 7
RESPOND_DAYS = 60  # the demo company promises an answer sooner than the default 90 days
ESCALATE_AFTER_DAYS = 7
# Engagements held on the mechanism itself (UNGP 31 "based on engagement and dialogue").
MECHANISM_ENGAGEMENTS = ("Human Rights Advisory Council: accessibility and AI features",
                         "Mobile money fraud: complaint handling review")
# What the idempotency key of the case followed by receipt is derived from (with the organisation's key).
FOLLOWED_KEY_PURPOSE = "demo|grievance followed by receipt"
STAFF_CONCERN_RISK = "Face matching sold to customers who watch protesters"

ASSESSMENTS = (
    (Criterion.LEGITIMATE, Assessment.PARTLY,
     "Cases are handled by the human rights team, away from the product teams, and a handler named in a case is "
     "kept out of it. Nobody outside the company oversees the mechanism yet; the advisory council will be asked "
     "to review a sample of closed cases each year."),
    (Criterion.ACCESSIBLE, Assessment.MEETS,
     "The public page works without JavaScript on a cheap phone, in six languages; the hotline, letters and "
     "NGOs bring the rest, and proxies file for their communities through the portal. Cases came in five "
     "languages this quarter."),
    (Criterion.PREDICTABLE, Assessment.PARTLY,
     "Deadlines are on the page and every stage says what comes next and by when. Two cases are overdue and "
     "escalated this quarter, one of them a safety case: see the figures."),
    (Criterion.ENGAGEMENT, Assessment.NOT_YET,
     "The traders' association and the advisory council commented on the intake page; affected users have not "
     "yet been asked how the mechanism works for them."),
)


# Steps told on their own day --------------------------------------------------------------------------------

@dataclass
class _Story:
    """The steps of the demo's cases, each run now and re-dated afterwards to the day it is told on."""

    today: datetime.date
    starts: list[datetime.datetime] = field(default_factory=list)
    ends: list[datetime.datetime] = field(default_factory=list)
    whens: list[datetime.datetime] = field(default_factory=list)

    def day(self, days_ago: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
        moment = datetime.datetime.combine(self.today - datetime.timedelta(days=days_ago), datetime.time(hour, minute))
        return timezone.make_aware(moment)

    @contextmanager
    def on(self, days_ago: int, hour: int = 10, minute: int = 0):
        """Run a step now; what it writes is dated `days_ago` days before today at hour:minute."""
        when = self.day(days_ago, hour, minute)
        start = timezone.now()
        yield when
        self.starts.append(start)
        self.ends.append(timezone.now())
        self.whens.append(when)

    def redated(self, value: datetime.datetime | None) -> datetime.datetime | None:
        if value is None:
            return None
        step = bisect.bisect_right(self.starts, value) - 1
        if step < 0 or value > self.ends[step]:
            return value  # written with its own time (a case received, an appeal filed) or by no step
        return self.whens[step] + (value - self.starts[step])

    def apply(self, organisation: Organisation) -> None:
        """Re-date every timestamp the steps wrote on the organisation's cases and remedy plans."""
        for queryset, names in (
            (Grievance.objects.filter(organisation=organisation),
             ("received_at", "stage_changed_at", "acknowledged_at", "responded_at", "closed_at", "satisfaction_at",
              "rights_reviewed_at", "escalated_at")),
            (StageChange.objects.filter(grievance__organisation=organisation), ("at",)),
            (CaseMessage.objects.filter(grievance__organisation=organisation), ("created_at", "seen_at")),
            (HandlerExclusion.objects.filter(grievance__organisation=organisation), ("at",)),
            (Appeal.objects.filter(grievance__organisation=organisation), ("filed_at",)),
            (ActionConfirmation.objects.filter(grievance__organisation=organisation), ("at",)),
            (RemedyPlan.objects.filter(organisation=organisation), ("created_at",)),
            (RemedyAction.objects.filter(plan__organisation=organisation),
             ("created_at", "delivered_at", "confirmed_at", "disputed_at")),
        ):
            for pk, *values in queryset.values_list("pk", *names):
                changed = {name: self.redated(value) for name, value in zip(names, values, strict=True)
                           if value is not None and self.redated(value) != value}
                if changed:
                    queryset.model.objects.filter(pk=pk).update(**changed)


# The cases ----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Told:
    """What a person told us, as the page, the portal or a member recording it hands it to the intake."""

    description: str
    mode: str = Mode.ANONYMOUS
    raised_by: str = RaisedBy.AFFECTED
    country: str = ""
    product: str = ""
    when_text: str = ""
    affected_people: str = ""
    wanted_outcome: str = ""
    complainant_name: str = ""
    complainant_contact: str = ""
    represents: str = ""
    at_risk: tuple[str, ...] = ()
    supported_by_adviser: bool = False
    interface_language: str = ""

    def report(self) -> GrievanceReport:
        return GrievanceReport(
            mode=self.mode, raised_by=self.raised_by, description=self.description, country=self.country,
            product=self.product, when_text=self.when_text, affected_people=self.affected_people,
            wanted_outcome=self.wanted_outcome, complainant_name=self.complainant_name,
            complainant_contact=self.complainant_contact, represents=self.represents, at_risk=list(self.at_risk),
            supported_by_adviser=self.supported_by_adviser, interface_language=self.interface_language)


# The anonymous case followed by receipt: its report is sent again on every run, and must not change.
FOLLOWED = _Told(
    description="Escribí al chat de soporte de KestrelPay por un cobro repetido y, como me pidieron, mandé una foto "
                "de mi credencial para votar. Dos días después una desconocida me escribió por Kestrel Chat con "
                "esa misma foto y con mi saldo, pidiéndome dinero para «no publicarla». Nunca se la mandé a nadie "
                "más que al soporte.",
    country="MX", product="KestrelPay", when_text="hace unas seis semanas",
    affected_people="Yo, y quizá otras personas que mandaron su identificación al soporte.",
    wanted_outcome="Saber quién vio mi identificación, que la borren de donde esté y que el soporte no vuelva a "
                   "pedirla por chat.",
    at_risk=(AtRisk.WOMEN_AND_GIRLS,), interface_language="es")


def followed_submission_key(organisation: Organisation) -> str:
    """The idempotency key the followed case was submitted with: only the organisation's key derives it."""
    return "demo-" + blind_index(organisation.pk, FOLLOWED_KEY_PURPOSE)


class _Builder:
    def __init__(self, organisation: Organisation, viewers: dict[str, Viewer],
                 stakeholders: dict[str, Stakeholder], today: datetime.date):
        self.organisation = organisation
        self.stakeholders = stakeholders
        self.amina = viewers[content.HR_LEAD]
        self.lucia = viewers[content.GRIEVANCE_OFFICER]
        self.priya = viewers[content.PRODUCT_LEAD]
        self.story = _Story(today)
        self.today = today
        self.cases: dict[str, Grievance] = {}
        self.followed_receipt = ""

    # Steps, each on its day.

    def receive(self, key: str, told: _Told, *, days_ago: int, hour: int = 9, channel: str = Channel.WEB,
                by: Viewer | None = None, submission_key: str = "", **links_) -> Grievance:
        with self.story.on(days_ago, hour) as when:
            submitted = submit_grievance(organisation=self.organisation, report=told.report(), channel=channel,
                                         submission_key=submission_key, by=by, now=when, **links_)
        self.cases[key] = submitted.grievance
        if submission_key:
            self.followed_receipt = submitted.receipt
        return submitted.grievance

    def acknowledge(self, case: Grievance, days_ago: int, by: Viewer, note: str = "") -> None:
        with self.story.on(days_ago, 11):
            cases.acknowledge(grievance=case, note=note, by=by)

    def move(self, case: Grievance, to: str, days_ago: int, by: Viewer, note: str = "", reasons: str = "") -> None:
        with self.story.on(days_ago, 15):
            cases.move_stage(grievance=case, to=to, note=note, reasons=reasons, by=by)

    def write(self, case: Grievance, text: str, days_ago: int, by: Viewer, *, question: bool = False) -> None:
        with self.story.on(days_ago, 16):
            cases.send_message(grievance=case, text=text, is_question=question, by=by)

    def answer(self, case: Grievance, text: str, days_ago: int, *, via: str = MessageVia.FOLLOW_UP,
               by: Viewer | None = None) -> None:
        """The person's own message: on the follow-up page (having read ours), or relayed by a handler."""
        with self.story.on(days_ago, 19) as when:
            if by is None:
                follow_up.mark_seen(case, now=when)
                follow_up.reply(grievance=case, text=text, via=via)
            else:
                cases.record_message_from_complainant(grievance=case, text=text, via=via, by=by)

    def plan(self, case: Grievance, title: str, days_ago: int, by: Viewer,
             actions: list[tuple[str, str, Viewer, int]]) -> list[RemedyAction]:
        """A remedy plan for the case with its actions: (type, description, owner, due in days from today)."""
        with self.story.on(days_ago, 12):
            made = remedy.create_plan(grievances=[case], title=title, by=by)
            return [remedy.add_action(plan=made, remedy_type=kind, description=text, owner=owner.user,
                                      due_on=self.today + datetime.timedelta(days=due_in), by=by)
                    for kind, text, owner, due_in in actions]

    def deliver(self, action: RemedyAction, days_ago: int, by: Viewer) -> None:
        with self.story.on(days_ago, 14):
            remedy.mark_delivered(action=action, by=by)

    def confirm(self, case: Grievance, action: RemedyAction, answer: str, days_ago: int, *, note: str = "",
                via: str = MessageVia.FOLLOW_UP, by: Viewer | None = None) -> None:
        case.refresh_from_db()  # a dispute re-opens the case by the stage it is at, as a page would read it
        with self.story.on(days_ago, 18):
            remedy.confirm_or_dispute(action=action, grievance=case, answer=answer, note=note, via=via, by=by)

    def agree(self, case: Grievance, days_ago: int, *, note: str = "", via: str = MessageVia.FOLLOW_UP,
              by: Viewer | None = None) -> None:
        with self.story.on(days_ago, 20):
            remedy_answer.answer_proposed_remedy(grievance=case, agree=True, note=note, via=via, by=by)

    def close(self, case: Grievance, outcome: str, days_ago: int, by: Viewer, note: str = "") -> None:
        with self.story.on(days_ago, 16):
            cases.record_outcome(grievance=case, summary=outcome, by=by)
            cases.review_rights(grievance=case, by=by)
            cases.move_stage(grievance=case, to=Stage.CLOSED, note=note, by=by)

    def to_investigating(self, case: Grievance, days: tuple[int, int, int], by: Viewer,
                         notes: tuple[str, str, str] = ("", "", "")) -> None:
        """Acknowledged, assessed, investigated: three handler moves on their days."""
        self.acknowledge(case, days[0], by, notes[0])
        self.move(case, Stage.ASSESSING, days[1], by, notes[1])
        self.move(case, Stage.INVESTIGATING, days[2], by, notes[2])

    # The mechanism.

    def configure(self) -> None:
        engagements = list(Engagement.objects.for_organisation(self.organisation)
                           .filter(title__in=MECHANISM_ENGAGEMENTS))
        mechanism_settings.update_settings(
            organisation=self.organisation, intake_open=True, acknowledge_days=ACKNOWLEDGE_DAYS,
            respond_days=RESPOND_DAYS, escalate_after_days=ESCALATE_AFTER_DAYS, products=PRODUCTS,
            mechanism_engagements=engagements, by=self.amina)
        for criterion, assessment, notes in ASSESSMENTS:
            assessments.assess(organisation=self.organisation, criterion=criterion, assessment=assessment,
                               notes=notes, by=self.amina)

    def build(self) -> None:
        self.configure()
        # Oldest first, so the case numbers follow the order the cases came in.
        self.disputed()  # received 150 days ago
        self.closed_with_satisfaction()  # 120
        self.appealed()  # 100
        self.assessing_overdue()  # 64
        self.remedy_agreed()  # 50
        self.investigating_with_a_question()  # 40, in the morning
        self.remedy_proposed()  # 40, in the afternoon
        self.followed_by_receipt()  # 35
        self.not_admissible()  # 30
        self.received_overdue()  # 20
        self.assessing_from_the_portal()  # 16
        self.staff_concern()  # 15
        self.acknowledged()  # 6
        self.received()  # 2
        self.story.apply(self.organisation)

    # Closed, the remedy confirmed and the person satisfied (email, named, a stakeholder of the register).
    def closed_with_satisfaction(self) -> None:
        amina = self.amina
        case = self.receive("closed", _Told(
            description="With TalkBack on, the KestrelPay PIN screen closes after 20 seconds, before the screen "
                        "reader has read out the keypad. Three payments failed at the pharmacy this month, and in "
                        "the end the cashier typed my PIN for me, so a stranger now knows it.",
            mode=Mode.NAMED, country="KE", product="KestrelPay", when_text="All of last month",
            wanted_outcome="Give screen reader users enough time, and let me change my PIN without help.",
            at_risk=(AtRisk.DISABILITY,), interface_language="en",
        ), days_ago=120, channel=Channel.EMAIL, by=amina, stakeholder=self.stakeholders["otieno"])
        self.to_investigating(case, (118, 116, 110), amina, (
            "We have your email and will look into the PIN screen with the payments team.", "", ""))
        self.write(case, "Would you test a version of the app that keeps the PIN screen open while TalkBack is "
                         "running? We can send it to your phone as a test build.", 100, amina, question=True)
        self.answer(case, "Yes, send it. I use a Tecno Spark 8 with Android 11.", 99, via=MessageVia.STAFF, by=amina)
        (fixed,) = self.plan(case, "PIN screen timing for screen reader users", 90, amina, [
            (RemedyType.CHANGE, "Keep the PIN screen open for as long as a screen reader is active, announce the time "
                                "left, and let a PIN be changed without sighted help.", self.priya, 30)])
        self.move(case, Stage.REMEDY_PROPOSED, 90, amina, "We propose the change to the app described below.")
        self.agree(case, 88, note="Agreed, if I can test it before it goes to everyone.", via=MessageVia.STAFF,
                   by=amina)
        self.move(case, Stage.REMEDY_DELIVERING, 80, amina, "The test build is on its way to your phone.")
        self.deliver(fixed, 40, amina)
        self.confirm(case, fixed, ConfirmationAnswer.CONFIRMED, 35, note="Works with TalkBack. I changed my PIN.",
                     via=MessageVia.PORTAL)
        self.close(case, "The PIN screen now stays open while a screen reader is running (release 7.12), and you "
                         "changed your PIN yourself. We apologised for the three failed payments and refunded the "
                         "pharmacy's card fees.", 25, amina, "Closed with the outcome below.")
        with self.story.on(18, 20):
            follow_up.give_satisfaction(grievance=case, satisfaction=Satisfaction.SATISFIED, via=MessageVia.PORTAL,
                                        note="It works now. Thank you for letting me test it first.")

    # An action delivered, then disputed: the closed case is open again (in person, a stakeholder, Spanish).
    def disputed(self) -> None:
        amina = self.amina
        case = self.receive("disputed", _Told(
            description="Don Jhon Fredy contó que su cuenta de comercio en KestrelPay quedó bloqueada tres semanas "
                        "porque su apellido «coincidía» con una lista de sanciones. En ese tiempo no pudo cobrarle a "
                        "los clientes de la tienda ni recibir el pago del pescado. Calcula que perdió unos 2.400.000 "
                        "pesos en ventas.",
            mode=Mode.NAMED, country="CO", product="KestrelPay", when_text="Enero, unas tres semanas",
            wanted_outcome="Que le paguen lo que perdió y que no le vuelva a pasar.",
            at_risk=(AtRisk.ETHNIC_MINORITY, AtRisk.LOW_INCOME), interface_language="es",
        ), days_ago=150, channel=Channel.IN_PERSON, by=amina, stakeholder=self.stakeholders["jhon"])
        self.to_investigating(case, (148, 146, 140), amina, (
            "Recibimos su queja en Buenaventura. La estamos revisando.", "", ""))
        pay, unblock = self.plan(case, "Shop account blocked by a sanctions-list false match (Buenaventura)", 120,
                                 amina, [
            (RemedyType.COMPENSATION, "Pay COP 2,400,000 for the sales lost while the account was blocked.", amina, 20),
            (RemedyType.NON_REPETITION, "Record that the account was checked by a person, so the same false match "
                                        "never blocks it again.", self.priya, 20)])
        self.move(case, Stage.REMEDY_PROPOSED, 120, amina, "Le proponemos lo que sigue: pago de lo perdido y que la "
                                                           "cuenta no vuelva a bloquearse por el mismo motivo.")
        self.agree(case, 118, note="Está de acuerdo (lo dijo por teléfono).", via=MessageVia.STAFF, by=amina)
        self.move(case, Stage.REMEDY_DELIVERING, 115, amina)
        self.deliver(pay, 100, amina)
        self.deliver(unblock, 100, amina)
        self.confirm(case, unblock, ConfirmationAnswer.CONFIRMED, 95, via=MessageVia.STAFF, by=amina)
        self.close(case, "KestrelPay paid COP 2,400,000 for the lost sales and marked the account as checked by a "
                         "person.", 90, amina)
        self.confirm(case, pay, ConfirmationAnswer.DISPUTED, 12, via=MessageVia.STAFF, by=amina,
                     note="Solo llegaron 1.200.000 pesos, la mitad de lo acordado.")

    # Closed, not satisfied, appealed: open again for another handler (web, confidential, French).
    def appealed(self) -> None:
        amina, lucia = self.amina, self.lucia
        case = self.receive("appealed", _Told(
            description="J'envoie de l'argent à ma famille à Bukavu chaque mois avec KestrelPay. Les frais ne "
                        "s'affichent qu'après avoir tapé mon code, et en mars j'ai payé deux fois des frais pour un "
                        "seul envoi. Le service client ne m'en a remboursé qu'un.",
            mode=Mode.CONFIDENTIAL, country="UG", product="KestrelPay", when_text="en mars",
            complainant_name="Espérance M.",
            complainant_contact="Par l'Association des réfugiés congolais de Kampala, qui me transmet les messages.",
            wanted_outcome="Être remboursée des deuxièmes frais, et voir les frais avant de taper mon code.",
            at_risk=(AtRisk.MIGRANT_OR_REFUGEE, AtRisk.WOMEN_AND_GIRLS), supported_by_adviser=True,
            interface_language="fr",
        ), days_ago=100)
        self.to_investigating(case, (97, 95, 90), amina)
        self.close(case, "We checked the transfer: the second charge was a currency conversion fee, which the terms "
                         "allow. The first fee was refunded; the second will not be.", 45, amina)
        with self.story.on(40, 21):
            follow_up.give_satisfaction(grievance=case, satisfaction=Satisfaction.NOT_SATISFIED,
                                        via=MessageVia.FOLLOW_UP, note="On ne m'a jamais montré ces frais.")
        with self.story.on(10, 20) as when:
            follow_up.appeal(grievance=case, via=MessageVia.FOLLOW_UP, now=when, reason=(
                "Les deuxièmes frais ne m'ont jamais été montrés avant que je tape mon code. Je n'ai pas pu les "
                "refuser."))
        with self.story.on(8, 10):
            cases.assign_handler(grievance=case, handler=lucia.user, by=lucia)
        self.write(case, "Je reprends votre dossier après votre appel. Je n'ai pas traité la première décision. Je "
                         "vérifie ce que l'application affichait en mars avant le code.", 7, lucia)

    # Remedy agreed on the follow-up page; one action already late (web, confidential, Spanish).
    def remedy_agreed(self) -> None:
        amina = self.amina
        case = self.receive("agreed", _Told(
            description="Me negaron un crédito de KestrelPay Crédito y luego supe por una vecina que a todas las de "
                        "nuestro barrio en Buenaventura nos pasa lo mismo, aunque pagamos a tiempo. Cuando pregunté, "
                        "me dijeron que «el modelo considera la zona». Tengo una tienda y necesitaba el préstamo "
                        "para surtirla antes de diciembre.",
            mode=Mode.CONFIDENTIAL, country="CO", product="KestrelPay Crédito",
            complainant_name="Yuliana Caicedo", complainant_contact="yuliana.caicedo@example.org",
            wanted_outcome="Que revisen mi solicitud sin tener en cuenta el barrio y que dejen de usar la zona para "
                           "decidir.",
            at_risk=(AtRisk.ETHNIC_MINORITY, AtRisk.WOMEN_AND_GIRLS), interface_language="es",
        ), days_ago=50)
        self.to_investigating(case, (47, 45, 40), amina)
        review, _rule = self.plan(case, "Credit decisions that weighed the neighbourhood (Buenaventura)", 25, amina, [
            (RemedyType.RESTITUTION, "Review the application again by hand, without the neighbourhood, and give the "
                                     "answer in writing.", amina, 10),
            (RemedyType.NON_REPETITION, "Remove the neighbourhood from the scoring model in Colombia and publish the "
                                        "effect on approvals by area.", self.priya, 60)])
        self.move(case, Stage.REMEDY_PROPOSED, 25, amina, "Le proponemos la reparación que verá abajo. Díganos si le "
                                                          "parece bien.")
        self.agree(case, 22, note="De acuerdo. Avísenme por aquí cuando tengan la respuesta.")
        # Promised ten days after it was agreed: five days late now (the case page and the reminders say so).
        RemedyAction.objects.filter(pk=review.pk).update(due_on=self.today - datetime.timedelta(days=5))

    # Not admissible, with the reasons and where else to go (web, anonymous, English).
    def not_admissible(self) -> None:
        lucia = self.lucia
        case = self.receive("not_admissible", _Told(
            description="A loan app called HarakaCash sends messages to everyone in my phone contacts saying I am a "
                        "thief because I am two days late. I installed it from a link shared in a Kestrel Chat "
                        "group. My employer has now seen the messages.",
            country="KE", product="Kestrel Chat", wanted_outcome="Make them stop.", interface_language="en",
        ), days_ago=30)
        self.acknowledge(case, 28, lucia)
        self.move(case, Stage.ASSESSING, 27, lucia)
        self.move(case, Stage.NOT_ADMISSIBLE, 25, lucia, reasons=(
            "HarakaCash is not a Kestrel product and we have no business with it, so this mechanism cannot deal with "
            "the messages it sends. You can complain to the Office of the Data Protection Commissioner, which acts "
            "against lenders who write to the people in a borrower's phone book, and to the Central Bank of Kenya's "
            "digital credit desk. We have passed the link to the Kestrel Chat safety team, who check the groups "
            "that spread it."))

    # Anonymous, followed with its receipt: a question answered, a remedy agreed, being delivered (Spanish).
    def followed_by_receipt(self) -> None:
        amina = self.amina
        case = self.receive("followed", FOLLOWED, days_ago=35, hour=22,
                            submission_key=followed_submission_key(self.organisation))
        self.acknowledge(case, 33, amina, "Leímos su queja. Una persona del equipo de derechos humanos la lleva.")
        self.move(case, Stage.ASSESSING, 32, amina)
        self.move(case, Stage.INVESTIGATING, 30, amina, "Buscamos la conversación de soporte y quién pudo verla.")
        self.write(case, "Gracias. Para encontrar la conversación de soporte, ¿nos dice el día aproximado en que "
                         "escribió y los últimos cuatro dígitos de su cuenta? No nos mande la foto otra vez.", 29,
                   amina, question=True)
        self.answer(case, "Fue un martes a principios del mes pasado, en la tarde. Los últimos dígitos son 4471.", 27)
        apology, delete, _rule = self.plan(case, "Identity photo passed on from a support chat", 15, amina, [
            (RemedyType.APOLOGY, "A written apology from the head of KestrelPay support, on this page.", amina, 10),
            (RemedyType.RESTITUTION, "Delete the photo from the support system and from the contractor's systems, "
                                     "and tell you when it is done.", amina, 10),
            (RemedyType.NON_REPETITION, "Support agents can no longer ask for or open identity documents in the "
                                        "chat; identity checks go through the app's own verification only.",
             self.priya, 45)])
        self.write(case, "Encontramos la causa: un agente de una empresa contratista copió su foto fuera del "
                         "sistema. Ya no trabaja para nosotros y denunciamos el caso. Le proponemos lo que verá "
                         "abajo.", 15, amina)
        self.move(case, Stage.REMEDY_PROPOSED, 15, amina, "Le proponemos una reparación: léala y díganos si le "
                                                          "parece bien.")
        self.agree(case, 12)
        self.move(case, Stage.REMEDY_DELIVERING, 8, amina)
        self.deliver(apology, 6, amina)
        self.confirm(case, apology, ConfirmationAnswer.CONFIRMED, 5)
        self.deliver(delete, 2, amina)  # awaiting their word on the follow-up page

    # Investigating, a question asked and answered through the proxy (an NGO for a defender at risk, English).
    def investigating_with_a_question(self) -> None:
        amina = self.amina
        group = AffectedGroup.objects.get(organisation=self.organisation, name=content.DEFENDERS_GROUP)
        case = self.receive("investigating", _Told(
            description="We write for an activist in Sagaing Region. She reported a post in a Kestrel Chat channel "
                        "that shared photos of her and her street. The reviewer found no breach, and the decision "
                        "notice posted back into the channel quoted her report with her account name. Within a day, "
                        "soldiers were asking her neighbours about her. She has moved and stopped using the account.",
            raised_by=RaisedBy.ON_BEHALF, country="MM", product="Kestrel Chat",
            represents="One activist in Sagaing Region, a member of the group we speak for.",
            wanted_outcome="Take the post down, make sure a decision notice never shows who reported something, and "
                           "tell her what of her account could have been seen.",
            at_risk=(AtRisk.HUMAN_RIGHTS_DEFENDER, AtRisk.WOMEN_AND_GIRLS), supported_by_adviser=True,
            interface_language="en",
        ), days_ago=40, channel=Channel.NGO, by=amina, proxy=self.stakeholders[content.DEFENDERS_PROXY],
            on_behalf_of=group)
        self.to_investigating(case, (39, 38, 33), amina, (
            "Received through the collective. The post was taken down today.", "", ""))
        self.write(case, "To find the notice, we need the name of the channel and roughly when she reported the "
                         "post. Can the collective pass these on, without her account name?", 30, amina,
                   question=True)
        self.answer(case, "The channel is called Sagaing News Daily. She reported the post in the second week of last "
                          "month, late in the evening.", 25, via=MessageVia.PROXY, by=amina)
        with self.story.on(24, 9):
            cases.add_internal_note(grievance=case, by=amina, text=(
                "Trust and safety confirm decision notices in channels quote the report. Fix requested as P1."))

    # Remedy proposed to riders through their union, a proposal of theirs decided (NGO channel, Spanish).
    def remedy_proposed(self) -> None:
        amina, lucia = self.amina, self.lucia
        union = self.stakeholders["urcp"]
        group = AffectedGroup.objects.get(organisation=self.organisation, representations__proxy=union)
        case = self.receive("proposed", _Told(
            description="Representamos a repartidores que cobran con billeteras KestrelPay. Desde la actualización "
                        "de marzo, KestrelPay Crédito descuenta el pago del préstamo de cada entrega y el porcentaje "
                        "cambia según «el riesgo del día». A varios compañeros se les descontó más del 40 % de lo "
                        "ganado en una jornada, cuando el contrato dice 15 %. Nadie ve el descuento antes de aceptar "
                        "la entrega.",
            raised_by=RaisedBy.ON_BEHALF, country="MX", product="KestrelPay Crédito", when_text="desde marzo",
            represents="38 repartidores afiliados en Guadalajara y Ciudad de México; tenemos sus cartas.",
            wanted_outcome="Que devuelvan lo descontado de más, que el descuento nunca pase del 15 % pactado y que "
                           "se vea antes de aceptar cada entrega.",
            at_risk=(AtRisk.LOW_INCOME,), supported_by_adviser=True, interface_language="es",
        ), days_ago=40, hour=15, channel=Channel.NGO, by=lucia, proxy=union, on_behalf_of=group)
        self.to_investigating(case, (38, 36, 30), lucia)
        with self.story.on(20, 17):
            proposal, _created = remedy.record_proposal(
                plan=remedy.create_plan(grievances=[case], title="Loan repayments docked above the agreed 15% "
                                                                 "(riders in Mexico)", by=lucia),
                grievance=case, via=MessageVia.PROXY, by=lucia,
                text="Que los reembolsos se paguen a la billetera como dinero que se pueda retirar, no como saldo "
                     "para otro préstamo.")
        with self.story.on(6, 11):
            engagement_actions.record_decision(
                input=proposal, outcome=Outcome.ADOPTED, by=amina,
                rationale="Refunds go to the wallet as money the rider can withdraw: the first action says so.")
            plan = case.remedy_plan
            remedy.add_action(
                plan=plan, remedy_type=RemedyType.RESTITUTION, proposal=proposal, owner=amina.user, by=lucia,
                due_on=self.today + datetime.timedelta(days=21),
                description="Refund every rider what was docked above 15% of a day's earnings since March, into the "
                            "wallet as money they can withdraw, with the calculation for each day.")
            remedy.add_action(
                plan=plan, remedy_type=RemedyType.CHANGE, owner=self.priya.user, by=lucia,
                due_on=self.today + datetime.timedelta(days=60),
                description="Cap automatic repayment at the 15% in the contract, and show the amount before a "
                            "delivery is accepted.")
        self.move(case, Stage.REMEDY_PROPOSED, 4, lucia, "Les proponemos la reparación que verán abajo; la "
                                                         "propuesta del sindicato sobre los reembolsos está incluida.")

    # Being assessed, the substantive answer four days late: escalated to the team (a letter, Portuguese).
    def assessing_overdue(self) -> None:
        amina = self.amina
        case = self.receive("assessing", _Told(
            description="Escrevo porque uma lista com nome, CPF, telefone e dívida de quem pegou empréstimo no "
                        "KestrelPay Crédito está circulando em grupos de cobrança em Manaus. Meu nome está nela. "
                        "Desde então, cobradores ligam para minha mãe e para o meu trabalho. O número da minha mãe "
                        "eu só dei ao aplicativo, como contato de referência.",
            mode=Mode.CONFIDENTIAL, country="BR", product="KestrelPay Crédito",
            complainant_name="Francisca Lima", complainant_contact="Por carta: Caixa Postal 1234, Manaus - AM",
            wanted_outcome="Saber como a lista vazou, que apaguem os contatos de referência e que parem as ligações "
                           "para minha família.",
            at_risk=(AtRisk.LOW_INCOME, AtRisk.WOMEN_AND_GIRLS), interface_language="pt",
        ), days_ago=RESPOND_DAYS + 4, channel=Channel.LETTER, by=amina)
        self.acknowledge(case, RESPOND_DAYS + 1, amina, "Recebemos sua carta e respondemos também por carta.")
        self.move(case, Stage.ASSESSING, RESPOND_DAYS - 2, amina)

    # Raised from the portal by a traders' association for its members, being assessed (English).
    def assessing_from_the_portal(self) -> None:
        lucia = self.lucia
        association = self.stakeholders["gikomba"]
        group = AffectedGroup.objects.get(organisation=self.organisation, representations__proxy=association)
        with self.story.on(16, 8):
            submitted = raise_from_portal(stakeholder=association, on_behalf_of=group.pk, report=_Told(
                description="Since the new fraud checks, KestrelPay has frozen the merchant wallets of at least 23 "
                            "of our members at Gikomba, most of them on a Saturday after a busy market day. The "
                            "money stays locked for up to two weeks while traders still have to pay suppliers, and "
                            "nobody tells them why. Several borrowed at high interest to restock.",
                mode=Mode.NAMED, country="KE", product="KestrelPay",
                represents="23 stall holders who are members of the association; we hold their written requests.",
                wanted_outcome="Release the money, pay back what borrowing cost them, and let a person check before a "
                               "trader's wallet is frozen.",
                at_risk=(AtRisk.LOW_INCOME,), interface_language="en").report())
            # The portal takes no time of its own (a person files now): the promise made to them is dated from the
            # day of this step, like the rest of the case.
            case = submitted.grievance
            received_on = self.story.day(16).date()
            Grievance.objects.filter(pk=case.pk).update(
                acknowledge_due_on=received_on + datetime.timedelta(days=ACKNOWLEDGE_DAYS),
                respond_due_on=received_on + datetime.timedelta(days=RESPOND_DAYS))
        self.cases["portal"] = case
        self.acknowledge(case, 15, lucia)
        self.move(case, Stage.ASSESSING, 13, lucia)
        self.write(case, "We have asked the payments team for the freeze records of the 23 wallets. Please send the "
                         "list of stall numbers, without phone numbers, through the portal.", 12, lucia,
                   question=True)
        self.answer(case, "List sent to your team by hand at the market office on Tuesday.", 9,
                    via=MessageVia.PORTAL)

    # Received, the acknowledgement 13 days late: escalated to the administrators (hotline, English).
    def received_overdue(self) -> None:
        self.receive("received_overdue", _Told(
            description="Hotline call from Kampala. The caller's former partner found her new address through the "
                        "'people nearby' list in Kestrel Chat, although she says location was turned off. He came "
                        "to her door at night. She is staying with her sister and is afraid to open the app.",
            mode=Mode.CONFIDENTIAL, country="UG", product="Kestrel Chat",
            complainant_contact="Calls back to the hotline herself; do not call or message her phone.",
            wanted_outcome="Her location hidden for good, and to know how he could see it.",
            at_risk=(AtRisk.WOMEN_AND_GIRLS,), interface_language="en",
        ), days_ago=ACKNOWLEDGE_DAYS + 13, hour=13, channel=Channel.HOTLINE, by=self.lucia)

    # A staff member's concern, investigating, linked to the salient risk it is about (anonymous, English).
    def staff_concern(self) -> None:
        lucia = self.lucia
        case = self.receive("staff_concern", _Told(
            description="I work on Kestrel Cloud Vision. One government customer sends face-matching requests in "
                        "bursts that line up with the dates of opposition rallies, thousands of faces a time, "
                        "cropped from crowd footage. Our terms say this must trigger a review, but the account is "
                        "marked strategic and its alerts are muted. I stay anonymous because I fear for my job.",
            raised_by=RaisedBy.STAFF, product="Kestrel Cloud Vision",
            wanted_outcome="An independent review of this customer's use, and alerts that sales cannot mute.",
            interface_language="en",
        ), days_ago=15, hour=23)
        self.to_investigating(case, (14, 13, 10), lucia, (
            "Thank you for raising this. You are protected like anyone who uses this page.", "", ""))
        with self.story.on(10, 16):
            risk = Risk.objects.for_organisation(self.organisation).get(title=STAFF_CONCERN_RISK)
            links.link(grievance=case, target=risk, by=lucia)
            cases.add_internal_note(grievance=case, by=lucia, text=(
                "Linked to the salient risk on face matching. Asked the Vision team for the customer's request logs "
                "and who muted the alerts."))

    # Acknowledged, on time (web, named, French).
    def acknowledged(self) -> None:
        case = self.receive("acknowledged", _Told(
            description="Dans un supermarché de Dakar, les vigiles m'ont arrêtée à la sortie devant mes enfants : "
                        "leurs caméras m'avaient « reconnue » comme une voleuse signalée. Ce n'était pas moi. Le "
                        "gérant m'a montré l'écran : la photo n'avait rien à voir avec moi. On m'a fouillée pendant "
                        "quarante minutes. Le magasin dit que le logiciel vient de Kestrel.",
            mode=Mode.NAMED, country="SN", product="Kestrel Cloud Vision", when_text="le 3 de ce mois",
            complainant_name="Awa Ndiaye", complainant_contact="awa.ndiaye@example.org",
            wanted_outcome="Que mon visage soit effacé de leur liste, des excuses, et que ce système ne soit plus "
                           "utilisé sans vérification par une personne.",
            at_risk=(AtRisk.WOMEN_AND_GIRLS,), interface_language="fr",
        ), days_ago=6, hour=20)
        self.acknowledge(case, 4, self.amina, "Nous avons lu votre plainte. Nous demandons au magasin et à notre "
                                              "équipe Vision ce qui s'est passé.")

    # Received two days ago: acknowledgement due in five (web, anonymous, Swahili).
    def received(self) -> None:
        self.receive("received", _Told(
            description="Akaunti yangu ya biashara ya KestrelPay ilisimamishwa wiki iliyopita bila maelezo yoyote. "
                        "Mimi ni mama mboga pale Gikomba na karibu wateja wangu wote hunilipa kwa KestrelPay. Sasa "
                        "siwezi kupokea malipo wala kutoa pesa zangu. Nimepiga simu huduma kwa wateja mara tatu; "
                        "kila mara wananiambia nisubiri saa 48.",
            country="KE", product="KestrelPay", when_text="Tangu Jumatatu iliyopita",
            affected_people="Mimi na watoto wangu watatu; tunategemea mauzo ya kila siku.",
            wanted_outcome="Nifunguliwe akaunti na nielezwe kwa nini ilisimamishwa, ili isijirudie.",
            at_risk=(AtRisk.LOW_INCOME, AtRisk.WOMEN_AND_GIRLS), interface_language="sw",
        ), days_ago=2, hour=7)


# Entry points --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LoadedGrievances:
    cases: dict[str, Grievance]
    followed: Grievance
    receipt: str  # the followed case's receipt, 32 digits
    notices: int  # emails the deadline round sent (reminders and escalations)


def load_grievances(*, organisation: Organisation, viewers: dict[str, Viewer],
                    stakeholders: dict[str, Stakeholder], today: datetime.date) -> LoadedGrievances:
    """Configure the mechanism, raise and handle the demo's cases, then run today's deadline round."""
    builder = _Builder(organisation, viewers, stakeholders, today)
    builder.build()
    # Today's round, as the scheduler would run it: reminders before due dates, escalation of late cases.
    notices = deadline_actions.send_deadline_notices(today=today)
    return LoadedGrievances(cases=builder.cases, followed=builder.cases["followed"],
                            receipt=builder.followed_receipt, notices=notices)


def followed_case_receipt(organisation: Organisation) -> tuple[Grievance, str] | None:
    """The followed case and its receipt (32 digits), by sending its report again as a repeated submission.

    submit_grievance answers a repeated submission with the first one's case and receipt, creating nothing;
    None when the demo holds no such case (it was erased, or the demo predates it), so nothing is created here.
    """
    key = followed_submission_key(organisation)
    if not Grievance.objects.filter(organisation=organisation, submission_key=submission_digest(key),
                                    erased_at__isnull=True).exists():
        return None
    submitted = submit_grievance(organisation=organisation, report=FOLLOWED.report(), channel=Channel.WEB,
                                 submission_key=key)
    return submitted.grievance, submitted.receipt


def delete_grievances(organisation: Organisation) -> None:
    """Empty the organisation's grievance mechanism for a rebuild, before the stakeholders, groups and engagements
    its cases and plans point at (PROTECT) are deleted. Sealed files go once the deletion commits."""
    files = [(attachment.file.storage, attachment.file.name) for attachment in
             CaseAttachment.objects.filter(grievance__organisation=organisation).only("id", "file")]
    # A plan's actions and confirmations go with it; its remedy dialogue goes with the other engagements.
    RemedyPlan.objects.filter(organisation=organisation).delete()
    # Stage changes, messages, files, exclusions, appeals and reminders go with their case.
    Grievance.objects.filter(organisation=organisation).delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
