"""Reads of members, invitations and API tokens, scoped to what the viewer (or the signed-in person) may see."""

from __future__ import annotations

from django.http import Http404

from rightsloop.core.access import plausible_id

from .models import ApiToken, Invitation, Membership, User
from .viewer import Viewer


def access_membership(viewer: Viewer, pk: int) -> Membership:
    """A membership of the viewer's organisation; 'not found' for missing and other organisations' alike."""
    if not plausible_id(pk):
        raise Http404
    try:
        return Membership.objects.select_related("user").get(pk=pk, organisation=viewer.organisation)
    except Membership.DoesNotExist:
        raise Http404 from None


def access_api_token(viewer: Viewer | None, pk: int) -> ApiToken:
    """One of the viewer's own tokens in this organisation: tokens are personal, even to administrators."""
    # A signed-in user with no active membership acts in no organisation, so no token is theirs to touch.
    if viewer is None or not plausible_id(pk):
        raise Http404
    try:
        return ApiToken.objects.get(pk=pk, membership__user=viewer.user, membership__organisation=viewer.organisation)
    except ApiToken.DoesNotExist:
        raise Http404 from None


def waiting_invitations(viewer: Viewer):
    """The organisation's invitations nobody accepted or withdrew (a declined one looks the same until it expires)."""
    return Invitation.objects.filter(organisation=viewer.organisation).waiting().select_related("invited_by")


def access_waiting_invitation(viewer: Viewer, pk: int) -> Invitation:
    """One of the organisation's waiting invitations; 'not found' for others' and answered ones alike."""
    if not plausible_id(pk):
        raise Http404
    try:
        return waiting_invitations(viewer).get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None


def open_invitations_for(user: User):
    """Invitations the signed-in person may still accept or decline: addressed to their username and email."""
    return Invitation.objects.open().addressed_to(user).select_related("organisation", "invited_by").order_by(
        "created_at")


def access_open_invitation(user: User, pk: int) -> Invitation:
    """An open invitation addressed to this account; 'not found' for anyone else's, answered or expired ones."""
    if not plausible_id(pk):
        raise Http404
    try:
        return open_invitations_for(user).get(pk=pk)
    except Invitation.DoesNotExist:
        raise Http404 from None
