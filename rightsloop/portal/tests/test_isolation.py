"""Property: a portal session reaches only its own stakeholder's data. Every portal URL (the resolver's portal
namespace, other apps' sections included; the staff pages under portal:staff: are not the portal), driven
with ids of other stakeholders of the same organisation and of another organisation, answers 404.

The session holder owns nothing, so that every id in the database belongs to someone else: the two worlds of
the access tests (core/tests/access_worlds.py) hold a stakeholder of each kind with engagements, inputs,
briefings, consents, agreements, rating rounds, payments and grants, and their ids are the pool drawn from.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import models, transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsloop.accounts.tests.factories import make_organisation
from rightsloop.core.tests.access_worlds import FOREIGN, OWN, build_world, new_builder, routes
from rightsloop.portal.models import PortalLink
from rightsloop.portal.testing import open_portal
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

CASES = 300
# Requests that take no id or are the door and the shell (no object behind them).
SHELL = {"portal:enter", "portal:sign-out", "portal:signed-out", "portal:language", "portal:home"}


def portal_routes():
    return [route for route in routes()
            if route.name.startswith("portal:") and not route.name.startswith("portal:staff:")
            and route.name not in SHELL and route.params]


def _id_pool(excluded: set[int]) -> list[int]:
    """Every integer primary key of every row of the project's models (whoever's they are), but the holder's."""
    pool: set[int] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("rightsloop.") or not isinstance(model._meta.pk, models.AutoField):
            continue
        pool.update(model.objects.values_list("pk", flat=True)[:500])
    return sorted(pool - excluded)


@pytest.fixture
def setting():
    own_org, other_org = make_organisation("Kestrel Networks"), make_organisation("Other Company")
    own = build_world(new_builder(own_org), OWN)
    build_world(new_builder(other_org), FOREIGN)
    holder = make_stakeholder(own.builder, name="Portal holder", entity_type="person")
    client = Client()
    open_portal(client, holder)
    link = PortalLink.objects.get(stakeholder=holder, used_at__isnull=False)
    return client, _id_pool({holder.pk, link.pk})


def _url(route, ids) -> str:
    return "/" + re.sub(r"<\w+:(\w+)>", lambda match: str(ids[match.group(1)]), route.pattern)


def test_every_portal_url_with_anyone_elses_ids_is_not_found(setting):
    client, pool = setting
    candidates = portal_routes()
    assert {"portal:said:report", "portal:engagements:briefing-file",
            "portal:details:consent-withdraw"} <= {route.name for route in candidates}
    assert len(pool) > 50
    seen = set()

    def check(route, ids):
        url = _url(route, ids)
        answers = {}
        for method in ("GET", "POST"):
            with transaction.atomic():
                response = client.get(url) if method == "GET" else client.post(url, {})
                transaction.set_rollback(True)
            answers[method] = response.status_code
            body = response.content.decode(errors="replace") if not getattr(response, "streaming", False) else ""
            assert FOREIGN not in body and OWN not in body, (method, url)
        assert set(answers.values()) <= {404, 405} and 404 in answers.values(), (url, answers)
        seen.add(route.name)

    ids_strategy = st.one_of(st.sampled_from(pool), st.integers(min_value=1, max_value=2**31 - 1))

    @settings(max_examples=CASES, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(data=st.data())
    def nothing_reached(data):
        route = data.draw(st.sampled_from(candidates))
        check(route, {param: data.draw(ids_strategy) for param in route.params})

    # Every route at least once with each id taken from the pool, then what Hypothesis draws.
    for route in candidates:
        for number in range(0, len(pool), max(1, len(pool) // 20)):
            check(route, {param: pool[(number + offset) % len(pool)] for offset, param in enumerate(route.params)})
    nothing_reached()
    assert seen == {route.name for route in candidates}
    # The session stayed open throughout: the 404s are the lookups' answers, not an ended session's.
    assert client.get("/portal/").status_code == 200
