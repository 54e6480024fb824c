"""Every interface language is complete: every string of the code translated, no fuzzy entry, placeholders intact.

The catalogue is regenerated from the code first (makemessages over a scratch copy of the package, as
`make makemessages` runs it), so a string added to the code but never extracted fails here too, not only
one extracted and left untranslated. The committed catalogues are never written.
"""

import os
import re
import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

PACKAGE = Path(settings.BASE_DIR) / "rightsloop"
LOCALE = PACKAGE / "locale"
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES if code != "en")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
# What `make makemessages` leaves out (Makefile), and what holds no strings.
IGNORED = ("tests", "conftest.py", "demo", "__pycache__", "static", "migrations", "*.mo")


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory) -> dict[str, polib.POFile]:
    """Each language's catalogue as makemessages would leave it now: the committed one merged with the code."""
    scratch = tmp_path_factory.mktemp("catalogue") / "rightsloop"
    shutil.copytree(PACKAGE, scratch, ignore=shutil.ignore_patterns(*IGNORED))
    here = Path.cwd()
    try:
        os.chdir(scratch)
        # LOCALE_PATHS names the committed catalogues; emptied, makemessages writes only to the copy's locale/.
        with override_settings(LOCALE_PATHS=[]):
            call_command("makemessages", locale=list(LANGUAGES), no_obsolete=True, verbosity=0,
                         ignore_patterns=["tests", "conftest.py", "demo"])
    finally:
        os.chdir(here)
    return {language: polib.pofile(str(scratch / "locale" / language / "LC_MESSAGES" / "django.po"))
            for language in LANGUAGES}


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_complete(language, regenerated):
    catalogue = regenerated[language]
    assert len(catalogue) > 300
    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
    forms = int(re.search(r"nplurals=(\d+)", catalogue.metadata["Plural-Forms"]).group(1))
    assert untranslated == [], (f"{len(untranslated)} strings without a {language} translation "
                                f"(make makemessages, then translate): " + " | ".join(untranslated))
    assert fuzzy == [], f"{len(fuzzy)} fuzzy {language} entries to check: " + " | ".join(fuzzy)
    for entry in catalogue:
        expected = set(PLACEHOLDER.findall(entry.msgid))
        if not entry.msgid_plural:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == expected, entry.msgid
            continue
        # A singular may leave the number out ("this theme") where the plural names it ("these %(n)s themes"):
        # the first form follows either, every other form carries the plural's placeholders (as msgfmt checks).
        plural = set(PLACEHOLDER.findall(entry.msgid_plural))
        # Every form the language declares (Spanish has three), or msgfmt -c refuses the catalogue.
        assert sorted(int(index) for index in entry.msgstr_plural) == list(range(forms)), entry.msgid
        for index, text in entry.msgstr_plural.items():
            found = set(PLACEHOLDER.findall(text))
            assert found in (expected, plural) if int(index) == 0 else found == plural, entry.msgid


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_committed_catalogue_is_what_the_code_extracts(language, regenerated):
    """Nothing in the committed catalogue is missing from the regenerated one: the check reads the real strings."""
    committed = {entry.msgid for entry in polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
                 if not entry.obsolete}
    current = {entry.msgid for entry in regenerated[language]}
    assert len(committed & current) > 0.9 * len(committed)


@pytest.mark.parametrize(("language", "word"), [
    ("es", "Partes interesadas"), ("fr", "Parties prenantes"), ("ar", "أصحاب المصلحة"), ("pt", "Partes interessadas"),
    ("sw", "Wadau"), ("id", "Pemangku kepentingan"), ("hi", "हितधारक"),
])
def test_compiled_catalogue_is_used(language, word):
    with translation.override(language):
        assert translation.gettext("Stakeholders") == word


def test_eight_languages_including_one_right_to_left():
    """The issue's floor (G4): at least eight interface languages, Arabic among them, read right to left."""
    from rightsloop.core.languages import direction

    codes = [code for code, _name in settings.LANGUAGES]
    assert len(codes) >= 8 and {"en", "es", "fr", "ar", "pt", "sw", "id", "hi"} <= set(codes)
    assert [code for code in codes if direction(code) == "rtl"] == ["ar"]
