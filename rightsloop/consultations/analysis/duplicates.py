"""Identical answers, near-identical answers and organised campaigns (many edited copies of one template).

Exact (shown as "identical answers"): equal after normalise() (case, whitespace and punctuation ignored).
Near: Jaccard similarity of the two word sets >= near_threshold. Candidate pairs
come from MinHash locality-sensitive hashing, so the cost grows with the number
of texts, not with its square; each candidate is then checked exactly.

"Organised campaign" is a claim about coordination, so a group earns it only by showing it: a template sent by
many people with their own edits. Size alone shows nothing: "I agree" or "No" comes back thousands of times
from people who never met, so a group whose members all say the same text is "identical answers" at any size.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.feature_extraction.text import HashingVectorizer

from .text import ANY_WORD_REGEX, normalise
from .vectors import map_batches

EXACT, NEAR, CAMPAIGN = "exact", "near", "campaign"

# 8 bands of 4 MinHash values: a pair with Jaccard 0.8 shares at least one band
# with probability 0.985, a pair at 0.3 with 0.06, an unrelated pair almost never.
_BANDS, _ROWS = 8, 4
# A Mersenne prime below the products a*x+b (< 2**55), so the modulus really scrambles the order.
_PRIME = np.uint64((1 << 31) - 1)
# All words count here (stop words included): "I support X" and "I oppose X" must differ.
_word_sets = HashingVectorizer(
    n_features=2**24, token_pattern=ANY_WORD_REGEX, alternate_sign=False, norm=None, binary=True, dtype=np.float32
)


@dataclass(frozen=True)
class DuplicateGroup:
    kind: str  # "exact" | "near" | "campaign"
    representative: int  # index of the member shown for the group
    members: list[int]  # all indices, representative included, sorted
    variants: int = 1  # distinct texts among the members, after normalise()


@dataclass(frozen=True)
class Duplicates:
    groups: list[DuplicateGroup]  # only groups of size >= 2, ordered by size desc then representative

    def excluded_from_discovery(self, n: int) -> np.ndarray:
        """True for every group member that is not its group's representative."""
        mask = np.zeros(n, dtype=bool)
        for group in self.groups:
            mask[group.members] = True
            mask[group.representative] = False
        return mask


def _minhash(word_sets: sp.csr_matrix, seed: int) -> np.ndarray:
    """(rows, bands) uint64 band keys; rows without words get distinct keys of their own."""
    rng = np.random.default_rng(seed)
    count = _BANDS * _ROWS
    a = rng.integers(1, (1 << 31) - 1, size=count, dtype=np.uint64)
    b = rng.integers(0, (1 << 31) - 1, size=count, dtype=np.uint64)
    n = word_sets.shape[0]
    signature = np.full((n, count), np.iinfo(np.uint64).max, dtype=np.uint64)
    lengths = np.diff(word_sets.indptr)
    filled = np.flatnonzero(lengths)
    if filled.size:
        tokens = word_sets.indices.astype(np.uint64)
        starts = word_sets.indptr[filled]
        for k in range(count):
            # a*x+b stays below 2**56 for x < 2**24: no uint64 overflow before the modulus.
            hashed = (a[k] * tokens + b[k]) % _PRIME
            signature[filled, k] = np.minimum.reduceat(hashed, starts)
    keys = np.empty((n, _BANDS), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(_BANDS):
            key = np.zeros(n, dtype=np.uint64)
            for value in signature[:, band * _ROWS : (band + 1) * _ROWS].T:
                key = key * np.uint64(0x9E3779B97F4A7C15) + value  # wrap-around mixing is intended
            keys[:, band] = key
    empty = lengths == 0
    keys[empty] = np.arange(np.count_nonzero(empty), dtype=np.uint64)[:, None] + np.uint64(1 << 63)
    return keys


def _candidate_pairs(keys: np.ndarray) -> np.ndarray:
    """Pairs (row, first row with the same band key), over all bands.

    Pairing with the bucket's first row instead of all pairs keeps a bucket of
    100,000 campaign copies linear; the other bands make up for the pairs missed.
    """
    pairs = []
    for band in range(keys.shape[1]):
        _, first, inverse = np.unique(keys[:, band], return_index=True, return_inverse=True)
        leader = first[inverse]
        rows = np.flatnonzero(leader != np.arange(len(leader)))
        if rows.size:
            pairs.append(np.column_stack([rows, leader[rows]]))
    if not pairs:
        return np.empty((0, 2), dtype=np.int64)
    return np.unique(np.concatenate(pairs), axis=0)


def _jaccard(word_sets: sp.csr_matrix, pairs: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    result = np.empty(len(pairs), dtype=np.float32)
    for start in range(0, len(pairs), 200_000):
        chunk = pairs[start : start + 200_000]
        shared = np.asarray(word_sets[chunk[:, 0]].multiply(word_sets[chunk[:, 1]]).sum(axis=1)).ravel()
        union = sizes[chunk[:, 0]] + sizes[chunk[:, 1]] - shared
        result[start : start + len(chunk)] = shared / np.maximum(union, 1)
    return result


CAMPAIGN_SHARE = 0.0005  # 500 in a million; organised campaigns are measured in tenths of a percent and up
# A template shows its edits: at least this share of a campaign's members differ from its most common text.
# Below it (one stray edit among thousands of copies of a common sentence) the group is near-identical answers.
CAMPAIGN_EDITED_SHARE = 0.01


def group_kind(*, size: int, variants: int, most_common: int, campaign_min: int) -> str:
    """The kind of a group of `size` members holding `variants` distinct texts, the most common `most_common` times.

    A campaign needs the campaign threshold (campaign_min members, already raised to the share of all texts)
    AND variations: two distinct texts or more, and at least CAMPAIGN_EDITED_SHARE of the members (one at least)
    differing from the most common text. Every member the same text: identical answers ("exact"), whatever
    the size.
    """
    if variants <= 1:
        return EXACT
    edited = size - most_common
    if size >= campaign_min and edited >= max(1, math.ceil(CAMPAIGN_EDITED_SHARE * size)):
        return CAMPAIGN
    return NEAR


def find_duplicates(
    texts: Sequence[str],
    *,
    near_threshold: float = 0.8,
    campaign_min: int = 10,
    seed: int = 0,
    workers: int | None = None,
    campaign_share: float = CAMPAIGN_SHARE,
) -> Duplicates:
    """Groups of texts that say the same thing; empty texts are never duplicates of each other.

    A group is a campaign from campaign_min members and from campaign_share of all texts (in a million responses
    the same short answer, "Nothing.", comes back hundreds of times without anyone organising it), and only when
    its members vary the template (group_kind).
    """
    n = len(texts)
    campaign_min = max(campaign_min, math.ceil(campaign_share * n))
    normalised = map_batches(lambda batch: [normalise(text) for text in batch], list(texts), workers=workers)
    keys: dict[str, int] = {}
    unique_of = np.empty(n, dtype=np.int64)  # text index -> index of its distinct normalised form
    unique_texts: list[str] = []
    for index, text in enumerate(item for batch in normalised for item in batch):
        position = keys.get(text)
        if position is None:
            position = keys[text] = len(unique_texts)
            unique_texts.append(text)
        unique_of[index] = position
    del normalised, keys

    m = len(unique_texts)
    parts = map_batches(_word_sets.transform, unique_texts, workers=workers)
    word_sets = sp.vstack(parts, format="csr") if parts else sp.csr_matrix((0, 2**24), dtype=np.float32)
    word_sets.sort_indices()
    sizes = np.diff(word_sets.indptr).astype(np.float32)
    pairs = _candidate_pairs(_minhash(word_sets, seed)) if m > 1 else np.empty((0, 2), dtype=np.int64)
    if len(pairs):
        pairs = pairs[_jaccard(word_sets, pairs, sizes) >= near_threshold]
    graph = sp.coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
    _, component_of_unique = connected_components(graph, directed=False)

    component = component_of_unique[unique_of]
    component[sizes[unique_of] == 0] = -1  # empty texts stay out of every group
    order = np.argsort(component, kind="stable")  # members end up sorted by index within a component
    boundaries = np.flatnonzero(np.diff(component[order])) + 1
    groups = []
    for members in np.split(order, boundaries):
        if len(members) < 2 or component[members[0]] < 0:
            continue
        counts = np.unique(unique_of[members], return_counts=True)[1]
        kind = group_kind(size=len(members), variants=len(counts), most_common=int(counts.max()),
                          campaign_min=campaign_min)
        groups.append(DuplicateGroup(kind=kind, representative=int(members[0]), members=members.tolist(),
                                     variants=len(counts)))
    groups.sort(key=lambda group: (-len(group.members), group.representative))
    return Duplicates(groups=groups)
