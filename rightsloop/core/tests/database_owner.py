"""SQL with the table owner's rights, inside the test's own transaction (see the root conftest.py).

Tests that play an intruder who reached the database (dropping the audit triggers, editing audit rows)
need more than the application role may do. When the suite runs as the application role on PostgreSQL,
their statements go through the test database's `rightsloop_test_as_owner` function; otherwise the
test's connection already owns the tables and runs them itself.
"""

from django.db import connection

AS_OWNER_FUNCTION = "rightsloop_test_as_owner"


def runs_as_application_role() -> bool:
    """Whether this connection is the application role of `create_database_roles`, not the tables' owner."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regprocedure(%s) IS NOT NULL", [f"{AS_OWNER_FUNCTION}(text)"])
        return cursor.fetchone()[0]


def as_owner(statement: str, params=None) -> None:
    with connection.cursor() as cursor:
        if runs_as_application_role():
            cursor.execute(f"SELECT {AS_OWNER_FUNCTION}(%s)", [connection.ops.compose_sql(statement, params)])
        else:
            cursor.execute(statement, params)


def lend_audit_updates_to_this_test() -> None:
    """Let the application role UPDATE audit entries until the test's transaction rolls back.

    For tests of a migration's data function (which runs as the owner), not of the application.
    """
    if runs_as_application_role():
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (role,) = cursor.fetchone()
        as_owner(f"GRANT UPDATE ON core_auditentry TO {connection.ops.quote_name(role)}")
