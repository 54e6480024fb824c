"""Facts the self-check reads that the models keep themselves, so its figures are plain counts on indexed columns.

- `Grievance.acknowledged_in_time` / `responded_in_time`: whether the answer came on or before the date promised
  (the answer's date in the site's time zone), None while there is no answer. `Grievance.save()` keeps them;
- `StageChange.organisation`: the case's organisation, so the stage changes of a period are read on their own
  index without joining the cases;
- `StageChange.stayed_seconds`: how long the case had been in `from_stage` when it left it (since the change
  that entered it, or the receipt for the first stage). `StageChange.save()` fills both when the row is written.

Rows written without save() (bulk_create, queryset.update() of the dates, data migrations) are put right with
`refresh_deadlines()` and `refresh_stage_changes()`. They take the model classes, so a data migration can pass
its historical models (`apps.get_model(...)`); nothing here imports the models.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

BATCH = 2000


def in_time(answered_at: datetime.datetime | None, due_on: datetime.date | None) -> bool | None:
    """Whether an answer given at `answered_at` kept the promise of `due_on`; None while there is no answer."""
    if answered_at is None or due_on is None:
        return None
    if timezone.is_aware(answered_at):
        answered_at = timezone.localtime(answered_at, timezone.get_default_timezone())
    return answered_at.date() <= due_on


def stay_seconds(left_at: datetime.datetime, entered_at: datetime.datetime | None) -> int | None:
    return None if entered_at is None else int((left_at - entered_at).total_seconds())


def refresh_deadlines(grievance_model, rows=None) -> int:
    """Recompute `acknowledged_in_time` and `responded_in_time` for `rows` (every case by default); the number
    of cases changed."""
    rows = grievance_model._default_manager.all() if rows is None else rows
    changed = 0
    batch = []
    columns = ("pk", "acknowledged_at", "acknowledge_due_on", "acknowledged_in_time", "responded_at",
               "respond_due_on", "responded_in_time")
    for pk, acknowledged_at, ack_due, ack_flag, responded_at, respond_due, respond_flag in (
            rows.order_by("pk").values_list(*columns).iterator(chunk_size=BATCH)):
        ack, respond = in_time(acknowledged_at, ack_due), in_time(responded_at, respond_due)
        if (ack, respond) != (ack_flag, respond_flag):
            batch.append(grievance_model(pk=pk, acknowledged_in_time=ack, responded_in_time=respond))
        if len(batch) >= BATCH:
            changed += _write(grievance_model, batch, ["acknowledged_in_time", "responded_in_time"])
            batch = []
    return changed + _write(grievance_model, batch, ["acknowledged_in_time", "responded_in_time"])


def refresh_stage_changes(stage_change_model, rows=None) -> int:
    """Recompute `organisation` and `stayed_seconds` for the stage changes of the cases `rows` holds (every stage
    change by default), one case at a time in order; the number of stage changes changed."""
    rows = stage_change_model._default_manager.all() if rows is None else rows
    columns = ("pk", "grievance_id", "grievance__organisation_id", "grievance__received_at", "from_stage",
               "to_stage", "at", "organisation_id", "stayed_seconds")
    changed = 0
    batch = []
    current, entered = None, {}
    for pk, case, organisation, received_at, from_stage, to_stage, at, had_organisation, had_stay in (
            rows.order_by("grievance_id", "at", "pk").values_list(*columns).iterator(chunk_size=BATCH)):
        if case != current:
            current, entered = case, {}
        stay = stay_seconds(at, entered.get(from_stage, received_at)) if from_stage else None
        entered[to_stage] = at
        if (organisation, stay) != (had_organisation, had_stay):
            batch.append(stage_change_model(pk=pk, organisation_id=organisation, stayed_seconds=stay))
        if len(batch) >= BATCH:
            changed += _write(stage_change_model, batch, ["organisation", "stayed_seconds"])
            batch = []
    return changed + _write(stage_change_model, batch, ["organisation", "stayed_seconds"])


def _write(model, batch: list, fields: list[str]) -> int:
    if not batch:
        return 0
    with transaction.atomic():
        model._default_manager.bulk_update(batch, fields, batch_size=500)
    return len(batch)
