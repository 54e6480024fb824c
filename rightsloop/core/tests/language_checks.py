"""Checks that a page or a message speaks the language it claims: used by the languages' acceptance tests.

`leftover_english(text_or_html, language)` names every piece of fixed text (a text node, a label, a line of a
plain-text email) that is still the English msgid of a catalogue entry the language translates differently:
the sign of a string rendered outside its language (a `translation.override` missing, a lazy string forced too
early, a template outside the catalogue). Entries the catalogue does not translate yet are left to
test_translations.py, so a string added today and not yet translated does not fail these tests.
"""

from __future__ import annotations

import gettext
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

from django.utils import translation

# Text in these elements is not fixed text of ours (scripts, styles), or is the person's own words.
_SKIPPED = {"script", "style", "blockquote", "textarea"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# Attributes that people read (or hear, through a screen reader).
_READ_ATTRIBUTES = {"aria-label", "title", "placeholder", "alt"}
_LETTERS = re.compile(r"[^\W\d_]{3,}")


LOCALE = Path(__file__).resolve().parents[2] / "locale"


@cache
def translated_msgids(language: str) -> frozenset[str]:
    """The English msgids (no context, no plural) of our catalogue that `language` translates into something else.

    Django's own catalogue is left out: its language and month names are often written the same in another
    language ("Thai" in Indonesian). So is a msgid that is also what the language writes for another entry
    (French writes "Consultations" for "Engagements"), so seeing it proves nothing.
    """
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        entries = list(gettext.GNUTranslations(compiled)._catalog.items())
    written = {msgstr.casefold() for _msgid, msgstr in entries}
    return frozenset(
        msgid for msgid, msgstr in entries
        if isinstance(msgid, str) and msgid and "\x04" not in msgid and msgstr and msgstr != msgid
        and msgid.casefold() not in written and _LETTERS.search(msgid)
    )


def translate(msgid: str, language: str) -> str:
    """The catalogue's msgstr for `msgid` in `language` (the msgid itself when it has none)."""
    with translation.override(language):
        return translation.gettext(msgid)


class _Texts(HTMLParser):
    """Text nodes and read attributes, leaving out what is marked as another language (a language's own name in
    a switcher, a stakeholder's words) and what is not ours to translate."""

    def __init__(self, language: str):
        super().__init__(convert_charrefs=True)
        self.language = language
        self.texts: list[str] = []
        self._skipping: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        # The document's own lang is checked apart (html_language): what it claims must not hide what it says.
        other_language = tag != "html" and attributes.get("lang", self.language).split("-")[0] not in (
            self.language, "")
        if tag in _VOID:
            if not (self._skipping or other_language):
                self._read(tag, attributes)
            return
        if self._skipping or tag in _SKIPPED or other_language:
            self._skipping.append(tag)
            return
        self._read(tag, attributes)

    def _read(self, tag, attributes):
        for name, value in attributes.items():
            if name in _READ_ATTRIBUTES and value:
                self.texts.append(value)
        if tag == "input" and attributes.get("type") in ("submit", "button"):
            self.texts.append(attributes.get("value") or "")

    def handle_endtag(self, tag):
        # Closing a skipped element closes whatever was left open inside it (an <li> without its </li>).
        if tag in self._skipping:
            while self._skipping.pop() != tag:
                pass

    def handle_data(self, data):
        if not self._skipping:
            self.texts.append(data)


def texts_of(html: str, language: str) -> list[str]:
    """The text nodes and read attributes of an HTML document in `language`, stripped, spaces collapsed."""
    parser = _Texts(language)
    parser.feed(html)
    return [" ".join(text.split()) for text in parser.texts if text.strip()]


def leftover_english(content: str, language: str, *, html: bool = True, ignore: tuple[str, ...] = ()) -> list[str]:
    """Every piece of `content` that is an English msgid `language` translates: fixed text left in English.

    `ignore` names data that may happen to equal a msgid (a title someone typed): never fixed text of ours.
    """
    if language == "en":
        return []
    known = translated_msgids(language)
    pieces = texts_of(content, language) if html else [" ".join(line.split()) for line in content.splitlines()]
    pieces = [piece.rstrip(":").strip() if piece.rstrip(":").strip() in known else piece for piece in pieces]
    return sorted({piece for piece in pieces if piece in known and piece not in ignore})


def html_language(html: str) -> tuple[str, str]:
    """The lang and dir of the document's <html> element."""
    found = re.search(r"<html\b([^>]*)>", html)
    assert found, "no <html> element"
    attributes = dict(re.findall(r'\b(lang|dir)="([^"]*)"', found.group(1)))
    return attributes.get("lang", ""), attributes.get("dir", "")
