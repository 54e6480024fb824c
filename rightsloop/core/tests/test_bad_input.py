"""Hostile and malformed input gets a 4xx with a message, never a server error, on every door."""

import json

import pytest
from django.utils import timezone

from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db

HUGE = 10**30
NASTY = [None, "", "\x00", "a\x00b", "x" * 100_000, HUGE, -1, 0, 1.5, True, [], {}, [["deep"]], {"a": {"b": 1}},
         "💥", "'; DROP TABLE x; --", "<script>alert(1)</script>", "2026-02-30"]


@pytest.fixture
def world(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation)
    return {"engagement": engagement.pk, "participation": participation.pk, "input": item.pk,
            "stakeholder": participation.stakeholder_id}


def writes(world):
    e, p, i, s = world["engagement"], world["participation"], world["input"], world["stakeholder"]
    today = timezone.localdate().isoformat()
    return [
        ("post", "/api/v1/stakeholders", {"name": "N", "kind": "expert"}),
        ("patch", f"/api/v1/stakeholders/{s}", {"name": "N"}),
        ("post", f"/api/v1/stakeholders/{s}/consents",
         {"scope": "contact", "granted": True, "method": "verbal", "given_on": today}),
        ("post", "/api/v1/engagements", {"title": "T", "type": "workshop", "phases": ["act"], "starts_on": today}),
        ("put", f"/api/v1/engagements/{e}", {"title": "T", "type": "workshop", "phases": ["act"], "starts_on": today}),
        ("post", f"/api/v1/engagements/{e}/participants", {"stakeholder_id": s}),
        ("post", f"/api/v1/engagements/{e}/inputs", {"text": "T", "speaker_id": p}),
        ("patch", f"/api/v1/inputs/{i}", {"owning_function": "legal", "tags": ["x"]}),
        ("post", f"/api/v1/inputs/{i}/decision", {"outcome": "adopted"}),
        ("post", f"/api/v1/engagements/{e}/feedback/{p}/deliveries", {"channel": "in_person"}),
    ]


def test_every_field_of_every_write_survives_nasty_values(hr_lead, api, world):
    client = api(hr_lead)
    checked = 0
    for method, url, valid in writes(world):
        for field in valid:
            for value in NASTY:
                response = getattr(client, method)(url, {**valid, field: value})
                assert response.status_code < 500, (method, url, field, repr(value)[:40], response.content[:300])
                assert "Traceback" not in response.content.decode(errors="replace")
                checked += 1
        for body in ("", "{", "[]", "null", '"text"', json.dumps([valid]), "\x00"):
            response = getattr(client.client, method)(url, data=body, content_type="application/json",
                                                       HTTP_AUTHORIZATION=f"Bearer {client.token}")
            assert response.status_code == 400, (method, url, body, response.content[:200])
    assert checked > 300


@pytest.mark.parametrize("query", [
    {"page": HUGE}, {"page": -3}, {"page": "x"}, {"page_size": 10**6}, {"q": "\x00"}, {"q": "x" * 5000},
    {"kind": "nope"}, {"global_south": "maybe"}, {"region": "\x00"}, {"language": "💥"}, {"safety_level": 7},
])
def test_list_queries_never_fail(hr_lead, api, query, world):
    client = api(hr_lead)
    for url in ("/api/v1/stakeholders", "/api/v1/engagements", f"/api/v1/engagements/{world['engagement']}/inputs"):
        response = client.get(url, query)
        assert response.status_code in (200, 400), (url, query, response.content[:200])


@pytest.mark.parametrize("path", [
    "/stakeholders/?q=%00&page=99999999999999999999&language=%F0%9F%92%A5",
    "/stakeholders/?global_south=maybe&region=%00",
    "/engagements/?q=%00&type=nope&page=-1",
    "/engagements/decisions/?page=abc&show=%00",
    "/audit/?target=%00:%00&page=999999999999999999999",
])
def test_pages_with_nasty_queries(admin, sign_in, path):
    assert sign_in(admin).get(path).status_code == 200


def test_searches_inside_pages_ignore_control_characters(hr_lead, sign_in, world):
    client = sign_in(hr_lead)
    assert client.get(f"/engagements/{world['engagement']}/?find=%00abc").status_code == 200
    assert client.post(f"/engagements/{world['engagement']}/", {"find": "\x01abc\x7f"}, follow=True).status_code == 200
    url = f"/engagements/{world['engagement']}/participants/add/{world['stakeholder']}/"
    assert client.get(f"{url}?proxy_q=%00").status_code == 200
    assert client.post(url, {"proxy_q": "\x01\x02"}, follow=True).status_code == 200


def test_huge_ids_are_not_found(hr_lead, sign_in, api):
    client, api_client = sign_in(hr_lead), api(hr_lead)
    for url in (f"/stakeholders/{HUGE}/", f"/engagements/{HUGE}/", f"/engagements/inputs/{HUGE}/decide/"):
        assert client.get(url).status_code == 404
    for url in (f"/api/v1/stakeholders/{HUGE}", f"/api/v1/engagements/{HUGE}", f"/api/v1/inputs/{HUGE}/decision"):
        assert api_client.get(url).status_code == 404


# NUL characters in paths, and bodies that cannot be parsed ------------------------------------------------------

def _with_nul(pattern: str) -> str:
    """The route's path with a NUL inside each of its parameters (an int parameter then matches nothing)."""
    import re

    return "/" + re.sub(r"<(?:\w+:)?\w+>", "a%00b", pattern.lstrip("^").rstrip("$"))


@pytest.mark.parametrize("path", ["/c/%00/", "/c/a%00b/", "/c/a%00b/receipt/", "/c/%00/receipt/?lang=%00",
                                  "/accounts/sign-in/%00", "/%00", "/api/v1/consultations/%00"])
def test_a_nul_in_a_public_path_is_not_found_without_signing_in(client, path):
    response = client.get(path)
    assert response.status_code == 404, (path, response.content[:300])
    assert client.post(path, {"code": "\x00"}).status_code == 404


def test_a_nul_in_any_routes_parameters_never_fails(admin, sign_in, api):
    from django.test import Client

    from rightsloop.core.tests.access_worlds import routes

    anonymous, signed_in, bearer = Client(), sign_in(admin), api(admin)
    tried = 0
    for route in routes():
        if "<" not in route.pattern:
            continue
        path = _with_nul(route.pattern)
        for method in route.methods:
            if route.is_api:
                answers = [getattr(bearer.client, method.lower())(path, HTTP_AUTHORIZATION=f"Bearer {bearer.token}")]
            else:
                answers = [getattr(client, method.lower())(path) for client in (anonymous, signed_in)]
            for response in answers:
                assert response.status_code < 500, (route.name, method, path, response.content[:300])
            tried += 1
    assert tried > 50


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=",
                                          "multipart/form-data; boundary=x", "multipart/mixed"])
def test_every_api_write_answers_a_body_it_cannot_read_with_a_400(hr_lead, api, content_type):
    """Bodies with a multipart type and no (or a wrong) boundary: a 400 with details, on every operation with a body."""
    from rightsloop.consultations.tests.factories import make_consultation
    from rightsloop.core.tests.access_worlds import routes

    client = api(hr_lead)
    consultation = make_consultation(hr_lead)
    tried = 0
    for route in routes():
        if not route.is_api or route.methods[0] not in ("POST", "PUT", "PATCH"):
            continue
        path = _with_nul(route.pattern).replace("a%00b", str(consultation.pk))
        response = getattr(client.client, route.methods[0].lower())(
            path, data=b"--x\r\nnot a part", content_type=content_type, HTTP_AUTHORIZATION=f"Bearer {client.token}")
        assert response.status_code < 500, (route.name, path, response.content[:300])
        if response.status_code == 400:
            assert response.json()["detail"], (route.name, response.content[:300])
        tried += 1
    assert tried > 20
    upload = f"/api/v1/consultations/{consultation.pk}/imports"
    response = client.client.post(upload, data=b"", content_type="multipart/form-data",
                                  HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert response.status_code == 400 and response.json()["errors"]["file"], response.content[:300]
    response = client.client.post(upload, data=b"id,text\n1,hello\n", content_type="multipart/form-data",
                                  HTTP_AUTHORIZATION=f"Bearer {client.token}")
    assert response.status_code == 400 and "boundary" in response.json()["detail"].lower(), response.content[:300]
