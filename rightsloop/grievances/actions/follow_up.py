"""What the person who raised a case does with it: answer, add a file, say how satisfied they are, appeal, and
read what was written to them. Through the follow-up page and the public API (`by` None: the person themselves)
or relayed by staff who took it by phone, letter or in person (`by` a member who may record or handle cases).

Keyword-only, typed, atomic, audited; the audit summaries name the case and what kind of thing happened, never
what the person said.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from .. import attachments as attachment_rules
from ..models import Appeal, CaseAttachment, CaseMessage, Grievance, GrievanceSettings, HandlerExclusion, StageChange
from ..stages import APPEALABLE
from ..vocabulary import MessageDirection, MessageVia, Satisfaction, Stage
from .intake import REPLACEMENT, check_submission_key, submission_digest

MESSAGE_MAX = 10_000
NOTE_MAX = 5_000
REASON_MAX = 5_000
APPEAL_EXCLUSION_REASON = "handled the appealed outcome"


def _check(grievance: Grievance, by: Viewer | None, via: str) -> None:
    if via not in MessageVia.values:
        raise ValidationError({"via": [_("Unknown way of receiving this.")]})
    if by is not None:
        if by.organisation.pk != grievance.organisation_id or not (
                by.can(Capability.GRIEVANCES_HANDLE) or by.can(Capability.GRIEVANCES_RECORD)):
            raise PermissionDenied(_("Your role does not allow recording what the person said."))
        if grievance.exclusions.filter(user=by.user).exists():
            raise PermissionDenied(_("You are excluded from this case."))
    if grievance.is_erased:
        raise ValidationError({"__all__": [_("This case was erased; it can no longer change.")]})


def _text(value, *, field: str, limit: int, required: bool, missing: str = "") -> str:
    if not isinstance(value, str):
        raise ValidationError({field: [_("Give text.")]})
    value = value.strip()
    if required and not value:
        raise ValidationError({field: [missing]})
    if REPLACEMENT in value:
        raise ValidationError({field: [_("Some characters of this text could not be read (it is not valid "
                                         "UTF-8). Type or paste it again.")]})
    if "\x00" in value:
        raise ValidationError({field: [_("Text may not contain NUL characters.")]})
    if len(value) > limit:
        raise ValidationError({field: [_("Keep this under %(limit)s characters; it has %(count)s.") % {
            "limit": f"{limit:,}", "count": f"{len(value):,}"}]})
    return value


def _lock(grievance: Grievance) -> Grievance:
    locked = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if "_case_key" in grievance.__dict__:
        locked.__dict__["_case_key"] = grievance.__dict__["_case_key"]
    return locked


def _record(grievance: Grievance, by: Viewer | None, action: str, summary: str, changed=()) -> None:
    audit.record(organisation=grievance.organisation, by=by, action=action, target=grievance, summary=summary,
                 changed_fields=changed)


def has_outcome(grievance: Grievance) -> bool:
    """Whether the person has been given an outcome (or told the case is not admissible) to be satisfied with."""
    return grievance.stage in (Stage.NOT_ADMISSIBLE, Stage.CLOSED) or bool(bytes(grievance.outcome_summary_sealed
                                                                                 or b""))


def may_appeal(grievance: Grievance) -> bool:
    return grievance.stage in APPEALABLE and not grievance.is_erased


@transaction.atomic
def reply(*, grievance: Grievance, text: str, via: str, submission_key: str = "",
          by: Viewer | None = None, now: datetime.datetime | None = None) -> CaseMessage:
    """A message from the person (answering a question, or adding something); the same key sent twice is one."""
    _check(grievance, by, via)
    text = _text(text, field="text", limit=MESSAGE_MAX, required=True, missing=_("Write your message."))
    digest = submission_digest(check_submission_key(submission_key))
    if digest:
        existing = CaseMessage.objects.filter(grievance=grievance, submission_key=digest).first()
        if existing is not None:
            existing.grievance = grievance
            if existing.text != text:
                raise ValidationError({"submission_key": [_(
                    "This message was already sent, with other words. Open the page again to write another.")]})
            return existing
    from .intake import _detect_language

    message = CaseMessage(grievance=grievance, direction=MessageDirection.FROM_COMPLAINANT, via=via, text=text,
                          language=_detect_language(text), author=by.user if by else None, submission_key=digest,
                          created_at=now or timezone.now())
    message.save()
    _record(grievance, by, "grievance.message_from_complainant", f"{grievance.label}: message from the person "
            f"({via})", ["messages"])
    return message


def add_attachment(*, grievance: Grievance, files: Sequence, via: str, by: Viewer | None = None,
                   now: datetime.datetime | None = None) -> list[CaseAttachment]:
    """Files the person adds to their case (at most three at a time, twenty in all)."""
    _check(grievance, by, via)
    if not files:
        raise ValidationError({"attachments": [_("Choose a file to add.")]})
    already = CaseAttachment.objects.filter(grievance=grievance).count()
    checked = attachment_rules.check(list(files), already=already)
    now = now or timezone.now()
    written = []
    try:
        with transaction.atomic():
            added = []
            for item in checked:
                attachment = CaseAttachment(grievance=grievance, file_name=item.name, content_type=item.content_type,
                                            size=item.size, from_complainant=True,
                                            uploaded_by=by.user if by else None, uploaded_at=now)
                attachment.file.save("upload", item.upload, save=False)
                written.append(attachment.file)
                attachment.save()
                added.append(attachment)
            _record(grievance, by, "grievance.attachment_from_complainant",
                    f"{grievance.label}: {len(added)} file(s) from the person ({via})", ["attachments"])
            return added
    except BaseException:
        for stored in written:
            stored.storage.delete(stored.name)
        raise


@transaction.atomic
def give_satisfaction(*, grievance: Grievance, satisfaction: str, note: str, via: str, by: Viewer | None = None,
                      now: datetime.datetime | None = None) -> Grievance:
    """How satisfied the person is with the outcome; asked once there is one, and they may change their mind."""
    _check(grievance, by, via)
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": [_("Choose how satisfied you are.")]})
    note = _text(note, field="note", limit=NOTE_MAX, required=False)
    grievance = _lock(grievance)
    if not has_outcome(grievance):
        raise ValidationError({"satisfaction": [_("You can say how satisfied you are once there is an outcome.")]})
    changed = grievance.satisfaction != ""
    grievance.satisfaction = satisfaction
    grievance.satisfaction_note = note
    grievance.satisfaction_at = now or timezone.now()
    grievance.save(update_fields=["satisfaction", "satisfaction_at"])
    _record(grievance, by, "grievance.satisfaction", f"{grievance.label}: satisfaction "
            f"{'changed' if changed else 'given'} ({satisfaction}, {via})", ["satisfaction", "satisfaction_note"])
    return grievance


@transaction.atomic
def appeal(*, grievance: Grievance, reason: str, via: str, by: Viewer | None = None,
           now: datetime.datetime | None = None) -> Appeal:
    """Re-open a closed or not-admissible case for a different handler: the previous one is excluded from it."""
    _check(grievance, by, via)
    reason = _text(reason, field="reason", limit=REASON_MAX, required=True,
                   missing=_("Say briefly why you appeal: what you think was wrong with the outcome."))
    grievance = _lock(grievance)
    if grievance.stage not in APPEALABLE:
        raise ValidationError({"stage": [_("You can appeal once the case is closed or was found not admissible.")]})
    now = now or timezone.now()
    previous_stage, previous_handler = grievance.stage, grievance.handler
    filed = Appeal(grievance=grievance, reason=reason, from_stage=previous_stage, previous_handler=previous_handler,
                   via=via, filed_at=now)
    filed.save()
    if previous_handler is not None:
        HandlerExclusion.objects.get_or_create(grievance=grievance, user=previous_handler, defaults={
            "reason": APPEAL_EXCLUSION_REASON, "by": by.user if by else None, "at": now})
    mechanism = GrievanceSettings.of(grievance.organisation)
    grievance.handler = None
    grievance.stage = Stage.ASSESSING
    grievance.stage_changed_at = now
    grievance.appeals_count += 1
    grievance.closed_at = None
    grievance.responded_at = None
    grievance.respond_due_on = timezone.localdate(now) + datetime.timedelta(days=mechanism.respond_days)
    # The promise starts again, so the escalation of the old one does too.
    grievance.escalation_level = 0
    grievance.escalated_at = None
    grievance.save(update_fields=["handler", "stage", "stage_changed_at", "appeals_count", "closed_at",
                                  "responded_at", "respond_due_on", "escalation_level", "escalated_at"])
    StageChange.objects.create(grievance=grievance, from_stage=previous_stage, to_stage=Stage.ASSESSING,
                               by=by.user if by else None, at=now)
    _record(grievance, by, "grievance.appealed", f"{grievance.label}: appealed from {previous_stage} ({via}); "
            f"previous handler excluded", ["stage", "handler", "appeals_count", "respond_due_on"])
    return filed


@transaction.atomic
def mark_seen(grievance: Grievance, *, now: datetime.datetime | None = None) -> int:
    """Mark what was written to the person as seen by them (they opened their case); returns how many."""
    seen = CaseMessage.objects.filter(grievance=grievance, direction=MessageDirection.TO_COMPLAINANT,
                                      seen_at__isnull=True).update(seen_at=now or timezone.now())
    if seen:
        _record(grievance, None, "grievance.messages_seen", f"{grievance.label}: {seen} message(s) seen by the person",
                ["messages.seen_at"])
    return seen
