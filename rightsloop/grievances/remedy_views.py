"""Staff pages of remedy plans (grievances.handle): the plan, its cases, proposals, decisions and actions.

Every form on the plan page posts to its own address and calls one action; a refused or invalid post renders
the plan page again with that form's errors (400), everything else as it was.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.access import plausible_id
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors
from rightsloop.engagements.actions import record_decision
from rightsloop.engagements.actions.decisions import may_decide
from rightsloop.engagements.models import Input

from . import remedy_queries
from .actions import remedy as actions
from .queries import access_case, access_plan
from .remedy_forms import (
    ActionForm,
    CaseChoiceForm,
    DecisionForm,
    PlanForm,
    StaffAnswerForm,
    StaffProposalForm,
    owners_of,
)
from .vocabulary import ActionStatus


def case_url(grievance) -> str:
    """The case page (grievances:case) where it is installed; the plan pages work without it."""
    try:
        return reverse("grievances:case", args=[grievance.pk])
    except NoReverseMatch:
        return ""


def _proposals_queryset(plan):
    return Input.objects.filter(engagement_id=plan.engagement_id) if plan.engagement_id else Input.objects.none()


def _decision_form(item, data=None) -> DecisionForm:
    decision = item.current_decision
    initial = ({"outcome": decision.outcome, "rationale": decision.rationale, "next_step": decision.next_step,
                "next_step_due": decision.next_step_due} if decision else {})
    return DecisionForm(data, initial=initial, prefix=f"d{item.pk}")


def _plan_page(request, plan, *, bound: dict | None = None, status: int = 200):
    viewer = request.viewer
    bound = bound or {}
    cases = remedy_queries.plan_cases(plan)
    proposals = remedy_queries.plan_proposals(plan, cases)
    decided_on = bound.get("decision_for")
    for item in proposals:
        item.decision_form = bound["decision"] if decided_on == item.pk else _decision_form(item)
    actions_ = remedy_queries.plan_actions(plan)
    for action in actions_:
        if bound.get("answer_for") == action.pk:
            action.answer_form = bound["answer"]
        elif action.status == ActionStatus.DELIVERED:
            action.answer_form = StaffAnswerForm(cases=cases, prefix=f"a{action.pk}")
    for case in cases:
        case.url = case_url(case)
    return render(request, "grievances/remedy/plan.html", {
        "plan": plan, "cases": cases, "proposals": proposals, "actions": actions_,
        "can_decide": viewer.can(Capability.DECISIONS_ANY),
        "add_case_form": bound.get("add_case") or CaseChoiceForm(
            cases=remedy_queries.cases_to_group(viewer), prefix="add"),
        "proposal_form": bound.get("proposal") or StaffProposalForm(cases=cases, prefix="proposal"),
        "action_form": bound.get("action") or ActionForm(
            owners=owners_of(plan.organisation), proposals=_proposals_queryset(plan), prefix="action"),
        "ActionStatus": ActionStatus,
    }, status=status)


@requires(Capability.GRIEVANCES_HANDLE)
@require_GET
def plan_detail(request, pk: int):
    return _plan_page(request, access_plan(request.viewer, pk))


@requires(Capability.GRIEVANCES_HANDLE)
@require_http_methods(["GET", "POST"])
def plan_create(request, case_pk: int):
    viewer = request.viewer
    grievance = access_case(viewer, case_pk)
    if grievance.remedy_plan_id is not None:
        return redirect("grievances:plan", pk=grievance.remedy_plan_id)
    others = remedy_queries.cases_to_group(viewer, leave_out=[grievance.pk])
    form = PlanForm(request.POST or None, others=others,
                    initial={"title": _("Remedy for %(case)s") % {"case": grievance.label}})
    if request.method == "POST" and form.is_valid():
        try:
            plan = actions.create_plan(grievances=[grievance, *form.cleaned_data["others"]],
                                       title=form.cleaned_data["title"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Remedy plan opened."))
            return redirect("grievances:plan", pk=plan.pk)
    return render(request, "grievances/remedy/plan_form.html", {
        "grievance": grievance, "form": form, "case_url": case_url(grievance),
    }, status=400 if request.method == "POST" else 200)


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def plan_add_case(request, pk: int):
    viewer = request.viewer
    plan = access_plan(viewer, pk)
    form = CaseChoiceForm(request.POST, cases=remedy_queries.cases_to_group(viewer), prefix="add")
    if form.is_valid():
        try:
            actions.add_case_to_plan(plan=plan, grievance=form.cleaned_data["grievance"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Case added to the plan."))
            return redirect("grievances:plan", pk=plan.pk)
    return _plan_page(request, plan, bound={"add_case": form}, status=400)


def _taking_case_out(request, pk: int, case_pk: int) -> Confirmation:
    plan = access_plan(request.viewer, pk)
    grievance = access_case(request.viewer, case_pk)
    if grievance.remedy_plan_id != plan.pk:
        raise Http404
    return Confirmation(
        title=_("Take %(case)s out of this remedy plan?") % {"case": grievance.label},
        losses=[_("The case no longer belongs to this plan: the plan's actions and outcome no longer answer it, "
                  "and it needs a remedy of its own.")],
        kept=[_("The case, its messages and what its people proposed in the plan's dialogue are kept; the change "
                "is audited.")],
        refusal=_("A remedy plan needs at least one case.") if plan.grievances.count() <= 1 else "",
        confirm_label=_("Take out of the plan"), back_url=reverse("grievances:plan", args=[plan.pk]))


@requires(Capability.GRIEVANCES_HANDLE)
@asks_first(_taking_case_out)
@require_POST
def plan_remove_case(request, pk: int, case_pk: int):
    viewer = request.viewer
    plan = access_plan(viewer, pk)
    grievance = access_case(viewer, case_pk)
    if grievance.remedy_plan_id != plan.pk:
        raise Http404
    try:
        actions.remove_case_from_plan(plan=plan, grievance=grievance, by=viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _plan_page(request, plan, status=400)
    messages.success(request, _("Case taken out of the plan."))
    return redirect("grievances:plan", pk=plan.pk)


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def plan_proposal(request, pk: int):
    viewer = request.viewer
    plan = access_plan(viewer, pk)
    form = StaffProposalForm(request.POST, cases=remedy_queries.plan_cases(plan), prefix="proposal")
    if form.is_valid():
        data = form.cleaned_data
        try:
            _item, created = actions.record_proposal(plan=plan, grievance=data["grievance"], text=data["text"],
                                                     via=data["via"], by=viewer,
                                                     submission_key=data["submission_key"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Proposal recorded.") if created else _("This proposal was already recorded."))
            return redirect("grievances:plan", pk=plan.pk)
    return _plan_page(request, plan, bound={"proposal": form}, status=400)


def _plan_input(plan, input_pk) -> Input:
    if not plausible_id(input_pk) or plan.engagement_id is None:
        raise Http404
    item = Input.objects.filter(pk=int(input_pk), engagement_id=plan.engagement_id).select_related(
        "current_decision").first()
    if item is None:
        raise Http404
    return item


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def proposal_decision(request, pk: int, input_pk: int):
    viewer = request.viewer
    plan = access_plan(viewer, pk)
    item = _plan_input(plan, input_pk)
    if not may_decide(viewer, item):
        raise PermissionDenied(_("Only the human rights team can decide on a proposal for a remedy."))
    form = _decision_form(item, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            record_decision(input=item, outcome=data["outcome"], rationale=data["rationale"],
                            next_step=data["next_step"], next_step_due=data["next_step_due"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("grievances:plan", pk=plan.pk)
    return _plan_page(request, plan, bound={"decision": form, "decision_for": item.pk}, status=400)


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def action_add(request, pk: int):
    viewer = request.viewer
    plan = access_plan(viewer, pk)
    form = ActionForm(request.POST, owners=owners_of(plan.organisation), proposals=_proposals_queryset(plan),
                      prefix="action")
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_action(plan=plan, remedy_type=data["remedy_type"], description=data["description"],
                               owner=data["owner"], due_on=data["due_on"], proposal=data["proposal"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Action added."))
            return redirect("grievances:plan", pk=plan.pk)
    return _plan_page(request, plan, bound={"action": form}, status=400)


@requires(Capability.GRIEVANCES_HANDLE)
@require_http_methods(["GET", "POST"])
def action_edit(request, pk: int):
    viewer = request.viewer
    action = remedy_queries.access_action(viewer, pk)
    plan = action.plan
    initial = {"remedy_type": action.remedy_type, "description": action.description, "owner": action.owner_id,
               "due_on": action.due_on, "proposal": action.proposal_id}
    form = ActionForm(request.POST or None, initial=initial, owners=owners_of(plan.organisation),
                      proposals=_proposals_queryset(plan))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_action(action=action, remedy_type=data["remedy_type"], description=data["description"],
                                  owner=data["owner"], due_on=data["due_on"], proposal=data["proposal"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Action changed."))
            return redirect("grievances:plan", pk=plan.pk)
    return render(request, "grievances/remedy/action_form.html", {
        "action": action, "plan": plan, "form": form,
    }, status=400 if request.method == "POST" else 200)


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def action_delivered(request, pk: int):
    viewer = request.viewer
    action = remedy_queries.access_action(viewer, pk)
    try:
        actions.mark_delivered(action=action, by=viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _plan_page(request, action.plan, status=400)
    messages.success(request, _("Marked delivered: the affected people are asked to confirm it."))
    return redirect("grievances:plan", pk=action.plan_id)


@requires(Capability.GRIEVANCES_HANDLE)
@require_POST
def action_confirmation(request, pk: int):
    """A member records what an affected person (or their proxy) said about a delivered action."""
    viewer = request.viewer
    action = remedy_queries.access_action(viewer, pk)
    plan = action.plan
    form = StaffAnswerForm(request.POST, cases=remedy_queries.plan_cases(plan), prefix=f"a{action.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.confirm_or_dispute(action=action, grievance=data["grievance"], answer=data["answer"],
                                       note=data["note"], via=data["via"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Their answer is recorded."))
            return redirect("grievances:plan", pk=plan.pk)
    return _plan_page(request, plan, bound={"answer": form, "answer_for": action.pk}, status=400)
