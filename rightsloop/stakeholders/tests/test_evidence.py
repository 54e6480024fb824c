"""The register's evidence for the board's first question (O1): stocks as of the period's end, compared with the
countries of the salient risks, naming no one and leaving people at high safety level out of every figure."""

import datetime
import json

import pytest
from django.utils import formats, timezone, translation

from rightsloop.core.evidence import ATTENTION, MISSING, Question
from rightsloop.core.periods import Period
from rightsloop.core.registry import site
from rightsloop.risks.models import Risk
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders import actions, groups
from rightsloop.stakeholders.evidence import SOURCE, collect_register
from rightsloop.stakeholders.groups import GroupPlan
from rightsloop.stakeholders.models import AffectedGroup, Stakeholder
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
NOW_PERIOD = Period.containing(TODAY)
LAST_PERIOD = NOW_PERIOD.previous()
CANARY = "Zebediah Quillfeather"


@pytest.fixture(autouse=True)
def in_english():
    """The board view collects in the viewer's language; these tests read it in English."""
    with translation.override("en"):
        yield


def during(period: Period) -> datetime.datetime:
    """A moment well inside the period."""
    return datetime.datetime.combine(period.start + datetime.timedelta(days=10), datetime.time(12),
                                     tzinfo=timezone.get_current_timezone())


def backdate(model, obj, period: Period) -> None:
    model.objects.filter(pk=obj.pk).update(created_at=during(period))


def figures(evidence) -> dict:
    return {figure.key: figure.value for figure in evidence.figures}


def table(evidence, key: str) -> dict:
    found = next(t for t in evidence.tables if t.key == key)
    return {row[0]: row[1:] for row in found.rows}


@pytest.fixture
def register(hr_lead):
    """A register built last period and this one, and the salient risks it is compared with (Kenya severe)."""
    people = {
        # A journalist at high risk: left out of every figure, named nowhere.
        "defender": make_stakeholder(hr_lead, name=CANARY, kind="affected", country="KE", languages=["sw", "en"],
                                     at_risk=["journalist"], safety_level="high", email="zq@example.net",
                                     notes=f"{CANARY} lives near the depot", safe_channels=["in_person"]),
        "scholar": make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"]),
        "investor": make_stakeholder(hr_lead, kind="other", country="DE", languages=["de"]),
        "rider": make_stakeholder(hr_lead, kind="affected", country="BR", languages=["pt"]),
    }
    for person in people.values():
        backdate(Stakeholder, person, LAST_PERIOD)
    people["union"] = make_stakeholder(hr_lead, kind="proxy", country="KE", languages=["sw"])  # this period
    actions.erase_stakeholder(stakeholder=people["rider"], reason="asked to be forgotten", by=hr_lead)  # now
    children = groups.create_group(plan=GroupPlan(name="Children of Quillfeather street", countries=["TH"],
                                                  languages=["th"], at_risk=["child"]), by=hr_lead)
    backdate(AffectedGroup, children, LAST_PERIOD)
    for risk in (make_risk(hr_lead, markets=["KE"], scale=4, scope=4, irremediability=3),
                 make_risk(hr_lead, markets=["MM"])):
        backdate(Risk, risk, LAST_PERIOD)
    return people


def test_the_source_is_registered_for_the_first_question():
    source = next(s for s in site.evidence if s.key == SOURCE)
    assert source.question == Question.KNOW_STAKEHOLDERS
    assert source.collect is collect_register


def test_coverage_is_read_as_of_the_end_of_the_period(organisation, register):
    evidence = collect_register(organisation, NOW_PERIOD, TODAY)

    assert figures(evidence) == {
        # The scholar, the investor and the union registered this period; the erased rider is gone and the
        # defender, at high safety level, is left out.
        "stakeholders": 3,
        "rights_holders": 1,  # the union
        "regions": 2,  # Europe and Africa
        "global_south_share": 33.3,  # the union, in Kenya
        "languages": 3,  # French, German, Swahili: the defender's English is not counted
        "affected_groups": 2,  # the union's own group and the children
        "groups_without_proxy": 1,
        "proxies_with_mandate": 1,
        "mandates_due_review": 1,  # never reviewed
        "risk_countries": 2,
        "risk_countries_without_affected": 1,  # Myanmar; the union is in Kenya
        "market_languages_missing": 2,  # Burmese, and English (Kenya's) now that only the defender spoke it
    }
    assert evidence.status == ATTENTION
    assert evidence.reading.startswith("3 stakeholders registered across 2 regions (33.3 % in the Global South)")
    assert "no affected people known in 1 of 2 countries of salient risks (Myanmar)" in evidence.reading
    texts = [finding.text for finding in evidence.findings]
    assert "No affected people are known in 1 country of salient risks: Myanmar." in texts
    assert ("None of the affected people or groups we know speaks Burmese, English, main languages of the "
            "countries of salient risks.") in texts
    # Thailand's group is in South-eastern Asia, as Myanmar is: the sub-region is not unknown ground.
    assert not any("South-eastern Asia" in text for text in texts)
    assert table(evidence, "by_kind")["Affected stakeholder"][:2] == [0, 0.0]  # the defender was the only one
    assert table(evidence, "by_kind")["Credible proxy"][:2] == [1, 33.3]
    assert table(evidence, "by_region")["Africa"][:2] == [1, 1]
    assert table(evidence, "by_region")["Asia"][:2] == [0, 1]  # a risk there, nobody registered
    # Counts of people that could point at someone are hidden; groups name nobody.
    assert table(evidence, "by_language")["Swahili"][:2] == ["fewer than 5", "yes"]
    assert "English" not in table(evidence, "by_language")
    assert table(evidence, "by_at_risk")["Journalist"][:2] == [0, 0]  # not even "fewer than 5"
    assert table(evidence, "by_at_risk")["Child"][:2] == [0, 1]
    assert next(t for t in evidence.tables if t.key == "by_at_risk").note == (
        "People at high safety level are not counted in the board's figures.")
    assert table(evidence, "risk_countries")["Kenya"][:4] == ["yes", "fewer than 5", "fewer than 5", 0]
    assert table(evidence, "risk_countries")["Myanmar"][:4] == ["no", 0, 0, 0]
    [world] = evidence.charts
    assert world.kind == "world_map"
    assert world.data["values"] == {"DE": None, "FR": None, "KE": None}
    assert world.data["highlighted"] == {"KE": "risk", "MM": "market"}


def test_the_previous_period_counts_who_was_registered_then(organisation, register):
    evidence = collect_register(organisation, LAST_PERIOD, TODAY)

    values = figures(evidence)
    # The scholar, the investor and the rider, erased since but registered then: counted by kind and region
    # (their country is gone). The defender, the only one in Africa, is left out.
    assert (values["stakeholders"], values["rights_holders"], values["regions"]) == (3, 1, 2)
    assert values["global_south_share"] == 33.3  # the rider, in Brazil
    assert (values["affected_groups"], values["proxies_with_mandate"], values["groups_without_proxy"]) == (1, 0, 1)
    # The union came only this period: with the defender left out, nobody affected is known in Kenya either.
    assert values["risk_countries_without_affected"] == 2
    assert evidence.findings[0].text == (
        "No affected people are known in 2 countries of salient risks: Kenya (severe), Myanmar.")
    assert evidence.status == MISSING
    assert table(evidence, "by_region")["Americas"][0] == 1
    assert table(evidence, "by_region")["Africa"][:2] == [0, 1]  # Kenya's risk, nobody counted
    # No Brazil (the rider's country is gone) and no Kenya (the defender is not counted).
    assert set(evidence.charts[0].data["values"]) == {"DE", "FR"}


def test_a_period_before_anything_was_registered_reads_clearly(organisation, register):
    long_ago = Period(LAST_PERIOD.year - 2, 1)

    evidence = collect_register(organisation, long_ago, TODAY)

    assert evidence.status == MISSING
    assert evidence.reading == f"Nobody was registered on {formats.date_format(long_ago.end)}."
    assert figures(evidence)["stakeholders"] == 0
    assert figures(evidence)["global_south_share"] is None
    json.dumps(evidence.to_json())


def test_an_empty_register_against_risks_says_what_is_missing(organisation, hr_lead):
    make_risk(hr_lead, markets=["KE"], scale=4, scope=4, irremediability=3)

    evidence = collect_register(organisation, NOW_PERIOD, TODAY)

    assert evidence.status == MISSING
    assert [f.severity for f in evidence.findings][:2] == [MISSING, MISSING]
    assert "Kenya (severe)" in evidence.findings[1].text


def test_no_name_contact_or_free_text_reaches_the_board(organisation, hr_lead, register):
    groups.update_representation(
        representation=register["union"].representations.get(),
        mandate=groups.Mandate(legitimacy_basis=f"{CANARY} chairs it", evidence="Minutes of the vote"),
        by=hr_lead)

    dumped = json.dumps(collect_register(organisation, NOW_PERIOD, TODAY).to_json(), ensure_ascii=False)

    defender = register["defender"]
    for secret in (CANARY, "Quillfeather", "zq@example.net", "depot", pseudonym(defender.pk), "Riders of delivery",
                   "Minutes of the vote", f"/stakeholders/{defender.pk}/"):
        assert secret not in dumped


def test_a_person_at_high_safety_level_changes_no_figure(organisation, hr_lead, register):
    before = {period: collect_register(organisation, period, TODAY).to_json() for period in (LAST_PERIOD, NOW_PERIOD)}

    # An affected defender in Myanmar who speaks Burmese: counted, they would fill both gaps the board is shown.
    hidden = make_stakeholder(hr_lead, name="Ottoline Brackwater", kind="affected", country="MM", languages=["my"],
                              at_risk=["human_rights_defender"], safety_level="high", safe_channels=["in_person"])
    backdate(Stakeholder, hidden, LAST_PERIOD)

    after = {period: collect_register(organisation, period, TODAY).to_json() for period in (LAST_PERIOD, NOW_PERIOD)}
    assert after == before
    assert "Brackwater" not in json.dumps(list(after.values()), ensure_ascii=False)
    # The same person at normal safety level would be counted: the comparison above is not empty.
    Stakeholder.objects.filter(pk=hidden.pk).update(safety_level="normal")
    values = figures(collect_register(organisation, NOW_PERIOD, TODAY))
    assert (values["stakeholders"], values["risk_countries_without_affected"], values["market_languages_missing"]) == (
        4, 0, 1)


def test_another_organisation_is_never_counted(organisation, register, outsider):
    make_stakeholder(outsider, kind="affected", country="MM", languages=["my"])
    make_risk(outsider, markets=["US"], scale=4, scope=4, irremediability=3)
    groups.create_group(plan=GroupPlan(name="Elsewhere", countries=["MM"]), by=outsider)

    evidence = collect_register(organisation, NOW_PERIOD, TODAY)

    values = figures(evidence)
    assert (values["stakeholders"], values["affected_groups"], values["risk_countries_without_affected"]) == (3, 2, 1)
    assert "US" not in evidence.charts[0].data["highlighted"]
    assert "MM" not in evidence.charts[0].data["values"]


def test_the_queries_do_not_grow_with_the_register(organisation, hr_lead, register, django_assert_max_num_queries):
    # Six: the countries of risks and those of market entries (risks.queries.market_countries) are two reads.
    with django_assert_max_num_queries(6):
        collect_register(organisation, NOW_PERIOD, TODAY)
    for number in range(12):
        make_stakeholder(hr_lead, kind="proxy" if number % 3 == 0 else "affected",
                         country=["KE", "MM", "IN"][number % 3], languages=["hi", "my"], at_risk=["child"])
    with django_assert_max_num_queries(6):
        evidence = collect_register(organisation, NOW_PERIOD, TODAY)
    assert figures(evidence)["stakeholders"] == 15  # 3 + 12: the defender is not counted


def test_links_carry_the_capability_they_need(organisation, register):
    evidence = collect_register(organisation, NOW_PERIOD, TODAY)

    linked = [figure for figure in evidence.figures if figure.url]
    assert linked and all(figure.capability for figure in linked)
    assert {figure.capability for figure in linked} == {"stakeholders.view", "risks.view"}
    market_rows = next(t for t in evidence.tables if t.key == "risk_countries").rows
    assert market_rows[0][-1] == {"url": "/risks/?market=KE", "capability": "risks.view"}


def test_collected_in_the_viewers_language(organisation, register):
    with translation.override("fr"):
        evidence = collect_register(organisation, NOW_PERIOD, TODAY)

    assert "Partie prenante affectée" in table(evidence, "by_kind")
    assert evidence.charts[0].data["value_heading"] == "Parties prenantes"
    assert "Birmanie" in evidence.reading
    json.dumps(evidence.to_json())  # plain strings, no lazy translations left


def test_counts_that_could_point_at_someone_are_hidden_and_the_others_shown(organisation, hr_lead):
    for _number in range(5):
        make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw"], at_risk=["low_income"])
    make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"], at_risk=["journalist"])

    evidence = collect_register(organisation, NOW_PERIOD, TODAY)

    assert figures(evidence)["stakeholders"] == 6  # totals are exact
    assert evidence.charts[0].data["values"] == {"FR": None, "KE": 5}
    assert table(evidence, "by_language")["Swahili"][0] == 5
    assert table(evidence, "by_language")["French"][0] == "fewer than 5"
    assert table(evidence, "by_at_risk")["Person living in poverty"][0] == 5
    assert table(evidence, "by_at_risk")["Journalist"][0] == "fewer than 5"
