"""load_demo keeps multi-factor sign-in on and prints what a newcomer needs to sign in with a code."""

import base64
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.oath import totp

from rightsloop.demo import content

pytestmark = pytest.mark.django_db


def load_demo() -> str:
    """Runs load_demo again over the module's demo (conftest.py `loaded_demo`)."""
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def printed_factors(output: str) -> dict[str, dict]:
    factors = {}
    for block in re.finditer(
        r"^  (?P<username>\w+)\n    secret +(?P<secret>[A-Z2-7]+)\n    otpauth +(?P<url>otpauth://\S+)\n"
        r"    code right now +(?P<code>\d{6}).*\n    recovery codes +(?P<codes>[a-z2-7 ]+)$",
        output, re.MULTILINE,
    ):
        factors[block["username"]] = {**block.groupdict(), "codes": block["codes"].split()}
    return factors


def test_prints_a_secret_an_otpauth_address_a_code_and_recovery_codes_for_every_member(loaded_demo):
    factors = printed_factors(loaded_demo)
    assert set(factors) == {member.username for member in content.MEMBERS}
    for username, factor in factors.items():
        assert factor["url"].startswith(f"otpauth://totp/Rightsloop%3A{username}?secret={factor['secret']}")
        assert len(factor["codes"]) == 10


def test_the_printed_secret_and_a_recovery_code_sign_in_through_the_pages(loaded_demo):
    factors = printed_factors(loaded_demo)
    amina = factors[content.HR_LEAD]
    client = Client()
    client.post("/accounts/sign-in/", {"username": content.HR_LEAD, "password": content.DEMO_PASSWORD})
    code = f"{totp(base64.b32decode(amina['secret'])):06d}"
    assert client.post("/accounts/verify/", {"code": code}).url == "/"
    assert client.get("/").status_code == 200

    other = Client()
    other.post("/accounts/sign-in/", {"username": content.ADMIN, "password": content.DEMO_PASSWORD})
    assert other.post("/accounts/verify/", {"code": factors[content.ADMIN]["codes"][0]}).url == "/"


def test_running_again_prints_the_same_secrets_and_new_recovery_codes(loaded_demo):
    # Only digests of recovery codes are stored, so a second run cannot print the old ones: it issues new ones
    # and the old ones stop working.
    first = printed_factors(loaded_demo)
    second = printed_factors(load_demo())
    assert {u: f["secret"] for u, f in second.items()} == {u: f["secret"] for u, f in first.items()}
    assert set(second[content.HR_LEAD]["codes"]).isdisjoint(first[content.HR_LEAD]["codes"])

    fresh = Client()
    fresh.post("/accounts/sign-in/", {"username": content.HR_LEAD, "password": content.DEMO_PASSWORD})
    assert fresh.post("/accounts/verify/", {"code": second[content.HR_LEAD]["codes"][0]}).url == "/"

    stale = Client()
    stale.post("/accounts/sign-in/", {"username": content.HR_LEAD, "password": content.DEMO_PASSWORD})
    assert stale.post("/accounts/verify/", {"code": first[content.HR_LEAD]["codes"][0]}).status_code == 200
    assert stale.get("/").status_code == 302
