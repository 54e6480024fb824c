"""Background jobs; each calls an action and is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from . import actions


@task()
def deliver_feedback_email(report_id: int) -> str:
    report = actions.complete_email_delivery(report_id=report_id)
    return report.status if report else "missing"


@task()
def remind_overdue_loops() -> int:
    return actions.remind_overdue_loop_owners(today=timezone.localdate())
