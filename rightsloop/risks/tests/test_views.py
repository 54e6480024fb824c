"""The risk register pages: register, heat map, create and edit with history, escalation, dashboard."""

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from rightsloop.risks import actions
from rightsloop.risks.models import Risk, RiskChange, StrategicDecision
from rightsloop.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LATER = (TODAY + datetime.timedelta(days=200)).isoformat()


def risk_form(**fields):
    data = {
        "title": "Location data sold to brokers", "product": "Messenger", "involvement": "contribute",
        "rights": ["privacy", "security_of_person"], "markets": "ke, IN", "scale": "3", "scope": "3",
        "irremediability": "2", "likelihood": "3", "review_on": LATER,
    }
    data.update(fields)
    return data


def rank_order(page: str, *titles: str) -> list[str]:
    return sorted(titles, key=page.index)


def cell(page: str, band: int, likelihood: int) -> int:
    """The count the SVG shows in a heat map cell."""
    found = re.search(rf'data-band="{band}" data-likelihood="{likelihood}" data-count="(\d+)"', page)
    return int(found.group(1))


def table_cell(page: str, band: int, likelihood: int) -> str:
    found = re.search(rf'<td data-band="{band}" data-likelihood="{likelihood}">(.*?)</td>', page)
    return re.sub(r"<[^>]+>", "", found.group(1))


# Register ----------------------------------------------------------------------

def test_a_severe_unlikely_risk_ranks_above_a_mild_likely_one(hr_lead, sign_in):
    make_risk(hr_lead, title="Mild but likely", scale=1, scope=1, irremediability=1, likelihood=5)
    make_risk(hr_lead, title="Severe but unlikely", scale=5, scope=4, irremediability=4, likelihood=1)
    make_risk(hr_lead, title="Middling", scale=3, scope=3, irremediability=2, likelihood=3)
    page = sign_in(hr_lead).get("/risks/").content.decode()
    assert rank_order(page, "Mild but likely", "Severe but unlikely", "Middling") == [
        "Severe but unlikely", "Middling", "Mild but likely"]
    ranks = re.findall(r'<td class="rank">(\d+)</td>', page)
    assert ranks == ["1", "2", "3"]


def test_other_sorts_keep_the_priority_rank(hr_lead, sign_in):
    make_risk(hr_lead, title="Alpha mild", scale=1, scope=1, irremediability=1, likelihood=1,
              review_on=TODAY + datetime.timedelta(days=1))
    make_risk(hr_lead, title="Zulu severe", scale=5, scope=5, irremediability=5, likelihood=1,
              review_on=TODAY + datetime.timedelta(days=90))
    client = sign_in(hr_lead)
    by_title = client.get("/risks/", {"sort": "title"}).content.decode()
    assert rank_order(by_title, "Alpha mild", "Zulu severe") == ["Alpha mild", "Zulu severe"]
    assert re.findall(r'<td class="rank">(\d+)</td>', by_title) == ["2", "1"]
    by_review = client.get("/risks/", {"sort": "review"}).content.decode()
    assert rank_order(by_review, "Alpha mild", "Zulu severe") == ["Alpha mild", "Zulu severe"]
    by_priority = client.get("/risks/", {"sort": "nonsense"})
    assert by_priority.status_code == 200


def test_register_filters(hr_lead, outsider, sign_in):
    make_risk(hr_lead, title="Kenyan privacy risk", rights=["privacy"], markets=["KE"], product="Messenger")
    make_risk(hr_lead, title="Indian speech risk", rights=["freedom_of_expression"], markets=["IN"], product="Feed",
              scale=5, scope=5, irremediability=5, likelihood=5)
    make_risk(hr_lead, title="Overdue review risk", review_on=TODAY - datetime.timedelta(days=3))
    make_risk(outsider, title="Someone else's risk")
    client = sign_in(hr_lead)

    def titles(**params):
        page = client.get("/risks/", params).content.decode()
        return {t for t in ("Kenyan privacy risk", "Indian speech risk", "Overdue review risk",
                            "Someone else's risk") if t in page}

    assert titles() == {"Kenyan privacy risk", "Indian speech risk", "Overdue review risk"}
    assert titles(right="freedom_of_expression") == {"Indian speech risk"}
    assert titles(market="IN") == {"Indian speech risk"}
    assert titles(product="feed") == {"Indian speech risk"}
    assert titles(q="kenyan") == {"Kenyan privacy risk"}
    assert titles(severe="on") == {"Indian speech risk"}
    assert titles(level="board") == {"Indian speech risk"}
    assert titles(due_for_review="on") == {"Overdue review risk"}
    assert titles(band="5", likelihood="5") == {"Indian speech risk"}
    assert titles(band="3") == {"Kenyan privacy risk", "Overdue review risk"}
    page = client.get("/risks/", {"due_for_review": "on"}).content.decode()
    assert "Review due" in page


def test_the_heat_map_counts_in_the_svg_and_the_table(hr_lead, sign_in):
    for _ in range(2):
        make_risk(hr_lead, scale=5, scope=5, irremediability=5, likelihood=4)   # severity 15: band 5
    make_risk(hr_lead, scale=1, scope=1, irremediability=1, likelihood=2)       # severity 3: band 1
    make_risk(hr_lead, scale=4, scope=4, irremediability=4, likelihood=4)       # severity 12: band 4
    page = sign_in(hr_lead).get("/risks/").content.decode()
    assert "<svg" in page and "<title" in page and "<desc" in page and 'aria-labelledby="heat-map-title' in page
    assert cell(page, 5, 4) == 2 and cell(page, 1, 2) == 1 and cell(page, 4, 4) == 1 and cell(page, 3, 3) == 0
    assert table_cell(page, 5, 4) == "2" and table_cell(page, 1, 2) == "1" and table_cell(page, 3, 3) == "0"
    assert sum(cell(page, b, lik) for b in range(1, 6) for lik in range(1, 6)) == 4
    assert "Severity band 5, likelihood 4: 2 risks" in page
    assert 'href="?band=5&amp;likelihood=4"' in page
    # Cells keep the other filters: filtered to a market, the map counts only its risks.
    make_risk(hr_lead, scale=5, scope=5, irremediability=5, likelihood=4, markets=["BR"])
    filtered = sign_in(hr_lead).get("/risks/", {"market": "BR"}).content.decode()
    assert cell(filtered, 5, 4) == 1 and 'href="?market=BR&amp;band=5&amp;likelihood=4"' in filtered


def test_register_queries_do_not_grow_with_the_risks(hr_lead, sign_in, django_assert_max_num_queries):
    client = sign_in(hr_lead)
    make_risk(hr_lead)
    client.get("/risks/")  # warm the session and caches
    with django_assert_max_num_queries(10) as few:
        assert client.get("/risks/").status_code == 200
    for number in range(30):
        make_risk(hr_lead, rights=["privacy", "health"], markets=["KE", "IN"], likelihood=1 + number % 5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/risks/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/risks/", {"sort": "title", "market": "KE"}).status_code == 200


def test_links_on_the_register(hr_lead, board, sign_in):
    editing = sign_in(hr_lead).get("/risks/").content.decode()
    assert 'href="/risks/new/"' in editing and 'href="/risks/escalation/"' in editing
    for link in ('href="/risks/import/"', 'href="/risks/export/?format=xlsx"', 'href="/risks/decisions/"',
                 'href="/risks/events/"'):
        assert link in editing
    viewing = sign_in(board).get("/risks/").content.decode()
    assert 'href="/risks/new/"' not in viewing and 'href="/risks/import/"' not in viewing
    assert 'href="/risks/export/?format=csv"' in viewing


# Create and edit ---------------------------------------------------------------

def test_create_a_risk(hr_lead, sign_in):
    client = sign_in(hr_lead)
    form = client.get("/risks/new/").content.decode()
    # Every level of every scale is offered with its written definition.
    assert "Extreme: threat to life, liberty or physical integrity" in form
    assert "Irreversible: cannot be put right" in form and "Rare: only in exceptional circumstances" in form
    assert 'type="radio" name="likelihood"' in form and "Privacy, family, home and correspondence" in form
    response = client.post("/risks/new/", risk_form(owner=hr_lead.user.pk))
    risk = Risk.objects.get()
    assert response.status_code == 302 and response.url == f"/risks/{risk.pk}/"
    assert risk.rights_codes == ["privacy", "security_of_person"] and risk.market_codes == ["IN", "KE"]
    assert (risk.severity, risk.priority, risk.owner_level) == (8, 83, "team")
    assert risk.changes.get().reason == "registered"


def test_create_with_bad_ratings_saves_nothing(hr_lead, sign_in):
    client = sign_in(hr_lead)
    response = client.post("/risks/new/", risk_form(owner=hr_lead.user.pk, scale="9", likelihood="0",
                                                    rights=["privacy", "no_such_right"], markets="KE, XX"))
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("Select a valid choice.") >= 3  # scale, likelihood, the unknown right
    assert "Unknown country code: XX." in page
    assert 'value="Location data sold to brokers"' in page
    assert not Risk.objects.exists() and not RiskChange.objects.exists()
    missing = client.post("/risks/new/", {})
    assert missing.status_code == 400 and "This field is required." in missing.content.decode()
    assert not Risk.objects.exists()


def test_an_error_from_the_action_lands_on_its_field(hr_lead, sign_in, monkeypatch):
    def refuse(**kwargs):
        raise ValidationError({"title": "Refused by the action.", "nowhere": "Not a field."})

    monkeypatch.setattr(actions, "create_risk", refuse)
    response = sign_in(hr_lead).post("/risks/new/", risk_form(owner=hr_lead.user.pk))
    page = response.content.decode()
    assert response.status_code == 400 and "Refused by the action." in page and "Not a field." in page


def test_only_editors_create_and_edit(decision_maker, board, auditor, hr_lead, sign_in):
    risk = make_risk(hr_lead)
    for viewer in (decision_maker, board, auditor):
        client = sign_in(viewer)
        assert client.get("/risks/new/").status_code == 403
        assert client.post("/risks/new/", risk_form(owner=viewer.user.pk)).status_code == 403
        assert client.post(f"/risks/{risk.pk}/edit/", risk_form(reason="x")).status_code == 403
    assert Risk.objects.count() == 1


def test_edit_keeps_history_with_the_reason(hr_lead, admin, sign_in):
    risk = make_risk(hr_lead, title="Moderation gaps", scale=2, scope=2, irremediability=2, likelihood=2)
    client = sign_in(hr_lead)
    edit = client.get(f"/risks/{risk.pk}/edit/").content.decode()
    assert 'value="Moderation gaps"' in edit and 'value="KE"' in edit
    refused = client.post(f"/risks/{risk.pk}/edit/", risk_form(title="Moderation gaps", owner=admin.user.pk))
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    assert risk.changes.count() == 1
    response = client.post(f"/risks/{risk.pk}/edit/", risk_form(
        title="Moderation gaps", owner=admin.user.pk, scale="3", markets="KE",
        reason="Field research in Nairobi showed wider harm"))
    assert response.status_code == 302
    change = risk.changes.first()
    assert change.reason == "Field research in Nairobi showed wider harm" and change.changed_by == hr_lead.user
    assert change.before["scale"] == 2 and change.after["scale"] == 3
    page = client.get(f"/risks/{risk.pk}/").content.decode()
    assert "why: Field research in Nairobi showed wider harm" in page
    assert admin.user.display_name in page and hr_lead.user.display_name in page
    assert "registered the risk" in page


def test_escalation_through_the_edit_form_notifies_the_board(hr_lead, board, sign_in,
                                                             django_capture_on_commit_callbacks):
    risk = make_risk(hr_lead, scale=2, scope=2, irremediability=2, likelihood=2)
    assert risk.owner_level == "team"
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(hr_lead).post(f"/risks/{risk.pk}/edit/", risk_form(
            owner=hr_lead.user.pk, scale="5", scope="4", irremediability="4", likelihood="4",
            reason="Used to locate dissidents"), follow=True)
    risk.refresh_from_db()
    assert risk.owner_level == "board"
    assert "The risk is now owned at: Board." in response.content.decode()
    assert [message.to for message in mail.outbox] == [[board.user.email]]
    page = sign_in(board).get("/").content.decode()
    assert "Risks the board owns" in page and risk.title in page


# Detail ------------------------------------------------------------------------

def test_detail_shows_rank_ratings_and_who_was_heard(hr_lead, board, sign_in):
    make_risk(hr_lead, title="Top risk", scale=5, scope=5, irremediability=5, likelihood=5)
    risk = make_risk(hr_lead, title="Second risk", scale=4, scope=3, irremediability=5, likelihood=2)
    page = sign_in(hr_lead).get(f"/risks/{risk.pk}/").content.decode()
    assert "Rank 2 in the register" in page
    assert "Irreversible: cannot be put right" in page and "Grave: a core right is denied" in page
    assert "Who was heard" in page and "Change this risk" in page
    decision = StrategicDecision.objects.create(organisation=hr_lead.organisation, title="Enter market X",
                                                category="market_entry")
    decision.risks.add(risk)
    page = sign_in(hr_lead).get(f"/risks/{risk.pk}/").content.decode()
    assert f'href="/risks/decisions/{decision.pk}/">Enter market X</a>' in page
    board_page = sign_in(board).get(f"/risks/{risk.pk}/")
    assert board_page.status_code == 200 and "Change this risk" not in board_page.content.decode()


def test_detail_queries_do_not_grow_with_the_history(hr_lead, admin, sign_in, django_assert_max_num_queries):
    risk = make_risk(hr_lead)
    client = sign_in(hr_lead)
    client.get(f"/risks/{risk.pk}/")
    with django_assert_max_num_queries(40) as few:
        assert client.get(f"/risks/{risk.pk}/").status_code == 200
    for number in range(8):
        owner = admin if number % 2 else hr_lead
        actions.update_risk(risk=risk, plan=actions.RiskPlan(
            title=risk.title, product="Messenger", involvement="cause", scale=1 + number % 5, scope=3,
            irremediability=2, likelihood=3, review_on=risk.review_on, owner=owner.user, rights=["privacy"],
            markets=["KE"]), reason=f"Change {number}", by=hr_lead)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(f"/risks/{risk.pk}/").content.decode()
    assert "why: Change 7" in page and "why: Change 0" in page


def test_detail_of_another_organisations_risk_is_not_found(hr_lead, outsider, sign_in):
    risk = make_risk(outsider)
    client = sign_in(hr_lead)
    assert client.get(f"/risks/{risk.pk}/").status_code == 404
    assert client.get(f"/risks/{risk.pk}/edit/").status_code == 404
    assert client.post(f"/risks/{risk.pk}/edit/", risk_form(reason="x")).status_code == 404


# Escalation rules: see test_escalation.py.


# Dashboard and navigation ---------------------------------------------------------

def test_the_dashboard_flags_risks_past_their_review(hr_lead, sign_in):
    make_risk(hr_lead, title="Overdue for review", review_on=TODAY - datetime.timedelta(days=1))
    make_risk(hr_lead, title="Reviewed in time", review_on=TODAY + datetime.timedelta(days=30))
    make_risk(hr_lead, title="Severe one", scale=5, scope=5, irremediability=5, likelihood=1)
    page = sign_in(hr_lead).get("/").content.decode()
    panel = page[page.index('id="risk-panel-h"'):]
    assert "Overdue for review" in panel and "Reviewed in time" not in panel
    assert "Review due" in panel
    assert re.search(r"Severe open risks</dt><dd>1<", panel)
    assert re.search(r"Past their review date</dt><dd>1<", panel)


def test_the_dashboard_queries_stay_bounded(hr_lead, sign_in, django_assert_max_num_queries):
    client = sign_in(hr_lead)
    make_risk(hr_lead, review_on=TODAY - datetime.timedelta(days=1))
    client.get("/")
    with django_assert_max_num_queries(60) as few:
        client.get("/")
    for _ in range(15):
        make_risk(hr_lead, review_on=TODAY - datetime.timedelta(days=1), scale=5, scope=5, irremediability=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/")


def test_the_menu_links_the_register_for_risk_viewers(hr_lead, board, sign_in):
    for viewer in (hr_lead, board):
        assert 'href="/risks/"' in sign_in(viewer).get("/").content.decode()


def test_register_filters_by_family_of_rights(hr_lead, sign_in):
    speech = make_risk(hr_lead, title="Takedowns on government request", rights=["freedom_of_assembly"])
    make_risk(hr_lead, title="Retention of location trails", rights=["privacy"])
    page = sign_in(hr_lead).get("/risks/", {"grouping": "expression"})
    assert page.status_code == 200
    assert [risk.pk for risk in page.context["page"].object_list] == [speech.pk]
