"""Background work of agreements (P1); each task calls an action and is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from . import agreements


@task()
def remind_agreements() -> int:
    return agreements.send_agreement_reminders(today=timezone.localdate())
