"""Languages are named in the reader's language: pycountry's ISO 639 catalogue, else CLDR's names through Babel."""

import pytest
from babel import Locale
from django.conf import settings
from django.utils import translation

from rightsloop.core import languages

OTHER_INTERFACE_LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


@pytest.mark.parametrize("language", OTHER_INTERFACE_LANGUAGES)
def test_no_language_is_left_named_in_english_where_the_reader_has_a_name_for_it(language):
    """pycountry has no Swahili catalogue at all and gaps in others (Kannada in Arabic, Swahili in Spanish):
    a page in Swahili said "English, Swahili" until CLDR filled them."""
    cldr = Locale.parse(language).languages
    with translation.override("en"):
        english = {code: languages.name(code) for code in ("sw", "en", "ar", "fr", "kn", "am", "hi", "ki")}
    with translation.override(language):
        named = {code: languages.name(code) for code in english}
    left_in_english = [code for code, shown in named.items()
                       if shown == english[code] and cldr.get(code, shown).casefold() != shown.casefold()]
    assert left_in_english == [], named


def test_names_read_as_the_language_writes_them():
    with translation.override("sw"):
        assert (languages.name("sw"), languages.name("en"), languages.name("ar")) == (
            "Kiswahili", "Kiingereza", "Kiarabu")
    with translation.override("es"):
        assert (languages.name("sw"), languages.name("en")) == ("Suajili", "Inglés")  # capitalised, as pycountry's
    with translation.override("ar"):
        assert languages.name("kn") == "الكانادا"
    with translation.override("en"):
        assert (languages.name("sw"), languages.name("xx")) == ("Swahili", "xx")
