"""API tokens: personal, minted with a fresh second factor, expiring, and revoked with the credentials behind them."""

import datetime
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import totp

from rightsloop.accounts.models import ApiToken, Membership, hash_token
from rightsloop.accounts.tests.factories import make_authenticator
from rightsloop.core.models import AuditEntry

pytestmark = pytest.mark.django_db

METRICS = "/api/v1/metrics/loop"


def bearer(raw: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_revoking_a_token_without_an_active_membership_is_not_found_not_a_server_error(hr_lead, api, sign_in):
    client = sign_in(hr_lead)
    api(hr_lead)
    token = ApiToken.objects.get(membership__user=hr_lead.user)
    Membership.objects.filter(user=hr_lead.user).update(is_active=False)
    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="api_token.revoked").exists()
