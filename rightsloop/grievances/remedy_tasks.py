"""Background work of remedy plans; each task calls an action and is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from .actions import remedy_reminders


@task()
def remind_remedy_action_owners() -> int:
    return remedy_reminders.send_action_reminders(today=timezone.localdate())
