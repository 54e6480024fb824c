"""Destructive actions ask first: each GET says what will be lost or change and changes nothing; the POST does it."""

import pytest
from django.urls import reverse
from django.utils import timezone

from rightsloop.accounts import actions as account_actions
from rightsloop.accounts.models import ApiToken, Invitation, Membership
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.models import Participation
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.portal.actions.links import issue_portal_link
from rightsloop.portal.models import PortalLink
from rightsloop.stakeholders.actions import record_consent
from rightsloop.stakeholders.models import ConsentRecord
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def asks_first(client, url: str, *expected: str) -> str:
    """GET the page: a confirmation that says what changes, with a form that POSTs to itself."""
    audited = AuditEntry.objects.count()
    page = client.get(url)
    body = page.content.decode()
    assert page.status_code == 200, body[:500]
    assert "What will change" in body and 'method="post"' in body
    for text in expected:
        assert text in body
    assert AuditEntry.objects.count() == audited  # nothing happened
    return body


def test_removing_a_participant_asks_first(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, name="Amara Okafor"))
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/participants/{participation.pk}/remove/"
    asks_first(client, url, "Amara Okafor", "engagement load")
    assert Participation.objects.filter(pk=participation.pk).exists()
    assert client.post(url).status_code == 302
    assert not Participation.objects.filter(pk=participation.pk).exists()


def test_withdrawing_consent_asks_first(hr_lead, sign_in):
    person = make_stakeholder(hr_lead)
    consent = record_consent(stakeholder=person, scope="attribute_inputs", granted=True, method="written",
                             given_on=TODAY, by=hr_lead)
    client = sign_in(hr_lead)
    url = f"/stakeholders/{person.pk}/consents/{consent.pk}/withdraw/"
    asks_first(client, url, "recorded anonymised")
    assert ConsentRecord.objects.get(pk=consent.pk).withdrawn_at is None
    assert client.post(url).status_code == 302
    assert ConsentRecord.objects.get(pk=consent.pk).withdrawn_at is not None
    assert "already withdrawn" in client.get(url).content.decode()


def test_revoking_an_api_token_asks_first(hr_lead, sign_in):
    membership = Membership.objects.get(user=hr_lead.user, organisation=hr_lead.organisation)
    token, _key = account_actions.issue_api_token(membership=membership, name="Hotline bridge", by=hr_lead)
    client = sign_in(hr_lead)
    asks_first(client, f"/accounts/tokens/{token.pk}/revoke/", "Hotline bridge", "refused from now on")
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 302
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_withdrawing_an_invitation_asks_first(admin, sign_in):
    invitation = account_actions.invite_member(organisation=admin.organisation, username="newcomer",
                                               email="newcomer@example.org", role="hr_lead", by=admin)
    client = sign_in(admin)
    asks_first(client, f"/accounts/members/invitations/{invitation.pk}/withdraw/", "newcomer@example.org")
    assert Invitation.objects.get(pk=invitation.pk).withdrawn_at is None
    assert client.post(f"/accounts/members/invitations/{invitation.pk}/withdraw/").status_code == 302


def test_revoking_a_portal_link_asks_first(hr_lead, sign_in):
    person = make_stakeholder(hr_lead)
    link = issue_portal_link(viewer=hr_lead, stakeholder=person, channel="handed_over").link
    client = sign_in(hr_lead)
    url = reverse("portal:staff:link-revoke", kwargs={"link_pk": link.pk})
    asks_first(client, url, "session it opened ends now")
    assert PortalLink.objects.get(pk=link.pk).revoked_at is None
    assert client.post(url).status_code == 302
    assert PortalLink.objects.get(pk=link.pk).revoked_at is not None


def test_removing_a_group_member_and_ending_a_representation_ask_first(hr_lead, sign_in):
    from rightsloop.engagements.tests.factories import make_group
    from rightsloop.stakeholders.models import GroupMembership, Representation

    member = make_stakeholder(hr_lead, name="Amara Okafor")
    proxy = make_stakeholder(hr_lead, kind="proxy", name="Riders' Union")
    group = make_group(hr_lead, proxy=proxy, members=[member], name="Delivery riders")
    make_group(hr_lead, proxy=proxy)  # so ending one mandate leaves the proxy speaking for another group
    representation = Representation.objects.get(group=group)
    client = sign_in(hr_lead)
    remove = f"/stakeholders/groups/{group.pk}/members/{member.pk}/remove/"
    asks_first(client, remove, "Amara Okafor", "Delivery riders")
    assert GroupMembership.objects.filter(group=group, stakeholder=member).exists()
    end = f"/stakeholders/groups/representations/{representation.pk}/end/"
    asks_first(client, end, "Riders", "relay this group")
    assert Representation.objects.get(pk=representation.pk).is_current
    assert client.post(end).status_code == 302
    assert not Representation.objects.get(pk=representation.pk).is_current


def test_taking_a_case_out_of_a_remedy_plan_asks_first(organisation, hr_lead, sign_in):
    from rightsloop.grievances.actions import remedy
    from rightsloop.grievances.models import Grievance
    from rightsloop.grievances.tests.factories_remedy import make_case

    case, other = make_case(organisation), make_case(organisation)
    plan = remedy.create_plan(grievances=[case, other], title="Shared remedy", by=hr_lead)
    client = sign_in(hr_lead)
    url = f"/grievances/plans/{plan.pk}/cases/{other.pk}/remove/"
    asks_first(client, url, "needs a remedy of its own")
    assert Grievance.objects.get(pk=other.pk).remedy_plan_id == plan.pk
    assert client.post(url).status_code == 302
    assert Grievance.objects.get(pk=other.pk).remedy_plan_id is None
    refused = client.get(f"/grievances/plans/{plan.pk}/cases/{case.pk}/remove/").content.decode()
    assert "at least one case" in refused and "Take out of the plan</button>" not in refused


def test_removing_a_salient_issue_from_a_report_asks_first(admin, sign_in):
    from rightsloop.disclosure import report_actions
    from rightsloop.disclosure.models import PublicIssue

    report = report_actions.create_report(period=str(TODAY.year), title="Our year", by=admin)
    issue = report_actions.save_issue(report=report, public_title="Location data of riders", by=admin)
    client = sign_in(admin)
    url = f"/reports/{report.pk}/issues/{issue.pk}/remove/"
    asks_first(client, url, "Location data of riders", "published versions")
    assert PublicIssue.objects.filter(pk=issue.pk).exists()
    assert client.post(url).status_code == 302
    assert not PublicIssue.objects.filter(pk=issue.pk).exists()


def test_unlinking_an_input_from_a_risk_asks_first(hr_lead, sign_in):
    from rightsloop.engagements.tests.factories import make_input
    from rightsloop.risks import actions as risk_actions
    from rightsloop.risks.models import RiskInput
    from rightsloop.risks.tests.factories import make_risk

    item = make_input(hr_lead, make_engagement(hr_lead))
    risk = make_risk(hr_lead, title="Location trails kept too long")
    risk_actions.link_inputs(target=risk, inputs=[item], by=hr_lead)
    client = sign_in(hr_lead)
    url = f"/risks/inputs/{item.pk}/links/"
    assert f'href="?unlink=risk:{risk.pk}"' in client.get(url).content.decode()
    asks_first(client, f"{url}?unlink=risk:{risk.pk}", "Location trails kept too long", "who was heard")
    assert RiskInput.objects.filter(risk=risk, input=item).exists()
    assert client.get(f"{url}?unlink=risk:99999999").status_code == 404
    assert client.post(url, {"operation": "unlink", "target": f"risk:{risk.pk}"}).status_code == 302
    assert not RiskInput.objects.filter(risk=risk, input=item).exists()


def test_unlinking_a_case_from_the_register_asks_first(organisation, hr_lead, sign_in):
    from rightsloop.grievances.actions import links
    from rightsloop.grievances.tests.factories_remedy import make_case
    from rightsloop.risks.tests.factories import make_risk

    case = make_case(organisation)
    risk = make_risk(hr_lead, title="Fares charged twice")
    links.link(grievance=case, target=risk, by=hr_lead)
    client = sign_in(hr_lead)
    url = reverse("grievances:links", args=[case.pk])
    assert f'href="?unlink=risk:{risk.pk}"' in client.get(url).content.decode()
    asks_first(client, f"{url}?unlink=risk:{risk.pk}", "Fares charged twice", "fed into it")
    assert case.risks.filter(pk=risk.pk).exists()
    assert client.get(f"{url}?unlink=risk:99999999").status_code == 404
    assert client.post(url, {"operation": "unlink", "kind": "risk", "target": risk.pk}).status_code == 302
    assert not case.risks.filter(pk=risk.pk).exists()
