"""Changes to what a strategic decision decided: its conditions and the board's sign-off (R3, issue "decisions").

Preparing and taking a decision stays in actions.py (take_strategic_decision puts a decision touching a
board-level risk to the board); this module holds what follows: the conditions a "go" was given on, tracked
like mitigations, and the board member's signature or refusal. Every change is audited.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability, Role
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from .models import DecisionCondition, DecisionSignOff, StrategicDecision
from .vocabulary import NEEDS_NOTE, ConditionStatus, DecisionOutcome, DecisionStatus, SignOffVerdict


def may_change_condition(viewer: Viewer, condition: DecisionCondition) -> bool:
    """The human rights team changes any condition; its owner may record whether it was met."""
    return viewer.can(Capability.RISKS_EDIT) or condition.owner_id == viewer.user.pk


def may_sign_off(viewer: Viewer) -> bool:
    return viewer.can(Capability.DECISIONS_SIGN_OFF)


def board_members(organisation) -> list[User]:
    """Whose sign-off a decision put to the board awaits: every active member holding the board role."""
    return list(User.objects.filter(memberships__organisation=organisation, memberships__role=Role.BOARD,
                                    memberships__is_active=True, is_active=True).distinct().order_by("username"))


def notify_board(decision_id: int) -> None:
    """Tell the board members a decision awaits their sign-off (after commit; the page and dashboard say it too)."""
    decision = StrategicDecision.objects.select_related("organisation", "decided_by").get(pk=decision_id)
    recipients = [user.email for user in board_members(decision.organisation) if user.email]
    if not recipients or decision.status != DecisionStatus.AWAITING_BOARD:
        return
    with translation.override(decision.organisation.default_language):
        body = render_to_string("risks/email/put_to_board.txt", {
            "decision": decision,
            "url": settings.RIGHTSLOOP_BASE_URL.rstrip("/") + reverse("risks:decision-detail", args=[decision.pk]),
        })
        subject = _("A strategic decision awaits the board's sign-off: %(title)s") % {"title": decision.title}
    EmailMessage(subject=subject, body=body, to=recipients, headers={"Auto-Submitted": "auto-generated"}).send()


def valid_sign_off(decision: StrategicDecision) -> DecisionSignOff | None:
    """The board member's signature the decision currently stands on, if any."""
    return (decision.sign_offs.filter(verdict=SignOffVerdict.SIGNED, voided_at__isnull=True)
            .select_related("by").first())


def _check_owner(owner: User, organisation) -> None:
    if not Membership.objects.active().filter(user=owner, organisation=organisation).exists():
        raise ValidationError({"owner": _("The owner must be a member of this organisation.")})


def _conditions_snapshot(decision: StrategicDecision) -> list[dict]:
    return [{"id": c.pk, "text": c.text, "owner": c.owner.get_username(), "due_on": c.due_on.isoformat(),
             "status": c.status}
            for c in decision.conditions.live().select_related("owner").order_by("due_on", "id")]


def _void_sign_off(decision: StrategicDecision, *, because: str, by: Viewer) -> None:
    """A change to what the board signed voids the signature: the decision awaits the board again."""
    signed = decision.sign_offs.filter(verdict=SignOffVerdict.SIGNED, voided_at__isnull=True)
    if not signed.exists():
        return
    signed.update(voided_at=timezone.now(), voided_because=because[:200])
    decision.status, decision.decided_at = DecisionStatus.AWAITING_BOARD, None
    decision.save(update_fields=["status", "decided_at", "updated_at"])
    audit.record(organisation=decision.organisation, by=by, action="strategic_decision.sign_off_voided",
                 target=decision, summary=because[:200])
    decision_id = decision.pk
    transaction.on_commit(lambda: notify_board(decision_id))


def _lock(decision: StrategicDecision) -> StrategicDecision:
    return StrategicDecision.objects.select_for_update().get(pk=decision.pk)


# Conditions ----------------------------------------------------------------

def _check_terms(*, text: str, due_on: datetime.date | None) -> None:
    errors = {}
    if not text.strip():
        errors["text"] = _("Say what the condition is.")
    if due_on is None:
        errors["due_on"] = _("A condition needs a due date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def add_condition(*, decision: StrategicDecision, text: str, owner: User, due_on: datetime.date,
                  by: Viewer) -> DecisionCondition:
    """Attach a condition the "go" depends on; once the board signed, this asks the board again."""
    if not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot set the conditions of a decision."))
    decision = _lock(decision)
    if decision.status == DecisionStatus.DECIDED and decision.outcome != DecisionOutcome.GO_WITH_CONDITIONS:
        raise ValidationError({"text": _("Only a decision taken as “go, with conditions” carries conditions.")})
    _check_terms(text=text, due_on=due_on)
    _check_owner(owner, decision.organisation)
    condition = DecisionCondition.objects.create(
        organisation=decision.organisation, decision=decision, text=text.strip(), owner=owner, due_on=due_on,
        created_by=by.user)
    audit.record(organisation=decision.organisation, by=by, action="decision_condition.added", target=condition,
                 summary=f"decision #{decision.pk}, due {due_on.isoformat()}")
    _void_sign_off(decision, because=f"condition #{condition.pk} added", by=by)
    return condition


@transaction.atomic
def update_condition(*, condition: DecisionCondition, text: str, owner: User, due_on: datetime.date,
                     status: str, note: str, by: Viewer) -> DecisionCondition:
    """Change a condition's terms (the team) or record whether it was met (the team or its owner).

    Changing the terms, or dropping the condition, changes what the board signed: the signature is voided
    and the decision awaits the board again. Recording that it was met or not met is tracking, not a change.
    """
    if not may_change_condition(by, condition):
        raise PermissionDenied(_("Only the owner or the human rights team can change this condition."))
    condition = DecisionCondition.objects.select_for_update().select_related("decision").get(pk=condition.pk)
    decision = _lock(condition.decision)
    if status not in ConditionStatus.values:
        raise ValidationError({"status": _("Unknown status.")})
    _check_terms(text=text, due_on=due_on)
    terms_changed = (text.strip(), owner.pk, due_on) != (condition.text, condition.owner_id, condition.due_on)
    if terms_changed and not by.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Only the human rights team can change what a condition says, its owner or due "
                                 "date."))
    if status in NEEDS_NOTE and not note.strip():
        raise ValidationError({"note": _("Say why the condition was not met or was dropped.")})
    if owner.pk != condition.owner_id:
        _check_owner(owner, decision.organisation)
    before = {"text": condition.text, "owner_id": condition.owner_id, "due_on": condition.due_on,
              "status": condition.status, "note": condition.note}
    condition.text, condition.owner, condition.due_on, condition.note = text.strip(), owner, due_on, note.strip()
    if status != condition.status:
        condition.status = status
        closed = status != ConditionStatus.OPEN
        condition.closed_by, condition.closed_at = (by.user, timezone.now()) if closed else (None, None)
    condition.save()
    changed = [name for name, value in before.items() if getattr(condition, name) != value]
    if not changed:
        return condition
    audit.record(organisation=decision.organisation, by=by, action="decision_condition.changed", target=condition,
                 summary=f"decision #{decision.pk}: {condition.status}", changed_fields=changed)
    if terms_changed or (status == ConditionStatus.DROPPED and before["status"] != ConditionStatus.DROPPED):
        _void_sign_off(decision, because=f"condition #{condition.pk} changed", by=by)
    return condition


# The board's sign-off --------------------------------------------------------

def _record_verdict(decision: StrategicDecision, *, verdict: str, comment: str, by: Viewer,
                    refused: str) -> tuple[StrategicDecision, DecisionSignOff]:
    """Check that a board member answers a decision awaiting the board, and keep their answer as it stands."""
    if not may_sign_off(by):
        raise PermissionDenied(refused)
    decision = _lock(decision)
    if decision.status != DecisionStatus.AWAITING_BOARD:
        raise ValidationError({"__all__": _("This decision is not awaiting a board sign-off.")})
    if not comment.strip():
        raise ValidationError({"comment": _("A comment is required: say what the board weighed.")})
    answer = DecisionSignOff.objects.create(
        organisation=decision.organisation, decision=decision, verdict=verdict, by=by.user, comment=comment.strip(),
        outcome=decision.outcome, deferred_to=decision.deferred_to, conditions=_conditions_snapshot(decision))
    return decision, answer


@transaction.atomic
def sign_off_decision(*, decision: StrategicDecision, comment: str, by: Viewer) -> DecisionSignOff:
    """A board member signs the outcome and conditions put to the board: from now the decision counts as taken."""
    decision, sign_off = _record_verdict(decision, verdict=SignOffVerdict.SIGNED, comment=comment, by=by,
                                         refused=_("Only a board member can sign off this decision."))
    decision.status, decision.decided_at = DecisionStatus.DECIDED, sign_off.at
    decision.save(update_fields=["status", "decided_at", "updated_at"])
    audit.record(organisation=decision.organisation, by=by, action="strategic_decision.signed_off", target=decision,
                 summary=f"{decision.outcome}, {len(sign_off.conditions)} condition(s)")
    return sign_off


@transaction.atomic
def decline_sign_off(*, decision: StrategicDecision, comment: str, by: Viewer) -> DecisionSignOff:
    """A board member refuses to sign: the decision goes back to the team, with the comment saying why."""
    decision, refusal = _record_verdict(decision, verdict=SignOffVerdict.DECLINED, comment=comment, by=by,
                                        refused=_("Only a board member can decline to sign off this decision."))
    decision.status, decision.decided_by, decision.decided_at = DecisionStatus.DRAFT, None, None
    decision.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
    audit.record(organisation=decision.organisation, by=by, action="strategic_decision.sign_off_declined",
                 target=decision, summary=decision.outcome)
    return refusal
