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
        translations = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in translations:
            assert set(PLACEHOLDER.findall(text)) == expected, entry.msgid


@pytest.mark.parametrize("language,word", [("es", "Partes interesadas"), ("fr", "Parties prenantes")])
def test_compiled_catalogue_is_used(language, word):
    with translation.override(language):
        assert translation.gettext("Stakeholders") == word
