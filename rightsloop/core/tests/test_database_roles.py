"""The application's database role cannot silence or bypass the audit log's guards (docs/security/x3-audit.md).

Two ways in. CI's PostgreSQL run connects as the application role made by `create_database_roles` (see the
root conftest.py): those tests attack from that connection, without the append-only triggers (the test
database is built without migrations), so the role's privileges are shown to hold on their own. On a
superuser connection, the command itself is run inside the test's transaction (roles, ownership and grants
are all rolled back afterwards) and the attacks are repeated under `SET ROLE` to the role it made.
"""

import uuid
from io import StringIO

import dj_database_url
import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from rightsloop.core import audit
from rightsloop.core.management.commands.migrate import connected_as_owner
from rightsloop.core.models import AuditChainHead, AuditEntry

from .database_owner import as_owner, runs_as_application_role
from .test_audit_triggers import install_append_only_triggers

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="database roles are PostgreSQL's")


def is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return cursor.fetchone()[0]


def denied(statement: str, params=None) -> bool:
    """Whether PostgreSQL refuses the statement for want of a privilege (not a trigger, not a typo)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError as error:
        return "permission denied" in str(error) or "must be owner" in str(error)
    return False


def attacks_refused(entry: AuditEntry) -> dict[str, bool]:
    return {
        "silence the triggers": denied("SET session_replication_role = replica"),
        "disable the triggers": denied("ALTER TABLE core_auditentry DISABLE TRIGGER ALL"),
        "create a table": denied("CREATE TABLE rl_roles_scratch (id int)"),
        "edit an entry": denied("UPDATE core_auditentry SET summary = 'rewritten' WHERE id = %s", [entry.pk]),
        "delete an entry": denied("DELETE FROM core_auditentry WHERE id = %s", [entry.pk]),
        "delete the head": denied("DELETE FROM core_auditchainhead"),
    }


def everything_refused(entry: AuditEntry) -> dict[str, bool]:
    return dict.fromkeys(attacks_refused(entry), True)


def trigger_attacks_refused() -> dict[str, bool]:
    """With the triggers of migration 0005 in place (installed by the owner): the role cannot remove them."""
    return {
        "drop a trigger": denied("DROP TRIGGER core_auditentry_append_only ON core_auditentry"),
        "drop a trigger function": denied("DROP FUNCTION rightsloop_audit_refuse_change() CASCADE"),
        "replace a trigger function": denied(
            "CREATE OR REPLACE FUNCTION rightsloop_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RETURN NEW; END $$"),
    }


def role_attributes() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolbypassrls, "
            "pg_has_role(current_user, c.relowner, 'USAGE') "
            "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'core_auditentry'::regclass"
        )
        return cursor.fetchone()


def require_application_role() -> None:
    if not runs_as_application_role():
        pytest.skip("the suite connects as the tables' owner or a superuser (DATABASE_OWNER_URL unset)")


def current_user() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        return cursor.fetchone()[0]


@on_postgresql
def test_the_application_role_cannot_silence_or_bypass_the_audit_guards(organisation):
    require_application_role()
    entry = audit.record(organisation=organisation, by=None, action="thing.done", summary="as it happened")

    assert role_attributes() == (False, False, False, False, False)  # no superuser, owner, or maker of roles
    # No triggers yet (the test database is built without migrations): the privileges hold on their own.
    assert attacks_refused(entry) == everything_refused(entry)
    install_append_only_triggers()
    assert all(trigger_attacks_refused().values()), trigger_attacks_refused()
    assert AuditEntry.objects.get(pk=entry.pk).summary == "as it happened"
    assert AuditChainHead.objects.get().sequence == entry.sequence
    assert audit.record(organisation=organisation, by=None, action="still.appends").sequence == entry.sequence + 1


@on_postgresql
def test_tables_a_later_migration_creates_are_granted_to_the_application_role():
    require_application_role()
    as_owner("CREATE TABLE rl_roles_later_migration (id bigint PRIMARY KEY GENERATED BY DEFAULT AS IDENTITY, "
             "note text)")
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO rl_roles_later_migration (note) VALUES ('written') RETURNING id")
        (row_id,) = cursor.fetchone()
        cursor.execute("UPDATE rl_roles_later_migration SET note = 'changed' WHERE id = %s", [row_id])
        cursor.execute("DELETE FROM rl_roles_later_migration WHERE id = %s", [row_id])
    assert denied("ALTER TABLE rl_roles_later_migration ADD COLUMN more text")


@on_postgresql
@pytest.mark.django_db(transaction=True)  # the switch closes the connection: no test transaction around it
def test_migrate_connects_as_the_owner_and_gives_the_connection_back(settings):
    require_application_role()
    app = current_user()
    with connected_as_owner("default") as app_user:
        during = current_user()
    assert (app_user, during, current_user()) == (app, dj_database_url.parse(settings.DATABASE_OWNER_URL)["USER"], app)


@on_postgresql
def test_verify_audit_warns_a_superuser_or_owner_and_not_the_application_role(organisation):
    audit.record(organisation=organisation, by=None, action="thing.done")
    install_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    warnings = verify_audit_warnings()
    if runs_as_application_role():
        assert warnings == ""
    elif is_superuser():
        assert "connects as a PostgreSQL superuser" in warnings
        assert "missing or disabled" not in warnings
    else:
        assert "connects as the owner of the audit tables" in warnings


def verify_audit_warnings() -> str:
    out, err = StringIO(), StringIO()
    call_command("verify_audit", stdout=out, stderr=err)
    assert "Audit chain intact" in out.getvalue()
    return err.getvalue()


@on_postgresql
def test_verify_audit_warns_when_a_trigger_is_disabled(organisation):
    audit.record(organisation=organisation, by=None, action="thing.done")
    install_append_only_triggers()
    as_owner("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER TABLE while deferred checks are pending
    as_owner("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_append_only")
    assert "missing or disabled (core_auditentry_append_only)" in verify_audit_warnings()


def test_verify_audit_names_a_missing_trigger_on_either_database(organisation):
    audit.record(organisation=organisation, by=None, action="thing.done")
    install_append_only_triggers()
    missing = audit.APPEND_ONLY_TRIGGERS[connection.vendor][1]
    as_owner(f"DROP TRIGGER {missing}" + (" ON core_auditentry" if connection.vendor == "postgresql" else ""))
    assert f"missing or disabled ({missing})" in verify_audit_warnings()


@on_postgresql
def test_the_command_makes_roles_that_cannot_silence_the_audit_guards(organisation):
    if not is_superuser():
        pytest.skip("creating roles needs a superuser connection")
    entry = audit.record(organisation=organisation, by=None, action="thing.done", summary="as it happened")
    suffix = uuid.uuid4().hex[:8]
    owner, app = f"rl_roles_owner_{suffix}", f"rl_roles_app_{suffix}"
    install_append_only_triggers()
    as_owner("SET CONSTRAINTS ALL IMMEDIATE")  # no ALTER TABLE while deferred checks are pending
    out = StringIO()
    # Roles, ownership and grants are transactional in PostgreSQL: the test's rollback removes them all.
    call_command("create_database_roles", owner=owner, app=app, stdout=out)
    assert f"{owner} owns the tables" in out.getvalue()

    with connection.cursor() as cursor:
        cursor.execute(f'SET LOCAL ROLE "{app}"')
    try:
        assert role_attributes() == (False, False, False, False, False)
        assert attacks_refused(entry) == everything_refused(entry)
        # The owner's triggers, installed by the superuser before the role was taken on, cannot be removed.
        assert all(trigger_attacks_refused().values()), trigger_attacks_refused()
        assert "granted UPDATE" not in " ".join(audit.unguarded_reasons(connection))
        assert audit.record(organisation=organisation, by=None, action="still.appends").sequence == entry.sequence + 1
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


@on_postgresql
def test_the_command_prints_its_sql_without_passwords(monkeypatch):
    monkeypatch.setenv("RIGHTSLOOP_DB_APP_PASSWORD", "canary-password-4711")
    out = StringIO()
    call_command("create_database_roles", "--print", "--owner", "o_role", "--app", "a_role", stdout=out)
    printed = out.getvalue()
    assert "REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON core_auditentry FROM \"a_role\"" in printed
    assert 'ALTER DEFAULT PRIVILEGES FOR ROLE "o_role"' in printed
    assert "canary-password-4711" not in printed


def test_the_command_refuses_one_role_for_both_and_other_databases():
    with pytest.raises(CommandError, match="two different roles"):
        call_command("create_database_roles", "--owner", "same", "--app", "same")
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="PostgreSQL matter"):
            call_command("create_database_roles", "--print")
