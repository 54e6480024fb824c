"""Make the audit log append-only in the database itself: refuse UPDATE, DELETE and TRUNCATE of entries.

The chain head may only move forward one entry at a time and never be deleted. The triggers stop the
application's own connection (a bug, an injected query, a careless shell); a database owner can still
drop them, which is what the hash chain (core.audit, verify_audit) is for.

On SQLite, a later migration that rebuilds core_auditentry (most AlterField operations do) drops these
triggers with the old table: such a migration must call install_triggers again.
"""

from django.db import migrations, models

ENTRY_TABLE = 'core_auditentry'
HEAD_TABLE = 'core_auditchainhead'

POSTGRESQL_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION rightsloop_audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION rightsloop_audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.sequence = OLD.sequence + 1 THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'the audit chain head only moves forward one entry at a time: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END;
    $$
    """,
    f"""CREATE TRIGGER {ENTRY_TABLE}_append_only BEFORE UPDATE OR DELETE ON {ENTRY_TABLE}
        FOR EACH ROW EXECUTE FUNCTION rightsloop_audit_refuse_change()""",
    f"""CREATE TRIGGER {ENTRY_TABLE}_no_truncate BEFORE TRUNCATE ON {ENTRY_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION rightsloop_audit_refuse_change()""",
    f"""CREATE TRIGGER {HEAD_TABLE}_forward_only BEFORE UPDATE OR DELETE ON {HEAD_TABLE}
        FOR EACH ROW EXECUTE FUNCTION rightsloop_audit_head_forward_only()""",
    f"""CREATE TRIGGER {HEAD_TABLE}_no_truncate BEFORE TRUNCATE ON {HEAD_TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION rightsloop_audit_refuse_change()""",
]
POSTGRESQL_REMOVE = [
    f'DROP TRIGGER IF EXISTS {ENTRY_TABLE}_append_only ON {ENTRY_TABLE}',
    f'DROP TRIGGER IF EXISTS {ENTRY_TABLE}_no_truncate ON {ENTRY_TABLE}',
    f'DROP TRIGGER IF EXISTS {HEAD_TABLE}_forward_only ON {HEAD_TABLE}',
    f'DROP TRIGGER IF EXISTS {HEAD_TABLE}_no_truncate ON {HEAD_TABLE}',
    'DROP FUNCTION IF EXISTS rightsloop_audit_refuse_change()',
    'DROP FUNCTION IF EXISTS rightsloop_audit_head_forward_only()',
]

# SQLite has no TRUNCATE: its DELETE without WHERE runs the row triggers once there are any.
SQLITE_INSTALL = [
    f"""CREATE TRIGGER {ENTRY_TABLE}_no_update BEFORE UPDATE ON {ENTRY_TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: UPDATE refused'); END""",
    f"""CREATE TRIGGER {ENTRY_TABLE}_no_delete BEFORE DELETE ON {ENTRY_TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only: DELETE refused'); END""",
    f"""CREATE TRIGGER {HEAD_TABLE}_forward_only BEFORE UPDATE ON {HEAD_TABLE}
        WHEN NEW.id <> OLD.id OR NEW.sequence <> OLD.sequence + 1
        BEGIN SELECT RAISE(ABORT, 'the audit chain head only moves forward one entry at a time'); END""",
    f"""CREATE TRIGGER {HEAD_TABLE}_no_delete BEFORE DELETE ON {HEAD_TABLE}
        BEGIN SELECT RAISE(ABORT, 'the audit chain head cannot be deleted'); END""",
]
SQLITE_REMOVE = [
    f'DROP TRIGGER IF EXISTS {ENTRY_TABLE}_no_update',
    f'DROP TRIGGER IF EXISTS {ENTRY_TABLE}_no_delete',
    f'DROP TRIGGER IF EXISTS {HEAD_TABLE}_forward_only',
    f'DROP TRIGGER IF EXISTS {HEAD_TABLE}_no_delete',
]

STATEMENTS = {
    'postgresql': (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
    'sqlite': (SQLITE_INSTALL, SQLITE_REMOVE),
}


def _statements(schema_editor, index: int) -> list[str]:
    vendor = schema_editor.connection.vendor
    if vendor not in STATEMENTS:
        raise NotImplementedError(f'No append-only audit triggers for {vendor}: add them to this migration.')
    return STATEMENTS[vendor][index]


def install_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, 0):
        schema_editor.execute(statement, params=None)


def remove_triggers(apps, schema_editor):
    for statement in _statements(schema_editor, 1):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0004_audit_chain_existing_rows'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditentry',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
