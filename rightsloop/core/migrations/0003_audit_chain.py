"""The audit chain's columns and head; 0004 fills them for existing rows, 0005 makes them required."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_data_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditChainHead',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('sequence', models.PositiveBigIntegerField(default=0)),
                ('entry_hash', models.CharField(max_length=64)),
                ('seal', models.CharField(max_length=64)),
            ],
            options={
                'verbose_name': 'audit chain head',
                'verbose_name_plural': 'audit chain heads',
                'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='one_audit_chain_head')],
            },
        ),
        migrations.AlterModelOptions(
            name='auditentry',
            options={'ordering': ['-sequence'], 'verbose_name': 'audit entry', 'verbose_name_plural': 'audit entries'},
        ),
        migrations.RemoveIndex(
            model_name='auditentry',
            name='audit_org_at',
        ),
        migrations.AddField(
            model_name='auditentry',
            name='sequence',
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='previous_hash',
            field=models.CharField(default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(default='', editable=False, max_length=64),
            preserve_default=False,
        ),
        # Deleting a user must not UPDATE audit rows, which 0005 forbids: keep the id, drop the constraint.
        migrations.AlterField(
            model_name='auditentry',
            name='actor',
            field=models.ForeignKey(db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, editable=False),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['organisation', '-sequence'], name='audit_org_sequence'),
        ),
    ]
