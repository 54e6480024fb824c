"""The language switcher: a form with a button without JavaScript, a change of language at once with it."""

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_without_javascript_the_form_keeps_its_button_and_loads_no_inline_script(hr_lead, sign_in):
    page = sign_in(hr_lead).get("/").content.decode()

    form = re.search(r'<form method="post" action="/i18n/setlang/" data-submit-on-change>.*?</form>', page, re.S)
    assert form and '<button type="submit" class="secondary">Go</button>' in form.group(0)
    assert '<script src="/static/js/language-switcher.js" defer></script>' in page
    # Every script is a file of our own: the Content-Security-Policy (script-src 'self') runs no inline code.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []
    assert finders.find("js/language-switcher.js")


@pytest.mark.browser
def test_with_javascript_choosing_a_language_switches_at_once(browser_page):
    from playwright.sync_api import expect

    page = browser_page
    page.goto("/accounts/sign-in/")
    switcher = page.locator("form[data-submit-on-change]")
    expect(switcher.locator("select")).to_be_visible()
    expect(switcher.get_by_role("button", name="Go")).to_be_hidden()

    switcher.locator("select").select_option("es")

    expect(page.locator("html")).to_have_attribute("lang", "es")
    assert page.url.endswith("/accounts/sign-in/")
