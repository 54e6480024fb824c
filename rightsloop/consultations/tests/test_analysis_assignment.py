"""Assigning texts to the analyst's themes from a few examples (no database)."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from ..analysis.assignment import OTHER, assign_themes, size_weights
from .analysis_corpus import THEMES, planted_corpus

UNRELATED = [
    "Quarterly revenue of the mining group rose sharply on copper exports.",
    "Das Orchester spielte gestern Abend eine Symphonie von Brahms.",
    "Volcanic ash grounded flights across the northern archipelago.",
]


@pytest.fixture(scope="module")
def corpus():
    texts, labels = planted_corpus(600, seed=2)
    examples = {}
    for name in THEMES:
        examples[name] = [i for i, label in enumerate(labels) if label == name][:5]
    return texts + UNRELATED, labels, examples


def test_held_out_texts_land_in_their_theme(corpus):
    texts, labels, examples = corpus
    assignment = assign_themes(texts, examples=examples, seed=0)
    used = {i for rows in examples.values() for i in rows}
    held_out = [i for i in range(len(labels)) if i not in used]
    correct = sum(assignment.themes[i][:1] == [labels[i]] for i in held_out)
    assert correct / len(held_out) > 0.95
    assert all(assignment.themes[i] for i in held_out)


def test_unrelated_texts_are_other(corpus):
    texts, labels, examples = corpus
    assignment = assign_themes(texts, examples=examples)
    assert [assignment.themes[i] for i in range(len(labels), len(texts))] == [[]] * len(UNRELATED)


def test_confidence_is_a_probability_and_marks_review(corpus):
    texts, _, examples = corpus
    assignment = assign_themes(texts, examples=examples)
    assert assignment.confidence.shape == (len(texts),)
    assert np.all((assignment.confidence >= 0) & (assignment.confidence <= 1))
    assert not assignment.needs_review(0.0).any() and assignment.needs_review(1.01).all()


def test_same_seed_same_assignment(corpus):
    texts, _, examples = corpus
    first = assign_themes(texts, examples=examples, seed=3)
    second = assign_themes(texts, examples=examples, seed=3)
    assert first.themes == second.themes
    assert np.array_equal(first.confidence, second.confidence)


def test_examples_of_other_are_learnt():
    texts = ["the bus is late again", "buses never on time", "late bus every morning", "thank you", "thanks a lot",
             "many thanks", "bus late today", "thanks so much"]
    assignment = assign_themes(texts, examples={"buses": [0, 1, 2], OTHER: [3, 4, 5]})
    assert assignment.themes[6] == ["buses"] and assignment.themes[7] == []


def test_a_text_between_two_themes_gets_both_with_a_wide_margin():
    texts = ["parking fees expensive", "parking permit charges", "rude nurse", "nurse attitude rude",
             "parking fees and a rude nurse"]
    assignment = assign_themes(texts, examples={"parking": [0, 1], "staff": [2, 3]}, multi_label_margin=0.5)
    assert sorted(assignment.themes[4]) == ["parking", "staff"]


def test_bad_examples_are_refused():
    with pytest.raises(ValueError, match="at least one theme"):
        assign_themes(["a text"], examples={})
    with pytest.raises(ValueError, match="out of range"):
        assign_themes(["a text"], examples={"x": [3]})


def test_uncertainty_among_many_themes_is_not_many_themes():
    # Twenty themes learnt from one nonsense word each: every text is unsure, which must not read as
    # "about every theme" (a flat distribution keeps all themes within any absolute margin of the best).
    rng = np.random.default_rng(0)
    words = [f"word{n}" for n in range(20)]
    texts = [" ".join(rng.choice(words, size=6)) for _ in range(400)]
    examples = {n: [i for i, text in enumerate(texts) if text.startswith(f"word{n} ")][:2] for n in range(20)}
    examples = {key: value for key, value in examples.items() if value}
    result = assign_themes(texts, examples=examples, seed=0, multi_label_margin=0.5)
    assert max(len(themes) for themes in result.themes) <= 3
    assert np.mean([len(themes) for themes in result.themes]) < 2


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(2, 6)),
              elements=st.floats(0.01, 1.0, allow_nan=False)))
def test_size_weights_are_positive_and_leave_balanced_predictions_alone(raw):
    probabilities = raw / raw.sum(axis=1, keepdims=True)
    weights = size_weights(probabilities)
    assert np.all(np.isfinite(weights)) and np.all(weights > 0)
    uniform = np.full_like(probabilities, 1.0 / probabilities.shape[1])
    assert np.allclose(size_weights(uniform), 1.0)


def test_size_weights_favour_the_theme_most_texts_lean_to_but_only_half_way():
    # 90 texts lean to theme 0, 10 to theme 1: theme 0 is the common one.
    probabilities = np.array([[0.7, 0.3]] * 90 + [[0.3, 0.7]] * 10)
    weights = size_weights(probabilities)
    assert weights[0] > 1 > weights[1]
    full = size_weights(probabilities, shift=1.0)
    # The full estimate pushes further (and, on real data, too far).
    assert full[0] > weights[0] and full[1] < weights[1]
    assert np.allclose(size_weights(probabilities, shift=0.0), 1.0)


def test_a_text_between_a_large_and_a_small_theme_leans_to_the_large_one(monkeypatch):
    from ..analysis import assignment

    large = [f"the bus route {n} runs late every morning" for n in range(60)]
    small = [f"the library closes early on day {n}" for n in range(60)]
    texts = [*large * 5, *small, "late bus and early library"]
    examples = {"buses": list(range(10)), "library": list(range(300, 310))}
    shifted = assign_themes(texts, examples=examples, seed=0)
    monkeypatch.setattr(assignment, "size_weights", lambda probabilities, shift: np.ones(probabilities.shape[1]))
    equal = assign_themes(texts, examples=examples, seed=0)
    # Taking the themes as equally common, the text is the small theme's first; knowing that buses are five times
    # as common, it is the large theme's first.
    assert equal.themes[-1][0] == "library"
    assert shifted.themes[-1][0] == "buses"


def test_the_shift_towards_theme_sizes_fades_as_examples_grow(monkeypatch):
    from ..analysis import assignment

    texts = [f"the bus route {n} runs late" for n in range(200)] + [f"the library shuts on day {n}" for n in range(200)]
    shifts = []
    real = assignment.size_weights
    monkeypatch.setattr(assignment, "size_weights",
                        lambda probabilities, shift: shifts.append(shift) or real(probabilities, shift=shift))
    for per_theme in (20, 80):
        assign_themes(texts, examples={"buses": list(range(per_theme)), "library": list(range(200, 200 + per_theme))})
    assert shifts == [pytest.approx(0.5), pytest.approx(0.2)]
