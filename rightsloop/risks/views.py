import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability, Role
from rightsloop.consensus import claim_columns
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.stakeholders.queries import groups_touched_by

from . import actions, escalation, heatmap, history, queries, scales
from .forms import BoardReviewForm, EscalationForm, RiskFilterForm, RiskForm, risk_initial
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


def rule_in_words(rule: escalation.Threshold) -> str:
    """One level's rule as a sentence: each condition that lifts a risk to the level, joined by "or"."""
    if rule.min_likelihood <= 1:
        parts = [_("severity at least %(severity)s, whatever the likelihood") % {"severity": rule.min_severity}]
    else:
        parts = [_("severity at least %(severity)s and likelihood at least %(likelihood)s") % {
            "severity": rule.min_severity, "likelihood": rule.min_likelihood}]
    if rule.min_severity_any_likelihood is not None:
        parts.append(_("severity at least %(severity)s, whatever the likelihood") % {
            "severity": rule.min_severity_any_likelihood})
    if rule.min_irremediability is not None and rule.min_severity_if_irremediable is not None:
        parts.append(_("irremediability at least %(irremediability)s with severity at least %(severity)s, "
                       "whatever the likelihood") % {"irremediability": rule.min_irremediability,
                                                      "severity": rule.min_severity_if_irremediable})
    return _("; or ").join(parts)


def rules_in_words(rules: list[escalation.Threshold]) -> list[dict]:
    return [{"level": t.level, "label": OwnerLevel(t.level).label, "sentence": rule_in_words(t)}
            for t in escalation.thresholds(rules)]


def _risk_form_page(request, form, risk=None):
    return render(request, "risks/form.html", {
        "form": form, "risk": risk, "severe_from": scales.SEVERE,
        "thresholds": rules_in_words(queries.own_rules(request.viewer.organisation)),
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
    return _risk_page(request, queries.access_risk(request.viewer, pk))


def _risk_page(request, risk, *, review_form=None, status=200):
    viewer = request.viewer
    may_review = viewer.can(Capability.RISKS_BOARD_REVIEW) and not risk.closed_at
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
        "decisions": list(risk.strategic_decisions.with_against_severe_risk().order_by("-updated_at", "-id")),
        "can_edit": viewer.can(Capability.RISKS_EDIT),
        "today": timezone.localdate(),
        "affected_groups": groups_touched_by(viewer, risk),
        "can_see_groups": viewer.can(Capability.STAKEHOLDERS_VIEW),
        # Competing claims on the risk (consensus, E5), for those who read engagements.
        "claim_count": claim_columns.claim_count_on_risk(viewer, risk)
        if viewer.can(Capability.ENGAGEMENTS_VIEW) else None,
        "board_reviews": list(risk.board_reviews.select_related("recorded_by")[:10]),
        "review_form": (review_form or BoardReviewForm(initial={"reviewed_on": timezone.localdate()}))
        if may_review else None,
    }, status=status)


@requires(Capability.RISKS_BOARD_REVIEW)
@require_POST
def risk_board_review(request, pk: int):
    risk = queries.access_risk(request.viewer, pk)
    form = BoardReviewForm(request.POST)
    if form.is_valid():
        try:
            actions.record_board_review(risk=risk, by=request.viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The board's review is recorded."))
            return redirect("risks:detail", pk=risk.pk)
    return _risk_page(request, risk, review_form=form, status=400)


def _escalation_page(request, form, *, preview=None, status=200):
    viewer = request.viewer
    own = queries.own_rules(viewer.organisation)
    offer = queries.pending_defaults_offer(viewer)
    return render(request, "risks/escalation.html", {
        "form": form, "thresholds": rules_in_words(own), "defaults": rules_in_words(list(escalation.DEFAULT_RULES)),
        "following_defaults": not own, "can_edit": viewer.can(Capability.RISKS_EDIT), "severe_from": scales.SEVERE,
        "irreversible": max(scales.LEVELS), "offer": offer,
        "offer_moves": queries.level_moves(viewer.organisation, None) if offer else [],
        "preview": preview,
    }, status=status)


def _check_may_change(viewer) -> None:
    if not viewer.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Only the human rights team and administrators change the escalation rules."))


def _moved_message(moves) -> str:
    return _("Risks that changed level: %(moved)s.") % {"moved": len(moves)}


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def escalation_settings(request):
    """The rules in force, the defaults in plain words, and the form to change them (with a preview)."""
    viewer = request.viewer
    if request.method == "POST":
        _check_may_change(viewer)
    form = EscalationForm(posted(request), initial=EscalationForm.initial_for(queries.escalation_thresholds(viewer)))
    if request.method == "POST" and form.is_valid():
        if "preview" in request.POST:
            return _escalation_page(request, form, preview=queries.level_moves(viewer.organisation, form.rules()))
        try:
            moves = actions.set_escalation_rules(organisation=viewer.organisation, rules=form.rules(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Escalation rules saved.") + " " + _moved_message(moves))
            return redirect("risks:escalation")
    return _escalation_page(request, form, status=400 if form.errors else 200)


@requires(Capability.RISKS_EDIT)
@require_POST
def escalation_adopt_defaults(request):
    """Go back to the default rules, or adopt the newer defaults offered: the organisation's own answer."""
    moves = actions.adopt_default_rules(organisation=request.viewer.organisation, by=request.viewer)
    messages.success(request, _("The default escalation rules now apply.") + " " + _moved_message(moves))
    return redirect("risks:escalation")


@requires(Capability.RISKS_EDIT)
@require_POST
def escalation_keep_rules(request):
    """Keep the organisation's own rules over the newer defaults: the notice goes, no risk moves."""
    try:
        actions.keep_own_rules(organisation=request.viewer.organisation, by=request.viewer)
    except ValidationError:
        messages.info(request, _("No newer default rules await an answer."))
    else:
        messages.success(request, _("Your escalation rules stay as they are; no risk moved."))
    return redirect("risks:escalation")
