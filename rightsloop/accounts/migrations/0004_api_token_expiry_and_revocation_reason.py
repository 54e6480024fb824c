"""Tokens get an expiry and a reason for revocation; existing tokens expire RIGHTSLOOP_API_TOKEN_DAYS after creation.

The column becomes required in 0005: PostgreSQL refuses to alter a table with pending trigger events in the
transaction that updated its rows.
"""

import datetime

from django.conf import settings
from django.db import migrations, models


def give_existing_tokens_an_expiry(apps, schema_editor):
    # A token older than the lifetime is expired at once: the safer reading for a credential nobody dated.
    ApiToken = apps.get_model("accounts", "ApiToken")
    lifetime = datetime.timedelta(days=settings.RIGHTSLOOP_API_TOKEN_DAYS)
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("pk", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + lifetime)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0003_user_security_stamp"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expires"),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AddField(
            model_name="apitoken",
            name="revoked_because",
            field=models.CharField(
                blank=True,
                choices=[
                    ("owner", "revoked by its owner"),
                    ("expired", "expired"),
                    ("password", "the password was changed"),
                    ("second_factor", "the second factor was reset or replaced"),
                    ("membership", "the membership ended"),
                ],
                max_length=32,
            ),
        ),
    ]
