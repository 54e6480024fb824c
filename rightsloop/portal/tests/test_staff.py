"""Staff side of the portal: the links page (issue, show once with a QR code, revoke) and the API."""

import re

import pytest
from django.urls import reverse

from rightsloop.portal.models import PortalLink
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def test_handing_over_shows_the_link_once_with_a_qr_code(hr_lead, sign_in):
    person = make_stakeholder(hr_lead, safety_level="elevated")
    client = sign_in(hr_lead)
    url = reverse("portal:staff:links", args=[person.pk])
    page = client.get(url).content.decode()
    assert "Email is not a permitted channel" in page and 'value="email"' not in page
    response = client.post(url, {"channel": "handed_over"})
    assert response.status_code == 200
    page = response.content.decode()
    link = re.search(r'value="(http[^"]+/portal/enter/[^"]+/)"', page).group(1)
    assert "<svg" in page and "<title>QR code of the portal link</title>" in page
    assert response["Cache-Control"].count("no-store") == 1
    # Shown once: the list afterwards holds the state, never the link.
    again = client.get(url).content.decode()
    assert link not in again and "unused, valid until" in again
    # The link works, once.
    visitor = type(client)()
    path = link.split("127.0.0.1:8000", 1)[-1]
    assert visitor.post(path).status_code == 302
    assert "used " in client.get(url).content.decode()


def test_a_bad_channel_re_renders_and_issues_nothing(hr_lead, sign_in):
    person = make_stakeholder(hr_lead, safety_level="elevated")
    client = sign_in(hr_lead)
    url = reverse("portal:staff:links", args=[person.pk])
    for data in ({}, {"channel": "email"}, {"channel": "carrier pigeon"}):
        assert client.post(url, data).status_code == 400
    assert not PortalLink.objects.exists()


def test_revoking_from_the_page(hr_lead, sign_in, auditor):
    person = make_stakeholder(hr_lead)
    client = sign_in(hr_lead)
    client.post(reverse("portal:staff:links", args=[person.pk]), {"channel": "handed_over"})
    link = PortalLink.objects.get()
    assert sign_in(auditor).post(reverse("portal:staff:link-revoke", args=[link.pk])).status_code == 403
    assert client.post(reverse("portal:staff:link-revoke", args=[link.pk])).status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None and link.revoked_by == hr_lead.user


def test_the_page_for_someone_else_or_a_hidden_person_is_not_found(hr_lead, admin, outsider, sign_in):
    protected = make_stakeholder(hr_lead, safety_level="high")
    foreign = make_stakeholder(outsider)
    client = sign_in(admin)
    for person in (protected, foreign):
        assert client.get(reverse("portal:staff:links", args=[person.pk])).status_code == 404
        url = reverse("portal:staff:links", args=[person.pk])
        assert client.post(url, {"channel": "handed_over"}).status_code == 404
    assert not PortalLink.objects.exists()


def test_the_api_lists_issues_and_revokes(hr_lead, api, outsider, auditor):
    person = make_stakeholder(hr_lead, email="p@example.net")
    client = api(hr_lead)
    issued = client.post("/api/v1/portal-links", {"stakeholder_id": person.pk, "channel": "handed_over"})
    assert issued.status_code == 201, issued.content
    body = issued.json()
    assert body["url"].endswith("/") and "/portal/enter/" in body["url"] and body["state"] == "live"
    emailed = client.post("/api/v1/portal-links", {"stakeholder_id": person.pk, "channel": "email"}).json()
    assert emailed["url"] is None
    listed = client.get(f"/api/v1/portal-links/stakeholders/{person.pk}").json()
    assert [item["id"] for item in listed] == [emailed["id"], body["id"]]
    assert all("url" not in item and "token" not in str(item) for item in listed)
    revoked = client.post(f"/api/v1/portal-links/{body['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    # Bad input: 400, never a 500; other organisations' ids: 404; no capability: 403.
    assert client.post("/api/v1/portal-links", {"stakeholder_id": person.pk, "channel": "fax"}).status_code == 400
    assert client.post("/api/v1/portal-links", {"channel": "email"}).status_code == 400
    foreign = make_stakeholder(outsider)
    assert client.post("/api/v1/portal-links", {"stakeholder_id": foreign.pk,
                                                "channel": "handed_over"}).status_code == 404
    assert client.get(f"/api/v1/portal-links/stakeholders/{foreign.pk}").status_code == 404
    outsiders = api(outsider)
    assert outsiders.post(f"/api/v1/portal-links/{emailed['id']}/revoke").status_code == 404
    assert api(auditor).post("/api/v1/portal-links", {"stakeholder_id": person.pk,
                                                      "channel": "handed_over"}).status_code == 403
    unsafe = make_stakeholder(hr_lead, safety_level="high", email="h@example.net")
    refused = client.post("/api/v1/portal-links", {"stakeholder_id": unsafe.pk, "channel": "email"})
    assert refused.status_code == 400 and "channel" in refused.json()["errors"]
