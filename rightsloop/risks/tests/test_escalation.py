"""Escalation rules that put severity first: the actions, the page, the notice of new defaults, and the API.

The rule function itself is tested as properties in test_rules.py.
"""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from rightsloop.accounts.tests.factories import make_organisation
from rightsloop.core.models import AuditEntry
from rightsloop.risks import actions, escalation
from rightsloop.risks.models import DefaultRulesOffer, EscalationRule, Risk, RiskChange
from rightsloop.risks.tests.factories import make_risk

pytestmark = pytest.mark.django_db

BOARD_ONLY_IF_LIKELY = escalation.Threshold("board", 12, 3)


def on_old_defaults(organisation) -> None:
    """What the data step does for an organisation that relied on the old defaults: keep them, offer the new."""
    EscalationRule.objects.bulk_create([
        EscalationRule(organisation=organisation, level=rule.level, min_severity=rule.min_severity,
                       min_likelihood=rule.min_likelihood) for rule in escalation.OLD_DEFAULT_RULES])
    DefaultRulesOffer.objects.create(organisation=organisation, version=escalation.DEFAULTS_VERSION)


@pytest.fixture
def gravest(hr_lead):
    """The issue's risk: 15 of 15 severity, likelihood 1, registered while the old defaults applied."""
    on_old_defaults(hr_lead.organisation)
    return make_risk(hr_lead, title="Spyware exports", scale=5, scope=5, irremediability=5, likelihood=1)


def form(**values):
    """The rules form, filled with the defaults and then the given values (None leaves a field empty)."""
    data = {f"{rule.level}_{name}": getattr(rule, name) for rule in escalation.DEFAULT_RULES
            for name in escalation.FIELD_RANGES}
    data.update(values)
    return {name: "" if value is None else value for name, value in data.items()}


# Actions ---------------------------------------------------------------------

def test_a_new_organisation_sends_a_severe_irremediable_unlikely_risk_to_the_board(hr_lead, board,
                                                                                    django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        risk = make_risk(hr_lead, scale=4, scope=2, irremediability=5, likelihood=1)  # severity 11
    assert risk.owner_level == "board"
    assert [m.to for m in mail.outbox] == [[board.user.email]]


def test_an_organisation_on_the_old_rules_keeps_them_until_it_answers(gravest, hr_lead):
    # The old rules leave it with the team, and nothing has moved it: the offer only waits.
    assert gravest.owner_level == "team"
    assert not RiskChange.objects.filter(risk=gravest).exclude(before={}).exists()
    assert DefaultRulesOffer.objects.get(organisation=hr_lead.organisation).answer == ""
    assert not AuditEntry.objects.filter(action__startswith="escalation.").exists()


def test_adopting_the_new_defaults_moves_the_risks_with_history_and_audit(gravest, hr_lead, board,
                                                                           django_capture_on_commit_callbacks):
    mild = make_risk(hr_lead, scale=1, scope=1, irremediability=1, likelihood=1)
    with django_capture_on_commit_callbacks(execute=True):
        moves = actions.adopt_default_rules(organisation=hr_lead.organisation, by=hr_lead)
    assert [(m.risk_id, m.before, m.after) for m in moves] == [(gravest.pk, "team", "board")]
    gravest.refresh_from_db()
    mild.refresh_from_db()
    assert (gravest.owner_level, mild.owner_level) == ("board", "team")
    assert not EscalationRule.objects.filter(organisation=hr_lead.organisation).exists()
    offer = DefaultRulesOffer.objects.get(organisation=hr_lead.organisation)
    assert (offer.answer, offer.answered_by, offer.answered_at is not None) == ("adopted", hr_lead.user, True)
    change = gravest.changes.first()
    assert (change.before, change.after, change.changed_by) == (
        {"owner_level": "team"}, {"owner_level": "board"}, hr_lead.user)
    assert change.reason == "default escalation rules adopted"
    assert AuditEntry.objects.filter(action="escalation.defaults_adopted", actor=hr_lead.user).count() == 1
    assert AuditEntry.objects.filter(action="risk.escalated", target_id=str(gravest.pk)).count() == 1
    assert [m.to for m in mail.outbox] == [[board.user.email]]


def test_keeping_our_rules_dismisses_the_notice_and_moves_nothing(gravest, admin):
    offer = actions.keep_own_rules(organisation=admin.organisation, by=admin)
    gravest.refresh_from_db()
    assert gravest.owner_level == "team" and offer.answer == "kept" and offer.answered_by == admin.user
    assert EscalationRule.objects.filter(organisation=admin.organisation).count() == 2
    assert AuditEntry.objects.filter(action="escalation.defaults_declined", actor=admin.user).count() == 1
    with pytest.raises(ValidationError):
        actions.keep_own_rules(organisation=admin.organisation, by=admin)  # nothing left to answer


def test_only_the_team_and_administrators_answer(gravest, board, decision_maker):
    for viewer in (board, decision_maker):
        with pytest.raises(PermissionDenied):
            actions.adopt_default_rules(organisation=viewer.organisation, by=viewer)
        with pytest.raises(PermissionDenied):
            actions.keep_own_rules(organisation=viewer.organisation, by=viewer)
        with pytest.raises(PermissionDenied):
            actions.set_escalation_rules(organisation=viewer.organisation, rules=[], by=viewer)
    gravest.refresh_from_db()
    assert gravest.owner_level == "team" and DefaultRulesOffer.objects.pending().count() == 1


def test_invalid_rules_are_refused_and_change_nothing(hr_lead):
    risk = make_risk(hr_lead, scale=5, scope=5, irremediability=5, likelihood=1)
    with pytest.raises(ValidationError) as refused:
        actions.set_escalation_rules(organisation=hr_lead.organisation, by=hr_lead, rules=[
            escalation.Threshold("board", 9, 2), escalation.Threshold("executive", 12, 3)])
    assert set(refused.value.message_dict) == {"executive_min_severity", "executive_min_likelihood"}
    risk.refresh_from_db()
    assert risk.owner_level == "board" and not EscalationRule.objects.exists()


def test_re_levelling_costs_the_same_queries_however_many_risks_stay(hr_lead, django_assert_max_num_queries):
    for _ in range(3):
        make_risk(hr_lead, scale=1, scope=1, irremediability=1, likelihood=1)
    moving = make_risk(hr_lead, scale=5, scope=5, irremediability=5, likelihood=1)
    with django_assert_max_num_queries(14):
        actions.set_escalation_rules(organisation=hr_lead.organisation, rules=[BOARD_ONLY_IF_LIKELY], by=hr_lead)
    for _ in range(20):
        make_risk(hr_lead, scale=1, scope=1, irremediability=1, likelihood=1)
    actions.adopt_default_rules(organisation=hr_lead.organisation, by=hr_lead)
    with django_assert_max_num_queries(14):
        actions.set_escalation_rules(organisation=hr_lead.organisation, rules=[BOARD_ONLY_IF_LIKELY], by=hr_lead)
    moving.refresh_from_db()
    assert moving.owner_level == "team"


# The escalation page ---------------------------------------------------------

def test_the_page_states_the_defaults_and_why(hr_lead, sign_in):
    page = sign_in(hr_lead).get("/risks/escalation/").content.decode()
    assert "In force now: the default rules" in page
    assert ("<strong>Board:</strong> severity at least 12 and likelihood at least 3; or severity at least 13, "
            "whatever the likelihood; or irremediability at least 5 with severity at least 11, whatever the "
            "likelihood.") in page
    assert ("<strong>Executive:</strong> severity at least 9 and likelihood at least 2; or severity at least 11, "
            "whatever the likelihood; or irremediability at least 4 with severity at least 9, whatever the "
            "likelihood.") in page
    assert "<strong>Human rights team:</strong> every other risk." in page
    assert "why severity comes first" in page and "cannot be undone" in page
    assert "Back to the defaults" not in page and "The default rules changed" not in page


def test_editing_the_rules_on_the_page(hr_lead, decision_maker, sign_in):
    risk = make_risk(hr_lead, scale=3, scope=3, irremediability=3, likelihood=2)  # severity 9
    assert risk.owner_level == "executive"
    viewing = sign_in(decision_maker)
    page = viewing.get("/risks/escalation/").content.decode()
    assert "Save the rules" not in page and "Only the human rights team and administrators" in page
    assert viewing.post("/risks/escalation/", form()).status_code == 403
    assert viewing.post("/risks/escalation/defaults/").status_code == 403
    assert not EscalationRule.objects.exists()
    client = sign_in(hr_lead)
    # The board takes every risk of severity 9 or more; the executive must then do at least as much.
    rules = form(board_min_severity=9, board_min_likelihood=1, board_min_severity_any_likelihood=None,
                 executive_min_likelihood=1)
    preview = client.post("/risks/escalation/", {**rules, "preview": "1"})
    assert preview.status_code == 200 and "What these rules would move" in preview.content.decode()
    assert f"{risk.title}</a>" in preview.content.decode() and "from Executive to Board" in preview.content.decode()
    risk.refresh_from_db()
    assert risk.owner_level == "executive" and not EscalationRule.objects.exists()  # a preview saves nothing
    response = client.post("/risks/escalation/", rules, follow=True)
    risk.refresh_from_db()
    assert risk.owner_level == "board"
    page = response.content.decode()
    assert "Escalation rules saved. Risks that changed level: 1." in page
    assert "In force now: your organisation's own rules" in page
    assert "<strong>Board:</strong> severity at least 9, whatever the likelihood; or irremediability" in page
    assert "Back to the defaults" in page
    assert EscalationRule.objects.get(level="board").min_severity_any_likelihood is None
    assert risk.changes.first().after == {"owner_level": "board"}
    # Back to the defaults: the rows go, the risk returns to the executive.
    page = client.post("/risks/escalation/defaults/", follow=True).content.decode()
    risk.refresh_from_db()
    assert risk.owner_level == "executive" and not EscalationRule.objects.exists()
    assert "The default escalation rules now apply. Risks that changed level: 1." in page


@pytest.mark.parametrize("values,field", [
    ({"board_min_severity": 16}, "board_min_severity"),
    ({"executive_min_likelihood": 0}, "executive_min_likelihood"),
    ({"board_min_irremediability": None}, "board_min_irremediability"),
    ({"executive_min_severity": 13}, "executive_min_severity"),
    ({"executive_min_severity_any_likelihood": None}, "executive_min_severity_any_likelihood"),
    ({"board_min_likelihood": "often"}, "board_min_likelihood"),
])
def test_invalid_rules_re_render_with_the_field_error(hr_lead, sign_in, values, field):
    response = sign_in(hr_lead).post("/risks/escalation/", form(**values))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'id="id_{field}"' in response.content.decode() and 'class="errorlist' in response.content.decode()
    assert not EscalationRule.objects.exists()


def test_the_notice_lists_the_moves_and_both_answers_work(gravest, hr_lead, board, sign_in):
    board_page = sign_in(board).get("/risks/escalation/").content.decode()
    assert "The default rules changed" in board_page and "Adopt the new defaults" not in board_page
    client = sign_in(hr_lead)
    page = client.get("/risks/escalation/").content.decode()
    assert "The default rules changed" in page and "Adopting the new defaults would move this risk:" in page
    assert f"{gravest.title}</a>" in page and "from Human rights team to Board" in page
    assert "Adopt the new defaults" in page and "Keep our rules" in page
    assert "In force now: your organisation's own rules" in page
    page = client.post("/risks/escalation/keep/", follow=True).content.decode()
    assert "Your escalation rules stay as they are; no risk moved." in page
    assert "The default rules changed" not in page
    gravest.refresh_from_db()
    assert gravest.owner_level == "team"
    # Answering twice does no harm.
    assert "No newer default rules await an answer." in client.post("/risks/escalation/keep/", follow=True
                                                                    ).content.decode()


def test_adopting_from_the_notice(gravest, hr_lead, sign_in):
    page = sign_in(hr_lead).post("/risks/escalation/defaults/", follow=True).content.decode()
    gravest.refresh_from_db()
    assert gravest.owner_level == "board"
    assert "Risks that changed level: 1." in page and "In force now: the default rules" in page
    assert "The default rules changed" not in page


def test_the_dashboard_tells_an_organisation_on_old_rules(gravest, hr_lead, sign_in):
    page = sign_in(hr_lead).get("/").content.decode()
    assert "The default escalation rules changed to put severity first: adopting them would move 1 open risk." in page
    assert 'href="/risks/escalation/#new-defaults"' in page
    actions.keep_own_rules(organisation=hr_lead.organisation, by=hr_lead)
    assert "The default escalation rules changed" not in sign_in(hr_lead).get("/").content.decode()


def test_the_dashboard_stays_quiet_while_the_new_defaults_would_move_nothing(hr_lead, sign_in):
    on_old_defaults(hr_lead.organisation)
    make_risk(hr_lead, scale=1, scope=1, irremediability=1, likelihood=5)
    assert "The default escalation rules changed" not in sign_in(hr_lead).get("/").content.decode()
    # The escalation page still offers them: they would apply to every risk from then on.
    page = sign_in(hr_lead).get("/risks/escalation/").content.decode()
    assert "The default rules changed" in page and "would move none of your open risks today" in page


def test_another_organisation_sees_none_of_it(gravest, outsider, sign_in):
    page = sign_in(outsider).get("/risks/escalation/").content.decode()
    assert "The default rules changed" not in page and gravest.title not in page
    sign_in(outsider).post("/risks/escalation/defaults/")
    gravest.refresh_from_db()
    assert gravest.owner_level == "team" and DefaultRulesOffer.objects.pending().count() == 1


# API -------------------------------------------------------------------------

RULES = [
    {"level": "board", "min_severity": 9, "min_likelihood": 1},
    {"level": "executive", "min_severity": 6, "min_likelihood": 1, "min_irremediability": 3,
     "min_severity_if_irremediable": 5},
]


def test_api_reads_the_rules_and_the_offer(gravest, board, api):
    body = api(board).get("/api/v1/escalation-rules").json()
    assert body["following_defaults"] is False and body["defaults_version"] == escalation.DEFAULTS_VERSION
    assert body["rules"][0] == {"level": "board", "min_severity": 12, "min_likelihood": 3,
                                "min_severity_any_likelihood": None, "min_irremediability": None,
                                "min_severity_if_irremediable": None}
    assert body["defaults"][0]["min_severity_if_irremediable"] == 11
    assert [(m["risk_id"], m["before"], m["after"]) for m in body["offer"]["moves"]] == [(gravest.pk, "team", "board")]


def test_api_previews_sets_and_goes_back_to_the_defaults(hr_lead, decision_maker, api):
    risk = make_risk(hr_lead, scale=3, scope=3, irremediability=3, likelihood=2)
    client = api(hr_lead)
    body = client.get("/api/v1/escalation-rules").json()
    assert body["following_defaults"] is True and body["offer"] is None
    preview = api(decision_maker).post("/api/v1/escalation-rules/preview", {"rules": RULES})
    assert preview.status_code == 200
    assert [(m["risk_id"], m["after"]) for m in preview.json()["moves"]] == [(risk.pk, "board")]
    assert api(decision_maker).put("/api/v1/escalation-rules", {"rules": RULES}).status_code == 403
    assert not EscalationRule.objects.exists()
    applied = client.put("/api/v1/escalation-rules", {"rules": RULES})
    assert applied.status_code == 200
    assert [m["risk_id"] for m in applied.json()["moved"]] == [risk.pk]
    assert applied.json()["escalation"]["following_defaults"] is False
    assert Risk.objects.get(pk=risk.pk).owner_level == "board"
    back = client.post("/api/v1/escalation-rules/adopt-defaults")
    assert back.status_code == 200 and back.json()["escalation"]["following_defaults"] is True
    assert Risk.objects.get(pk=risk.pk).owner_level == "executive"


@pytest.mark.parametrize("rules,field", [
    ([{"level": "team", "min_severity": 9, "min_likelihood": 1}], "level"),
    ([{"level": "board", "min_severity": 2, "min_likelihood": 1}], "board_min_severity"),
    ([{"level": "board", "min_severity": 9, "min_likelihood": 1, "min_irremediability": 5}],
     "board_min_severity_if_irremediable"),
    ([RULES[1] | {"min_severity": 12}, RULES[0]], "executive_min_severity"),
])
def test_api_refuses_invalid_rules_with_400(hr_lead, api, rules, field):
    client = api(hr_lead)
    for send in (client.put, lambda path, body: client.post(path + "/preview", body)):
        response = send("/api/v1/escalation-rules", {"rules": rules})
        assert response.status_code == 400 and field in response.json()["errors"]
    assert client.put("/api/v1/escalation-rules", {"rules": "board"}).status_code == 400
    assert not EscalationRule.objects.exists()


def test_api_answers_the_offer(gravest, hr_lead, api):
    client = api(hr_lead)
    kept = client.post("/api/v1/escalation-rules/keep")
    assert kept.status_code == 200 and kept.json()["offer"] is None
    assert Risk.objects.get(pk=gravest.pk).owner_level == "team"
    assert client.post("/api/v1/escalation-rules/keep").status_code == 400


def test_offers_and_rules_stay_within_their_organisation(gravest, hr_lead, api):
    other = make_organisation("Elsewhere")
    on_old_defaults(other)
    actions.adopt_default_rules(organisation=hr_lead.organisation, by=hr_lead)
    assert DefaultRulesOffer.objects.get(organisation=other).answer == ""
    assert EscalationRule.objects.filter(organisation=other).count() == 2


def test_the_notice_costs_the_same_queries_however_many_risks_would_move(gravest, hr_lead, sign_in,
                                                                          django_assert_max_num_queries):
    client = sign_in(hr_lead)
    client.get("/risks/escalation/")  # warm the session and the caches
    with django_assert_max_num_queries(12) as few:
        client.get("/risks/escalation/")
    for _ in range(15):
        make_risk(hr_lead, scale=5, scope=5, irremediability=5, likelihood=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get("/risks/escalation/").content.decode()
    assert "would move these 16 risks" in page
