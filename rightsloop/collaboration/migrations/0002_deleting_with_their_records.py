import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("assessments", "0001_initial"),
        ("collaboration", "0001_initial"),
        ("stakeholders", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="sharedassessment",
            name="assessment",
            field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name="shared",
                                       to="assessments.assessment", verbose_name="assessment"),
        ),
        migrations.AlterField(
            model_name="poolpartner",
            name="stakeholder",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="pool_entries",
                                    to="stakeholders.stakeholder", verbose_name="stakeholder"),
        ),
        migrations.AlterField(
            model_name="partnerrequest",
            name="partner",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="requests",
                                    to="collaboration.poolpartner"),
        ),
    ]
