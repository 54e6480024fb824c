"""Who was heard: the counts come from the database in groups; check them against what was said, by whom."""

import pytest

from rightsloop.engagements.models import Input
from rightsloop.engagements.representation import who_was_heard
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_input, make_participation

pytestmark = pytest.mark.django_db


@pytest.fixture
def engagement(hr_lead):
    return make_engagement(hr_lead, title="Content moderation round table")


def _speak(hr_lead, engagement, stakeholder, times: int) -> None:
    speaker = make_participation(hr_lead, engagement, stakeholder)
    for _ in range(times):
        make_input(hr_lead, engagement, speaker)


def test_breakdown_counts_voices_and_their_inputs(hr_lead, engagement):
    rider = make_stakeholder(hr_lead, kind="affected", country="KE", languages=["sw", "en"],
                             at_risk=["journalist"])
    union = make_stakeholder(hr_lead, kind="proxy", country="KE", languages=["sw"])
    scholar = make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"])
    _speak(hr_lead, engagement, rider, 2)
    _speak(hr_lead, engagement, union, 1)
    _speak(hr_lead, engagement, scholar, 1)
    make_input(hr_lead, engagement, None)  # a note with no speaker recorded

    heard = who_was_heard(Input.objects.filter(engagement=engagement), markets=["ke"])

    assert (heard.inputs, heard.unattributed_inputs, heard.voices) == (5, 1, 3)
    assert heard.by_country == {"KE": 2, "FR": 1}
    assert dict(heard.by_kind) == {"Affected stakeholder": 1, "Credible proxy": 1, "Expert stakeholder": 1}
    assert sum(n for _region, n in heard.by_region) == 3
    assert heard.global_south == {"yes": 2, "no": 1, "unknown": 0}
    assert dict(heard.by_language) == {"Swahili": 2, "English": 1, "French": 1}
    assert heard.by_language[0] == ("Swahili", 2)
    assert dict(heard.by_at_risk) == {"Journalist": 1}
    # Kenya's voices speak Swahili and English: no gap for markets, languages or the Global South; but
    # three people gave four of the five inputs.
    assert [gap.split(":")[0] for gap in heard.gaps] == ["The same few voices dominate"]


def test_gaps_name_what_is_missing(hr_lead, engagement):
    scholar = make_stakeholder(hr_lead, kind="expert", country="FR", languages=["fr"])
    _speak(hr_lead, engagement, scholar, 6)

    heard = who_was_heard(Input.objects.filter(engagement=engagement), markets=["KE"])

    assert heard.top_share == 1.0
    assert [gap.split(":")[0].split(" (")[0] for gap in heard.gaps] == [
        "No affected voices",
        "No voices from the markets concerned",
        "No voices in the main languages of those markets",
        "No Global South voices, although the product is used there.",
        "The same few voices dominate",
    ]


def test_many_even_voices_are_not_a_few_dominating(hr_lead, engagement):
    for number in range(8):
        _speak(hr_lead, engagement, make_stakeholder(hr_lead, kind="affected", country="KE",
                                                     languages=["sw"]), 1 + number % 2)

    heard = who_was_heard(Input.objects.filter(engagement=engagement), markets=["KE"])

    assert (heard.inputs, heard.voices) == (12, 8)
    # Three speakers gave at most 6 of the 12 inputs: not more than half, so not a gap.
    assert not any("dominate" in gap for gap in heard.gaps)


def test_nobody_heard(hr_lead, engagement):
    heard = who_was_heard(Input.objects.filter(engagement=engagement), markets=["KE"])
    assert (heard.inputs, heard.voices, heard.gaps) == (0, 0, ["Nobody has been heard on this yet."])


def test_breakdown_takes_a_fixed_number_of_queries(hr_lead, engagement, django_assert_max_num_queries):
    for _number in range(12):
        _speak(hr_lead, engagement, make_stakeholder(hr_lead, kind="affected", country="BR",
                                                     languages=["pt"]), 1)
    with django_assert_max_num_queries(3):
        who_was_heard(Input.objects.filter(engagement=engagement), markets=["BR"])
