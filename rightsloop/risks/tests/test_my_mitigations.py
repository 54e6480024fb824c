"""My mitigations: only the viewer's own, what is due and what is flagged, sortable by due date; page, panel and API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.risks import actions, queries
from rightsloop.risks.tests.factories import make_mitigation, make_risk

pytestmark = pytest.mark.django_db


@pytest.fixture
def owned(hr_lead, decision_maker, django_capture_on_commit_callbacks):
    """Three of the decision maker's mitigations (overdue, due soon, undated and flagged), one done, one not theirs."""
    today = timezone.localdate()
    risk = make_risk(hr_lead, title="Location data retention", markets=["KE"])
    other_risk = make_risk(hr_lead, title="Abuse of group chats", markets=["BR"], product="Forums")
    mine = {
        "overdue": make_mitigation(hr_lead, other_risk, action="Publish retention limits", owner=decision_maker.user,
                                   due_on=today - datetime.timedelta(days=3)),
        "soon": make_mitigation(hr_lead, other_risk, action="Train moderators", owner=decision_maker.user,
                                due_on=today + datetime.timedelta(days=5)),
        "flagged": make_mitigation(hr_lead, risk, action="Delete location after 30 days", owner=decision_maker.user),
        "done": make_mitigation(hr_lead, other_risk, action="Audit access logs", owner=decision_maker.user,
                                status="done", due_on=today - datetime.timedelta(days=30)),
    }
    theirs = make_mitigation(hr_lead, risk, action="Someone else's mitigation", due_on=today)
    with django_capture_on_commit_callbacks(execute=True):
        actions.record_context_event(title="New data law", kind="new_law", occurred_on=today,
                                     countries_touched=["KE"], by=hr_lead)
    return mine, theirs


def test_only_mine_sorted_by_due_date_with_what_needs_attention(decision_maker, owned):
    mine, theirs = owned
    today = timezone.localdate()
    rows = list(queries.my_mitigations(decision_maker, today))
    assert [m.pk for m in rows] == [mine["overdue"].pk, mine["soon"].pk, mine["flagged"].pk]
    assert [(m.overdue, m.due_soon, m.awaiting_reassessment) for m in rows] == [
        (True, False, False), (False, True, False), (False, False, True)]
    assert [m.pk for m in queries.my_mitigations(decision_maker, today, order="-due")] == [
        mine["soon"].pk, mine["overdue"].pk, mine["flagged"].pk]
    assert [m.pk for m in queries.my_mitigations(decision_maker, today, flagged_only=True)] == [mine["flagged"].pk]
    everything = {m.pk for m in queries.my_mitigations(decision_maker, today, include_done=True)}
    assert mine["done"].pk in everything and theirs.pk not in everything
    assert queries.my_mitigation_counts(decision_maker, today) == {"open": 3, "overdue": 1, "due_soon": 1,
                                                                   "flagged": 1}


def test_the_page_lists_mine_in_constant_queries(decision_maker, hr_lead, sign_in, owned):
    mine, _theirs = owned
    client = sign_in(decision_maker)
    with CaptureQueriesContext(connection) as few:
        response = client.get("/risks/mitigations/mine/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Publish retention limits" in page and "Someone else" not in page and "Audit access logs" not in page
    assert page.index("Publish retention limits") < page.index("Train moderators") < page.index("Delete location")
    assert f"/risks/mitigations/{mine['flagged'].pk}/reassess/" in page
    for n in range(5):
        make_mitigation(hr_lead, mine["soon"].risk, action=f"More work {n}", owner=decision_maker.user)
    with CaptureQueriesContext(connection) as more:
        client.get("/risks/mitigations/mine/")
    assert len(more) == len(few)
    flagged = client.get("/risks/mitigations/mine/?show=flagged&order=-due").content.decode()
    assert "Delete location" in flagged and "Train moderators" not in flagged
    # Bad parameters fall back to the defaults rather than failing.
    assert client.get("/risks/mitigations/mine/?order=evil&show=nope").status_code == 200


def test_the_dashboard_links_owners_to_their_list(decision_maker, board, sign_in, owned):
    home = sign_in(decision_maker).get("/").content.decode()
    assert "/risks/mitigations/mine/" in home and "3 mitigations not yet done" in home
    assert "/risks/mitigations/mine/" not in sign_in(board).get("/").content.decode()


def test_the_api_lists_mine(decision_maker, board, api, owned):
    mine, _theirs = owned
    response = api(decision_maker).get("/api/v1/mitigations/mine", {"order": "due"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [m["id"] for m in items] == [mine["overdue"].pk, mine["soon"].pk, mine["flagged"].pk]
    assert items[0]["overdue"] and items[2]["awaiting_reassessment"] and items[2]["risk_title"]
    assert api(decision_maker).get("/api/v1/mitigations/mine", {"order": "sideways"}).status_code == 400
    assert api(board).get("/api/v1/mitigations/mine").json()["items"] == []
