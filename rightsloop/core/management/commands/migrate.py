"""Django's migrate, run as the database OWNER when DATABASE_OWNER_URL is set (docs/security/x3-audit.md).

The application connects as a role that owns nothing and cannot create tables or triggers; the schema is
changed by the owner role. Only the user and password of DATABASE_OWNER_URL are taken: the migrations run
on the database DATABASE_URL names (for the test suite, its test database).
"""

from contextlib import contextmanager

import dj_database_url
from django.conf import settings
from django.core.management.commands import migrate
from django.db import connections

from rightsloop.core import database_roles


@contextmanager
def connected_as_owner(alias: str):
    """Reconnect the alias with the owner's credentials for the duration, then as the application again."""
    connection = connections[alias]
    owner = dj_database_url.parse(settings.DATABASE_OWNER_URL)
    app_user = connection.settings_dict["USER"]
    if connection.vendor != "postgresql" or not owner.get("USER") or owner["USER"] == app_user:
        yield None
        return
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(USER=owner["USER"], PASSWORD=owner.get("PASSWORD") or "")
    try:
        yield app_user
    finally:
        connection.close()
        connection.settings_dict.update(saved)


class Command(migrate.Command):
    help = migrate.Command.help + " Runs as the owner role when DATABASE_OWNER_URL is set."

    def handle(self, *args, **options):
        if not settings.DATABASE_OWNER_URL:
            return super().handle(*args, **options)
        alias = options["database"]
        with connected_as_owner(alias) as app_user:
            result = super().handle(*args, **options)
            if app_user:
                # A migration that recreated an audit table got the default privileges, UPDATE and DELETE
                # included: take them back from the application role before it connects again.
                with connections[alias].cursor() as cursor:
                    for statement in database_roles.audit_revoke_statements(app=app_user):
                        cursor.execute(statement)
        return result
