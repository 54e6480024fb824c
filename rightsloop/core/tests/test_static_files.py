"""Static files as production (and `make demo`) serve them: hashed names, compressed, cached for good."""

import importlib

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.templatetags.static import static
from django.test import RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"
A_YEAR = 365 * 24 * 3600


@pytest.fixture
def collected(settings, tmp_path):
    """Production's storage, with the static files collected into a fresh folder."""
    from config.settings import base

    settings.STORAGES = {**settings.STORAGES, "staticfiles": base.STORAGES["staticfiles"]}
    settings.STATIC_ROOT = tmp_path
    # Only the product's own files (rightsloop/static): compressing every app's (the admin's, the API docs') takes
    # a minute and proves nothing more.
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    call_command("collectstatic", "--noinput", verbosity=0)
    return tmp_path


def serve(url: str, **headers):
    middleware = WhiteNoiseMiddleware(get_response=lambda request: HttpResponse(status=404))
    return middleware(RequestFactory().get(url, **headers))


def test_production_and_the_demo_use_the_compressed_manifest_storage(monkeypatch):
    from config.settings import base

    assert base.STORAGES["staticfiles"]["BACKEND"] == MANIFEST_STORAGE
    monkeypatch.setenv("SECRET_KEY", "x" * 50)
    prod = importlib.reload(importlib.import_module("config.settings.prod"))
    assert prod.STORAGES["staticfiles"]["BACKEND"] == MANIFEST_STORAGE
    dev = importlib.import_module("config.settings.dev")
    monkeypatch.setenv("RIGHTSLOOP_COLLECTED_STATIC", "1")
    assert importlib.reload(dev).STORAGES["staticfiles"]["BACKEND"] == MANIFEST_STORAGE
    monkeypatch.delenv("RIGHTSLOOP_COLLECTED_STATIC")
    assert importlib.reload(dev).STORAGES["staticfiles"]["BACKEND"] != MANIFEST_STORAGE  # runserver, uncollected


@pytest.mark.django_db
def test_hashed_files_are_compressed_and_cached_for_good(collected, client):
    url = static("css/rightsloop.css")
    assert url.startswith("/static/css/rightsloop.") and url != "/static/css/rightsloop.css"
    hashed = collected / url.removeprefix("/static/")
    assert hashed.exists() and hashed.with_name(hashed.name + ".gz").exists()
    assert hashed.with_name(hashed.name + ".br").exists()

    forever = serve(url, HTTP_ACCEPT_ENCODING="gzip, br")
    assert forever.status_code == 200
    assert forever["Cache-Control"] == "max-age=315360000, public, immutable"
    assert forever["Content-Encoding"] == "br"
    # The unhashed name still answers, but briefly cached: it changes with every release.
    assert int(serve("/static/css/rightsloop.css")["Cache-Control"].split("max-age=")[1].split(",")[0]) < A_YEAR
    # Pages link the hashed names.
    page = client.get("/accounts/sign-in/").content.decode()
    assert url in page and static("js/language-switcher.js") in page


@pytest.mark.django_db
def test_pdf_stylesheets_are_still_found_with_the_manifest_storage(collected):
    from rightsloop.oversight.packs import print_stylesheet

    for name in ("css/board-pack.css", "css/report-print.css"):
        assert print_stylesheet(name) is not None
