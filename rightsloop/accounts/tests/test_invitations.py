"""Members across organisations: an account joins another organisation only by accepting an invitation.

An administrator never learns whether an account exists outside their organisation (the forms answer
the same either way), an invitation changes nothing for the invited person until they accept it, and
their sign-in events go to the organisation they sign into, never to one that merely invited them.
"""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from rightsloop.accounts import actions
from rightsloop.accounts.models import Invitation, Membership, User
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import PASSWORD, make_member, make_organisation, sign_in_with_code
from rightsloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long enough passphrase 42"


@pytest.fixture
def inviter(db):
    # Named to sort first, so that a membership there would become the invited person's default organisation.
    return make_member(make_organisation("Aardvark Holdings"), Role.ADMIN)


@pytest.fixture
def person(other_organisation):
    """Someone who works for another organisation, with a name and address the inviter must never see."""
    viewer = make_member(other_organisation, Role.HR_LEAD, username="bo.lindqvist")
    User.objects.filter(pk=viewer.user.pk).update(first_name="Bodil", last_name="Lindqvist-Secret",
                                                  email="bodil@other.example")
    viewer.user.refresh_from_db()
    return viewer


def invite(client, username: str, email: str, role: str = "board"):
    return client.post("/accounts/members/invite/", {"username": username, "email": email, "role": role},
                       follow=True)


def test_inviting_answers_the_same_whether_or_not_the_account_exists(inviter, person, sign_in):
    client = sign_in(inviter)

    existing = invite(client, person.user.username, person.user.email)
    missing = invite(client, "nobody.here", "nobody@nowhere.example")

    assert existing.status_code == missing.status_code == 200
    assert existing.redirect_chain == missing.redirect_chain == [("/accounts/members/", 302)]
    page = client.get("/accounts/members/").content.decode()
    assert "Bodil" not in page and "Lindqvist-Secret" not in page
    # Nothing joined: an existing account gains no membership from an invitation alone.
    assert not Membership.objects.filter(user=person.user, organisation=inviter.organisation).exists()
    assert Invitation.objects.filter(organisation=inviter.organisation).waiting().count() == 2


def test_the_invitation_message_is_identical_for_an_existing_and_a_missing_account(inviter, person, sign_in):
    client = sign_in(inviter)

    def message(username, email):
        page = invite(client, username, email).content.decode()
        (text,) = re.findall(r'<li class="success">(.*?)</li>', page)
        return text.replace(username, "<username>")

    assert message(person.user.username, person.user.email) == message("nobody.here", "nobody@nowhere.example")


def test_inviting_an_existing_member_of_this_organisation_is_refused(inviter, sign_in):
    colleague = make_member(inviter.organisation, Role.BOARD)
    response = invite(sign_in(inviter), colleague.user.username.upper(), "any@example.org")

    assert "This person is already a member of this organisation." in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_new_account_gets_a_username_rightsloop_chooses(inviter, person, sign_in):
    client = sign_in(inviter)
    response = client.post("/accounts/members/new/", {
        "first_name": "Bo", "last_name": "Lindqvist", "email": "bo@aardvark.example", "role": "hr_lead",
        "password": NEW_PASSWORD,
    }, follow=True)

    created = Membership.objects.get(organisation=inviter.organisation, role="hr_lead").user
    assert re.fullmatch(r"bo\.lindqvist-[a-z2-9]{4}", created.username)
    assert created.pk != person.user.pk and created.check_password(NEW_PASSWORD)
    assert created.username in response.content.decode()
    # The account that already had a similar name is untouched and joined nothing.
    assert list(person.user.memberships.values_list("organisation", flat=True)) == [person.organisation.pk]


def test_the_new_account_form_has_no_username_to_probe(inviter, person, sign_in):
    response = sign_in(inviter).post("/accounts/members/new/", {
        "username": person.user.username, "email": "x@example.org", "first_name": "X", "role": "board",
        "password": NEW_PASSWORD,
    })

    assert response.status_code == 302
    assert not Membership.objects.filter(user=person.user, organisation=inviter.organisation).exists()


def test_the_invited_person_sees_the_invitation_after_signing_in_and_accepts_it(inviter, person, sign_in):
    invitation = actions.invite_member(organisation=inviter.organisation, username="BO.LINDQVIST",
                                       email="Bodil@Other.example", role=Role.BOARD, by=inviter)
    client = Client()

    signed_in = sign_in_with_code(client, person.user)

    assert signed_in.url.startswith("/accounts/invitations/")
    page = client.get(signed_in.url).content.decode()
    assert "Aardvark Holdings" in page
    accepted = client.post(f"/accounts/invitations/{invitation.pk}/accept/")
    assert accepted.status_code == 302
    membership = Membership.objects.get(user=person.user, organisation=inviter.organisation)
    assert membership.role == Role.BOARD
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None and invitation.membership == membership
    assert list(AuditEntry.objects.filter(organisation=inviter.organisation, action__startswith="invitation.")
                .order_by("sequence").values_list("action", flat=True)) == ["invitation.sent", "invitation.accepted"]
    # Answered: it cannot be accepted twice, and the inviting organisation no longer lists it as waiting.
    assert client.post(f"/accounts/invitations/{invitation.pk}/accept/").status_code == 404
    assert not Invitation.objects.filter(organisation=inviter.organisation).waiting().exists()


def test_a_declined_invitation_tells_the_inviting_organisation_nothing(inviter, person, sign_in):
    invitation = actions.invite_member(organisation=inviter.organisation, username=person.user.username,
                                       email=person.user.email, role=Role.BOARD, by=inviter)
    inviter_log_before = AuditEntry.objects.filter(organisation=inviter.organisation).count()

    response = sign_in(person).post(f"/accounts/invitations/{invitation.pk}/decline/")

    assert response.status_code == 302
    assert not Membership.objects.filter(user=person.user, organisation=inviter.organisation).exists()
    assert AuditEntry.objects.filter(organisation=inviter.organisation).count() == inviter_log_before
    declined = AuditEntry.objects.get(action="invitation.declined")
    assert declined.organisation is None and declined.actor is None
    # To the administrator it still waits, exactly like an invitation to nobody, until it expires.
    page = sign_in(inviter).get("/accounts/members/").content.decode()
    assert person.user.username in page
    assert sign_in(person).post(f"/accounts/invitations/{invitation.pk}/accept/").status_code == 404


def test_only_the_addressed_account_sees_or_answers_an_invitation(inviter, person, outsider, sign_in):
    invitation = actions.invite_member(organisation=inviter.organisation, username=person.user.username,
                                       email="someone.else@other.example", role=Role.BOARD, by=inviter)
    other = actions.invite_member(organisation=inviter.organisation, username=outsider.user.username,
                                  email=outsider.user.email, role=Role.BOARD, by=inviter)

    # The username matches but the email does not: the person is not the one invited.
    client = sign_in(person)
    assert "Aardvark Holdings" not in client.get("/accounts/invitations/").content.decode()
    for answer in ("accept", "decline"):
        assert client.post(f"/accounts/invitations/{invitation.pk}/{answer}/").status_code == 404
        assert client.post(f"/accounts/invitations/{other.pk}/{answer}/").status_code == 404
    assert not Membership.objects.filter(organisation=inviter.organisation).exclude(user=inviter.user).exists()


def test_an_administrator_withdraws_an_invitation(inviter, person, sign_in):
    invitation = actions.invite_member(organisation=inviter.organisation, username=person.user.username,
                                       email=person.user.email, role=Role.BOARD, by=inviter)

    response = sign_in(inviter).post(f"/accounts/members/invitations/{invitation.pk}/withdraw/")

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert AuditEntry.objects.filter(organisation=inviter.organisation, action="invitation.withdrawn").count() == 1
    assert sign_in(person).post(f"/accounts/invitations/{invitation.pk}/accept/").status_code == 404
    assert not Membership.objects.filter(user=person.user, organisation=inviter.organisation).exists()


def test_another_organisations_administrator_cannot_withdraw_it(inviter, person, sign_in, other_organisation):
    invitation = actions.invite_member(organisation=inviter.organisation, username="someone",
                                       email="someone@example.org", role=Role.BOARD, by=inviter)
    foreign_admin = make_member(other_organisation, Role.ADMIN)

    response = sign_in(foreign_admin).post(f"/accounts/members/invitations/{invitation.pk}/withdraw/")

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is None


def test_an_expired_invitation_cannot_be_accepted(inviter, person, sign_in):
    invitation = actions.invite_member(organisation=inviter.organisation, username=person.user.username,
                                       email=person.user.email, role=Role.BOARD, by=inviter)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))

    assert sign_in(person).post(f"/accounts/invitations/{invitation.pk}/accept/").status_code == 404
    assert not Membership.objects.filter(user=person.user, organisation=inviter.organisation).exists()


def test_an_invitation_changes_neither_the_default_organisation_nor_where_sign_in_events_go(inviter, person):
    actions.invite_member(organisation=inviter.organisation, username=person.user.username,
                          email=person.user.email, role=Role.BOARD, by=inviter)
    client = Client()

    client.post("/accounts/sign-in/", {"username": person.user.username, "password": "wrong password"})
    sign_in_with_code(client, person.user, password=PASSWORD)

    assert client.get("/").status_code == 200
    assert person.organisation.name in client.get("/").content.decode()
    events = AuditEntry.objects.filter(target_type="accounts.user", target_id=str(person.user.pk))
    assert set(events.values_list("action", flat=True)) >= {"sign_in.failed", "sign_in.succeeded"}
    assert set(events.values_list("organisation", flat=True)) == {person.organisation.pk}
    assert not AuditEntry.objects.filter(organisation=inviter.organisation, target_type="accounts.user").exists()
