"""The priority rule on generated registers: severity first, likelihood second, wherever risks are ranked.

The expected order is computed here from the four ratings alone (not from the stored priority), so a
change that ranks by severity alone, or lets likelihood outweigh severity, fails on some generated
register. The register page, the API list and each risk's rank (page and API) are all checked.
"""

import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rightsloop.accounts.tests.api_client import ApiClient
from rightsloop.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db

RATING = st.integers(min_value=1, max_value=5)
RATINGS = st.tuples(RATING, RATING, RATING, RATING)  # scale, scope, irremediability, likelihood
# Few distinct ratings, so equal severities (where likelihood decides) come up often.
REGISTERS = st.lists(st.one_of(RATINGS, st.sampled_from([(3, 3, 3, 1), (3, 3, 3, 5), (4, 3, 2, 4), (5, 2, 2, 2)])),
                     min_size=2, max_size=8)


def expected_order(risks) -> list[int]:
    """The UNGP rule: higher severity (the sum of the three dimensions) first; among equally severe risks,
    the more likely first; then the harder to remedy; then the older."""
    return [risk.pk for risk in sorted(risks, key=lambda r: (
        -(r.scale + r.scope + r.irremediability), -r.likelihood, -r.irremediability, r.pk))]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          derandomize=True)
@given(ratings=REGISTERS)
def test_page_api_and_rank_follow_the_priority_rule(hr_lead, sign_in, ratings):
    page_client = sign_in(hr_lead)
    api_client = ApiClient(hr_lead)
    with transaction.atomic():
        risks = [make_risk(hr_lead, title=f"Generated risk {n:02d}", scale=scale, scope=scope,
                           irremediability=irremediability, likelihood=likelihood)
                 for n, (scale, scope, irremediability, likelihood) in enumerate(ratings)]
        expected = expected_order(risks)
        titles = {risk.pk: risk.title for risk in risks}

        page = page_client.get("/risks/").content.decode()
        assert sorted(titles.values(), key=page.index) == [titles[pk] for pk in expected]
        assert re.findall(r'<td class="rank">(\d+)</td>', page) == [str(n) for n in range(1, len(risks) + 1)]
        # Sorted by title, each row still shows its priority rank.
        by_title = page_client.get("/risks/", {"sort": "title"}).content.decode()
        shown = dict(zip(sorted(titles.values(), key=by_title.index),
                         re.findall(r'<td class="rank">(\d+)</td>', by_title), strict=True))
        assert {title: int(rank) for title, rank in shown.items()} == {
            titles[pk]: rank for rank, pk in enumerate(expected, start=1)}

        listed = api_client.get("/api/v1/risks").json()["items"]
        assert [item["id"] for item in listed] == expected
        assert [item["rank"] for item in listed] == list(range(1, len(risks) + 1))
        for rank, pk in enumerate(expected, start=1):
            assert api_client.get(f"/api/v1/risks/{pk}").json()["rank"] == rank
            assert f"Rank {rank} in the register" in page_client.get(f"/risks/{pk}/").content.decode()
        transaction.set_rollback(True)
