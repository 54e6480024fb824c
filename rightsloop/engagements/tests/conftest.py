"""Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu",
]
RESULTS_DIR = Path(__file__).resolve().parents[3] / "test-results"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def browser_page(request, live_server, transactional_db, monkeypatch) -> Iterator:
    """A fresh chromium page; the test's own ORM calls stay allowed while Playwright's event loop runs."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread, which trips Django's async-safety
    # check on every query the test itself makes (creating users, final assertions).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=10_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                      locale="en-GB")
        context.set_default_timeout(10_000)
        # The live server shares one in-memory SQLite connection with this thread: keep stray
        # requests the test does not wait for (the favicon) off it.
        context.route("**/favicon.ico", lambda route: route.abort())
        page = context.new_page()
        try:
            yield page
            if getattr(request.node, "browser_call_failed", False):
                RESULTS_DIR.mkdir(exist_ok=True)
                page.screenshot(path=RESULTS_DIR / f"{request.node.name}-failure.png", full_page=True)
        finally:
            context.close()
            browser.close()
            # ORM calls made inside Playwright's context may hold their own connection: close it here,
            # or PostgreSQL refuses to drop the test database at the end of the run.
            connections.close_all()
