"""Links between stakeholder inputs and risks, mitigations and strategic decisions (S2), from both sides."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.confirmation import Confirmation
from rightsloop.core.pagination import paginate, query_without_page
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.queries import access_input, visible_inputs

from . import actions, queries
from .mitigation_forms import InputSearchForm, LinkForm, TargetLinkForm
from .models import Mitigation

PICKER_PAGE = 25
CANDIDATES = 25
ENGAGEMENT_CHOICES = 300
TEXT_SCAN = 1000


def _safe_next(request, fallback: str) -> str:
    wanted = request.POST.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return wanted
    return fallback


def _matching(inputs, q: str, *, within_engagement: bool):
    """Inputs whose themes or engagement title contain q; within one engagement, also what was said.

    What was said is sealed, so the database cannot search it: it is unsealed and compared here, only
    for the inputs of one chosen engagement (at most TEXT_SCAN of them).
    """
    wanted = Q(tags__name__icontains=q) | Q(engagement__title__icontains=q)
    if within_engagement:
        needle = q.casefold()
        recent = inputs.order_by("-recorded_at", "-id")[:TEXT_SCAN]
        said = [item.pk for item in recent if needle in item.text.casefold()]
        wanted |= Q(pk__in=said)
    return inputs.filter(pk__in=inputs.filter(wanted).values("pk"))


def _picker(request, *, target, kind: str, title: str, back: str, here: str):
    """Search the inputs the viewer may see and link or unlink the chosen ones to the target."""
    viewer = request.viewer
    engagements = list(Engagement.objects.for_organisation(viewer.organisation)
                       .order_by("-starts_on", "-id").only("id", "title")[:ENGAGEMENT_CHOICES])
    link_form = LinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and link_form.is_valid():
        ids = set(link_form.cleaned_data["inputs"])
        chosen = list(visible_inputs(viewer).filter(pk__in=ids))
        if len(chosen) != len(ids):
            link_form.add_error("inputs", _("Unknown input."))
        else:
            unlink = link_form.cleaned_data["operation"] == LinkForm.UNLINK
            changed = actions.link_inputs(target=target, inputs=chosen, by=viewer, unlink=unlink)
            if unlink:
                messages.success(request, _("%(n)s input(s) unlinked.") % {"n": changed})
            else:
                messages.success(request, _("%(n)s input(s) linked.") % {"n": changed})
            return redirect(_safe_next(request, here))
    search = InputSearchForm(request.GET or None, engagements=engagements)
    inputs = visible_inputs(viewer)
    if search.is_valid():
        data = search.cleaned_data
        if data["engagement"]:
            inputs = inputs.filter(engagement_id=data["engagement"])
        if data["q"]:
            inputs = _matching(inputs, data["q"].strip(), within_engagement=bool(data["engagement"]))
        if data["linked"] == "yes":
            inputs = inputs.filter(pk__in=target.inputs.values("pk"))
        elif data["linked"] == "no":
            inputs = inputs.exclude(pk__in=target.inputs.values("pk"))
    page = paginate(request, inputs.select_related("engagement", "speaker__stakeholder", "group")
                    .order_by("-recorded_at", "-id"), per_page=PICKER_PAGE)
    on_page = [item.pk for item in page.object_list]
    linked_ids = set(target.inputs.filter(pk__in=on_page).values_list("pk", flat=True))
    return render(request, "risks/links/picker.html", {
        "target": target, "kind": kind, "title": title, "back": back, "here": here,
        "search": search, "link_form": link_form, "page": page, "linked_ids": linked_ids,
        "query": query_without_page(request), "linked_count": target.inputs.count(),
    }, status=400 if link_form.errors else 200)


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def risk_link_inputs(request, pk: int):
    risk = queries.access_risk(request.viewer, pk)
    return _picker(request, target=risk, kind="risk", title=risk.title,
                   back=reverse("risks:detail", args=[risk.pk]), here=reverse("risks:link-inputs", args=[risk.pk]))


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def mitigation_link_inputs(request, pk: int):
    mitigation = queries.access_mitigation(request.viewer, pk)
    return _picker(request, target=mitigation, kind="mitigation", title=mitigation.action,
                   back=reverse("risks:detail", args=[mitigation.risk_id]) + f"#mitigation-{mitigation.pk}",
                   here=reverse("risks:mitigation-link-inputs", args=[mitigation.pk]))


@requires(Capability.RISKS_EDIT)
@require_http_methods(["GET", "POST"])
def decision_link_inputs(request, pk: int):
    decision = queries.access_strategic_decision(request.viewer, pk)
    return _picker(request, target=decision, kind="decision", title=decision.title,
                   back=reverse("risks:decision-detail", args=[decision.pk]),
                   here=reverse("risks:decision-link-inputs", args=[decision.pk]))


def _target(viewer, value: str):
    kind, _sep, pk = value.partition(":")
    access = {"risk": queries.access_risk, "mitigation": queries.access_mitigation,
              "decision": queries.access_strategic_decision}[kind]
    return access(viewer, int(pk))


def _confirm_unlink(request, item, value: str, here: str):
    """Unlinking asks first: what the target loses, on a page that changes nothing; its form POSTs the unlink."""
    try:
        target = _target(request.viewer, value)
    except (KeyError, ValueError, Http404):
        raise Http404 from None
    name = getattr(target, "title", None) or getattr(target, "action", "")
    page = Confirmation(
        title=_("Unlink this input from “%(name)s”?") % {"name": name[:120]},
        losses=[_("The input no longer counts as a voice heard on it: its “who was heard” figures and its list "
                  "of inputs leave it out.")],
        kept=[_("The input and the target are unchanged; the unlink is audited and can be undone by linking "
                "again.")],
        confirm_label=_("Unlink"), back_url=here, hidden={"operation": "unlink", "target": value})
    return render(request, "core/confirm.html", {**vars(page), "action": here})


@requires(Capability.RISKS_VIEW)
@require_http_methods(["GET", "POST"])
def input_links(request, input_id: int):
    """From an input: the risks, mitigations and decisions it informs, and links to more of them."""
    viewer = request.viewer
    item = access_input(viewer, input_id)
    can_edit = viewer.can(Capability.RISKS_EDIT)
    here = reverse("risks:input-links", args=[item.pk])
    if request.method == "GET" and "unlink" in request.GET and can_edit:
        return _confirm_unlink(request, item, request.GET["unlink"], here)
    form = TargetLinkForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("Your role cannot link inputs."))
        if form.is_valid():
            try:
                target = _target(viewer, form.cleaned_data["target"])
            except Http404:
                form.add_error("target", _("Choose a risk, mitigation or decision."))
            else:
                unlink = form.cleaned_data["operation"] == "unlink"
                try:
                    changed = actions.link_inputs(target=target, inputs=[item], by=viewer, unlink=unlink)
                except ValidationError as error:
                    form.add_error(None, error.messages)
                else:
                    if changed:
                        messages.success(request, _("Unlinked.") if unlink else _("Linked."))
                    return redirect(here + (f"?{request.GET.urlencode()}" if request.GET else ""))
    risks = queries.visible_risks(viewer)
    linked_risks = list(risks.filter(inputs=item).order_by("-priority", "id").only("id", "title", "severity",
                                                                                    "likelihood"))
    linked_mitigations = list(Mitigation.objects.filter(risk__in=risks, inputs=item).select_related("risk")
                              .order_by("risk_id", "id"))
    linked_decisions = list(queries.visible_decisions(viewer).filter(inputs=item).order_by("-updated_at", "-id"))
    q = request.GET.get("q", "")[:100].strip()
    candidates = {}
    if can_edit:
        open_risks = risks.open().exclude(pk__in=[r.pk for r in linked_risks])
        mitigations = Mitigation.objects.filter(risk__in=risks.open()).exclude(
            pk__in=[m.pk for m in linked_mitigations])
        decisions = queries.visible_decisions(viewer).exclude(pk__in=[d.pk for d in linked_decisions])
        if q:
            open_risks = open_risks.filter(title__icontains=q)
            mitigations = mitigations.filter(Q(action__icontains=q) | Q(risk__title__icontains=q))
            decisions = decisions.filter(title__icontains=q)
        candidates = {
            "risks": list(open_risks.by_priority().only("id", "title", "severity", "likelihood")[:CANDIDATES]),
            "mitigations": list(mitigations.select_related("risk").order_by("-risk__priority", "risk_id", "id")
                                [:CANDIDATES]),
            "decisions": list(decisions.order_by("-updated_at", "-id")[:CANDIDATES]),
        }
    return render(request, "risks/links/input.html", {
        "item": item, "form": form, "can_edit": can_edit, "q": q, "here": here,
        "linked_risks": linked_risks, "linked_mitigations": linked_mitigations,
        "linked_decisions": linked_decisions, "candidates": candidates,
    }, status=400 if form.errors else 200)

