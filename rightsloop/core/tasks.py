"""Background jobs of the shared kernel; each is safe to run twice."""

from importlib import import_module

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from . import retention


@task()
def purge_expired_records() -> int:
    return sum(retention.purge(now=timezone.now()).values())


@task()
def purge_expired_sessions() -> int:
    """Delete sessions past their expiry, as manage.py clearsessions does; returns how many went."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    if not hasattr(store, "get_model_class"):
        store.clear_expired()  # cache or cookie sessions expire by themselves
        return 0
    model = store.get_model_class()
    before = model.objects.count()
    store.clear_expired()
    return before - model.objects.count()
