"""JSON front door of portal links: /api/v1/portal-links (list a stakeholder's links, issue, revoke).

A handed-over link's address is in the answer to the POST that issues it, and nowhere else ever after.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from rightsloop.accounts.roles import Capability
from rightsloop.core.api_errors import documented
from rightsloop.stakeholders.queries import access_stakeholder, visible_stakeholders

from . import queries
from .actions import links as link_actions
from .models import LinkChannel

router = Router(tags=["portal links"])


class PortalLinkOut(Schema):
    id: int
    stakeholder_id: int
    channel: str = Field(..., description="email or handed_over")
    state: str = Field(..., description="live, used, expired, revoked or failed (an email that was not sent)")
    issued_at: datetime.datetime
    expires_at: datetime.datetime
    used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None
    sent_at: datetime.datetime | None


class IssuedLinkOut(PortalLinkOut):
    url: str | None = Field(None, description="The link to hand over, given once; null when it is emailed")


class IssueIn(Schema):
    stakeholder_id: int
    channel: LinkChannel = Field(..., description="email (only where the person's safety rules permit email) "
                                                  "or handed_over")


def _require(viewer, capability: str) -> None:
    if not viewer.can(capability):
        raise PermissionDenied(_("Your role does not give access to this operation."))


@router.get("/stakeholders/{int:stakeholder_id}", response=documented({200: list[PortalLinkOut]}),
            summary="A stakeholder's portal links")
def list_portal_links(request, stakeholder_id: int):
    viewer = request.auth
    _require(viewer, Capability.STAKEHOLDERS_VIEW)
    return list(queries.links_of(access_stakeholder(viewer, stakeholder_id)))


@router.post("", response=documented({201: IssuedLinkOut}), summary="Issue a portal link")
def issue_portal_link(request, payload: IssueIn):
    viewer = request.auth
    _require(viewer, Capability.PORTAL_LINKS)
    stakeholder = access_stakeholder(viewer, payload.stakeholder_id)
    issued = link_actions.issue_portal_link(viewer=viewer, stakeholder=stakeholder, channel=payload.channel)
    out = IssuedLinkOut.from_orm(issued.link).dict()
    out["url"] = issued.url
    return Status(201, out)


@router.post("/{int:link_id}/revoke", response=documented({200: PortalLinkOut}), summary="Revoke a portal link")
def revoke_portal_link(request, link_id: int):
    viewer = request.auth
    _require(viewer, Capability.PORTAL_LINKS)
    link = queries.access_link(viewer, link_id, visible=visible_stakeholders(viewer))
    return link_actions.revoke_portal_link(viewer=viewer, link=link)
