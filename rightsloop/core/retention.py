"""Apply every registered retention rule, per organisation; the daily job calls this and it is safe to repeat."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django_tasks_db.models import DBTaskResult

from . import audit
from .models import Organisation, RetentionSetting
from .registry import RetentionRule, site


@dataclass(frozen=True)
class Period:
    rule: RetentionRule
    keep_days: int
    customised: bool


def periods(organisation: Organisation) -> list[Period]:
    """The organisation's retention period for each kind of record it owns (its own choice, else the default)."""
    chosen = dict(RetentionSetting.objects.filter(organisation=organisation).values_list("rule", "keep_days"))
    return [Period(rule, chosen.get(rule.key, rule.default_days), rule.key in chosen)
            for rule in site.retention if not rule.site_wide]


def purge_task_results(_organisation, cutoff) -> int:
    return DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()[0]


@transaction.atomic
def set_period(*, organisation: Organisation, rule: str, keep_days: int | None, by) -> None:
    """Choose how long a kind of record is kept; None goes back to the default."""
    if keep_days is None:
        deleted = RetentionSetting.objects.filter(organisation=organisation, rule=rule).delete()[0]
        changed = bool(deleted)
    else:
        RetentionSetting.objects.update_or_create(organisation=organisation, rule=rule,
                                                  defaults={"keep_days": keep_days})
        changed = True
    if changed:
        audit.record(organisation=organisation, by=by, action="retention.changed",
                     summary=f"{rule}: {keep_days if keep_days is not None else 'default'} days")


def purge(*, now: datetime.datetime) -> dict[tuple[str, str], int]:
    """Purge what every organisation keeps past its retention periods; returns counts by (organisation, rule)."""
    done: dict[tuple[str, str], int] = {}
    for rule in site.retention:
        if rule.site_wide:
            with transaction.atomic():
                done[("", rule.key)] = rule.purge(None, now - datetime.timedelta(days=rule.default_days))
    for organisation in Organisation.objects.order_by("pk"):
        for period in periods(organisation):
            cutoff = now - datetime.timedelta(days=period.keep_days)
            with transaction.atomic():
                count = period.rule.purge(organisation, cutoff)
                if count:
                    audit.record(organisation=organisation, by=None, action="retention.purged",
                                 summary=f"{period.rule.key}: {count} record(s) older than {period.keep_days} days")
            done[(organisation.slug, period.rule.key)] = count
    return done
