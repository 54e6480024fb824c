"""Which channels may carry a message to a stakeholder, given how much exposure could harm them.

Safety beats engagement: the rules only ever remove channels as the safety
level rises, and an unknown case falls back to the most protective answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .vocabulary import Channel, SafetyLevel

# Channels a state or a hostile party can trace to the person, or read in
# transit: never used for someone at high risk, whatever they recorded.
TRACEABLE = frozenset({Channel.EMAIL, Channel.PHONE, Channel.POST})
# Channels that need no contact detail of the person and expose nothing stored.
ALWAYS_SAFE = frozenset({Channel.IN_PERSON})


@dataclass(frozen=True)
class Reach:
    """What we hold to reach someone: which contact details exist and whether a proxy stands between."""

    safety_level: str
    safe_channels: frozenset[str]
    has_email: bool = False
    has_phone: bool = False
    has_postal_address: bool = False
    has_messenger: bool = False
    has_proxy: bool = False
    contact_consented: bool = True


def _has_means(reach: Reach, channel: str) -> bool:
    return {
        Channel.EMAIL: reach.has_email,
        Channel.PHONE: reach.has_phone,
        Channel.POST: reach.has_postal_address,
        Channel.SECURE_MESSENGER: reach.has_messenger,
        Channel.IN_PERSON: True,
        Channel.VIA_PROXY: reach.has_proxy,
    }.get(channel, False)


def permitted(reach: Reach, channel: str) -> bool:
    """Say whether a message may go to this person by this channel."""
    if channel not in Channel.values or not _has_means(reach, channel):
        return False
    if channel == Channel.VIA_PROXY:
        # A proxy is the protective route: open at every level, and the only one
        # left when the person declined direct contact.
        return True
    if not reach.contact_consented:
        return False
    if reach.safety_level == SafetyLevel.NORMAL:
        return True
    if channel in ALWAYS_SAFE:
        return True
    if reach.safety_level == SafetyLevel.ELEVATED:
        return channel in reach.safe_channels
    if reach.safety_level == SafetyLevel.HIGH:
        return channel not in TRACEABLE and channel in reach.safe_channels
    return False


def permitted_channels(reach: Reach, candidates: Iterable[str] = Channel.values) -> list[str]:
    return [channel for channel in candidates if permitted(reach, channel)]
