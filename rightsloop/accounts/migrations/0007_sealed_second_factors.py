"""Second factors move to devices that keep no secret in clear (accounts.devices), and existing ones are converted.

Each django-otp TOTPDevice becomes an Authenticator with its secret sealed under the current key encryption
key; each StaticDevice becomes RecoveryCodes holding only salted digests of its unused codes. The old rows
are deleted, so the clear secrets leave the tables (not a backup taken before). Sessions verified with an
old device ask for a code again. There is no way back: reversing would need the codes in clear.
"""

import django.db.models.deletion
import rightsloop.accounts.devices
import uuid
from django.conf import settings
from django.db import migrations, models


def convert_second_factors(apps, schema_editor):
    from binascii import unhexlify

    from rightsloop.accounts.devices import authenticator_aad, recovery_code_digest, seal_secret

    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    Authenticator = apps.get_model("accounts", "Authenticator")
    RecoveryCodes = apps.get_model("accounts", "RecoveryCodes")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    common = ["user_id", "name", "confirmed", "throttling_failure_timestamp", "throttling_failure_count",
              "created_at", "last_used_at"]
    for old in TOTPDevice.objects.order_by("pk"):
        uid = uuid.uuid4()
        Authenticator.objects.create(
            uid=uid, key_sealed=seal_secret(unhexlify(old.key.encode()), authenticator_aad(uid, old.user_id)),
            step=old.step, t0=old.t0, digits=old.digits, tolerance=old.tolerance, drift=old.drift,
            last_t=old.last_t, **{field: getattr(old, field) for field in common},
        )
    iterations = settings.RIGHTSLOOP_RECOVERY_CODE_ITERATIONS
    for old in StaticDevice.objects.order_by("pk"):
        device = RecoveryCodes.objects.create(
            salt=rightsloop.accounts.devices._new_salt(), iterations=iterations,
            **{field: getattr(old, field) for field in common},
        )
        RecoveryCode.objects.bulk_create(
            RecoveryCode(device=device, digest=recovery_code_digest(token, salt=device.salt, iterations=iterations))
            for token in StaticToken.objects.filter(device=old).values_list("token", flat=True)
        )
    StaticToken.objects.all().delete()
    StaticDevice.objects.all().delete()
    TOTPDevice.objects.all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_invitations_to_existing_accounts'),
        ('otp_totp', '0003_add_timestamps'),
        ('otp_static', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='Authenticator',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('uid', models.UUIDField(default=uuid.uuid4, editable=False, unique=True)),
                ('key_sealed', models.BinaryField()),
                ('step', models.PositiveSmallIntegerField(default=30)),
                ('t0', models.BigIntegerField(default=0)),
                ('digits', models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)),
                ('tolerance', models.PositiveSmallIntegerField(default=1)),
                ('drift', models.SmallIntegerField(default=0)),
                ('last_t', models.BigIntegerField(default=-1)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'authenticator app',
                'verbose_name_plural': 'authenticator apps',
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RecoveryCodes',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('throttling_failure_timestamp', models.DateTimeField(blank=True, default=None, help_text='A timestamp of the last failed verification attempt. Null if last attempt succeeded.', null=True)),
                ('throttling_failure_count', models.PositiveIntegerField(default=0, help_text='Number of successive failed attempts.')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('salt', models.CharField(default=rightsloop.accounts.devices._new_salt, editable=False, max_length=32)),
                ('iterations', models.PositiveIntegerField(default=rightsloop.accounts.devices._iterations, editable=False)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'recovery codes',
                'verbose_name_plural': 'recovery codes',
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('digest', models.CharField(db_index=True, max_length=64)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='accounts.recoverycodes')),
            ],
            options={
                'verbose_name': 'recovery code',
                'verbose_name_plural': 'recovery codes',
            },
        ),
        migrations.RunPython(convert_second_factors, migrations.RunPython.noop),
    ]
