"""Fixtures every app's tests share: two organisations and one member per role."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from django.test import Client

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member, make_organisation


@pytest.fixture(autouse=True)
def fresh_key_caches():
    """Unwrapped keys are cached per process; a rolled-back test must not leave them behind."""
    from rightsloop.core import keys, sealing

    sealing.forget_cached_keys()
    yield
    sealing.forget_cached_keys()
    keys.forget()


@pytest.fixture(autouse=True)
def interface_language_reset():
    """Each test starts in the default language: the locale middleware leaves the last request's language active
    in the thread, and a page answered in a stakeholder's Swahili must not turn the next test's messages."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def private_media_root(settings, tmp_path_factory):
    """Sealed files go to MEDIA_ROOT on disk: each test gets its own, never the checkout's var/media."""
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    return settings.MEDIA_ROOT


@pytest.fixture
def organisation(db):
    return make_organisation("Kestrel Networks")


@pytest.fixture
def other_organisation(db):
    return make_organisation("Other Company")


@pytest.fixture
def hr_lead(organisation):
    return make_member(organisation, Role.HR_LEAD)


@pytest.fixture
def admin(organisation):
    return make_member(organisation, Role.ADMIN)


@pytest.fixture
def decision_maker(organisation):
    return make_member(organisation, Role.DECISION_MAKER, function="product")


@pytest.fixture
def legal_decision_maker(organisation):
    return make_member(organisation, Role.DECISION_MAKER, function="legal")


@pytest.fixture
def board(organisation):
    return make_member(organisation, Role.BOARD)


@pytest.fixture
def auditor(organisation):
    return make_member(organisation, Role.AUDITOR)


@pytest.fixture
def outsider(other_organisation):
    return make_member(other_organisation, Role.HR_LEAD)


def signed_in(viewer) -> Client:
    """A client signed in as the viewer's user, past the second factor (an authenticator is created if needed)."""
    from rightsloop.accounts.tests.factories import mark_verified

    client = Client()
    client.force_login(viewer.user)
    mark_verified(client, viewer.user)
    return client


@pytest.fixture
def sign_in():
    return signed_in


@pytest.fixture
def api():
    from rightsloop.accounts.tests.api_client import ApiClient

    return ApiClient


# Browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-gpu",
]
RESULTS_DIR = Path(__file__).resolve().parents[1] / "test-results"


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
        # `make test` installs it (browser-deps): missing, the browser flows would go untested unseen.
        pytest.fail(f"{CHROMIUM} is not installed: run `make browser-deps` (apt-get install -y chromium)")
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
