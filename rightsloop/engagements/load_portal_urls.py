"""Portal section "load": the stakeholder sees how often the company asked them, as staff see it (S3).

Who asked is told by engagement, date and the functions of the decision makers attending, never by staff
names: a stakeholder needs to know which parts of the company ask, not to be handed employees' names. For an
organisation, requests to the people who belong to it count and show (without naming them), except people at
elevated or high safety: the organisation must not learn from us that we approached them.
"""

from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from rightsloop.portal.access import portal_view

from . import load


def shown(stakeholder) -> bool:
    """The menu entry appears once the stakeholder was asked at least once in the last year."""
    return load.counts(stakeholder, leave_out=load.portal_leave_out(stakeholder))[1] > 0


@portal_view
@require_GET
def index(request):
    stakeholder = request.portal.stakeholder
    leave_out = load.portal_leave_out(stakeholder)
    found = load.load_of(stakeholder, leave_out=leave_out)
    return render(request, "engagements/load/portal.html", {
        "load": found,
        "chart": load.monthly_chart(load.monthly(stakeholder, leave_out=leave_out), found.thresholds),
        "own_id": stakeholder.pk,
    })


urlpatterns = [path("", index, name="index")]
