"""Issuing and revoking portal links, and sending an emailed one."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.stakeholders.channels import permitted
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.queries import reach_of, visible_stakeholders
from rightsloop.stakeholders.vocabulary import Channel

from .. import links
from ..access import portal_language
from ..models import LinkChannel, PortalLink

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class IssuedLink:
    link: PortalLink
    # The link to hand over, shown once; None for an emailed link (only the message carries it).
    url: str | None


def email_permitted(stakeholder: Stakeholder) -> bool:
    """Whether the stakeholder's safety level, safe channels and contact consent allow email to them."""
    return permitted(reach_of(stakeholder, has_proxy=False), Channel.EMAIL)


def _check_may_issue(viewer: Viewer, stakeholder: Stakeholder) -> Stakeholder:
    # The person must be one this viewer may see at all (a high-safety person only for grant holders).
    found = visible_stakeholders(viewer).filter(pk=stakeholder.pk).first()
    if found is None:
        raise PermissionDenied(_("You cannot issue a portal link for this stakeholder."))
    if not viewer.can(Capability.PORTAL_LINKS):
        raise PermissionDenied(_("Your role does not let you issue portal links."))
    if found.is_erased:
        raise ValidationError(_("This stakeholder was erased; no portal link can be issued."))
    return found


@transaction.atomic
def issue_portal_link(*, viewer: Viewer, stakeholder: Stakeholder, channel: str) -> IssuedLink:
    """Issue a single-use link valid for 7 days: emailed (after commit, by a task) where the person's safety
    rules permit email, else handed over by the member (shown once, with a QR code)."""
    stakeholder = _check_may_issue(viewer, stakeholder)
    if channel not in LinkChannel.values:
        raise ValidationError({"channel": _("Choose email or handing over.")})
    if channel == LinkChannel.EMAIL and not email_permitted(stakeholder):
        raise ValidationError({"channel": _(
            "Email is not a permitted channel for this person (their safety level, safe channels, contact "
            "consent or a missing address). Hand the link over instead.")})
    link, token = links.mint(stakeholder=stakeholder, channel=channel, issued_by=viewer.user)
    audit.record(organisation=stakeholder.organisation, by=viewer, action="portal.link_issued",
                 target=stakeholder, summary=f"link #{link.pk} for #{stakeholder.pk}, {channel}")
    if channel == LinkChannel.EMAIL:
        from ..tasks import send_portal_link

        transaction.on_commit(lambda: send_portal_link.enqueue(link.pk))
        return IssuedLink(link, None)
    return IssuedLink(link, links.absolute_url(token))


@transaction.atomic
def revoke_portal_link(*, viewer: Viewer, link: PortalLink) -> PortalLink:
    """Withdraw a link: it can no longer be followed, and a session it opened ends at the next request."""
    if not viewer.can(Capability.PORTAL_LINKS):
        raise PermissionDenied(_("Your role does not let you revoke portal links."))
    link = PortalLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.revoked_by = viewer.user
        link.save(update_fields=["revoked_at", "revoked_by"])
        audit.record(organisation=link.organisation, by=viewer, action="portal.link_revoked",
                     target=link.stakeholder, summary=f"link #{link.pk}")
    return link


@transaction.atomic
def send_link_email(*, link_id: int) -> str:
    """Draw the token of an emailed link and send it; safe to run twice (the drawn digest is the claim).

    The safety rules are checked again at sending time: a person raised to high safety since, or who
    withdrew contact consent, gets no email, and the link is marked failed.
    """
    link = (PortalLink.objects.select_for_update().select_related("stakeholder__organisation")
            .filter(pk=link_id).first())
    if link is None or link.token_digest is not None or link.failure or link.revoked_at is not None:
        return "skipped"
    stakeholder = link.stakeholder
    if stakeholder.is_erased or not email_permitted(stakeholder):
        link.failure = "email is no longer a permitted channel"
        link.save(update_fields=["failure"])
        audit.record(organisation=link.organisation, by=None, action="portal.link_withheld",
                     target=stakeholder, summary=f"link #{link.pk}: channel no longer safe at sending time")
        return "withheld"
    token, link.token_digest = links.new_token()
    language = portal_language(stakeholder)
    with translation.override(language):
        context = {"organisation": stakeholder.organisation.name, "url": links.absolute_url(token),
                   "expires_at": link.expires_at}
        message = EmailMessage(
            subject=_("Your link to the stakeholder portal of %(organisation)s") % {
                "organisation": stakeholder.organisation.name},
            body=render_to_string("portal/email/link.txt", context),
            to=[stakeholder.email],
            headers={"Auto-Submitted": "auto-generated", "Content-Language": language},
        )
    try:
        message.send(fail_silently=False)
    except Exception as error:  # the mail server's failure is recorded, never raised into the worker
        logger.warning("portal link %s not sent: %s", link.pk, type(error).__name__)
        link.token_digest = None
        link.failure = type(error).__name__[:200]
        link.save(update_fields=["token_digest", "failure"])
        audit.record(organisation=link.organisation, by=None, action="portal.link_failed", target=stakeholder,
                     summary=f"link #{link.pk}: {type(error).__name__}")
        return "failed"
    link.sent_at = timezone.now()
    link.save(update_fields=["token_digest", "sent_at"])
    audit.record(organisation=link.organisation, by=None, action="portal.link_sent", target=stakeholder,
                 summary=f"link #{link.pk} by email, language {language}")
    return "sent"
