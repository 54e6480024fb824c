from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.engagements.representation import who_was_heard

from . import queries


@requires(Capability.RISKS_VIEW)
@require_GET
def risk_register(request):
    today = timezone.localdate()
    filters = queries.RiskFilters()
    page = paginate(request, queries.risk_register(request.viewer, filters, today))
    return render(request, "risks/register.html", {
        "page": page, "query": query_without_page(request), "today": today,
        "heat_map": queries.heat_map(request.viewer, filters, today),
    })


@requires(Capability.RISKS_VIEW)
@require_GET
def risk_detail(request, pk: int):
    viewer = request.viewer
    risk = queries.access_risk(viewer, pk)
    return render(request, "risks/detail.html", {
        "risk": risk,
        "mitigations": queries.mitigations_of(risk),
        "changes": risk.changes.select_related("changed_by")[:20],
        "heard": who_was_heard(queries.risk_inputs(viewer, risk), markets=risk.market_codes),
        "can_edit": viewer.can(Capability.RISKS_EDIT),
    })
