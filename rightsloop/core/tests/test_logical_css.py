"""Right to left stays right: no physical left/right in the stylesheets nor in any style written in a template.

Use logical properties instead (docs/languages.md): margin-inline-start, padding-inline-end, inset-inline-start,
border-inline-start, text-align: start/end, float: inline-start. The only physical sides allowed are a printed
page's margin boxes (@top-right and the like): paper has no reading direction, and WeasyPrint has no logical ones.
"""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
STYLESHEETS = sorted((ROOT / "rightsloop" / "static" / "css").glob("*.css"))
TEMPLATES = sorted((ROOT / "rightsloop").glob("**/templates/**/*.html")) + sorted(
    (ROOT / "rightsloop" / "templates").glob("**/*.html"))

PHYSICAL = re.compile(
    r"(?<![\w-])(?:"
    r"(?:margin|padding|border|inset|scroll-margin|scroll-padding)-(?:left|right)(?:-[a-z]+)*"  # margin-left…
    r"|border-(?:top|bottom)-(?:left|right)-radius"
    r"|left|right"  # position offsets
    r")\s*:"
    r"|(?<![\w-])(?:text-align|float|clear|text-align-last)\s*:\s*(?:left|right)\b",
    re.I,
)
PAGE_MARGIN_BOX = re.compile(r"@(?:top|bottom)-(?:left|right)(?:-corner)?\b|@(?:left|right)-(?:top|middle|bottom)\b")
STYLE_ATTRIBUTE = re.compile(r"""\sstyle\s*=\s*(["'])(.*?)\1""", re.S | re.I)
STYLE_ELEMENT = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)


def physical_properties(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    css = PAGE_MARGIN_BOX.sub("", css)
    return [match.group(0) for match in PHYSICAL.finditer(css)]


def test_the_check_catches_what_it_should_and_nothing_else():
    assert physical_properties("a { margin-left: 1rem; text-align: right; left: 0; border-right-width: 2px }") == [
        "margin-left:", "text-align: right", "left:", "border-right-width:"]
    assert physical_properties("@page { @top-right { content: none } } /* margin-left: 0 */") == []
    assert physical_properties(".x { margin-inline-start: 1rem; text-align: start; inset-inline-end: 0;"
                               " border-inline-start: 1px solid; float: inline-start }") == []


def test_stylesheets_use_logical_properties_only():
    found = {f"{path.relative_to(ROOT)}: {prop}" for path in STYLESHEETS
             for prop in physical_properties(path.read_text())}
    assert STYLESHEETS and not found, sorted(found)


def test_styles_in_templates_use_logical_properties_only():
    found = set()
    for path in TEMPLATES:
        text = path.read_text()
        styles = [m.group(2) for m in STYLE_ATTRIBUTE.finditer(text)] + STYLE_ELEMENT.findall(text)
        found |= {f"{path.relative_to(ROOT)}: {prop}" for style in styles for prop in physical_properties(style)}
    assert TEMPLATES and not found, sorted(found)


def test_every_document_says_its_language_and_direction():
    """Each template that starts a document (staff base, portal, grievance, consultation and report pages, the
    feedback letter for email and PDF) puts lang and dir on <html>, so a right-to-left language lays out as one."""
    documents = [path for path in TEMPLATES if re.search(r"<html[\s>]", path.read_text())]
    bare = [str(path.relative_to(ROOT)) for path in documents
            if not re.search(r"<html[^>]*\slang=\"[^\"]+\"[^>]*\sdir=\"[^\"]+\"", path.read_text())]
    assert len(documents) >= 10 and not bare, bare
