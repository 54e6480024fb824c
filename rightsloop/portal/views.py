"""The portal's door and shell: following a link, the home page, changing language, signing out."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, queries
from .actions.sign_in import check_link, use_portal_link


def _problem(request, problem: str):
    """A link that cannot open the portal answers 404 whatever the reason (unknown, tampered, expired, used,
    revoked, erased person), with a page saying which: the status tells a guesser nothing about which tokens
    were ever real, and the page tells the holder what to do."""
    return access.ended_response(request, status=404, reason=problem)


@login_not_required
@require_http_methods(["GET", "POST"])
def enter(request, token: str):
    """GET only shows a button, POST spends the link: mail scanners that fetch links cannot use them up."""
    if request.method == "GET":
        checked = check_link(token)
        if checked.link is None:
            return _problem(request, checked.problem)
        with translation.override(access.portal_language(checked.link.stakeholder)):
            response = render(request, "portal/enter.html", {"organisation": checked.link.organisation})
            add_never_cache_headers(response)
            return response
    checked = use_portal_link(token=token)
    if checked.link is None:
        return _problem(request, checked.problem)
    access.open_session(request, checked.link)
    return redirect("portal:home")


@access.portal_view
@require_GET
def home(request):
    stakeholder = request.portal.stakeholder
    return render(request, "portal/home.html", {
        "summary": queries.summary(stakeholder, timezone.localdate())})


@access.portal_view
@require_POST
def choose_language(request):
    """Switch the portal's language for this session (a form, so it works without a script)."""
    code = request.POST.get("language", "")
    if code in [code for code, _name in settings.LANGUAGES]:
        request.session[access.SESSION_LANGUAGE_KEY] = code
    back = request.POST.get("next", "")
    # Only back to a portal page of this site; anything else goes home.
    if back.startswith("/portal/") and url_has_allowed_host_and_scheme(back, allowed_hosts=None):
        return redirect(back)
    return redirect("portal:home")


@login_not_required
@require_POST
def sign_out(request):
    access.close_session(request)
    return redirect("portal:signed-out")


@login_not_required
@require_GET
def signed_out(request):
    return access.ended_response(request, status=200, reason="signed_out")
