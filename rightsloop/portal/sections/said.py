"""Portal section "said": what became of what the stakeholder said, and the feedback reports they received."""

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from rightsloop.core.pagination import CountedPaginator

from .. import queries
from ..access import portal_view

# What a page lists: at about 550 bytes an input, 20 keep the page near 15 KB however much the person said
# (the busiest in the scale benchmark said 157 things: 85 KB on one page).
PER_PAGE = 20


def _page_number(raw: str | None, last: int) -> int:
    """The page asked for, within 1..last: anything not a number is the first page, past the end the last."""
    try:
        number = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), last)


@portal_view
@require_GET
def index(request):
    stakeholder = request.portal.stakeholder
    counts = queries.said_counts(stakeholder)
    # Newest first; the counts above already know the total, so paging costs no COUNT of its own.
    paginator = CountedPaginator(queries.own_inputs(stakeholder), PER_PAGE, count=counts.said)
    page = paginator.page(_page_number(request.GET.get("page"), paginator.num_pages))
    return render(request, "portal/said/index.html", {
        "outcomes": queries.input_outcomes(stakeholder, page.object_list),
        "page": page,
        "counts": counts,
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
