"""The load warning when adding a participant stays cheap: counted once per request, who asked read only when
over, the same number of queries however many people and requests there are; hidden people stay hidden."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.engagements.models import Participation
from rightsloop.engagements.tests.factories import make_engagement, make_participation
from rightsloop.stakeholders.actions import grant_access
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

# The page, its unconfirmed POST and the API's 409 counted the load twice, four times and twice (two, nine and
# two queries more than these); now once, who asked read only when over (two queries: the requests, then
# their engagements by key). Under pytest the action's atomic block adds three savepoint statements to the POSTs.
PAGE, POST, API = 14, 18, 13


def ask(by, stakeholder, days_ago: float, **fields):
    engagement = make_engagement(by, **fields)
    participation = make_participation(by, engagement, stakeholder)
    Participation.objects.filter(pk=participation.pk).update(
        added_at=timezone.now() - datetime.timedelta(days=days_ago))
    return engagement


def busy_ngo(by, admin, *, people: int, asks: int):
    """An organisation with `people` affiliated people, asked `asks` times through them, plus a high-safety
    person the caller holds no grant on (asked once, in an engagement titled "Secret consultation")."""
    ngo = make_stakeholder(by, name="Digital Rights Watch", kind="expert", entity_type="organisation")
    members = [make_stakeholder(by, name=f"Member {n}", kind="expert", entity_type="person", affiliation=ngo.pk)
               for n in range(people)]
    for n in range(asks):
        ask(by, members[n % people] if n % 2 else ngo, n + 1, title=f"Earlier ask {n}")
    hidden = make_stakeholder(admin, name="Hidden defender", entity_type="person", safety_level="high",
                              affiliation=ngo.pk)
    proxy = make_stakeholder(admin, kind="proxy")
    secret = make_engagement(admin, title="Secret consultation")
    make_participation(admin, secret, hidden, via_proxy=proxy)
    return ngo, hidden


@pytest.fixture
def granted_lead(hr_lead, admin):
    """The lead holds grants on other high-safety people, as a registering lead does (the grant subquery)."""
    for n in range(3):
        protected = make_stakeholder(admin, name=f"Protected {n}", safety_level="high")
        grant_access(stakeholder=protected, user=hr_lead.user, reason="Case worker", by=admin)
    return hr_lead


@pytest.mark.parametrize(("people", "asks"), [(2, 6), (8, 20)])
def test_the_warning_page_counts_once(granted_lead, admin, sign_in, django_assert_max_num_queries, people, asks):
    ngo, _hidden = busy_ngo(granted_lead, admin, people=people, asks=asks)
    engagement = make_engagement(granted_lead, title="Yet another workshop")
    client = sign_in(granted_lead)
    url = f"/engagements/{engagement.pk}/participants/add/{ngo.pk}/"
    client.get(url)
    with django_assert_max_num_queries(PAGE):
        page = client.get(url).content.decode()
    assert 'id="load-warning"' in page and "Earlier ask 0" in page
    assert "Secret consultation" not in page and "Hidden defender" not in page
    with django_assert_max_num_queries(POST):
        refused = client.post(url, {"via_proxy": ""})
    assert refused.status_code == 400
    body = refused.content.decode()
    assert 'id="load-warning"' in body and "Earlier ask 0" in body and "Secret consultation" not in body
    assert not engagement.participations.exists()


def test_the_page_without_a_warning_reads_no_requests(granted_lead, admin, sign_in, django_assert_max_num_queries):
    ngo, _hidden = busy_ngo(granted_lead, admin, people=3, asks=2)
    engagement = make_engagement(granted_lead)
    client = sign_in(granted_lead)
    url = f"/engagements/{engagement.pk}/participants/add/{ngo.pk}/"
    client.get(url)
    with django_assert_max_num_queries(PAGE - 1):
        page = client.get(url).content.decode()
    assert 'id="load-warning"' not in page


@pytest.mark.parametrize(("people", "asks"), [(2, 6), (8, 20)])
def test_the_api_409_counts_once(granted_lead, admin, api, django_assert_max_num_queries, people, asks):
    ngo, _hidden = busy_ngo(granted_lead, admin, people=people, asks=asks)
    engagement = make_engagement(granted_lead)
    client = api(granted_lead)
    url = f"/api/v1/engagements/{engagement.pk}/participants"
    client.post(url, {"stakeholder_id": ngo.pk})
    with django_assert_max_num_queries(API):
        refused = client.post(url, {"stakeholder_id": ngo.pk})
    assert refused.status_code == 409
    body = refused.json()
    # The hidden person's engagement neither counts nor shows.
    assert body["load"]["count_365"] == asks and len(body["load"]["requests"]) == asks
    assert all(r["title"] != "Secret consultation" for r in body["load"]["requests"])
    assert not engagement.participations.exists()


def test_a_grant_holder_sees_the_hidden_persons_request(granted_lead, admin, api):
    """The grant subquery without its organisation join still lets a granted person count (and nobody else)."""
    ngo, hidden = busy_ngo(granted_lead, admin, people=2, asks=6)
    grant_access(stakeholder=hidden, user=granted_lead.user, reason="Case worker", by=admin)
    engagement = make_engagement(granted_lead)
    body = api(granted_lead).post(f"/api/v1/engagements/{engagement.pk}/participants",
                                  {"stakeholder_id": ngo.pk}).json()
    assert body["load"]["count_365"] == 7
    assert any(r["title"] == "Secret consultation" for r in body["load"]["requests"])
