"""Figures, dates and money per locale (core.formats): CLDR's patterns, the locale's own digits, no surprises."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from rightsloop.core import charts, formats

LANGUAGES = [code for code, _name in settings.LANGUAGES]
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"


def _only_digits(text: str) -> str:
    return re.sub(r"\D", "", formats.ascii_digits(text))


@hypothesis_settings(max_examples=60, deadline=None)
@given(language=st.sampled_from(LANGUAGES), value=st.integers(min_value=0, max_value=10**12))
def test_a_whole_number_keeps_its_digits_in_every_language(language, value):
    written = formats.number(value, language=language)
    assert _only_digits(written) == str(value)


@hypothesis_settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet="0123456789 ,.-/:%", max_size=30), language=st.sampled_from(LANGUAGES))
def test_digits_round_trip_through_the_locales_own_digits(text, language):
    assert formats.ascii_digits(formats.localise_digits(text, language)) == text


@hypothesis_settings(max_examples=80, deadline=None)
@given(language=st.sampled_from(LANGUAGES), country=st.sampled_from(["", "KE", "MA", "EG", "IN", "BR", "ZZ"]),
       value=st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
       share=st.floats(min_value=0, max_value=1, allow_nan=False),
       amount=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False),
       currency=st.sampled_from(["KES", "USD", "EUR", "INR", "BRL", "MAD", "IDR"]),
       day=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2200, 12, 31)),
       style=st.sampled_from(["short", "medium", "long", "full"]))
def test_every_interface_language_formats_anything_without_error(language, country, value, share, amount, currency,
                                                                  day, style):
    for text in (formats.number(value, language=language, country=country),
                 formats.percent(share, 1, language=language, country=country),
                 formats.money(amount, currency, language=language, country=country),
                 formats.date(day, style, language=language, country=country)):
        assert text and isinstance(text, str)
    assert str(day.year) in formats.ascii_digits(formats.date(day, "long", language=language, country=country))


def test_arabic_uses_arabic_indic_digits_and_its_own_signs_where_cldr_says_so():
    assert formats.number(1234567, language="ar") == "١٬٢٣٤٬٥٦٧"  # noqa: RUF001
    assert formats.percent(0.25, language="ar").startswith("٢٥٪")
    assert set(formats.date(datetime.date(2026, 12, 7), "long", language="ar")) & set(ARABIC_INDIC)
    # Arabic as Morocco writes it: Latin digits (CLDR's default for ar_MA).
    assert formats.number(1234, language="ar", country="MA") == "1.234"


def test_the_other_languages_keep_latin_digits_and_their_own_grouping():
    assert formats.number(1234567, language="hi") == "12,34,567"
    assert formats.number(1234567.5, 1, language="pt") == "1.234.567,5"
    assert formats.money(Decimal("1234.5"), "KES", language="sw") == "Ksh\u00a01,234.50"
    assert formats.date(datetime.date(2026, 12, 7), "long", language="fr") == "7 décembre 2026"


def test_the_filters_follow_the_active_language():
    page = Template('{% load figures %}{{ n|num }} {{ s|pct }} {{ a|money:"KES" }} {{ d|ldate:"short" }} {{ x|num }}')
    context = Context({"n": 1234, "s": 0.5, "a": 10, "d": datetime.date(2026, 12, 7), "x": None})
    with translation.override("ar"):
        arabic = page.render(context)
    with translation.override("en"):
        english = page.render(context)
    assert not re.search(r"[0-9]", arabic.replace("KES", "")) and "١٬٢٣٤" in arabic  # noqa: RUF001
    assert english.startswith("1,234 50% KES10.00 12/7/26") and english.endswith("—")


def test_chart_labels_are_written_in_the_pages_digits():
    rows = [{"label": "Kenya", "value": 1234, "url": ""}, {"label": "Egypt", "value": None, "url": ""}]
    with translation.override("ar"):
        bars = charts.bars("heard", "Heard", "", rows, label_heading="where", value_heading="n")
    numbers = [bar.number.text for bar in bars.bars]
    assert numbers[0] == "١٬٢٣٤" and "٥" in numbers[1]  # noqa: RUF001


@pytest.mark.parametrize("language", LANGUAGES)
def test_machine_formats_are_left_alone(language):
    # What programs and people copy stays ASCII: ISO dates and plain integers are not formatted here at all.
    with translation.override(language):
        assert datetime.date(2026, 12, 7).isoformat() == "2026-12-07"
        assert formats.ascii_digits(formats.number(42)) == "42"
