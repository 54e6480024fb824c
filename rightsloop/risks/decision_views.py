"""Pages of strategic decisions (R3) and of context events (R4)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, Q
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability, Role
from rightsloop.consensus import claim_columns
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.engagements.queries import visible_inputs

from . import actions, decision_actions, gate, queries, scales
from .decision_forms import (
    ConditionForm,
    ContextEventForm,
    DecisionFilterForm,
    DecisionForm,
    LocalVoicesOverrideForm,
    LocalVoiceThresholdsForm,
    SignOffForm,
)
from .models import Mitigation, Risk, StrategicDecision
from .views import LINKED_PER_PAGE
from .vocabulary import ACTING, UNMITIGATED, ConditionStatus, DecisionStatus, MitigationStatus, OwnerLevel


def copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


# Strategic decisions -------------------------------------------------------

# The checklist on a decision's page: each thing the rules in decisions.py may find missing, in the
# order of the four steps, with what it says once done.
CHECKLIST = (
    ("risks", gettext_lazy("Step 1: the salient risks are linked, and none severe is left without action or "
                           "remedy plan")),
    ("risk_picture", gettext_lazy("Step 1: the current picture is described")),
    ("mitigation_plan", gettext_lazy("Step 2: the mitigations, and the risks not mitigated, are described")),
    ("remedy_plan", gettext_lazy("Step 3: the way remedy would be delivered is described")),
    ("communication", gettext_lazy("Step 4: the way of communicating is chosen")),
    ("communication_plan", gettext_lazy("Step 4: the communication plan is described")),
    ("communication_is_safe", gettext_lazy("Step 4: the communication has been checked to endanger no one")),
    ("engagements", gettext_lazy("Stakeholders were consulted, or the reason they were not is recorded")),
    ("outcome", gettext_lazy("The outcome is recorded")),
    ("conditions", gettext_lazy("The conditions match the outcome")),
    ("deferred_to", gettext_lazy("A deferred decision says when it will be taken up again")),
)
# Only for a market entry, geographic expansion or high-risk sale (G2, risks/gate.py).
GATE_CHECKLIST = (
    ("markets", gettext_lazy("The markets it concerns are named")),
    ("local_voices", gettext_lazy("Local experts and affected people from each market were heard, in one of its "
                                  "main languages, or the gate was overridden with a reason")),
)


@dataclass
class LinkedRiskRow:
    risk: Risk
    statuses: list[tuple[str, int]]  # (status label, how many mitigations have it)
    acting: bool
    has_remedy_plan: bool

    @property
    def needs_attention(self) -> bool:
        """A severe risk with no mitigation under way and no remedy plan: it blocks the decision."""
        return self.risk.is_severe and not self.acting and not self.has_remedy_plan


def linked_risk_rows(decision: StrategicDecision) -> list[LinkedRiskRow]:
    mitigations = Prefetch("mitigations", queryset=Mitigation.objects.only("id", "risk_id", "status", "remedy_plan"))
    rows = []
    for risk in decision.risks.prefetch_related(mitigations, "markets").by_priority():
        found = list(risk.mitigations.all())
        counts = Counter(m.status for m in found)
        rows.append(LinkedRiskRow(
            risk=risk,
            statuses=[(MitigationStatus(status).label, counts[status]) for status in MitigationStatus.values
                      if counts[status]],
            acting=any(m.status in ACTING for m in found),
            has_remedy_plan=any(m.status in UNMITIGATED and m.remedy_plan.strip() for m in found),
        ))
    return rows


def _detail_context(request, decision: StrategicDecision, *, refused: dict[str, str] | None = None,
                    sign_off_form: SignOffForm | None = None,
                    override_form: LocalVoicesOverrideForm | None = None) -> dict:
    viewer = request.viewer
    rows = linked_risk_rows(decision)
    local_voices = gate.local_voices(decision)
    missing = actions.blockers(decision, voices=local_voices) if decision.status == DecisionStatus.DRAFT else {}
    checklist = CHECKLIST + (GATE_CHECKLIST if local_voices.applies else ())
    see_engagements = viewer.can(Capability.ENGAGEMENTS_VIEW)
    needs_board = any(row.risk.owner_level == OwnerLevel.BOARD for row in rows)
    awaiting = decision.status == DecisionStatus.AWAITING_BOARD
    return {
        "needs_board": needs_board,
        "board_members": decision_actions.board_members(decision.organisation) if awaiting else [],
        "can_sign_off": awaiting and decision_actions.may_sign_off(viewer),
        "sign_off_form": sign_off_form or SignOffForm(),
        "signed": decision_actions.valid_sign_off(decision),
        "sign_offs": list(queries.sign_offs_of(decision)),
        "conditions": list(queries.conditions_of(decision)),
        "today": timezone.localdate(),
        "exposures": queries.severe_exposures(decision) if decision.against_severe_risk else [],
        "decision": decision,
        "rows": rows,
        "has_severe": any(row.risk.is_severe for row in rows),
        "blockers": missing,
        "checklist": [(str(label), missing.get(key, "")) for key, label in checklist],
        "local_voices": local_voices,
        "override_form": override_form or LocalVoicesOverrideForm(),
        "can_override": viewer.can(Capability.LOCAL_VOICES_OVERRIDE),
        "refused": refused or {},
        "see_engagements": see_engagements,
        "engagements": list(decision.engagements.order_by("-starts_on")) if see_engagements else [],
        "engagement_count": decision.engagements.count(),
        "heard": queries.who_was_heard_on_decision(
            decision, viewer, markets=[code for row in rows for code in row.risk.market_codes]),
        "board_view": viewer.role == Role.BOARD,
        # A decision fed by a regional programme links thousands of inputs: a page of the newest at a time.
        "linked": paginate(request, visible_inputs(viewer).filter(strategic_decisions=decision)
                           .select_related("engagement", "speaker__stakeholder", "speaker__via_proxy", "group")
                           .order_by("-id"), per_page=LINKED_PER_PAGE),
        "linked_query": query_without_page(request),
        "target": decision,
        "kind": "decision",
        "can_edit": viewer.can(Capability.RISKS_EDIT),
        "is_draft": decision.status == DecisionStatus.DRAFT,
        # The competing claims on the decision and its risks (consensus, E5): what its rationale weighs.
        "claims": claim_columns.decision_section(viewer, decision),
    }


@requires(Capability.RISKS_VIEW)
@require_GET
def decision_list(request):
    form = DecisionFilterForm(request.GET or None)
    decisions = queries.visible_decisions(request.viewer)
    if form.is_valid():
        if form.cleaned_data["status"]:
            decisions = decisions.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["category"]:
            decisions = decisions.filter(category=form.cleaned_data["category"])
        if form.cleaned_data["outcome"]:
            decisions = decisions.filter(outcome=form.cleaned_data["outcome"])
    decisions = decisions.with_against_severe_risk().annotate(
        risk_count=Count("risks", distinct=True),
        severe_count=Count("risks", filter=Q(risks__severity__gte=scales.SEVERE), distinct=True),
        open_conditions=Count("conditions", filter=Q(conditions__status=ConditionStatus.OPEN), distinct=True),
    ).select_related("decided_by").order_by("-updated_at", "-id")
    return render(request, "risks/decisions/list.html", {
        "form": form, "page": paginate(request, decisions), "query": query_without_page(request),
        "can_edit": request.viewer.can(Capability.RISKS_EDIT),
    })


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def decision_create(request):
    viewer = request.viewer
    form = DecisionForm(request.POST or None, organisation=viewer.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            decision = actions.create_strategic_decision(plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Decision recorded as being prepared."))
            return redirect("risks:decision-detail", pk=decision.pk)
    return render(request, "risks/decisions/form.html", {"form": form},
                  status=400 if form.errors else 200)


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def decision_edit(request, pk: int):
    viewer = request.viewer
    decision = queries.access_strategic_decision(viewer, pk)
    if decision.status == DecisionStatus.DECIDED:
        messages.error(request, _("This decision was taken and can no longer be changed; record a new decision "
                                  "instead."))
        return redirect("risks:decision-detail", pk=decision.pk)
    form = DecisionForm(request.POST or None, organisation=decision.organisation, decision=decision,
                        initial=DecisionForm.initial_for(decision))
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_strategic_decision(decision=decision, plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("risks:decision-detail", pk=decision.pk)
    rows = linked_risk_rows(decision)
    return render(request, "risks/decisions/form.html", {
        "form": form, "decision": decision, "rows": rows, "has_severe": any(row.risk.is_severe for row in rows),
    }, status=400 if form.errors else 200)


@requires(Capability.RISKS_VIEW)
@require_GET
def decision_detail(request, pk: int):
    decision = queries.access_strategic_decision(request.viewer, pk)
    return render(request, "risks/decisions/detail.html", _detail_context(request, decision))


@requires(Capability.RISKS_EDIT)
@require_POST
def decision_decide(request, pk: int):
    decision = queries.access_strategic_decision(request.viewer, pk)
    try:
        actions.take_strategic_decision(decision=decision, by=request.viewer)
    except ValidationError as error:
        refused = error.message_dict if hasattr(error, "error_dict") else {"": " ".join(error.messages)}
        decision.refresh_from_db()
        return render(request, "risks/decisions/detail.html", _detail_context(request, decision, refused={
            key: " ".join(value) if isinstance(value, list) else value for key, value in refused.items()}),
            status=400)
    decision.refresh_from_db(fields=["status"])
    if decision.status == DecisionStatus.AWAITING_BOARD:
        messages.success(request, _("A linked risk is owned at board level: the decision now awaits a board "
                                    "member's sign-off before it counts as taken."))
    else:
        messages.success(request, _("The decision is marked as taken."))
    return redirect("risks:decision-detail", pk=decision.pk)


@requires(Capability.LOCAL_VOICES_OVERRIDE)
@require_POST
def local_voices_override(request, pk: int):
    """Let a gated decision be taken before local voices were heard; the page again with the error if refused."""
    decision = queries.access_strategic_decision(request.viewer, pk)
    form = LocalVoicesOverrideForm(request.POST)
    if form.is_valid():
        try:
            actions.override_local_voices(decision=decision, reason=form.cleaned_data["reason"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The gate is overridden: the decision may be taken before local voices "
                                        "were heard. The board's view shows it with your reason."))
            return redirect(reverse("risks:decision-detail", args=[decision.pk]) + "#local-voices")
    return render(request, "risks/decisions/detail.html", _detail_context(request, decision, override_form=form),
                  status=400)


@requires(Capability.LOCAL_VOICES_OVERRIDE)
@require_POST
def local_voices_withdraw(request, pk: int):
    decision = queries.access_strategic_decision(request.viewer, pk)
    try:
        actions.withdraw_local_voices_override(decision=decision, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The override is withdrawn: the decision waits for local voices again."))
    return redirect(reverse("risks:decision-detail", args=[decision.pk]) + "#local-voices")


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def local_voice_thresholds(request):
    """How many local experts and affected voices each market of a gated decision needs."""
    viewer = request.viewer
    experts, affected = gate.thresholds(viewer.organisation)
    form = LocalVoiceThresholdsForm(request.POST or None, initial={"experts": experts, "affected": affected})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_local_voice_thresholds(organisation=viewer.organisation, by=viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("risks:local-voice-thresholds")
    return render(request, "risks/decisions/thresholds.html", {"form": form},
                  status=400 if form.errors else 200)


def _sign_off_answer(request, pk: int, act, done: str):
    """Sign off or decline, as the board member's comment says; the page again with the errors if refused."""
    decision = queries.access_strategic_decision(request.viewer, pk)
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            act(decision=decision, comment=form.cleaned_data["comment"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("risks:decision-detail", pk=decision.pk)
    return render(request, "risks/decisions/detail.html", _detail_context(request, decision, sign_off_form=form),
                  status=400)


@requires(Capability.DECISIONS_SIGN_OFF)
@require_POST
def decision_sign_off(request, pk: int):
    return _sign_off_answer(request, pk, decision_actions.sign_off_decision,
                            _("Signed off: the decision now counts as taken."))


@requires(Capability.DECISIONS_SIGN_OFF)
@require_POST
def decision_decline(request, pk: int):
    return _sign_off_answer(request, pk, decision_actions.decline_sign_off,
                            _("Sign-off declined: the decision goes back to the human rights team with your "
                              "comment."))


# Conditions of a decision ----------------------------------------------------

@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def condition_add(request, pk: int):
    viewer = request.viewer
    decision = queries.access_strategic_decision(viewer, pk)
    form = ConditionForm(request.POST if request.method == "POST" else None, organisation=viewer.organisation,
                         initial={"owner": viewer.user})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision_actions.add_condition(decision=decision, text=data["text"], owner=data["owner"],
                                           due_on=data["due_on"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Condition added."))
            return redirect(reverse("risks:decision-detail", args=[decision.pk]) + "#conditions-h")
    return render(request, "risks/decisions/condition_form.html", {
        "form": form, "decision": decision, "condition": None,
        "signed": decision_actions.valid_sign_off(decision),
    }, status=400 if form.errors else 200)


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def condition_edit(request, pk: int):
    viewer = request.viewer
    condition = queries.access_condition(viewer, pk)
    if not decision_actions.may_change_condition(viewer, condition):
        raise PermissionDenied(_("Only the owner or the human rights team can change this condition."))
    closing_only = not viewer.can(Capability.RISKS_EDIT)
    form = ConditionForm(request.POST if request.method == "POST" else None, organisation=viewer.organisation,
                         closing_only=closing_only, initial={
                             "text": condition.text, "owner": condition.owner_id, "due_on": condition.due_on,
                             "status": condition.status, "note": condition.note})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision_actions.update_condition(
                condition=condition, text=data["text"], owner=data["owner"], due_on=data["due_on"],
                status=data["status"], note=data["note"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Condition saved."))
            return redirect(reverse("risks:decision-detail", args=[condition.decision_id]) + "#conditions-h")
    return render(request, "risks/decisions/condition_form.html", {
        "form": form, "decision": condition.decision, "condition": condition,
        "signed": decision_actions.valid_sign_off(condition.decision),
    }, status=400 if form.errors else 200)


# Context events ------------------------------------------------------------

@requires(Capability.RISKS_VIEW)
@require_GET
def event_list(request):
    events = queries.visible_events(request.viewer).annotate(
        flagged_count=Count("flagged_mitigations"),
        waiting_count=Count("flagged_mitigations", filter=Q(flagged_mitigations__needs_reassessment=True)),
    ).select_related("recorded_by").order_by("-occurred_on", "-id")
    return render(request, "risks/events/list.html", {
        "page": paginate(request, events), "query": query_without_page(request),
        "can_edit": request.viewer.can(Capability.RISKS_EDIT),
    })


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def event_create(request):
    viewer = request.viewer
    form = ContextEventForm(request.POST or None, organisation=viewer.organisation,
                            initial={"occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = actions.record_context_event(
                title=data["title"], kind=data["kind"], occurred_on=data["occurred_on"],
                description=data["description"], countries_touched=data["countries"],
                products=data["all_products"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            flagged = event.flagged_mitigations.aggregate(n=Count("id"), owners=Count("owner", distinct=True))
            if flagged["n"]:
                messages.success(request, _(
                    "Event recorded. %(n)s mitigation(s) were flagged for reassessment and their %(owners)s "
                    "owner(s) notified by email.") % flagged)
            else:
                messages.success(request, _("Event recorded. It touches no mitigation on the register."))
            return redirect("risks:event-detail", pk=event.pk)
    return render(request, "risks/events/form.html", {"form": form}, status=400 if form.errors else 200)


@requires(Capability.RISKS_VIEW)
@require_GET
def event_detail(request, pk: int):
    event = queries.access_context_event(request.viewer, pk)
    flagged = (event.flagged_mitigations.select_related("risk", "owner")
               .order_by("-risk__priority", "risk_id", "id"))
    return render(request, "risks/events/detail.html", {
        "event": event, "flagged": flagged,
    })
