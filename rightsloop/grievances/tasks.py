"""Background work of the grievance mechanism; each task calls an action and is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from .actions import deadlines


@task()
def grievance_deadlines() -> int:
    """The daily round: reminders before due dates, escalation of late cases."""
    return deadlines.send_deadline_notices(today=timezone.localdate())
