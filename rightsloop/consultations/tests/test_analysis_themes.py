"""Theme discovery on a synthetic corpus with planted themes (no database)."""

from collections import Counter

import numpy as np
import pytest

from ..analysis.duplicates import find_duplicates
from ..analysis.stance import AGAINST, FOR, STANCE_WORDS, UNCLEAR
from ..analysis.themes import MAX_THEMES, MIN_THEMES, DiscoveryParameters, discover_themes
from .analysis_corpus import THEMES, planted_corpus


@pytest.fixture(scope="module")
def corpus():
    return planted_corpus(600)


def _discover(texts, **kwargs):
    kwargs.setdefault("languages", ["en"] * len(texts))
    kwargs.setdefault("excluded", np.zeros(len(texts), dtype=bool))
    return discover_themes(texts, **kwargs)


def test_planted_themes_are_found(corpus):
    texts, labels = corpus
    themes = _discover(texts, parameters=DiscoveryParameters(seed=0, themes=len(THEMES)))
    assert len(themes) == len(THEMES)
    found = set()
    for theme in themes:
        planted, count = Counter(labels[i] for i in theme.members).most_common(1)[0]
        assert count / len(theme.members) > 0.95  # each candidate is one planted theme
        found.add(planted)
        # The key terms are words of that theme, and the representatives belong to it.
        assert 3 <= len(theme.key_terms) <= 6
        assert all(any(word in THEMES[planted] for word in term.split()) for term in theme.key_terms)
        assert 1 <= len(theme.representatives) <= 5
        assert all(labels[i] == planted for i in theme.representatives)
        assert theme.languages == {"en": len(theme.members)} and theme.stance == {}
    assert found == set(THEMES)
    assert sorted(i for theme in themes for i in theme.members) == list(range(len(texts)))


def test_same_inputs_and_seed_give_identical_output(corpus):
    texts, _ = corpus
    parameters = DiscoveryParameters(seed=7, themes=None, sample=400)
    first = _discover(texts, parameters=parameters)
    assert first == _discover(texts, parameters=parameters)
    assert MIN_THEMES <= len(first) <= MAX_THEMES
    assert parameters.as_dict() == {"seed": 7, "themes": None, "sample": 400}


def test_sample_fits_on_part_and_places_every_text(corpus):
    texts, labels = corpus
    themes = _discover(texts, parameters=DiscoveryParameters(themes=len(THEMES), sample=150))
    placed = sorted(i for theme in themes for i in theme.members)
    assert placed == list(range(len(texts)))
    purity = sum(Counter(labels[i] for i in theme.members).most_common(1)[0][1] for theme in themes) / len(texts)
    assert purity > 0.9


def test_campaign_copies_follow_their_representative_and_are_never_representatives(corpus):
    texts, _ = corpus
    letter = "Please keep the free parking for nurses at the hospital car park, permits cost too much already"
    campaign = [letter.replace("already", word) for word in ("already", "now", "today", "honestly", "sadly") * 8]
    all_texts = texts + campaign
    duplicates = find_duplicates(all_texts)
    excluded = duplicates.excluded_from_discovery(len(all_texts))
    assert excluded.sum() == len(campaign) - 1
    themes = _discover(all_texts, excluded=excluded, duplicates=duplicates,
                       parameters=DiscoveryParameters(themes=len(THEMES)))
    holding = [theme for theme in themes if len(texts) in theme.members]
    assert len(holding) == 1
    assert set(range(len(texts), len(all_texts))) <= set(holding[0].members)
    assert not any(excluded[i] for theme in themes for i in theme.representatives)


def test_agreement_and_disagreement_are_counted_within_a_theme():
    texts, stance = [], []
    base, _ = planted_corpus(300, seed=5)
    for i, text in enumerate(base):
        if i % 3 == 0:
            texts.append("Yes, I support this. " + text)
            stance.append(FOR)
        elif i % 3 == 1:
            texts.append("No, I oppose this. " + text)
            stance.append(AGAINST)
        else:
            texts.append(text)
            stance.append(UNCLEAR)
    themes = _discover(texts, stance=stance, parameters=DiscoveryParameters(themes=len(THEMES)))
    for theme in themes:
        assert theme.stance[FOR] > 0 and theme.stance[AGAINST] > 0
        assert sum(theme.stance.values()) == len(theme.members)
        # Stance words describe the reply, not the subject: they never become key terms.
        assert not any(word in STANCE_WORDS for term in theme.key_terms for word in term.split())
    assert sum(theme.stance[FOR] for theme in themes) == stance.count(FOR)


def test_empty_texts_are_placed_nowhere_and_lengths_are_checked(corpus):
    texts, _ = corpus
    themes = _discover([*texts[:100], "", "   "], parameters=DiscoveryParameters(themes=5))
    placed = {i for theme in themes for i in theme.members}
    assert 100 not in placed and 101 not in placed
    with pytest.raises(ValueError, match="same length"):
        discover_themes(texts, languages=["en"], excluded=np.zeros(len(texts), dtype=bool))


def test_starts_compared_on_a_subsample_still_find_the_planted_themes(corpus, monkeypatch):
    # Below SEEDING_SAMPLE rows k-means compares its starts on every row; force the large-input path.
    from ..analysis import themes as themes_module

    monkeypatch.setattr(themes_module, "SEEDING_SAMPLE", 200)
    texts, labels = corpus
    parameters = DiscoveryParameters(seed=3, themes=len(THEMES))
    first = _discover(texts, parameters=parameters)
    assert first == _discover(texts, parameters=parameters)
    purity = sum(Counter(labels[i] for i in theme.members).most_common(1)[0][1] for theme in first) / len(texts)
    assert purity > 0.9


def test_more_representatives_can_be_proposed_nearest_first(corpus):
    texts, _ = corpus
    parameters = DiscoveryParameters(seed=0, themes=len(THEMES))
    default = _discover(texts, parameters=parameters)
    more = _discover(texts, parameters=parameters, representatives=30)
    assert [theme.members for theme in more] == [theme.members for theme in default]
    for short, long in zip(default, more, strict=True):
        assert len(long.representatives) == min(30, len(long.members)) > len(short.representatives)
        assert long.representatives[: len(short.representatives)] == short.representatives


FILLER = {
    "en": ["honestly", "overall", "experience", "visit", "hospital", "service", "today", "thanks", "really"],
    "de": ["ehrlich", "insgesamt", "Erfahrung", "Besuch", "Krankenhaus", "Service", "heute", "danke", "wirklich"],
}


def test_each_main_language_is_discovered_on_its_own():
    # Word features do not cross languages: one discovery over both would split by language first.
    import random

    rng = random.Random(1)
    planted = {
        ("parking", "en"): ["parking spaces cost money, car park full", "car park full, parking fees high",
                            "parking fees and car park queues"],
        ("staff", "en"): ["nurses kind, doctors caring", "caring nurses, friendly doctors",
                          "friendly nurses and kind doctors"],
        ("parking", "de"): ["Parkplatz teuer, Parkhaus voll", "Parkhaus voll, Parkgebühren hoch",
                            "Parkgebühren und Parkplatz Suche"],
        ("staff", "de"): ["Pflegekräfte freundlich, Ärzte fürsorglich", "fürsorgliche Pflegekräfte, nette Ärzte",
                          "nette Pflegekräfte und freundliche Ärzte"],
    }
    texts, truth, languages = [], [], []
    for (theme, language), sentences in planted.items():
        for _ in range(150):
            filler = FILLER[language]
            texts.append(" ".join([*rng.sample(filler, 4), rng.choice(sentences), *rng.sample(filler, 4)]))
            truth.append(theme)
            languages.append(language)
    found = discover_themes(texts, languages=languages, excluded=np.zeros(len(texts), dtype=bool),
                            parameters=DiscoveryParameters(seed=0, themes=2))
    # Two themes asked for: shared out, every main language still gets two of its own.
    assert len(found) == 4
    for theme in found:
        assert len(theme.languages) == 1
        planted_here = Counter(truth[i] for i in theme.members)
        assert planted_here.most_common(1)[0][1] >= 0.9 * len(theme.members)
