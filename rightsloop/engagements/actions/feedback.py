"""Close the loop: tell each participant what became of their input, by a channel that is safe for them."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.stakeholders.channels import permitted
from rightsloop.stakeholders.queries import hidden_from_member, reach_of
from rightsloop.stakeholders.vocabulary import Channel

from ..loops import refresh_loop
from ..models import Engagement, FeedbackReport, LoopReminder, Participation
from ..queries import leave_out_hidden_people
from ..reports import build_report
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


def _new_report(participation: Participation, *, channel: str, status: str, note: str, by: Viewer | None):
    content = build_report(participation)
    return FeedbackReport.objects.create(
        organisation=participation.engagement.organisation,
        engagement=participation.engagement,
        participation=participation,
        language=content.language,
        subject=content.subject,
        body=content.body,
        channel=channel,
        status=status,
        note=note,
        covers_decisions_until=content.covers_decisions_until,
        created_by=by.user if by else None,
    )


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
    message = EmailMessage(
        subject=report.subject,
        body=report.body,
        to=[participation.stakeholder.email],
        headers={"Auto-Submitted": "auto-generated", "Content-Language": report.language},
    )
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
                 "days_overdue": (today - e.feedback_due_on).days}
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
