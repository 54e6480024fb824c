"""A theme's decision routed to an owning function, as an input's is: its decision makers decide it, the human
rights team still can, everyone else is refused; routing is audited; decision makers have a list of their themes."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from rightsloop.core.models import AuditEntry

from .. import queries
from ..actions import outcomes as actions
from ..models import ThemeDecision, ThemeStatus
from .factories import make_applied_import, make_consultation, make_final_theme
from .test_outcomes import PERSONAL, SOON, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def themes(hr_lead):
    """Two final themes of one consultation and a candidate theme; nothing routed yet."""
    consultation = make_consultation(hr_lead, title="Encryption consultation")
    make_applied_import(consultation, [person(1), person(2), person(3)], by=hr_lead)
    responses = list(consultation.responses.order_by("line"))
    privacy = make_final_theme(consultation, "Privacy matters", responses[:2])
    cost = make_final_theme(consultation, "Cost of the change", responses[2:])
    candidate = make_final_theme(consultation, "Still a candidate", [])
    candidate.status = ThemeStatus.CANDIDATE
    candidate.save(update_fields=["status"])
    return privacy, cost, candidate


# The actions --------------------------------------------------------------------------------------------------

def test_routing_a_theme_is_audited_and_can_be_undone(themes, hr_lead):
    privacy, *_ = themes
    actions.route_theme(theme=privacy, owning_function="product", by=hr_lead)
    privacy.refresh_from_db()
    assert privacy.owning_function == "product" and privacy.routed_at is not None
    entry = AuditEntry.objects.get(action="consultation.theme_routed")
    assert entry.summary == "routed to product (was nobody)" and entry.changed_fields == ["owning_function"]
    actions.route_theme(theme=privacy, owning_function="product", by=hr_lead)  # no change, no entry
    actions.route_theme(theme=privacy, owning_function="", by=hr_lead)
    privacy.refresh_from_db()
    assert privacy.owning_function == "" and privacy.routed_at is None
    assert AuditEntry.objects.filter(action="consultation.theme_routed").count() == 2


def test_only_the_team_routes_themes_and_only_to_a_known_function(themes, hr_lead, decision_maker, auditor, board):
    privacy, *_ = themes
    for viewer in (decision_maker, auditor, board):
        with pytest.raises(PermissionDenied):
            actions.route_theme(theme=privacy, owning_function="product", by=viewer)
    with pytest.raises(ValidationError) as error:
        actions.route_theme(theme=privacy, owning_function="marketing", by=hr_lead)
    assert "owning_function" in error.value.message_dict
    privacy.refresh_from_db()
    assert privacy.owning_function == ""


def test_the_decision_makers_of_the_routed_function_decide_the_theme(themes, hr_lead, decision_maker):
    privacy, *_ = themes
    actions.route_theme(theme=privacy, owning_function="product", by=hr_lead)
    decision = actions.decide_theme(theme=privacy, outcome="adopted", by=decision_maker)
    assert decision.function == "product" and decision.decided_by == decision_maker.user
    assert AuditEntry.objects.filter(action="consultation.theme_decided", actor=decision_maker.user).exists()


def test_decision_makers_of_another_function_or_of_an_unrouted_theme_are_refused(
        themes, hr_lead, decision_maker, legal_decision_maker, board, auditor):
    privacy, cost, _candidate = themes
    actions.route_theme(theme=privacy, owning_function="product", by=hr_lead)
    refused = [(legal_decision_maker, privacy), (decision_maker, cost), (board, privacy), (auditor, privacy)]
    for viewer, theme in refused:
        with pytest.raises(PermissionDenied):
            actions.decide_theme(theme=theme, outcome="adopted", by=viewer)
    assert not ThemeDecision.objects.exists()


def test_the_human_rights_team_still_decides_any_theme(themes, hr_lead, admin):
    privacy, cost, _candidate = themes
    actions.route_theme(theme=privacy, owning_function="legal", by=hr_lead)
    assert actions.decide_theme(theme=privacy, outcome="adopted", by=hr_lead).function == "legal"
    assert actions.decide_theme(theme=cost, outcome="under_consideration", next_step="A review",
                                next_step_due=SOON, by=admin).function == ""


def test_a_theme_routed_elsewhere_is_no_longer_the_decision_makers(themes, hr_lead, decision_maker):
    privacy, *_ = themes
    actions.route_theme(theme=privacy, owning_function="product", by=hr_lead)
    stale = privacy  # the decision maker opened it while it was theirs
    actions.route_theme(theme=privacy, owning_function="legal", by=hr_lead)
    with pytest.raises(PermissionDenied):
        actions.decide_theme(theme=stale, outcome="adopted", by=decision_maker)


def test_the_queue_holds_the_final_themes_routed_to_the_decision_makers_function(
        themes, hr_lead, decision_maker, legal_decision_maker, auditor):
    privacy, cost, candidate = themes
    actions.route_theme(theme=privacy, owning_function="product", by=hr_lead)
    actions.route_theme(theme=cost, owning_function="legal", by=hr_lead)
    actions.route_theme(theme=candidate, owning_function="product", by=hr_lead)
    assert list(queries.themes_to_decide(decision_maker)) == [privacy]
    assert list(queries.themes_to_decide(legal_decision_maker)) == [cost]
    assert list(queries.themes_to_decide(hr_lead)) == [privacy, cost]
    assert list(queries.themes_to_decide(auditor)) == []
    actions.decide_theme(theme=privacy, outcome="adopted", by=decision_maker)
    assert list(queries.themes_to_decide(decision_maker)) == []
    assert list(queries.themes_to_decide(decision_maker, awaiting=False)) == [privacy]


# The pages ----------------------------------------------------------------------------------------------------

def test_the_theme_page_routes_the_decision(themes, hr_lead, sign_in):
    privacy, *_ = themes
    client = sign_in(hr_lead)
    url = f"/consultations/{privacy.consultation_id}/themes/{privacy.pk}/"
    assert 'name="owning_function"' in client.get(url).content.decode()
    response = client.post(url + "route/", {"owning_function": "engineering"})
    assert response.status_code == 302 and response["Location"] == url
    privacy.refresh_from_db()
    assert privacy.owning_function == "engineering"
    bad = client.post(url + "route/", {"owning_function": "marketing"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()
    decisions = client.get(f"/consultations/{privacy.consultation_id}/decisions/?show=all").content.decode()
    assert "Engineering (routed)" in decisions


def test_a_decision_maker_finds_and_decides_the_themes_routed_to_them(themes, hr_lead, decision_maker, sign_in,
                                                                       django_assert_max_num_queries):
    privacy, cost, _candidate = themes
    actions.route_theme(theme=privacy, owning_function="product", by=hr_lead)
    actions.route_theme(theme=cost, owning_function="legal", by=hr_lead)
    client = sign_in(decision_maker)
    listed = client.get("/consultations/themes-to-decide/").content.decode()
    assert "Consultation themes routed to Product" in listed and "Privacy matters" in listed
    assert "Cost of the change" not in listed and PERSONAL not in listed
    decide_url = f"/consultations/{privacy.consultation_id}/decisions/{privacy.pk}/"
    assert decide_url in listed
    page = client.get(decide_url)
    assert page.status_code == 200 and PERSONAL not in page.content.decode()
    assert "/consultations/themes-to-decide/" in page.content.decode()
    refused = client.post(decide_url, {"outcome": "not_adopted", "rationale": ""})
    assert refused.status_code == 400 and not ThemeDecision.objects.exists()
    done = client.post(decide_url, {"outcome": "not_adopted", "rationale": "Out of our hands."})
    assert done.status_code == 302 and done["Location"] == "/consultations/themes-to-decide/"
    privacy.refresh_from_db()
    assert privacy.outcome == "not_adopted"
    # Another function's theme, and the consultation itself, are not found for them.
    assert client.get(f"/consultations/{cost.consultation_id}/decisions/{cost.pk}/").status_code == 404
    assert client.get(f"/consultations/{privacy.consultation_id}/").status_code == 403
    # The list's queries do not grow with its themes.
    for n in range(5):
        extra = make_final_theme(privacy.consultation, f"Extra {n}")
        actions.route_theme(theme=extra, owning_function="product", by=hr_lead)
    with django_assert_max_num_queries(12):
        assert client.get("/consultations/themes-to-decide/").status_code == 200


def test_the_decide_page_refuses_unrouted_themes_and_other_roles(themes, hr_lead, decision_maker, board, auditor,
                                                                   sign_in):
    privacy, *_ = themes
    url = f"/consultations/{privacy.consultation_id}/decisions/{privacy.pk}/"
    assert sign_in(decision_maker).get(url).status_code == 404  # not routed to them
    assert sign_in(board).get(url).status_code == 403
    assert sign_in(auditor).get(url).status_code == 403
    assert sign_in(hr_lead).get(url).status_code == 200


# The API ------------------------------------------------------------------------------------------------------

def test_the_api_routes_lists_and_decides(themes, hr_lead, decision_maker, legal_decision_maker, api):
    privacy, cost, _candidate = themes
    base = f"/api/v1/consultations/{privacy.consultation_id}/themes"
    routed = api(hr_lead).put(f"{base}/{privacy.pk}/routing", {"owning_function": "product"})
    assert routed.status_code == 200 and routed.json()["owning_function"] == "product"
    assert api(hr_lead).put(f"{base}/{privacy.pk}/routing", {"owning_function": "marketing"}).status_code in (400, 422)
    assert api(decision_maker).put(f"{base}/{cost.pk}/routing", {"owning_function": "product"}).status_code == 403
    listed = api(decision_maker).get("/api/v1/consultations/themes-to-decide").json()["items"]
    assert [(item["id"], item["owning_function"], item["consultation_title"]) for item in listed] == [
        (privacy.pk, "product", "Encryption consultation")]
    assert api(legal_decision_maker).get("/api/v1/consultations/themes-to-decide").json()["items"] == []
    assert api(legal_decision_maker).post(f"{base}/{privacy.pk}/decision", {"outcome": "adopted"}).status_code == 404
    decided = api(decision_maker).post(f"{base}/{privacy.pk}/decision", {"outcome": "adopted"})
    assert decided.status_code == 201 and decided.json()["function"] == "product"
    done = api(decision_maker).get("/api/v1/consultations/themes-to-decide?show=decided").json()["items"]
    assert done[0]["current"]["outcome"] == "adopted"
    unrouted = api(hr_lead).put(f"{base}/{privacy.pk}/routing", {"owning_function": None})
    assert unrouted.status_code == 200 and unrouted.json()["owning_function"] == ""
