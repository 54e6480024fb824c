"""The pages of shared assessments: joining, what members see, the messages of refusals, and query counts that do
not grow with the number of members, engagements, inputs or partners."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rightsloop.accounts.models import Membership
from rightsloop.collaboration import actions
from rightsloop.collaboration.models import SharedMember, SpaceInvitation
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import contribute, join, make_company, make_shared

pytestmark = pytest.mark.django_db


@pytest.fixture
def two():
    return make_company("Lead Company"), make_company("Second Company")


def test_the_invited_human_rights_lead_accepts_and_then_sees_the_assessment(two, sign_in):
    lead, second = two
    shared = make_shared(lead.lead, title="Facial recognition in East Africa")
    page = sign_in(second.lead)
    assert page.get(f"/shared-assessments/{shared.pk}/").status_code == 404
    response = sign_in(lead.lead).post(f"/shared-assessments/{shared.pk}/invite/",
                                       {"organisation": second.organisation.pk})
    assert response.status_code == 302
    invitation = SpaceInvitation.objects.get()
    index = page.get("/shared-assessments/").content.decode()
    assert "Facial recognition in East Africa" in index and "Lead Company" in index
    confirm = page.get(f"/shared-assessments/invitations/{invitation.pk}/accept/")
    assert confirm.status_code == 200 and "stay your own" in confirm.content.decode()
    assert not SharedMember.objects.filter(organisation=second.organisation).exists()
    response = page.post(f"/shared-assessments/invitations/{invitation.pk}/accept/")
    assert response.status_code == 302
    assert page.get(f"/shared-assessments/{shared.pk}/").status_code == 200


def test_inviting_a_removed_organisation_says_so_and_saves_nothing(two, sign_in):
    lead, second = two
    shared = make_shared(lead.lead)
    Membership.objects.filter(organisation=second.organisation).update(is_active=False)
    response = sign_in(lead.lead).post(f"/shared-assessments/{shared.pk}/invite/",
                                       {"organisation": second.organisation.pk})
    assert response.status_code == 400
    assert "was removed from this installation" in response.content.decode()
    assert not SpaceInvitation.objects.exists()


def test_accepting_an_invitation_from_a_removed_organisation_says_so(two, sign_in):
    lead, second = two
    shared = make_shared(lead.lead)
    invitation = actions.invite_organisation(shared=shared, organisation_id=second.organisation.pk, by=lead.lead)
    Membership.objects.filter(organisation=lead.organisation).update(is_active=False)
    response = sign_in(second.lead).post(f"/shared-assessments/invitations/{invitation.pk}/accept/")
    assert response.status_code == 400
    assert "can no longer be accepted" in response.content.decode()
    assert not SharedMember.objects.filter(organisation=second.organisation).exists()


def test_asking_a_partner_twice_names_who_asked_and_a_withdrawn_partner_cannot_be_asked(two, sign_in):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    partner = contribute(shared, make_stakeholder(lead.lead, name="Amina Odhiambo"), by=lead.lead)
    engagement = make_engagement(second.lead)
    actions.share_engagement(shared=shared, engagement=engagement, by=second.lead)
    url = f"/shared-assessments/{shared.pk}/partners/{partner.pk}/"
    assert sign_in(second.lead).post(url, {"shared_engagement": engagement.pk}).status_code == 302
    again = sign_in(lead.lead).post(url, {"shared_engagement": engagement.pk})
    assert again.status_code == 400
    assert "already asked to this engagement by Second Company" in again.content.decode()
    page = sign_in(lead.lead)
    assert page.post(f"/shared-assessments/partners/{partner.pk}/withdraw/").status_code == 302
    gone = sign_in(second.lead).get(url).content.decode()
    assert "withdrew their consent" in gone and "Amina Odhiambo" not in gone
    assert "Amina Odhiambo" not in sign_in(second.lead).get(f"/shared-assessments/{shared.pk}/").content.decode()


def test_leaving_hides_the_assessment(two, sign_in):
    lead, second = two
    shared = make_shared(lead.lead)
    join(shared, second.lead, by=lead.lead)
    page = sign_in(second.lead)
    assert "What is kept" in page.get(f"/shared-assessments/{shared.pk}/leave/").content.decode()
    assert page.post(f"/shared-assessments/{shared.pk}/leave/").status_code == 302
    assert page.get(f"/shared-assessments/{shared.pk}/").status_code == 404
    lead_page = sign_in(lead.lead).get(f"/shared-assessments/{shared.pk}/leave/").content.decode()
    assert "cannot leave" in lead_page


def _grow(shared, company, lead, number: int):
    """One more member with an engagement of two inputs and a partner in the pool."""
    join(shared, company.lead, by=lead.lead)
    engagement = make_engagement(company.lead, title=f"Workshop {number}")
    actions.share_engagement(shared=shared, engagement=engagement, by=company.lead)
    person = make_stakeholder(company.lead)
    speaker = make_participation(company.lead, engagement, person)
    make_input(company.lead, engagement, speaker)
    make_input(company.lead, engagement, speaker)
    partner = contribute(shared, make_stakeholder(company.lead), by=company.lead)
    actions.request_partner(shared=shared, partner=partner, engagement=engagement, by=company.lead,
                            confirm_load=True)
    return engagement, partner


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_shared_pages_read_a_fixed_number_of_queries(two, sign_in):
    lead, second = two
    shared = make_shared(lead.lead)
    engagement, partner = _grow(shared, second, lead, 1)
    page = sign_in(lead.lead)
    urls = [f"/shared-assessments/{shared.pk}/", f"/shared-assessments/{shared.pk}/engagements/{engagement.pk}/",
            f"/shared-assessments/{shared.pk}/partners/{partner.pk}/", "/shared-assessments/",
            f"/shared-assessments/{shared.pk}/partners/", f"/shared-assessments/{shared.pk}/engagements/",
            f"/shared-assessments/{shared.pk}/heard/",
            f"/api/v1/shared-assessments/{shared.pk}/partners"]
    api_headers = {}
    from rightsloop.accounts.tests.api_client import ApiClient
    api = ApiClient(lead.lead)
    api_headers = api._headers(None)

    def count(url):
        if url.startswith("/api/"):
            with CaptureQueriesContext(connection) as captured:
                assert api.client.get(url, **api_headers).status_code == 200
            return len(captured)
        return _queries(page, url)

    count(urls[-1])  # the token's first use is written down once; later requests read only
    before = [count(url) for url in urls]
    for number in range(2, 6):
        _grow(shared, make_company(f"Company {number}"), lead, number)
    after = [count(url) for url in urls]
    assert after == before, dict(zip(urls, zip(before, after, strict=True), strict=True))
    assert max(before) <= 30, dict(zip(urls, before, strict=True))


def test_who_was_heard_is_remembered_until_a_contributor_records_a_change(two, sign_in):
    from rightsloop.collaboration import queries

    lead, second = two
    shared = make_shared(lead.lead)
    engagement, _partner = _grow(shared, second, lead, 1)
    assert queries.heard_across(shared).inputs == 2
    with CaptureQueriesContext(connection) as remembered:
        assert queries.heard_across(shared).inputs == 2
    assert len(remembered.captured_queries) == 1  # the stamp only
    # The second member records a third input: its audit entry renews the counts.
    make_input(second.lead, engagement, engagement.participations.first())
    assert queries.heard_across(shared).inputs == 3
