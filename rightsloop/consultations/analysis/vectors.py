"""One sparse vectorisation shared by discovery and assignment, and the batch runner for large inputs.

Features are *hashed* (no vocabulary to fit), so any slice of the texts can be
vectorised independently: by another process, in any order, with the same
result. That is what lets a million texts be processed in fixed-size batches
on all cores without holding every feature matrix in memory at once.

Two blocks, both sublinear tf-idf and L2-normalised before being joined:
- words: unigrams and bigrams without stop words (what a reader calls the subject);
- chars: character 4-grams inside word boundaries, so that German compounds
  ("Radweg", "Radwegbenutzungspflicht") and inflected forms share features.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from joblib.externals.loky import get_reusable_executor
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

from .text import WORD_REGEX, stop_words_list

WORD_FEATURES = 2**20
CHAR_FEATURES = 2**20

# Below this many texts, starting processes costs more than it saves. The environment may lower both (the test
# that stops a real task worker mid-run uses a small consultation); the engine itself reads no Django settings.
PARALLEL_MIN = int(os.environ.get("RIGHTSLOOP_ANALYSIS_PARALLEL_MIN", 20_000))
BATCH = int(os.environ.get("RIGHTSLOOP_ANALYSIS_BATCH", 25_000))

_words = HashingVectorizer(
    n_features=WORD_FEATURES,
    token_pattern=WORD_REGEX,
    stop_words=stop_words_list(),
    ngram_range=(1, 2),
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)
_chars = HashingVectorizer(
    n_features=CHAR_FEATURES,
    analyzer="char_wb",
    ngram_range=(4, 4),
    alternate_sign=False,
    norm=None,
    dtype=np.float32,
)


def word_counts(texts: Sequence[str]) -> sp.csr_matrix:
    return _words.transform(texts)


def char_counts(texts: Sequence[str]) -> sp.csr_matrix:
    # Only the first 1,000 characters: enough to know what a text is about, and
    # it bounds the cost of the occasional pasted essay.
    return _chars.transform([text[:1000] for text in texts])


@dataclass(frozen=True)
class Weighting:
    """Inverse document frequencies for both blocks, estimated once (from a sample at scale)."""

    word_idf: np.ndarray
    char_idf: np.ndarray | None

    @classmethod
    def fit(cls, words: sp.csr_matrix, chars: sp.csr_matrix | None) -> Weighting:
        return cls(word_idf=_idf(words), char_idf=None if chars is None else _idf(chars))

    def apply(self, words: sp.csr_matrix, chars: sp.csr_matrix | None) -> sp.csr_matrix:
        blocks = [_tfidf(words, self.word_idf)]
        if chars is not None and self.char_idf is not None:
            blocks.append(_tfidf(chars, self.char_idf))
        if len(blocks) == 1:
            return blocks[0]
        # Each block is unit length, so the joined row has length sqrt(2); rescale
        # so cosine similarities stay in 0..1.
        joined = sp.hstack(blocks, format="csr", dtype=np.float32)
        joined.data *= np.float32(1 / np.sqrt(2))
        return joined


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    n = counts.shape[0]
    df = np.bincount(counts.indices, minlength=counts.shape[1]).astype(np.float32)
    # Smooth idf, as scikit-learn's TfidfVectorizer(smooth_idf=True).
    return (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)


def _tfidf(counts: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    weighted = counts.astype(np.float32, copy=True)
    np.log1p(weighted.data, out=weighted.data)
    weighted.data *= idf[weighted.indices]
    return normalize(weighted, copy=False)


@dataclass(frozen=True)
class TextVectors:
    """Raw hashed counts for every text, computed once and passed to several stages."""

    words: sp.csr_matrix
    chars: sp.csr_matrix | None

    def rows(self, index: np.ndarray | slice) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
        return self.words[index], None if self.chars is None else self.chars[index]


def _counts_batch(texts: Sequence[str], chars: bool) -> tuple[sp.csr_matrix, sp.csr_matrix | None]:
    return word_counts(texts), char_counts(texts) if chars else None


def vectorise(texts: Sequence[str], *, chars: bool = True, workers: int | None = None) -> TextVectors:
    """Hashed word (and char) counts for all texts; weight them with a Weighting."""
    parts = map_batches(lambda batch: _counts_batch(batch, chars), texts, workers=workers)
    if not parts:
        empty = sp.csr_matrix((0, WORD_FEATURES), dtype=np.float32)
        return TextVectors(words=empty, chars=sp.csr_matrix((0, CHAR_FEATURES), dtype=np.float32) if chars else None)
    words = sp.vstack([part[0] for part in parts], format="csr")
    char_matrix = sp.vstack([part[1] for part in parts], format="csr") if chars else None
    return TextVectors(words=words, chars=char_matrix)


# --- batches over processes -------------------------------------------------------------------------------------
#
# The batches go to loky's reusable executor (shipped inside joblib): fresh interpreters started by exec, not forked
# from the caller, so a child never inherits the task worker's signal handlers, locks or database connections. (A
# forked child that caught the worker's SIGTERM while its parent held the pool's lock never exited, and the worker
# waited on it for ever: issue 11.) Each child also dies with the process that started it, however that process
# ends (a SIGKILL included), and idle children exit after IDLE_SECONDS. Each batch travels pickled (cloudpickle, so
# closures work); the results come back in order.
IDLE_SECONDS = 120
PR_SET_PDEATHSIG = 1


def _die_with_parent(parent: int) -> None:
    """Run first in each child: the kernel sends SIGKILL when the parent ends (Linux; exec cleared any earlier
    setting, so it is set here), and a parent already gone ends the child at once."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(0)


def default_workers() -> int:
    return max(1, min(4, os.cpu_count() or 1))


def map_batches(function: Callable, items: Sequence, *, workers: int | None = None, batch: int | None = None) -> list:
    """[function(items[a:b]) for consecutive batches], in order, on several processes when it pays."""
    n = len(items)
    batch = batch or BATCH
    bounds = [(start, min(start + batch, n)) for start in range(0, n, batch)]
    workers = default_workers() if workers is None else workers
    if workers <= 1 or n < PARALLEL_MIN or len(bounds) < 2:
        return [function(items[start:stop]) for start, stop in bounds]
    executor = get_reusable_executor(max_workers=min(workers, len(bounds)), timeout=IDLE_SECONDS,
                                     initializer=_die_with_parent, initargs=(os.getpid(),))
    return list(executor.map(function, [items[start:stop] for start, stop in bounds]))
