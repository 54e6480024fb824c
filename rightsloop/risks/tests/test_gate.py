"""The local-voices gate (G2): a market entry waits until local experts and affected people were heard."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.models import Input
from rightsloop.engagements.tests.factories import make_engagement, make_group, make_input, make_participation
from rightsloop.risks import actions, gate
from rightsloop.risks.models import StrategicDecision
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

STEPS = {
    "risk_picture": "Regulators may demand user data.", "mitigation_plan": "Encryption by default.",
    "remedy_plan": "Legal aid fund.", "communication": "formal_report", "communication_plan": "Annual report.",
    "communication_is_safe": True, "no_engagement_reason": "Heard through the linked inputs.", "outcome": "go",
}


def voice(key, kind, country, *languages):
    return gate.Voice(key=key, kind=kind, countries=frozenset({country}), languages=frozenset(languages))


# Rules -------------------------------------------------------------------------

def test_each_market_needs_an_expert_and_an_affected_voice_in_one_of_its_main_languages():
    voices = [voice("s1", gate.EXPERT, "KE", "sw"), voice("s2", gate.AFFECTED, "KE", "fr"),
              voice("s3", gate.AFFECTED, "UG", "en"), voice("s4", gate.EXPERT, "DE", "sw")]
    kenya, uganda = gate.check(["KE", "ug"], voices)
    assert (kenya.experts, kenya.affected) == (1, 0)  # French is no main language of Kenya
    assert (uganda.experts, uganda.affected) == (0, 1)  # a Swahili-speaking expert in Germany is not local
    assert kenya.missing == [
        "Kenya: 0 of 1 affected stakeholder or credible proxy heard in one of its main languages "
        "(Swahili, English, Kikuyu)."]
    assert len(uganda.missing) == 1 and "local expert" in uganda.missing[0]


def test_thresholds_count_distinct_voices_not_inputs():
    voices = [voice("s1", gate.EXPERT, "IN", "hi")] * 3 + [voice("g7", gate.AFFECTED, "IN", "en")]
    (india,) = gate.check(["IN"], voices, experts_needed=2, affected_needed=1)
    assert (india.experts, india.affected, india.heard) == (1, 1, False)
    assert "1 of 2 local experts" in india.missing[0]


@given(st.lists(st.tuples(st.sampled_from(["s1", "s2", "s3", "g1"]), st.sampled_from([gate.EXPERT, gate.AFFECTED]),
                          st.sampled_from(["KE", "IN", "BR"]), st.sampled_from(["sw", "en", "hi", "pt", "de"])),
                max_size=12),
       st.integers(1, 3), st.integers(1, 3))
def test_more_voices_never_close_the_gate_again(found, experts_needed, affected_needed):
    voices = [voice(*item) for item in found]
    before = gate.check(["KE", "IN", "BR"], voices[:-1] if voices else [], experts_needed=experts_needed,
                        affected_needed=affected_needed)
    after = gate.check(["KE", "IN", "BR"], voices, experts_needed=experts_needed, affected_needed=affected_needed)
    for earlier, later in zip(before, after, strict=True):
        assert later.experts >= earlier.experts and later.affected >= earlier.affected
        assert later.heard or not earlier.heard
        assert later.heard == (later.experts >= experts_needed and later.affected >= affected_needed)


# Actions -----------------------------------------------------------------------

pytestmark = pytest.mark.django_db


def entry(by, **fields):
    risk = make_risk(by, markets=["KE"])
    values = {"title": "Enter the Kenyan market", "category": "market_entry", "risks": [risk], "markets": ["KE"],
              **STEPS}
    values.update(fields)
    decision = actions.create_strategic_decision(plan=actions.DecisionPlan(**values), by=by)
    return decision


def heard(by, decision, *, kind, country="KE", languages=("sw",), language=""):
    engagement = make_engagement(by)
    person = make_stakeholder(by, kind=kind, country=country, languages=list(languages))
    said = make_input(by, engagement, make_participation(by, engagement, person), language=language)
    actions.link_inputs(target=decision, inputs=[said], by=by)
    return said


def test_a_market_entry_is_blocked_until_kenya_was_heard(hr_lead):
    decision = entry(hr_lead)
    missing = actions.blockers(decision)
    assert set(missing) == {"local_voices"}
    assert "Kenya: 0 of 1 local expert" in missing["local_voices"]
    with pytest.raises(ValidationError):
        actions.take_strategic_decision(decision=decision, by=hr_lead)
    heard(hr_lead, decision, kind="expert", language="en")
    heard(hr_lead, decision, kind="affected", languages=("de",), language="de")  # no main language of Kenya
    assert "affected stakeholder" in actions.blockers(decision)["local_voices"]
    said = heard(hr_lead, decision, kind="affected", languages=("ki", "sw"))
    Input.objects.filter(pk=said.pk).update(language="")  # its language unknown: the speaker's stand in
    assert actions.blockers(decision) == {}
    assert actions.take_strategic_decision(decision=decision, by=hr_lead).status == "decided"


def test_a_proxy_speaking_for_a_kenyan_group_is_an_affected_voice(hr_lead):
    decision = entry(hr_lead)
    heard(hr_lead, decision, kind="expert", language="sw")
    engagement = make_engagement(hr_lead)
    proxy = make_stakeholder(hr_lead, kind="proxy", country="GB", languages=["en"])
    group = make_group(hr_lead, proxy=proxy, countries=["KE"], languages=["sw"])
    channel = make_participation(hr_lead, engagement, proxy)
    channel.speaks_for.add(group)
    relayed = make_input(hr_lead, engagement, channel, group=group)
    actions.link_inputs(target=decision, inputs=[relayed], by=hr_lead)
    (kenya,) = gate.local_voices(decision).markets
    assert (kenya.experts, kenya.affected) == (1, 1)


def test_withdrawn_inputs_and_other_kinds_do_not_count(hr_lead):
    from rightsloop.engagements.actions.inputs import withdraw_input

    decision = entry(hr_lead)
    said = heard(hr_lead, decision, kind="expert", language="sw")
    heard(hr_lead, decision, kind="other", language="sw")
    assert gate.local_voices(decision).markets[0].experts == 1
    withdraw_input(input=said, reason="Recorded against the wrong person.", by=hr_lead)
    assert gate.local_voices(decision).markets[0].experts == 0


def test_a_gated_decision_must_name_its_markets(hr_lead):
    decision = entry(hr_lead, markets=[])
    assert set(actions.blockers(decision)) == {"markets"}
    with pytest.raises(ValidationError) as caught:
        entry(hr_lead, markets=["KE", "XX"])
    assert "XX" in caught.value.message_dict["markets"][0]
    other = entry(hr_lead, category="product_design", markets=[])
    assert actions.blockers(other) == {} and not gate.local_voices(other).applies


def test_only_the_board_or_administrator_overrides_and_only_with_a_reason(hr_lead, board, admin):
    decision = entry(hr_lead)
    with pytest.raises(PermissionDenied):
        actions.override_local_voices(decision=decision, reason="We are in a hurry to launch.", by=hr_lead)
    with pytest.raises(ValidationError) as caught:
        actions.override_local_voices(decision=decision, reason="  ", by=board)
    assert "reason" in caught.value.message_dict
    assert StrategicDecision.objects.get(pk=decision.pk).local_voices_overridden_at is None
    actions.override_local_voices(decision=decision, reason="Partners in Nairobi could not meet safely before "
                                                             "the election.", by=board)
    decision.refresh_from_db()
    assert actions.blockers(decision) == {}
    entry_row = AuditEntry.objects.get(action="strategic_decision.local_voices_overridden")
    assert entry_row.actor_id == board.user.pk
    # Naming another market voids the override: Uganda waits for its own voices.
    plan = actions.DecisionPlan(**{name: getattr(decision, name) for name in actions.PLAN_TEXT},
                                risks=list(decision.risks.all()), markets=["KE", "UG"])
    decision = actions.update_strategic_decision(decision=decision, plan=plan, by=hr_lead)
    assert set(actions.blockers(decision)) == {"local_voices"}
    actions.override_local_voices(decision=decision, reason="The administrator records the board's minute 14.",
                                  by=admin)
    decision = actions.withdraw_local_voices_override(decision=decision, by=admin)
    assert set(actions.blockers(decision)) == {"local_voices"}


def test_thresholds_per_organisation(hr_lead, outsider):
    decision = entry(hr_lead)
    heard(hr_lead, decision, kind="expert", language="sw")
    heard(hr_lead, decision, kind="affected", language="sw")
    assert actions.blockers(decision) == {}
    actions.set_local_voice_thresholds(organisation=hr_lead.organisation, experts=2, affected=1, by=hr_lead)
    assert "1 of 2 local experts" in actions.blockers(decision)["local_voices"]
    assert gate.thresholds(outsider.organisation) == (1, 1)
    with pytest.raises(ValidationError):
        actions.set_local_voice_thresholds(organisation=hr_lead.organisation, experts=0, affected=1, by=hr_lead)


def test_the_gate_reads_a_fixed_number_of_queries(hr_lead, django_assert_max_num_queries):
    decision = entry(hr_lead)
    for kind in ("expert", "affected", "proxy", "affected"):
        heard(hr_lead, decision, kind=kind)
    decision = StrategicDecision.objects.get(pk=decision.pk)
    with django_assert_max_num_queries(5):
        gate.local_voices(decision)


# Pages and API -------------------------------------------------------------------

def test_the_decision_page_says_what_is_missing_and_the_board_overrides_there(hr_lead, board, sign_in):
    decision = entry(hr_lead)
    page = sign_in(hr_lead).get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Local voices from the markets" in page and "Kenya: 0 of 1 local expert heard" in page
    assert "Override the gate" not in page  # the team preparing it cannot
    client = sign_in(board)
    refused = client.post(f"/risks/decisions/{decision.pk}/local-voices/override/", {"reason": ""})
    assert refused.status_code == 400 and "reason" in refused.context["override_form"].errors
    done = client.post(f"/risks/decisions/{decision.pk}/local-voices/override/",
                       {"reason": "Minute 14: partners could not meet safely before the election."})
    assert done.status_code == 302
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Minute 14" in page and "Withdraw the override" in page
    assert sign_in(hr_lead).post(f"/risks/decisions/{decision.pk}/local-voices/withdraw/").status_code == 403


def test_the_thresholds_page(hr_lead, sign_in):
    client = sign_in(hr_lead)
    assert client.post("/risks/decisions/local-voices/", {"experts": "0", "affected": "1"}).status_code == 400
    assert client.post("/risks/decisions/local-voices/", {"experts": "2", "affected": "3"}).status_code == 302
    assert gate.thresholds(hr_lead.organisation) == (2, 3)


def test_the_api_names_markets_reports_the_gate_and_takes_an_override(hr_lead, board, api):
    team = api(hr_lead)
    risk = make_risk(hr_lead)
    refused = team.post("/api/v1/strategic-decisions", {"title": "Sell to a ministry", "category": "high_risk_sale",
                                                        "risk_ids": [risk.pk], "markets": ["KE", "ZZ"], **STEPS})
    assert refused.status_code == 400 and "ZZ" in str(refused.json())
    created = team.post("/api/v1/strategic-decisions", {"title": "Sell to a ministry", "category": "high_risk_sale",
                                                        "risk_ids": [risk.pk], "markets": ["ke"], **STEPS})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["markets"] == ["KE"] and set(body["blockers"]) == {"local_voices"}
    (kenya,) = body["local_voices"]["markets"]
    assert kenya["main_languages"] == ["sw", "en", "ki"] and (kenya["experts"], kenya["affected"]) == (0, 0)
    did = body["id"]
    assert team.post(f"/api/v1/strategic-decisions/{did}/decide").status_code == 400
    assert team.post(f"/api/v1/strategic-decisions/{did}/local-voices/override",
                     {"reason": "In a hurry."}).status_code == 403
    board_client = api(board)
    assert board_client.post(f"/api/v1/strategic-decisions/{did}/local-voices/override",
                             {"reason": ""}).status_code == 400
    overridden = board_client.post(f"/api/v1/strategic-decisions/{did}/local-voices/override",
                                   {"reason": "Minute 14 of the board: the ministry's tender closes first."})
    assert overridden.status_code == 200 and overridden.json()["local_voices"]["overridden"] is True
    assert overridden.json()["blockers"] == {}
    assert team.put("/api/v1/local-voice-thresholds", {"experts": 2, "affected": 1}).status_code == 200
    assert team.get("/api/v1/local-voice-thresholds").json() == {"experts": 2, "affected": 1}
    assert team.put("/api/v1/local-voice-thresholds", {"experts": 0, "affected": 1}).status_code == 400


def test_the_coverage_map_counts_the_markets_of_market_entries(hr_lead):
    from django.utils import timezone

    from rightsloop.risks.queries import market_countries

    entry(hr_lead, markets=["KE", "TZ"])  # the risk it links is in Kenya only
    refused = entry(hr_lead, markets=["MM"], outcome="no_go")
    assert refused.outcome == "no_go"
    found = market_countries(hr_lead.organisation, timezone.localdate())
    assert set(found) == {"KE", "TZ"} and found["TZ"] is False


def test_the_decision_page_shows_linked_inputs_a_page_at_a_time(hr_lead, sign_in, django_assert_max_num_queries):
    decision = entry(hr_lead)
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"])
    participation = make_participation(hr_lead, engagement, person)
    said = [make_input(hr_lead, engagement, participation, language="sw") for _ in range(25)]
    actions.link_inputs(target=decision, inputs=said, by=hr_lead)
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(40):
        page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert page.count('class="input-row"') == 20 and "Page 1 of 2" in page
    assert client.get(f"/risks/decisions/{decision.pk}/?page=2").content.decode().count('class="input-row"') == 5
