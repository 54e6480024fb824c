"""An exercise's findings become inputs, and its participants hear back what became of them.

A finding (common ground, a divide, what one opinion group stands for) is recorded as an anonymised input of the
exercise's engagement through the engagements app's own action, so it is routed, decided and counted in the loop
like anything a stakeholder said; an ExerciseResult row ties it to the run and the statement. Only figures of
groups large enough to show are ever written into an input.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability, Function
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core import languages as known_languages
from rightsloop.engagements.actions.feedback import channel_permitted
from rightsloop.engagements.actions.inputs import record_input
from rightsloop.engagements.vocabulary import Attribution
from rightsloop.stakeholders.vocabulary import Channel, SafetyLevel

from .. import links
from ..models import AnalysisRun, Exercise, ExerciseResult, Participant, Statement
from ..vocabulary import ResultKind, RunState

logger = logging.getLogger(__name__)
EVERYONE = -1


@dataclass(frozen=True)
class Pick:
    """One finding to turn into an input: a statement (by its number), what it shows, and for whom."""

    statement: int
    kind: str
    group: int = EVERYONE


def _percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 0


def shown_groups(results: dict) -> dict[int, dict]:
    return {int(g["id"]): g for g in results.get("groups", []) if g.get("shown")}


def _found(results: dict, pick: Pick) -> dict | None:
    """The run's entry for this pick, or None when the run did not find it."""
    number = pick.statement
    if pick.kind in (ResultKind.CONSENSUS_AGREE, ResultKind.CONSENSUS_DISAGREE):
        side = "agree" if pick.kind == ResultKind.CONSENSUS_AGREE else "disagree"
        entries = results.get("consensus", {}).get(side, [])
    elif pick.kind == ResultKind.DIVISIVE:
        entries = results.get("divisive", [])
    else:
        entries = results.get("representative", {}).get(str(pick.group), [])
    return next((entry for entry in entries if int(entry.get("statement", -1)) == number), None)


def _check(run: AnalysisRun, picks: list[Pick]) -> dict:
    results = run.results or {}
    groups = shown_groups(results)
    errors = []
    for pick in picks:
        if pick.kind not in ResultKind.values:
            errors.append(_("Unknown kind of finding: %(kind)s.") % {"kind": pick.kind})
        elif pick.kind == ResultKind.REPRESENTATIVE and pick.group not in groups:
            errors.append(_("Group %(group)s is not a group this run shows.") % {"group": pick.group})
        elif pick.kind != ResultKind.REPRESENTATIVE and pick.group != EVERYONE:
            errors.append(_("Common ground and divides are about everyone: give no group."))
        elif _found(results, pick) is None:
            errors.append(_("Statement %(number)s is not among this run's findings of that kind.")
                          % {"number": pick.statement})
    if errors:
        raise ValidationError({"picks": errors})
    return groups


def finding_text(*, exercise: Exercise, statement: Statement, pick: Pick, results: dict, groups: dict) -> str:
    """The input's words: what the exercise found, with figures of shown groups only."""
    figures = results.get("statements", {}).get(str(statement.number), {})
    values = {"question": exercise.question, "statement": statement.text}
    if pick.kind in (ResultKind.CONSENSUS_AGREE, ResultKind.CONSENSUS_DISAGREE):
        agree = pick.kind == ResultKind.CONSENSUS_AGREE
        values.update(share=_percent(figures.get("na" if agree else "nd", 0), figures.get("ns", 0)),
                      voters=figures.get("ns", 0))
        if agree:
            return _("Common ground in the consensus exercise “%(question)s”: %(share)s%% of the %(voters)s "
                     "participants who voted on it agree that “%(statement)s”.") % values
        return _("Common ground in the consensus exercise “%(question)s”: %(share)s%% of the %(voters)s "
                 "participants who voted on it disagree that “%(statement)s”.") % values
    per_group = figures.get("groups", {})
    if pick.kind == ResultKind.DIVISIVE:
        shares = "; ".join(
            _("group %(label)s: %(share)s%% agree") % {
                "label": group["label"], "share": _percent(per_group.get(str(gid), {}).get("na", 0),
                                                           per_group.get(str(gid), {}).get("ns", 0))}
            for gid, group in sorted(groups.items()) if str(gid) in per_group)
        values["shares"] = shares
        return _("A divide in the consensus exercise “%(question)s”: on “%(statement)s”, %(shares)s.") % values
    group, own = groups[pick.group], per_group.get(str(pick.group), {})
    direction = (_found(results, pick) or {}).get("direction", "agree")
    values.update(label=group["label"], size=group.get("size", 0))
    if direction == "disagree":
        values["share"] = _percent(own.get("nd", 0), own.get("ns", 0))
        return _("What one opinion group stands for in the consensus exercise “%(question)s”: %(share)s%% of "
                 "group %(label)s (%(size)s participants) disagree that “%(statement)s”.") % values
    values["share"] = _percent(own.get("na", 0), own.get("ns", 0))
    return _("What one opinion group stands for in the consensus exercise “%(question)s”: %(share)s%% of "
             "group %(label)s (%(size)s participants) agree that “%(statement)s”.") % values


def _language(exercise: Exercise) -> str:
    language = (exercise.language or "").lower()
    return language if language and known_languages.is_known(language) else ""


@transaction.atomic
def results_to_inputs(*, run: AnalysisRun, picks: Iterable[Pick], by: Viewer,
                      owning_function: str = "") -> list[ExerciseResult]:
    """Turn the picked findings of a finished run into inputs; a finding already turned into one is not doubled.

    Returns the exercise's result rows for the picks, new and earlier ones, in the order picked.
    """
    if not by.can(Capability.ENGAGEMENTS_EDIT):
        raise PermissionDenied(_("Your role cannot turn findings into inputs."))
    if run.state != RunState.DONE:
        raise ValidationError(_("Only a finished analysis has findings to turn into inputs."))
    if owning_function and owning_function not in Function.values:
        raise ValidationError({"owning_function": _("Unknown function.")})
    picks = list(dict.fromkeys(picks))
    if not picks:
        raise ValidationError({"picks": _("Choose at least one finding.")})
    exercise = Exercise.objects.select_for_update().select_related("engagement", "organisation").get(pk=run.exercise_id)
    groups = _check(run, picks)
    statements = {s.number: s for s in exercise.statements.filter(number__in=[p.statement for p in picks])}
    existing = {(r.statement.number, r.kind, r.group): r for r in ExerciseResult.objects.filter(
        statement__exercise=exercise, statement__number__in=list(statements)).select_related("statement")}
    language = _language(exercise)
    rows, created = [], 0
    for pick in picks:
        statement = statements.get(pick.statement)
        if statement is None:
            raise ValidationError({"picks": [_("Statement %(number)s no longer exists.") % {"number": pick.statement}]})
        key = (pick.statement, pick.kind, pick.group)
        if key in existing:
            rows.append(existing[key])
            continue
        with translation.override(language or translation.get_language()):
            text = finding_text(exercise=exercise, statement=statement, pick=pick, results=run.results, groups=groups)
        item, _new = record_input(engagement=exercise.engagement, text=text, by=by, attribution=Attribution.ANONYMISED,
                                  owning_function=owning_function, language=language,
                                  idempotency_key=f"consensus-{statement.pk}-{pick.kind}-{pick.group}"[:64])
        row = ExerciseResult.objects.create(run=run, statement=statement, kind=pick.kind, group=pick.group,
                                            input=item, created_by=by.user)
        existing[key] = row
        rows.append(row)
        created += 1
    if created:
        audit.record(organisation=exercise.organisation, by=by, action="exercise.results_to_inputs", target=exercise,
                     summary=f"run #{run.pk}: {created} finding(s) turned into inputs"
                             + (f", routed to {owning_function}" if owning_function else ""))
    return rows


# Hearing back -------------------------------------------------------------------------------------------------------

def may_email(participant: Participant) -> bool:
    """Whether the outcome may go to this participant by email: the engagement's own rule for feedback by email
    (an address, consent to contact, a safe channel), and never anyone at high safety, nor a revoked link."""
    participation = participant.participation
    if participation is None or participant.link_revoked_at is not None:
        return False
    stakeholder = participation.stakeholder
    if getattr(stakeholder, "is_erased", False) or stakeholder.safety_level == SafetyLevel.HIGH:
        return False
    return channel_permitted(participation, Channel.EMAIL)


def recipients(exercise: Exercise) -> list[Participant]:
    participants = (exercise.participants.filter(participation__isnull=False, link_revoked_at__isnull=True)
                    .select_related("participation__stakeholder").order_by("number"))
    return [participant for participant in participants if may_email(participant)]


@transaction.atomic
def send_outcome(*, exercise: Exercise, by: Viewer) -> int:
    """Email each participant we may safely write to a short note with their link to read the outcome.

    Returns how many emails were queued; the sending happens after commit, in the background, and checks
    safety again at the moment of sending.
    """
    if not by.can(Capability.FEEDBACK_SEND):
        raise PermissionDenied(_("Your role cannot send feedback."))
    if not ExerciseResult.objects.filter(run__exercise=exercise).exists():
        raise ValidationError(_("No finding of this exercise has become an input yet: there is no outcome to tell."))
    chosen = recipients(exercise)
    if not chosen:
        raise ValidationError(_("No participant of this exercise can safely be written to by email."))
    for participant in chosen:
        if not participant.link_nonce:  # a portal voter with no link yet: give one, so the email can carry it
            participant.link_nonce = links.new_nonce()
            participant.save(update_fields=["link_nonce"])
    audit.record(organisation=exercise.organisation, by=by, action="exercise.outcome_sent", target=exercise,
                 summary=f"{len(chosen)} participant(s) by email")
    from ..tasks import send_outcome_emails

    transaction.on_commit(partial(send_outcome_emails.enqueue, exercise_id=exercise.pk,
                                  participant_ids=[p.pk for p in chosen],
                                  requested_at=timezone.now().isoformat()))
    return len(chosen)


def voting_url(participant: Participant) -> str:
    token = links.token_for(participant)
    return settings.RIGHTSLOOP_BASE_URL.rstrip("/") + reverse("consensus-public:vote", args=[token])


def _outcome_email(exercise: Exercise, participant: Participant) -> EmailMessage:
    from rightsloop.core.languages import language_for_stakeholder

    stakeholder = participant.participation.stakeholder
    language = language_for_stakeholder(stakeholder)
    with translation.override(language):
        subject = _("What became of the consensus exercise “%(question)s”") % {"question": exercise.question}
        body = render_to_string("consensus/results/outcome_email.txt", {
            "exercise": exercise, "url": voting_url(participant), "organisation": exercise.organisation})
    return EmailMessage(subject=subject, body=body, to=[stakeholder.email],
                        headers={"Auto-Submitted": "auto-generated", "Content-Language": language})


def _claimed(participant: Participant, requested_at: datetime.datetime) -> bool:
    """Mark the participant written to for this request; False when an earlier run of the task already did."""
    not_yet = Q(outcome_emailed_at__isnull=True) | Q(outcome_emailed_at__lt=requested_at)
    return bool(Participant.objects.filter(not_yet, pk=participant.pk).update(outcome_emailed_at=timezone.now()))


def deliver_outcome(*, exercise_id: int, participant_ids: list[int], requested_at: str | None = None) -> int:
    """Send the outcome emails queued by send_outcome; safety is checked again now. Returns how many went.

    Each participant is claimed before their email is built, so a task run twice for one request writes to no
    one twice (at most once: a mail server that refuses loses that email rather than risk a second one).
    """
    exercise = Exercise.objects.select_related("organisation").filter(pk=exercise_id).first()
    if exercise is None:
        return 0
    asked = datetime.datetime.fromisoformat(requested_at) if requested_at else timezone.now()
    participants = (Participant.objects.filter(exercise=exercise, pk__in=participant_ids)
                    .select_related("participation__stakeholder").order_by("number"))
    messages = [_outcome_email(exercise, p) for p in participants
                if may_email(p) and p.link_nonce and _claimed(p, asked)]
    if not messages:
        return 0
    try:
        return get_connection(fail_silently=False).send_messages(messages) or 0
    except Exception as error:  # a mail server that refuses: logged, never a crash of the worker loop
        logger.warning("outcome emails of exercise %s not sent: %s", exercise_id, type(error).__name__)
        return 0
