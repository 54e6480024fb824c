"""Background jobs of rating rounds; each calls an action and is safe to run twice."""

from django.utils import timezone
from django_tasks import task

from . import ratings


@task()
def send_rating_notices() -> int:
    return ratings.send_round_notices(today=timezone.localdate())


@task()
def tell_owner_of_flag(flag_id: int) -> bool:
    return ratings.tell_owner(flag_id=flag_id)
