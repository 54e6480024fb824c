"""Assign every submission to the analyst's themes, learning from a few examples per theme.

Method: hashed word + character tf-idf (vectors.py), idf estimated over a sample
of all texts (the unlabelled ones tell us which words are common); a
class-balanced multinomial logistic regression on the examples; then
- "other": a text that shares (almost) no content with any theme's examples
  is assigned to no theme rather than forced into the least-bad one;
- a second (or third) theme is added when its probability is within multi_label_margin of the best and
  itself at least SECOND_THEME_FLOOR: with twenty themes a flat distribution puts every theme within a small
  margin of the best, and that is uncertainty, not a response about many themes.
- theme sizes: the model learns from about as many examples per theme, so it
  takes every theme to be equally common, when in a consultation a few themes
  hold most responses. The sizes are estimated from the model's own predictions
  over a sample of all texts (EM, Saerens et al. 2002) and the probabilities
  moved part of the way (geometrically) from "all equal" towards that estimate:
  half-way with 20 examples per theme (+0.03 macro-F1 on both benchmark sets),
  less as examples grow, when the model's own boundaries are better informed
  (a fixed half-way shift cost 0.03-0.08 with every label given). The full
  estimate collapses onto the largest theme and lost 0.15-0.40.
Self-training and label spreading over the unlabelled texts were measured on
the benchmarks (benchmarks/consultation_quality.py) and lowered macro-F1, so
they are not used.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize

from .vectors import TextVectors, Weighting, char_counts, map_batches, vectorise, word_counts

OTHER = None  # a text assigned to no theme; also the key for examples of "none of these"
SECOND_THEME_FLOOR = 0.25
MAX_THEMES_PER_TEXT = 3
# idf from at most this many texts: stable estimates, bounded cost.
IDF_SAMPLE = 100_000
# Regularisation chosen on the two benchmark sets (see module docstring); higher C
# overfits 20 examples, lower C makes everything the largest theme.
C = 10.0
# Cosine (word block) to the nearest theme centroid below which a text is "other".
OTHER_SIMILARITY = 0.005
# How far the probabilities move from "every theme equally common" towards the estimated theme sizes (0: not at
# all, 1: the whole way): SHIFT_EXAMPLES / (SHIFT_EXAMPLES + examples per theme), so half-way with 20 examples
# per theme and less and less as the analyst confirms more (see the module docstring).
SHIFT_EXAMPLES = 20
SIZE_ITERATIONS = 50


@dataclass(frozen=True)
class Assignment:
    themes: list[list[Hashable]]  # per text: theme keys (one or more), [] means "other"
    confidence: np.ndarray  # per text, 0..1 (of the best theme or of "other")

    def needs_review(self, threshold: float) -> np.ndarray:
        return self.confidence < threshold


@dataclass(frozen=True)
class _Model:
    weighting: Weighting
    classifier: LogisticRegression | None  # None when only one theme has examples
    columns: np.ndarray  # feature columns present in some example: the only ones a linear model can weigh
    keys: list[Hashable]  # theme key per classifier class
    centroids: sp.csr_matrix  # one unit row per theme key (word block only)
    other_threshold: float
    margin: float
    size_weights: np.ndarray | None = None  # per classifier class: estimated share / share the model assumes


def size_weights(probabilities: np.ndarray, *, shift: float = 0.5,
                 iterations: int = SIZE_ITERATIONS) -> np.ndarray:
    """Weights that move probabilities from equal theme sizes towards the sizes they themselves suggest (damped EM)."""
    k = probabilities.shape[1]
    assumed = np.full(k, 1.0 / k)
    sizes = assumed.copy()
    for _ in range(iterations):
        shifted = probabilities * (sizes / assumed)
        shifted /= shifted.sum(axis=1, keepdims=True)
        estimate = np.maximum(shifted.mean(axis=0), 1e-12)
        sizes = assumed ** (1 - shift) * estimate ** shift
        sizes /= sizes.sum()
    return sizes / assumed


def _predict(model: _Model, words: sp.csr_matrix, chars: sp.csr_matrix | None):
    features = model.weighting.apply(words, chars)
    if model.classifier is None:
        probabilities = np.ones((words.shape[0], 1), dtype=np.float64)
    else:
        probabilities = model.classifier.predict_proba(features[:, model.columns])
        if model.size_weights is not None:
            probabilities = probabilities * model.size_weights
            probabilities /= probabilities.sum(axis=1, keepdims=True)
    # Relevance on the word block only: character 4-grams of function words
    # make any two texts of one language look slightly alike.
    word_part = normalize(features[:, : words.shape[1]])
    relevance = np.asarray((word_part @ model.centroids.T).max(axis=1).todense()).ravel()
    themes: list[list[Hashable]] = []
    confidence = np.empty(words.shape[0], dtype=np.float64)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    for row in range(words.shape[0]):
        ranked = order[row]
        best = probabilities[row, ranked[0]]
        key = model.keys[ranked[0]]
        if key is OTHER or relevance[row] < model.other_threshold:
            themes.append([])
            confidence[row] = best if key is OTHER else 1.0 - relevance[row] / model.other_threshold
            continue
        chosen = [key]
        for column in ranked[1:]:
            probability = probabilities[row, column]
            if (best - probability > model.margin or probability < SECOND_THEME_FLOOR
                    or len(chosen) >= MAX_THEMES_PER_TEXT):
                break
            if model.keys[column] is not OTHER:
                chosen.append(model.keys[column])
        themes.append(chosen)
        confidence[row] = best
    return themes, np.clip(confidence, 0.0, 1.0)


def assign_themes(
    texts: Sequence[str],
    *,
    examples: Mapping[Hashable, Sequence[int]],
    seed: int = 0,
    multi_label_margin: float = 0.1,
    vectors: TextVectors | None = None,
    workers: int | None = None,
) -> Assignment:
    """Theme keys per text (examples' own texts included), with a confidence in 0..1.

    examples: theme key -> indices into texts. The key OTHER (None) may hold
    examples of texts that belong to no theme. An index given under several
    keys is used for each of them.
    vectors: precomputed hashed counts for all texts (vectors.vectorise).
    """
    n = len(texts)
    labelled = [(int(index), key) for key, indices in examples.items() for index in indices]
    if not labelled or all(key is OTHER for _, key in labelled):
        raise ValueError("at least one theme needs at least one example")
    if any(not 0 <= index < n for index, _ in labelled):
        raise ValueError("example index out of range")
    labelled.sort(key=lambda pair: (pair[0], repr(pair[1])))
    rows = np.array([index for index, _ in labelled])
    rng = np.random.default_rng(seed)
    idf_rows = np.arange(n) if n <= IDF_SAMPLE else np.sort(rng.choice(n, size=IDF_SAMPLE, replace=False))

    def counts_of(index: np.ndarray) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
        if vectors is not None:
            return vectors.rows(index)
        computed = vectorise([texts[i] for i in index], workers=workers)
        return computed.words, computed.chars

    sample_counts = counts_of(idf_rows)
    weighting = Weighting.fit(*sample_counts)
    example_words, example_chars = counts_of(rows)
    features = weighting.apply(example_words, example_chars)

    keys = sorted({key for _, key in labelled}, key=lambda key: (key is not OTHER, repr(key)))
    targets = np.array([keys.index(key) for _, key in labelled])
    # Columns absent from every example would keep a zero weight anyway; leaving
    # them out keeps the optimiser's state small (2**21 hashed columns otherwise).
    columns = np.unique(features.indices)
    classifier = None
    if len(keys) > 1:
        classifier = LogisticRegression(C=C, class_weight="balanced", max_iter=2000, random_state=seed)
        classifier.fit(features[:, columns], targets)
        keys = [keys[int(label)] for label in classifier.classes_]

    # Centroid of each real theme's examples in the word block. Short replies
    # share few words even within one theme (on the benchmark sets half the
    # texts sit below cosine 0.05 to their own theme), so "other" is kept for
    # texts sharing essentially no content word with any theme's examples.
    word_block = normalize(features[:, : example_words.shape[1]])
    centroid_rows = []
    for key in [key for key in keys if key is not OTHER]:
        members = [position for position, (_, label) in enumerate(labelled) if label == key]
        centroid_rows.append(normalize(sp.csr_matrix(word_block[members].mean(axis=0))))
    centroids = sp.vstack(centroid_rows, format="csr")

    weights = None
    if classifier is not None:
        # Theme sizes from the same sample the idf came from: bounded cost, and the same for a given seed.
        sample = weighting.apply(*sample_counts)
        per_theme = float(np.median(np.bincount(targets)))
        weights = size_weights(classifier.predict_proba(sample[:, columns]),
                               shift=SHIFT_EXAMPLES / (SHIFT_EXAMPLES + per_theme))
    model = _Model(
        weighting=weighting, classifier=classifier, columns=columns, keys=keys, centroids=centroids,
        other_threshold=OTHER_SIMILARITY, margin=multi_label_margin, size_weights=weights,
    )
    if vectors is not None:
        parts = [
            _predict(model, *vectors.rows(slice(start, min(start + 50_000, n)))) for start in range(0, n, 50_000)
        ]
    else:
        parts = map_batches(lambda batch: _predict(model, word_counts(batch), char_counts(batch)), list(texts),
                            workers=workers)
    themes = [row for part in parts for row in part[0]]
    confidence = np.concatenate([part[1] for part in parts]) if parts else np.empty(0)
    return Assignment(themes=themes, confidence=confidence)
