"""Voting links: a signed token per participant, so a person votes without an account and without JavaScript.

The token carries the participant's uid and their link nonce, signed with the project's secret (django.core
.signing, salted for this use). Issuing a new link gives a new nonce, which kills every earlier one; revoking
sets `link_revoked_at`. Nothing secret is stored: a leaked database does not leak working links.
"""

from __future__ import annotations

import secrets

from django.core import signing

from .models import Participant

SALT = "rightsloop.consensus.voting-link"


def new_nonce() -> str:
    return secrets.token_urlsafe(12)


def token_for(participant: Participant) -> str:
    """The participant's current link token; give the participant a nonce first (consensus.actions)."""
    if not participant.link_nonce:
        raise ValueError("the participant has no link yet")
    # A plain Signer, not signing.dumps (which stamps the time): the same participant and nonce give the same link.
    return signing.Signer(salt=SALT).sign_object({"p": str(participant.uid), "n": participant.link_nonce},
                                                 compress=True)


def participant_for(token: str) -> Participant | None:
    """The participant a token names, if the token is genuine, current and not revoked; None otherwise."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    try:
        participant = Participant.objects.select_related("exercise", "participation__stakeholder").get(
            uid=payload.get("p"), link_nonce=payload.get("n"))
    except (Participant.DoesNotExist, ValueError, TypeError, signing.BadSignature):
        return None
    if not participant.link_nonce or participant.link_revoked_at is not None:
        return None
    return participant
