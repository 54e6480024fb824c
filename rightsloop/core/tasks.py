"""Background jobs of the shared kernel; each is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from . import retention


@task()
def purge_expired_records() -> int:
    return sum(retention.purge(now=timezone.now()).values())
