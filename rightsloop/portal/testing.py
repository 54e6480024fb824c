"""Test helpers for portal pages (other apps' portal sections use them too)."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from django.db import connections
from django.urls import reverse

from .links import mint


def open_portal(client, stakeholder) -> None:
    """Sign a Django test client into the portal as `stakeholder`, through the real flow: a link is issued
    (handed over, valid 7 days), its confirmation page read and its button posted. Any staff sign-in of the
    client ends, as it would in a browser."""
    _link, token = mint(stakeholder=stakeholder)
    url = reverse("portal:enter", args=[token])
    assert client.get(url).status_code == 200, "the portal link was refused"
    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("portal:home"), "the portal did not open"


@contextmanager
def phone_browser(live_server, *, width: int = 320, height: int = 640, locale: str = "en-GB"):
    """A Playwright page as a cheap phone sees the portal: JavaScript off, `width` CSS pixels wide.

    For browser tests (pytest.mark.browser) of portal sections: take the `live_server` and `transactional_db`
    fixtures, sign in with `follow_link(page, stakeholder)`, then drive the page.
    """
    from playwright.sync_api import expect, sync_playwright

    from rightsloop.conftest import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        # `make test` installs it (browser-deps): missing, the browser flows would go untested unseen.
        pytest.fail(f"{CHROMIUM} is not installed: run `make browser-deps` (apt-get install -y chromium)")
    # Playwright's sync API keeps an asyncio loop on this thread (see rightsloop/conftest.py browser_page).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    expect.set_options(timeout=10_000)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
            context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": height},
                                          java_script_enabled=False, locale=locale, is_mobile=True)
            context.set_default_timeout(10_000)
            context.route("**/favicon.ico", lambda route: route.abort())
            try:
                yield context.new_page()
            finally:
                context.close()
                browser.close()
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def follow_link(page, stakeholder) -> None:
    """In a browser page: issue a handed-over link for `stakeholder`, open it and press the button."""
    _link, token = mint(stakeholder=stakeholder)
    page.goto(reverse("portal:enter", args=[token]))
    page.get_by_role("button").click()


def fits_the_width(page) -> bool:
    """No part of the page is wider than the viewport (nothing to scroll sideways). Playwright evaluates this
    through the browser's protocol, so it works with the page's JavaScript off."""
    # Measured once the stylesheet has loaded: a click returns when the next page is committed, not styled.
    page.wait_for_load_state("load")
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
