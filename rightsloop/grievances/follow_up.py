"""The follow-up session: a browser that showed a valid receipt may read and answer that one case for a while.

The receipt is checked once (receipts.py, Argon2id); the session then holds only the case's id and when it was
last used, so the receipt never travels again and is never stored. It ends after IDLE_SECONDS without a
request, when the person leaves, or when the case is erased. No address, no cookie beyond Django's session.

Other parts of the app add sections to the follow-up page (the remedy plan, say) with `add_section`: a
function of (request, grievance) returning (template, context) or None when it has nothing to show.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.http import Http404

from .models import Grievance

SESSION_CASE_KEY = "rightsloop.grievances.case"
SESSION_ACTIVE_AT_KEY = "rightsloop.grievances.active_at"
IDLE_SECONDS = 30 * 60

Section = Callable[[object, Grievance], "tuple[str, dict] | None"]
_sections: list[tuple[int, Section]] = []


def add_section(section: Section, *, order: int = 100) -> None:
    if all(existing is not section for _order, existing in _sections):
        _sections.append((order, section))
        _sections.sort(key=lambda item: item[0])


def sections(request, grievance: Grievance) -> list[tuple[str, dict]]:
    """The extra sections of the follow-up page for this case, in order."""
    found = []
    for _order, section in _sections:
        shown = section(request, grievance)
        if shown is not None:
            found.append(shown)
    return found


def open_case(request, grievance: Grievance) -> None:
    """Start following `grievance` in this browser (after its receipt was checked)."""
    request.session.cycle_key()  # a fresh session id: nothing from before the receipt carries over
    request.session[SESSION_CASE_KEY] = grievance.pk
    request.session[SESSION_ACTIVE_AT_KEY] = int(time.time())


def leave(request) -> None:
    request.session.pop(SESSION_CASE_KEY, None)
    request.session.pop(SESSION_ACTIVE_AT_KEY, None)
    request.session.cycle_key()


def followed_case(request, organisation) -> Grievance | None:
    """The case this browser follows in `organisation`, or None (no session, idle too long, erased, another org)."""
    case_id = request.session.get(SESSION_CASE_KEY)
    active_at = request.session.get(SESSION_ACTIVE_AT_KEY, 0)
    if case_id is None:
        return None
    now = int(time.time())
    if now - int(active_at) > IDLE_SECONDS:
        leave(request)
        return None
    grievance = Grievance.objects.filter(pk=case_id, organisation=organisation, erased_at__isnull=True).first()
    if grievance is None:
        return None
    if now - int(active_at) > 60:  # renew the idle clock at most once a minute
        request.session[SESSION_ACTIVE_AT_KEY] = now
    return grievance


def case_of(request, organisation) -> Grievance:
    """The followed case, or 404 (views that need one redirect to the receipt form instead where kinder)."""
    grievance = followed_case(request, organisation)
    if grievance is None:
        raise Http404
    return grievance
