"""Stance rules for yes/no consultations (no database)."""

import pytest

from ..analysis.stance import AGAINST, FOR, UNCLEAR, detect_stance


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Yes, absolutely. It is overdue.", "en", FOR),
        ("yes", "en", FOR),
        ("I strongly support this proposal.", "en", FOR),
        ("No. This would hurt small shops.", "en", AGAINST),
        ("I do not agree with the plan at all.", "en", AGAINST),
        ("I oppose the new bypass.", "en", AGAINST),
        ("Ja, unbedingt!", "de", FOR),
        ("Ich bin dafür, weil es sicherer wird.", "de", FOR),
        ("Nein, das ist zu teuer.", "de", AGAINST),
        ("Ich stimme nicht zu, das kostet zu viel.", "de", AGAINST),
        ("Ich lehne den Vorschlag ab.", "de", AGAINST),
        ("The bus timetable changes in May.", "en", UNCLEAR),
        ("", "en", UNCLEAR),
    ],
)
def test_replies_get_the_expected_stance(text, language, expected):
    assert detect_stance([text], [language]) == [expected]


def test_unknown_language_tries_every_rule_set():
    assert detect_stance(["Nein danke", "Oui, bien sûr", "Tak, popieram"], ["", "", ""]) == [AGAINST, FOR, FOR]


def test_lengths_must_match():
    with pytest.raises(ValueError, match="same length"):
        detect_stance(["yes"], [])
