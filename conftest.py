"""The test database on PostgreSQL, as production runs it: built by the OWNER role, used by the APPLICATION role.

When DATABASE_OWNER_URL is set beside a PostgreSQL DATABASE_URL (CI does this, see .ci/run), the owner
creates the test database and its tables, the grants of `manage.py create_database_roles` are applied to
the application role, and every test then connects as that application role, which owns nothing and is no
superuser (docs/security/x3-audit.md, "Database roles"). Two things are added for the test run only, in the
test database, which is dropped afterwards:

- TRUNCATE on every table, which Django's flush needs to empty the database after each transactional test;
- `rightsloop_test_as_owner(statement)`, a SECURITY DEFINER function owned by the owner role, through which
  tests that play an intruder with the owner's access (dropping triggers, editing audit rows) act inside
  their own transaction. Application code never calls it.

Without DATABASE_OWNER_URL, pytest-django's own setup runs unchanged.
"""

import os

import pytest

AS_OWNER_FUNCTION = "rightsloop_test_as_owner"


def _roles() -> tuple[dict, dict] | None:
    """The owner's and the application's settings, when the suite runs as the application role."""
    import dj_database_url
    from django.db import connections

    owner_url = os.environ.get("DATABASE_OWNER_URL", "")
    settings_dict = connections["default"].settings_dict
    if not owner_url or settings_dict["ENGINE"] != "django.db.backends.postgresql":
        return None
    owner = dj_database_url.parse(owner_url)
    if not owner.get("USER") or owner["USER"] == settings_dict["USER"]:
        return None
    return ({"USER": owner["USER"], "PASSWORD": owner.get("PASSWORD") or ""},
            {"USER": settings_dict["USER"], "PASSWORD": settings_dict.get("PASSWORD") or ""})


def _connect_as(credentials: dict) -> None:
    from django.conf import settings
    from django.db import connections

    connection = connections["default"]
    connection.close()
    connection.settings_dict.update(credentials)
    settings.DATABASES["default"].update(credentials)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings):
    """Runs before pytest-django creates the test database: the owner creates it and its tables."""
    roles = _roles()
    if roles is not None:
        _connect_as(roles[0])
    return roles


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_modify_db_settings, django_db_blocker):
    from django.db import connection

    roles = django_db_modify_db_settings
    if roles is None:
        yield
        return
    owner, app = roles
    from psycopg import sql

    from rightsloop.core import database_roles

    quoted_app = sql.Identifier(app["USER"]).as_string(None)
    with django_db_blocker.unblock():
        statements = database_roles.grant_statements(
            owner=owner["USER"], app=app["USER"], database=connection.settings_dict["NAME"])
        statements += [
            f"GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {quoted_app}",
            f"CREATE FUNCTION {AS_OWNER_FUNCTION}(statement text) RETURNS void LANGUAGE plpgsql "
            "SECURITY DEFINER SET search_path = public AS $$ BEGIN EXECUTE statement; END $$",
            f"REVOKE ALL ON FUNCTION {AS_OWNER_FUNCTION}(text) FROM PUBLIC",
            f"GRANT EXECUTE ON FUNCTION {AS_OWNER_FUNCTION}(text) TO {quoted_app}",
        ]
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        _connect_as(app)
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
            assert cursor.fetchone() == (app["USER"], False), "the suite must run as the application role"
    yield
    with django_db_blocker.unblock():
        _connect_as(owner)  # pytest-django drops the test database next: only its owner may.


@pytest.fixture(autouse=True)
def _forget_cached_figures():
    """Each test starts with an empty cache: a rolled-back test database reuses ids, so a key could match."""
    from django.core.cache import cache

    cache.clear()
    yield
