"""The agreement's rules: terms, versions, states, answers, owners, audit, subject data."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.relationships import agreement_subjects, agreements, queries
from rightsloop.relationships.agreements import AgreementTerms
from rightsloop.relationships.models import Agreement, AgreementVersion, Relationship
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement, make_terms

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _actions(agreement) -> list[str]:
    return list(AuditEntry.objects.about(agreement).order_by("sequence").values_list("action", flat=True))


# Terms ---------------------------------------------------------------------------

@pytest.mark.parametrize(("fields", "field"), [
    ({"nda_sunset_on": TODAY - DAY}, "nda_sunset_on"),
    ({"nda_sunset_on": TODAY}, "nda_sunset_on"),
    ({"review_on": TODAY}, "review_on"),
    ({"review_on": TODAY - 10 * DAY}, "review_on"),
    ({"review_on": None}, "review_on"),
    ({"starts_on": None}, "starts_on"),
    ({"nda_sunset_on": None}, "nda_sunset_on"),
    ({"nda_scope": ""}, "nda_scope"),
    ({"indicative_months": [0]}, "indicative_months"),
    ({"indicative_months": [13]}, "indicative_months"),
    ({"engagement_kinds": ["coffee"]}, "engagement_kinds"),
    ({"briefing_topics": ["gossip"]}, "briefing_topics"),
    ({"we_may": {"sell_their_data": True}}, "we_may"),
    ({"they_may": {"name_us": "yes"}}, "they_may"),
    ({"engagements_expected": -1}, "engagements_expected"),
    ({"feedback_within_days": 0}, "feedback_within_days"),
])
def test_bad_terms_save_nothing(hr_lead, fields, field):
    stakeholder = make_stakeholder(hr_lead)
    with pytest.raises(ValidationError) as raised:
        agreements.create_agreement(stakeholder=stakeholder, terms=make_terms(**fields), by=hr_lead)
    assert field in raised.value.message_dict
    assert not Agreement.objects.exists()
    assert not AgreementVersion.objects.exists()


@settings(max_examples=60, deadline=None)
@given(start=st.dates(), review=st.dates(), sunset=st.none() | st.dates())
def test_dates_rule(start, review, sunset):
    """Review after start; an NDA's sunset after start; whatever the dates, the rule is the same."""
    terms = AgreementTerms(starts_on=start, review_on=review, nda_scope="scope" if sunset else "",
                           nda_sunset_on=sunset)
    ok = review > start and (sunset is None or sunset > start)
    try:
        terms.check()
    except ValidationError:
        assert not ok
    else:
        assert ok


def test_no_nda_is_fine(hr_lead):
    agreement = agreements.create_agreement(stakeholder=make_stakeholder(hr_lead),
                                            terms=make_terms(nda_scope="", nda_sunset_on=None), by=hr_lead)
    assert agreement.current_version.has_nda is False


# The workflow --------------------------------------------------------------------

def test_draft_propose_accept_in_force_review_end(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder)
    assert agreement.state == "drafted"
    agreements.update_draft(agreement=agreement, terms=make_terms(feedback_within_days=14), by=hr_lead)
    agreement.refresh_from_db()
    assert agreement.current_version.feedback_within_days == 14
    agreement = agreements.propose_agreement(agreement=agreement, by=hr_lead)
    assert agreement.state == "proposed"
    with pytest.raises(ValidationError):
        agreements.update_draft(agreement=agreement, terms=make_terms(), by=hr_lead)
    agreement = agreements.answer_agreement(agreement=agreement, answer="accepted", via="portal", by=None)
    assert agreement.state == "in_force"
    assert agreement.accepted_version == agreement.current_version
    agreement = agreements.start_review(agreement=agreement, by=hr_lead)
    assert agreement.state == "under_review"
    agreement = agreements.end_agreement(agreement=agreement, reason="Project closed", by=hr_lead)
    assert agreement.state == "ended"
    assert agreement.ended_on == TODAY
    assert _actions(agreement) == ["agreement.drafted", "agreement.draft_changed", "agreement.proposed",
                                   "agreement.accepted", "agreement.under_review", "agreement.ended"]
    portal_answer = AuditEntry.objects.about(agreement).get(action="agreement.accepted")
    assert portal_answer.actor is None and "portal" in portal_answer.summary


def test_accepted_before_start_comes_into_force_on_start(hr_lead):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead), state="accepted",
                               starts_on=TODAY + 5 * DAY, review_on=TODAY + 300 * DAY, nda_sunset_on=TODAY + 200 * DAY)
    assert agreement.state == "accepted"
    assert agreements.bring_into_force(today=TODAY) == 0
    assert agreements.bring_into_force(today=TODAY + 5 * DAY) == 1
    assert agreements.bring_into_force(today=TODAY + 5 * DAY) == 0
    agreement.refresh_from_db()
    assert agreement.state == "in_force"


def test_asking_for_changes_needs_a_comment_and_keeps_it_sealed(hr_lead):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead), state="proposed")
    with pytest.raises(ValidationError) as raised:
        agreements.answer_agreement(agreement=agreement, answer="changes_requested", comment=" ", via="portal",
                                    by=None)
    assert "comment" in raised.value.message_dict
    agreement.refresh_from_db()
    assert agreement.state == "proposed"
    agreements.answer_agreement(agreement=agreement, answer="changes_requested", comment="Shorter NDA, please",
                                via="portal", by=None)
    version = AgreementVersion.objects.get(agreement=agreement)
    assert version.comment == "Shorter NDA, please"
    assert b"Shorter" not in bytes(version.comment_sealed)
    assert "Shorter" not in " ".join(AuditEntry.objects.values_list("summary", flat=True))


def test_answer_must_say_who_and_how(hr_lead):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead), state="proposed")
    with pytest.raises(ValidationError):  # staff cannot pretend to be the portal
        agreements.answer_agreement(agreement=agreement, answer="accepted", via="portal", by=hr_lead)
    with pytest.raises(ValidationError):  # the portal has no staff member behind it
        agreements.answer_agreement(agreement=agreement, answer="accepted", via="email", by=None)
    with pytest.raises(ValidationError):
        agreements.answer_agreement(agreement=agreement, answer="maybe", via="email", by=hr_lead)
    agreements.answer_agreement(agreement=agreement, answer="declined", via="email", by=hr_lead)
    version = AgreementVersion.objects.get(agreement=agreement)
    assert version.answer_recorded_by == hr_lead.user
    assert version.answered_via == "email"
    with pytest.raises(ValidationError):  # nothing waits for an answer any more
        agreements.answer_agreement(agreement=agreement, answer="accepted", via="email", by=hr_lead)


def test_a_new_version_needs_a_new_acceptance_and_old_terms_govern_meanwhile(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder, state="in_force")
    first = agreement.current_version
    agreement = agreements.revise_agreement(agreement=agreement, by=hr_lead)
    assert agreement.state == "drafted"
    assert agreement.current_version.number == 2
    agreements.update_draft(agreement=agreement, terms=make_terms(we_may={"quote": True}), by=hr_lead)
    terms = queries.attribution_terms(stakeholder)
    assert terms.in_force and terms.version == 1
    assert terms.may_quote_them() is False
    agreements.propose_agreement(agreement=agreement, by=hr_lead)
    agreements.answer_agreement(agreement=agreement, answer="accepted", via="portal", by=None)
    terms = queries.attribution_terms(stakeholder)
    assert terms.version == 2 and terms.may_quote_them() is True
    first.refresh_from_db()
    assert first.answer == "accepted"  # the old version and its answer stay
    assert agreement.versions.count() == 2


def test_one_open_agreement_per_stakeholder(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    first = make_agreement(hr_lead, stakeholder, state="declined")
    with pytest.raises(ValidationError):
        make_agreement(hr_lead, stakeholder)
    agreements.end_agreement(agreement=first, reason="They declined", by=hr_lead)
    assert make_agreement(hr_lead, stakeholder).state == "drafted"


@pytest.mark.parametrize("state", ["drafted", "proposed", "declined", "changes_requested", "ended"])
def test_review_only_of_accepted_terms(hr_lead, state):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead), state=state)
    with pytest.raises(ValidationError):
        agreements.start_review(agreement=agreement, by=hr_lead)


def test_end_needs_a_reason_and_happens_once(hr_lead):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead))
    with pytest.raises(ValidationError):
        agreements.end_agreement(agreement=agreement, reason="  ", by=hr_lead)
    agreements.end_agreement(agreement=agreement, reason="No longer needed", by=hr_lead)
    with pytest.raises(ValidationError):
        agreements.end_agreement(agreement=agreement, reason="Again", by=hr_lead)
    with pytest.raises(ValidationError):
        agreements.revise_agreement(agreement=agreement, by=hr_lead)


def test_erased_stakeholder_gets_no_agreement(hr_lead):
    from rightsloop.stakeholders.actions import erase_stakeholder

    stakeholder = make_stakeholder(hr_lead)
    erase_stakeholder(stakeholder=stakeholder, reason="asked", by=hr_lead)
    stakeholder.refresh_from_db()
    with pytest.raises(ValidationError):
        agreements.create_agreement(stakeholder=stakeholder, terms=make_terms(), by=hr_lead)


# Attribution terms --------------------------------------------------------------------

def test_attribution_terms_without_agreement_allow_nothing(hr_lead):
    terms = queries.attribution_terms(make_stakeholder(hr_lead))
    assert not terms.in_force and not terms.nda_binding
    assert not any(terms.we_may.values()) and not any(terms.they_may.values())
    assert terms.may_name_them() is False and terms.may_they_name_us() is False


@pytest.mark.parametrize("state", ["drafted", "proposed", "declined", "changes_requested"])
def test_terms_never_accepted_allow_nothing(hr_lead, state):
    stakeholder = make_stakeholder(hr_lead)
    make_agreement(hr_lead, stakeholder, state=state)
    terms = queries.attribution_terms(stakeholder)
    assert not terms.in_force and not terms.may_name_them() and not terms.nda_binding


def test_attribution_terms_in_force_and_the_nda_outliving_the_agreement(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder, state="in_force")
    terms = queries.attribution_terms(stakeholder)
    assert terms.in_force and terms.may_name_them() and not terms.may_quote_them()
    assert terms.may_they_name_us() and terms.they_may["quote_staff"] is False
    assert terms.nda_covers == "The product roadmap shown in workshops"
    assert terms.nda_until == TODAY + 180 * DAY
    agreements.end_agreement(agreement=agreement, reason="Closed", by=hr_lead)
    after = queries.attribution_terms(stakeholder)
    assert not after.in_force and not after.may_name_them()
    assert after.nda_binding and after.nda_until == TODAY + 180 * DAY
    lapsed = queries.attribution_terms(stakeholder, on=TODAY + 180 * DAY)
    assert not lapsed.nda_binding and lapsed.nda_ended_on == TODAY + 180 * DAY
    before_start = queries.attribution_terms(stakeholder, on=TODAY - DAY)
    assert not before_start.in_force and not before_start.nda_binding


# Owners ---------------------------------------------------------------------------------

def test_owner_of_falls_back_to_the_human_rights_leads(organisation, hr_lead, admin):
    stakeholder = make_stakeholder(hr_lead)
    second_lead = make_member(organisation, Role.HR_LEAD)
    assert {user.pk for user in queries.owner_of(stakeholder)} == {hr_lead.user.pk, second_lead.user.pk}
    agreements.set_owner(stakeholder=stakeholder, owner=admin.user, by=hr_lead)
    assert queries.owner_of(stakeholder) == [admin.user]
    assert AuditEntry.objects.filter(action="relationship.owner_set").count() == 1
    # An owner who left is no owner: the leads stand in again.
    admin.user.memberships.update(is_active=False)
    assert {user.pk for user in queries.owner_of(stakeholder)} == {hr_lead.user.pk, second_lead.user.pk}
    agreements.set_owner(stakeholder=stakeholder, owner=None, by=hr_lead)
    assert Relationship.objects.get(stakeholder=stakeholder).owner is None


def test_owner_must_be_able_to_own_and_to_see(organisation, hr_lead, decision_maker, other_organisation):
    stakeholder = make_stakeholder(hr_lead)
    with pytest.raises(ValidationError):
        agreements.set_owner(stakeholder=stakeholder, owner=decision_maker.user, by=hr_lead)
    stranger = make_member(other_organisation, Role.HR_LEAD)
    with pytest.raises(ValidationError):
        agreements.set_owner(stakeholder=stakeholder, owner=stranger.user, by=hr_lead)
    protected = make_stakeholder(hr_lead, safety_level="high")
    colleague = make_member(organisation, Role.HR_LEAD)
    with pytest.raises(ValidationError):  # no grant on the high-safety person
        agreements.set_owner(stakeholder=protected, owner=colleague.user, by=hr_lead)
    assert not Relationship.objects.exclude(owner=None).exists()


# Subject data ---------------------------------------------------------------------------

def test_subject_export_and_erasure(hr_lead):
    from rightsloop.core.registry import site

    stakeholder = make_stakeholder(hr_lead)
    make_agreement(hr_lead, stakeholder, state="changes_requested")
    assert "agreements" in {handler.key for handler in site.subject_data}
    exported = agreement_subjects.export(stakeholder)
    assert exported[0]["state"] == "changes_requested"
    assert exported[0]["versions"][0]["comment"] == "Please shorten the NDA"
    assert exported[0]["versions"][0]["nda_scope"] == "The product roadmap shown in workshops"
    assert agreement_subjects.erase(stakeholder) == 1
    version = AgreementVersion.objects.get()
    assert bytes(version.comment_sealed) == b""
    assert agreement_subjects.erase(stakeholder) == 0
