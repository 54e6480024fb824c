"""Language detection on clear sentences (no database)."""

from ..analysis.languages import detect_languages

SENTENCES = {
    "en": "The council should build more safe cycle lanes near the primary schools in our town.",
    "de": "Die Stadt sollte mehr sichere Radwege in der Nähe der Grundschulen bauen, das wäre wichtig.",
    "fr": "La ville devrait construire davantage de pistes cyclables sûres près des écoles primaires.",
    "es": "El ayuntamiento debería construir más carriles bici seguros cerca de las escuelas primarias.",
}


def test_clear_sentences_get_their_language():
    codes = list(SENTENCES)
    assert detect_languages([SENTENCES[code] for code in codes]) == codes


def test_candidates_restrict_the_answer_and_short_texts_are_unknown():
    detected = detect_languages([SENTENCES["de"], "ok", "", "!!!"], candidates=["en", "de"])
    assert detected == ["de", "", "", ""]


def test_result_is_parallel_to_the_input_and_repeatable():
    texts = [SENTENCES[code] for code in ("es", "en", "es", "fr")] * 3
    first = detect_languages(texts)
    assert first == detect_languages(texts)
    assert first == ["es", "en", "es", "fr"] * 3
