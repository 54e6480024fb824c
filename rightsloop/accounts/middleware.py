"""Attach the Viewer (user + organisation + role) to every signed-in request."""

from .models import Membership
from .viewer import Viewer

SESSION_ORGANISATION_KEY = "rightsloop.organisation_id"


class ViewerMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.viewer = None
        request.memberships = []
        if request.user.is_authenticated:
            memberships = list(
                Membership.objects.active()
                .filter(user=request.user, organisation__isnull=False)
                .select_related("organisation", "user")
                .order_by("organisation__name")
            )
            request.memberships = memberships
            chosen = request.session.get(SESSION_ORGANISATION_KEY)
            current = next((m for m in memberships if m.organisation_id == chosen), None)
            current = current or (memberships[0] if memberships else None)
            if current is not None:
                request.viewer = Viewer.from_membership(current)
        return self.get_response(request)
