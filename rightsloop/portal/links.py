"""Minting and reading portal link tokens: 256 random bits from `secrets`, stored as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import LinkChannel, PortalLink

LINK_DAYS = 7


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def mint(*, stakeholder, channel: str = LinkChannel.HANDED_OVER, issued_by=None,
         days: int = LINK_DAYS) -> tuple[PortalLink, str]:
    """Create the link row and return it with its token; the token is never stored and cannot be shown again."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    link = PortalLink.objects.create(
        organisation_id=stakeholder.organisation_id, stakeholder=stakeholder, token_digest=digest(token),
        channel=channel, issued_by=issued_by, issued_at=now, expires_at=now + timedelta(days=days),
    )
    return link, token


def find(token: str) -> PortalLink | None:
    """The link a token names, whatever its state; None for a token nobody issued (or a tampered one)."""
    if not token or len(token) > 100:
        return None
    return (PortalLink.objects.select_related("stakeholder", "organisation")
            .filter(token_digest=digest(token)).first())
