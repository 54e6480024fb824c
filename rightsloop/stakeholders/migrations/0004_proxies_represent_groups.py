"""A credible proxy's free-text "whom it represents" becomes an affected group it represents.

Each proxy with that text gets a group of its own (named from the text, unique in its organisation,
the full text kept as the description) and a Representation carrying its basis of legitimacy. The
review date stays empty, so every migrated mandate shows as due for review: nobody checked it as a
group mandate yet. Then the two free-text columns go.
"""

from django.db import migrations, models

NAME_LIMIT = 200


def group_name(text: str, taken: set[str]) -> str:
    """The first line of the text, cut to fit, made different from every name in `taken` (case-folded)."""
    first_line = " ".join(text.strip().splitlines()[0].split()) if text.strip() else ""
    base = first_line or "Group"
    if len(base) > NAME_LIMIT:
        base = base[: NAME_LIMIT - 1].rstrip() + "\u2026"
    name, number = base, 1
    while name.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: NAME_LIMIT - len(suffix)].rstrip() + suffix
    taken.add(name.casefold())
    return name


def forwards(apps, schema_editor):
    Stakeholder = apps.get_model("stakeholders", "Stakeholder")
    AffectedGroup = apps.get_model("stakeholders", "AffectedGroup")
    Representation = apps.get_model("stakeholders", "Representation")
    taken: dict[int, set[str]] = {}
    proxies = (Stakeholder.objects.filter(kind="proxy", erased_at__isnull=True).exclude(represents="")
               .order_by("organisation_id", "id")
               .values("id", "organisation_id", "represents", "legitimacy_basis", "created_by_id"))
    for proxy in proxies:
        text = proxy["represents"].strip()
        if not text:
            continue
        names = taken.get(proxy["organisation_id"])
        if names is None:
            names = taken[proxy["organisation_id"]] = {
                n.casefold() for n in AffectedGroup.objects.filter(
                    organisation_id=proxy["organisation_id"]).values_list("name", flat=True)}
        group = AffectedGroup.objects.create(
            organisation_id=proxy["organisation_id"], name=group_name(text, names), description=text,
            created_by_id=proxy["created_by_id"],
        )
        Representation.objects.create(
            proxy_id=proxy["id"], group_id=group.pk, legitimacy_basis=(proxy["legitimacy_basis"] or "").strip(),
            created_by_id=proxy["created_by_id"],
        )


class Migration(migrations.Migration):

    dependencies = [
        ('stakeholders', '0003_affected_groups'),
    ]

    operations = [
        migrations.AddField(
            model_name='representation',
            name='ended_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='ended'),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='stakeholder',
            name='legitimacy_basis',
        ),
        migrations.RemoveField(
            model_name='stakeholder',
            name='represents',
        ),
    ]
