"""Decide on each final theme, and tell every respondent who can be written to what became of what they said.

Sending follows one rule above all: never twice to the same address. Each message is claimed (a
RespondentMessage row, unique per consultation and address fingerprint, committed) before it is handed to the
mail backend, and marked sent or failed after. A process killed between the two leaves a claim that is neither:
its message may or may not have left, so it is counted "unknown" and never resent. Addresses not yet claimed
are what a resumed run sends to.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability, Function
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.sealing import SealingError
from rightsloop.engagements.outcomes import decision_errors
from rightsloop.engagements.vocabulary import Outcome

from .. import loop
from ..models import (
    Consultation,
    MessageRun,
    Respondent,
    RespondentMessage,
    SendingState,
    Theme,
    ThemeDecision,
    ThemeStatus,
)

logger = logging.getLogger(__name__)

# Messages handed to the mail backend per call (one connection, one round of database writes).
BATCH_SIZE = 500


# Routing and decisions ---------------------------------------------------------------------------------------

def may_decide_theme(viewer: Viewer, theme: Theme) -> bool:
    """The human rights team decides any theme; a decision maker decides the themes routed to their function."""
    if viewer.can(Capability.DECISIONS_ANY):
        return True
    return (viewer.can(Capability.DECISIONS_QUEUE) and bool(viewer.function)
            and theme.owning_function == viewer.function)


@transaction.atomic
def route_theme(*, theme: Theme, owning_function: str, by: Viewer) -> Theme:
    """Route a theme to the function that owns its decision (empty: to nobody), as an input is routed."""
    if not by.can(Capability.CONSULTATIONS_ANALYSE):
        raise PermissionDenied(_("Your role cannot route consultation themes."))
    if owning_function and owning_function not in Function.values:
        raise ValidationError({"owning_function": _("Unknown function.")})
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    if theme.owning_function == owning_function:
        return theme
    before = theme.owning_function
    theme.owning_function = owning_function
    theme.routed_at = timezone.now() if owning_function else None
    theme.save(update_fields=["owning_function", "routed_at"])
    audit.record(organisation=by.organisation, by=by, action="consultation.theme_routed", target=theme,
                 summary=f"routed to {owning_function or 'nobody'} (was {before or 'nobody'})",
                 changed_fields=["owning_function"])
    return theme


@transaction.atomic
def decide_theme(
    *,
    theme: Theme,
    outcome: str,
    rationale: str = "",
    next_step: str = "",
    next_step_due: datetime.date | None = None,
    by: Viewer,
) -> ThemeDecision:
    """Record (or revise) the decision on a final theme; every revision is kept."""
    now = timezone.now()
    theme = Theme.objects.select_for_update().get(pk=theme.pk)
    # Checked on the locked row: a theme routed elsewhere meanwhile is no longer this decision maker's.
    if not may_decide_theme(by, theme):
        raise PermissionDenied(_("Only the function this theme is routed to, or the human rights team, can "
                                 "decide on it."))
    if theme.status != ThemeStatus.FINAL:
        raise ValidationError(_("Only final themes can be decided on: finalise the themes first."))
    # The same rules as a decision on a single input, in the same words.
    errors = decision_errors(outcome=outcome, rationale=rationale, next_step=next_step,
                             next_step_due=next_step_due, today=timezone.localdate(now))
    if errors:
        raise ValidationError(errors)
    previous = theme.decisions.aggregate(last=Max("revision"))["last"] or 0
    considering = outcome == Outcome.UNDER_CONSIDERATION
    decision = ThemeDecision.objects.create(
        theme=theme, revision=previous + 1, outcome=outcome, rationale=rationale.strip(),
        next_step=next_step.strip() if considering else "", next_step_due=next_step_due if considering else None,
        function=theme.owning_function, decided_by=by.user, decided_at=now)
    theme.current_decision = decision
    theme.outcome = outcome
    theme.save(update_fields=["current_decision", "outcome"])
    audit.record(organisation=by.organisation, by=by,
                 action="consultation.theme_revised" if previous else "consultation.theme_decided",
                 target=theme, summary=f"{outcome} (revision {decision.revision})",
                 changed_fields=["outcome", "rationale", "next_step", "next_step_due"])
    return decision


# Starting and resuming ---------------------------------------------------------------------------------------

def _check_can_send(consultation: Consultation, by: Viewer) -> None:
    if not by.can(Capability.FEEDBACK_SEND):
        raise PermissionDenied(_("Your role cannot send messages to respondents."))
    blockers = loop.sending_blockers(consultation)
    if blockers:
        raise ValidationError(blockers)


def _enqueue(run: MessageRun) -> None:
    from ..tasks.messages import send_messages

    transaction.on_commit(partial(send_messages.enqueue, run_id=run.pk))


@transaction.atomic
def start_sending(*, consultation: Consultation, by: Viewer, background: bool = True) -> MessageRun:
    """Open a run sending one message to every reachable address not written to yet; the task does the sending.

    `background=False` leaves the sending to the caller (the management command runs it in the foreground).
    """
    _check_can_send(consultation, by)
    # One start at a time per consultation: the row lock orders two clicks of the button.
    Consultation.objects.select_for_update().filter(pk=consultation.pk).first()
    now = timezone.now()
    runs = list(consultation.message_runs.exclude(state=SendingState.DONE))
    if any(loop.is_active(run, now) for run in runs):
        raise ValidationError(_("Messages are being sent already: wait for this run to finish."))
    if runs:
        raise ValidationError(_("A sending was interrupted: resume it to send the rest."))
    total = loop.waiting_addresses(consultation).count()
    if not total:
        raise ValidationError(_("There is no one left to write to: every respondent who left an address and "
                                "agreed to hear the outcome has had their message."))
    run = MessageRun.objects.create(consultation=consultation, state=SendingState.RUNNING, total=total,
                                    heartbeat_at=now, created_by=by.user)
    audit.record(organisation=consultation.organisation, by=by, action="consultation.messages_started",
                 target=consultation, summary=f"run {run.pk}: {total} addresses")
    if background:
        _enqueue(run)
    return run


def resumable_run(consultation: Consultation) -> MessageRun | None:
    """The run a resume carries on: the newest one not done whose worker is gone."""
    now = timezone.now()
    for run in consultation.message_runs.exclude(state=SendingState.DONE):
        if not loop.is_active(run, now):
            return run
    return None


@transaction.atomic
def resume_sending(*, run: MessageRun, by: Viewer, background: bool = True) -> MessageRun:
    """Carry on an interrupted run: only addresses no run has claimed are sent to; unknown claims stay unsent."""
    run = MessageRun.objects.select_for_update().select_related("consultation").get(pk=run.pk)
    consultation = run.consultation
    _check_can_send(consultation, by)
    now = timezone.now()
    if run.state == SendingState.DONE:
        raise ValidationError(_("This sending is finished: there is nothing to resume."))
    if loop.is_active(run, now):
        raise ValidationError(_("This sending is still running."))
    run.total = run.messages.count() + loop.waiting_addresses(consultation).count()
    run.state = SendingState.RUNNING
    run.heartbeat_at = now
    run.finished_at = None
    run.message = ""
    run.save(update_fields=["total", "state", "heartbeat_at", "finished_at", "message"])
    unknown = run.messages.filter(sent_at__isnull=True, failure="").count()
    audit.record(organisation=consultation.organisation, by=by, action="consultation.messages_resumed",
                 target=consultation, summary=f"run {run.pk}: {run.total} addresses, {unknown} unknown not resent")
    if background:
        _enqueue(run)
    return run


# When the task worker stops under a sending (core.supervision) ---------------------------------------------------

def _when(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")


@transaction.atomic
def resume_stopped_sending(*, run_id: int, at: datetime.datetime) -> bool:
    """Set a sending whose worker stopped running again, so the task queued again carries it on; False if it ended.

    Nothing is resent: the task sends only to addresses no run has claimed, and claims left neither sent nor
    failed by the stopped worker stay unknown (ADR 0003)."""
    run = MessageRun.objects.select_for_update().select_related("consultation__organisation").filter(
        pk=run_id, state__in=[SendingState.RUNNING, SendingState.INTERRUPTED]).first()
    if run is None:
        return False
    consultation = run.consultation
    run.total = run.messages.count() + loop.waiting_addresses(consultation).count()
    run.state, run.heartbeat_at, run.finished_at = SendingState.RUNNING, at, None
    run.message = _("The worker stopped; resumed at %(time)s.") % {"time": _when(at)}
    run.save(update_fields=["total", "state", "heartbeat_at", "finished_at", "message"])
    unknown = run.messages.filter(sent_at__isnull=True, failure="").count()
    audit.record(organisation=consultation.organisation, by=None, action="consultation.messages_resumed",
                 target=consultation,
                 summary=f"run {run.pk}: the worker stopped; queued again, {unknown} unknown not resent")
    return True


def note_sending_overdue(*, run_id: int, limit_seconds: int) -> None:
    """Say on the messages page that the sending runs longer than its limit (the log says it too)."""
    MessageRun.objects.filter(pk=run_id, state=SendingState.RUNNING).update(message=_(
        "Running for longer than expected (more than %(minutes)s minutes).") % {"minutes": max(1, limit_seconds // 60)})


def abandon_sending(*, run_id: int) -> None:
    """The worker stopped under this sending again and again: leave it interrupted, for a person to resume."""
    MessageRun.objects.filter(pk=run_id, state__in=[SendingState.RUNNING, SendingState.INTERRUPTED]).update(
        state=SendingState.INTERRUPTED,
        message=_("The worker stopped several times during this sending, so it was not resumed again. Resume it "
                  "yourself, or ask your administrator to look at the worker's log."))


# The sending loop --------------------------------------------------------------------------------------------

class _Handed(list):
    """A batch that counts how many messages the backend has taken from it.

    Backends iterate the list they are given and hand each message over in turn. When one raises, the count
    says which message failed, which were handed over before it, and which were never taken (and may still
    be sent): the difference between "failed" and "unknown" for a batch of 500.
    """

    def __init__(self, messages):
        super().__init__(messages)
        self.taken = 0

    def __iter__(self):
        for message in super().__iter__():
            self.taken += 1
            yield message


def _reset(connection) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection may fail to close; the next call reopens it
        logger.info("mail connection did not close cleanly")


def _hand_over(connection, outgoing: list[tuple[str, EmailMessage]]) -> tuple[list[str], dict[str, str], list[str]]:
    """Send the batch; returns the addresses (fingerprints) sent, those failed with the reason, and those the
    backend never took because it could not be reached at all."""
    sent: list[str] = []
    failed: dict[str, str] = {}
    start = 0
    while start < len(outgoing):
        handed = _Handed(message for _address, message in outgoing[start:])
        try:
            count = connection.send_messages(handed)
        except Exception as error:  # any backend error is recorded against its message
            if handed.taken == 0:
                logger.warning("the mail backend took no message: %s", type(error).__name__)
                return sent, failed, [address for address, _m in outgoing[start:]]
            failing = start + handed.taken - 1
            sent += [address for address, _m in outgoing[start:failing]]
            failed[outgoing[failing][0]] = type(error).__name__[:300]
            logger.warning("a consultation message was refused by the mail backend: %s", type(error).__name__)
            start = failing + 1
            _reset(connection)
            continue
        if not count and handed.taken == 0:
            return sent, failed, [address for address, _m in outgoing[start:]]
        sent += [address for address, _m in outgoing[start:]]
        break
    return sent, failed, []


def _hand_over_in_parallel(pool, connections, outgoing) -> tuple[list[str], dict[str, str], list[str]]:
    """Split the batch over several connections; a mail server answering each command takes most of the time."""
    if pool is None or len(outgoing) < 2 * len(connections):
        return _hand_over(connections[0], outgoing)
    share = len(connections)
    sent: list[str] = []
    failed: dict[str, str] = {}
    untaken: list[str] = []
    for part_sent, part_failed, part_untaken in pool.map(
            _hand_over, connections, [outgoing[start::share] for start in range(share)]):
        sent += part_sent
        failed.update(part_failed)
        untaken += part_untaken
    return sent, failed, untaken


def _claim(run: MessageRun, rows: list[RespondentMessage]) -> list[RespondentMessage]:
    """Write the claims; with another run claiming at the same time, keep only the ones this run won."""
    try:
        with transaction.atomic():
            RespondentMessage.objects.bulk_create(rows)
        return rows
    except IntegrityError:
        won = []
        for row in rows:
            fresh = RespondentMessage(consultation_id=row.consultation_id, run=run, respondent_id=row.respondent_id,
                                      contact_index=row.contact_index, language=row.language)
            try:
                with transaction.atomic():
                    fresh.save(force_insert=True)
            except IntegrityError:
                continue
            won.append(fresh)
        return won


def _next_batch(run: MessageRun, composer: loop.Composer, after: str, size: int):
    """Claim the next addresses after `after`; returns (last address looked at, messages to hand over)."""
    consultation = run.consultation
    addresses = list(loop.waiting_addresses(consultation).filter(contact_index__gt=after)[:size])
    if not addresses:
        return None, [], {}
    people = list(loop.reachable(consultation).filter(contact_index__in=addresses).order_by("contact_index", "id")
                  .only("id", "organisation_id", "response_import_id", "line", "contact_sealed", "contact_index",
                        "language"))
    by_address: dict[str, list[Respondent]] = {}
    for person in people:
        by_address.setdefault(person.contact_index, []).append(person)
    default_language = consultation.organisation.default_language
    rows = []
    for address, group in by_address.items():
        spoken = next((person.language for person in group if person.language), "")
        rows.append(RespondentMessage(consultation=consultation, run=run, respondent=group[0], contact_index=address,
                                      language=loop.message_language(spoken, default_language)))
    claimed = _claim(run, rows)
    themes = loop.themes_of(person.pk for person in people)
    outgoing, unreadable = [], {}
    for row in claimed:
        group = by_address[row.contact_index]
        try:
            # The only place a respondent's contact is opened: here, to address the message.
            to = group[0].contact.strip()
        except SealingError:
            to = ""
        if not to:
            unreadable[row.contact_index] = "contact cannot be read"
            continue
        theme_ids = set().union(*(themes.get(person.pk, set()) for person in group))
        subject, body = composer.compose(row.language, theme_ids)
        outgoing.append((row.contact_index, EmailMessage(
            subject=subject, body=body, to=[to],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": row.language})))
    return addresses[-1], outgoing, unreadable


def _record(run: MessageRun, sent: list[str], failed: dict[str, str]) -> None:
    now = timezone.now()
    mine = RespondentMessage.objects.filter(run=run)
    if sent:
        mine.filter(contact_index__in=sent).update(sent_at=now)
    for reason in set(failed.values()):
        mine.filter(contact_index__in=[a for a, r in failed.items() if r == reason]).update(failure=reason)
    MessageRun.objects.filter(pk=run.pk).update(sent=F("sent") + len(sent), failed=F("failed") + len(failed),
                                                heartbeat_at=now)


def _stop(run: MessageRun, state: str, summary: str) -> None:
    now = timezone.now()
    MessageRun.objects.filter(pk=run.pk).update(state=state, heartbeat_at=now,
                                                finished_at=now if state == SendingState.DONE else None)
    run.refresh_from_db()
    audit.record(organisation=run.consultation.organisation, by=None,
                 action="consultation.messages_done" if state == SendingState.DONE
                 else "consultation.messages_interrupted",
                 target=run.consultation, summary=f"run {run.pk}: {summary}"[:300])


def deliver(*, run_id: int, batch_size: int = BATCH_SIZE, connection=None, connections: int = 1,
            on_progress: Callable[[MessageRun], None] | None = None) -> MessageRun:
    """Send the run's messages batch by batch until no address is left; safe to run twice.

    Each batch is claimed and committed before it is handed over, and marked after, so an interruption at any
    point leaves at worst unknown claims, never a second message to anyone. `connections` > 1 hands each batch
    over through that many connections to the configured backend at once (an SMTP relay answers each command).
    """
    run = MessageRun.objects.select_related("consultation__organisation", "consultation__engagement").get(pk=run_id)
    if run.state != SendingState.RUNNING:
        return run
    composer = loop.Composer(run.consultation)
    pipes = [connection] if connection is not None else [
        get_connection(fail_silently=False) for _pipe in range(max(1, connections))]
    pool = ThreadPoolExecutor(len(pipes), thread_name_prefix="consultation-mail") if len(pipes) > 1 else None
    after = ""
    try:
        while True:
            with transaction.atomic():
                last, outgoing, unreadable = _next_batch(run, composer, after, batch_size)
            if last is None:
                break
            after = last
            sent, failed, untaken = _hand_over_in_parallel(pool, pipes, outgoing)
            _record(run, sent, {**unreadable, **failed})
            if untaken:
                # The backend could not be reached and took none of these: release their claims, so a resume
                # sends them; nothing is lost and nothing is unknown.
                RespondentMessage.objects.filter(run=run, contact_index__in=untaken).delete()
                _stop(run, SendingState.INTERRUPTED,
                      f"the mail backend could not be reached; {len(untaken)} claims released")
                run.stop_reason = _("The mail server could not be reached. Nothing was lost: resume when it is "
                                    "back.")
                return run
            run.refresh_from_db(fields=["sent", "failed", "heartbeat_at", "state"])
            if on_progress:
                on_progress(run)
    except BaseException:
        # Any stop we live through (an error, Ctrl-C) is shown as interrupted; a kill is noticed by the heartbeat.
        try:
            _stop(run, SendingState.INTERRUPTED, "stopped by an error")
        except Exception:  # the original error matters more
            logger.exception("could not mark message run %s interrupted", run.pk)
        raise
    finally:
        for pipe in pipes:
            _reset(pipe)
        if pool is not None:
            pool.shutdown()
    _stop(run, SendingState.DONE, f"{run.sent} sent, {run.failed} failed")
    return run
