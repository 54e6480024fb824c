"""Re-label stored duplicate groups by what their members show: identical answers are no longer campaigns.

Before 0006 a group of ten or more members was an "organised campaign" even when every member said the same
text. This counts the distinct texts of every stored near or campaign group (opening the sealed texts under
the organisation's key, as the analysis does) and gives each group the kind analysis.duplicates.group_kind
gives it today. Exact groups hold one text by construction and keep their kind. Reversing leaves the kinds as
they are: the old rule is the one being retired.
"""

from collections import Counter

from django.db import migrations

RESPONSE_AAD = "consultations.response|text|{import_id}|{line}"


def forwards(apps, schema_editor):
    from rightsloop.consultations.analysis.duplicates import group_kind
    from rightsloop.consultations.analysis.text import normalise
    from rightsloop.core.sealing import OrganisationKey

    DuplicateGroup = apps.get_model("consultations", "DuplicateGroup")
    Response = apps.get_model("consultations", "Response")
    groups = DuplicateGroup.objects.filter(kind__in=["near", "campaign"]).select_related("consultation")
    for group in groups.iterator(chunk_size=200):
        key = OrganisationKey(group.consultation.organisation_id)
        texts = Counter()
        members = Response.objects.filter(duplicate_group_id=group.pk).values_list(
            "response_import_id", "line", "text_sealed")
        for import_id, line, sealed in members.iterator(chunk_size=2000):
            aad = RESPONSE_AAD.format(import_id=import_id, line=line).encode()
            texts[normalise(key.open(bytes(sealed), aad)) if sealed else ""] += 1
        if not texts:
            continue
        size = sum(texts.values())
        # The stored kind already passed the size threshold of its run: campaign_min is what it had then.
        campaign_min = size if group.kind == "campaign" else size + 1
        kind = group_kind(size=size, variants=len(texts), most_common=max(texts.values()),
                          campaign_min=campaign_min)
        DuplicateGroup.objects.filter(pk=group.pk).update(kind=kind, variants=len(texts))


class Migration(migrations.Migration):

    dependencies = [
        ("consultations", "0006_theme_routing_and_variants"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
