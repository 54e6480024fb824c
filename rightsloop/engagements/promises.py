"""What an "under consideration" decision promises (E3): a next step by a date, kept or broken.

Each decision still under consideration makes one Promise: the next step, by its date. The next decision on the
same input (adopted, not adopted, partly adopted, or under consideration again with a new date) keeps it: on time
if it came on or before the date, late otherwise; the day it came is kept, so a count by period stays honest
after the fact. A promise with no later decision is open until its date and broken from the day after. The
daily round (actions.promises.keep_track_of_promises) reminds the decision's owner a few days before the date
and, once the date has passed, re-opens the loop of the participant who was promised (Participation and
Engagement count the promises broken and not yet kept, `broken_promises`). Promises on inputs that no longer
stand (withdrawn, merged) or in cancelled engagements count nowhere.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet


class PromiseState(models.TextChoices):
    OPEN = "open", _("Open")
    KEPT = "kept", _("Kept on time")
    KEPT_LATE = "kept_late", _("Kept late")
    BROKEN = "broken", _("Broken")


def promise_state(*, due_on: datetime.date, kept_on: datetime.date | None, today: datetime.date) -> str:
    """Where a promise of a next step by `due_on` stands today, given the day a later decision came (if any)."""
    if kept_on is not None:
        return PromiseState.KEPT if kept_on <= due_on else PromiseState.KEPT_LATE
    return PromiseState.BROKEN if today > due_on else PromiseState.OPEN


def reminder_due(*, due_on: datetime.date, today: datetime.date, days_before: int) -> bool:
    """Is today in the reminder window: from `days_before` days before the date to the date itself."""
    return due_on - datetime.timedelta(days=days_before) <= today <= due_on


class PromiseQuerySet(OrganisationScopedQuerySet):
    def standing(self):
        """Promises that count: on inputs that still stand, in engagements that were not cancelled."""
        return self.filter(input__withdrawn_at__isnull=True, input__merged_into__isnull=True,
                           input__engagement__cancelled_at__isnull=True)

    def unkept(self):
        return self.filter(kept_on__isnull=True)

    def open(self, today: datetime.date):
        return self.unkept().filter(due_on__gte=today)

    def broken(self, today: datetime.date):
        """Past their date with no later decision yet (kept late, they leave this list, not the period's count)."""
        return self.unkept().filter(due_on__lt=today)

    def kept_on_time(self):
        return self.filter(kept_on__isnull=False, kept_on__lte=models.F("due_on"))

    def kept_late(self):
        return self.filter(kept_on__gt=models.F("due_on"))

    def lapsed(self):
        """Found broken by the daily round and not kept since: these re-open their loops."""
        return self.unkept().filter(lapsed_on__isnull=False)

    def broken_between(self, start: datetime.date, end: datetime.date):
        """Promises whose date fell in [start, end) and passed without a decision by it (kept late or not yet):
        the count of broken promises for a period, the same whenever it is counted."""
        return self.filter(due_on__gte=start, due_on__lt=end).filter(
            models.Q(kept_on__isnull=True) | models.Q(kept_on__gt=models.F("due_on")))


class Promise(models.Model):
    """The next step a decision under consideration promised by a date, and whether a later decision kept it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    decision = models.OneToOneField("engagements.Decision", on_delete=models.CASCADE, related_name="promise")
    input = models.ForeignKey("engagements.Input", on_delete=models.CASCADE, related_name="promises")
    due_on = models.DateField(_("next step by"))
    # Who answers for it and is reminded: whoever decided to keep the input under consideration.
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+",
                              verbose_name=_("owner"))
    kept_by = models.OneToOneField("engagements.Decision", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="kept_promise", editable=False)
    kept_on = models.DateField(_("kept on"), null=True, blank=True, editable=False)
    # The day the daily round found the date passed without a decision and re-opened the loop.
    lapsed_on = models.DateField(null=True, blank=True, editable=False)
    # The day the owner was reminded; one reminder per promise.
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = PromiseQuerySet.as_manager()

    class Meta:
        verbose_name = _("promise of a next step")
        verbose_name_plural = _("promises of a next step")
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "kept_on", "due_on"], name="promise_due"),
            models.Index(fields=["input", "kept_on"], name="promise_input"),
        ]

    def __str__(self) -> str:
        return f"promise {self.pk} by {self.due_on}"

    def state(self, today: datetime.date) -> str:
        return promise_state(due_on=self.due_on, kept_on=self.kept_on, today=today)

    def state_label(self, today: datetime.date) -> str:
        return str(PromiseState(self.state(today)).label)

    @property
    def state_today(self) -> str:
        return self.state(timezone.localdate())

    @property
    def state_today_label(self) -> str:
        return self.state_label(timezone.localdate())

    @property
    def badge(self) -> str:
        """The badge class the pages mark its state with (rightsloop.css)."""
        return BADGES[self.state_today]


BADGES = {PromiseState.OPEN: "open", PromiseState.BROKEN: "overdue", PromiseState.KEPT: "closed",
          PromiseState.KEPT_LATE: "queued"}
