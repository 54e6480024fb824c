"""Rows for the self-check's tests, written directly: the intake, case and remedy actions are built elsewhere."""

from __future__ import annotations

import datetime
from itertools import count

from django.utils import timezone

from rightsloop.engagements.tests.factories import make_engagement, make_input
from rightsloop.grievances.models import (
    ActionConfirmation,
    Appeal,
    CaseMessage,
    Grievance,
    GrievanceSettings,
    HandlerExclusion,
    RemedyAction,
    RemedyPlan,
    StageChange,
)
from rightsloop.grievances.selfcheck import Period
from rightsloop.grievances.vocabulary import (
    ActionStatus,
    Channel,
    ConfirmationAnswer,
    MessageDirection,
    Mode,
    RaisedBy,
    RemedyType,
    Satisfaction,
    Stage,
)
from rightsloop.risks.tests.factories import make_risk

_numbers = count(1)


def at(day: datetime.date | str, hour: int = 12) -> datetime.datetime:
    """Noon (or `hour`) of a day, in the site's time zone."""
    if isinstance(day, str):
        day = datetime.date.fromisoformat(day)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)), timezone.get_default_timezone())


def make_case(organisation, *, received: datetime.date | str = "2026-10-10", **fields) -> Grievance:
    number = next(_numbers)
    received_at = at(received) if not isinstance(received, datetime.datetime) else received
    values = {
        "organisation": organisation,
        "number": number,
        "reference": f"{number:08d}",
        "receipt_hash": "not-a-real-hash",
        "received_at": received_at,
        "acknowledge_due_on": received_at.date() + datetime.timedelta(days=7),
        "respond_due_on": received_at.date() + datetime.timedelta(days=90),
        "description": f"Secret account {number}: the app shared where I sleep.",
        "language": "en",
        "country": "KE",
    }
    values.update(fields)
    return Grievance.objects.create(**values)


def move(grievance: Grievance, to_stage: str, when: datetime.datetime, *, note: str = "", by=None) -> StageChange:
    """Record a stage change (and keep the case's own stage in step)."""
    change = StageChange.objects.create(grievance=grievance, from_stage=grievance.stage, to_stage=to_stage,
                                        note=note, by=by, at=when)
    grievance.stage = to_stage
    grievance.stage_changed_at = when
    grievance.save(update_fields=["stage", "stage_changed_at"])
    return change


def message(grievance: Grievance, direction: str = MessageDirection.TO_COMPLAINANT, *,
            when: datetime.datetime | None = None, seen: bool = False, text: str = "Private words") -> CaseMessage:
    when = when or grievance.received_at + datetime.timedelta(days=1)
    return CaseMessage.objects.create(grievance=grievance, direction=direction, text=text, created_at=when,
                                      seen_at=when + datetime.timedelta(hours=1) if seen else None)


def exclude_handler(grievance: Grievance, user, when: datetime.datetime, reason: str = "Named in the case"):
    return HandlerExclusion.objects.create(grievance=grievance, user=user, reason=reason, at=when)


def appeal(grievance: Grievance, *, previous, new, when: datetime.datetime) -> Appeal:
    return Appeal.objects.create(grievance=grievance, reason="They did not listen", from_stage=grievance.stage,
                                 previous_handler=previous, new_handler=new, filed_at=when)


def plan(organisation, *, grievances=(), engagement=None, when: datetime.datetime | None = None) -> RemedyPlan:
    made = RemedyPlan.objects.create(organisation=organisation, title="Remedy", engagement=engagement)
    if when is not None:
        RemedyPlan.objects.filter(pk=made.pk).update(created_at=when)
    for grievance in grievances:
        grievance.remedy_plan = made
        grievance.save(update_fields=["remedy_plan"])
    return made


def action(remedy_plan: RemedyPlan, owner, *, remedy_type: str = RemedyType.APOLOGY, when=None,
           status: str = ActionStatus.PLANNED, proposal=None) -> RemedyAction:
    made = RemedyAction.objects.create(plan=remedy_plan, remedy_type=remedy_type, description="Do a thing",
                                       owner=owner, due_on=datetime.date(2026, 12, 1), status=status,
                                       proposal=proposal)
    if when is not None:
        RemedyAction.objects.filter(pk=made.pk).update(created_at=when)
    return made


def confirm(remedy_action: RemedyAction, grievance: Grievance, answer: str, when: datetime.datetime,
            via: str = "follow_up") -> ActionConfirmation:
    return ActionConfirmation.objects.create(action=remedy_action, grievance=grievance, answer=answer,
                                             note="What they said", via=via, at=when)


def quarter_of_cases(organisation, hr_lead, handlers) -> dict:
    """The cases of the quarter, and a few before it whose deadlines, outcomes or appeals fall in it."""
    h1, h2, h3 = handlers
    midnight = Period(2026, 4).start_at
    cases = {}
    # Received in Q4 -------------------------------------------------------------------------------------------
    cases["A"] = make_case(organisation, received=midnight, channel=Channel.WEB, language="en", interface_language="es",
                           country="KE", handler=h1, acknowledged_at=at("2026-10-05"), responded_at=at("2026-11-01"),
                           at_risk=["journalist", "child"], rights=["privacy"], product="Messenger")
    cases["B"] = make_case(organisation, received="2026-10-03", channel=Channel.HOTLINE, language="sw", country="KE",
                           mode=Mode.CONFIDENTIAL, raised_by=RaisedBy.ON_BEHALF, handler=h2,
                           acknowledged_at=at("2026-10-20"), at_risk=["journalist"],
                           rights=["privacy", "freedom_of_expression"], product="Messenger",
                           complainant_name="Amina Secretname")
    cases["C"] = make_case(organisation, received="2026-11-10", channel=Channel.SMS, language="fr", country="FR",
                           mode=Mode.NAMED, supported_by_adviser=True)
    cases["D"] = make_case(organisation, received="2026-12-01", language="es", country="", raised_by=RaisedBy.STAFF,
                           handler=h1, acknowledged_at=at("2026-12-02"))
    cases["E"] = make_case(organisation, received="2026-12-14", handler=h2)
    # Before Q4 ------------------------------------------------------------------------------------------------
    cases["F"] = make_case(organisation, received=midnight - datetime.timedelta(seconds=1),
                           acknowledged_at=at("2026-10-06"))
    cases["H"] = make_case(organisation, received="2026-08-01", acknowledged_at=at("2026-08-05"),
                           responded_at=at("2026-10-15"), stage=Stage.CLOSED, closed_at=at("2026-10-25"),
                           outcome_summary="We changed the setting", rights_reviewed_at=at("2026-10-24"),
                           satisfaction=Satisfaction.SATISFIED, satisfaction_at=at("2026-10-30"))
    cases["I"] = make_case(organisation, received="2026-07-15", acknowledged_at=at("2026-07-30"),
                           responded_at=at("2026-10-20"), stage=Stage.REMEDY_PROPOSED)
    cases["J"] = make_case(organisation, received="2026-08-20", acknowledged_at=at("2026-08-21"),
                           stage=Stage.ACKNOWLEDGED)
    cases["K"] = make_case(organisation, received="2026-09-01", acknowledged_at=at("2026-09-02"),
                           responded_at=at("2026-11-05"), stage=Stage.NOT_ADMISSIBLE,
                           stage_changed_at=at("2026-11-05"), not_admissible_reasons="Go to the regulator")
    cases["L"] = make_case(organisation, received="2026-09-05", acknowledged_at=at("2026-09-06"),
                           responded_at=at("2026-10-01"), stage=Stage.CLOSED, closed_at=at("2026-12-01"),
                           rights_reviewed_at=at("2026-11-30"), satisfaction=Satisfaction.NOT_SATISFIED,
                           satisfaction_at=at("2026-12-05"))
    cases["M"] = make_case(organisation, received="2026-06-01", acknowledged_at=at("2026-06-02"),
                           responded_at=at("2026-07-01"), stage=Stage.CLOSED, closed_at=at("2026-09-20"),
                           rights_reviewed_at=at("2026-09-19"))
    cases["N"] = make_case(organisation, received="2026-06-10", acknowledged_at=at("2026-06-11"),
                           responded_at=at("2026-07-01"), stage=Stage.ASSESSING, handler=h1)
    for key in ("A", "B", "D", "E", "F"):
        cases[key].stage = Stage.ACKNOWLEDGED if cases[key].acknowledged_at else Stage.RECEIVED
        cases[key].save(update_fields=["stage"])

    # Stage changes in Q4: the first move of A has no earlier change (the receipt stands for it).
    A, B, D, F = cases["A"], cases["B"], cases["D"], cases["F"]
    A.stage = Stage.RECEIVED
    move(A, Stage.ACKNOWLEDGED, at("2026-10-05"), note="We read it")                    # 4.5 days received
    move(A, Stage.ASSESSING, at("2026-10-10"), note="We are checking")                  # 5 days acknowledged
    move(A, Stage.INVESTIGATING, at("2026-10-20"))                                      # 10 days assessing
    move(A, Stage.REMEDY_PROPOSED, at("2026-11-01"))                                    # 12 days investigating
    B.stage = ""
    move(B, Stage.RECEIVED, B.received_at)                                              # the intake's own row
    move(B, Stage.ACKNOWLEDGED, at("2026-10-20"))                                       # 17 days received
    move(B, Stage.ASSESSING, at("2026-10-22"), note="Next we assess")                   # 2 days acknowledged
    D.stage = Stage.RECEIVED
    move(D, Stage.ACKNOWLEDGED, at("2026-12-02"), note="Thank you")                     # 1 day received
    F.stage = Stage.RECEIVED
    move(F, Stage.ACKNOWLEDGED, at("2026-10-06"))                                       # 5.5 days, left in Q4

    # Messages: A both ways (ours seen), B ours unseen, C only theirs, and an internal note that never counts.
    message(A, MessageDirection.TO_COMPLAINANT, when=at("2026-10-06"), seen=True, text="Tell us more, Amina")
    message(A, MessageDirection.FROM_COMPLAINANT, when=at("2026-10-07"), text="My neighbour Joseph saw it")
    message(A, MessageDirection.INTERNAL, when=at("2026-10-07"))
    message(B, MessageDirection.TO_COMPLAINANT, when=at("2026-10-21"))
    message(cases["C"], MessageDirection.FROM_COMPLAINANT, when=at("2026-11-11"))
    message(cases["J"], MessageDirection.TO_COMPLAINANT, when=at("2026-09-01"), seen=True)  # Q3: not counted

    # Exclusions: two conflicts respected, one not (E's handler is the one kept out); an appeal's own; one in Q3.
    exclude_handler(B, h1, at("2026-10-04"))
    exclude_handler(A, h3, at("2026-10-05"))
    exclude_handler(cases["E"], h2, at("2026-12-14"))
    exclude_handler(cases["M"], h1, at("2026-10-12"), reason="Handled the appealed outcome")
    exclude_handler(cases["N"], h3, at("2026-09-10"))
    # Appeals in Q4: one to a different handler, one waiting for a handler, one to the same handler.
    appeal(cases["M"], previous=h1, new=h2, when=at("2026-10-12"))
    appeal(cases["L"], previous=h2, new=None, when=at("2026-12-10"))
    appeal(cases["N"], previous=h1, new=h1, when=at("2026-11-01"))
    appeal(cases["H"], previous=h1, new=h2, when=at("2026-09-30"))  # Q3

    # The register: D (a staff concern) fed a risk; B's remedy changes the product.
    risk = make_risk(hr_lead)
    D.risks.add(risk)
    dialogue = make_engagement(hr_lead, title="Remedy dialogue", type="interview",
                               starts_on=datetime.date(2026, 10, 30), ends_on=datetime.date(2026, 10, 30))
    proposal = make_input(hr_lead, dialogue)
    remedy = plan(organisation, grievances=[B], engagement=dialogue, when=at("2026-11-01"))
    plan(organisation, when=at("2026-12-01"))
    plan(organisation, when=at("2026-09-01"))  # Q3
    change = action(remedy, hr_lead.user, remedy_type=RemedyType.CHANGE, when=at("2026-11-02"), proposal=proposal,
                    status=ActionStatus.CONFIRMED)
    money = action(remedy, hr_lead.user, remedy_type=RemedyType.COMPENSATION, when=at("2026-11-03"),
                   status=ActionStatus.DISPUTED)
    action(remedy, hr_lead.user, remedy_type=RemedyType.APOLOGY, when=at("2026-09-01"))  # Q3
    confirm(change, B, ConfirmationAnswer.CONFIRMED, at("2026-12-01"))
    confirm(money, B, ConfirmationAnswer.DISPUTED, at("2026-12-02"), via="staff")
    confirm(money, B, ConfirmationAnswer.CONFIRMED, at("2026-09-02"))  # Q3

    # Engagements on the mechanism itself: one in Q4, one in Q2.
    mechanism = GrievanceSettings.of(organisation)
    mechanism.mechanism_engagements.add(
        make_engagement(hr_lead, starts_on=datetime.date(2026, 11, 15), ends_on=datetime.date(2026, 11, 15)),
        make_engagement(hr_lead, starts_on=datetime.date(2026, 5, 1), ends_on=datetime.date(2026, 5, 2)))
    return cases
