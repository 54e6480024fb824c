"""Fixtures every app's tests share: two organisations and one member per role."""

import pytest
from django.test import Client

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation


@pytest.fixture(autouse=True)
def fresh_key_caches():
    """Unwrapped keys are cached per process; a rolled-back test must not leave them behind."""
    from rightsloop.core import keys, sealing

    sealing.forget_cached_keys()
    yield
    sealing.forget_cached_keys()
    keys.forget()


@pytest.fixture
def organisation(db):
    return make_organisation("Kestrel Networks")


@pytest.fixture
def other_organisation(db):
    return make_organisation("Other Company")


@pytest.fixture
def hr_lead(organisation):
    return make_member(organisation, Role.HR_LEAD)


@pytest.fixture
def admin(organisation):
    return make_member(organisation, Role.ADMIN)


@pytest.fixture
def decision_maker(organisation):
    return make_member(organisation, Role.DECISION_MAKER, function="product")


@pytest.fixture
def legal_decision_maker(organisation):
    return make_member(organisation, Role.DECISION_MAKER, function="legal")


@pytest.fixture
def board(organisation):
    return make_member(organisation, Role.BOARD)


@pytest.fixture
def auditor(organisation):
    return make_member(organisation, Role.AUDITOR)


@pytest.fixture
def outsider(other_organisation):
    return make_member(other_organisation, Role.HR_LEAD)


def signed_in(viewer) -> Client:
    """A client signed in as the viewer's user, past the second factor (an authenticator is created if needed)."""
    from rightsloop.accounts.tests.factories import mark_verified

    client = Client()
    client.force_login(viewer.user)
    mark_verified(client, viewer.user)
    return client


@pytest.fixture
def sign_in():
    return signed_in


@pytest.fixture
def api():
    from rightsloop.accounts.tests.api_client import ApiClient

    return ApiClient
