"""Background jobs of the shared kernel; each is safe to run twice."""

from importlib import import_module

from django.conf import settings
from django.db import connection
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


@task()
def refresh_planner_statistics() -> str:
    """Give the database's query planner fresh statistics; returns what was run.

    SQLite keeps none until ANALYZE runs, and without them it may read a query through the organisation
    index of a million rows where a person's own few would do (docs/performance.md, issue 13: the portal's
    pages and the load warning). A daily ANALYZE takes about 2 s on a 1.5 GB database. PostgreSQL's
    autovacuum keeps its own statistics, so nothing runs there. Running it twice only measures twice.
    """
    if connection.vendor != "sqlite":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("PRAGMA optimize")
    return "ANALYZE"
