"""Portal section "engagements": upcoming engagements the stakeholder takes part in, with briefing material."""

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import queries
from ..access import portal_view


@portal_view
@require_GET
def index(request):
    today = timezone.localdate()
    return render(request, "portal/engagements/index.html", {
        "engagements": list(queries.upcoming_engagements(request.portal.stakeholder, today)),
        "today": today,
    })


@portal_view
@require_GET
def briefing_file(request, engagement_pk: int, briefing_pk: int):
    """A briefing file, as a download (never shown inline), only of an engagement the stakeholder is in."""
    briefing = queries.access_briefing(request.portal.stakeholder, engagement_pk, briefing_pk)
    if not briefing.file:
        raise Http404
    # Opened through the sealed storage: decrypted chunk by chunk as it is sent.
    return FileResponse(briefing.file.open("rb"), as_attachment=True,
                        filename=briefing.file_name or briefing.file.name.rsplit("/", 1)[-1])


urlpatterns = [
    path("", index, name="index"),
    path("<int:engagement_pk>/briefings/<int:briefing_pk>/", briefing_file, name="briefing-file"),
]
