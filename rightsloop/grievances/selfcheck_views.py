"""The UNGP 31 self-check page: figures per criterion for a period, the trend, the organisation's own assessment.

Counts only: holders of grievances.oversee (the board, auditors) read it, so nothing on it comes from a case's
words. Links down to the case list appear only for those who may open cases.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.forms import copy_errors

from . import selfcheck
from .actions.assessments import assess as record_assessment
from .selfcheck_forms import AssessmentForm
from .vocabulary import Criterion

BADGES = {"meets": "adopted", "partly": "partly_adopted", "not_yet": "not_adopted"}


def _case_links(viewer):
    """Links to the case list filtered by a figure's parameters, for those who may open cases; else None."""
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        return None
    try:
        base = reverse("grievances:list")
    except NoReverseMatch:
        return None
    return lambda params: f"{base}?{urlencode(params)}"


def _render(request, period: selfcheck.Period, *, bound: AssessmentForm | None = None, bound_for: str = "",
            period_error: str = "", status: int = 200):
    viewer = request.viewer
    links = _case_links(viewer)
    check = selfcheck.remembered_self_check(viewer.organisation, period, link=links,
                                            link_kind="cases" if links else "")
    can_assess = viewer.can(Capability.GRIEVANCES_CONFIGURE)
    sections = []
    for item in check.criteria:
        form = None
        if can_assess:
            form = bound if bound_for == item.criterion and bound is not None else AssessmentForm(
                prefix=item.criterion,
                initial={"assessment": item.standing.assessment if item.standing else None})
        sections.append({"check": item, "form": form,
                         "badge": BADGES.get(item.standing.assessment, "") if item.standing else ""})
    choices = selfcheck.period_choices()
    if period not in choices:
        choices = [period, *choices]
    return render(request, "grievances/selfcheck/page.html", {
        "check": check,
        "sections": sections,
        "period": period,
        "previous": period.previous(),
        "next": period.next() if period.next().start <= timezone.localdate() else None,
        "choices": choices,
        "period_error": period_error,
        "can_assess": can_assess,
    }, status=status)


@requires(Capability.GRIEVANCES_OVERSEE)
@require_GET
def self_check(request):
    try:
        period = selfcheck.parse_period(request.GET.get("period"))
    except selfcheck.BadPeriod as error:
        return _render(request, selfcheck.current_quarter(), period_error=str(error), status=400)
    return _render(request, period)


@requires(Capability.GRIEVANCES_CONFIGURE)
@require_POST
def assess(request):
    viewer = request.viewer
    try:
        period = selfcheck.parse_period(request.POST.get("period"))
    except selfcheck.BadPeriod:
        period = selfcheck.current_quarter()
    criterion = request.POST.get("criterion", "")
    if criterion not in Criterion.values:
        messages.error(request, _("Choose one of the eight criteria to assess."))
        return _render(request, period, status=400)
    form = AssessmentForm(request.POST, prefix=criterion)
    if form.is_valid():
        try:
            record_assessment(organisation=viewer.organisation, criterion=criterion,
                              assessment=form.cleaned_data["assessment"], notes=form.cleaned_data["notes"],
                              by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Your assessment is recorded; the earlier ones are kept."))
            return redirect(f"{reverse('grievances:self-check')}?{urlencode({'period': period.code})}#{criterion}")
    return _render(request, period, bound=form, bound_for=criterion, status=400)
