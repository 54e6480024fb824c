"""What the portal holds about a stakeholder, for subject access exports and erasure."""

from __future__ import annotations

from .models import ErasureRequest, PortalLink


def export(stakeholder) -> dict:
    return {
        "portal_links": [
            {"issued_at": link.issued_at.isoformat(), "channel": link.channel, "state": link.state,
             "used_at": link.used_at.isoformat() if link.used_at else None}
            for link in PortalLink.objects.filter(stakeholder=stakeholder).order_by("issued_at", "id")
        ],
        "erasure_requests": [
            {"requested_at": item.requested_at.isoformat(), "state": item.state, "reason": item.reason}
            for item in ErasureRequest.objects.filter(stakeholder=stakeholder).order_by("requested_at", "id")
        ],
    }


def erase(stakeholder) -> int:
    """Links go (nothing can open an erased person's portal); the erasure request stays as the record that
    they asked for it, and holds nothing about them beyond its dates."""
    deleted, _by_model = PortalLink.objects.filter(stakeholder=stakeholder).delete()
    return deleted
