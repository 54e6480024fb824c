"""For / against / unclear for yes-no consultations, by transparent word rules per language.

Rules rather than a model: an analyst must be able to see why a reply counted
as "against", and there is no labelled stance data to learn from. The cues
are: the reply's opening word ("Yes, ...", "Nein, ..."), and agreement or
disagreement verbs anywhere, with a preceding negation flipping them ("I do
not support" is against).
"""

from __future__ import annotations

from collections.abc import Sequence

from .text import normalise
from .vectors import map_batches

FOR, AGAINST, UNCLEAR = "for", "against", "unclear"

# Opening answer words.
_YES = {
    "en": {"yes", "yeah", "yep", "absolutely", "definitely", "agree", "agreed", "support"},
    "de": {"ja", "jawohl", "unbedingt", "dafür", "zustimmung", "absolut"},
    "fr": {"oui", "absolument", "favorable", "daccord"},
    "es": {"sí", "si", "claro", "absolutamente", "favor"},
    "it": {"sì", "si", "certo", "favorevole", "assolutamente"},
    "pt": {"sim", "claro", "favorável", "concordo"},
    "nl": {"ja", "zeker", "akkoord", "eens"},
    "pl": {"tak", "zdecydowanie", "popieram"},
}
_NO = {
    "en": {"no", "nope", "never", "disagree", "oppose", "against"},
    "de": {"nein", "niemals", "dagegen", "ablehnung", "keinesfalls"},
    "fr": {"non", "jamais", "contre", "défavorable"},
    "es": {"no", "nunca", "contra", "jamás"},
    "it": {"no", "mai", "contrario", "contro"},
    "pt": {"não", "nunca", "contra", "discordo"},
    "nl": {"nee", "neen", "nooit", "tegen", "oneens"},
    "pl": {"nie", "nigdy", "przeciw", "sprzeciw"},
}
# Phrases anywhere in the reply (matched on normalised text, padded with spaces).
_FOR_PHRASES = {
    "en": ["i agree", "we agree", "i support", "we support", "in favour", "in favor", "i welcome", "good idea",
           "great idea", "fully support", "strongly support", "i am for"],
    "de": ["ich bin dafür", "wir sind dafür", "stimme zu", "stimmen zu", "ich unterstütze", "wir unterstützen",
           "befürworte", "gute idee", "einverstanden", "begrüße", "begrüßen"],
    "fr": ["je suis pour", "je soutiens", "nous soutenons", "je suis d accord", "bonne idée", "favorable"],
    "es": ["estoy de acuerdo", "a favor", "apoyo", "buena idea"],
    "it": ["sono d accordo", "sono favorevole", "sostengo", "buona idea"],
    "pt": ["concordo", "a favor", "apoio", "boa ideia"],
    "nl": ["ik ben voor", "mee eens", "ik steun", "goed idee"],
    "pl": ["popieram", "zgadzam się", "jestem za", "dobry pomysł"],
}
_AGAINST_PHRASES = {
    "en": ["i disagree", "we disagree", "i oppose", "we oppose", "i object", "against this", "against the",
           "bad idea", "terrible idea", "strongly oppose", "i reject", "i am against", "do not agree", "don t agree",
           "do not support", "don t support", "cannot support", "can t support"],
    "de": ["ich bin dagegen", "wir sind dagegen", "ich lehne", "wir lehnen", "lehne ab", "ablehnen", "schlechte idee",
           "nicht einverstanden", "spreche mich gegen", "widerspreche", "stimme nicht zu", "nicht dafür"],
    "fr": ["je suis contre", "je m oppose", "pas d accord", "mauvaise idée", "défavorable"],
    "es": ["no estoy de acuerdo", "en contra", "me opongo", "mala idea"],
    "it": ["non sono d accordo", "sono contrario", "mi oppongo", "cattiva idea"],
    "pt": ["discordo", "sou contra", "me oponho", "má ideia"],
    "nl": ["ik ben tegen", "niet mee eens", "oneens", "slecht idee"],
    "pl": ["nie zgadzam się", "jestem przeciw", "sprzeciwiam się", "zły pomysł"],
}
# A negation just before a "for" phrase turns it around ("I do not agree", "ich stimme nicht zu").
_NEGATIONS = {"not", "dont", "don", "never", "nicht", "kein", "keine", "nie", "pas", "no", "non", "niet", "não", "nem"}

# Everything stance-bearing, so that theme key terms can leave it out.
STANCE_WORDS: frozenset[str] = frozenset(
    word
    for table in (_YES, _NO, _FOR_PHRASES, _AGAINST_PHRASES)
    for entries in table.values()
    for entry in entries
    for word in entry.split()
)


def _lexicon(language: str) -> list[str]:
    # Unknown language ("" or one without rules): try every language's rules.
    return [language] if language in _YES else list(_YES)


def _phrase_hits(padded: str, phrases: list[str], negated_words: set[str]) -> tuple[int, int]:
    """(plain hits, negated hits) of the phrases in the padded normalised text."""
    plain = negated = 0
    for phrase in phrases:
        start = padded.find(f" {phrase} ")
        while start >= 0:
            before = padded[:start].split()[-2:]
            if negated_words.intersection(before):
                negated += 1
            else:
                plain += 1
            start = padded.find(f" {phrase} ", start + 1)
    return plain, negated


def stance_of(text: str, language: str) -> str:
    words = normalise(text).split()
    if not words:
        return UNCLEAR
    padded = " " + " ".join(words) + " "
    score = 0
    for code in _lexicon(language):
        # The first word is the direct answer and weighs more than later cues.
        if words[0] in _YES[code] and not (len(words) > 1 and words[1] in _NEGATIONS):
            score += 2
        elif words[0] in _NO[code]:
            score -= 2
        plain_for, negated_for = _phrase_hits(padded, _FOR_PHRASES[code], _NEGATIONS)
        plain_against, negated_against = _phrase_hits(padded, _AGAINST_PHRASES[code], set())
        score += plain_for - negated_for - plain_against - negated_against
    if score > 0:
        return FOR
    if score < 0:
        return AGAINST
    return UNCLEAR


def _stance_batch(pairs: Sequence[tuple[str, str]]) -> list[str]:
    return [stance_of(text, language) for text, language in pairs]


def detect_stance(texts: Sequence[str], languages: Sequence[str], *, workers: int | None = None) -> list[str]:
    """FOR, AGAINST or UNCLEAR per text; languages[i] chooses the word rules ("" = all)."""
    if len(texts) != len(languages):
        raise ValueError("texts and languages must have the same length")
    batches = map_batches(_stance_batch, list(zip(texts, languages, strict=True)), workers=workers)
    return [stance for batch in batches for stance in batch]
