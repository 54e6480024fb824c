"""The stakeholder's side: their agreement in the portal, in their language, answered without JavaScript."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.core.models import AuditEntry
from rightsloop.portal.testing import open_portal
from rightsloop.relationships import agreements
from rightsloop.relationships.models import AgreementVersion
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .agreement_factories import make_agreement

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
INDEX = "portal:agreement:index"


def _portal(stakeholder) -> Client:
    client = Client()
    open_portal(client, stakeholder)
    return client


def test_a_draft_is_not_shown_and_the_section_appears_once_proposed(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder)
    client = _portal(stakeholder)
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse(INDEX) not in home
    page = client.get(reverse(INDEX)).content.decode()
    assert "The product roadmap" not in page
    agreements.propose_agreement(agreement=agreement, by=hr_lead)
    assert reverse(INDEX) in client.get(reverse("portal:home")).content.decode()
    page = client.get(reverse(INDEX))
    assert page.status_code == 200
    assert "The product roadmap shown in workshops" in page.content.decode()
    assert b"<script" not in page.content


def test_accept_in_the_portal(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder, state="proposed")
    client = _portal(stakeholder)
    response = client.post(reverse("portal:agreement:answer", args=[agreement.pk]),
                           {"answer": "accepted", "comment": "", "version": 1})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == "in_force"
    version = agreement.current_version
    assert version.answered_via == "portal" and version.answer_recorded_by is None
    entry = AuditEntry.objects.about(agreement).get(action="agreement.accepted")
    assert entry.actor is None
    page = client.get(reverse(INDEX)).content.decode()
    assert "These terms are in force." in page
    assert "A confidentiality agreement (NDA) applies until" in page


def test_ask_for_changes_needs_a_comment(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder, state="proposed")
    client = _portal(stakeholder)
    url = reverse("portal:agreement:answer", args=[agreement.pk])
    refused = client.post(url, {"answer": "changes_requested", "comment": "", "version": 1})
    assert refused.status_code == 400 and "Say which changes" in refused.content.decode()
    agreement.refresh_from_db()
    assert agreement.state == "proposed"
    assert client.post(url, {"answer": "changes_requested", "comment": "No NDA please",
                             "version": 1}).status_code == 302
    assert AgreementVersion.objects.get().comment == "No NDA please"


def test_a_stale_answer_does_not_land_on_a_newer_version(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder, state="changes_requested")
    agreements.revise_agreement(agreement=agreement, by=hr_lead)
    agreements.propose_agreement(agreement=agreement, by=hr_lead)
    client = _portal(stakeholder)
    response = client.post(reverse("portal:agreement:answer", args=[agreement.pk]),
                           {"answer": "accepted", "version": 1})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.state == "proposed"


def test_declining_is_said_to_cost_nothing(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder, state="proposed")
    client = _portal(stakeholder)
    response = client.post(reverse("portal:agreement:answer", args=[agreement.pk]),
                           {"answer": "declined", "version": 1}, follow=True)
    assert "Nothing changes in how we engage with you." in response.content.decode()


def test_in_their_language(hr_lead):
    stakeholder = make_stakeholder(hr_lead, preferred_language="es", languages=["es"])
    make_agreement(hr_lead, stakeholder, state="proposed")
    page = _portal(stakeholder).get(reverse(INDEX))
    assert '<html lang="es"' in page.content.decode()


def test_sunset_passed_and_ended_agreement(hr_lead):
    stakeholder = make_stakeholder(hr_lead)
    make_agreement(hr_lead, stakeholder, state="ended", starts_on=TODAY - 400 * DAY, review_on=TODAY - 30 * DAY,
                   nda_sunset_on=TODAY - 2 * DAY)
    page = _portal(stakeholder).get(reverse(INDEX)).content.decode()
    assert "The NDA ended on" in page and "This agreement ended on" in page


def test_other_stakeholders_agreements_are_404(hr_lead):
    mine = make_stakeholder(hr_lead)
    theirs = make_agreement(hr_lead, make_stakeholder(hr_lead), state="proposed")
    stranger_lead = make_member(make_organisation(), "hr_lead")
    foreign = make_agreement(stranger_lead, make_stakeholder(stranger_lead), state="proposed")
    client = _portal(mine)
    for agreement in (theirs, foreign):
        response = client.post(reverse("portal:agreement:answer", args=[agreement.pk]),
                               {"answer": "accepted", "version": 1})
        assert response.status_code == 404
        agreement.refresh_from_db()
        assert agreement.state == "proposed"


def test_without_a_portal_session(hr_lead, sign_in):
    agreement = make_agreement(hr_lead, make_stakeholder(hr_lead), state="proposed")
    staff = sign_in(hr_lead)
    assert staff.get(reverse(INDEX)).status_code == 403
    assert staff.post(reverse("portal:agreement:answer", args=[agreement.pk]),
                      {"answer": "accepted", "version": 1}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.state == "proposed"


def test_small_and_few_queries(hr_lead, django_assert_max_num_queries):
    stakeholder = make_stakeholder(hr_lead)
    agreement = make_agreement(hr_lead, stakeholder, state="changes_requested")
    for _ in range(3):
        agreements.revise_agreement(agreement=agreement, by=hr_lead)
        agreements.propose_agreement(agreement=agreement, by=hr_lead)
        agreements.answer_agreement(agreement=agreement, answer="declined", via="email", by=hr_lead)
    agreements.revise_agreement(agreement=agreement, by=hr_lead)
    agreements.propose_agreement(agreement=agreement, by=hr_lead)
    client = _portal(stakeholder)
    with django_assert_max_num_queries(20):
        page = client.get(reverse(INDEX))
    assert len(page.content) < 40_000
