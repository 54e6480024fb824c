"""Chain the audit rows that exist already, in id order, so an upgraded database verifies as intact.

It needs the audit key (RIGHTSLOOP_AUDIT_KEY or RIGHTSLOOP_AUDIT_KEY_FILE) only where there are rows.
"""

from django.db import migrations

BATCH = 1000


def chain_existing_rows(apps, schema_editor):
    from rightsloop.core import audit, keys

    AuditEntry = apps.get_model('core', 'AuditEntry')
    AuditChainHead = apps.get_model('core', 'AuditChainHead')
    database = schema_editor.connection.alias
    rows = AuditEntry.objects.using(database)
    if not rows.exists():
        return  # core.audit.record() starts the chain on first use.
    key = keys.audit_key()
    sequence, previous_hash, batch = 0, audit.GENESIS, []
    for row in rows.order_by('id').iterator(chunk_size=BATCH):
        sequence += 1
        row.sequence, row.previous_hash = sequence, previous_hash
        row.entry_hash = previous_hash = audit.entry_hash(audit.ChainEntry.of(row), key)
        batch.append(row)
        if len(batch) == BATCH:
            rows.bulk_update(batch, ['sequence', 'previous_hash', 'entry_hash'])
            batch = []
    if batch:
        rows.bulk_update(batch, ['sequence', 'previous_hash', 'entry_hash'])
    AuditChainHead.objects.using(database).create(
        pk=audit.HEAD_ID, sequence=sequence, entry_hash=previous_hash,
        seal=audit.head_seal(sequence, previous_hash, key),
    )


def unchain(apps, schema_editor):
    apps.get_model('core', 'AuditChainHead').objects.using(schema_editor.connection.alias).all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_audit_chain'),
    ]

    operations = [
        migrations.RunPython(chain_existing_rows, unchain),
    ]
