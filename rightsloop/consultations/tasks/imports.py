"""Background jobs of the import: check every row, apply the good ones. Each is safe to run twice."""

import logging

from django_tasks import task

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
