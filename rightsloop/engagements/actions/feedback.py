"""Close the loop: tell each participant what became of their input, by a channel that is safe for them."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core import languages as known_languages
from rightsloop.stakeholders.channels import permitted
from rightsloop.stakeholders.queries import hidden_from_member, reach_of
from rightsloop.stakeholders.vocabulary import Channel

from ..loops import refresh_loop
from ..models import Engagement, FeedbackReport, LetterDraft, LoopReminder, Participation
from ..queries import leave_out_hidden_people, participations
from ..reports import ReportContent, build_report, letter_document, letter_pdf, speaks_letter_language
from ..vocabulary import DeliveryStatus

logger = logging.getLogger(__name__)


def _reach(participation: Participation):
    return reach_of(participation.stakeholder, has_proxy=participation.via_proxy_id is not None)


def channel_permitted(participation: Participation, channel: str) -> bool:
    return permitted(_reach(participation), channel)


def permitted_channels(participation: Participation) -> list[str]:
    reach = _reach(participation)
    return [channel for channel in Channel.values if permitted(reach, channel)]


def _check_can_report(participation: Participation, by: Viewer) -> None:
    if not by.can(Capability.FEEDBACK_SEND):
        raise PermissionDenied(_("Your role cannot send feedback."))
    if participation.inputs_count == 0:
        raise ValidationError(_("This participant has no inputs to report on."))


TRANSLATION_OUTDATED = gettext_lazy(
    "The translation attached to this letter no longer matches it: the letter changed since (a decision or the "
    "personal note). Attach a new translation or remove it."
)


def _letter(participation: Participation) -> ReportContent:
    content = build_report(participation)
    if content.translation_outdated:
        raise ValidationError(str(TRANSLATION_OUTDATED))
    return content


def _new_report(participation: Participation, *, channel: str, status: str, note: str, by: Viewer | None):
    content = _letter(participation)
    organisation = participation.engagement.organisation
    report = FeedbackReport.objects.create(
        organisation=organisation,
        engagement=participation.engagement,
        participation=participation,
        language=content.language,
        subject=content.subject,
        body=content.body,
        body_html=letter_document(content, organisation=organisation, stylesheet=_letter_stylesheet()),
        personal_note=content.personal_note,
        translated=content.translated,
        reply_to=content.reply_to,
        channel=channel,
        status=status,
        note=note,
        covers_decisions_until=content.covers_decisions_until,
        created_by=by.user if by else None,
    )
    # The note and the translation were written for this letter; the next one starts afresh.
    LetterDraft.objects.filter(participation=participation).delete()
    return report


def _letter_stylesheet() -> str:
    from django.contrib.staticfiles import finders

    path = finders.find("css/letter.css")
    with open(path, encoding="utf-8") as css:
        return css.read()


def _mark_delivered(report: FeedbackReport, status: str) -> None:
    now = timezone.now()
    participation = report.participation
    report.status = status
    report.delivered_at = now
    report.is_first = not participation.reports.delivered().exclude(pk=report.pk).exists()
    # Feedback given while a long engagement is still running counts as day 0, not a negative delay.
    report.days_to_feedback = max(0, (timezone.localdate(now) - participation.engagement.ends_on).days)
    report.save(update_fields=["status", "delivered_at", "is_first", "days_to_feedback"])
    refresh_loop(participation.engagement, [participation])


@transaction.atomic
def send_feedback_by_email(*, participation: Participation, by: Viewer) -> FeedbackReport:
    """Queue the participant's report for email, if email is a safe channel for them."""
    _check_can_report(participation, by)
    if not channel_permitted(participation, Channel.EMAIL):
        raise ValidationError({"channel": _(
            "Email is not a safe channel for this person, or we hold no address: "
            "deliver the report another way."
        )})
    report = _new_report(participation, channel=Channel.EMAIL, status=DeliveryStatus.QUEUED, note="", by=by)
    audit.record(
        organisation=report.organisation, by=by, action="feedback.queued", target=report,
        summary=f"participant #{participation.pk} of engagement #{participation.engagement_id} by email",
    )
    from ..tasks import deliver_feedback_email

    transaction.on_commit(partial(deliver_feedback_email.enqueue, report_id=report.pk))
    return report


@transaction.atomic
def complete_email_delivery(*, report_id: int) -> FeedbackReport | None:
    """Send a queued report; safe to run twice, and re-checks safety at the moment of sending."""
    report = (
        FeedbackReport.objects.select_for_update()
        .select_related("participation__stakeholder", "participation__engagement")
        .filter(pk=report_id)
        .first()
    )
    if report is None or report.status != DeliveryStatus.QUEUED:
        return report
    participation = report.participation
    if not channel_permitted(participation, Channel.EMAIL):
        # The person's safety level or consent changed after the report was queued.
        report.status = DeliveryStatus.FAILED
        report.failure = "email is no longer a permitted channel"
        report.save(update_fields=["status", "failure"])
        audit.record(organisation=report.organisation, by=None, action="feedback.withheld", target=report,
                     summary="channel no longer safe at sending time")
        return report
    message = EmailMultiAlternatives(
        subject=report.subject,
        body=report.body,
        to=[participation.stakeholder.email],
        # The letter tells the reader where their reply goes; replying to the email must reach the same place.
        reply_to=[report.reply_to] if report.reply_to else None,
        headers={"Auto-Submitted": "auto-generated", "Content-Language": report.language},
    )
    if report.body_html:
        message.attach_alternative(report.body_html, "text/html")
    try:
        message.send(fail_silently=False)
    except Exception as error:
        logger.warning("feedback report %s not sent: %s", report.pk, type(error).__name__)
        report.status = DeliveryStatus.FAILED
        report.failure = type(error).__name__
        report.save(update_fields=["status", "failure"])
        audit.record(organisation=report.organisation, by=None, action="feedback.failed", target=report,
                     summary=type(error).__name__)
        return report
    _mark_delivered(report, DeliveryStatus.SENT)
    audit.record(organisation=report.organisation, by=None, action="feedback.sent", target=report,
                 summary=f"participant #{participation.pk}, language {report.language}")
    return report


@transaction.atomic
def mark_feedback_delivered(
    *, participation: Participation, channel: str, note: str = "", by: Viewer
) -> FeedbackReport:
    """Record that the report reached the participant by a channel other than our email."""
    _check_can_report(participation, by)
    if channel == Channel.EMAIL:
        raise ValidationError({"channel": _("Use “Send by email” to send by email.")})
    if not channel_permitted(participation, channel):
        raise ValidationError({"channel": _(
            "This channel is not safe for this person, or we cannot reach them by it."
        )})
    report = _new_report(participation, channel=channel, status=DeliveryStatus.DELIVERED, note=note, by=by)
    _mark_delivered(report, DeliveryStatus.DELIVERED)
    audit.record(
        organisation=report.organisation, by=by, action="feedback.delivered", target=report,
        summary=f"participant #{participation.pk} of engagement #{participation.engagement_id} via {channel}",
    )
    return report


# The letter's draft: a personal note and a human translation ---------------------------------------------

def _draft_for(participation: Participation, by: Viewer) -> LetterDraft:
    draft = LetterDraft.objects.select_for_update().filter(participation=participation).first()
    if draft is None:
        draft = LetterDraft(organisation=participation.engagement.organisation, participation=participation)
    draft.participation = participation
    draft.updated_by = by.user
    return draft


@transaction.atomic
def set_personal_note(*, participation: Participation, note: str, by: Viewer) -> LetterDraft:
    """Write (or, with an empty note, remove) the owner's own word in the participant's next letter."""
    _check_can_report(participation, by)
    note = note.strip()
    draft = _draft_for(participation, by)
    draft.personal_note = note
    draft.save()
    audit.record(
        organisation=draft.organisation, by=by, action="feedback.note_set" if note else "feedback.note_cleared",
        target=participation, summary=f"letter to participant #{participation.pk} of engagement "
                                      f"#{participation.engagement_id}", changed_fields=["personal_note"],
    )
    return draft


@transaction.atomic
def attach_translation(
    *, participation: Participation, text: str, language: str | None = None, by: Viewer
) -> LetterDraft:
    """Attach a human translation of the participant's letter, sent and printed instead of our own wording.

    `language` defaults to the one the person prefers and we have no translation into. The translation is of the
    letter as it is now: if the letter changes (a decision, the note), it is no longer sent.
    """
    _check_can_report(participation, by)
    content = build_report(participation, use_translation=False)
    language = language or content.wanted_language
    if not language:
        raise ValidationError({"language": _("Say which language the translation is in.")})
    if not known_languages.is_known(language):
        raise ValidationError({"language": _("Choose a language from the list.")})
    if language == content.language:
        raise ValidationError({"language": _("The letter is already written in this language.")})
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("Paste or upload the translated letter.")})
    draft = _draft_for(participation, by)
    draft.translation = text
    draft.translation_language = language
    draft.translation_of = content.digest
    draft.save()
    audit.record(
        organisation=draft.organisation, by=by, action="feedback.translation_attached", target=participation,
        summary=f"letter to participant #{participation.pk} in {language}",
        changed_fields=["translation", "translation_language"],
    )
    return draft


@transaction.atomic
def remove_translation(*, participation: Participation, by: Viewer) -> None:
    """Take the attached translation off the participant's letter: our own wording is sent again."""
    _check_can_report(participation, by)
    draft = LetterDraft.objects.select_for_update().filter(participation=participation).first()
    if draft is None or not draft.translation:
        return
    draft.translation = ""
    draft.translation_language = ""
    draft.translation_of = ""
    draft.updated_by = by.user
    draft.save()
    audit.record(organisation=draft.organisation, by=by, action="feedback.translation_removed",
                 target=participation, summary=f"letter to participant #{participation.pk}",
                 changed_fields=["translation", "translation_language"])


@transaction.atomic
def download_letter_pdf(*, participation: Participation, addressee: str, by: Viewer) -> tuple[ReportContent, bytes]:
    """The participant's letter as a PDF to post or hand over; rendered on demand, never stored, and audited.

    `addressee` is the name the downloader sees (a pseudonym for a person at high safety level), so the paper
    carries no more than the screen showed them.
    """
    _check_can_report(participation, by)
    content = build_report(participation, addressee=addressee)
    if content.translation_outdated:
        raise ValidationError(str(TRANSLATION_OUTDATED))
    pdf = letter_pdf(content, organisation=participation.engagement.organisation)
    audit.record(
        organisation=participation.engagement.organisation, by=by, action="feedback.letter_downloaded",
        target=participation, summary=f"PDF of the letter to participant #{participation.pk}, "
                                      f"language {content.language}",
    )
    return content, pdf


# Send every ready report of an engagement --------------------------------------------------------------

@dataclass
class ReadyPlan:
    """Whom "send every ready report" would email now, and whom it leaves, with why."""

    ready: list[Participation] = field(default_factory=list)
    skipped: list[tuple[Participation, str]] = field(default_factory=list)


def plan_ready_reports(engagement: Engagement, viewer: Viewer) -> ReadyPlan:
    """Each participant this viewer may know of who is owed a letter: ready to email, or why not.

    Ready means every standing input has a decision, the loop is not closed for them, email is a safe channel,
    no letter is already on its way, and the letter is in a language they read (or a current human translation).
    """
    plan = ReadyPlan()
    people = participations(engagement, viewer).filter(inputs_count__gt=0).select_related(
        "engagement__organisation", "engagement__owner")
    queued = set(FeedbackReport.objects.filter(engagement=engagement, status=DeliveryStatus.QUEUED)
                 .values_list("participation_id", flat=True))
    for participation in people:
        reason = _not_ready_because(participation, queued)
        if reason:
            plan.skipped.append((participation, reason))
        else:
            plan.ready.append(participation)
    return plan


def _not_ready_because(participation: Participation, queued: set[int]) -> str:
    if participation.loop_closed:
        return _("Already told; no decision since.")
    if participation.broken_promises:
        return _("A promised next step is overdue: record a new decision first, so the letter does not repeat a "
                 "date that has passed.")
    if participation.undecided_count:
        return ngettext("%(count)s input still has no decision.", "%(count)s inputs still have no decision.",
                        participation.undecided_count) % {"count": participation.undecided_count}
    if participation.pk in queued:
        return _("A letter is already on its way.")
    if not channel_permitted(participation, Channel.EMAIL):
        return _("Email is not a safe channel for this person, or we hold no address: print the letter and "
                 "deliver it another way.")
    content = build_report(participation)
    if content.translation_outdated:
        return str(TRANSLATION_OUTDATED)
    if not content.translated and not speaks_letter_language(participation, content.language):
        return _("We have no translation into %(language)s: attach one on the letter's page, or send it from "
                 "there as it is.") % {"language": known_languages.name(content.wanted_language)}
    return ""


@transaction.atomic
def send_ready_reports(*, engagement: Engagement, by: Viewer) -> ReadyPlan:
    """Email the letter of every participant who is ready (plan_ready_reports) and leave the others."""
    if not by.can(Capability.FEEDBACK_SEND):
        raise PermissionDenied(_("Your role cannot send feedback."))
    plan = plan_ready_reports(engagement, by)
    for participation in plan.ready:
        send_feedback_by_email(participation=participation, by=by)
    audit.record(
        organisation=engagement.organisation, by=by, action="feedback.ready_sent", target=engagement,
        summary=f"{len(plan.ready)} sent, {len(plan.skipped)} left for later",
    )
    return plan


def _as_owner_sees_them(owner, engagements: list[Engagement], today: datetime.date) -> list[Engagement]:
    """The engagements overdue for the owner: counts and loop states leave out protected people they hold no
    grant on, as their pages do, so a loop open only for such a person is not theirs to be reminded of."""
    for organisation_id in {e.organisation_id for e in engagements}:
        same = [e for e in engagements if e.organisation_id == organisation_id]
        leave_out_hidden_people(same, hidden_people=hidden_from_member(same[0].organisation, owner))
    return [e for e in engagements if e.is_overdue(today)]


def _reminder_email(owner, engagements: list[Engagement], today: datetime.date) -> EmailMessage:
    base = settings.RIGHTSLOOP_BASE_URL.rstrip("/")
    language = engagements[0].organisation.default_language
    with translation.override(language):
        body = render_to_string("engagements/email/overdue_loops.txt", {
            "owner": owner,
            "today": today,
            "items": [
                {"engagement": e, "url": base + reverse("engagements:feedback", args=[e.pk]),
                 "days_overdue": (today - e.feedback_due_on).days,
                 # Overdue before its feedback date: a next step promised on one of its inputs is past its date.
                 "promise_broken": e.broken_promises > 0 and e.feedback_due_on >= today}
                for e in engagements
            ],
        })
        subject = ngettext(
            "%(count)s overdue loop to close", "%(count)s overdue loops to close", len(engagements)
        ) % {"count": len(engagements)}
    return EmailMessage(subject=subject, body=body, to=[owner.email],
                        headers={"Auto-Submitted": "auto-generated"})


def remind_overdue_loop_owners(*, today: datetime.date) -> int:
    """Email each owner, once a day, the engagements whose loops are overdue; returns emails sent."""
    due = (
        Engagement.objects.overdue(today)
        .exclude(reminders__sent_on=today)
        .select_related("owner", "organisation")
        .order_by("owner_id", "feedback_due_on")
    )
    by_owner: dict[int, list[Engagement]] = defaultdict(list)
    for engagement in due:
        if engagement.owner.email and engagement.owner.is_active:
            by_owner[engagement.owner_id].append(engagement)
    sent = 0
    for engagements in by_owner.values():
        owner = engagements[0].owner
        engagements = _as_owner_sees_them(owner, engagements, today)
        if not engagements:
            continue
        with transaction.atomic():
            created = [
                LoopReminder.objects.get_or_create(engagement=e, sent_on=today, defaults={"owner": owner})[1]
                for e in engagements
            ]
            fresh = [e for e, is_new in zip(engagements, created, strict=True) if is_new]
            if not fresh:
                continue
            _reminder_email(owner, fresh, today).send(fail_silently=False)
            for engagement in fresh:
                audit.record(organisation=engagement.organisation, by=None, action="loop.reminder_sent",
                             target=engagement, summary=f"owner {owner.get_username()}")
            sent += 1
    return sent
