"""Affected groups and the proxies that speak for them: the actions (stakeholders/groups.py)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders import actions, groups, queries
from rightsloop.stakeholders.groups import GroupPlan, Mandate, Speaks
from rightsloop.stakeholders.models import AffectedGroup, GroupMembership, Representation
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

pytestmark = pytest.mark.django_db


def test_a_group_is_created_with_checked_codes_and_audited_without_its_name(hr_lead):
    group = groups.create_group(plan=GroupPlan(
        name="  Women  human rights defenders ", description="In the north", countries=["mm", "TH"],
        languages=["my", "en"], at_risk=["human_rights_defender"], size_estimate=300), by=hr_lead)
    assert group.name == "Women human rights defenders"
    assert (group.countries, group.languages, group.at_risk) == (["MM", "TH"], ["en", "my"], ["human_rights_defender"])
    entry = AuditEntry.objects.get(action="group.created")
    assert entry.target_id == str(group.pk) and "defenders" not in entry.summary
    assert "countries" in entry.changed_fields


@pytest.mark.parametrize("field,value", [
    ("countries", ["ZZ"]), ("languages", ["english"]), ("at_risk", ["tall"]), ("name", "   "),
])
def test_unknown_codes_and_empty_names_are_refused(hr_lead, field, value):
    plan = GroupPlan(**{"name": "Riders", field: value})
    with pytest.raises(ValidationError) as caught:
        groups.create_group(plan=plan, by=hr_lead)
    assert field in caught.value.message_dict
    assert not AffectedGroup.objects.exists()


def test_names_are_unique_per_organisation_whatever_the_case(hr_lead, outsider):
    make_group(hr_lead, name="Riders")
    with pytest.raises(ValidationError) as caught:
        groups.create_group(plan=GroupPlan(name="riders"), by=hr_lead)
    assert "name" in caught.value.message_dict
    assert make_group(outsider, name="Riders").organisation == outsider.organisation


def test_update_records_which_fields_changed(hr_lead):
    group = make_group(hr_lead, name="Riders", size_estimate=10)
    plan = GroupPlan.of(group)
    plan.size_estimate = 20
    groups.update_group(group=group, plan=plan, by=hr_lead)
    group.refresh_from_db()
    assert group.size_estimate == 20
    assert AuditEntry.objects.get(action="group.updated").changed_fields == ["size_estimate"]


def test_members_are_added_once_and_removed(hr_lead):
    group = make_group(hr_lead)
    person = make_stakeholder(hr_lead)
    groups.add_member(group=group, stakeholder=person, by=hr_lead)
    groups.add_member(group=group, stakeholder=person, by=hr_lead)
    assert list(group.members.all()) == [person]
    assert AuditEntry.objects.filter(action="group.member_added").count() == 1
    assert groups.remove_member(group=group, stakeholder=person, by=hr_lead) is True
    assert not group.members.exists()
    assert groups.remove_member(group=group, stakeholder=person, by=hr_lead) is False


def test_nothing_crosses_organisations(hr_lead, outsider):
    group = make_group(hr_lead)
    foreigner = make_stakeholder(outsider)
    foreign_proxy = make_stakeholder(outsider, kind="proxy")
    with pytest.raises(ValidationError):
        groups.add_member(group=group, stakeholder=foreigner, by=hr_lead)
    with pytest.raises(ValidationError):
        groups.represent(proxy=foreign_proxy, group=group, mandate=Mandate("Elected"), by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        groups.link_risks(group=group, risks=[make_risk(outsider, title="Foreign risk")], by=hr_lead)
    assert "risk_ids" in caught.value.message_dict
    assert not group.members.exists() and not group.representations.exists() and not group.risks.exists()


def test_risks_are_linked_and_unlinked_once(hr_lead):
    group = make_group(hr_lead)
    risk = make_risk(hr_lead, title="Location leaks")
    assert groups.link_risks(group=group, risks=[risk], by=hr_lead) == [risk.pk]
    assert groups.link_risks(group=group, risks=[risk], by=hr_lead) == []
    assert list(risk.groups.all()) == [group]
    assert groups.unlink_risks(group=group, risks=[risk], by=hr_lead) == [risk.pk]
    assert AuditEntry.objects.filter(action__startswith="group.risks_").count() == 2


def test_only_a_proxy_represents_and_it_needs_a_basis(hr_lead):
    group = make_group(hr_lead)
    person = make_stakeholder(hr_lead)
    with pytest.raises(ValidationError) as caught:
        groups.represent(proxy=person, group=group, mandate=Mandate("Elected"), by=hr_lead)
    assert "proxy" in caught.value.message_dict
    proxy = make_stakeholder(hr_lead, kind="proxy")
    with pytest.raises(ValidationError) as caught:
        groups.represent(proxy=proxy, group=group, mandate=Mandate("  "), by=hr_lead)
    assert "legitimacy_basis" in caught.value.message_dict
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        groups.represent(proxy=proxy, group=group, mandate=Mandate("Elected", reviewed_on=tomorrow), by=hr_lead)
    assert "reviewed_on" in caught.value.message_dict


def test_a_representation_is_edited_ended_and_reopened(hr_lead):
    proxy = make_stakeholder(hr_lead, kind="proxy")
    group = make_group(hr_lead)
    mandate = groups.represent(proxy=proxy, group=group, mandate=Mandate("Elected", "Minutes"), by=hr_lead)
    with pytest.raises(ValidationError):
        groups.represent(proxy=proxy, group=group, mandate=Mandate("Elected"), by=hr_lead)
    reviewed = timezone.localdate()
    groups.update_representation(representation=mandate, mandate=Mandate("Elected", "Minutes", reviewed),
                                 by=hr_lead)
    assert AuditEntry.objects.get(action="group.representation_updated").changed_fields == ["reviewed_on"]
    groups.end_representation(representation=mandate, by=hr_lead)
    mandate.refresh_from_db()
    assert mandate.ended_at is not None and not proxy.representations.filter(group=group).current().exists()
    again = groups.represent(proxy=proxy, group=group, mandate=Mandate("Re-elected"), by=hr_lead)
    assert again.pk == mandate.pk and again.ended_at is None and again.legitimacy_basis == "Re-elected"


def test_a_proxy_never_ends_up_speaking_for_no_group(hr_lead):
    group = make_group(hr_lead)
    proxy = make_stakeholder(hr_lead, kind="proxy", speaks_for=[Speaks(group=group, mandate=Mandate("Elected"))])
    (only,) = proxy.representations.all()
    with pytest.raises(ValidationError):
        groups.end_representation(representation=only, by=hr_lead)
    with pytest.raises(ValidationError):
        groups.delete_group(group=group, by=hr_lead)
    other = make_group(hr_lead)
    groups.represent(proxy=proxy, group=other, mandate=Mandate("Also elected"), by=hr_lead)
    groups.delete_group(group=group, by=hr_lead)
    assert list(proxy.representations.current().values_list("group", flat=True)) == [other.pk]
    assert AuditEntry.objects.filter(action="group.deleted", target_id=str(group.pk)).exists()


def test_registering_a_proxy_can_create_its_group_and_becoming_one_needs_a_group(hr_lead):
    proxy, _flags = actions.register_stakeholder(
        profile=StakeholderProfile(name="Union", kind="proxy"), by=hr_lead,
        speaks_for=[Speaks(group="Delivery riders", mandate=Mandate("Elected by members"))])
    assert proxy.representations.get().group.name == "Delivery riders"
    person = make_stakeholder(hr_lead, kind="expert")
    profile = StakeholderProfile.of(person)
    profile.kind = "proxy"
    with pytest.raises(ValidationError) as caught:
        actions.update_stakeholder(stakeholder=person, profile=profile, by=hr_lead)
    assert "group" in caught.value.message_dict
    group = make_group(hr_lead)
    actions.update_stakeholder(stakeholder=person, profile=profile, by=hr_lead,
                               speaks_for=[Speaks(group=group, mandate=Mandate("Chosen"))])
    assert person.representations.current().get().group == group
    profile.kind = "expert"
    actions.update_stakeholder(stakeholder=person, profile=profile, by=hr_lead)
    assert not person.representations.current().exists()


def test_review_is_overdue_when_never_done_or_older_than_a_year(hr_lead):
    today = timezone.localdate()
    proxy = make_stakeholder(hr_lead, kind="proxy")
    stale, fresh = make_group(hr_lead), make_group(hr_lead)
    groups.represent(proxy=proxy, group=stale, mandate=Mandate("Elected", reviewed_on=today - datetime.timedelta(
        days=400)), by=hr_lead)
    groups.represent(proxy=proxy, group=fresh, mandate=Mandate("Elected", reviewed_on=today), by=hr_lead)
    overdue = set(Representation.objects.review_overdue(today).values_list("group__name", flat=True))
    # The factory's own group was never reviewed.
    assert overdue == {stale.name, proxy.representations.exclude(group__in=[stale, fresh]).get().group.name}


def test_erasure_takes_memberships_and_empties_mandates(hr_lead):
    group = make_group(hr_lead)
    person = make_stakeholder(hr_lead)
    groups.add_member(group=group, stakeholder=person, by=hr_lead)
    proxy = make_stakeholder(hr_lead, kind="proxy")
    document = actions.export_subject(stakeholder=person, by=hr_lead)
    assert document["stakeholder"]["groups"][0]["group"] == group.name
    assert actions.export_subject(stakeholder=proxy, by=hr_lead)["stakeholder"]["represents"][0][
        "legitimacy_basis"] == "Elected by members"
    actions.erase_stakeholder(stakeholder=person, reason="asked", by=hr_lead)
    actions.erase_stakeholder(stakeholder=proxy, reason="asked", by=hr_lead)
    assert not GroupMembership.objects.exists()
    mandate = Representation.objects.get(proxy=proxy)
    assert mandate.ended_at is not None and mandate.legitimacy_basis == "" and mandate.evidence == ""
    assert AffectedGroup.objects.filter(pk=group.pk).exists()


def test_a_member_without_a_grant_never_sees_nor_counts_a_protected_member(hr_lead, admin):
    group = make_group(hr_lead)
    protected = make_stakeholder(hr_lead, safety_level="high")
    visible = make_stakeholder(hr_lead)
    for person in (protected, visible):
        groups.add_member(group=group, stakeholder=person, by=hr_lead)
    assert set(queries.group_members(hr_lead, group)) == {protected, visible}
    assert list(queries.group_members(admin, group)) == [visible]
    assert queries.group_list(admin).get().member_count == 1
    assert queries.group_list(hr_lead).get().member_count == 2
    assert list(queries.groups_of(admin, visible)) == [group]
