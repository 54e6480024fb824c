import pytest
from django.core.management import CommandError, call_command

from rightsloop.accounts.models import ApiToken, Membership, hash_token
from rightsloop.accounts.roles import ROLE_CAPABILITIES, Capability, Role
from rightsloop.accounts.tests.factories import make_member, sign_in_with_code
from rightsloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_create_api_token_command_prints_a_working_token(hr_lead, client):
    from io import StringIO

    out = StringIO()
    call_command("create_api_token", hr_lead.user.username, stdout=out)
    raw = out.getvalue().strip()
    assert raw.startswith("rl_")
    token = ApiToken.objects.get(key_hash=hash_token(raw))
    assert raw not in token.key_hash
    assert client.get("/api/v1/metrics/loop", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_create_api_token_needs_a_membership(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "nobody")


def test_a_user_in_two_organisations_must_name_one(hr_lead, other_organisation):
    Membership.objects.create(user=hr_lead.user, organisation=other_organisation, role=Role.BOARD)
    with pytest.raises(CommandError):
        call_command("create_api_token", hr_lead.user.username)
    call_command("create_api_token", hr_lead.user.username, organisation=other_organisation.slug)


def test_revoked_tokens_stop_working(hr_lead, api, client):
    api_client = api(hr_lead)
    assert api_client.get("/api/v1/metrics/loop").status_code == 200
    ApiToken.objects.update(revoked_at="2026-01-01T00:00Z")
    assert api_client.get("/api/v1/metrics/loop").status_code == 401


def test_role_capabilities_keep_need_to_know():
    assert Capability.STAKEHOLDERS_VIEW not in ROLE_CAPABILITIES[Role.DECISION_MAKER]
    # The board oversees (figures, risks, its own records and the reports it approves); it never sees the register.
    assert ROLE_CAPABILITIES[Role.BOARD] == {Capability.DASHBOARD_VIEW, Capability.RISKS_VIEW,
                                             Capability.DECISIONS_SIGN_OFF, Capability.GRIEVANCES_OVERSEE,
                                             Capability.OVERSIGHT_VIEW, Capability.RISKS_BOARD_REVIEW,
                                             Capability.REPORTS_VIEW, Capability.REPORTS_PUBLISH,
                                             Capability.LOCAL_VOICES_OVERRIDE}
    # A grievance's content is for handlers only: never the board, decision makers, auditors or administrators.
    assert [role for role, held in ROLE_CAPABILITIES.items() if Capability.GRIEVANCES_HANDLE in held] == [Role.HR_LEAD]
    # Only the board signs off a decision on a board-level risk: the team cannot take it alone.
    assert [role for role, held in ROLE_CAPABILITIES.items() if Capability.DECISIONS_SIGN_OFF in held] == [Role.BOARD]
    # Only the board, or the administrator for it, lets a market entry past the local-voices gate (G2).
    assert {role for role, held in ROLE_CAPABILITIES.items() if Capability.LOCAL_VOICES_OVERRIDE in held} == {
        Role.BOARD, Role.ADMIN}
    assert Capability.AUDIT_VIEW in ROLE_CAPABILITIES[Role.AUDITOR]
    assert not {Capability.STAKEHOLDERS_EDIT, Capability.FEEDBACK_SEND} & ROLE_CAPABILITIES[Role.AUDITOR]


def test_admin_adds_and_changes_members(admin, sign_in):
    client = sign_in(admin)
    refused = client.post("/accounts/members/new/", {"first_name": "Lena", "email": "lena@example.org",
                                                     "role": "decision_maker", "password": "short"})
    page = refused.content.decode()
    assert "A decision maker needs a function." in page and "This password is too short" in page
    created = client.post("/accounts/members/new/", {
        "first_name": "Lena", "email": "lena@example.org", "role": "decision_maker", "function": "legal",
        "password": "a long enough passphrase 42"})
    assert created.status_code == 302
    membership = Membership.objects.get(user__email="lena@example.org")
    assert membership.user.username.startswith("lena-")
    assert membership.function == "legal"
    client.post(f"/accounts/members/{membership.pk}/", {"role": "board", "function": "", "is_active": ""})
    membership.refresh_from_db()
    assert membership.role == "board" and not membership.is_active
    assert AuditEntry.objects.filter(action="member.changed", target_id=str(membership.pk)).exists()


def test_admin_cannot_lock_themselves_out(admin, sign_in):
    membership = Membership.objects.get(user=admin.user)
    response = sign_in(admin).post(f"/accounts/members/{membership.pk}/", {"role": "admin", "is_active": ""})
    assert response.status_code == 200
    membership.refresh_from_db()
    assert membership.is_active


def test_only_admins_manage_members(hr_lead, sign_in):
    assert sign_in(hr_lead).get("/accounts/members/").status_code == 403


def test_sign_in_and_organisation_switch(organisation, other_organisation, client):
    viewer = make_member(organisation, Role.HR_LEAD, username="amina")
    Membership.objects.create(user=viewer.user, organisation=other_organisation, role=Role.BOARD)
    response = sign_in_with_code(client, viewer.user)
    assert response.status_code == 302
    assert "Kestrel Networks" in client.get("/").content.decode()
    client.post("/accounts/organisation/", {"organisation": other_organisation.pk})
    assert client.get("/engagements/").status_code == 403  # board role in the other organisation


def test_pages_require_sign_in(client):
    response = client.get("/stakeholders/")
    assert response.status_code == 302 and response.url.startswith("/accounts/sign-in/")
