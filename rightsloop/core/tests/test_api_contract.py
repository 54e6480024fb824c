"""The API against its own OpenAPI schema: generated requests never get a server error or an undocumented answer.

Schemathesis reads /api/v1/openapi.json and generates, for every operation, valid and invalid
requests (at least 100 per operation) sent in-process to the WSGI app with a real bearer token.
Every response must be a non-5xx with a documented status code, content type and body shape.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import checks as available_checks

from config.wsgi import application
from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    available_checks.not_a_server_error,
    available_checks.status_code_conformance,
    available_checks.content_type_conformance,
    available_checks.response_schema_conformance,
]


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests made outside Django's test client would close the test's database connection at their end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db):
    organisation = make_organisation("Contract Org")
    lead = make_member(organisation, Role.HR_LEAD)
    engagement = make_engagement(lead)
    participation = make_participation(lead, engagement, make_stakeholder(lead))
    make_input(lead, engagement, participation)
    make_stakeholder(lead, kind="proxy")
    membership = Membership.objects.get(user=lead.user, organisation=organisation)
    return issue_api_token(membership=membership, name="contract", by=None)[1]


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_operation_honours_its_schema(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    body = response.text
    assert "Traceback" not in body and 'File "' not in body
    case.validate_response(response, checks=CHECKS)
