"""Build organisations and members for tests."""

import time
from itertools import count

from rightsloop.accounts.actions import add_member
from rightsloop.accounts.viewer import Viewer
from rightsloop.core.models import Organisation

_numbers = count(1)
PASSWORD = "correct horse battery staple"


def make_organisation(name: str | None = None, **fields) -> Organisation:
    number = next(_numbers)
    name = name or f"Organisation {number}"
    return Organisation.objects.create(name=name, slug=f"org-{number}", **fields)


def make_member(organisation: Organisation, role: str, function: str = "", username: str | None = None) -> Viewer:
    number = next(_numbers)
    membership = add_member(
        organisation=organisation,
        username=username or f"{role}-{number}",
        email=f"{role}-{number}@example.org",
        first_name=role.replace("_", " ").title(),
        last_name=str(number),
        password=PASSWORD,
        role=role,
        function=function or ("product" if role == "decision_maker" else ""),
        by=None,
    )
    return Viewer.from_membership(membership)


def make_authenticator(user):
    """Give the user a confirmed authenticator app (a django-otp device with a sealed secret), or return theirs."""
    from rightsloop.accounts.devices import Authenticator

    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    return device or Authenticator.objects.create(user=user, name="authenticator", confirmed=True)


def mark_verified(client, user) -> None:
    """Leave a force_login-ed test client's session as a real sign-in does: past the second factor
    (as django_otp.login marks it), with its sign-in time and a CSRF secret (CSRF_USE_SESSIONS)."""
    import string

    from django.middleware.csrf import CSRF_SESSION_KEY
    from django.utils.crypto import get_random_string
    from django_otp import DEVICE_ID_SESSION_KEY

    from rightsloop.accounts.middleware import SESSION_ACTIVE_AT_KEY, SESSION_SIGNED_IN_AT_KEY

    session = client.session
    session[DEVICE_ID_SESSION_KEY] = make_authenticator(user).persistent_id
    session[SESSION_SIGNED_IN_AT_KEY] = session[SESSION_ACTIVE_AT_KEY] = int(time.time())
    session[CSRF_SESSION_KEY] = get_random_string(32, string.ascii_letters + string.digits)
    session.save()


def current_code(user) -> str:
    """The six digits the user's authenticator app would show now."""
    from django_otp.oath import totp

    device = make_authenticator(user)
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in_with_code(client, user, password: str = PASSWORD):
    """Sign in through the real pages: the password, then a code from the authenticator."""
    make_authenticator(user)
    response = client.post("/accounts/sign-in/", {"username": user.username, "password": password})
    assert response.status_code == 302 and response.url.startswith("/accounts/verify/"), response
    return client.post(response.url, {"code": current_code(user)})
