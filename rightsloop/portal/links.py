"""Minting and reading portal link tokens: 256 random bits from `secrets`, stored as a SHA-256 digest.

A token is long and random, so one fast hash is enough (as for API tokens): nothing to stretch, and a
lookup by digest finds the link in one indexed query.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .models import LinkChannel, PortalLink

LINK_DAYS = 7
# Longer than anything secrets.token_urlsafe(32) gives; longer input is refused before hashing.
MAX_TOKEN_LENGTH = 100


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh token and its digest."""
    token = secrets.token_urlsafe(32)
    return token, digest(token)


def absolute_url(token: str) -> str:
    return settings.RIGHTSLOOP_BASE_URL.rstrip("/") + reverse("portal:enter", args=[token])


def mint(*, stakeholder, channel: str = LinkChannel.HANDED_OVER, issued_by=None,
         days: int = LINK_DAYS) -> tuple[PortalLink, str | None]:
    """Create the link row and return it with its token; the token is never stored and cannot be shown again.

    An emailed link gets no token here: its task draws one when it sends the message (token None).
    """
    token, token_digest = new_token() if channel != LinkChannel.EMAIL else (None, None)
    now = timezone.now()
    link = PortalLink.objects.create(
        organisation_id=stakeholder.organisation_id, stakeholder=stakeholder, token_digest=token_digest,
        channel=channel, issued_by=issued_by, issued_at=now, expires_at=now + timedelta(days=days),
    )
    return link, token


def find(token: str) -> PortalLink | None:
    """The link a token names, whatever its state; None for a token nobody issued (or a tampered one)."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    return (PortalLink.objects.select_related("stakeholder", "organisation")
            .filter(token_digest=digest(token)).first())
