from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability

from . import actions, audit, retention
from .forms import AuditFilterForm, OrganisationForm, RetentionForm
from .models import AuditEntry
from .pagination import paginate, query_without_page
from .registry import site


@requires(Capability.DASHBOARD_VIEW)
def home(request):
    viewer = request.viewer
    panels = [
        {"template": panel.template, **panel.context(viewer)} for panel in site.panels_for(viewer)
    ]
    return render(request, "core/home.html", {"panels": panels})


@requires(Capability.AUDIT_VIEW)
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    entries = AuditEntry.objects.for_organisation(request.viewer.organisation).select_related("actor")
    if form.is_valid():
        if form.cleaned_data["action"]:
            entries = entries.filter(action__startswith=form.cleaned_data["action"])
        if form.cleaned_data["actor"]:
            entries = entries.filter(actor_label=form.cleaned_data["actor"])
        if form.cleaned_data["target"]:
            kind, _sep, pk = form.cleaned_data["target"].partition(":")
            entries = entries.filter(target_type__endswith=kind.strip(), target_id=pk.strip())
    page = paginate(request, entries, per_page=50)
    # Only this page against its predecessors (one query); manage.py verify_audit walks the whole chain.
    chain = audit.check_page(page.object_list)
    return render(request, "core/audit_log.html", {
        "form": form, "page": page, "query": query_without_page(request), "chain": chain,
    })


@requires(Capability.ORGANISATION_MANAGE)
@require_http_methods(["GET", "POST"])
def organisation_settings(request):
    organisation = request.viewer.organisation
    posted = request.POST if request.method == "POST" else None
    form = OrganisationForm(posted if request.POST.get("section") != "retention" else None, initial={
        name: getattr(organisation, name) for name in actions.SETTINGS_FIELDS
    })
    current = retention.periods(organisation)
    retention_form = RetentionForm(posted if request.POST.get("section") == "retention" else None, periods=current)
    if request.method == "POST" and request.POST.get("section") == "retention":
        if retention_form.is_valid():
            for period in current:
                wanted = retention_form.cleaned_data[period.rule.key]
                if wanted != (period.keep_days if period.customised else None):
                    retention.set_period(organisation=organisation, rule=period.rule.key, keep_days=wanted,
                                         by=request.viewer)
            messages.success(request, _("Retention periods saved."))
            return redirect("core:organisation")
    elif request.method == "POST" and form.is_valid():
        actions.update_organisation(organisation=organisation, by=request.viewer, **{
            name: form.cleaned_data[name] for name in actions.SETTINGS_FIELDS
        })
        messages.success(request, _("Organisation settings saved."))
        return redirect("core:organisation")
    return render(request, "core/organisation.html", {"form": form, "retention_form": retention_form})


def _anonymous(request) -> bool:
    """True for a visitor who is not signed in: their error page then holds no form, so it starts no session."""
    return not getattr(getattr(request, "user", None), "is_authenticated", False)


def forbidden(request, exception=None):
    return render(request, "core/error.html", {
        "status": 403, "title": _("Not allowed"),
        "message": str(exception) if exception and str(exception) else _("You do not have access to this page."),
        "sessionless": _anonymous(request),
    }, status=403)


def not_found(request, exception=None):
    if request.path.startswith("/api/"):
        # A path no API route matches still answers in the API's own error format.
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return render(request, "core/error.html", {
        "status": 404, "title": _("Not found"),
        "message": _("There is nothing here, or it is not yours to see."), "sessionless": _anonymous(request),
    }, status=404)


def server_error(request):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Internal error; nothing was half-saved.")}, status=500)
    return render(request, "core/error.html", {
        "status": 500, "title": _("Something went wrong"),
        "message": _("The error has been logged. Nothing you entered was half-saved: please try again."),
        "sessionless": _anonymous(request),
    }, status=500)
