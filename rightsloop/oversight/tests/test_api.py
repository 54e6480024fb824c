"""The board view's JSON API: the same figures as the page, packs requested and followed, briefings recorded."""

from django.utils import timezone

from rightsloop.core.evidence import Question
from rightsloop.core.periods import Period
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder


def test_the_board_view_as_json(organisation, hr_lead, board, api):
    make_risk(hr_lead, title="Shutdown orders", scale=5, scope=5, irremediability=5, likelihood=5)
    response = api(board).get("/api/v1/board", {"period": Period.containing(timezone.localdate()).key})
    assert response.status_code == 200
    body = response.json()
    assert [q["question"] for q in body["questions"]] == [int(q) for q in Question]
    board_risks = next(e for q in body["questions"] for e in q["evidence"] if e["source"] == "risks.board")
    figure = next(f for f in board_risks["figures"] if f["key"] == "board_level_risks")
    assert figure["value"] == 1 and figure["previous"] == 0
    assert board_risks["status"] == "missing"


def test_links_a_caller_may_not_follow_are_left_out(organisation, hr_lead, board, api):
    make_stakeholder(hr_lead, name="Someone", country="KE")
    body = api(board).get("/api/v1/board").json()
    register = next(e for q in body["questions"] for e in q["evidence"] if e["source"] == "stakeholders.register")
    assert all(not f["url"].startswith("/stakeholders/") for f in register["figures"])
    body = api(hr_lead).get("/api/v1/board").json()
    register = next(e for q in body["questions"] for e in q["evidence"] if e["source"] == "stakeholders.register")
    assert any(f["url"].startswith("/stakeholders/") for f in register["figures"])


def test_bad_periods_answer_400_with_the_reason(organisation, board, api):
    for period in ("2026-Q5", "yesterday", "1999"):
        response = api(board).get("/api/v1/board", {"period": period})
        assert response.status_code == 400, period
        assert "period" in str(response.json())


def test_packs_are_requested_and_followed(organisation, board, api):
    client = api(board)
    response = client.post("/api/v1/board-packs", {"period": str(timezone.localdate().year)})
    assert response.status_code == 202
    pack = response.json()
    assert pack["status"] == "queued" and pack["download"] == ""
    assert client.get(f"/api/v1/board-packs/{pack['id']}").json()["id"] == pack["id"]
    assert client.get("/api/v1/board-packs").json()["count"] == 1
    assert client.post("/api/v1/board-packs", {"period": "2099"}).status_code == 400


def test_briefings_are_recorded_and_listed_without_hidden_people(organisation, hr_lead, board, api):
    hidden = make_stakeholder(hr_lead, name="Defender", safety_level="high")
    seen = make_stakeholder(hr_lead, name="Trader")
    client = api(hr_lead)
    response = client.post("/api/v1/board-briefings", {
        "held_on": timezone.localdate().isoformat(), "kind": "stakeholder_session", "topic": "Voices",
        "attendees": [board.user.pk], "stakeholders": [seen.pk]})
    assert response.status_code == 201, response.json()
    from rightsloop.oversight.models import BoardBriefing

    BoardBriefing.objects.get().stakeholders.add(hidden)
    listed = api(board).get("/api/v1/board-briefings").json()["items"][0]
    assert listed["stakeholders"] == [] and listed["stakeholders_not_shown"] == 2
    refused = client.post("/api/v1/board-briefings", {
        "held_on": timezone.localdate().isoformat(), "kind": "briefing", "topic": "x", "attendees": [hr_lead.user.pk]})
    assert refused.status_code == 400 and "attendees" in str(refused.json())
    assert api(board).post("/api/v1/board-briefings", {
        "held_on": timezone.localdate().isoformat(), "kind": "briefing", "topic": "x"}).status_code == 403
