"""Pages of competing claims (E5): the columns of an engagement's claims, of a risk's and of a decision's, the
forms that record, change and remove a claim, and the form that says how a decision weighed one."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.access import plausible_id
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors
from rightsloop.engagements.queries import access_engagement
from rightsloop.risks.queries import access_risk, access_strategic_decision

from .. import claim_columns, queries
from ..actions import claims as actions
from ..claim_forms import ClaimForm, WeighingForm, claim_initial


def _copy_claim_errors(form, error: ValidationError) -> None:
    """The action names the group holder `holder_group`; the form calls it `group`."""
    if hasattr(error, "error_dict") and "holder_group" in error.error_dict:
        error.error_dict["group"] = error.error_dict.pop("holder_group")
    copy_errors(form, error)


def _status(request) -> int:
    return 400 if request.method == "POST" else 200


def _matter_choices(engagement_claims) -> list[tuple[str, str]]:
    rows = engagement_claims.order_by().values_list("risk_id", "risk__title", "decision_id", "decision__title")
    choices = {}
    for risk_id, risk_title, decision_id, decision_title in rows.distinct():
        if risk_id:
            choices[f"risk-{risk_id}"] = _("Risk: %(title)s") % {"title": risk_title}
        else:
            choices[f"decision-{decision_id}"] = _("Decision: %(title)s") % {"title": decision_title}
    return sorted(choices.items(), key=lambda item: item[1].casefold())


def _filtered(claims, matter: str):
    kind, _sep, pk = matter.partition("-")
    if kind in ("risk", "decision") and plausible_id(pk):
        return claims.filter(**{f"{kind}_id": int(pk)})
    return claims


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def claim_list(request, engagement_pk: int):
    viewer = request.viewer
    engagement = access_engagement(viewer, engagement_pk)
    claims = queries.visible_claims(viewer).filter(engagement=engagement)
    choices = _matter_choices(claims)
    matter = request.GET.get("matter", "")
    if matter not in dict(choices):
        matter = ""
    return render(request, "consensus/claims/list.html", {
        "engagement": engagement, "columns": claim_columns.columns(_filtered(claims, matter), viewer),
        "matters": choices, "matter": matter, "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT),
    })


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def claims_on_risk(request, risk_pk: int):
    viewer = request.viewer
    queries.require_reader(viewer)
    risk = access_risk(viewer, risk_pk)
    return render(request, "consensus/claims/matter.html", {
        "matter": risk, "kind": "risk", "columns": claim_columns.on_risk(viewer, risk),
        "matter_url": reverse("risks:detail", args=[risk.pk])})


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def claims_on_decision(request, decision_pk: int):
    viewer = request.viewer
    queries.require_reader(viewer)
    decision = access_strategic_decision(viewer, decision_pk)
    return render(request, "consensus/claims/matter.html", {
        "matter": decision, "kind": "decision", "columns": claim_columns.on_decision(viewer, decision),
        "matter_url": reverse("risks:decision-detail", args=[decision.pk])})


def _back(claim) -> str:
    return reverse("consensus:claims", args=[claim.engagement_id]) + f"#claim-{claim.pk}"


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def claim_create(request, engagement_pk: int):
    viewer = request.viewer
    engagement = access_engagement(viewer, engagement_pk)
    initial = {name: request.GET[name] for name in ("risk", "decision") if plausible_id(request.GET.get(name))}
    form = ClaimForm(request.POST or None, engagement=engagement, viewer=viewer, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            claim = actions.record_claim(engagement=engagement, plan=form.plan(), by=viewer)
        except ValidationError as error:
            _copy_claim_errors(form, error)
        else:
            messages.success(request, _("Claim recorded."))
            return redirect(_back(claim))
    return render(request, "consensus/claims/form.html", {"form": form, "engagement": engagement},
                  status=_status(request))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def claim_edit(request, pk: int):
    viewer = request.viewer
    claim = queries.access_claim(viewer, pk, for_update=True)
    form = ClaimForm(request.POST or None, engagement=claim.engagement, viewer=viewer, claim=claim,
                     initial=claim_initial(claim))
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_claim(claim=claim, plan=form.plan(claim), by=viewer)
        except ValidationError as error:
            _copy_claim_errors(form, error)
        else:
            messages.success(request, _("Claim saved."))
            return redirect(_back(claim))
    return render(request, "consensus/claims/form.html", {"form": form, "engagement": claim.engagement,
                                                          "claim": claim}, status=_status(request))


def _removing(request, pk: int) -> Confirmation:
    claim = queries.access_claim(request.viewer, pk, for_update=True)
    refusal = ""
    if actions._weighed_in_taken_decision(claim):
        refusal = _("A decision already taken weighed this claim: it stays, as part of that decision's rationale.")
    return Confirmation(
        title=_("Remove the claim of the side “%(side)s”?") % {"side": claim.side},
        losses=[_("The claim, its evidence and what its holder would accept."),
                _("How decisions still being prepared weighed it.")],
        kept=[_("The removal is audited.")], refusal=refusal,
        confirm_label=_("Remove the claim"), back_url=_back(claim))


@requires(Capability.ENGAGEMENTS_EDIT)
@asks_first(_removing)
@require_POST
def claim_remove(request, pk: int):
    claim = queries.access_claim(request.viewer, pk, for_update=True)
    try:
        actions.remove_claim(claim=claim, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(claim))
    messages.success(request, _("Claim removed."))
    return redirect("consensus:claims", engagement_pk=claim.engagement_id)


def access_claim_on_decision(viewer, decision, claim_pk):
    """A claim on the decision or on one of its risks that the viewer may read; 'not found' otherwise."""
    claims = claim_columns.claims_for_decisions(viewer).on_decision(decision)
    return queries.one(claims.select_related("holder__stakeholder", "holder_group", "risk", "decision"), claim_pk)


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def claim_weigh(request, decision_pk: int, claim_pk: int):
    """Say how the decision weighed a claim; the decision's page has this form beside each claim."""
    viewer = request.viewer
    decision = access_strategic_decision(viewer, decision_pk)
    claim = access_claim_on_decision(viewer, decision, claim_pk)
    current = claim.weighings.filter(decision=decision).first()
    form = WeighingForm(request.POST or None, initial={"how_weighed": current.how_weighed if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            actions.weigh_claim(decision=decision, claim=claim, how_weighed=form.cleaned_data["how_weighed"],
                                by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("How the decision weighed the claim is saved."))
            return redirect(reverse("risks:decision-detail", args=[decision.pk]) + f"#claim-{claim.pk}")
    return render(request, "consensus/claims/weigh.html", {
        "form": form, "decision": decision, "claim": claim,
        "holder": claim_columns.holder_labels([claim], viewer)[claim.pk]}, status=_status(request))


urlpatterns: list = [
    path("engagements/<int:engagement_pk>/claims/", claim_list, name="claims"),
    path("engagements/<int:engagement_pk>/claims/new/", claim_create, name="claim-new"),
    path("claims/<int:pk>/edit/", claim_edit, name="claim-edit"),
    path("claims/<int:pk>/remove/", claim_remove, name="claim-remove"),
    path("risks/<int:risk_pk>/claims/", claims_on_risk, name="claims-on-risk"),
    path("decisions/<int:decision_pk>/claims/", claims_on_decision, name="claims-on-decision"),
    path("decisions/<int:decision_pk>/claims/<int:claim_pk>/weigh/", claim_weigh, name="claim-weigh"),
]
