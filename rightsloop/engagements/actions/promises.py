"""Keep track of what decisions under consideration promised: settle them as decisions come, remind their owners
before the date, and re-open the loop once a date has passed with no decision (engagements.promises).

The daily round is safe to run twice, or on two workers at once: a reminder is claimed on the promise
(reminded_on, set only where it is still empty) in the same transaction as its email, and a promise is marked
broken (lapsed_on) the same way, so neither happens twice; if the mail server fails, the claim rolls back with it
and the next round tries again.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from rightsloop.accounts.models import Membership
from rightsloop.core import audit

from ..loops import refresh_loop
from ..models import Decision, Input
from ..promises import Promise
from ..vocabulary import Outcome


def settle_promises(*, input: Input, decision: Decision) -> Promise | None:
    """Keep the input's open promise with this newer decision (on time or late, by the day it came), and make
    the decision's own promise when it is under consideration again; call inside record_decision's transaction."""
    kept_on = timezone.localdate(decision.decided_at)
    Promise.objects.filter(input=input, kept_on__isnull=True).exclude(decision=decision).update(
        kept_on=kept_on, kept_by=decision)
    if decision.outcome != Outcome.UNDER_CONSIDERATION:
        return None
    return Promise.objects.create(organisation_id=input.organisation_id, decision=decision, input=input,
                                  due_on=decision.next_step_due, owner=decision.decided_by)


@dataclass(frozen=True)
class PromiseRound:
    reminders_sent: int     # emails, one per owner
    broken: int             # promises found past their date today


def keep_track_of_promises(*, today: datetime.date) -> PromiseRound:
    """The daily round: remind owners of promises coming due, then re-open the loops of promises broken."""
    return PromiseRound(reminders_sent=remind_promise_owners(today=today), broken=break_lapsed_promises(today=today))


def _answerable(promise: Promise):
    """Who is reminded: the promise's owner while they are an active member of its organisation with an address,
    otherwise the owner of the engagement, who answers for every loop in it."""
    owner = promise.owner
    if owner is not None and owner.is_active and owner.email and Membership.objects.active().filter(
            user=owner, organisation_id=promise.organisation_id).exists():
        return owner
    fallback = promise.input.engagement.owner
    return fallback if fallback.is_active and fallback.email else None


def remind_promise_owners(*, today: datetime.date) -> int:
    """Email each owner, once per promise, the promises whose date is within the reminder window; returns emails
    sent. The window is settings.RIGHTSLOOP_PROMISE_REMINDER_DAYS days before the date up to the date itself."""
    days = settings.RIGHTSLOOP_PROMISE_REMINDER_DAYS
    coming = (Promise.objects.standing().unkept()
              .filter(reminded_on__isnull=True, due_on__gte=today, due_on__lte=today + datetime.timedelta(days=days))
              .select_related("owner", "organisation", "decision", "input__engagement__owner")
              .order_by("due_on", "id"))
    by_owner: dict[int, list[Promise]] = defaultdict(list)
    owners = {}
    for promise in coming:
        owner = _answerable(promise)
        if owner is not None:
            by_owner[owner.pk].append(promise)
            owners[owner.pk] = owner
    sent = 0
    for owner_pk, promises in by_owner.items():
        owner = owners[owner_pk]
        with transaction.atomic():
            # Claim each promise; one another worker claimed first is left out of this email.
            claimed = [p for p in promises
                       if Promise.objects.filter(pk=p.pk, reminded_on__isnull=True).update(reminded_on=today)]
            if not claimed:
                continue
            _reminder_email(owner, claimed, today).send(fail_silently=False)
            for promise in claimed:
                audit.record(organisation=promise.organisation, by=None, action="promise.reminder_sent",
                             target=promise.input,
                             summary=f"promise {promise.pk} due {promise.due_on.isoformat()} "
                                     f"to {owner.get_username()}")
            sent += 1
    return sent


def _reminder_email(owner, promises: list[Promise], today: datetime.date) -> EmailMessage:
    base = settings.RIGHTSLOOP_BASE_URL.rstrip("/")
    with translation.override(promises[0].organisation.default_language):
        body = render_to_string("engagements/email/promises_due.txt", {
            "owner": owner,
            "items": [{"promise": p, "engagement": p.input.engagement, "next_step": p.decision.next_step,
                       "days_left": (p.due_on - today).days,
                       "url": base + reverse("engagements:input-decide", args=[p.input_id])}
                      for p in promises],
        })
        subject = ngettext("%(count)s promised next step due soon", "%(count)s promised next steps due soon",
                           len(promises)) % {"count": len(promises)}
    return EmailMessage(subject=subject, body=body, to=[owner.email], headers={"Auto-Submitted": "auto-generated"})


def break_lapsed_promises(*, today: datetime.date) -> int:
    """Mark the promises past their date with no decision since as broken and re-open their loops; returns how
    many were found today (none the second time)."""
    found = 0
    lapsed = (Promise.objects.standing().broken(today).filter(lapsed_on__isnull=True)
              .select_related("organisation", "input__engagement", "input__speaker__stakeholder")
              .order_by("input__engagement_id", "id"))
    by_engagement: dict[int, list[Promise]] = defaultdict(list)
    for promise in lapsed:
        by_engagement[promise.input.engagement_id].append(promise)
    for promises in by_engagement.values():
        with transaction.atomic():
            claimed = [p for p in promises
                       if Promise.objects.filter(pk=p.pk, lapsed_on__isnull=True, kept_on__isnull=True)
                       .update(lapsed_on=today)]
            if not claimed:
                continue
            speakers = {p.input.speaker_id: p.input.speaker for p in claimed if p.input.speaker_id}
            refresh_loop(claimed[0].input.engagement, speakers.values())
            for promise in claimed:
                audit.record(organisation=promise.organisation, by=None, action="promise.broken",
                             target=promise.input,
                             summary=f"promise {promise.pk} due {promise.due_on.isoformat()} passed without a "
                                     f"decision; loop re-opened")
            found += len(claimed)
    return found
