"""The API against its own OpenAPI schema: generated requests never get a server error or an undocumented answer.

Schemathesis reads /api/v1/openapi.json; for every operation it lists, Hypothesis draws valid and
invalid requests (path, query and body), half of them aimed at real objects of a full organisation
(every id in the path is one of its objects, so the request reaches the action behind the
operation), half with generated ids. All are sent in-process to the WSGI app with a real bearer
token, each rolled back. Every response must be a non-5xx with a documented status code, content
type and body shape, and no stack trace. The test fails when an operation's path id maps to no kind
of object, and checks that every operation ran.
"""

import re
import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks as available_checks
from schemathesis.generation import GenerationMode

from config.wsgi import application
from rightsloop.accounts.actions import issue_api_token
from rightsloop.accounts.models import Membership
from rightsloop.accounts.tests.factories import make_organisation

from .access_worlds import OWN, build_world, give_tokens, new_builder

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    available_checks.not_a_server_error,
    available_checks.status_code_conformance,
    available_checks.content_type_conformance,
    available_checks.response_schema_conformance,
]
EXAMPLES = 30  # per operation: about 2,500 requests over the 81 operations
# Which world object fills each path id of the API.
PATH_KINDS = {
    "stakeholder_id": "stakeholder", "engagement_id": "engagement", "input_id": "input",
    "participant_id": "participation", "risk_id": "risk", "mitigation_id": "mitigation", "decision_id": "decision",
    "event_id": "event", "consultation_id": "consultation", "import_id": "response_import", "theme_id": "theme",
    "response_id": "response",
    "group_id": "group", "representation_id": "representation",  # affected groups (stakeholders/group_api.py)
    "condition_id": "condition",  # a strategic decision's conditions (risks/api.py)
    "round_id": "rating_round",  # rating rounds (relationships/rating_api.py)
    "payment_id": "payment", "grant_id": "grant", "tranche_id": "tranche",  # the ledger (resourcing/api.py)
    "agreement_id": "agreement",  # relationship agreements (relationships/agreement_api.py)
    "link_id": "portal_link",  # portal links (portal/api.py)
    # The grievance mechanism (grievances/api_*.py); its public operations name the organisation by its slug
    "grievance_id": "grievance", "plan_id": "remedy_plan", "action_id": "remedy_action", "slug": "organisation_slug",
    "pack_id": "board_pack",  # the board view (oversight/api.py)
    "report_id": "report",  # public reports (disclosure/report_api.py)
    # Regional and country assessments (assessments/api.py)
    "assessment_id": "regional_assessment", "phase_id": "assessment_phase", "session_id": "training_session",
    "question_id": "training_question", "finding_id": "finding",
    "partner_id": "assessment_partner",
    # Shared assessments (collaboration/api.py); their partner_id and engagement_id take the kinds above (a 404)
    "shared_id": "shared", "invitation_id": "shared_invitation",
    "claim_id": "claim",  # competing claims (consensus/api/claims.py)
    # Consensus exercises (consensus/api/exercises.py); their participant_id takes the kind above (a 404)
    "exercise_id": "exercise", "statement_id": "statement",
    "run_id": "run",  # analysis runs (consensus/api/runs.py)
    "participant_number": "voter_number",  # a participant's number in an exercise (consensus/api/votes.py)
}


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Requests made outside Django's test client would close the test's database connection at their end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def world(db):
    builder = new_builder(make_organisation("Contract Org"))
    world = build_world(builder, OWN)
    give_tokens(world, [])
    membership = Membership.objects.get(user=builder.user, organisation=builder.organisation)
    return world, issue_api_token(membership=membership, name="contract", by=None)[1]


def operations():
    return [result.ok() for result in schema.get_all_operations()]


def requests_for(operation, world):
    """Valid and invalid requests, half with the world's real ids in the path."""
    params = re.findall(r"{(\w+)}", operation.path)
    unmapped = [name for name in params if name not in PATH_KINDS]
    assert not unmapped, f"{operation.label}: path ids {unmapped} map to no object; add them to PATH_KINDS."
    real = {name: world.id_of(PATH_KINDS[name], None) for name in params}
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return st.one_of(*(operation.as_strategy(mode, path_parameters=real) for mode in modes if real),
                     *(operation.as_strategy(mode) for mode in modes))


def test_every_operation_honours_its_schema(world):
    world, token = world
    sent: dict[str, int] = {}
    started = time.monotonic()
    for operation in operations():

        # The world comes from a fixture outside the property on purpose: its examples share it, each
        # request rolled back (as in test_isolation_property.py).
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True,
                  database=None)
        @given(case=requests_for(operation, world))
        def honours(case):
            with transaction.atomic():
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                transaction.set_rollback(True)
            body = response.content.decode("utf-8", errors="replace")  # a PDF (a feedback letter) is not text
            assert "Traceback" not in body and 'File "' not in body, case.as_curl_command()
            case.validate_response(response, checks=CHECKS)
            sent[case.operation.label] = sent.get(case.operation.label, 0) + 1

        honours()
    print(f"API contract: {sum(sent.values())} requests over {len(sent)} operations "
          f"in {time.monotonic() - started:.1f} s")
    assert len(sent) == len(operations()) >= 81


def test_no_two_schemas_share_a_name():
    """OpenAPI components are keyed by the schema's class name alone: two routers each declaring a `GroupOut`
    get one component, and one of them is documented (and checked) against the other's shape."""
    from ninja import Schema

    import rightsloop.api  # noqa: F401  (every router, and so every schema, imported)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    modules: dict[str, set[str]] = {}
    for found in subclasses(Schema):
        if found.__module__.startswith("rightsloop."):
            modules.setdefault(found.__name__, set()).add(found.__module__)
    shared = {name: sorted(where) for name, where in modules.items() if len(where) > 1}
    assert not shared, f"Schema class names used twice (rename one, e.g. with its area's prefix): {shared}"
