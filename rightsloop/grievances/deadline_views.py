"""Staff pages of the mechanism's oversight: its settings, a case's links to the risk register, a risk made from
a case or a recurring theme, and the recurring themes themselves."""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core import countries, rights
from rightsloop.core.confirmation import Confirmation
from rightsloop.core.forms import copy_errors
from rightsloop.risks.forms import RiskForm
from rightsloop.risks.models import Mitigation, Risk, StrategicDecision
from rightsloop.stakeholders.vocabulary import AtRisk

from . import queries, themes
from .actions import links
from .actions import settings as settings_actions
from .deadline_forms import LinkForm, SettingsForm, ThemeKeyForm, ThemesForm
from .models import Grievance, GrievanceSettings, HandlerExclusion

# How many of each kind the links page offers to choose from (the newest first).
CANDIDATES = 300
# Case numbers a theme shows before "and N more".
CASES_SHOWN = 10
THEMES_SHOWN = 25
# A risk made from a theme links at most this many of its cases (the newest): each link is audited on its case.
THEME_RISK_CASES = 500


def _posted(request):
    return request.POST if request.method == "POST" else None


# Settings --------------------------------------------------------------------

@requires(Capability.GRIEVANCES_CONFIGURE)
@require_http_methods(["GET", "POST"])
def settings_page(request):
    viewer = request.viewer
    current = GrievanceSettings.of(viewer.organisation)
    chosen = list(current.mechanism_engagements.values_list("pk", flat=True))
    form = SettingsForm(_posted(request), organisation=viewer.organisation, chosen_ids=chosen, initial={
        "intake_open": current.intake_open, "acknowledge_days": current.acknowledge_days,
        "respond_days": current.respond_days, "escalate_after_days": current.escalate_after_days,
        "products": "\n".join(current.products), "mechanism_engagements": chosen,
    })
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            settings_actions.update_settings(
                organisation=viewer.organisation, intake_open=data["intake_open"],
                acknowledge_days=data["acknowledge_days"], respond_days=data["respond_days"],
                escalate_after_days=data["escalate_after_days"], products=data["products"],
                mechanism_engagements=data["mechanism_engagements"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Settings saved. New deadlines apply to grievances received from now on."))
            return redirect("grievances:settings")
    return render(request, "grievances/oversight/settings.html", {
        "form": form, "current": current, "organisation": viewer.organisation,
    }, status=400 if form.errors else 200)


# Links -----------------------------------------------------------------------

def _candidates(viewer, grievance: Grievance) -> dict:
    """What the case may be linked to: the organisation's newest risks, mitigations and decisions not yet linked."""
    organisation = viewer.organisation
    return {
        links.RISK: list(Risk.objects.for_organisation(organisation).exclude(grievances=grievance)
                         .order_by("-created_at", "-id").only("id", "title")[:CANDIDATES]),
        links.MITIGATION: list(Mitigation.objects.filter(organisation=organisation).exclude(grievances=grievance)
                               .select_related("risk").only("id", "action", "risk__title")
                               .order_by("-created_at", "-id")[:CANDIDATES]),
        links.DECISION: list(StrategicDecision.objects.for_organisation(organisation)
                             .exclude(grievances=grievance).order_by("-created_at", "-id")
                             .only("id", "title")[:CANDIDATES]),
    }


def _target(viewer, kind: str, pk: int):
    """A risk, mitigation or decision of the viewer's organisation, or None (another organisation's is unknown)."""
    model = links.KINDS[kind]
    if model is Mitigation:
        return Mitigation.objects.filter(organisation=viewer.organisation, pk=pk).first()
    return model.objects.for_organisation(viewer.organisation).filter(pk=pk).first()


def linked_to(grievance: Grievance) -> dict:
    """The case's links, as the include on the case page shows them (three queries)."""
    return {
        "risks": list(grievance.risks.order_by("title", "id").only("id", "title")),
        "mitigations": list(grievance.mitigations.select_related("risk").only("id", "action", "risk__title")
                            .order_by("id")),
        "decisions": list(grievance.decisions.order_by("title", "id").only("id", "title")),
    }


def _confirm_unlink(request, grievance: Grievance, kind: str, pk: str):
    """Unlinking asks first, on a page that changes nothing; its form POSTs the unlink to the links page."""
    target = _target(request.viewer, kind, int(pk)) if kind in links.KINDS and pk.isdigit() and len(pk) < 10 else None
    if target is None:
        raise Http404
    name = getattr(target, "title", None) or getattr(target, "action", "")
    here = reverse("grievances:links", args=[grievance.pk])
    page = Confirmation(
        title=_("Unlink %(case)s from “%(name)s”?") % {"case": grievance.label, "name": name[:120]},
        losses=[_("The register no longer shows that this case fed into it, and the case no longer counts among "
                  "the grievances behind it.")],
        kept=[_("The case and the register entry are unchanged; the unlink is audited and can be undone by "
                "linking again.")],
        confirm_label=_("Unlink"), back_url=here,
        hidden={"operation": LinkForm.UNLINK, "kind": kind, "target": pk})
    return render(request, "core/confirm.html", {**vars(page), "action": here})


@requires(Capability.GRIEVANCES_HANDLE)
@require_http_methods(["GET", "POST"])
def links_page(request, pk: int):
    viewer = request.viewer
    grievance = queries.access_case(viewer, pk)
    if request.method == "GET" and "unlink" in request.GET:
        kind, _sep, target_pk = request.GET["unlink"].partition(":")
        return _confirm_unlink(request, grievance, kind, target_pk)
    form = LinkForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = _target(viewer, data["kind"], data["target"])
        if target is None:
            form.add_error("target", _("Unknown %(kind)s.") % {"kind": dict(form.fields["kind"].choices)[
                data["kind"]]})
        else:
            try:
                if data["operation"] == LinkForm.UNLINK:
                    links.unlink(grievance=grievance, target=target, by=viewer)
                    messages.success(request, _("Link removed."))
                else:
                    links.link(grievance=grievance, target=target, by=viewer)
                    messages.success(request, _("Linked."))
            except ValidationError as error:
                copy_errors(form, error)
            else:
                return redirect("grievances:links", pk=grievance.pk)
    return render(request, "grievances/oversight/links.html", {
        "grievance": grievance, "form": form, "linked": linked_to(grievance),
        "candidates": _candidates(viewer, grievance), "can_make_risk": viewer.can(Capability.RISKS_EDIT),
    }, status=400 if form.errors else 200)


# A risk made from a case or a theme -----------------------------------------

def _risk_initial(viewer, *, product: str, countries_: list[str], rights_: list[str], at_risk: list[str]) -> dict:
    """What a risk made from cases starts with: what the figures show, never the person's words."""
    at_risk_labels = dict(AtRisk.choices)
    return {
        "product": product,
        "markets": ", ".join(code for code in countries_ if countries.get(code)),
        "rights": [code for code in rights_ if rights.is_known(code)],
        "affected_groups": ", ".join(str(at_risk_labels[code]) for code in at_risk if code in at_risk_labels),
        "owner": viewer.user,
        "review_on": timezone.localdate() + datetime.timedelta(days=365),
    }


def _make_risk_page(request, *, cases: list[Grievance], initial: dict, template_context: dict):
    viewer = request.viewer
    if not viewer.can(Capability.RISKS_EDIT):
        raise PermissionDenied(_("Your role cannot change the risk register."))
    form = RiskForm(_posted(request), organisation=viewer.organisation, creating=True, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            risk = links.make_risk(grievances=cases, plan=form.plan(), by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Salient risk registered and linked to %(n)s case(s).") % {"n": len(cases)})
            return redirect("risks:detail", pk=risk.pk)
    return render(request, "grievances/oversight/make_risk.html", {
        "form": form, "cases": cases, **template_context,
    }, status=400 if form.errors else 200)


@requires(Capability.GRIEVANCES_HANDLE)
@require_http_methods(["GET", "POST"])
def make_risk(request, pk: int):
    grievance = queries.access_case(request.viewer, pk)
    initial = _risk_initial(request.viewer, product=grievance.product, countries_=[grievance.country],
                            rights_=list(grievance.rights or []), at_risk=list(grievance.at_risk or []))
    return _make_risk_page(request, cases=[grievance], initial=initial, template_context={
        "grievance": grievance, "back": reverse("grievances:links", args=[grievance.pk])})


@requires(Capability.GRIEVANCES_HANDLE)
@require_http_methods(["GET", "POST"])
def theme_risk(request):
    viewer = request.viewer
    key = ThemeKeyForm(request.GET)
    if not key.is_valid():
        raise Http404
    data = key.cleaned_data
    theme = themes.find_theme(viewer.organisation, themes.period_of(data["months"]), dimension=data["dimension"],
                              product=data["product"], right=data["right"], country=data["country"])
    if theme is None:
        raise Http404
    newest = sorted(theme.case_ids, reverse=True)[:THEME_RISK_CASES]
    cases = list(queries.cases_for(viewer).filter(pk__in=newest).order_by("number"))
    if not cases:
        raise Http404
    initial = _risk_initial(viewer, product=theme.product, countries_=[theme.country] if theme.country else [],
                            rights_=[theme.right] if theme.right else [], at_risk=[])
    return _make_risk_page(request, cases=cases, initial=initial, template_context={
        "theme": theme, "back": reverse("grievances:themes") + "?" + urlencode({"months": data["months"]})})


# Recurring themes ------------------------------------------------------------

@requires(Capability.GRIEVANCES_OVERSEE)
@require_GET
def themes_page(request):
    viewer = request.viewer
    form = ThemesForm(request.GET or None)
    months = form.months_chosen()
    period = themes.period_of(months)
    found = themes.recurring_themes(viewer.organisation, period)
    handles = viewer.can(Capability.GRIEVANCES_HANDLE)
    sections = []
    shown_ids: set[int] = set()
    for dimension, label in themes.DIMENSIONS.items():
        groups = found[dimension]
        sections.append({"dimension": dimension, "label": label, "themes": groups[:THEMES_SHOWN],
                         "more": max(len(groups) - THEMES_SHOWN, 0)})
        if handles:
            for theme in groups[:THEMES_SHOWN]:
                shown_ids.update(theme.case_ids[:CASES_SHOWN * 3])
    if handles:
        # Case numbers for the people handling cases, minus those they are kept out of: one query.
        excluded = set(HandlerExclusion.objects.filter(user=viewer.user, grievance_id__in=shown_ids)
                       .values_list("grievance_id", flat=True))
        numbers = dict(Grievance.objects.filter(pk__in=shown_ids - excluded).values_list("pk", "number"))
        for section in sections:
            for theme in section["themes"]:
                theme.shown_cases = [(pk, numbers[pk]) for pk in theme.case_ids if pk in numbers][:CASES_SHOWN]
                theme.risk_query = urlencode({**theme.key, "months": months})
    return render(request, "grievances/oversight/themes.html", {
        "form": form, "period": period, "sections": sections, "handles": handles,
        "can_make_risk": handles and viewer.can(Capability.RISKS_EDIT),
        "total": sum(len(groups) for groups in found.values()),
    })
