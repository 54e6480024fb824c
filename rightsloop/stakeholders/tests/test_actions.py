import datetime

import pytest
from django.core.exceptions import ValidationError

from rightsloop.core.models import AuditEntry
from rightsloop.stakeholders import actions
from rightsloop.stakeholders.groups import Mandate, Speaks
from rightsloop.stakeholders.models import AffectedGroup, DuplicateFlag, Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.queries import consent_state, may_attribute_inputs
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_register_derives_geography_and_stores_traits(hr_lead):
    stakeholder, duplicates = actions.register_stakeholder(by=hr_lead, profile=StakeholderProfile(
        name="Kituo cha Sheria", kind="proxy", country="ke", languages=["sw", "en"], at_risk=["low_income"],
        rights=["privacy"], technologies=["fintech"], email="Info@Kituo.example",
    ), speaks_for=[Speaks(group="Tenants in informal settlements",
                          mandate=Mandate(legitimacy_basis="Member-run legal aid centre"))])
    stakeholder.refresh_from_db()
    assert duplicates == []
    assert (stakeholder.country, stakeholder.region_code, stakeholder.subregion_code) == ("KE", "002", "202")
    assert stakeholder.global_south is True
    assert stakeholder.email == "info@kituo.example"
    assert stakeholder.languages == ["en", "sw"]
    assert stakeholder.at_risk_attributes == ["low_income"]
    entry = AuditEntry.objects.get(action="stakeholder.registered")
    assert entry.target_id == str(stakeholder.pk) and entry.actor == hr_lead.user
    assert "Kituo" not in entry.summary  # audit summaries never carry identities


def test_a_proxy_must_say_which_group_it_represents_and_why(hr_lead):
    with pytest.raises(ValidationError) as caught:
        actions.register_stakeholder(by=hr_lead, profile=StakeholderProfile(name="Union", kind="proxy"))
    assert set(caught.value.message_dict) == {"group"}
    with pytest.raises(ValidationError) as caught:
        actions.register_stakeholder(by=hr_lead, profile=StakeholderProfile(name="Union", kind="proxy"), speaks_for=[
            Speaks(group="Riders", mandate=Mandate(legitimacy_basis="  "))])
    assert set(caught.value.message_dict) == {"legitimacy_basis"}
    assert not Stakeholder.objects.exists()
    assert not AffectedGroup.objects.exists()


@pytest.mark.parametrize("field,value", [
    ("kind", "rights_holder"), ("safety_level", "extreme"), ("languages", ["english"]), ("rights", ["right_to_wifi"]),
    ("country", "ZZ"), ("at_risk", ["tall"]), ("safe_channels", ["pigeon"]),
])
def test_unknown_values_are_refused_and_nothing_is_saved(hr_lead, field, value):
    profile = StakeholderProfile(**{"name": "Someone", "kind": "expert", field: value})
    with pytest.raises(ValidationError) as caught:
        actions.register_stakeholder(by=hr_lead, profile=profile)
    assert field in caught.value.message_dict
    assert not Stakeholder.objects.exists()
    assert not AuditEntry.objects.filter(action="stakeholder.registered").exists()


def test_same_email_is_flagged_as_likely_duplicate(hr_lead):
    first = make_stakeholder(hr_lead, email="ana@example.org")
    second, duplicates = actions.register_stakeholder(by=hr_lead, profile=StakeholderProfile(
        name="Completely Different", kind="expert", email=" ANA@example.org "))
    assert [(d.stakeholder, d.reason) for d in duplicates] == [(first, "same_email")]
    assert DuplicateFlag.objects.get(stakeholder=second).other == first


def test_near_identical_name_in_same_country_is_flagged(hr_lead):
    first = make_stakeholder(hr_lead, name="Ana María Pérez", country="CO", email="")
    _other_country = make_stakeholder(hr_lead, name="Ana Maria Perez", country="MX", email="")
    _, duplicates = actions.register_stakeholder(by=hr_lead, profile=StakeholderProfile(
        name="Pérez, Ana Maria", kind="affected", country="CO"))
    assert [(d.stakeholder, d.reason) for d in duplicates] == [(first, "similar_name")]


def test_different_organisations_in_same_country_are_not_duplicates(hr_lead):
    make_stakeholder(hr_lead, name="Digital Rights Kenya", country="KE", email="")
    _, duplicates = actions.register_stakeholder(by=hr_lead, profile=StakeholderProfile(
        name="Digital Rights Uganda", kind="expert", country="KE"))
    assert duplicates == []


def test_duplicates_are_only_searched_within_the_organisation(hr_lead, outsider):
    make_stakeholder(outsider, email="shared@example.org")
    _, duplicates = actions.register_stakeholder(by=hr_lead, profile=StakeholderProfile(
        name="X", kind="expert", email="shared@example.org"))
    assert duplicates == []


def test_update_audits_field_names_not_values(hr_lead):
    stakeholder = make_stakeholder(hr_lead, name="Old Name", safety_level="normal")
    profile = StakeholderProfile.of(Stakeholder.objects.prefetch_related("traits").get(pk=stakeholder.pk))
    profile.name = "New Name"
    profile.safety_level = "elevated"
    profile.languages = ["fr"]
    actions.update_stakeholder(stakeholder=stakeholder, profile=profile, by=hr_lead)
    stakeholder.refresh_from_db()
    assert stakeholder.name == "New Name" and stakeholder.languages == ["fr"]
    entry = AuditEntry.objects.get(action="stakeholder.updated")
    assert set(entry.changed_fields) == {"name", "safety_level", "traits"}
    assert "New Name" not in entry.summary and "Old Name" not in entry.summary


def test_update_without_change_writes_no_audit_entry(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    profile = StakeholderProfile.of(Stakeholder.objects.prefetch_related("traits").get(pk=stakeholder.pk))
    actions.update_stakeholder(stakeholder=stakeholder, profile=profile, by=hr_lead)
    assert not AuditEntry.objects.filter(action="stakeholder.updated").exists()


def test_consent_newest_record_wins_and_withdrawal_is_kept(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    day = datetime.date(2026, 1, 10)
    assert consent_state(stakeholder)["attribute_inputs"] is None
    first = actions.record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True,
                                   method="written", given_on=day, by=hr_lead)
    assert may_attribute_inputs(stakeholder)
    actions.record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=False, method="verbal",
                           given_on=day + datetime.timedelta(days=5), by=hr_lead)
    assert not may_attribute_inputs(stakeholder)
    actions.withdraw_consent(consent=first, by=hr_lead)
    first.refresh_from_db()
    assert first.withdrawn_at is not None
    assert stakeholder.consents.count() == 2
    assert AuditEntry.objects.filter(action__startswith="consent.").count() == 3


def test_high_safety_inputs_are_never_attributed_even_with_consent(hr_lead):
    stakeholder = make_stakeholder(hr_lead, safety_level="high")
    actions.record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True, method="written",
                           given_on=datetime.date(2026, 1, 1), by=hr_lead)
    assert not may_attribute_inputs(stakeholder)


def test_dismissing_a_duplicate_flag(hr_lead):
    make_stakeholder(hr_lead, email="a@example.org")
    second = make_stakeholder(hr_lead, email="a@example.org")
    flag = second.duplicate_flags.get()
    actions.dismiss_duplicate_flag(flag=flag, by=hr_lead)
    actions.dismiss_duplicate_flag(flag=flag, by=hr_lead)
    flag.refresh_from_db()
    assert flag.dismissed_by == hr_lead.user
    assert AuditEntry.objects.filter(action="stakeholder.duplicate_dismissed").count() == 1
