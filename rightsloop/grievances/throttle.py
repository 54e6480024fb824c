"""Wrong receipts are throttled without knowing who tried: counted per case reference and per organisation.

No address, cookie or session of the person trying is counted or kept: the grievance pages promise to keep nobody's
address. The counters live in Django's cache (shared by every web process once CACHE_URL points at Redis) under
keys made of the organisation's id and the reference typed, nothing else:

- 5 wrong receipts for one reference lock that reference for 15 minutes: nobody can aim at one case;
- 300 wrong receipts in 10 minutes across the organisation pause every receipt check of that organisation for
  5 minutes: the total work (and the Argon2id cost each check adds) stays bounded.

Guessing is hopeless anyway (83 bits of secret, receipts.py); the throttle keeps one case from being targeted and
the service from being ground down. The price: someone who floods the page can make the real person wait a few
minutes; they can never open, lose or reveal a case. See docs/grievances/intake.md.
"""

from __future__ import annotations

from django.core.cache import cache

from . import receipts
from .models import Grievance

REFERENCE_TRIES = 5
REFERENCE_LOCK_SECONDS = 15 * 60
ORGANISATION_TRIES = 300
ORGANISATION_WINDOW_SECONDS = 10 * 60
ORGANISATION_PAUSE_SECONDS = 5 * 60
PREFIX = "grievance-receipts"


class Throttled(Exception):
    """Receipt checks are paused for this reference or this organisation; try again after `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__(f"receipt checks paused for {retry_after} seconds")
        self.retry_after = retry_after


def _keys(organisation_id: int, reference: str) -> dict[str, str]:
    return {
        "reference_count": f"{PREFIX}:{organisation_id}:ref:{reference}:wrong",
        "reference_lock": f"{PREFIX}:{organisation_id}:ref:{reference}:locked",
        "organisation_count": f"{PREFIX}:{organisation_id}:wrong",
        "organisation_pause": f"{PREFIX}:{organisation_id}:paused",
    }


def _increment(key: str, window: int) -> int:
    cache.add(key, 0, window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def ensure_open(organisation_id: int, reference: str) -> None:
    """Raise Throttled while the reference or the organisation is paused."""
    keys = _keys(organisation_id, reference)
    if cache.get(keys["organisation_pause"]):
        raise Throttled(ORGANISATION_PAUSE_SECONDS)
    if cache.get(keys["reference_lock"]):
        raise Throttled(REFERENCE_LOCK_SECONDS)


def count_wrong(organisation_id: int, reference: str) -> None:
    keys = _keys(organisation_id, reference)
    if _increment(keys["reference_count"], REFERENCE_LOCK_SECONDS) >= REFERENCE_TRIES:
        cache.set(keys["reference_lock"], 1, REFERENCE_LOCK_SECONDS)
        cache.delete(keys["reference_count"])
    if _increment(keys["organisation_count"], ORGANISATION_WINDOW_SECONDS) >= ORGANISATION_TRIES:
        cache.set(keys["organisation_pause"], 1, ORGANISATION_PAUSE_SECONDS)
        cache.delete(keys["organisation_count"])


def check_receipt(organisation, typed: str) -> Grievance | None:
    """The case a typed receipt opens, or None (not a receipt, or a wrong one); Throttled while paused.

    A paused reference stays paused even for the right receipt, or the lock would only slow the guesser down
    until they hit. Text that is not 32 digits costs nothing and is not counted: it cannot open a case.
    """
    receipt = receipts.normalise(typed)
    if receipt is None:
        return None
    reference = receipts.reference_of(receipt)
    ensure_open(organisation.pk, reference)
    grievance = receipts.check(organisation, receipt)
    if grievance is None:
        count_wrong(organisation.pk, reference)
    return grievance
