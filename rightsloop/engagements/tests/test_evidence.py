"""The engagements' evidence for the board (O1): who was heard in a period (question 1), and whether inputs are
decided and reported back (question 2). Flows count what happened in the period; what had become of them, and
which loops were overdue, is read as of its end."""

import datetime
import json

import pytest
from django.utils import formats, timezone, translation

from rightsloop.core.evidence import ATTENTION, MISSING, Question
from rightsloop.core.periods import Period
from rightsloop.core.registry import site
from rightsloop.engagements import actions
from rightsloop.engagements.evidence import HEARD, MECHANISMS, collect_heard, collect_mechanisms, timeline_quarters
from rightsloop.engagements.models import Decision, Engagement, FeedbackReport, Input
from rightsloop.risks.models import Risk
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.groups import GroupPlan, Mandate, Speaks, create_group
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_input, make_participation, make_relayed_input
from .test_promises import decide as promised
from .test_promises import on as promise_clock

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOW_PERIOD = Period.containing(TODAY)
LAST_PERIOD = NOW_PERIOD.previous()
LONG_AGO = Period(LAST_PERIOD.year - 2, 1)
CANARY = "Zebediah Quillfeather"


@pytest.fixture(autouse=True)
def in_english():
    """The board view collects in the viewer's language; these tests read it in English."""
    with translation.override("en"):
        yield


def during(period: Period, days: int = 10) -> datetime.datetime:
    """A moment inside the period, `days` after it starts."""
    return datetime.datetime.combine(period.start + datetime.timedelta(days=days), datetime.time(12),
                                     tzinfo=timezone.get_current_timezone())


def figures(evidence) -> dict:
    return {figure.key: figure.value for figure in evidence.figures}


def table(evidence, key: str) -> dict:
    found = next(t for t in evidence.tables if t.key == key)
    return {row[0]: row[1:] for row in found.rows}


def chart(evidence, key: str):
    return next(c for c in evidence.charts if c.key == key)


def recorded_in(period: Period, *inputs: Input, days: int = 10) -> None:
    Input.objects.filter(pk__in=[i.pk for i in inputs]).update(recorded_at=during(period, days))


def decide(input: Input, by, when: datetime.datetime | None = None, **fields) -> Decision:
    decision = actions.record_decision(input=input, by=by, **{"outcome": "adopted", **fields})
    if when is not None:
        Decision.objects.filter(pk=decision.pk).update(decided_at=when)
        Input.objects.filter(pk=input.pk).update(decided_at=when)
    return decision


def tell(participation, by, *, days: int, when: datetime.datetime | None = None) -> FeedbackReport:
    participation.refresh_from_db()
    report = actions.mark_feedback_delivered(participation=participation, channel="in_person", by=by)
    FeedbackReport.objects.filter(pk=report.pk).update(days_to_feedback=days,
                                                       **({"delivered_at": when} if when else {}))
    return report


def test_both_sources_are_registered():
    sources = {source.key: source for source in site.evidence}
    assert sources[HEARD].question == Question.KNOW_STAKEHOLDERS
    assert sources[HEARD].collect is collect_heard
    assert sources[MECHANISMS].question == Question.MECHANISMS
    assert sources[MECHANISMS].collect is collect_mechanisms


# Who was heard -----------------------------------------------------------------------------------------------------


@pytest.fixture
def markets(hr_lead):
    """Salient risks open since last period: Kenya severe, Myanmar and Thailand not."""
    for risk in (make_risk(hr_lead, markets=["KE"], scale=4, scope=4, irremediability=3),
                 make_risk(hr_lead, markets=["MM", "TH"])):
        Risk.objects.filter(pk=risk.pk).update(created_at=during(LAST_PERIOD))


@pytest.fixture
def heard(hr_lead, markets):
    """This period: an affected rider in Kenya, a French expert, a group in Myanmar through its proxy and an
    unattributed note. Last period: only another expert."""
    engagement = make_engagement(hr_lead, starts_on=NOW_PERIOD.start, feedback_due_on=TODAY + datetime.timedelta(30))
    rider = make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"])
    scholar = make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"])
    children = create_group(plan=GroupPlan(name="Children of the Irrawaddy depots", countries=["MM"],
                                           languages=["my"], at_risk=["child"]), by=hr_lead)
    union = make_stakeholder(hr_lead, kind="proxy", country="TH", languages=["th"], speaks_for=[
        Speaks(group=children, mandate=Mandate(legitimacy_basis="Chosen by the parents"))])
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, rider))
    make_input(hr_lead, engagement, make_participation(hr_lead, engagement, scholar))
    make_relayed_input(hr_lead, engagement, union, children)
    make_input(hr_lead, engagement, None)
    earlier = make_engagement(hr_lead, starts_on=LAST_PERIOD.start, feedback_due_on=TODAY + datetime.timedelta(30))
    other = make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"])
    recorded_in(LAST_PERIOD, make_input(hr_lead, earlier, make_participation(hr_lead, earlier, other)))
    return engagement


def test_who_was_heard_in_the_period_against_the_risk_countries(organisation, heard):
    evidence = collect_heard(organisation, NOW_PERIOD, TODAY)

    assert figures(evidence) == {
        "inputs": 4, "voices": 2, "affected_voices": 1, "affected_share": 50.0, "global_south_share": 50.0,
        "groups_through_proxy": 1, "risk_countries_heard": 2, "risk_countries_unheard": 1,
    }
    assert evidence.status == ATTENTION
    assert evidence.reading == (
        f"2 people heard in their own name in {NOW_PERIOD.label} (50.0 % affected stakeholders or proxies) and 1 "
        "affected group through a proxy; nobody heard from 1 of 3 countries of salient risks.")
    assert [(f.text, f.severity) for f in evidence.findings] == [
        ("Nobody was heard from 1 country of salient risks: Thailand.", ATTENTION)]
    assert table(evidence, "heard_by_kind")["Affected stakeholder"] == [1]
    assert table(evidence, "heard_by_kind")["Credible proxy"] == [0]  # the union carried the group's words
    assert table(evidence, "heard_by_region")["Asia"] == [0, 1]
    assert table(evidence, "heard_by_language")["Burmese"] == [0, 1]
    assert table(evidence, "heard_by_at_risk")["Child"] == [0, 1]
    assert table(evidence, "heard_in_risk_countries")["Kenya (severe)"][:2] == ["fewer than 5", 0]
    assert table(evidence, "heard_in_risk_countries")["Myanmar"][:2] == [0, 1]
    assert table(evidence, "heard_in_risk_countries")["Thailand"][:2] == [0, 0]
    assert "1 input has no speaker recorded." in next(t for t in evidence.tables if t.key == "heard_by_kind").note
    coverage = chart(evidence, "coverage_map")
    assert coverage.kind == "world_map"
    assert coverage.data["values"] == {"FR": None, "KE": None}  # fewer than 5: hidden
    assert coverage.data["highlighted"] == {"KE": "risk", "MM": "market", "TH": "market"}


def test_the_previous_period_has_its_own_voices_and_gaps(organisation, heard):
    evidence = collect_heard(organisation, LAST_PERIOD, TODAY)

    values = figures(evidence)
    assert (values["inputs"], values["voices"], values["affected_voices"], values["risk_countries_heard"]) == (
        1, 1, 0, 0)
    assert evidence.status == MISSING
    severities = {f.text.split(":")[0].split(" (")[0]: f.severity for f in evidence.findings}
    assert severities["No affected voices"] == MISSING
    assert severities["No voices from the markets concerned"] == ATTENTION
    assert "No Global South voices, although the product is used there." in severities


def test_a_period_nobody_was_heard_in_reads_clearly(organisation, heard):
    evidence = collect_heard(organisation, LONG_AGO, TODAY)

    assert evidence.status == MISSING
    assert evidence.reading == f"Nobody was heard in {LONG_AGO.label}: no input was recorded."
    assert figures(evidence)["affected_share"] is None
    assert chart(evidence, "coverage_map").data["values"] == {}
    json.dumps(evidence.to_json())


def test_another_organisation_is_never_counted(organisation, heard, outsider):
    theirs = make_engagement(outsider, starts_on=NOW_PERIOD.start, feedback_due_on=TODAY + datetime.timedelta(30))
    make_input(outsider, theirs, make_participation(outsider, theirs, make_stakeholder(
        outsider, kind="affected", country="TH", languages=["th"])))
    make_risk(outsider, markets=["US"])

    evidence = collect_heard(organisation, NOW_PERIOD, TODAY)

    assert (figures(evidence)["inputs"], figures(evidence)["risk_countries_unheard"]) == (4, 1)
    assert "TH" not in chart(evidence, "coverage_map").data["values"]
    assert "US" not in chart(evidence, "coverage_map").data["highlighted"]


def test_small_counts_of_people_heard_are_hidden_and_larger_ones_shown(organisation, hr_lead, heard):
    for _number in range(4):
        person = make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"], at_risk=["journalist"])
        make_input(hr_lead, heard, make_participation(hr_lead, heard, person))

    evidence = collect_heard(organisation, NOW_PERIOD, TODAY)

    assert figures(evidence)["voices"] == 6
    assert chart(evidence, "coverage_map").data["values"] == {"FR": None, "KE": 5}
    assert table(evidence, "heard_in_risk_countries")["Kenya (severe)"][0] == 5
    assert table(evidence, "heard_by_language")["Swahili"][0] == 5
    assert table(evidence, "heard_by_language")["French"][0] == "fewer than 5"
    assert table(evidence, "heard_by_at_risk")["Journalist"][0] == "fewer than 5"
    assert table(evidence, "heard_by_kind")["Affected stakeholder"] == [5]  # broad kinds are not hidden


def test_a_person_at_high_safety_level_is_heard_as_an_input_with_no_speaker(organisation, hr_lead, heard):
    """Their input counts as unattributed, as for any viewer without a grant: no voice, kind, country, language or
    at-risk group of theirs reaches a figure, a table or the map."""
    before = collect_heard(organisation, NOW_PERIOD, TODAY).to_json()
    # An affected defender in Thailand, the one country of salient risks nobody was heard from.
    defender = make_stakeholder(hr_lead, name=CANARY, kind="affected", country="TH", languages=["th"],
                                at_risk=["human_rights_defender"], safety_level="high", safe_channels=["in_person"])
    assert collect_heard(organisation, NOW_PERIOD, TODAY).to_json() == before  # registered, not heard: no change

    words = make_input(hr_lead, heard, make_participation(hr_lead, heard, defender, override_reason="In person"))
    evidence = collect_heard(organisation, NOW_PERIOD, TODAY)

    values = figures(evidence)
    assert (values["inputs"], values["voices"], values["affected_voices"]) == (5, 2, 1)  # one more input, no voice
    assert (values["risk_countries_heard"], values["risk_countries_unheard"]) == (2, 1)  # Thailand still unheard
    assert table(evidence, "heard_in_risk_countries")["Thailand"][:2] == [0, 0]
    assert table(evidence, "heard_by_at_risk")["Human rights defender"][0] == 0
    assert "2 inputs have no speaker recorded." in next(t for t in evidence.tables if t.key == "heard_by_kind").note
    # Exactly what the same input with no speaker recorded reads as.
    Input.objects.filter(pk=words.pk).update(speaker=None)
    assert collect_heard(organisation, NOW_PERIOD, TODAY).to_json() == evidence.to_json()
    dumped = json.dumps(evidence.to_json(), ensure_ascii=False)
    for secret in ("Quillfeather", "Zebediah", pseudonym(defender.pk)):
        assert secret not in dumped
    # At normal safety level the same input would be their voice: the comparison above is not empty.
    Input.objects.filter(pk=words.pk).update(speaker=words.speaker_id)
    Stakeholder.objects.filter(pk=defender.pk).update(safety_level="normal")
    values = figures(collect_heard(organisation, NOW_PERIOD, TODAY))
    assert (values["voices"], values["affected_voices"], values["risk_countries_unheard"]) == (3, 2, 0)


def test_who_was_heard_takes_a_fixed_number_of_queries(organisation, hr_lead, heard, django_assert_max_num_queries):
    with django_assert_max_num_queries(9):
        collect_heard(organisation, NOW_PERIOD, TODAY)
    for number in range(10):
        person = make_stakeholder(hr_lead, kind="affected", country=["KE", "TH"][number % 2], at_risk=["journalist"])
        make_input(hr_lead, heard, make_participation(hr_lead, heard, person))
    with django_assert_max_num_queries(9):
        evidence = collect_heard(organisation, NOW_PERIOD, TODAY)
    assert figures(evidence)["voices"] == 12


# Mechanisms --------------------------------------------------------------------------------------------------------


@pytest.fixture
def loops(hr_lead):
    """Last period: a survey whose loop closed then, and a workshop left overdue. This period: an interview told
    of a decision since revised, and an advisory council session whose loop closed."""
    closed_then = make_engagement(hr_lead, type="survey", phases=["identify"],
                                  starts_on=LAST_PERIOD.start + datetime.timedelta(days=5),
                                  feedback_due_on=LAST_PERIOD.start + datetime.timedelta(days=40))
    person = make_participation(hr_lead, closed_then, make_stakeholder(hr_lead))
    said = make_input(hr_lead, closed_then, person)
    recorded_in(LAST_PERIOD, said, days=6)
    decide(said, hr_lead, when=during(LAST_PERIOD, 7))
    tell(person, hr_lead, days=9, when=during(LAST_PERIOD, 8))
    Engagement.objects.filter(pk=closed_then.pk).update(loop_closed_at=during(LAST_PERIOD, 8))

    overdue = make_engagement(hr_lead, type="workshop", phases=["identify", "act"],
                              starts_on=LAST_PERIOD.start + datetime.timedelta(days=10),
                              feedback_due_on=LAST_PERIOD.start + datetime.timedelta(days=40))
    rider = make_participation(hr_lead, overdue, make_stakeholder(hr_lead))
    scholar = make_participation(hr_lead, overdue, make_stakeholder(hr_lead, kind="expert"))
    first, second, third = (make_input(hr_lead, overdue, rider), make_input(hr_lead, overdue, scholar),
                            make_input(hr_lead, overdue, rider))
    recorded_in(LAST_PERIOD, first, second, third, days=11)
    decide(first, hr_lead, when=during(LAST_PERIOD, 12))
    tell(rider, hr_lead, days=5, when=during(LAST_PERIOD, 13))
    decide(second, hr_lead)  # this period: not decided at the end of the last one
    # Revised this period: the last one still counts the rider told of the decision standing then.
    decide(first, hr_lead, outcome="not_adopted", rationale="Too costly after all.")
    Engagement.objects.filter(pk__in=[closed_then.pk, overdue.pk]).update(created_at=during(LAST_PERIOD, 1))

    interview = make_engagement(hr_lead, type="interview", phases=["track"], starts_on=NOW_PERIOD.start,
                                feedback_due_on=TODAY + datetime.timedelta(days=30))
    told = make_participation(hr_lead, interview, make_stakeholder(hr_lead))
    revised = make_input(hr_lead, interview, told)
    make_input(hr_lead, interview, told)  # never decided
    decide(revised, hr_lead)
    tell(told, hr_lead, days=10)
    decide(revised, hr_lead, outcome="not_adopted", rationale="The law requires the records.")

    council = make_engagement(hr_lead, type="advisory_council", phases=["communicate"], starts_on=NOW_PERIOD.start,
                              feedback_due_on=TODAY + datetime.timedelta(days=30))
    member = make_participation(hr_lead, council, make_stakeholder(hr_lead))
    decide(make_input(hr_lead, council, member), hr_lead)
    tell(member, hr_lead, days=20)
    return {"overdue": overdue}


def test_the_mechanisms_in_the_running_period(organisation, loops):
    evidence = collect_mechanisms(organisation, NOW_PERIOD, TODAY)

    assert figures(evidence) == {
        "engagements_held": 2, "inputs_recorded": 3, "share_decided": 66.7, "share_closed": 33.3,
        "median_days_to_feedback": 15, "loops_closed": 1, "loops_overdue": 1, "promises_broken": 0,
    }
    assert evidence.status == ATTENTION
    assert chart(evidence, "loop_funnel").data["steps"][0]["label"] == "Inputs recorded"
    assert [step["value"] for step in chart(evidence, "loop_funnel").data["steps"]] == [3, 2, 2, 1]
    assert table(evidence, "engagements_by_type")["Interview"][0] == 1
    assert table(evidence, "engagements_by_type")["Workshop"][0] == 0
    assert table(evidence, "engagements_by_phase")["Track"] == [1]
    on = formats.date_format(TODAY)
    assert evidence.reading == (f"2 engagements held and 3 inputs recorded in {NOW_PERIOD.label}; 66.7 % decided "
                                f"by {on}; first feedback a median 15 days after an engagement ended; 1 loop overdue.")
    [overdue] = evidence.findings
    assert overdue.text.startswith(f"1 engagement was past its feedback date on {on}")
    assert (overdue.url, overdue.capability) == ("/engagements/?overdue=on", "engagements.view")


def test_the_previous_period_is_read_as_of_its_end(organisation, loops):
    evidence = collect_mechanisms(organisation, LAST_PERIOD, TODAY)

    assert figures(evidence) == {
        # Four inputs; the scholar's was decided only this period, the rider's second one never.
        "engagements_held": 2, "inputs_recorded": 4, "share_decided": 50.0, "share_closed": 50.0,
        "median_days_to_feedback": 7, "loops_closed": 1, "loops_overdue": 1, "promises_broken": 0,
    }
    assert [step["value"] for step in chart(evidence, "loop_funnel").data["steps"]] == [4, 2, 2, 2]
    assert table(evidence, "engagements_by_phase")["Identify and assess"] == [2]
    assert table(evidence, "engagements_by_phase")["Act (mitigate)"] == [1]
    end = formats.date_format(LAST_PERIOD.end)
    assert [f.text.split(" without")[0] for f in evidence.findings] == [
        f"1 engagement was past its feedback date on {end}"]


def test_a_loop_overdue_only_after_the_period_ended_is_not_counted_for_it(organisation, hr_lead, loops):
    Engagement.objects.filter(pk=loops["overdue"].pk).update(feedback_due_on=NOW_PERIOD.start)

    assert figures(collect_mechanisms(organisation, LAST_PERIOD, TODAY))["loops_overdue"] == 0
    assert figures(collect_mechanisms(organisation, NOW_PERIOD, TODAY))["loops_overdue"] == (
        1 if NOW_PERIOD.start < TODAY else 0)


def test_engagement_load_over_the_last_eight_quarters(organisation, loops):
    load = chart(collect_mechanisms(organisation, NOW_PERIOD, TODAY), "engagement_load")

    assert load.kind == "timeline"
    assert load.data["periods"] == [q.label for q in timeline_quarters(NOW_PERIOD)]
    assert len(load.data["periods"]) == 8 and load.data["periods"][-1] == NOW_PERIOD.label
    series = {s["label"]: s["values"] for s in load.data["series"]}
    assert series["Identify and assess"][-2:] == [2, 0]
    assert series["Act (mitigate)"][-2:] == [1, 0]
    assert series["Track"][-2:] == [0, 1]
    assert series["Communicate"][-2:] == [0, 1]
    assert sum(series["Remedy"]) == 0


def test_a_year_is_its_four_quarters(organisation, loops):
    year = Period(NOW_PERIOD.year)
    evidence = collect_mechanisms(organisation, year, TODAY)
    expected = 4 if LAST_PERIOD.year == NOW_PERIOD.year else 2
    assert figures(evidence)["engagements_held"] == expected
    assert chart(evidence, "engagement_load").data["periods"][-1] == Period(NOW_PERIOD.year, 4).label


def test_an_empty_period_reads_clearly(organisation, loops):
    evidence = collect_mechanisms(organisation, LONG_AGO, TODAY)

    assert evidence.status == MISSING
    assert evidence.reading == f"Nothing to show for {LONG_AGO.label}: no engagement was held and no input recorded."
    assert figures(evidence)["share_decided"] is None
    assert figures(evidence)["median_days_to_feedback"] is None
    json.dumps(evidence.to_json())


def test_mechanisms_count_only_the_organisation(organisation, loops, outsider):
    theirs = make_engagement(outsider, starts_on=NOW_PERIOD.start,
                             feedback_due_on=NOW_PERIOD.start + datetime.timedelta(days=1))
    person = make_participation(outsider, theirs, make_stakeholder(outsider))
    decide(make_input(outsider, theirs, person), outsider)
    tell(person, outsider, days=1)
    Engagement.objects.filter(pk=theirs.pk).update(feedback_due_on=LAST_PERIOD.start)

    values = figures(collect_mechanisms(organisation, NOW_PERIOD, TODAY))
    assert (values["engagements_held"], values["inputs_recorded"], values["median_days_to_feedback"]) == (2, 3, 15)
    assert (values["loops_closed"], values["loops_overdue"]) == (1, 1)


def test_broken_promises_count_in_the_period_their_date_fell_in(organisation, hr_lead):
    """Kept late or not yet, a promise not done by its date is broken in its date's period; kept on time, or
    withdrawn, it is not; one due today is not broken yet."""
    engagement = make_engagement(hr_lead, starts_on=LAST_PERIOD.start, ends_on=LAST_PERIOD.start,
                                 feedback_due_on=TODAY + datetime.timedelta(days=30))
    items = [make_input(hr_lead, engagement, make_participation(hr_lead, engagement, make_stakeholder(hr_lead)))
             for _n in range(5)]
    late_then, never_then, on_time_then, withdrawn_then, due_today = items
    start = LAST_PERIOD.start
    with promise_clock(start + datetime.timedelta(days=1)):
        for item in (late_then, never_then, on_time_then, withdrawn_then):
            promised(item, "under_consideration", hr_lead, start + datetime.timedelta(days=20))
    with promise_clock(start + datetime.timedelta(days=10)):
        promised(on_time_then, "adopted", hr_lead)
    with promise_clock(start + datetime.timedelta(days=30)):
        promised(late_then, "adopted", hr_lead)
    actions.withdraw_input(input=withdrawn_then, reason="Recorded twice", by=hr_lead)
    promised(due_today, "under_consideration", hr_lead, TODAY)

    last, now = collect_mechanisms(organisation, LAST_PERIOD, TODAY), collect_mechanisms(organisation, NOW_PERIOD,
                                                                                         TODAY)
    assert figures(last)["promises_broken"] == 2 and figures(now)["promises_broken"] == 0
    [finding] = [f for f in last.findings if "under consideration" in f.text]
    assert finding.text.startswith("2 inputs were kept under consideration") and finding.url == "/"


def test_mechanisms_take_a_fixed_number_of_queries(organisation, hr_lead, loops, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        collect_mechanisms(organisation, NOW_PERIOD, TODAY)
    for _number in range(5):
        engagement = make_engagement(hr_lead, starts_on=NOW_PERIOD.start, phases=["act", "remedy"])
        person = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
        decide(make_input(hr_lead, engagement, person), hr_lead)
        tell(person, hr_lead, days=3)
    with django_assert_max_num_queries(5):
        evidence = collect_mechanisms(organisation, NOW_PERIOD, TODAY)
    assert figures(evidence)["engagements_held"] == 7


def test_collected_in_the_viewers_language(organisation, loops):
    with translation.override("fr"):
        evidence = collect_mechanisms(organisation, NOW_PERIOD, TODAY)

    assert "Entretien" in table(evidence, "engagements_by_type")
    assert "Identifier et évaluer" in table(evidence, "engagements_by_phase")
    json.dumps(evidence.to_json())  # plain strings, no lazy translations left


# Nobody named ------------------------------------------------------------------------------------------------------


def test_no_name_words_or_titles_reach_the_board(organisation, hr_lead, markets):
    engagement = make_engagement(hr_lead, title=f"Round table with {CANARY}", starts_on=NOW_PERIOD.start,
                                 purpose=f"Hear {CANARY}", location="Quillfeather hall",
                                 feedback_due_on=TODAY + datetime.timedelta(30))
    defender = make_stakeholder(hr_lead, name=CANARY, kind="affected", country="KE", languages=["sw"],
                                at_risk=["human_rights_defender"], safety_level="high", safe_channels=["in_person"])
    direct = make_participation(hr_lead, engagement, defender,
                                override_reason=f"{CANARY} asked to speak in person")
    words = make_input(hr_lead, engagement, direct, text=f"{CANARY} was followed home after the depot strike",
                       tags=["Quillfeather strike"])
    decide(words, hr_lead, outcome="not_adopted", rationale=f"{CANARY} would be exposed")
    group = create_group(plan=GroupPlan(name=f"Neighbours of {CANARY}", description="Quillfeather street",
                                        countries=["MM"]), by=hr_lead)
    union = make_stakeholder(hr_lead, kind="proxy", country="MM", speaks_for=[
        Speaks(group=group, mandate=Mandate(legitimacy_basis=f"{CANARY}'s family chose it"))])
    make_relayed_input(hr_lead, engagement, union, group, text="Quillfeather street is watched")

    for collect in (collect_heard, collect_mechanisms):
        dumped = json.dumps(collect(organisation, NOW_PERIOD, TODAY).to_json(), ensure_ascii=False)
        for secret in ("Quillfeather", "Zebediah", pseudonym(defender.pk), "depot", f"/stakeholders/{defender.pk}/",
                       f"/engagements/{engagement.pk}/"):
            assert secret not in dumped, (collect.__name__, secret)
