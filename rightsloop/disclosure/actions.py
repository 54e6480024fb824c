"""Every change the open data makes: an organisation publishing it or withdrawing it, and a release being built."""

from __future__ import annotations

import datetime
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.models import Organisation
from rightsloop.core.periods import EARLIEST_YEAR, Period
from rightsloop.core.registry import site

from . import datapackage
from .models import RELEASES_KEPT, Licence, OpenDataRelease, OpenDataSettings
from .tables import published

# Releases start early enough for any record: a table's rows begin with the organisation's first record.
RELEASE_START = datetime.date(EARLIEST_YEAR, 1, 1)


def release_range(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """[start, end) of a release built today: every completed quarter. The running quarter waits for its end, so
    a count published once is not republished, a day later, one person higher."""
    return RELEASE_START, Period.containing(today).start


@transaction.atomic
def set_open_data(*, organisation: Organisation, published: bool, licence: str | None = None,
                  by: Viewer) -> OpenDataSettings:
    """Publish the organisation's open data (a release is built at once) or withdraw it, and choose its licence."""
    if not by.can(Capability.OPEN_DATA_MANAGE) or by.organisation.pk != organisation.pk:
        raise PermissionDenied(_("Your role does not publish the open data."))
    if licence is not None and licence not in Licence.values:
        raise ValidationError({"licence": _("Choose one of the licences offered.")})
    current, _created = OpenDataSettings.objects.select_for_update().get_or_create(organisation=organisation)
    before = audit.snapshot(current, ("published", "licence"))
    current.published = published
    if licence is not None:
        current.licence = licence
    changed = audit.changed(current, before, ("published", "licence"))
    if not changed:
        return current
    current.changed_by, current.changed_at = by.user, timezone.now()
    current.save(update_fields=["published", "licence", "changed_by", "changed_at"])
    action = ("open_data.published" if published else "open_data.withdrawn") if "published" in changed \
        else "open_data.changed"
    audit.record(organisation=organisation, by=by, action=action, target=current, changed_fields=changed,
                 summary=f"licence {current.licence}")
    if published:
        from .tasks import publish_open_data_task

        transaction.on_commit(lambda: publish_open_data_task.enqueue(organisation.pk))
    return current


def publish_open_data(*, organisation: Organisation, today: datetime.date | None = None) -> OpenDataRelease | None:
    """Build a release of every registered public table for an organisation that publishes its open data (None
    for one that does not); keep the newest RELEASES_KEPT. Safe to run twice: the second builds the same tables."""
    today = today or timezone.localdate()
    start, end = release_range(today)
    began = time.monotonic()
    with transaction.atomic():
        # One build at a time per organisation; a withdrawal waits for it, and a build after one finds it.
        current = OpenDataSettings.objects.select_for_update().filter(organisation=organisation).first()
        if current is None or not current.published:
            return None
        tables, counts, hidden = {}, {}, 0
        for table in site.public_tables:
            found = published(table, organisation, start, end, labelled=False)
            tables[table.key] = found.stored()
            counts[table.key] = len(found.rows)
            hidden += sum(row.hidden for row in found.rows)
        previous = OpenDataRelease.objects.for_organisation(organisation).first()
        release = OpenDataRelease(organisation=organisation, generated_at=timezone.now(), starts_on=start,
                                  ends_before=end, licence=current.licence, tables=tables, row_counts=counts,
                                  rows_total=sum(counts.values()), rows_hidden=hidden)
        with translation.override("en"):
            release.datapackage = datapackage.describe(release)
        release.seconds = round(time.monotonic() - began, 3)
        release.save()
        kept = OpenDataRelease.objects.for_organisation(organisation).values_list("pk", flat=True)[:RELEASES_KEPT]
        OpenDataRelease.objects.for_organisation(organisation).exclude(pk__in=list(kept)).delete()
        # The daily rebuild usually publishes what was published: only a change is worth an audit entry.
        if previous is None or previous.tables != tables or previous.licence != release.licence:
            audit.record(organisation=organisation, by=None, action="open_data.released", target=release,
                         summary=f"{len(tables)} tables, {release.rows_total} rows, {hidden} hidden, "
                                 f"{start.isoformat()} to {end.isoformat()}")
    return release


def rebuild_open_data(*, organisation: Organisation, by: Viewer) -> bool:
    """Queue a release now rather than at the night's rebuild; False when the organisation does not publish."""
    if not by.can(Capability.OPEN_DATA_MANAGE) or by.organisation.pk != organisation.pk:
        raise PermissionDenied(_("Your role does not publish the open data."))
    if not OpenDataSettings.objects.filter(organisation=organisation, published=True).exists():
        return False
    from .tasks import publish_open_data_task

    transaction.on_commit(lambda: publish_open_data_task.enqueue(organisation.pk))
    return True
