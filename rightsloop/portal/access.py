"""Who a portal request speaks for: the portal session a followed link opened, never a staff account.

A portal session lives in Django's session under keys of its own (SESSION_LINK_KEY...), opened by
`open_session` after a link is followed; it ends after IDLE_SECONDS without a request, when the link is
revoked, or when the stakeholder is erased. A request without a live portal session (a staff user included:
staff rights open no portal) gets the plain "your link has expired or was used" page with status 403.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property, wraps

from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from rightsloop.core.languages import language_for_stakeholder
from rightsloop.core.registry import site

from .models import PortalLink

SESSION_LINK_KEY = "rightsloop.portal.link_id"
SESSION_ACTIVE_AT_KEY = "rightsloop.portal.active_at"
SESSION_OPENED_AT_KEY = "rightsloop.portal.opened_at"
SESSION_LANGUAGE_KEY = "rightsloop.portal.language"
IDLE_SECONDS = 30 * 60
MAX_SECONDS = 12 * 3600
# Activity renews the idle clock at most this often, so most requests do not write the session.
ACTIVITY_RESOLUTION_SECONDS = 60


@dataclass
class MenuItem:
    key: str
    label: str
    url: str
    current: bool


@dataclass
class PortalVisit:
    """The stakeholder a portal session speaks for. Every object a portal view loads is filtered by
    `stakeholder` (and so by `organisation`); anything else is a 404."""

    stakeholder: object
    organisation: object
    language: str
    link_id: int
    path: str = ""
    _sections: list = field(default_factory=list, repr=False)

    @cached_property
    def menu(self) -> list[MenuItem]:
        """The portal's menu: every registered section the stakeholder has something in (`shown`)."""
        items = []
        for section in site.portal_sections:
            if not section.shown(self.stakeholder):
                continue
            url = reverse(f"portal:{section.key}:index")
            items.append(MenuItem(section.key, str(section.label), url, self.path.startswith(url)))
        return items


def portal_language(stakeholder, chosen: str = "") -> str:
    """The language chosen in this session, else the fall-back order of docs/languages.md: the languages the
    stakeholder speaks, their country's main languages, the organisation's default, English."""
    return language_for_stakeholder(stakeholder, chosen=chosen)


def open_session(request, link: PortalLink) -> None:
    """Start a portal session for the link's stakeholder. Any staff sign-in in this browser ends first and
    the session key is cycled, so a portal session never carries staff rights, nor staff a portal session."""
    from django.contrib.auth import logout

    logout(request)  # flushes the session: a new key, nothing left from before
    now = int(time.time())
    request.session[SESSION_LINK_KEY] = link.pk
    request.session[SESSION_OPENED_AT_KEY] = now
    request.session[SESSION_ACTIVE_AT_KEY] = now
    request.session.cycle_key()


def close_session(request) -> None:
    request.session.flush()


def current_visit(request) -> PortalVisit | None:
    """The live portal session of this request, or None (and the stale one ended)."""
    session = request.session
    link_id = session.get(SESSION_LINK_KEY)
    if not isinstance(link_id, int):
        return None
    now = int(time.time())
    active_at, opened_at = session.get(SESSION_ACTIVE_AT_KEY), session.get(SESSION_OPENED_AT_KEY)
    if (not isinstance(active_at, int) or not isinstance(opened_at, int)
            or now - active_at > IDLE_SECONDS or now - opened_at > MAX_SECONDS):
        close_session(request)
        return None
    # One query: a revoked link or an erased person ends the session at once.
    link = (PortalLink.objects.select_related("stakeholder", "stakeholder__organisation")
            .filter(pk=link_id, revoked_at=None, stakeholder__erased_at=None).first())
    if link is None:
        close_session(request)
        return None
    if now - active_at >= ACTIVITY_RESOLUTION_SECONDS:
        session[SESSION_ACTIVE_AT_KEY] = now
    stakeholder = link.stakeholder
    return PortalVisit(
        stakeholder=stakeholder, organisation=stakeholder.organisation,
        language=portal_language(stakeholder, session.get(SESSION_LANGUAGE_KEY, "")),
        link_id=link.pk, path=request.path,
    )


def ended_response(request, status: int = 403, reason: str = "ended"):
    """The plain page for a request without a live portal session: never a staff page, never a redirect loop."""
    response = render(request, "portal/ended.html", {"reason": reason}, status=status)
    add_never_cache_headers(response)
    return response


def portal_view(view):
    """Serve `view` only inside a live portal session, as its stakeholder and in their language.

    Sets `request.portal` (a PortalVisit). Without a live session the response is the "your link has
    expired or was used; ask for a new one" page with status 403. Staff sign-in is not required (nor
    enough). Responses are never cached.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        visit = current_visit(request)
        if visit is None:
            return ended_response(request)
        request.portal = visit
        translation.activate(visit.language)
        request.LANGUAGE_CODE = visit.language
        response = view(request, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    return login_not_required(wrapped)
