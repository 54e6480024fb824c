"""Following a portal link: the one place a link is checked and spent."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from rightsloop.core import audit

from .. import links
from ..models import PortalLink


@dataclass(frozen=True)
class LinkCheck:
    """What a followed token turned out to be: `link` when it may open a session, else `problem`
    ("unknown", "expired", "used", "revoked", "erased")."""

    link: PortalLink | None
    problem: str = ""


def check_link(token: str) -> LinkCheck:
    """Read a token without spending it (the confirmation page a mail scanner may fetch)."""
    link = links.find(token)
    if link is None:
        return LinkCheck(None, "unknown")
    if link.stakeholder.erased_at is not None:
        return LinkCheck(None, "erased")
    if link.revoked_at is not None:
        return LinkCheck(None, "revoked")
    if link.used_at is not None:
        return LinkCheck(None, "used")
    if link.expires_at <= timezone.now():
        return LinkCheck(None, "expired")
    return LinkCheck(link)


@transaction.atomic
def use_portal_link(*, token: str) -> LinkCheck:
    """Spend a link: mark it used (once, even under two simultaneous posts) and audit the sign-in.

    A second use of a spent link is audited: it may mean someone else holds the link. Expired and revoked
    links, and tokens nobody issued, change nothing, not even the log (staff ended them, or they name nothing).
    """
    checked = check_link(token)
    if checked.link is None:
        if checked.problem == "used":
            link = links.find(token)
            audit.record(organisation=link.organisation, by=None, action="portal.sign_in_refused",
                         target=link, summary=f"link #{link.pk} {checked.problem}")
        return checked
    link = checked.link
    now = timezone.now()
    # The conditional update is the claim: of two posts racing, exactly one changes the row.
    claimed = PortalLink.objects.filter(pk=link.pk, used_at=None, revoked_at=None).update(used_at=now)
    if not claimed:
        return LinkCheck(None, "used")
    link.used_at = now
    audit.record(organisation=link.organisation, by=None, action="portal.signed_in", target=link.stakeholder,
                 summary=f"portal sign-in with link #{link.pk}")
    return LinkCheck(link)
