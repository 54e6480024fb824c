import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability, Role
from rightsloop.core.pagination import paginate, query_without_page

from . import actions, heatmap, history, queries, scales
from .forms import EscalationForm, RiskFilterForm, RiskForm, risk_initial
from .vocabulary import OwnerLevel

LINKED_PER_PAGE = 20


def copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def posted(request):
    """The submitted data, even when empty (an empty form is then invalid), or None for a GET."""
    return request.POST if request.method == "POST" else None


@requires(Capability.RISKS_VIEW)
@require_GET
def risk_register(request):
    viewer = request.viewer
    today = timezone.localdate()
    form = RiskFilterForm(request.GET or None)
    filters, sort = form.filters(), form.sort_order()
    page = paginate(request, queries.risk_register(viewer, filters, today, sort))
    return render(request, "risks/register.html", {
        "form": form, "page": page, "query": query_without_page(request), "today": today, "sort": sort,
        "heat_map": heatmap.layout(queries.heat_map(viewer, filters, today), request.GET),
        "can_edit": viewer.can(Capability.RISKS_EDIT),
    })


def rules_in_words(viewer) -> list[dict]:
    return [{"level": t.level, "label": OwnerLevel(t.level).label, "min_severity": t.min_severity,
             "min_likelihood": t.min_likelihood} for t in queries.escalation_thresholds(viewer)]


def _risk_form_page(request, form, risk=None):
    return render(request, "risks/form.html", {
        "form": form, "risk": risk, "severe_from": scales.SEVERE, "thresholds": rules_in_words(request.viewer),
    }, status=400 if form.errors else 200)


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def risk_create(request):
    viewer = request.viewer
    form = RiskForm(posted(request), organisation=viewer.organisation, creating=True, initial={
        "owner": viewer.user, "review_on": timezone.localdate() + datetime.timedelta(days=365),
    })
    if request.method == "POST" and form.is_valid():
        try:
            risk = actions.create_risk(plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Risk added to the register, owned at: %(level)s.") % {
                "level": risk.get_owner_level_display()})
            return redirect("risks:detail", pk=risk.pk)
    return _risk_form_page(request, form)


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def risk_edit(request, pk: int):
    viewer = request.viewer
    risk = queries.access_risk(viewer, pk)
    form = RiskForm(posted(request), organisation=risk.organisation, creating=False,
                    initial=risk_initial(risk))
    if request.method == "POST" and form.is_valid():
        before = risk.owner_level
        try:
            risk = actions.update_risk(risk=risk, plan=form.plan(), reason=form.cleaned_data["reason"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            if risk.owner_level != before:
                messages.success(request, _("Changes saved. The risk is now owned at: %(level)s.") % {
                    "level": risk.get_owner_level_display()})
            else:
                messages.success(request, _("Changes saved."))
            return redirect("risks:detail", pk=risk.pk)
    return _risk_form_page(request, form, risk)


@requires(Capability.RISKS_VIEW)
@require_GET
def risk_detail(request, pk: int):
    viewer = request.viewer
    risk = queries.access_risk(viewer, pk)
    return render(request, "risks/detail.html", {
        "risk": risk,
        "rank": queries.risk_rank(viewer, risk),
        "ratings": [(scale, getattr(risk, scale.key), scale.definitions[getattr(risk, scale.key)])
                    for scale in scales.ALL_SCALES],
        "mitigations": queries.mitigations_of(risk),
        "history": history.entries(list(risk.changes.select_related("changed_by")[:50])),
        "linked": paginate(request, queries.risk_inputs(viewer, risk).order_by("-id"), per_page=LINKED_PER_PAGE,
                           count=queries.risk_inputs_count(viewer, risk)),
        "heard": queries.who_was_heard_on(risk, viewer),
        "board_view": viewer.role == Role.BOARD,
        "decisions": list(risk.strategic_decisions.order_by("-updated_at", "-id")),
        "can_edit": viewer.can(Capability.RISKS_EDIT),
        "today": timezone.localdate(),
    })


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def escalation_settings(request):
    viewer = request.viewer
    if request.method == "POST" and not viewer.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Only the human rights team and administrators change the escalation rules."))
    form = EscalationForm(posted(request),
                          initial=EscalationForm.initial_for(queries.escalation_thresholds(viewer)))
    if request.method == "POST" and form.is_valid():
        try:
            moved = actions.set_escalation_rules(organisation=viewer.organisation, rules=form.rules(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Escalation rules saved. Risks that changed level: %(moved)s.") % {
                "moved": moved})
            return redirect("risks:escalation")
    return render(request, "risks/escalation.html", {
        "form": form, "thresholds": rules_in_words(viewer), "can_edit": viewer.can(Capability.RISKS_EDIT),
        "severe_from": scales.SEVERE,
    }, status=400 if form.errors else 200)
