"""Exact duplicates, near duplicates and campaigns (no database)."""

import random

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ..analysis.duplicates import CAMPAIGN, EXACT, NEAR, find_duplicates
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


def test_the_campaign_threshold_grows_with_the_consultation():
    # Twelve identical short answers are a campaign among 200 responses, not among a great many.
    same = ["Nothing to add."] * 12
    others = [f"response number {n} about topic {n * 7}" for n in range(188)]
    small = find_duplicates(same + others)
    assert [group.kind for group in small.groups if len(group.members) == 12] == ["campaign"]
    large = find_duplicates(same + others, campaign_share=0.1)  # a campaign now needs 10% of 200: 20 members
    assert [group.kind for group in large.groups if len(group.members) == 12] == ["exact"]
