"""How long a deliberately revealed protected identity stays visible to the person who revealed it."""

import time

from .models import Stakeholder
from .vocabulary import SafetyLevel

REVEAL_SECONDS = 15 * 60
SESSION_KEY = "rightsloop.revealed"


def is_protected(stakeholder: Stakeholder) -> bool:
    return stakeholder.safety_level == SafetyLevel.HIGH


def is_revealed(request, stakeholder: Stakeholder) -> bool:
    window = request.session.get(SESSION_KEY, {})
    return window.get(str(stakeholder.pk), 0) > time.time()


def remember(request, stakeholder: Stakeholder) -> None:
    now = time.time()
    window = {pk: until for pk, until in request.session.get(SESSION_KEY, {}).items() if until > now}
    window[str(stakeholder.pk)] = now + REVEAL_SECONDS
    request.session[SESSION_KEY] = window


def forget(request, stakeholder: Stakeholder) -> None:
    window = dict(request.session.get(SESSION_KEY, {}))
    window.pop(str(stakeholder.pk), None)
    request.session[SESSION_KEY] = window
