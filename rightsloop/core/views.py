from django.contrib import messages
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability

from . import actions, audit, audit_csv, retention
from . import audit_log as audit_log_queries
from .forms import AuditFilterForm, OrganisationForm, RetentionForm
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
    form = AuditFilterForm(request.GET or None, organisation=request.viewer.organisation)
    if form.is_bound and not form.is_valid():
        # Never the whole log under filters the reader believes applied.
        return render(request, "core/audit_log.html", {"form": form, "page": None, "rows": []}, status=400)
    page = paginate(request, audit_log_queries.entries(request.viewer, form.filters()), per_page=50)
    # Only this page against its predecessors (one query); manage.py verify_audit walks the whole chain.
    chain = audit.check_page(page.object_list)
    return render(request, "core/audit_log.html", {
        "form": form, "page": page, "rows": audit_log_queries.readable(request.viewer, page.object_list),
        "query": query_without_page(request), "chain": chain,
    })


@requires(Capability.AUDIT_VIEW)
@require_GET
def audit_log_export(request):
    """The filtered log as CSV for auditors, streamed; the export is itself audited."""
    form = AuditFilterForm(request.GET or None, organisation=request.viewer.organisation)
    if form.is_bound and not form.is_valid():
        return render(request, "core/audit_log.html", {"form": form, "page": None, "rows": []}, status=400)
    filters = form.filters()
    actions.record_audit_export(filters=filters.described(), by=request.viewer)
    rows = audit_csv.rows(request.viewer, audit_log_queries.entries(request.viewer, filters))
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="audit-log-{request.viewer.organisation.slug}-{timezone.now():%Y%m%d-%H%M}.csv"')
    return response


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
