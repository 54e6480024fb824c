"""Background work of the open data; each task is safe to run twice."""

from __future__ import annotations

from django_tasks import task

from rightsloop.core.models import Organisation

from . import actions
from .models import OpenDataSettings


@task()
def publish_open_data_task(organisation_id: int) -> int:
    """Build one organisation's release (queued when it opts in or asks for a rebuild); the rows it holds."""
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    release = actions.publish_open_data(organisation=organisation) if organisation is not None else None
    return release.rows_total if release is not None else 0


@task()
def publish_all_open_data() -> int:
    """The daily rebuild of every organisation that publishes its open data; how many releases were built."""
    built = 0
    for organisation in Organisation.objects.filter(
            pk__in=OpenDataSettings.objects.filter(published=True).values("organisation_id")):
        built += actions.publish_open_data(organisation=organisation) is not None
    return built
