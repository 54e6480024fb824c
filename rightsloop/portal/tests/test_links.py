"""Portal links: issued by email only where safe, else handed over; single use, expiring, revocable; every
bad link a clear page (404), never a 500; every sign-in audited."""

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.portal import links
from rightsloop.portal.access import SESSION_LINK_KEY
from rightsloop.portal.actions.links import issue_portal_link, revoke_portal_link, send_link_email
from rightsloop.portal.models import PortalLink
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.actions import erase_stakeholder, record_consent
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def _token_from(text: str) -> str:
    return re.search(r"/portal/enter/([A-Za-z0-9_\-]+)/", text).group(1)


def follow(client, token):
    url = reverse("portal:enter", args=[token])
    return client.get(url), client.post(url)


def test_a_handed_over_link_is_shown_once_and_only_its_digest_is_stored(hr_lead):
    person = make_stakeholder(hr_lead)
    issued = issue_portal_link(viewer=hr_lead, stakeholder=person, channel="handed_over")
    token = _token_from(issued.url)
    link = PortalLink.objects.get()
    assert link.token_digest == links.digest(token) and token not in link.token_digest
    assert link.expires_at - link.issued_at == datetime.timedelta(days=7)
    entry = AuditEntry.objects.get(action="portal.link_issued")
    assert person.name not in entry.summary and token not in entry.summary


def test_an_emailed_link_is_drawn_by_the_task_and_never_passes_through_the_queue(
        hr_lead, mailoutbox, django_capture_on_commit_callbacks):
    person = make_stakeholder(hr_lead, email="person@example.net", preferred_language="es")
    with django_capture_on_commit_callbacks(execute=True):
        issued = issue_portal_link(viewer=hr_lead, stakeholder=person, channel="email")
    assert issued.url is None
    (message,) = mailoutbox
    assert message.to == ["person@example.net"]
    assert person.name not in message.subject
    assert message.extra_headers["Content-Language"] == "es"
    token = _token_from(message.body)
    link = PortalLink.objects.get()
    assert link.token_digest == links.digest(token) and link.sent_at is not None
    # Twice is once: the drawn digest is the claim.
    assert send_link_email(link_id=link.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_email_is_refused_where_the_safety_rules_forbid_it(hr_lead):
    elevated = make_stakeholder(hr_lead, safety_level="elevated", email="e@example.net")
    with pytest.raises(ValidationError) as caught:
        issue_portal_link(viewer=hr_lead, stakeholder=elevated, channel="email")
    assert "channel" in caught.value.message_dict
    # An elevated person who named email as safe may get it.
    safe = make_stakeholder(hr_lead, safety_level="elevated", email="s@example.net", safe_channels=["email"])
    assert issue_portal_link(viewer=hr_lead, stakeholder=safe, channel="email").url is None
    # A withdrawn contact consent closes email too.
    refused = make_stakeholder(hr_lead, email="r@example.net")
    record_consent(stakeholder=refused, scope="contact", granted=False, method="written",
                   given_on=timezone.localdate(), by=hr_lead)
    with pytest.raises(ValidationError):
        issue_portal_link(viewer=hr_lead, stakeholder=refused, channel="email")
    assert PortalLink.objects.count() == 1


def test_email_is_withheld_at_sending_time_when_the_person_became_unsafe(
        hr_lead, mailoutbox, django_capture_on_commit_callbacks):
    person = make_stakeholder(hr_lead, email="p@example.net")
    issue_portal_link(viewer=hr_lead, stakeholder=person, channel="email")  # the task does not run yet
    link = PortalLink.objects.get()
    record_consent(stakeholder=person, scope="contact", granted=False, method="written",
                   given_on=timezone.localdate(), by=hr_lead)
    assert send_link_email(link_id=link.pk) == "withheld"
    link.refresh_from_db()
    assert not mailoutbox and link.token_digest is None and link.state == "failed"


def test_a_high_safety_person_gets_a_link_only_from_a_grant_holder(hr_lead, admin):
    protected = make_stakeholder(hr_lead, safety_level="high", email="h@example.net")
    with pytest.raises(PermissionDenied):
        issue_portal_link(viewer=admin, stakeholder=protected, channel="handed_over")
    with pytest.raises(ValidationError):  # and never by email
        issue_portal_link(viewer=hr_lead, stakeholder=protected, channel="email")
    assert issue_portal_link(viewer=hr_lead, stakeholder=protected, channel="handed_over").url


def test_roles_without_the_capability_cannot_issue(hr_lead, auditor):
    person = make_stakeholder(hr_lead)
    with pytest.raises(PermissionDenied):
        issue_portal_link(viewer=auditor, stakeholder=person, channel="handed_over")


def test_following_a_link_asks_first_then_opens_a_session_once(client, hr_lead):
    person = make_stakeholder(hr_lead)
    issued = issue_portal_link(viewer=hr_lead, stakeholder=person, channel="handed_over")
    token = _token_from(issued.url)
    url = reverse("portal:enter", args=[token])
    # A mail scanner's GET shows a button and spends nothing.
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert PortalLink.objects.get().used_at is None
    before = client.session.session_key
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("portal:home")
    assert client.session.session_key != before
    assert client.session[SESSION_LINK_KEY] == PortalLink.objects.get().pk
    assert PortalLink.objects.get().used_at is not None
    entry = AuditEntry.objects.get(action="portal.signed_in")
    assert entry.target_id == str(person.pk) and person.name not in entry.summary
    assert client.get(reverse("portal:home")).status_code == 200
    # Used: a second follower (another browser) gets the clear page, and the refusal is audited.
    other = type(client)()
    get, post = follow(other, token)
    assert get.status_code == post.status_code == 404
    assert b"already been used" in post.content
    assert AuditEntry.objects.filter(action="portal.sign_in_refused").exists()


@pytest.mark.parametrize("problem", ["expired", "revoked", "erased", "tampered", "unknown", "too long"])
def test_a_bad_link_gets_a_clear_page_never_a_500(client, hr_lead, problem):
    person = make_stakeholder(hr_lead)
    issued = issue_portal_link(viewer=hr_lead, stakeholder=person, channel="handed_over")
    token = _token_from(issued.url)
    link = PortalLink.objects.get()
    expected = {"expired": b"has expired", "revoked": b"was withdrawn", "erased": b"no longer valid",
                "tampered": b"do not recognise", "unknown": b"do not recognise", "too long": b"do not recognise"}
    if problem == "expired":
        PortalLink.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    elif problem == "revoked":
        revoke_portal_link(viewer=hr_lead, link=link)
    elif problem == "erased":
        erase_stakeholder(stakeholder=person, reason="asked", by=hr_lead)
        link = PortalLink.objects.create(organisation=person.organisation, stakeholder=person, channel="handed_over",
                                         token_digest=links.digest(token), expires_at=link.expires_at)
    elif problem == "tampered":
        token = token[:-1] + ("A" if token[-1] != "A" else "B")
    elif problem == "unknown":
        token = "nothing-like-a-real-token"
    else:
        token = "x" * 500
    get, post = follow(client, token)
    for response in (get, post):
        assert response.status_code == 404
        assert expected[problem] in response.content
        assert b"Ask the person you work with for a new link" in response.content
    assert SESSION_LINK_KEY not in client.session
    assert not AuditEntry.objects.filter(action="portal.signed_in").exists()


def test_following_a_link_ends_a_staff_sign_in_in_the_same_browser(hr_lead, sign_in):
    person = make_stakeholder(hr_lead)
    client = sign_in(hr_lead)
    assert client.get("/").status_code == 200
    open_portal(client, person)
    assert client.get("/").status_code == 302  # staff pages ask for a sign-in again
    assert client.get(reverse("portal:home")).status_code == 200


def test_two_posts_racing_spend_the_link_once(client, hr_lead):
    from rightsloop.portal.actions.sign_in import use_portal_link

    person = make_stakeholder(hr_lead)
    token = _token_from(issue_portal_link(viewer=hr_lead, stakeholder=person, channel="handed_over").url)
    first = use_portal_link(token=token)
    assert first.link is not None
    # The second finds it used (the conditional update claims it only once).
    assert use_portal_link(token=token).problem == "used"
    assert AuditEntry.objects.filter(action="portal.signed_in").count() == 1


def test_revoking_a_used_link_ends_the_session_it_opened(client, hr_lead):
    person = make_stakeholder(hr_lead)
    open_portal(client, person)
    link = PortalLink.objects.get()
    revoke_portal_link(viewer=hr_lead, link=link)
    assert client.get(reverse("portal:home")).status_code == 403
    assert not Session.objects.filter(session_key=client.session.session_key).exists() or (
        SESSION_LINK_KEY not in client.session)
    assert AuditEntry.objects.filter(action="portal.link_revoked", target_id=str(person.pk)).exists()


def test_an_expired_or_revoked_link_changes_nothing_not_even_the_log(client, hr_lead):
    person = make_stakeholder(hr_lead)
    token = _token_from(issue_portal_link(viewer=hr_lead, stakeholder=person, channel="handed_over").url)
    revoke_portal_link(viewer=hr_lead, link=PortalLink.objects.get())
    entries = AuditEntry.objects.count()
    follow(client, token)
    assert AuditEntry.objects.count() == entries
