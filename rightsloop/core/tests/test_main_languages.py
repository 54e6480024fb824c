"""A country's main languages, read from CLDR's territory data: the lingua franca first, varieties folded in."""

import pytest

from rightsloop.core.languages import main_languages


@pytest.mark.parametrize(("country", "expected"), [
    ("KE", ("sw", "en", "ki")),   # Swahili before English: the lingua franca leads
    ("IN", ("hi", "en")),
    ("EG", ("ar", "en")),        # Egyptian Arabic folds into Arabic
    ("MA", ("ar", "fr", "en")),  # French is de facto official
    ("NG", ("en", "ha", "ig", "yo")),  # Nigerian Pidgin folds into English
    ("ke", ("sw", "en", "ki")),  # codes are read case-insensitively
    ("XX", ()),
    ("", ()),
])
def test_main_languages(country, expected):
    assert main_languages(country) == expected
