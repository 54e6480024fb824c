"""Background jobs; each calls an action and is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from . import actions
from .actions import promises as promise_actions


@task()
def deliver_feedback_email(report_id: int) -> str:
    report = actions.complete_email_delivery(report_id=report_id)
    return report.status if report else "missing"


@task()
def remind_overdue_loops() -> int:
    return actions.remind_overdue_loop_owners(today=timezone.localdate())


@task()
def keep_track_of_promises() -> dict:
    """Remind owners of promised next steps coming due; re-open the loops of promises broken."""
    result = promise_actions.keep_track_of_promises(today=timezone.localdate())
    return {"reminders_sent": result.reminders_sent, "broken": result.broken}
