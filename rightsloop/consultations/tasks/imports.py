"""Background jobs of the import: check every row, apply the good ones. Each is safe to run twice."""

import datetime
import logging

from django.utils.translation import gettext as _
from django_tasks import task

from rightsloop.core import supervision

from ..actions import imports as actions
from ..models import ResponseImport

logger = logging.getLogger(__name__)


@task()
def check_import(import_id: int) -> str:
    job = ResponseImport.objects.filter(pk=import_id).first()
    if job is None:
        return "missing"
    return actions.check_import(response_import=job).state


@task()
def apply_import(import_id: int) -> str:
    job = ResponseImport.objects.filter(pk=import_id).first()
    if job is None:
        return "missing"
    try:
        return actions.apply_import(response_import=job).state
    except Exception:
        # The action recorded the interruption on the import (shown with resume and roll back); it logged the cause.
        logger.warning("import %s interrupted", import_id)
        return "interrupted"


@task()
def rollback_import(import_id: int) -> str:
    job = ResponseImport.objects.filter(pk=import_id).first()
    if job is None:
        return "missing"
    return actions.run_rollback(response_import=job).state


# What the check in core.supervision does when the worker stops under an import, or one takes too long. Each of
# these tasks carries on from where the import stands (the check starts again, the apply after its last applied
# line, the rollback with what is left), so resuming is a fresh heartbeat and a note on the import's page.
def _import_id(args: list, kwargs: dict) -> int:
    return int(kwargs.get("import_id", args[0] if args else 0))


def _resumed(args: list, kwargs: dict, at) -> None:
    ResponseImport.objects.filter(pk=_import_id(args, kwargs), state__in=actions.RUNNING).update(
        heartbeat_at=at, message=_("The worker stopped; resumed at %(time)s.") % {
            "time": at.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")})


def _overdue(args: list, kwargs: dict, limit: int) -> None:
    ResponseImport.objects.filter(pk=_import_id(args, kwargs), state__in=actions.RUNNING).update(message=_(
        "Running for longer than expected (more than %(minutes)s minutes).") % {"minutes": max(1, limit // 60)})


def _abandoned(args: list, kwargs: dict) -> None:
    # Left as it is, the import shows as interrupted (its heartbeat is old), with resume and roll back offered.
    ResponseImport.objects.filter(pk=_import_id(args, kwargs), state__in=actions.RUNNING).update(message=_(
        "The worker stopped several times during this import, so it was not resumed again."))


for _task in (check_import, apply_import, rollback_import):
    supervision.watch(_task, resume=_resumed, overdue=_overdue, abandon=_abandoned)
del _task  # a loop variable, not a task of this module
