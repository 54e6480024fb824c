"""Language of each submission, offline, with py3langid's bundled model."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

from .text import normalise
from .vectors import map_batches

# Fewer letters than this and the n-gram model is guessing ("ok", "Nein!" are
# better left unknown than confidently labelled Latin or Xhosa).
MIN_LETTERS = 4
# Probability (length-calibrated by py3langid) below which we say "unsure".
MIN_CONFIDENCE = 0.5
# The first characters decide the language; reading a 5,000-word essay whole
# only costs time.
PREFIX = 200


@cache
def _identifier(candidates: tuple[str, ...] | None) -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    if candidates:
        identifier.set_languages(list(candidates))
    return identifier


def _detect_batch(texts: Sequence[str], candidates: tuple[str, ...] | None) -> list[str]:
    identifier = _identifier(candidates)
    seen: dict[str, str] = {}  # campaigns repeat the same text many times
    result = []
    for text in texts:
        prefix = (text or "")[:PREFIX]
        key = normalise(prefix)
        if key not in seen:
            if sum(char.isalpha() for char in key) < MIN_LETTERS:
                seen[key] = ""
            else:
                language, confidence = identifier.classify(prefix)
                seen[key] = language if confidence >= MIN_CONFIDENCE else ""
        result.append(seen[key])
    return result


def detect_languages(
    texts: Sequence[str], *, candidates: Sequence[str] | None = None, workers: int | None = None
) -> list[str]:
    """ISO 639-1 code per text, "" when too short or unsure.

    candidates restricts the model to the languages a consultation expects, which
    is both faster and more accurate on short texts; None keeps all ~97.
    """
    chosen = tuple(sorted(set(candidates))) if candidates else None
    batches = map_batches(lambda batch: _detect_batch(batch, chosen), list(texts), workers=workers)
    return [code for batch in batches for code in batch]
