"""Identical answers, near-identical answers and organised campaigns (no database)."""

import importlib.util
import random
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ..analysis.duplicates import CAMPAIGN, EXACT, NEAR, find_duplicates, group_kind
from .analysis_corpus import planted_corpus

LETTER = (
    "I am writing to object to the proposed closure of the Riverside library because it is the only quiet place "
    "where children from our estate can do homework after school and older residents use the computers there"
)


def test_exact_duplicates_ignore_case_whitespace_and_punctuation():
    texts = ["More buses, please!", "Fix the potholes on Elm Street.", "  more   BUSES please ", "more buses. please"]
    groups = find_duplicates(texts).groups
    assert [(group.kind, group.representative, group.members) for group in groups] == [(EXACT, 0, [0, 2, 3])]


def test_near_duplicates_with_a_few_words_changed():
    changed = LETTER.replace("Riverside", "Hillside").replace("homework", "revision")
    texts = ["Potholes everywhere.", LETTER, "Something else entirely about trams.", changed]
    groups = find_duplicates(texts).groups
    assert [(group.kind, group.members) for group in groups] == [(NEAR, [1, 3])]
    assert find_duplicates(texts, near_threshold=0.95).groups == []


def test_a_campaign_is_one_group_and_only_its_representative_is_discovered():
    rng = random.Random(3)
    words = LETTER.split()
    campaign = []
    for _ in range(30):
        copy = list(words)
        copy[rng.randrange(len(copy))] = rng.choice(["really", "truly", "very", "my", "our"])
        campaign.append(" ".join(copy))
    others, _ = planted_corpus(40)
    texts = others[:20] + campaign + others[20:]
    duplicates = find_duplicates(texts, campaign_min=10)
    assert len(duplicates.groups) == 1
    group = duplicates.groups[0]
    assert group.kind == CAMPAIGN and group.members == list(range(20, 50)) and group.representative == 20
    excluded = duplicates.excluded_from_discovery(len(texts))
    assert excluded.sum() == 29 and not excluded[20] and not excluded[:20].any() and not excluded[50:].any()


def test_empty_texts_are_not_duplicates_and_unrelated_texts_stay_apart():
    texts, _ = planted_corpus(200)
    assert find_duplicates([*texts, "", "  ", "..."]).groups == []


def test_same_seed_same_groups():
    texts, _ = planted_corpus(100)
    texts = texts + texts[:10] + [text.upper() for text in texts[5:15]]
    assert find_duplicates(texts, seed=4) == find_duplicates(texts, seed=4)


sentences = st.lists(
    st.text(alphabet="abcdefgh ", min_size=1, max_size=40).filter(lambda text: text.strip()), min_size=1, max_size=25
)


def _shapes(duplicates):
    return [(group.representative, group.members) for group in duplicates.groups]


@settings(max_examples=60, deadline=None)
@given(texts=sentences, data=st.data())
def test_grouping_is_invariant_to_case_whitespace_and_punctuation(texts, data):
    noisy = []
    for text in texts:
        upper = data.draw(st.booleans())
        noise = data.draw(st.sampled_from(["", " ", "  ", "!", ", ", "\t"]))
        changed = text.upper() if upper else text
        noisy.append(noise + changed.replace(" ", data.draw(st.sampled_from([" ", "  ", " - ", "\n"]))) + noise)
    assert _shapes(find_duplicates(noisy)) == _shapes(find_duplicates(texts))


@settings(max_examples=60, deadline=None)
@given(texts=sentences)
def test_every_index_lands_in_at_most_one_group(texts):
    duplicates = find_duplicates(texts + texts[:3])
    seen = [index for group in duplicates.groups for index in group.members]
    assert len(seen) == len(set(seen))
    for group in duplicates.groups:
        assert len(group.members) >= 2 and group.members == sorted(group.members)
        assert group.representative in group.members
    sizes = [len(group.members) for group in duplicates.groups]
    assert sizes == sorted(sizes, reverse=True)
    excluded = duplicates.excluded_from_discovery(len(texts) + min(3, len(texts)))
    assert excluded.sum() == sum(size - 1 for size in sizes)
    assert np.all(~excluded[[group.representative for group in duplicates.groups]])


def _edited_copies(count: int, *, seed: int = 3) -> list[str]:
    """Copies of LETTER, each with one word changed: a template sent by many people with their own edits."""
    rng = random.Random(seed)
    words = LETTER.split()
    copies = []
    for _ in range(count):
        copy = list(words)
        copy[rng.randrange(len(copy))] = rng.choice(["really", "truly", "very", "my", "our"])
        copies.append(" ".join(copy))
    return copies


def test_the_campaign_threshold_grows_with_the_consultation():
    # Twelve edited copies of a letter are a campaign among 200 responses, not among a great many.
    letters = _edited_copies(12)
    others = [f"response number {n} about topic {n * 7}" for n in range(188)]
    small = find_duplicates(letters + others)
    assert [group.kind for group in small.groups if len(group.members) == 12] == [CAMPAIGN]
    large = find_duplicates(letters + others, campaign_share=0.1)  # a campaign now needs 10% of 200: 20 members
    assert [group.kind for group in large.groups if len(group.members) == 12] == [NEAR]


@pytest.mark.parametrize("answer", ["I agree", "No", "Nothing to add.", LETTER])
def test_the_same_text_many_times_is_identical_answers_whatever_its_size(answer):
    # Without edits there is no sign of a template: thousands of "No" come from people who never met.
    texts = [answer] * 600 + [answer.upper() + "!"] * 40 + [f"response number {n} about topic {n * 7}"
                                                            for n in range(200)]
    group = find_duplicates(texts, campaign_min=10).groups[0]
    assert (group.kind, len(group.members), group.variants) == (EXACT, 640, 1)


def test_a_campaign_needs_its_members_edits_not_one_stray_copy():
    # 999 copies of one sentence and one edited copy: near-identical answers, not a campaign (1% must differ).
    sentence = "I really do not agree with this proposal at all"
    texts = [sentence] * 999 + [sentence.replace("really ", "")]
    group = find_duplicates(texts, campaign_min=10).groups[0]
    assert (group.kind, group.variants) == (NEAR, 2)
    # Ten edited copies among the thousand (1%) show the template: a campaign.
    edited = [sentence] * 990 + [f"{sentence} {word}" for word in ["today", "now", "sadly", "truly", "here"] * 2]
    group = find_duplicates(edited, campaign_min=10).groups[0]
    assert (group.kind, group.variants) == (CAMPAIGN, 6)


@pytest.mark.parametrize(("size", "variants", "most_common", "kind"), [
    (5000, 1, 5000, EXACT),      # identical answers at any size
    (2, 1, 2, EXACT),
    (9, 3, 5, NEAR),             # below the campaign threshold
    (10, 2, 9, CAMPAIGN),        # one edit in ten: 10% differ
    (1000, 2, 991, NEAR),        # nine edits in a thousand: under 1%
    (1000, 2, 990, CAMPAIGN),    # ten edits in a thousand: 1%
])
def test_group_kind(size, variants, most_common, kind):
    assert group_kind(size=size, variants=variants, most_common=most_common, campaign_min=10) == kind


def test_campaigns_in_the_planted_corpus_are_found_and_its_repeats_are_not_called_campaigns():
    texts, _ = planted_corpus(300)
    letters = _edited_copies(40, seed=9)
    repeated = ["Yes."] * 60
    duplicates = find_duplicates(texts + letters + repeated, campaign_min=10)
    kinds = {len(group.members): group.kind for group in duplicates.groups if len(group.members) >= 10}
    assert kinds[40] == CAMPAIGN and kinds[60] == EXACT
    assert [group.kind for group in duplicates.groups].count(CAMPAIGN) == 1


def test_the_benchmark_corpus_campaigns_are_found_and_its_repeated_answers_are_not_campaigns():
    # benchmarks/consultation_data.py plants 3-5 campaigns (a template, 70% of copies edited) among exact and near
    # duplicates; every planted campaign, and nothing else, is called one.
    spec = importlib.util.spec_from_file_location(
        "consultation_data", Path(__file__).resolve().parents[3] / "benchmarks" / "consultation_data.py")
    corpus = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(corpus)
    rows = list(corpus.generate(20_000, seed=0))
    planted = Counter(row["true_group"] for row in rows if row["true_kind"] == "campaign")
    groups = find_duplicates([row["response"] for row in rows], workers=1).groups
    found = sorted(len(group.members) for group in groups if group.kind == CAMPAIGN)
    assert found == sorted(planted.values())
    assert any(group.kind == EXACT and len(group.members) >= 10 for group in groups)  # big, identical, not a campaign
