"""Risk.inputs gets an explicit through model on the same table, and each link the stakeholder who spoke.

The table, its columns, its unique pair and its indexes stay as Django made them for the plain
many-to-many field (state only); the speaker column is then added, filled from each input's
participation, and indexed with the risk.
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_speakers(apps, schema_editor):
    RiskInput = apps.get_model("risks", "RiskInput")
    Input = apps.get_model("engagements", "Input")
    speaker = Input.objects.filter(pk=OuterRef("input_id")).values("speaker__stakeholder_id")[:1]
    RiskInput.objects.update(stakeholder_id=Subquery(speaker))


class Migration(migrations.Migration):

    dependencies = [
        ("engagements", "0002_initial"),
        ("risks", "0001_initial"),
        ("stakeholders", "0002_register_filters_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RiskInput",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("input", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                    to="engagements.input")),
                        ("risk", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="risks.risk")),
                    ],
                    options={"db_table": "risks_risk_inputs", "unique_together": {("risk", "input")}},
                ),
                migrations.AlterField(
                    model_name="risk",
                    name="inputs",
                    field=models.ManyToManyField(blank=True, related_name="risks", through="risks.RiskInput",
                                                 to="engagements.input", verbose_name="linked inputs"),
                ),
            ],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="riskinput",
            name="stakeholder",
            field=models.ForeignKey(blank=True, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="stakeholders.stakeholder"),
        ),
        migrations.RunPython(copy_speakers, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="riskinput",
            index=models.Index(fields=["risk", "stakeholder"], name="risk_input_speaker"),
        ),
    ]
