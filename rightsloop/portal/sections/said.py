"""Portal section "said": what became of what the stakeholder said, and the feedback reports they received."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import queries
from ..access import portal_view


@portal_view
@require_GET
def index(request):
    stakeholder = request.portal.stakeholder
    outcomes = queries.input_outcomes(stakeholder)
    still_open = [row for row in outcomes if row.is_open]
    return render(request, "portal/said/index.html", {
        "outcomes": outcomes,
        "still_open": still_open,
        "next_answer_due": min((row.answer_due for row in still_open if row.answer_due), default=None),
        "reports": list(queries.own_reports(stakeholder)),
        "today": timezone.localdate(),
    })


@portal_view
@require_GET
def report(request, report_pk: int):
    found = queries.access_report(request.portal.stakeholder, report_pk)
    return render(request, "portal/said/report.html", {"report": found})


urlpatterns = [
    path("", index, name="index"),
    path("reports/<int:report_pk>/", report, name="report"),
]
