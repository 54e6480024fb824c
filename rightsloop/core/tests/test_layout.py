"""Phone layout without a browser: list pages fold their filters, card tables name their cells, and the user guide
shows only screenshots that exist (the browser walk, test_browser_pages.py, takes them and checks the pages)."""

import re
from pathlib import Path

from django import forms
from django.http import QueryDict

from rightsloop.core.templatetags.rightsloop import filters_applied

ROOT = Path(__file__).resolve().parents[3]
TEMPLATES = sorted((ROOT / "rightsloop").glob("*/templates/**/*.html"))
GUIDE = ROOT / "docs" / "guide"


class Filters(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.MultipleChoiceField(required=False, choices=[("affected", "affected"), ("expert", "expert")])


def test_filters_count_as_applied_only_when_the_request_chose_one():
    assert not filters_applied(Filters())
    assert not filters_applied(Filters(QueryDict("q=&page=3")))
    assert filters_applied(Filters(QueryDict("q=riders")))
    assert filters_applied(Filters(QueryDict("kind=expert")))


def test_every_list_filter_folds_behind_one_button():
    unfolded = []
    for path in TEMPLATES:
        text = path.read_text()
        for match in re.finditer(r'<form [^>]*class="filters card"', text):
            before = text[:match.start()].rstrip()
            if not re.search(r'<details class="filters-toggle"[^\n]*<summary>[^\n]*</summary>$', before):
                unfolded.append(str(path.relative_to(ROOT)))
    assert not unfolded, f"filter forms not inside <details class=\"filters-toggle\">: {unfolded}"


def test_every_card_table_names_its_cells():
    """A table that becomes cards on a phone labels each column but its first (the card's title)."""
    unnamed = []
    for path in TEMPLATES:
        text = path.read_text()
        for match in re.finditer(r'<table class="(?:[\w-]+ )*cards[" ].*?</table>', text, re.S):
            table = match.group(0)
            head = re.search(r"<thead>.*?</thead>", table, re.S).group(0)
            shown = [th for th in re.findall(r"<th[^>]*>(.*?)</th>", head) if "visually-hidden" not in th]
            labels = re.findall(r'<td[^>]* data-label="', table)
            if len(labels) < len(shown) - 1:
                unnamed.append(f"{path.relative_to(ROOT)}: {len(labels)} labels for {len(shown)} columns")
    assert not unnamed, unnamed


def test_the_guide_shows_only_screenshots_that_exist():
    shown = set()
    for page in GUIDE.glob("*.md"):
        shown |= set(re.findall(r"\((screenshots/[a-z0-9-]+-\d+\.png)\)", page.read_text()))
    assert shown, "the guide shows the pages it describes"
    missing = sorted(name for name in shown if not (GUIDE / name).is_file())
    assert not missing, f"run `make guide-screenshots`: {missing}"
    widths = {int(re.search(r"-(\d+)\.png$", name).group(1)) for name in shown}
    assert widths == {390, 1366}, "the guide shows pages at a phone's width and a desktop's"
