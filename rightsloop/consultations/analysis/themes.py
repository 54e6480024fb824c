"""Candidate themes: unsupervised clusters of submissions, for an analyst to name, merge or discard.

Method: hashed word + character tf-idf (vectors.py) -> LSA (truncated SVD) on a
sample of at most `sample` non-excluded texts -> spherical k-means on the unit
LSA vectors -> every text placed at its nearest centre in batches. Key terms are
the words most over-represented in a theme compared with the whole sample.
Fitting on a sample bounds the cost at a million texts; placing everything
afterwards keeps every submission countable.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.metrics import silhouette_score
from sklearn.preprocessing import normalize
from threadpoolctl import threadpool_limits

from .duplicates import Duplicates
from .stance import AGAINST, FOR, STANCE_WORDS, UNCLEAR
from .text import WORD_REGEX, stop_words_list
from .vectors import TextVectors, Weighting, char_counts, map_batches, vectorise, word_counts

MIN_THEMES, MAX_THEMES = 6, 30
# The number of themes is chosen on this many sample texts: the silhouette's cost
# grows with its square, and the choice is stable well before the sample's size.
CHOICE_SAMPLE = 2_000
# The k-means starts are compared on at most this many sample texts; the best one
# then seeds a single run on the whole fitting sample.
SEEDING_SAMPLE = 10_000
STARTS = 3
COMPONENTS = 100
MAX_COLUMNS = 50_000
REPRESENTATIVES = 5
KEY_TERMS = 5


@dataclass(frozen=True)
class DiscoveryParameters:
    seed: int = 0
    themes: int | None = None  # None: chosen from the data (MIN_THEMES..MAX_THEMES)
    sample: int = 50_000  # at most this many non-excluded texts are used to fit; all are then placed

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class CandidateTheme:
    key_terms: list[str]  # 3-6 terms; label = ", ".join(key_terms[:3])
    members: list[int]  # indices of ALL texts placed in the theme (excluded ones too, via their representative)
    representatives: list[int]  # up to 5 (by default) indices nearest the centre, nearest first; never excluded
    languages: dict[str, int]
    stance: dict[str, int]  # {"for": n, "against": n, "unclear": n}; empty dict when no stance given

    @property
    def label(self) -> str:
        return ", ".join(self.key_terms[:3])


@dataclass(frozen=True)
class _Model:
    weighting: Weighting
    columns: np.ndarray  # hashed feature columns seen in the sample; the rest carry no LSA weight
    components: np.ndarray  # (COMPONENTS, len(columns)) float32
    centres: np.ndarray  # (themes, COMPONENTS) unit rows


def _lsa_rows(model: _Model, words: sp.csr_matrix, chars: sp.csr_matrix | None) -> np.ndarray:
    weighted = model.weighting.apply(words, chars)[:, model.columns]
    return normalize(np.asarray(weighted @ model.components.T, dtype=np.float32))


def _place(model: _Model, words: sp.csr_matrix, chars: sp.csr_matrix | None) -> tuple[np.ndarray, np.ndarray]:
    """(nearest centre, cosine to it) per row; rows without features get centre -1."""
    lsa = _lsa_rows(model, words, chars)
    similarity = lsa @ model.centres.T
    nearest = similarity.argmax(axis=1)
    best = similarity[np.arange(len(nearest)), nearest]
    nearest[np.diff(words.indptr) + (0 if chars is None else np.diff(chars.indptr)) == 0] = -1
    return nearest, best


def _choose_themes(lsa: np.ndarray, seed: int) -> int:
    """Number of themes with the best silhouette on a fixed-size subsample (bounded so the list stays reviewable).

    One k-means++ start per candidate on CHOICE_SAMPLE rows: the cost does not grow with the input.
    """
    rng = np.random.default_rng(seed)
    subsample = lsa[np.sort(rng.choice(len(lsa), size=min(len(lsa), CHOICE_SAMPLE), replace=False))]
    best_k, best_score = MIN_THEMES, -np.inf
    for k in range(MIN_THEMES, min(MAX_THEMES, len(subsample) - 1) + 1, 2):
        labels = KMeans(n_clusters=k, n_init=1, random_state=seed).fit_predict(subsample)
        if len(np.unique(labels)) < 2:
            continue
        score = silhouette_score(subsample, labels, metric="cosine")
        if score > best_score + 1e-9:
            best_k, best_score = k, score
    return best_k


def _kmeans(lsa: np.ndarray, themes: int, seed: int) -> KMeans:
    """k-means whose cost does not multiply with the number of starts: STARTS k-means++ starts on a
    subsample, then one run on all rows from the best of them."""
    if len(lsa) <= SEEDING_SAMPLE:
        return KMeans(n_clusters=themes, n_init=STARTS, random_state=seed).fit(lsa)
    rng = np.random.default_rng(seed)
    subsample = lsa[np.sort(rng.choice(len(lsa), size=SEEDING_SAMPLE, replace=False))]
    seeding = KMeans(n_clusters=themes, n_init=STARTS, random_state=seed).fit(subsample)
    return KMeans(n_clusters=themes, init=seeding.cluster_centers_, n_init=1, random_state=seed).fit(lsa)


def _key_terms(texts: list[str], labels: np.ndarray, themes: int) -> list[list[str]]:
    """Per theme, the terms whose document frequency rises most above the sample's."""
    stop = set(stop_words_list()) | STANCE_WORDS
    vectoriser = CountVectorizer(
        token_pattern=WORD_REGEX, stop_words=sorted(stop), ngram_range=(1, 2), binary=True,
        min_df=min(3, max(1, len(texts) // 50)), max_df=0.5, dtype=np.float32,
    )
    try:
        counts = vectoriser.fit_transform(texts).tocsc()
    except ValueError:  # no term survives (e.g. only stop words)
        return [[] for _ in range(themes)]
    vocabulary = vectoriser.get_feature_names_out()
    overall = np.asarray(counts.mean(axis=0)).ravel() + 1e-6
    counts = counts.tocsr()
    result = []
    for theme in range(themes):
        rows = labels == theme
        if not rows.any():
            result.append([])
            continue
        inside = np.asarray(counts[rows].mean(axis=0)).ravel()
        # Frequent in the theme and much more frequent than elsewhere (a lift weighted by coverage).
        score = inside * np.log((inside + 1e-6) / overall)
        chosen: list[str] = []
        for column in np.argsort(-score, kind="stable"):
            if score[column] <= 0 or len(chosen) == KEY_TERMS:
                break
            term = str(vocabulary[column])
            # A bigram and its own words say the same thing twice.
            if any(term in other or other in term for other in chosen):
                continue
            chosen.append(term)
        result.append(chosen)
    return result


def _discover_one_language(
    texts: Sequence[str],
    *,
    languages: Sequence[str],
    excluded: np.ndarray,
    stance: Sequence[str] | None = None,
    parameters: DiscoveryParameters = DiscoveryParameters(),  # frozen, so a shared default is safe
    duplicates: Duplicates | None = None,
    vectors: TextVectors | None = None,
    workers: int | None = None,
    representatives: int = REPRESENTATIVES,
) -> list[CandidateTheme]:
    """Candidate themes, largest first. Same inputs and parameters give the same output.

    duplicates: when given, an excluded text joins its group representative's
    theme (so a campaign is counted in full but shaped the theme only once);
    otherwise excluded texts are placed by their own content.
    vectors: precomputed hashed counts for all texts (vectors.vectorise) to skip recomputing them.
    representatives: how many of the texts nearest each centre to propose, nearest first (more than the
    default REPRESENTATIVES gives an analyst further texts to confirm as examples).
    """
    n = len(texts)
    excluded = np.asarray(excluded, dtype=bool)
    if len(languages) != n or len(excluded) != n or (stance is not None and len(stance) != n):
        raise ValueError("texts, languages, excluded and stance must have the same length")
    rng = np.random.default_rng(parameters.seed)
    candidates = np.flatnonzero(~excluded & np.array([bool(text and text.strip()) for text in texts], dtype=bool))
    if len(candidates) < 2:
        return []
    fit_rows = candidates
    if len(candidates) > parameters.sample:
        fit_rows = np.sort(rng.choice(candidates, size=parameters.sample, replace=False))
    fit_texts = [texts[i] for i in fit_rows]
    if vectors is not None:
        words, chars = vectors.rows(fit_rows)
    else:
        sample_vectors = vectorise(fit_texts, workers=workers)
        words, chars = sample_vectors.words, sample_vectors.chars
        del sample_vectors

    weighting = Weighting.fit(words, chars)
    weighted = weighting.apply(words, chars)
    # Columns seen at least twice, at most MAX_COLUMNS of the most frequent: the
    # SVD's cost grows with the column count, and rare features barely move the components.
    frequency = np.bincount(weighted.indices, minlength=weighted.shape[1])
    columns = np.flatnonzero(frequency >= 2)
    if len(columns) > MAX_COLUMNS:
        columns = np.sort(columns[np.argsort(-frequency[columns], kind="stable")[:MAX_COLUMNS]])
    weighted = weighted[:, columns]
    components = min(COMPONENTS, weighted.shape[1] - 1, len(fit_rows) - 1)
    if components < 2:
        return []
    svd = TruncatedSVD(n_components=components, random_state=parameters.seed, n_iter=5)
    lsa = normalize(svd.fit_transform(weighted).astype(np.float32))
    # One thread for k-means: its OpenMP threads spin while waiting, which on a
    # shared machine costs several times the work itself; the problem is small.
    with threadpool_limits(limits=1):
        themes = parameters.themes or _choose_themes(lsa, parameters.seed)
        themes = max(1, min(themes, len(fit_rows)))
        kmeans = _kmeans(lsa, themes, parameters.seed)
    model = _Model(
        weighting=weighting,
        columns=columns,
        components=svd.components_.astype(np.float32),
        centres=normalize(kmeans.cluster_centers_.astype(np.float32)),
    )
    key_terms = _key_terms(fit_texts, kmeans.labels_, themes)

    # Place every text with content (excluded ones too: they fall back on their own content).
    if vectors is not None:
        def place_rows(bounds: Sequence[tuple[int, int]]) -> list[tuple[np.ndarray, np.ndarray]]:
            return [_place(model, *vectors.rows(slice(start, stop))) for start, stop in bounds]

        step = 50_000
        placed = place_rows([(start, min(start + step, n)) for start in range(0, n, step)])
    else:
        placed = map_batches(
            lambda batch: _place(model, word_counts(batch), char_counts(batch)), list(texts), workers=workers
        )
    theme_of = np.concatenate([part[0] for part in placed]) if placed else np.empty(0, dtype=np.int64)
    closeness = np.concatenate([part[1] for part in placed]) if placed else np.empty(0, dtype=np.float32)
    if duplicates is not None:
        for group in duplicates.groups:
            theme_of[group.members] = theme_of[group.representative]

    result = []
    for theme in range(themes):
        members = np.flatnonzero(theme_of == theme)
        if not len(members):
            continue
        own = members[~excluded[members]]
        nearest = own[np.lexsort((own, -closeness[own]))][:representatives]
        result.append(
            CandidateTheme(
                key_terms=key_terms[theme],
                members=members.tolist(),
                representatives=nearest.tolist(),
                languages=dict(sorted(Counter(languages[i] for i in members).items())),
                stance=_stance_counts(stance, members),
            )
        )
    result.sort(key=lambda theme: (-len(theme.members), theme.members[0]))
    return result


# Word features do not cross languages: one discovery over a multilingual consultation finds the languages (and
# their stop words) before it finds what people said. So each language with enough responses gets a discovery of
# its own; the analyst merges a theme found in two languages into one (actions/themes.merge_themes).
LANGUAGE_SHARE = 0.05  # of the texts in discovery, for a language to be discovered on its own
LANGUAGE_MIN = 100
MIN_THEMES_PER_LANGUAGE = 2


class _Subset:
    """Precomputed vectors seen through a subset of rows (local index -> global row)."""

    def __init__(self, vectors: TextVectors, index: np.ndarray):
        self.vectors, self.index = vectors, index

    def rows(self, rows: np.ndarray | slice):
        if isinstance(rows, slice):
            rows = np.arange(*rows.indices(len(self.index)))
        return self.vectors.rows(self.index[rows])


def _language_groups(languages: Sequence[str], usable: np.ndarray) -> list[np.ndarray]:
    """Indices per language with its own discovery (largest first), then the rest together, if any."""
    counts = Counter(languages[i] for i in np.flatnonzero(usable))
    total = sum(counts.values())
    own = sorted((code for code, count in counts.items()
                  if code and count >= max(LANGUAGE_MIN, LANGUAGE_SHARE * total)),
                 key=lambda code: (-counts[code], code))
    if len(own) <= 1:
        return [np.arange(len(languages))]
    code_of = np.asarray(languages, dtype=object)
    groups = [np.flatnonzero(code_of == code) for code in own]
    rest = np.flatnonzero(~np.isin(code_of, own))
    if usable[rest].sum() >= LANGUAGE_MIN:
        groups.append(rest)
    else:
        # Too few to stand alone: they join the largest language's discovery, placed by their own words.
        groups[0] = np.sort(np.concatenate([groups[0], rest]))
    return groups


def discover_themes(
    texts: Sequence[str],
    *,
    languages: Sequence[str],
    excluded: np.ndarray,
    stance: Sequence[str] | None = None,
    parameters: DiscoveryParameters = DiscoveryParameters(),  # frozen, so a shared default is safe
    duplicates: Duplicates | None = None,
    vectors: TextVectors | None = None,
    workers: int | None = None,
    representatives: int = REPRESENTATIVES,
) -> list[CandidateTheme]:
    """Candidate themes, largest first, found within each main language. Same inputs and parameters, same output.

    See _discover_one_language for the method and the keywords. parameters.themes, when given, is shared out
    between the languages by their number of texts (at least two each); otherwise the largest language chooses
    its number and the others get a proportional share of it.
    """
    n = len(texts)
    excluded = np.asarray(excluded, dtype=bool)
    if len(languages) != n or len(excluded) != n or (stance is not None and len(stance) != n):
        raise ValueError("texts, languages, excluded and stance must have the same length")
    usable = ~excluded & np.array([bool(text and text.strip()) for text in texts], dtype=bool)
    groups = _language_groups(languages, usable)
    if len(groups) == 1:
        return _discover_one_language(texts, languages=languages, excluded=excluded, stance=stance,
                                      parameters=parameters, duplicates=duplicates, vectors=vectors,
                                      workers=workers, representatives=representatives)
    sizes = [int(usable[group].sum()) for group in groups]
    total = sum(sizes)
    wanted = parameters.themes
    found: list[tuple[np.ndarray, CandidateTheme]] = []
    first_language_themes = 1
    for number, group in enumerate(groups):
        share = sizes[number] / total
        if wanted is not None:
            themes = max(MIN_THEMES_PER_LANGUAGE, round(wanted * share))
        elif number == 0:
            themes = None
        else:
            themes = max(MIN_THEMES_PER_LANGUAGE, round(first_language_themes * sizes[number] / sizes[0]))
        local = dataclasses.replace(parameters, themes=themes,
                                    sample=max(1_000, round(parameters.sample * share)))
        part = _discover_one_language(
            [texts[i] for i in group], languages=[languages[i] for i in group], excluded=excluded[group],
            stance=None if stance is None else [stance[i] for i in group], parameters=local,
            vectors=None if vectors is None else _Subset(vectors, group), workers=workers,
            representatives=representatives)
        found.extend((group, theme) for theme in part)
        if number == 0:
            first_language_themes = max(1, len(part))
    # Back to global indices; then duplicates join their representative's theme across languages.
    theme_of = np.full(n, -1, dtype=np.int64)
    for number, (group, theme) in enumerate(found):
        theme_of[group[theme.members]] = number
    if duplicates is not None:
        for duplicate in duplicates.groups:
            theme_of[duplicate.members] = theme_of[duplicate.representative]
    result = []
    for number, (group, theme) in enumerate(found):
        members = np.flatnonzero(theme_of == number)
        if not len(members):
            continue
        result.append(CandidateTheme(
            key_terms=theme.key_terms, members=members.tolist(),
            representatives=group[theme.representatives].tolist(),
            languages=dict(sorted(Counter(languages[i] for i in members).items())),
            stance=_stance_counts(stance, members)))
    result.sort(key=lambda theme: (-len(theme.members), theme.members[0]))
    return result


def _stance_counts(stance: Sequence[str] | None, members: np.ndarray) -> dict[str, int]:
    if stance is None:
        return {}
    counts = Counter(stance[i] for i in members)
    return {FOR: counts[FOR], AGAINST: counts[AGAINST], UNCLEAR: counts[UNCLEAR]}
