"""Spanish and French are complete: every string translated, no fuzzy entry, placeholders intact."""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

LOCALE = Path(settings.BASE_DIR) / "rightsloop" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.mark.parametrize("language", ["es", "fr"])
def test_catalogue_is_complete(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    assert len(catalogue) > 300
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    assert untranslated == [] and fuzzy == []
    for entry in catalogue:
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == expected, entry.msgid
            continue
        # A singular may leave the number out ("this theme") where the plural names it ("these %(n)s themes"):
        # the first form follows either, every other form carries the plural's placeholders (as msgfmt checks).
        plural = set(PLACEHOLDER.findall(entry.msgid_plural))
        for index, text in entry.msgstr_plural.items():
            found = set(PLACEHOLDER.findall(text))
            assert found in (expected, plural) if int(index) == 0 else found == plural, entry.msgid


@pytest.mark.parametrize("language,word", [("es", "Partes interesadas"), ("fr", "Parties prenantes")])
def test_compiled_catalogue_is_used(language, word):
    with translation.override(language):
        assert translation.gettext("Stakeholders") == word
