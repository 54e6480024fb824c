"""The report builder: drafts, their salient issues, a preview exactly as the public will see it, review, approval
and publication (report_actions.py does every change)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.access import plausible_id
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors

from . import report_actions as actions
from . import reports
from .report_forms import IssueForm, NarrativeForm, NewReportForm
from .report_models import PublicIssue, Report, ReportStatus


def _report(request, pk) -> Report:
    if not plausible_id(pk):
        raise Http404
    found = Report.objects.for_organisation(request.viewer.organisation).filter(pk=pk).first()
    if found is None:
        raise Http404
    return found



@requires(Capability.REPORTS_VIEW)
@require_http_methods(["GET", "POST"])
def report_list(request):
    viewer = request.viewer
    form = NewReportForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not viewer.can(Capability.REPORTS_EDIT):
            raise PermissionDenied(_("Your role does not draft public reports."))
        if form.is_valid():
            try:
                report = actions.create_report(by=viewer, **form.cleaned_data)
            except ValidationError as error:
                copy_errors(form, error)
            else:
                return redirect("reports:detail", pk=report.pk)
        status = 400
    return render(request, "disclosure/reports/list.html", {
        "form": form, "reports": Report.objects.for_organisation(viewer.organisation).prefetch_related("versions"),
        "can_edit": viewer.can(Capability.REPORTS_EDIT)}, status=status)


def _builder(request, report, *, form=None, issue_form=None, status=200):
    viewer = request.viewer
    editable = viewer.can(Capability.REPORTS_EDIT) and report.status != ReportStatus.PUBLISHED
    data = reports.content(report)
    return render(request, "disclosure/reports/detail.html", {
        "report": report, "content": data, "notices": reports.notices(data),
        "form": form or (NarrativeForm(instance=report) if editable else None),
        "issue_form": issue_form or (IssueForm(organisation=viewer.organisation) if editable else None),
        "issues": list(report.issues.select_related("risk")), "editable": editable,
        "can_edit": viewer.can(Capability.REPORTS_EDIT), "can_publish": viewer.can(Capability.REPORTS_PUBLISH),
        "versions": list(report.versions.all()),
    }, status=status)


@requires(Capability.REPORTS_VIEW)
@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    report = _report(request, pk)
    if request.method == "GET":
        return _builder(request, report)
    if not request.viewer.can(Capability.REPORTS_EDIT):
        raise PermissionDenied(_("Your role does not draft public reports."))
    form = NarrativeForm(request.POST, instance=Report.objects.get(pk=report.pk))
    if form.is_valid():
        try:
            actions.update_report(report=report, by=request.viewer, **{
                name: form.cleaned_data[name] for name in actions.TEXT_FIELDS})
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The report is saved."))
            return redirect("reports:detail", pk=report.pk)
    return _builder(request, _report(request, pk), form=form, status=400)


@requires(Capability.REPORTS_EDIT)
@require_POST
def issue_save(request, pk: int, issue_pk: int | None = None):
    report = _report(request, pk)
    issue = None
    if issue_pk is not None:
        issue = PublicIssue.objects.filter(report=report, pk=issue_pk).first() if plausible_id(issue_pk) else None
        if issue is None:
            raise Http404
    form = IssueForm(request.POST, organisation=request.viewer.organisation)
    if form.is_valid():
        try:
            actions.save_issue(report=report, issue=issue, by=request.viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The salient issue is saved."))
            return redirect("reports:detail", pk=report.pk)
    return _builder(request, report, issue_form=form, status=400)


def _removing_issue(request, pk: int, issue_pk: int) -> Confirmation:
    report = _report(request, pk)
    issue = PublicIssue.objects.filter(report=report, pk=issue_pk).first() if plausible_id(issue_pk) else None
    if issue is None:
        raise Http404
    return Confirmation(
        title=_("Remove the salient issue “%(title)s” from this report?") % {"title": issue.public_title},
        losses=[_("The issue, its public wording and its summary leave this draft; the report will no longer "
                  "name it.")],
        kept=[_("The risk it stood for is unchanged; published versions of the report are never changed.")],
        confirm_label=_("Remove the issue"), back_url=reverse("reports:detail", args=[report.pk]))


@requires(Capability.REPORTS_EDIT)
@asks_first(_removing_issue)
@require_POST
def issue_remove(request, pk: int, issue_pk: int):
    report = _report(request, pk)
    issue = PublicIssue.objects.filter(report=report, pk=issue_pk).first() if plausible_id(issue_pk) else None
    if issue is None:
        raise Http404
    try:
        actions.remove_issue(issue=issue, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reports:detail", pk=report.pk)


def _step(request, pk: int, action, done: str):
    report = _report(request, pk)
    try:
        action(report=report, by=request.viewer)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
        report.refresh_from_db()
        return _builder(request, report, status=403 if isinstance(error, PermissionDenied) else 400)
    messages.success(request, done)
    return redirect("reports:detail", pk=report.pk)


@requires(Capability.REPORTS_VIEW)
@require_POST
def review(request, pk: int):
    return _step(request, pk, actions.mark_reviewed, _("Marked as reviewed: it can now be approved."))


@requires(Capability.REPORTS_VIEW)
@require_POST
def approve(request, pk: int):
    return _step(request, pk, actions.approve, _("Approved: it can now be published."))


@requires(Capability.REPORTS_VIEW)
@require_POST
def publish(request, pk: int):
    return _step(request, pk, actions.publish, _("Published. The PDF is being prepared."))


@requires(Capability.REPORTS_VIEW)
@require_POST
def new_version(request, pk: int):
    return _step(request, pk, actions.start_new_version,
                 _("A new version is open as a draft; the published one stays as it was."))


@requires(Capability.REPORTS_VIEW)
@require_GET
def preview(request, pk: int):
    """The draft exactly as the public page would show it now (figures as of now, names withheld)."""
    from django.template.loader import render_to_string

    report = _report(request, pk)
    from django.http import HttpResponse

    html = render_to_string("disclosure/public/report.html", {
        "report": reports.content(report), "organisation": report.organisation, "for_print": False, "preview": True})
    return HttpResponse(html)
