"""The public pages: what we heard and what we did, and the receipt lookup; no sign-in, no personal data."""

import os
import re
import uuid

import pytest
from django.core.cache import cache, caches
from django.test import Client, override_settings

from ..actions import outcomes as actions
from ..views import public
from .test_outcomes import PERSONAL, consultation_with_themes, person

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    """Lookup counters and language counts live in the cache, which outlives each test's database."""
    cache.clear()
    yield
    cache.clear()


def published(by, rows=None, **settings):
    rows = rows or [person(1, language="en", receipt=f"{PERSONAL}-AB12"), person(2, language="fr"),
                    person(3, language="fr", receipt="ZZ-99-QQ")]
    consultation, privacy, cost = consultation_with_themes(by, rows, **settings)
    consultation.published = True
    consultation.save(update_fields=["published"])
    return consultation, privacy, cost


def test_what_we_heard_shows_counts_themes_and_decisions_and_nothing_personal(hr_lead):
    consultation, privacy, _cost = published(hr_lead, yes_no=True, issues_receipts=True)
    privacy.stance = {"for": 1, "against": 1, "unclear": 0}
    privacy.description = "People asked for end-to-end encryption by default."
    privacy.save(update_fields=["stance", "description"])
    response = Client().get(f"/c/{consultation.public_token}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert consultation.engagement.title in page and "Should messages be encrypted by default?" in page
    assert "<dt>Responses</dt><dd>3</dd>" in page and "<dt>Respondents</dt><dd>3</dd>" in page
    assert "French (2)" in page and "English (1)" in page
    assert "Privacy matters" in page and "People asked for end-to-end encryption by default." in page
    assert "1 for" in page and "1 against" in page
    assert "We encrypt by default from May." in page and "A pricing review" in page
    assert f"/c/{consultation.public_token}/receipt/" in page
    # No response text, contact, respondent id or receipt code; no script at all.
    assert PERSONAL not in page and PERSONAL.lower() not in page and "ZZ-99-QQ" not in page
    assert "<script" not in page and "style=" not in page


def test_unpublished_consultations_have_no_public_pages(hr_lead):
    consultation, *_ = consultation_with_themes(hr_lead, [person(1), person(2)], issues_receipts=True)
    client = Client()
    assert client.get(f"/c/{consultation.public_token}/").status_code == 404
    assert client.get(f"/c/{consultation.public_token}/receipt/").status_code == 404
    assert client.post(f"/c/{consultation.public_token}/receipt/", {"code": "ZZ99QQ"}).status_code == 404
    assert client.get("/c/not-a-token/").status_code == 404


def test_the_page_speaks_the_language_chosen_by_link(hr_lead):
    consultation, *_ = published(hr_lead)
    page = Client().get(f"/c/{consultation.public_token}/?lang=es").content.decode()
    assert '<html lang="es"' in page and "Adoptado" in page
    assert '<html lang="en"' in Client().get(f"/c/{consultation.public_token}/?lang=xx").content.decode()


def test_no_receipt_page_without_receipts(hr_lead):
    consultation, *_ = published(hr_lead, issues_receipts=False)
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "/receipt/" not in page
    assert Client().get(f"/c/{consultation.public_token}/receipt/").status_code == 404


def test_a_receipt_code_finds_the_themes_and_decisions_of_its_response(hr_lead):
    consultation, *_ = published(hr_lead, issues_receipts=True)
    client = Client()
    url = f"/c/{consultation.public_token}/receipt/"
    assert client.get(url).status_code == 200
    # Line 4 (the third response) fell under Privacy; typed in lower case with spaces.
    found = client.post(url, {"code": " zz 99 qq "})
    page = found.content.decode()
    assert found.status_code == 200
    assert "Your response fell under this theme" in page and "Privacy matters" in page
    assert "We encrypt by default from May." in page and "Cost of the change" not in page
    assert "ZZ-99-QQ" not in page and "zz 99 qq" not in page and PERSONAL.lower() not in page
    assert "We found no response" not in page


def test_every_wrong_code_gets_the_same_answer(hr_lead):
    consultation, *_ = published(hr_lead, issues_receipts=True)
    client = Client()
    url = f"/c/{consultation.public_token}/receipt/"
    answers = set()
    for code in ("ZZ99QR", "nothing-like-it", "00000000"):
        response = client.post(url, {"code": code})
        page = response.content.decode()
        assert response.status_code == 200 and "We found no response with this code." in page
        # The same page but for the CSRF token, which is masked afresh on every answer.
        answers.add(re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page))
    assert len(answers) == 1
    empty = client.post(url, {"code": " -- "})
    assert empty.status_code == 400 and "Type the code" in empty.content.decode()


def test_a_response_in_no_theme_is_told_it_was_counted(hr_lead):
    consultation, *_ = published(hr_lead, issues_receipts=True)
    consultation.responses.get(line=4).assignments.all().delete()
    page = Client().post(f"/c/{consultation.public_token}/receipt/", {"code": "ZZ99QQ"}).content.decode()
    assert "Your response was read and counted" in page and "Privacy matters" in page


def test_lookups_are_rate_limited_per_address(hr_lead, monkeypatch):
    monkeypatch.setattr(public, "LOOKUPS_ALLOWED", 3)
    consultation, *_ = published(hr_lead, issues_receipts=True)
    url = f"/c/{consultation.public_token}/receipt/"
    client = Client(REMOTE_ADDR="203.0.113.7")
    for _attempt in range(3):
        assert client.post(url, {"code": "WRONG1"}).status_code == 200
    limited = client.post(url, {"code": "ZZ99QQ"})
    assert limited.status_code == 429 and "Too many lookups" in limited.content.decode()
    assert "Privacy matters" not in limited.content.decode()
    # Another address is not held back by this one's attempts.
    other = Client(REMOTE_ADDR="198.51.100.4").post(url, {"code": "ZZ99QQ"})
    assert other.status_code == 200 and "Privacy matters" in other.content.decode()


def test_the_default_limit_is_twenty_lookups_in_ten_minutes():
    assert (public.LOOKUPS_ALLOWED, public.LOOKUP_WINDOW_SECONDS) == (20, 600)


def test_signed_in_members_see_the_same_public_page(hr_lead, sign_in):
    consultation, *_ = published(hr_lead)
    page = sign_in(hr_lead).get(f"/c/{consultation.public_token}/").content.decode()
    assert "Privacy matters" in page and PERSONAL not in page


def test_the_public_page_reflects_a_revised_decision(hr_lead):
    consultation, privacy, _cost = published(hr_lead)
    actions.decide_theme(theme=privacy, outcome="not_adopted", rationale="The law forbids it here.", by=hr_lead)
    page = Client().get(f"/c/{consultation.public_token}/").content.decode()
    assert "The law forbids it here." in page and "We encrypt by default from May." not in page


REDIS_TEST_URL = os.environ.get("REDIS_TEST_URL", "redis://127.0.0.1:6379/15")


def test_with_a_redis_cache_every_web_worker_counts_against_the_same_limit(hr_lead, monkeypatch):
    """What CACHE_URL buys in production: the count lives in Redis, so another worker sees the same lookups."""
    from django.core.cache.backends.redis import RedisCache

    prefix = f"test-{uuid.uuid4().hex}"
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_TEST_URL,
                               "KEY_PREFIX": prefix}}
    monkeypatch.setattr(public, "LOOKUPS_ALLOWED", 2)
    consultation, *_ = published(hr_lead, issues_receipts=True)
    url = f"/c/{consultation.public_token}/receipt/"
    with override_settings(CACHES=redis_cache):
        monkeypatch.setattr(public, "cache", caches["default"])
        first_worker = Client(REMOTE_ADDR="203.0.113.9")
        assert first_worker.post(url, {"code": "WRONG1"}).status_code == 200
        # A second worker process has its own connection to the same server.
        other_process = RedisCache(REDIS_TEST_URL, {"KEY_PREFIX": prefix})
        monkeypatch.setattr(public, "cache", other_process)
        second_worker = Client(REMOTE_ADDR="203.0.113.9")
        assert second_worker.post(url, {"code": "WRONG2"}).status_code == 200
        assert second_worker.post(url, {"code": "ZZ99QQ"}).status_code == 429
        other_process.clear()
