"""Property: a member of a shared assessment reaches nothing of another member's own records, through any route.

The two access worlds (core/tests/access_worlds.py) are built as for the isolation property test, then the other
company joins the own company's shared assessment and shares into it: an engagement, inputs (one attributed by a
person at normal safety level, one anonymised and one by a person at elevated safety level, whose names carry the
other company's marker) and two pool partners (one at high safety level, named with that marker). What is shared
carries its own marker; everything else of the other company carries FOREIGN. Hypothesis then draws endpoints,
roles and ids as test_isolation_property does: every other-company id must be refused exactly as a missing one,
and no answer may show FOREIGN. Pages of the shared assessment, with the own world's ids, show the shared marker
(so the test can fail) and never FOREIGN.
"""

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings

from rightsloop.accounts.tests.factories import make_organisation
from rightsloop.collaboration import actions
from rightsloop.core.tests.access_worlds import (
    FOREIGN,
    MEMBER_ROLES,
    NOT_FOUND,
    OWN,
    PROTECTED,
    build_world,
    foreign_outcome,
    give_tokens,
    member,
    new_builder,
    objects_of,
    outcome_of,
    routes,
    send,
)
from rightsloop.core.tests.test_access_matrix import expected
from rightsloop.core.tests.test_isolation_property import ALTERNATIVES, Case, cases, object_endpoints
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.actions import record_consent
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import contribute, join

pytestmark = pytest.mark.django_db

SHARED = "Shared-Marker-7731"
CASES = 400


def consenting(by, stakeholder):
    """The person agreed to have their inputs attributed to them."""
    record_consent(stakeholder=stakeholder, scope="attribute_inputs", granted=True, method="verbal",
                   given_on=timezone.localdate(), by=by)
    return stakeholder


@pytest.fixture
def worlds(sign_in):
    own_org, other_org = make_organisation("Kestrel Networks"), make_organisation("Other Company")
    members = {role: member(own_org, role, sign_in) for role in MEMBER_ROLES}
    own = build_world(new_builder(own_org), OWN)
    foreign = build_world(new_builder(other_org), FOREIGN)
    give_tokens(own, list(members.values()))
    give_tokens(foreign, [])
    other = foreign.builder  # the other company's human rights lead
    shared = own.objects["shared"]
    join(shared, other, by=own.builder)
    engagement = make_engagement(other, title=f"{SHARED} engagement")
    actions.share_engagement(shared=shared, engagement=engagement, by=other)
    speaker = make_participation(other, engagement,
                                 consenting(other, make_stakeholder(other, name=f"{SHARED} speaker")))
    make_input(other, engagement, speaker, text=f"{SHARED} attributed words", attribution="attributed")
    hidden = make_participation(other, engagement, make_stakeholder(other, name=f"{FOREIGN} anonymous speaker"))
    make_input(other, engagement, hidden, text=f"{SHARED} anonymised words", attribution="anonymised")
    wary = make_participation(other, engagement, consenting(other, make_stakeholder(
        other, name=f"{FOREIGN} elevated speaker", safety_level="elevated")))
    make_input(other, engagement, wary, text=f"{SHARED} words of someone at risk", attribution="attributed")
    contribute(shared, make_stakeholder(other, name=f"{SHARED} partner"), by=other)
    contribute(shared, make_stakeholder(other, name=f"{FOREIGN} defender", safety_level="high"), by=other)
    return members, own, foreign, engagement


def test_what_is_shared_shows_and_nothing_else_of_the_other_member(worlds):
    members, own, _foreign, engagement = worlds
    shared = own.objects["shared"]
    pages = {
        "detail": f"/shared-assessments/{shared.pk}/",
        "engagement": f"/shared-assessments/{shared.pk}/engagements/{engagement.pk}/",
        "api engagement": f"/api/v1/shared-assessments/{shared.pk}/engagements/{engagement.pk}/inputs",
        "api partners": f"/api/v1/shared-assessments/{shared.pk}/partners",
    }
    hr_lead = members["hr_lead"]
    for name, url in pages.items():
        if url.startswith("/api/"):
            response = hr_lead.page.get(url, HTTP_AUTHORIZATION=f"Bearer {hr_lead.api_token}")
        else:
            response = hr_lead.page.get(url)
        body = response.content.decode()
        assert response.status_code == 200, name
        assert SHARED in body, name
        assert FOREIGN not in body, name
        assert PROTECTED not in body, name
    inputs = hr_lead.page.get(pages["engagement"]).content.decode()
    assert f"{SHARED} speaker" in inputs and "anonymised words" in inputs and "someone at risk" in inputs


def test_every_route_of_every_role_with_own_ids_shows_nothing_of_the_other_member(worlds):
    members, own, _foreign, _engagement = worlds
    for route in routes():
        if not route.name.startswith(("collaboration:", "api:")) or "shared" not in route.pattern:
            continue
        for method in route.methods:
            for role in MEMBER_ROLES:
                who = members[role]
                ids = {param: own.id_of(kind, who) for param, kind in objects_of(route).items()}
                _response, body = send(who, route, method, ids)
                assert FOREIGN not in body, f"{method} {route.name} as {role}"


def test_no_id_of_the_other_member_reaches_anything(worlds):
    members, own, foreign, _engagement = worlds
    ran = []

    def check(case: Case):
        who = members[case.role]
        replaced = dict(case.replaced)
        ids = {}
        for param, kind in objects_of(case.route).items():
            if param not in replaced:
                ids[param] = own.id_of(kind, who)
            elif case.source == "foreign":
                ids[param] = foreign.id_of(replaced[param], None)
            else:
                ids[param] = own.id_of(replaced[param], who)
        response, body = send(who, case.route, case.method, ids, htmx=case.htmx)
        where = f"{case.method} {case.route.name} {ids} as {case.role}, {case.source} {replaced}"
        want = foreign_outcome(expected(case.route, case.method, case.role))
        if want == NOT_FOUND:
            assert response.status_code == 404, where
        else:
            assert outcome_of(response) == want or response.status_code in (400, 403, 404, 405), where
        assert FOREIGN not in body, where
        assert PROTECTED not in body, where
        ran.append(case)

    for number, (route, method) in enumerate(object_endpoints()):
        replaced = tuple((param, ALTERNATIVES[kind][0]) for param, kind in
                         sorted(objects_of(route).items()) if kind in ALTERNATIVES)
        if replaced:
            check(Case(route=route, method=method, role=MEMBER_ROLES[number % len(MEMBER_ROLES)],
                       source="foreign", replaced=replaced, htmx=False))

    @settings(max_examples=CASES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(case=cases())
    def no_leak(case: Case):
        check(case)

    no_leak()
    assert len(ran) >= CASES
