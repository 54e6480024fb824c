"""Mitigation pages (R4): add and change mitigations, mark them reassessed, and track their effectiveness."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.engagements.queries import visible_inputs

from . import actions, queries
from .mitigation_forms import EvidenceForm, IndicatorForm, MitigationForm


def copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _at_mitigation(mitigation) -> str:
    return reverse("risks:detail", args=[mitigation.risk_id]) + f"#mitigation-{mitigation.pk}"


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
                due_on=data["due_on"], reason=data["reason"], remedy_plan=data["remedy_plan"], by=viewer)
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
                          initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_mitigation(
                mitigation=mitigation, action=data["action"], owner=data["owner"], status=data["status"],
                due_on=data["due_on"], reason=data["reason"], remedy_plan=data["remedy_plan"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Mitigation saved."))
            return redirect(_at_mitigation(mitigation))
    return render(request, "risks/mitigations/form.html", {
        "form": form, "risk": mitigation.risk, "mitigation": mitigation,
    }, status=400 if form.errors else 200)


@requires(Capability.RISKS_VIEW)
@require_POST
def mitigation_reassessed(request, pk: int):
    mitigation = _changeable_mitigation(request, pk)
    was_flagged = mitigation.needs_reassessment
    actions.mark_mitigation_reassessed(mitigation=mitigation, by=request.viewer)
    if was_flagged:
        messages.success(request, _("Marked as reassessed."))
    return redirect(_at_mitigation(mitigation))


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
