"""The daily round of deadlines (M2): reminders before a case's due dates, escalation once it is late.

Each notice is claimed as a CaseReminder row (unique per case, kind and due date) in the same transaction as its
emails: run twice, or on two workers at once, the round sends nothing twice; if the mail server fails, the claim
rolls back with the emails and the next round tries again. Emails name the case (G-12) and give a link, never
its content; a handler kept out of a case is never told of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Role
from rightsloop.core import audit

from .. import deadlines, queries
from ..models import FINISHED_STAGES, CaseReminder, Grievance, GrievanceSettings
from ..vocabulary import Stage

ACKNOWLEDGE_DUE = "acknowledge_due"
RESPOND_DUE = "respond_due"
REMINDER_KINDS = {deadlines.ACKNOWLEDGE: ACKNOWLEDGE_DUE, deadlines.RESPOND: RESPOND_DUE}


def escalated_kind(level: int) -> str:
    return f"escalated_{level}"


def case_url(grievance: Grievance) -> str:
    """The case page's address (grievances:case)."""
    base = settings.RIGHTSLOOP_BASE_URL.rstrip("/")
    try:
        return base + reverse("grievances:case", args=[grievance.pk])
    except NoReverseMatch:  # the case pages not (yet) installed: the case's links page names it too
        return base + reverse("grievances:links", args=[grievance.pk])


def dashboard_url() -> str:
    return settings.RIGHTSLOOP_BASE_URL.rstrip("/") + reverse("core:home")


@dataclass
class _Organisations:
    """What the round reads once per organisation: its escalation delay, its handlers, its administrators."""

    escalate_after: dict[int, int] = field(default_factory=dict)
    team: dict[int, list] = field(default_factory=dict)
    admins: dict[int, list] = field(default_factory=dict)

    def escalate_after_days(self, organisation_id: int) -> int:
        if organisation_id not in self.escalate_after:
            found = GrievanceSettings.objects.filter(organisation_id=organisation_id).first()
            default = GrievanceSettings._meta.get_field("escalate_after_days").default
            self.escalate_after[organisation_id] = found.escalate_after_days if found else default
        return self.escalate_after[organisation_id]

    def handlers(self, grievance: Grievance) -> list:
        if grievance.organisation_id not in self.team:
            self.team[grievance.organisation_id] = list(queries.handlers(grievance.organisation))
        return self.team[grievance.organisation_id]

    def administrators(self, grievance: Grievance) -> list:
        if grievance.organisation_id not in self.admins:
            self.admins[grievance.organisation_id] = list(get_user_model().objects.filter(
                memberships__organisation_id=grievance.organisation_id, memberships__is_active=True,
                memberships__role=Role.ADMIN, is_active=True).distinct().order_by("pk"))
        return self.admins[grievance.organisation_id]


def _excluded(grievance: Grievance) -> set[int]:
    return {exclusion.user_id for exclusion in grievance.exclusions.all()}


def _reachable(users, grievance: Grievance) -> list:
    excluded = _excluded(grievance)
    return [user for user in users if user.pk not in excluded and user.email]


def _claim(grievance: Grievance, kind: str, due_on: datetime.date) -> CaseReminder | None:
    """Claim a notice before sending it: None when it was sent already (or is being sent by another worker)."""
    try:
        with transaction.atomic():
            return CaseReminder.objects.create(grievance=grievance, kind=kind, due_on=due_on)
    except IntegrityError:
        return None


def _email(user, grievance: Grievance, template: str, subject: str, context: dict) -> EmailMessage:
    body = render_to_string(f"grievances/oversight/email/{template}.txt",
                            {"user": user, "case": grievance.label, **context})
    return EmailMessage(subject=subject, body=body, to=[user.email], headers={"Auto-Submitted": "auto-generated"})


def _send(messages: list[EmailMessage]) -> None:
    if messages:
        get_connection(fail_silently=False).send_messages(messages)


def _remind(grievance: Grievance, kind: str, due_on: datetime.date, orgs: _Organisations) -> int:
    """Remind the case's handler (or, unassigned, every handler) of a due date; the number of emails sent."""
    team = _reachable(orgs.handlers(grievance), grievance)
    handler = next((user for user in team if user.pk == grievance.handler_id), None)
    recipients = [handler] if handler is not None else team
    reminder_kind = REMINDER_KINDS[kind]
    with transaction.atomic():
        claim = _claim(grievance, reminder_kind, due_on)
        if claim is None:
            return 0
        with translation.override(grievance.organisation.default_language):
            subject = {
                deadlines.ACKNOWLEDGE: _("%(case)s: acknowledgement due on %(date)s"),
                deadlines.RESPOND: _("%(case)s: substantive response due on %(date)s"),
            }[kind] % {"case": grievance.label, "date": due_on.isoformat()}
            messages = [_email(user, grievance, "reminder", subject, {
                "kind": kind, "due_on": due_on, "assigned": handler is not None, "url": case_url(grievance),
            }) for user in recipients]
        _send(messages)
        CaseReminder.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
        audit.record(organisation=grievance.organisation, by=None, action="grievance.reminder_sent",
                     target=grievance, summary=f"{grievance.label} {reminder_kind} {due_on.isoformat()} "
                                               f"to {len(recipients)} handler(s)")
    return len(messages)


def _escalate(grievance: Grievance, level: int, late: deadlines.Lateness, orgs: _Organisations) -> int:
    """Raise the case to `level`, telling the team (level 1) and the administrators (level 2) once each."""
    sent = 0
    with transaction.atomic():
        if Grievance.objects.filter(pk=grievance.pk, escalation_level__lt=level).update(
                escalation_level=level, escalated_at=timezone.now()):
            audit.record(organisation=grievance.organisation, by=None, action="grievance.escalated",
                         target=grievance, summary=f"{grievance.label} to level {level}: {late.kind} "
                                                   f"{late.days} day(s) overdue", changed_fields=["escalation_level"])
        for step in range(deadlines.TEAM, level + 1):
            claim = _claim(grievance, escalated_kind(step), late.due_on)
            if claim is None:
                continue
            if step == deadlines.TEAM:
                recipients, url = _reachable(orgs.handlers(grievance), grievance), case_url(grievance)
            else:
                recipients, url = _reachable(orgs.administrators(grievance), grievance), dashboard_url()
            with translation.override(grievance.organisation.default_language):
                subject = _("%(case)s is overdue: %(what)s was due on %(date)s") % {
                    "case": grievance.label, "date": late.due_on.isoformat(),
                    "what": _("the acknowledgement") if late.kind == deadlines.ACKNOWLEDGE
                    else _("the substantive response")}
                messages = [_email(user, grievance, "escalation", subject, {
                    "level": step, "kind": late.kind, "due_on": late.due_on, "days": late.days, "url": url,
                }) for user in recipients]
            _send(messages)
            CaseReminder.objects.filter(pk=claim.pk).update(sent_at=timezone.now())
            audit.record(organisation=grievance.organisation, by=None, action="grievance.escalation_sent",
                         target=grievance, summary=f"{grievance.label} level {step} notice to "
                                                   f"{len(recipients)} member(s)")
            sent += len(messages)
    return sent


@transaction.atomic
def _clear(grievance: Grievance) -> None:
    """A case no longer late comes back to its handler (level 0); when it last escalated stays recorded."""
    if Grievance.objects.filter(pk=grievance.pk, escalation_level__gt=0).update(escalation_level=0):
        audit.record(organisation=grievance.organisation, by=None, action="grievance.escalation_cleared",
                     target=grievance, summary=f"{grievance.label} back on time", changed_fields=["escalation_level"])


def due_for_the_round(today: datetime.date):
    """The cases the round looks at: a due date within its reminder window or past, or still escalated."""
    ack_horizon = today + datetime.timedelta(days=deadlines.REMIND_BEFORE_DAYS[deadlines.ACKNOWLEDGE])
    respond_horizon = today + datetime.timedelta(days=deadlines.REMIND_BEFORE_DAYS[deadlines.RESPOND])
    unanswered = ~Q(stage__in=FINISHED_STAGES) & Q(responded_at__isnull=True, respond_due_on__lte=respond_horizon)
    return (Grievance.objects
            .filter(Q(stage=Stage.RECEIVED, acknowledge_due_on__lte=ack_horizon) | unanswered
                    | Q(escalation_level__gt=0))
            .select_related("organisation")
            .prefetch_related("exclusions", Prefetch("reminders", queryset=CaseReminder.objects.only(
                "grievance_id", "kind", "due_on")))
            .order_by("organisation_id", "pk"))


def send_deadline_notices(*, today: datetime.date) -> int:
    """Remind handlers of due dates, escalate late cases and clear cases back on time; the emails sent."""
    orgs = _Organisations()
    sent = 0
    for grievance in due_for_the_round(today).iterator(chunk_size=500):
        claimed = {(reminder.kind, reminder.due_on) for reminder in grievance.reminders.all()}
        responded = grievance.responded_at is not None
        for kind, due_on in ((deadlines.ACKNOWLEDGE, grievance.acknowledge_due_on),
                             (deadlines.RESPOND, grievance.respond_due_on)):
            if (deadlines.owes(kind=kind, stage=grievance.stage, responded=responded)
                    and deadlines.reminder_due(kind=kind, due_on=due_on, today=today)
                    and (REMINDER_KINDS[kind], due_on) not in claimed):
                sent += _remind(grievance, kind, due_on, orgs)
        level, late = deadlines.escalation(
            stage=grievance.stage, acknowledge_due_on=grievance.acknowledge_due_on,
            respond_due_on=grievance.respond_due_on, responded=responded, today=today,
            escalate_after_days=orgs.escalate_after_days(grievance.organisation_id))
        if late is None:
            if grievance.escalation_level:
                _clear(grievance)
            continue
        notices_done = all((escalated_kind(step), late.due_on) in claimed for step in range(1, level + 1))
        if grievance.escalation_level < level or not notices_done:
            sent += _escalate(grievance, level, late, orgs)
    return sent
