"""Per-request sign-in rules: session lifetime, the second factor, who is asking, and no caching of private pages."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from . import mfa
from .viewer import Viewer, active_memberships, choose_membership

SESSION_ORGANISATION_KEY = "rightsloop.organisation_id"
SESSION_SIGNED_IN_AT_KEY = "rightsloop.signed_in_at"
SESSION_ACTIVE_AT_KEY = "rightsloop.active_at"
# Activity renews the idle timeout at most this often, so most requests do not write the session.
ACTIVITY_RESOLUTION_SECONDS = 60


def mfa_not_required(view):
    """Let a signed-in user reach this view before their second factor is checked (sign-in steps only)."""
    view.mfa_required = False
    return view


def start_session_clock(request) -> None:
    """Note when this session signed in; SessionLifetimeMiddleware ends it RIGHTSLOOP_SESSION_MAX_AGE later."""
    now = int(time.time())
    request.session[SESSION_SIGNED_IN_AT_KEY] = now
    request.session[SESSION_ACTIVE_AT_KEY] = now


def session_is_too_old(session) -> bool:
    signed_in_at = session.get(SESSION_SIGNED_IN_AT_KEY)
    if not isinstance(signed_in_at, int):
        return True
    return time.time() - signed_in_at > settings.RIGHTSLOOP_SESSION_MAX_AGE.total_seconds()


class SessionLifetimeMiddleware:
    """End a signed-in session after SESSION_COOKIE_AGE without activity, and RIGHTSLOOP_SESSION_MAX_AGE after sign-in.

    The server-side session expires SESSION_COOKIE_AGE after it was last saved; activity saves it again
    (so renews the idle timeout) at most once a minute. The absolute limit holds however active the user is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if session_is_too_old(request.session):
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
            else:
                now = int(time.time())
                active_at = request.session.get(SESSION_ACTIVE_AT_KEY)
                if not isinstance(active_at, int) or now - active_at >= ACTIVITY_RESOLUTION_SECONDS:
                    request.session[SESSION_ACTIVE_AT_KEY] = now
        return self.get_response(request)


class MFARequiredMiddleware:
    """Send a signed-in user whose second factor is not checked yet to the code page (or to enrolment).

    Public pages and the token-authenticated JSON API (login_required = False) are left alone, and so are
    the sign-in steps themselves (mfa_not_required).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or not getattr(view_func, "mfa_required", True):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        step = "accounts:verify" if mfa.authenticator_for(user) else "accounts:enrol"
        return redirect(f"{reverse(step)}?{urlencode({'next': request.get_full_path()})}")


class ViewerMiddleware:
    """Attach the Viewer (user + organisation + role) to every request of a fully signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.viewer = None
        request.memberships = []
        user = request.user
        # A password alone makes nobody a viewer: the second factor must be checked first.
        if user.is_authenticated and user.is_verified():
            memberships = active_memberships(user)
            request.memberships = memberships
            current = choose_membership(memberships, request.session.get(SESSION_ORGANISATION_KEY))
            if current is not None:
                request.viewer = Viewer.from_membership(current)
        return self.get_response(request)


class NoStoreMiddleware:
    """Forbid browsers and proxies to keep any response to a signed-in user or an API token."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.user.is_authenticated or getattr(request, "viewer", None) is not None:
            add_never_cache_headers(response)
        return response
