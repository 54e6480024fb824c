"""Remind the owners of remedy actions a week before they are due and once they are overdue.

Each reminder is claimed (a CaseReminder row on the plan's first case, kind `action_due:<id>` or
`action_overdue:<id>`, for the action's due date) before it is sent, so running twice sends it once; a due date
moved later earns a new reminder. The email names the case numbers and links to the plan: nothing of the case.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.core import audit

from ..models import CaseReminder, Grievance, RemedyAction
from ..vocabulary import ActionStatus

NOTICE_DAYS = 7
OPEN_STATUSES = (ActionStatus.PLANNED, ActionStatus.DISPUTED)


def due_kind(action: RemedyAction) -> str:
    return f"action_due:{action.pk}"


def overdue_kind(action: RemedyAction) -> str:
    return f"action_overdue:{action.pk}"


def _claim(grievance: Grievance, kind: str, due_on: datetime.date) -> CaseReminder | None:
    try:
        with transaction.atomic():
            return CaseReminder.objects.create(grievance=grievance, kind=kind, due_on=due_on)
    except IntegrityError:
        return None


def _email(action: RemedyAction, cases: list[Grievance], *, overdue: bool) -> EmailMessage:
    owner = action.owner
    base = settings.RIGHTSLOOP_BASE_URL.rstrip("/")
    with translation.override(action.plan.organisation.default_language or settings.LANGUAGE_CODE):
        context = {"owner": owner, "action": action, "cases": ", ".join(case.label for case in cases),
                   "overdue": overdue, "url": base + reverse("grievances:plan", args=[action.plan_id])}
        body = render_to_string("grievances/remedy/email/action_reminder.txt", context)
        subject = (_("A remedy action was due on %(date)s") if overdue
                   else _("A remedy action is due on %(date)s")) % {"date": action.due_on.isoformat()}
    return EmailMessage(subject=subject, body=body, to=[owner.email], headers={"Auto-Submitted": "auto-generated"})


def _remind(action: RemedyAction, cases: list[Grievance], *, overdue: bool) -> int:
    kind = overdue_kind(action) if overdue else due_kind(action)
    with transaction.atomic():
        claimed = _claim(cases[0], kind, action.due_on)
        if claimed is None:
            return 0
        _email(action, cases, overdue=overdue).send(fail_silently=False)
        CaseReminder.objects.filter(pk=claimed.pk).update(sent_at=timezone.now())
        audit.record(organisation=action.plan.organisation, by=None, action="remedy_action.reminder_sent",
                     target=action, summary=f"{kind.partition(':')[0]} {action.due_on.isoformat()} to owner #"
                     f"{action.owner_id}")
    return 1


def send_action_reminders(*, today: datetime.date) -> int:
    """Remind owners of open actions due within NOTICE_DAYS, and of overdue ones; returns the emails sent."""
    horizon = today + datetime.timedelta(days=NOTICE_DAYS)
    due = (RemedyAction.objects.filter(status__in=OPEN_STATUSES, due_on__lte=horizon)
           .select_related("owner", "plan__organisation").order_by("due_on", "id"))
    sent = 0
    for action in due:
        owner = action.owner
        if not owner.is_active or not owner.email:
            continue
        cases = list(Grievance.objects.filter(remedy_plan_id=action.plan_id).order_by("pk").only("id", "number"))
        if not cases:
            continue
        sent += _remind(action, cases, overdue=action.due_on < today)
    return sent
