"""X4 headers: CSP without inline code, no referrer, no caching of private pages, and CSRF under no-referrer."""

import re
from pathlib import Path

import pytest
from django.test import Client

from rightsloop.accounts.tests.factories import PASSWORD, make_authenticator

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def policy(response) -> dict[str, str]:
    return dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))


def assert_security_headers(response) -> None:
    assert policy(response) == EXPECTED_CSP
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "no-referrer"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def assert_no_store(response) -> None:
    assert "no-store" in response["Cache-Control"]


def test_every_kind_of_response_carries_the_security_headers(hr_lead, sign_in, api, client):
    signed_in = sign_in(hr_lead)
    responses = [
        client.get("/accounts/sign-in/"),
        client.get("/stakeholders/"),  # redirect to sign-in
        client.get("/no-such-page/"),
        signed_in.get("/"),
        signed_in.get("/engagements/"),
        signed_in.get("/accounts/account/"),
        api(hr_lead).get("/api/v1/metrics/loop"),
        client.get("/api/v1/metrics/loop"),  # 401
    ]
    for response in responses:
        assert_security_headers(response)


def test_the_policy_allows_no_inline_code_and_no_other_origin(client):
    header = client.get("/accounts/sign-in/")["Content-Security-Policy"]
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    assert "http" not in header and "*" not in header


def test_responses_to_signed_in_users_and_tokens_are_never_stored(hr_lead, sign_in, api):
    signed_in = sign_in(hr_lead)
    for path in ["/", "/stakeholders/", "/engagements/", "/accounts/account/", "/accounts/tokens/"]:
        assert_no_store(signed_in.get(path))
    assert_no_store(api(hr_lead).get("/api/v1/metrics/loop"))


def test_the_sign_in_pages_are_never_stored(hr_lead, client):
    make_authenticator(hr_lead.user)
    assert_no_store(client.get("/accounts/sign-in/"))
    assert_no_store(client.post("/accounts/sign-in/", {"username": hr_lead.user.username, "password": "wrong"}))
    assert_no_store(client.post("/accounts/sign-in/", {"username": hr_lead.user.username, "password": PASSWORD}))
    assert_no_store(client.get("/accounts/verify/"))
    assert_no_store(client.get("/accounts/enrol/"))


def test_throttled_page_is_never_stored(hr_lead):
    for _n in range(5):
        response = Client().post("/accounts/sign-in/", {"username": hr_lead.user.username, "password": "wrong"})
    assert response.status_code == 429
    assert_no_store(response)
    assert_security_headers(response)


def test_api_docs_load_only_local_files_with_an_image_exception_for_that_page(client):
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/static/") for source in sources)
    assert "<script>" not in html.replace(" ", "")  # only external files and a JSON data block
    assert {**policy(response), "img-src": "'self'"} == EXPECTED_CSP
    assert policy(response)["img-src"] == "'self' data:"


TEMPLATE_DIRS = [ROOT / "rightsloop"]
INLINE_CODE = re.compile(
    r"""<script(?![^>]*\bsrc=)(?![^>]*type=["']application/json)|<style|\sstyle=|\son[a-z]+=|javascript:|hx-on""",
    re.IGNORECASE,
)


def test_no_template_has_inline_scripts_styles_or_event_handlers():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 20
    offenders = [f"{path.relative_to(ROOT)}: {match.group(0)}" for path in templates
                 for match in INLINE_CODE.finditer(path.read_text())]
    assert offenders == []


# --- CSRF under Referrer-Policy: no-referrer (docs/adr/0001-referrer-policy.md) ----------------------------------


@pytest.fixture
def csrf_client(hr_lead):
    """A client that enforces CSRF like a browser, with its token read from the sign-in page."""
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/sign-in/").content.decode()
    client.token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return client


def post(client, headers: dict, with_token: bool = True):
    data = {"username": "nobody", "password": "wrong"}
    if with_token:
        data["csrfmiddlewaretoken"] = client.token
    return client.post("/accounts/sign-in/", data, headers=headers)


def test_the_csrf_secret_lives_in_the_session_not_in_a_cookie(csrf_client, settings):
    assert settings.CSRF_USE_SESSIONS
    assert "csrftoken" not in csrf_client.cookies


def test_origin_null_is_accepted_when_the_browser_says_same_origin(csrf_client):
    response = post(csrf_client, {"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert response.status_code == 200 and "Please enter a correct username" in response.content.decode()


def test_a_real_same_origin_is_accepted_as_before(csrf_client):
    assert post(csrf_client, {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}).status_code == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
    {"Origin": "null", "Sec-Fetch-Site": "same-site"},
    {"Origin": "null", "Sec-Fetch-Site": "none"},
    {"Origin": "null"},  # a browser that does not say where the request comes from
    {"Origin": "https://evil.example", "Sec-Fetch-Site": "same-origin"},
])
def test_origin_null_from_anywhere_else_and_foreign_origins_are_refused(csrf_client, headers):
    response = post(csrf_client, headers)
    assert response.status_code == 403
    assert "This form could not be accepted" in response.content.decode()


def test_origin_null_same_origin_without_the_token_is_refused(csrf_client):
    assert post(csrf_client, {"Origin": "null", "Sec-Fetch-Site": "same-origin"}, with_token=False).status_code == 403


def test_origin_null_same_origin_with_a_wrong_token_is_refused(csrf_client):
    csrf_client.token = "x" * 64
    assert post(csrf_client, {"Origin": "null", "Sec-Fetch-Site": "same-origin"}).status_code == 403


def test_https_origin_null_same_origin_needs_no_referer(csrf_client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    headers = {"Origin": "null", "Sec-Fetch-Site": "same-origin", "X-Forwarded-Proto": "https"}
    assert post(csrf_client, headers).status_code == 200
    assert post(csrf_client, {**headers, "Sec-Fetch-Site": "cross-site"}).status_code == 403
