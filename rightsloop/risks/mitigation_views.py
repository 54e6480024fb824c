"""Mitigation pages (R4): add and change mitigations, judge their effectiveness, reassess them, read their trail."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.engagements.queries import visible_inputs

from . import actions, history, queries
from .mitigation_forms import AssessmentForm, EvidenceForm, IndicatorForm, MitigationForm, ReassessmentForm

HISTORY_SHOWN = 100


def copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _at_mitigation(mitigation) -> str:
    return reverse("risks:mitigation-detail", args=[mitigation.pk])


def _changeable_mitigation(request, pk: int):
    """The mitigation if the viewer may see it (else 404) and change it (else 403)."""
    mitigation = queries.access_mitigation(request.viewer, pk)
    if not actions.may_change_mitigation(request.viewer, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can change this mitigation."))
    return mitigation


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def mitigation_add(request, pk: int):
    viewer = request.viewer
    risk = queries.access_risk(viewer, pk)
    form = MitigationForm(request.POST if request.method == "POST" else None, organisation=viewer.organisation,
                          initial={"owner": viewer.user, "status": "planned"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            mitigation = actions.add_mitigation(
                risk=risk, action=data["action"], owner=data["owner"], status=data["status"],
                due_on=data["due_on"], reason=data["reason"], remedy_plan=data["remedy_plan"], why=data["why"],
                by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Mitigation added."))
            return redirect(_at_mitigation(mitigation))
    return render(request, "risks/mitigations/form.html", {
        "form": form, "risk": risk, "mitigation": None,
    }, status=400 if form.errors else 200)


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def mitigation_edit(request, pk: int):
    viewer = request.viewer
    mitigation = _changeable_mitigation(request, pk)
    initial = {"action": mitigation.action, "owner": mitigation.owner_id, "status": mitigation.status,
               "due_on": mitigation.due_on, "reason": mitigation.reason, "remedy_plan": mitigation.remedy_plan}
    form = MitigationForm(request.POST if request.method == "POST" else None, organisation=viewer.organisation,
                          initial=initial, changing=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_mitigation(
                mitigation=mitigation, action=data["action"], owner=data["owner"], status=data["status"],
                due_on=data["due_on"], reason=data["reason"], remedy_plan=data["remedy_plan"], why=data["why"],
                by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Mitigation saved."))
            return redirect(_at_mitigation(mitigation))
    return render(request, "risks/mitigations/form.html", {
        "form": form, "risk": mitigation.risk, "mitigation": mitigation,
    }, status=400 if form.errors else 200)


MY_MITIGATION_VIEWS = ("open", "flagged", "all")


@requires(Capability.RISKS_VIEW)
@require_GET
def my_mitigations(request):
    """The mitigations the viewer owns: what is due, what a change of context flagged for reassessment."""
    viewer = request.viewer
    today = timezone.localdate()
    order = request.GET.get("order", "due")
    order = order if order in queries.MY_MITIGATION_ORDERS else "due"
    show = request.GET.get("show", "open")
    show = show if show in MY_MITIGATION_VIEWS else "open"
    page = paginate(request, queries.my_mitigations(viewer, today, order=order, include_done=show == "all",
                                                    flagged_only=show == "flagged"))
    return render(request, "risks/mitigations/mine.html", {
        "page": page, "order": order, "show": show, "query": query_without_page(request), "today": today,
        "counts": queries.my_mitigation_counts(viewer, today),
    })


@requires(Capability.RISKS_VIEW)
@require_GET
def mitigation_detail(request, pk: int):
    """The mitigation's own page: its effectiveness over time, every call to reassess it, and its history."""
    viewer = request.viewer
    mitigation = queries.access_assessed_mitigation(viewer, pk)
    assessments = list(queries.assessments_of(mitigation))
    cited = {item.pk for a in assessments for item in a.inputs.all()}
    cited |= {e.input_id for i in mitigation.indicators.all() for e in i.evidence.all() if e.input_id}
    return render(request, "risks/mitigations/detail.html", {
        "mitigation": mitigation, "risk": mitigation.risk, "assessments": assessments,
        "flags": list(queries.reassessment_flags_of(mitigation)),
        "history": history.mitigation_entries(list(mitigation.changes.select_related("changed_by")[:HISTORY_SHOWN])),
        "seen_inputs": frozenset(visible_inputs(viewer).filter(pk__in=cited).values_list("pk", flat=True))
        if cited else frozenset(),
        "linked": visible_inputs(viewer).filter(mitigations=mitigation)
        .select_related("engagement", "group", "speaker__stakeholder", "speaker__via_proxy").order_by("-id")[:50],
        "may_change": actions.may_change_mitigation(viewer, mitigation),
        "can_edit": viewer.can(Capability.RISKS_EDIT),
    })


def _assessment_page(request, pk: int, *, reassessing: bool):
    viewer = request.viewer
    mitigation = _changeable_mitigation(request, pk)
    if reassessing and not mitigation.needs_reassessment and request.method == "GET":
        messages.info(request, _("This mitigation is not awaiting reassessment; you can record an assessment."))
        return redirect("risks:mitigation-assess", pk=mitigation.pk)
    form_class = ReassessmentForm if reassessing else AssessmentForm
    form = form_class(request.POST if request.method == "POST" else None, mitigation=mitigation,
                      inputs=evidence_inputs(viewer, mitigation), initial={"assessed_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if reassessing:
                actions.reassess_mitigation(mitigation=mitigation, judgement=data["judgement"], note=data["note"],
                                            assessed_on=data["assessed_on"], by=viewer, **form.citations())
            else:
                actions.assess_mitigation(mitigation=mitigation, judgement=data["judgement"],
                                          reasoning=data["reasoning"], assessed_on=data["assessed_on"], by=viewer,
                                          **form.citations())
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Reassessment recorded.") if reassessing else _("Assessment recorded."))
            return redirect(_at_mitigation(mitigation))
    return render(request, "risks/mitigations/assessment_form.html", {
        "form": form, "risk": mitigation.risk, "mitigation": mitigation, "reassessing": reassessing,
    }, status=400 if form.errors else 200)


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def mitigation_assess(request, pk: int):
    return _assessment_page(request, pk, reassessing=False)


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def mitigation_reassess(request, pk: int):
    return _assessment_page(request, pk, reassessing=True)


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def indicator_add(request, pk: int):
    viewer = request.viewer
    mitigation = _changeable_mitigation(request, pk)
    form = IndicatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.add_indicator(mitigation=mitigation, name=form.cleaned_data["name"],
                                  target=form.cleaned_data["target"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Indicator added."))
            return redirect(_at_mitigation(mitigation))
    return render(request, "risks/mitigations/indicator_form.html", {
        "form": form, "risk": mitigation.risk, "mitigation": mitigation,
    }, status=400 if form.errors else 200)


def evidence_inputs(viewer, mitigation):
    """Inputs that can stand as evidence: those the viewer may see linked to the mitigation or its risk."""
    return (visible_inputs(viewer).filter(Q(mitigations=mitigation) | Q(risks=mitigation.risk_id))
            .select_related("engagement").distinct().order_by("-recorded_at", "-id"))


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def evidence_add(request, pk: int):
    viewer = request.viewer
    indicator = queries.access_indicator(viewer, pk)
    mitigation = indicator.mitigation
    if not actions.may_change_mitigation(viewer, mitigation):
        raise PermissionDenied(_("Only the owner or the human rights team can change this mitigation."))
    initial = {"observed_on": timezone.localdate()}
    chosen = request.GET.get("input", "")
    if chosen.isdigit():
        initial["input"] = int(chosen)
    form = EvidenceForm(request.POST if request.method == "POST" else None, initial=initial,
                        inputs=evidence_inputs(viewer, mitigation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.record_evidence(indicator=indicator, observed_on=data["observed_on"], value=data["value"],
                                    note=data["note"], input=data["input"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Evidence recorded."))
            return redirect(_at_mitigation(mitigation))
    return render(request, "risks/mitigations/evidence_form.html", {
        "form": form, "risk": mitigation.risk, "mitigation": mitigation, "indicator": indicator,
        "can_link": viewer.can(Capability.RISKS_EDIT),
    }, status=400 if form.errors else 200)
