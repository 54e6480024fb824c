"""Handling a case (M2): acknowledge, move it through its stages, name and exclude handlers, write to the
person and between handlers, record the outcome and its rights review, classify it. Keyword-only, typed,
atomic, audited.

Who may act: a member of the case's organisation who holds grievances.handle and is not excluded from the
case (the same people queries.access_case lets open it). Anyone else is refused, whatever door they came in by.

Nothing the person told us, nor anything written to them or about them, goes into an audit summary: the
summaries name stages, record ids and field names only. The person learns of every move through the
follow-up page (the StageChange note is what they are told); nothing is emailed to them, since an email
would carry content to a mailbox we cannot vouch for and anonymous people gave none.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.models import Membership, User
from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit, countries, rights
from rightsloop.stakeholders.vocabulary import AtRisk

from .. import queries, stages
from ..models import CaseMessage, Grievance, HandlerExclusion, StageChange
from ..vocabulary import MessageDirection, MessageVia, Stage
from . import follow_up

NOTE_MAX = 5000
MESSAGE_MAX = 20000
OUTCOME_MAX = 20000
REASON_MAX = 300
PRODUCT_MAX = 200
# What staff may record as the way a person's answer reached them (the follow-up page and the API are the
# person's own doors, not staff's).
RELAYED_VIA = (MessageVia.STAFF, MessageVia.PROXY)


def _stage_label(code: str) -> str:
    try:
        return str(Stage(code).label)
    except ValueError:
        return code[:40]


def _lock(grievance: Grievance) -> Grievance:
    """Re-read the case under a row lock, so two handlers' moves never interleave."""
    return Grievance.objects.select_for_update().get(pk=grievance.pk)


def _check_actor(grievance: Grievance, by: Viewer) -> None:
    """Refuse anyone who may not handle this case (another organisation, no grievances.handle, excluded)."""
    if by.organisation.pk != grievance.organisation_id or not by.can(Capability.GRIEVANCES_HANDLE):
        raise PermissionDenied(_("Only the people handling grievances may change a case."))
    if grievance.exclusions.filter(user=by.user).exists():
        raise PermissionDenied(_("You are excluded from this case."))
    if grievance.is_erased:
        raise ValidationError({"__all__": [_("This case was erased; it can no longer change.")]})


def _text(value: str, *, field: str, limit: int, required: bool, missing: str) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [missing]})
    if len(value) > limit:
        raise ValidationError({field: [_("Keep this under %(limit)s characters (it has %(count)s).") % {
            "limit": limit, "count": len(value)}]})
    return value


def _record(grievance: Grievance, by: Viewer | None, action: str, summary: str = "", changed=()) -> None:
    audit.record(organisation=grievance.organisation, by=by, action=action, target=grievance,
                 summary=summary, changed_fields=changed)


def _move(grievance: Grievance, *, to: str, note: str, by: Viewer, now) -> StageChange:
    """Write the move itself (the caller checked it): the stage, its dates and the StageChange."""
    came_from = grievance.stage
    changed = {"stage", "stage_changed_at"}
    grievance.stage = to
    grievance.stage_changed_at = now
    if to == Stage.ACKNOWLEDGED and grievance.acknowledged_at is None:
        grievance.acknowledged_at = now
        changed.add("acknowledged_at")
    if to in stages.SUBSTANTIVE and grievance.responded_at is None:
        grievance.responded_at = now
        changed.add("responded_at")
    if to in (Stage.CLOSED, Stage.NOT_ADMISSIBLE):
        grievance.closed_at = now
        changed.add("closed_at")
    if grievance.handler_id is None:
        # Whoever moves an unassigned case is handling it (after an appeal, the first to pick it up).
        grievance.handler = by.user
        changed.add("handler")
    # A sealed attribute set before the move (not-admissible reasons) is added to the update by save().
    grievance.save(update_fields=sorted(changed))
    if to == Stage.NOT_ADMISSIBLE:
        changed.add("not_admissible_reasons")
    change = StageChange.objects.create(grievance=grievance, from_stage=came_from, to_stage=to, note=note,
                                        by=by.user, at=now)
    _record(grievance, by, "grievance.stage_changed", f"{came_from} → {to}, stage change {change.pk}",
            changed=changed)
    return change


@transaction.atomic
def acknowledge(*, grievance: Grievance, note: str = "", by: Viewer) -> Grievance:
    """Tell the person a handler has read their grievance; the acknowledging handler takes an unassigned case."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    if grievance.stage != Stage.RECEIVED:
        raise ValidationError({"stage": [_("Only a received case can be acknowledged; this one is %(stage)s.") % {
            "stage": _stage_label(grievance.stage).lower()}]})
    note = _text(note, field="note", limit=NOTE_MAX, required=False, missing="")
    _move(grievance, to=Stage.ACKNOWLEDGED, note=note, by=by, now=timezone.now())
    return grievance


@transaction.atomic
def move_stage(*, grievance: Grievance, to: str, note: str = "", by: Viewer, reasons: str = "") -> Grievance:
    """Move a case to one of the stages stages.NEXT allows from where it is.

    Not admissible needs the reasons (why, and where else the person can go), kept sealed on the case.
    Closing needs the outcome recorded first (record_outcome). Reaching a substantive stage the first time
    is the response the deadline asked for.
    """
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    if to not in Stage.values:
        raise ValidationError({"to": [_("Unknown stage.")]})
    if not stages.allowed(grievance.stage, to):
        allowed = [_stage_label(code).lower() for code in stages.NEXT.get(grievance.stage, ())]
        if allowed:
            message = _("A case that is %(current)s cannot move to %(wanted)s; it can move to: %(allowed)s.") % {
                "current": _stage_label(grievance.stage).lower(), "wanted": _stage_label(to).lower(),
                "allowed": ", ".join(allowed)}
        else:
            message = _("A case that is %(current)s cannot move to %(wanted)s; only an appeal re-opens it.") % {
                "current": _stage_label(grievance.stage).lower(), "wanted": _stage_label(to).lower()}
        raise ValidationError({"to": [message]})
    note = _text(note, field="note", limit=NOTE_MAX, required=False, missing="")
    if to == Stage.NOT_ADMISSIBLE:
        reasons = _text(reasons, field="reasons", limit=NOTE_MAX, required=True, missing=_(
            "Say why this mechanism cannot deal with it, and where else the person can go."))
        grievance.not_admissible_reasons = reasons
    elif reasons.strip():
        raise ValidationError({"reasons": [_("Reasons are given only when a case is not admissible.")]})
    if to == Stage.CLOSED and not (grievance.outcome_summary or "").strip():
        raise ValidationError({"to": [_("Record the outcome before closing the case: it is what the person "
                                        "is told and what they may appeal.")]})
    _move(grievance, to=to, note=note, by=by, now=timezone.now())
    return grievance


@transaction.atomic
def assign_handler(*, grievance: Grievance, handler: User | None, by: Viewer) -> Grievance:
    """Name who handles the case (None releases it): an active member of its organisation who may handle
    grievances and is not excluded from it."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    if handler is not None:
        if not handler.is_active or not Membership.objects.filter(
                user=handler, organisation_id=grievance.organisation_id, is_active=True).exists():
            raise ValidationError({"handler": [_(
                "A case handler outside the organisation cannot be named: only an active member of "
                "%(organisation)s may handle its cases.") % {"organisation": grievance.organisation.name}]})
        if grievance.exclusions.filter(user=handler).exists():
            raise ValidationError({"handler": [_("This person is excluded from the case and cannot handle it.")]})
        if not queries.may_handle(handler, grievance):
            raise ValidationError({"handler": [_(
                "This member's role does not include handling grievances (only the human rights team's does).")]})
    if grievance.handler_id == (handler.pk if handler else None):
        return grievance
    grievance.handler = handler
    grievance.save(update_fields=["handler"])
    _record(grievance, by, "grievance.handler_assigned",
            f"handler user {handler.pk}" if handler else "handler released", changed=["handler"])
    return grievance


@transaction.atomic
def exclude_handler(*, grievance: Grievance, user: User, reason: str, by: Viewer) -> HandlerExclusion:
    """Keep a member out of the case for good (conflict of interest); they can no longer open it at all."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    reason = _text(reason, field="reason", limit=REASON_MAX, required=True,
                   missing=_("Say why this person must be kept out of the case."))
    if not Membership.objects.filter(user=user, organisation_id=grievance.organisation_id).exists():
        raise ValidationError({"user": [_("Only a member of the organisation can be excluded from its cases.")]})
    if grievance.exclusions.filter(user=user).exists():
        raise ValidationError({"user": [_("This person is already excluded from the case.")]})
    exclusion = HandlerExclusion.objects.create(grievance=grievance, user=user, reason=reason, by=by.user,
                                                at=timezone.now())
    changed = []
    if grievance.handler_id == user.pk:
        grievance.handler = None
        grievance.save(update_fields=["handler"])
        changed.append("handler")
    # The reason can name the case's people: it stays on the exclusion row, never in the log.
    _record(grievance, by, "grievance.handler_excluded", f"user {user.pk} excluded, exclusion {exclusion.pk}",
            changed=changed)
    return exclusion


def _message(grievance: Grievance, *, direction: str, via: str, text: str, by: Viewer,
             is_question: bool = False) -> CaseMessage:
    from rightsloop.core.languages import detect

    # Its language detected like the grievance's (unsure stays unknown): the case page shows it in its direction.
    message = CaseMessage.objects.create(grievance=grievance, direction=direction, via=via, text=text,
                                         language=detect(text), is_question=is_question, author=by.user,
                                         created_at=timezone.now())
    _record(grievance, by, f"grievance.message_{direction}", f"message {message.pk}")
    return message


@transaction.atomic
def send_message(*, grievance: Grievance, text: str, is_question: bool = False, by: Viewer) -> CaseMessage:
    """Write to the person; they read it on their follow-up page (a question awaits their answer)."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    text = _text(text, field="text", limit=MESSAGE_MAX, required=True, missing=_("Write the message."))
    return _message(grievance, direction=MessageDirection.TO_COMPLAINANT, via=MessageVia.FOLLOW_UP, text=text,
                    by=by, is_question=is_question)


@transaction.atomic
def add_internal_note(*, grievance: Grievance, text: str, by: Viewer) -> CaseMessage:
    """A note between the case's handlers, never shown to the person."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    text = _text(text, field="text", limit=MESSAGE_MAX, required=True, missing=_("Write the note."))
    return _message(grievance, direction=MessageDirection.INTERNAL, via=MessageVia.STAFF, text=text, by=by)


@transaction.atomic
def record_message_from_complainant(*, grievance: Grievance, text: str, via: str, by: Viewer) -> CaseMessage:
    """Record what the person said by phone, letter, in person or through their proxy, as their own message
    (the same action as their answer on the follow-up page, relayed)."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    if via not in RELAYED_VIA:
        raise ValidationError({"via": [_("Say how their answer reached you: recorded by staff, or through a proxy.")]})
    return follow_up.reply(grievance=grievance, text=text, via=via, by=by)


@transaction.atomic
def record_outcome(*, grievance: Grievance, summary: str, by: Viewer) -> Grievance:
    """Record (or correct) what the case came to; a changed outcome needs its rights review again."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    if grievance.stage in (Stage.RECEIVED, Stage.NOT_ADMISSIBLE):
        raise ValidationError({"summary": [_(
            "A case that is %(stage)s has no outcome to record.") % {"stage": _stage_label(grievance.stage).lower()}]})
    summary = _text(summary, field="summary", limit=OUTCOME_MAX, required=True,
                    missing=_("Describe the outcome: what was found and what will be done."))
    if summary == (grievance.outcome_summary or ""):
        return grievance
    grievance.outcome_summary = summary
    reset = []
    if grievance.rights_reviewed_at is not None:
        grievance.rights_reviewed_by = None
        grievance.rights_reviewed_at = None
        reset = ["rights_reviewed_by", "rights_reviewed_at"]
    grievance.save(update_fields=reset)  # the sealed outcome column is added by save()
    _record(grievance, by, "grievance.outcome_recorded", changed=["outcome_summary", *reset])
    return grievance


@transaction.atomic
def review_rights(*, grievance: Grievance, by: Viewer) -> Grievance:
    """Record that the outcome was checked for compatibility with international human rights standards."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    if not (grievance.outcome_summary or "").strip():
        raise ValidationError({"__all__": [_("Record the outcome before reviewing it for rights compatibility.")]})
    grievance.rights_reviewed_by = by.user
    grievance.rights_reviewed_at = timezone.now()
    grievance.save(update_fields=["rights_reviewed_by", "rights_reviewed_at"])
    _record(grievance, by, "grievance.rights_reviewed", changed=["rights_reviewed_by", "rights_reviewed_at"])
    return grievance


@transaction.atomic
def set_classification(*, grievance: Grievance, rights: list[str], at_risk: list[str], product: str,
                       country: str, by: Viewer) -> Grievance:
    """Set what the figures count a case by: the rights at stake, groups at risk, product and country."""
    grievance = _lock(grievance)
    _check_actor(grievance, by)
    errors: dict[str, list[str]] = {}
    unknown_rights = [code for code in rights if not _known_right(code)]
    if unknown_rights:
        errors["rights"] = [_("Unknown right: %(codes)s.") % {
            "codes": ", ".join(str(c)[:40] for c in unknown_rights[:5])}]
    unknown_groups = [code for code in at_risk if not isinstance(code, str) or code not in AtRisk.values]
    if unknown_groups:
        errors["at_risk"] = [_("Unknown group at risk: %(codes)s.") % {
            "codes": ", ".join(str(c)[:40] for c in unknown_groups[:5])}]
    country = (country or "").strip().upper()
    if country and countries.get(country) is None:
        errors["country"] = [_("Choose a country from the list (an ISO 3166 two-letter code).")]
    product = (product or "").strip()
    if len(product) > PRODUCT_MAX:
        errors["product"] = [_("Keep the product under %(limit)s characters.") % {"limit": PRODUCT_MAX}]
    if errors:
        raise ValidationError(errors)
    values = {"rights": sorted(set(rights)), "at_risk": sorted(set(at_risk)), "product": product,
              "country": country}
    changed = [name for name, value in values.items() if getattr(grievance, name) != value]
    if changed:
        for name in changed:
            setattr(grievance, name, values[name])
        grievance.save(update_fields=changed)
        _record(grievance, by, "grievance.classified", changed=changed)
    return grievance


def _known_right(code) -> bool:
    return isinstance(code, str) and rights.is_known(code)


def record_case_read(*, grievance: Grievance, by: Viewer, where: str) -> None:
    """Every opening of a case's content leaves one audit entry (X3); `where` is the page or API path."""
    with transaction.atomic():
        _record(grievance, by, "grievance.read", where[:300])


def record_attachment_read(*, grievance: Grievance, attachment_id: int, by: Viewer) -> None:
    with transaction.atomic():
        _record(grievance, by, "grievance.attachment_read", f"attachment {attachment_id}")
