"""The two PostgreSQL roles Rightsloop runs under (docs/security/x3-audit.md, "Database roles").

The OWNER role owns the schema's tables, sequences and the audit trigger functions and runs the migrations.
The APPLICATION role is what the web processes, the worker and the scheduler connect as: it reads and writes
rows but owns nothing, is no superuser, cannot create roles or databases, and is refused UPDATE, DELETE and
TRUNCATE of audit entries (and DELETE and TRUNCATE of the chain head, which must move forward) by its
privileges as well as by the triggers of migration core 0005. Because it owns nothing, it cannot drop or
disable those triggers, and because it is no superuser it cannot `SET session_replication_role = replica`
to silence them.

Everything here builds SQL text; `manage.py create_database_roles` prints it or runs it as a superuser, and
the test suite's database setup (rightsloop/conftest.py) applies the same grants to its test database.
"""

from __future__ import annotations

from psycopg import sql

SCHEMA = "public"
ENTRY_TABLE = "core_auditentry"
HEAD_TABLE = "core_auditchainhead"
AUDIT_FUNCTIONS = ("rightsloop_audit_refuse_change()", "rightsloop_audit_head_forward_only()")


def _ident(name: str) -> str:
    return sql.Identifier(name).as_string(None)


def _literal(value: str) -> str:
    return sql.Literal(value).as_string(None)


def role_statements(*, owner: str, app: str, owner_password: str = "", app_password: str = "") -> list[str]:
    """Create (or bring back to these attributes) the two login roles; run once per server as a superuser."""
    statements = []
    for role, password in ((owner, owner_password), (app, app_password)):
        attributes = "LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
        if password:
            attributes += f" PASSWORD {_literal(password)}"
        # Idempotent: an existing role is altered to the same attributes instead of failing.
        statements.append(
            "DO $$ BEGIN "
            f"IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(role)}) THEN "
            f"CREATE ROLE {_ident(role)}; END IF; END $$"
        )
        statements.append(f"ALTER ROLE {_ident(role)} {attributes}")
    # Neither role may act as the other: a member of the owner could drop the triggers.
    statements.append(f"REVOKE {_ident(owner)} FROM {_ident(app)}")
    statements.append(f"REVOKE {_ident(app)} FROM {_ident(owner)}")
    return statements


def ownership_statements(*, owner: str, database: str) -> list[str]:
    """Hand the database's existing tables, sequences and audit functions to the owner; run as a superuser."""
    return [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {_ident(owner)}",
        f"GRANT USAGE, CREATE ON SCHEMA {SCHEMA} TO {_ident(owner)}",
        # Tables first (that moves the sequences they own), then the free-standing sequences and views.
        # Every name in these statements is quoted by psycopg.sql (_ident, _literal).
        "DO $$ DECLARE r record; BEGIN "  # noqa: S608
        "FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        f"WHERE n.nspname = {_literal(SCHEMA)} AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
        "AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') "
        "AND d.classid = 'pg_class'::regclass) "
        "ORDER BY c.relkind = 'S', c.relname LOOP "
        "EXECUTE format('ALTER %s %I.%I OWNER TO %I', CASE r.relkind WHEN 'S' THEN 'SEQUENCE' "
        "WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END, "
        f"{_literal(SCHEMA)}, r.relname, {_literal(owner)}); END LOOP; END $$",
        *(
            "DO $$ BEGIN "
            f"IF to_regprocedure({_literal(function)}) IS NOT NULL THEN "
            f"ALTER FUNCTION {function} OWNER TO {_ident(owner)}; END IF; END $$"
            for function in AUDIT_FUNCTIONS
        ),
    ]


def grant_statements(*, owner: str, app: str, database: str) -> list[str]:
    """What the application role may do in the database; run as the owner or a superuser, as often as wanted."""
    o, a = _ident(owner), _ident(app)
    statements = [
        f"GRANT CONNECT, TEMPORARY ON DATABASE {_ident(database)} TO {a}",
        f"GRANT USAGE ON SCHEMA {SCHEMA} TO {a}",
        # No CREATE in the schema: the application adds no tables, functions or triggers of its own.
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM PUBLIC",
        f"REVOKE CREATE ON SCHEMA {SCHEMA} FROM {a}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {SCHEMA} TO {a}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {SCHEMA} TO {a}",
        # Tables and sequences the owner creates in later migrations are granted the same way.
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {SCHEMA} "
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {a}",
        f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA {SCHEMA} GRANT USAGE, SELECT ON SEQUENCES TO {a}",
    ]
    return statements + audit_revoke_statements(app=app)


def audit_revoke_statements(*, app: str) -> list[str]:
    """Take from the application role what would let it change the past, besides the triggers.

    Entries are only ever inserted; the head is inserted once and then updated forward by record().
    Run again after any migration that recreates an audit table (the default privileges grant it all).
    """
    a = _ident(app)
    return [
        f"DO $$ BEGIN IF to_regclass({_literal(table)}) IS NOT NULL THEN "
        f"REVOKE {privileges} ON {table} FROM {a}; REVOKE {privileges} ON {table} FROM PUBLIC; END IF; END $$"
        for table, privileges in (
            (ENTRY_TABLE, "UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER"),
            (HEAD_TABLE, "DELETE, TRUNCATE, REFERENCES, TRIGGER"),
        )
    ]
