"""The data step of stakeholders 0004: a proxy's free-text "whom it represents" becomes a group it represents."""

import importlib

import pytest
from django.apps import apps as django_apps

from rightsloop.stakeholders.models import AffectedGroup, Representation
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

pytestmark = pytest.mark.django_db

migration = importlib.import_module("rightsloop.stakeholders.migrations.0004_proxies_represent_groups")


class _Rows:
    """Stands in for the historical Stakeholder manager: the columns 0004 reads, as they were before it."""

    def __init__(self, rows):
        self.rows = rows

    def filter(self, **kwargs):
        return self

    def exclude(self, **kwargs):
        return _Rows([r for r in self.rows if r["represents"] != ""])

    def order_by(self, *fields):
        return _Rows(sorted(self.rows, key=lambda r: (r["organisation_id"], r["id"])))

    def values(self, *fields):
        return [{name: row[name] for name in fields} for row in self.rows]


class _Apps:
    def __init__(self, rows):
        self.stakeholders = type("Stakeholder", (), {"objects": _Rows(rows)})

    def get_model(self, app_label, name):
        return self.stakeholders if name == "Stakeholder" else django_apps.get_model(app_label, name)


def test_each_proxy_gets_a_group_named_from_its_text_and_a_mandate_with_its_basis(hr_lead, outsider):
    make_group(hr_lead, name="Delivery riders")
    first = make_stakeholder(hr_lead, kind="proxy")
    second = make_stakeholder(hr_lead, kind="proxy")
    long_text = "Smallholder farmers " * 20 + "\nwho pay with mobile money."
    foreign = make_stakeholder(outsider, kind="proxy")
    silent = make_stakeholder(hr_lead, kind="proxy")
    rows = [
        {"id": first.pk, "organisation_id": hr_lead.organisation.pk, "represents": "Delivery  riders\nin Nairobi",
         "legitimacy_basis": " Elected by members ", "created_by_id": hr_lead.user.pk},
        {"id": second.pk, "organisation_id": hr_lead.organisation.pk, "represents": long_text,
         "legitimacy_basis": "", "created_by_id": None},
        {"id": foreign.pk, "organisation_id": outsider.organisation.pk, "represents": "Delivery riders in Nairobi",
         "legitimacy_basis": "Union", "created_by_id": None},
        {"id": silent.pk, "organisation_id": hr_lead.organisation.pk, "represents": "",
         "legitimacy_basis": "", "created_by_id": None},
    ]
    before = set(Representation.objects.values_list("pk", flat=True))
    migration.forwards(_Apps(rows), None)
    made = Representation.objects.exclude(pk__in=before).select_related("group")
    by_proxy = {m.proxy_id: m for m in made}
    assert set(by_proxy) == {first.pk, second.pk, foreign.pk}
    # The first line names the group; "Delivery riders" was taken already.
    assert by_proxy[first.pk].group.name == "Delivery riders (2)"
    assert by_proxy[first.pk].group.description == "Delivery  riders\nin Nairobi"
    assert by_proxy[first.pk].legitimacy_basis == "Elected by members" and by_proxy[first.pk].reviewed_on is None
    long_group = by_proxy[second.pk].group
    assert len(long_group.name) == 200 and long_group.name.endswith("\u2026")
    assert long_group.description == long_text.strip()
    assert by_proxy[foreign.pk].group.organisation == outsider.organisation
    assert by_proxy[foreign.pk].group.name == "Delivery riders in Nairobi"


def test_clashing_names_are_made_unique_within_the_organisation(hr_lead):
    make_group(hr_lead, name="Riders")
    proxies = [make_stakeholder(hr_lead, kind="proxy") for _ in range(2)]
    rows = [{"id": p.pk, "organisation_id": hr_lead.organisation.pk, "represents": "riders",
             "legitimacy_basis": "Elected", "created_by_id": None} for p in proxies]
    before = set(AffectedGroup.objects.values_list("pk", flat=True))
    migration.forwards(_Apps(rows), None)
    names = set(AffectedGroup.objects.exclude(pk__in=before).values_list("name", flat=True))
    assert names == {"riders (2)", "riders (3)"}


def test_the_name_rule_cuts_and_numbers():
    taken = set()
    assert migration.group_name("  Riders \n second line", taken) == "Riders"
    assert migration.group_name("RIDERS", taken) == "RIDERS (2)"
    assert len(migration.group_name("x" * 500, taken)) == 200
    assert len(migration.group_name("x" * 500, taken)) == 200
    assert migration.group_name("   ", taken) == "Group"
