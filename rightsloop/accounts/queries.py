"""Reads of members and API tokens, scoped to what the viewer may see."""

from __future__ import annotations

from django.http import Http404

from rightsloop.core.access import plausible_id

from .models import ApiToken, Membership
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
