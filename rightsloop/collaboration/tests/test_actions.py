"""Shared assessments through their actions: joining, the pool and its consent, one request per partner and
engagement, the load across members, leaving; every refusal says why and saves nothing."""

import pytest
from django.core.exceptions import ValidationError

from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.collaboration import actions, queries
from rightsloop.collaboration.load import pool_load
from rightsloop.collaboration.models import PartnerRequest, PoolPartner, SharedMember, SpaceInvitation
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import contribute, join, make_company, make_shared

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    return make_company("Lead Company"), make_company("Second Company")


def test_an_organisation_is_a_member_only_after_its_human_rights_lead_accepts(two):
    lead, second = two
    shared = make_shared(lead.lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    assert not queries.shared_assessments(second.lead).exists()
    admin = make_member(second.organisation, Role.ADMIN)
    with pytest.raises(ValidationError, match="human rights team"):
        actions.accept_invitation(invitation=invitation, by=admin)
    actions.accept_invitation(invitation=invitation, by=second.lead)
    assert list(queries.shared_assessments(second.lead)) == [shared]
    assert AuditEntry.objects.filter(organisation=second.organisation, action="shared_assessment.joined").exists()
    assert AuditEntry.objects.filter(organisation=lead.organisation, action="shared_assessment.invited").exists()


def test_declining_leaves_the_organisation_out(two):
    lead, second = two
    shared = make_shared(lead.lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    actions.decline_invitation(invitation=invitation, by=second.lead)
    assert not queries.shared_assessments(second.lead).exists()
    with pytest.raises(ValidationError, match="answered already"):
        actions.accept_invitation(invitation=invitation, by=second.lead)


def test_a_removed_organisation_can_neither_be_invited_nor_invite(two):
    lead, second = two
    shared = make_shared(lead.lead)
    Membership.objects.filter(organisation=second.organisation).update(is_active=False)
    with pytest.raises(ValidationError, match="was removed from this installation"):
        actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    with pytest.raises(ValidationError, match="no such organisation"):
        actions.invite_organisation(shared=shared, organisation_id=987654321, by=lead.lead)
    assert not SpaceInvitation.objects.exists()


def test_an_invitation_from_an_organisation_removed_since_cannot_be_accepted(two):
    lead, second = two
    shared = make_shared(lead.lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    Membership.objects.filter(organisation=lead.organisation).update(is_active=False)
    with pytest.raises(ValidationError, match="can no longer be accepted"):
        actions.accept_invitation(invitation=invitation, by=second.lead)
    assert not SharedMember.objects.filter(organisation=second.organisation).exists()
    invitation.refresh_from_db()
    assert invitation.is_open


def test_the_pool_shows_what_is_shared_and_protects_people_above_normal_safety(two):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    ngo = make_stakeholder(lead.lead, name="Haki Digital", entity_type="organisation", kind="expert")
    person = make_stakeholder(lead.lead, name="Amina Odhiambo", entity_type="person", affiliation=ngo.pk,
                              notes="private note")
    defender = make_stakeholder(lead.lead, name="Secret Defender", entity_type="person", safety_level="high",
                                affiliation=ngo.pk)
    contribute(shared, person, by=lead.lead)
    contribute(shared, defender, by=lead.lead)
    cards = queries.partner_cards(second.lead, shared)
    assert cards[0].name == "Amina Odhiambo"
    assert cards[0].organisation == "Haki Digital"
    assert cards[0].country == "Kenya"
    assert "Secret Defender" not in cards[1].name and cards[1].organisation == ""


def test_withdrawing_consent_takes_the_partner_out_at_once_and_asking_them_says_so(two):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    partner = contribute(shared, make_stakeholder(lead.lead), by=lead.lead)
    engagement = make_engagement(second.lead)
    actions.share_engagement(shared=shared, engagement=engagement, by=second.lead)
    actions.withdraw_pool_consent(partner=partner, by=lead.lead)
    assert queries.partner_cards(second.lead, shared) == []
    with pytest.raises(ValidationError, match="withdrew their consent"):
        actions.request_partner(shared=shared, partner=partner, engagement=engagement, by=second.lead)
    assert not PartnerRequest.objects.exists()


def test_one_request_per_partner_and_engagement_whichever_member_asks(two):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    partner = contribute(shared, make_stakeholder(lead.lead), by=lead.lead)
    engagement = make_engagement(second.lead, title="Nairobi workshop")
    actions.share_engagement(shared=shared, engagement=engagement, by=second.lead)
    actions.request_partner(shared=shared, partner=partner, engagement=engagement, by=second.lead)
    with pytest.raises(actions.AlreadyRequested, match="Second Company"):
        actions.request_partner(shared=shared, partner=partner, engagement=engagement, by=lead.lead)
    assert PartnerRequest.objects.count() == 1


def test_a_partner_already_taking_part_is_not_asked_again(two):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    person = make_stakeholder(lead.lead)
    partner = contribute(shared, person, by=lead.lead)
    engagement = make_engagement(lead.lead)
    make_participation(lead.lead, engagement, person)
    actions.share_engagement(shared=shared, engagement=engagement, by=lead.lead)
    with pytest.raises(actions.AlreadyRequested, match="Lead Company"):
        actions.request_partner(shared=shared, partner=partner, engagement=engagement, by=second.lead)


def test_the_load_counts_every_members_requests(two):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    person = make_stakeholder(lead.lead)
    partner = contribute(shared, person, by=lead.lead)
    private = make_engagement(lead.lead, title="Lead's own private engagement")
    make_participation(lead.lead, private, person)
    for number in range(5):
        engagement = make_engagement(second.lead, title=f"Shared {number}")
        actions.share_engagement(shared=shared, engagement=engagement, by=second.lead)
        actions.request_partner(shared=shared, partner=partner, engagement=engagement, by=second.lead,
                                confirm_load=True)
    seen = pool_load(partner, seen_by=second.organisation)
    assert (seen.count_90, seen.count_365) == (6, 6)
    titles = [r.title for r in seen.requests]
    assert "Lead's own private engagement" not in titles and "Shared 0" in titles
    assert "Lead's own private engagement" in [r.title for r in pool_load(partner, seen_by=lead.organisation).requests]
    # Over the default thresholds (4 in 90 days): the next one asks to confirm, by all members together.
    extra = make_engagement(lead.lead)
    actions.share_engagement(shared=shared, engagement=extra, by=lead.lead)
    with pytest.raises(actions.PoolOverSolicited):
        actions.request_partner(shared=shared, partner=partner, engagement=extra, by=lead.lead)


def test_leaving_keeps_what_was_contributed_and_hides_the_assessment(two):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    engagement = make_engagement(second.lead)
    actions.share_engagement(shared=shared, engagement=engagement, by=second.lead)
    partner = contribute(shared, make_stakeholder(second.lead), by=second.lead)
    actions.leave(shared=shared, by=second.lead)
    assert not queries.shared_assessments(second.lead).exists()
    assert engagement in queries.shared_engagements(shared)
    assert partner in PoolPartner.objects.in_pool()
    with pytest.raises(ValidationError, match="lead organisation cannot leave"):
        actions.leave(shared=shared, by=lead.lead)
    # The partner's withdrawal does not wait on the company's membership.
    assert queries.access_own_contribution(second.lead, partner.pk) == partner
    actions.withdraw_pool_consent(partner=partner, by=second.lead)
