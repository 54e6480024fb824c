"""Remedy plans designed and monitored with the affected (M3): plans, their proposals, actions and confirmations.

A plan serves one case or a group of cases. Its remedy dialogue (an engagement) holds what the affected
people proposed as inputs, so the decisions on them and the loop closure are the engagements app's own. Which
case a proposal came from is carried by the input's idempotency key (`remedy-g<case id>-…`): the case's words
never leave the sealed rows, and a proposal sent twice is recorded once.

Audit summaries name records (plan #3, G-12, action #7) and fields, never what anyone wrote.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.actions.inputs import MAX_INPUT_LENGTH
from rightsloop.engagements.loops import refresh_loop
from rightsloop.engagements.models import Engagement, Input, Participation
from rightsloop.engagements.vocabulary import Attribution, EngagementType, Phase
from rightsloop.stakeholders.queries import may_attribute_inputs
from rightsloop.stakeholders.vocabulary import Kind, SafetyLevel

from ..models import ActionConfirmation, Grievance, RemedyAction, RemedyPlan, StageChange
from ..queries import cases_for
from ..remedy_queries import PROPOSAL_KEY_PREFIX, outcome_types, proposal_prefix
from ..vocabulary import ActionStatus, ConfirmationAnswer, MessageVia, RemedyType, Stage

__all__ = [
    "PROPOSAL_KEY_PREFIX", "add_action", "add_case_to_plan", "confirm_or_dispute", "create_plan",
    "erase_case_proposals", "mark_delivered", "outcome_types", "record_proposal", "remove_case_from_plan",
    "update_action",
]

MAX_DESCRIPTION_LENGTH = 5_000
MAX_NOTE_LENGTH = 5_000

# Plans -------------------------------------------------------------------------------------------------------

def _check_cases(grievances: list[Grievance], by: Viewer, *, plan: RemedyPlan | None = None) -> list[Grievance]:
    """The cases, locked, once each may join a plan: the member's own, open, in no other plan."""
    if not grievances:
        raise ValidationError({"grievances": _("Choose at least one case.")})
    ids = sorted({grievance.pk for grievance in grievances})
    if any(grievance.organisation_id != by.organisation.pk for grievance in grievances):
        raise ValidationError({"grievances": _("A remedy plan groups cases of one organisation only.")})
    locked = list(cases_for(by).select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise ValidationError({"grievances": _("One of these cases is not yours to handle.")})
    for grievance in locked:
        if grievance.is_erased or grievance.is_finished:
            raise ValidationError({"grievances": _(
                "%(case)s is closed or not admissible: re-open it before planning a remedy.") % {
                "case": grievance.label}})
        if grievance.remedy_plan_id is not None and (plan is None or grievance.remedy_plan_id != plan.pk):
            raise ValidationError({"grievances": _("%(case)s already has a remedy plan.") % {"case": grievance.label}})
    return locked


def _speaking_stakeholder(grievance: Grievance):
    """Who in the register speaks for the case in the remedy dialogue: (stakeholder, via proxy), or None.

    A person at elevated or high risk is never put on the dialogue's list under their own name: their proxy
    takes part for them, or nobody does and their proposals are recorded without a speaker.
    """
    person, proxy = grievance.stakeholder, grievance.proxy
    if proxy is not None and (proxy.kind != Kind.PROXY or proxy.erased_at is not None
                              or (person is not None and proxy.pk == person.pk)):
        # A proxy filing for a group from the portal is the case's stakeholder too: it speaks in its own name.
        proxy = None
    if person is not None and person.erased_at is None:
        if person.safety_level == SafetyLevel.NORMAL:
            return person, proxy
        return (proxy, None) if proxy is not None else None
    return (proxy, None) if proxy is not None else None


def _participation(plan: RemedyPlan, grievance: Grievance, by: Viewer | None) -> Participation | None:
    """The case's speaker in the plan's dialogue; added by a member when missing (never from the public side)."""
    speaking = _speaking_stakeholder(grievance)
    if speaking is None or plan.engagement_id is None:
        return None
    stakeholder, via_proxy = speaking
    found = Participation.objects.filter(engagement_id=plan.engagement_id, stakeholder=stakeholder).first()
    if found is not None or by is None:
        return found
    return engagement_actions.add_participant(engagement=plan.engagement, stakeholder=stakeholder,
                                              via_proxy=via_proxy, by=by)


@transaction.atomic
def create_plan(*, grievances: list[Grievance], title: str, by: Viewer) -> RemedyPlan:
    """Open a remedy plan for one case or a group of cases, with its remedy dialogue."""
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": _("Give the plan a title.")})
    if len(title) > 200:
        raise ValidationError({"title": _("A title can be at most 200 characters.")})
    cases = _check_cases(grievances, by)
    today = timezone.localdate()
    plan = RemedyPlan.objects.create(organisation=by.organisation, title=title, created_by=by.user)
    # The dialogue's title names the plan by number only: engagement lists are read beyond the case handlers.
    engagement = engagement_actions.create_engagement(plan=engagement_actions.EngagementPlan(
        title=_("Remedy dialogue (remedy plan %(number)s)") % {"number": plan.pk},
        type=EngagementType.REMEDY_DIALOGUE, phases=[Phase.REMEDY], starts_on=today, ends_on=today,
        information_handling="confidential", owner=by.user), by=by)
    plan.engagement = engagement
    plan.save(update_fields=["engagement"])
    Grievance.objects.filter(pk__in=[case.pk for case in cases]).update(remedy_plan=plan)
    for case in [*cases, *grievances]:  # the caller's copies too
        case.remedy_plan = plan
    for case in cases:
        _participation(plan, case, by)
    audit.record(organisation=by.organisation, by=by, action="remedy_plan.created", target=plan,
                 summary=f"for {', '.join(case.label for case in cases)}; dialogue engagement #{engagement.pk}",
                 changed_fields=["title", "grievances"])
    return plan


@transaction.atomic
def add_case_to_plan(*, plan: RemedyPlan, grievance: Grievance, by: Viewer) -> RemedyPlan:
    """Group another case into the plan: its people propose and confirm like the others."""
    if plan.organisation_id != by.organisation.pk:
        raise ValidationError({"grievance": _("Unknown remedy plan.")})
    (case,) = _check_cases([grievance], by, plan=plan)
    if case.remedy_plan_id == plan.pk:
        return plan
    Grievance.objects.filter(pk=case.pk).update(remedy_plan=plan)
    grievance.remedy_plan = plan
    _participation(plan, case, by)
    audit.record(organisation=plan.organisation, by=by, action="remedy_plan.case_added", target=plan,
                 summary=f"{case.label} added", changed_fields=["grievances"])
    return plan


@transaction.atomic
def remove_case_from_plan(*, plan: RemedyPlan, grievance: Grievance, by: Viewer) -> RemedyPlan:
    """Take a case out of a group plan; what its people proposed stays in the dialogue, so its loop can close."""
    if grievance.remedy_plan_id != plan.pk:
        raise ValidationError({"grievance": _("This case is not in the plan.")})
    if plan.grievances.count() <= 1:
        raise ValidationError({"grievance": _("A remedy plan needs at least one case.")})
    Grievance.objects.filter(pk=grievance.pk).update(remedy_plan=None)
    grievance.remedy_plan = None
    audit.record(organisation=plan.organisation, by=by, action="remedy_plan.case_removed", target=plan,
                 summary=f"{grievance.label} removed", changed_fields=["grievances"])
    return plan


# Proposals of the affected -----------------------------------------------------------------------------------

def _proposal_key(grievance: Grievance, submission_key: str) -> str:
    """The input's idempotency key: which case it came from, and the submission (random when none is given)."""
    digest = (hashlib.sha256(submission_key.encode()).hexdigest()[:40] if submission_key else uuid.uuid4().hex)
    return f"{proposal_prefix(grievance)}{digest}"


def _replayed(plan: RemedyPlan, key: str) -> Input | None:
    existing = Input.objects.filter(organisation_id=plan.organisation_id, idempotency_key=key).first()
    if existing is not None and existing.engagement_id != plan.engagement_id:
        raise ValidationError({"text": _("This proposal was already sent for another remedy plan.")})
    return existing


def _record_for_person(*, engagement: Engagement, speaker: Participation | None, text: str,
                       key: str) -> tuple[Input, bool]:
    """record_input for words the person sent themselves, with no member behind them (the follow-up page)."""
    attribution = (Attribution.ATTRIBUTED if speaker is not None and may_attribute_inputs(speaker.stakeholder)
                   else Attribution.ANONYMISED)
    try:
        with transaction.atomic():
            item = Input.objects.create(organisation=engagement.organisation, engagement=engagement, speaker=speaker,
                                        attribution=attribution, text=text, recorded_by=None, idempotency_key=key)
    except IntegrityError:  # the same submission raced in twice: the first one stands
        existing = Input.objects.filter(organisation=engagement.organisation, idempotency_key=key).first()
        if existing is None:
            raise
        return existing, False
    refresh_loop(engagement, [speaker] if speaker else [])
    audit.record(organisation=engagement.organisation, by=None, action="input.recorded", target=item,
                 summary=f"engagement #{engagement.pk}, {attribution}", changed_fields=["text"])
    return item, True


@transaction.atomic
def record_proposal(*, plan: RemedyPlan, grievance: Grievance, text: str, via: str, by: Viewer | None = None,
                    submission_key: str = "") -> tuple[Input, bool]:
    """Record what an affected person proposes for their remedy as an input of the plan's dialogue.

    Returns (input, created); the same submission key returns the first input. `by` is the member who wrote
    it down (a call, a letter, a proxy); None when the person sent it themselves.
    """
    if grievance.remedy_plan_id != plan.pk or plan.engagement_id is None:
        raise ValidationError({"grievance": _("This case is not in the plan.")})
    if via not in MessageVia.values:
        raise ValidationError({"via": _("Unknown channel.")})
    key = _proposal_key(grievance, submission_key)
    if submission_key:
        existing = _replayed(plan, key)
        if existing is not None:
            return existing, False
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Write what you would like to happen.")})
    if len(text) > MAX_INPUT_LENGTH:
        raise ValidationError({"text": _("A proposal can be at most %(max)s characters.") % {"max": MAX_INPUT_LENGTH}})
    speaker = _participation(plan, grievance, by)
    if by is not None:
        item, created = engagement_actions.record_input(engagement=plan.engagement, text=text, by=by,
                                                        speaker=speaker, idempotency_key=key)
    else:
        item, created = _record_for_person(engagement=plan.engagement, speaker=speaker, text=text, key=key)
    if created:
        audit.record(organisation=plan.organisation, by=by, action="remedy_plan.proposal_recorded", target=plan,
                     summary=f"input #{item.pk} from {grievance.label} via {via}", changed_fields=["text"])
    return item, created


def erase_case_proposals(*, grievance: Grievance, by: Viewer | None) -> int:
    """Destroy the words of a case's proposals when the case is erased (they are sealed under the organisation's
    key, not the case's); the inputs and their decisions stay, so the dialogue's figures and loop stay true."""
    erased = Input.objects.filter(organisation_id=grievance.organisation_id,
                                  idempotency_key__startswith=proposal_prefix(grievance)).update(text_sealed=b"")
    if erased:
        audit.record(organisation=grievance.organisation, by=by, action="remedy_plan.proposals_erased",
                     target=grievance, summary=f"{erased} proposal(s) of {grievance.label}", changed_fields=["text"])
    return erased


# Corrective actions ------------------------------------------------------------------------------------------

def _action_errors(*, plan: RemedyPlan, remedy_type: str, description: str, owner: User | None,
                   due_on: datetime.date | None, proposal: Input | None, past_due_allowed: bool) -> dict:
    errors: dict[str, str] = {}
    if remedy_type not in RemedyType.values:
        errors["remedy_type"] = _("Choose a type of remedy.")
    if not description:
        errors["description"] = _("Say what will be done.")
    elif len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = _("At most %(max)s characters.") % {"max": MAX_DESCRIPTION_LENGTH}
    if owner is None or not owner.is_active or not Membership.objects.active().filter(
            user=owner, organisation_id=plan.organisation_id).exists():
        errors["owner"] = _("The owner must be a member of the organisation.")
    if due_on is None:
        errors["due_on"] = _("Give a due date.")
    elif due_on < timezone.localdate() and not past_due_allowed:
        errors["due_on"] = _("The due date cannot be in the past.")
    if proposal is not None and (plan.engagement_id is None or proposal.engagement_id != plan.engagement_id):
        errors["proposal"] = _("Choose a proposal made for this plan.")
    return errors


@transaction.atomic
def add_action(*, plan: RemedyPlan, remedy_type: str, description: str, owner: User, due_on: datetime.date,
               proposal: Input | None = None, by: Viewer) -> RemedyAction:
    """Add a corrective action with its owner and due date (answering a proposal of the affected, if it does)."""
    description = description.strip()
    errors = _action_errors(plan=plan, remedy_type=remedy_type, description=description, owner=owner,
                            due_on=due_on, proposal=proposal, past_due_allowed=False)
    if errors:
        raise ValidationError(errors)
    action = RemedyAction(plan=plan, remedy_type=remedy_type, description=description, owner=owner,
                          due_on=due_on, proposal=proposal, created_by=by.user)
    action.save()
    audit.record(organisation=plan.organisation, by=by, action="remedy_action.added", target=action,
                 summary=f"plan #{plan.pk}, {remedy_type}, owner #{owner.pk}, due {due_on.isoformat()}"
                 + (f", answers input #{proposal.pk}" if proposal else ""),
                 changed_fields=["remedy_type", "description", "owner", "due_on", "proposal"])
    return action


@transaction.atomic
def update_action(*, action: RemedyAction, remedy_type: str, description: str, owner: User,
                  due_on: datetime.date, proposal: Input | None = None, by: Viewer) -> RemedyAction:
    """Change an action not yet confirmed; a due date may stay where it was but never move into the past."""
    action = RemedyAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    if action.status == ActionStatus.CONFIRMED:
        raise ValidationError(_("The affected people confirmed this action was delivered: it can no longer change."))
    description = description.strip()
    errors = _action_errors(plan=action.plan, remedy_type=remedy_type, description=description, owner=owner,
                            due_on=due_on, proposal=proposal, past_due_allowed=due_on == action.due_on)
    if errors:
        raise ValidationError(errors)
    changed = [name for name, before, after in (
        ("remedy_type", action.remedy_type, remedy_type), ("description", action.description, description),
        ("owner", action.owner_id, owner.pk), ("due_on", action.due_on, due_on),
        ("proposal", action.proposal_id, proposal.pk if proposal else None)) if before != after]
    if not changed:
        return action
    action.remedy_type, action.description, action.owner, action.due_on, action.proposal = (
        remedy_type, description, owner, due_on, proposal)
    action.save(update_fields=["remedy_type", "owner", "due_on", "proposal"])  # and the sealed description
    audit.record(organisation=action.plan.organisation, by=by, action="remedy_action.updated", target=action,
                 summary=f"plan #{action.plan_id}", changed_fields=changed)
    return action


@transaction.atomic
def mark_delivered(*, action: RemedyAction, by: Viewer) -> RemedyAction:
    """Record that an action was delivered; the affected people are then asked whether it really was."""
    action = RemedyAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    if action.status not in (ActionStatus.PLANNED, ActionStatus.DISPUTED):
        raise ValidationError(_("Only a planned or disputed action can be marked delivered."))
    before = action.status
    action.status = ActionStatus.DELIVERED
    action.delivered_at = timezone.now()
    action.confirmed_at = None
    action.save(update_fields=["status", "delivered_at", "confirmed_at"])
    audit.record(organisation=action.plan.organisation, by=by, action="remedy_action.delivered", target=action,
                 summary=f"plan #{action.plan_id}, was {before}", changed_fields=["status"])
    return action


def _reopen_for_dispute(grievance: Grievance, by: Viewer | None, now: datetime.datetime) -> None:
    """Send a closed case back to the remedy being delivered: the disputed action must be delivered again."""
    case = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if case.stage != Stage.CLOSED:
        return
    with translation.override(case.complainant_language):
        note = _("You told us a remedy action was not done as agreed. The case is open again until it is.")
    StageChange.objects.create(grievance=case, from_stage=case.stage, to_stage=Stage.REMEDY_DELIVERING,
                               note=note, by=by.user if by else None, at=now)
    Grievance.objects.filter(pk=case.pk).update(stage=Stage.REMEDY_DELIVERING, stage_changed_at=now,
                                                 closed_at=None)
    grievance.stage, grievance.stage_changed_at, grievance.closed_at = Stage.REMEDY_DELIVERING, now, None
    audit.record(organisation=case.organisation, by=by, action="grievance.stage_changed", target=case,
                 summary=f"{Stage.CLOSED.value} → {Stage.REMEDY_DELIVERING.value}, a remedy action disputed",
                 changed_fields=["stage", "stage_changed_at", "closed_at"])


@transaction.atomic
def confirm_or_dispute(*, action: RemedyAction, grievance: Grievance, answer: str, note: str = "", via: str,
                       by: Viewer | None = None) -> ActionConfirmation:
    """Record an affected person's word on a delivered action: confirmed, or disputed (which re-opens it).

    In a group plan the action counts as confirmed once every case in the plan confirmed it since it was last
    delivered; one dispute re-opens it for all. The same answer sent twice is recorded once.
    """
    action = RemedyAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    if grievance.remedy_plan_id != action.plan_id:
        raise ValidationError({"grievance": _("This action is not part of this case's remedy plan.")})
    if answer not in ConfirmationAnswer.values:
        raise ValidationError({"answer": _("Say whether it was done.")})
    if via not in MessageVia.values:
        raise ValidationError({"via": _("Unknown channel.")})
    note = note.strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError({"note": _("At most %(max)s characters.") % {"max": MAX_NOTE_LENGTH}})
    earlier = (ActionConfirmation.objects.filter(action=action, grievance=grievance, at__gte=action.delivered_at)
               .order_by("-at", "-id").first() if action.delivered_at else None)
    if earlier is not None and earlier.answer == answer:
        return earlier  # the same answer posted again
    if action.status != ActionStatus.DELIVERED:
        raise ValidationError({"answer": _(
            "Only an action marked delivered can be confirmed or disputed; this one is %(status)s.") % {
            "status": ActionStatus(action.status).label}})
    if earlier is not None:
        raise ValidationError({"answer": _("An answer for this case was already recorded since it was delivered.")})
    now = timezone.now()
    confirmation = ActionConfirmation.objects.create(
        action=action, grievance=grievance, answer=answer, note=note, via=via,
        recorded_by=by.user if by else None, at=now)
    if answer == ConfirmationAnswer.DISPUTED:
        action.status, action.disputed_at, action.confirmed_at = ActionStatus.DISPUTED, now, None
        action.save(update_fields=["status", "disputed_at", "confirmed_at"])
        # It reads the case's stage afresh under a lock: the caller's copy may be older than a closing.
        _reopen_for_dispute(grievance, by, now)
    else:
        cases = set(action.plan.grievances.values_list("pk", flat=True))
        confirmed = set(ActionConfirmation.objects.filter(
            action=action, answer=ConfirmationAnswer.CONFIRMED, at__gte=action.delivered_at,
        ).values_list("grievance_id", flat=True))
        if cases <= confirmed:
            action.status, action.confirmed_at = ActionStatus.CONFIRMED, now
            action.save(update_fields=["status", "confirmed_at"])
    audit.record(organisation=action.plan.organisation, by=by, action=f"remedy_action.{answer}", target=action,
                 summary=f"{grievance.label} via {via}; action now {action.status}",
                 changed_fields=["status"] + (["note"] if note else []))
    return confirmation

