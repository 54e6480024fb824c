"""Import pages: upload a file, map its columns, follow the check, confirm, and resume or roll back an apply."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability

from .. import imports, queries
from ..actions import imports as actions
from ..import_forms import ConfirmForm, MappingForm, UploadForm
from ..models import ImportState

PROBLEMS_SHOWN = 20


def _errors(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_http_methods(["GET", "POST"])
def import_upload(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    form = UploadForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = actions.upload_responses(consultation=consultation, file=upload, original_name=upload.name,
                                           by=request.viewer)
        except ValidationError as error:
            form.add_error("file", _errors(error))
        else:
            if job.state == ImportState.FAILED:
                messages.error(request, job.message)
                return redirect("consultations:import-detail", consultation.pk, job.pk)
            return redirect("consultations:import-map", consultation.pk, job.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "consultations/imports/upload.html", {
        "consultation": consultation, "form": form, "limit_mb": imports.max_upload() // (1024 * 1024),
        "text_limit": imports.max_text()}, status=status)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_http_methods(["GET", "POST"])
def import_map(request, pk, import_pk):
    job = queries.access_import(request.viewer, pk, import_pk)
    if not (job.state in (ImportState.UPLOADED, ImportState.CHECKED)
            or (job.state == ImportState.CHECKING and actions.is_stale(job))):
        messages.info(request, _("The columns of this import can no longer be mapped (%(state)s).")
                      % {"state": job.get_state_display()})
        return redirect("consultations:import-detail", pk, job.pk)
    form = MappingForm(request.POST if request.method == "POST" else None, columns=job.columns,
                       mapping=job.mapping or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.map_columns(response_import=job, mapping=form.cleaned_data, by=request.viewer)
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            return redirect("consultations:import-detail", pk, job.pk)
    return render(request, "consultations/imports/mapping.html", {
        "consultation": job.consultation, "job": job, "form": form, "preview": actions.preview(job)},
        status=400 if request.method == "POST" else 200)


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def import_detail(request, pk, import_pk):
    viewer = request.viewer
    job = queries.access_import(viewer, pk, import_pk)
    now = timezone.now()
    state = actions.shown_state(job, now)
    rollback_stopped = state == ImportState.ROLLING_BACK and actions.is_stale(job, now)
    running = state in actions.RUNNING and not rollback_stopped
    if request.htmx and not running:
        # The work finished between two polls: reload the whole page, whose actions depend on the state.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    # While rolling back, rows_done counts the responses removed; the rest is what is still there.
    total = job.rows_done + job.responses.count() if state == ImportState.ROLLING_BACK else None
    context = {
        "consultation": job.consultation, "job": job, "state": state, "state_label": ImportState(state).label,
        "running": running, "progress": imports.progress_of(job, now, total=total),
        "rollback_stopped": rollback_stopped, "can_analyse": viewer.can(Capability.CONSULTATIONS_ANALYSE),
    }
    if request.htmx:
        return render(request, "consultations/imports/detail.html#progress", context)
    if state in (ImportState.INTERRUPTED, ImportState.APPLIED, ImportState.APPLYING):
        context["imported"] = job.responses.count()
    context.update({
        "problems": list(job.problems.all()[:PROBLEMS_SHOWN]),
        "confirm_form": ConfirmForm() if state == ImportState.CHECKED else None,
        # A check whose process died can be started again by mapping the columns again.
        "can_map": state in (ImportState.UPLOADED, ImportState.CHECKED) or (
            state == ImportState.CHECKING and actions.is_stale(job, now)),
        "can_cancel": state in (ImportState.UPLOADED, ImportState.CHECKED, ImportState.FAILED),
    })
    return render(request, "consultations/imports/detail.html", context)


def _act(request, pk, import_pk, act, done: str):
    job = queries.access_import(request.viewer, pk, import_pk)
    try:
        act(job)
    except ValidationError as error:
        for message in _errors(error):
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("consultations:import-detail", pk, job.pk)


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def import_confirm(request, pk, import_pk):
    form = ConfirmForm(request.POST)
    only_valid = form.cleaned_data["only_valid"] if form.is_valid() else True
    return _act(request, pk, import_pk, lambda job: actions.confirm_import(
        response_import=job, only_valid=only_valid, by=request.viewer), _("Importing the rows."))


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def import_resume(request, pk, import_pk):
    return _act(request, pk, import_pk, lambda job: actions.resume_import(response_import=job, by=request.viewer),
                _("Resuming the import after its last imported line."))


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_http_methods(["GET", "POST"])
def import_rollback(request, pk, import_pk):
    """GET: what a rollback would remove, and a form to confirm it (it deletes every response of the file); POST:
    roll back."""
    if request.method == "POST":
        return _act(request, pk, import_pk,
                    lambda job: actions.rollback_import(response_import=job, by=request.viewer),
                    _("Rolling back: this file's responses are being removed."))
    job = queries.access_import(request.viewer, pk, import_pk)
    if actions.shown_state(job, timezone.now()) not in (ImportState.APPLIED, ImportState.INTERRUPTED):
        messages.error(request, _("Only an interrupted or imported file can be rolled back (it is now: %(state)s).")
                       % {"state": job.get_state_display()})
        return redirect("consultations:import-detail", pk, job.pk)
    return render(request, "consultations/imports/rollback.html", {
        "consultation": job.consultation, "job": job, "preview": queries.rollback_preview(job)})


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_POST
def import_cancel(request, pk, import_pk):
    return _act(request, pk, import_pk, lambda job: actions.cancel_import(response_import=job, by=request.viewer),
                _("Import cancelled."))


class _Echo:
    def write(self, value):
        return value


def report_rows(job):
    """The report's lines: header, then every bad row's line, reason and detail (never text or contact)."""
    writer = csv.writer(_Echo())
    yield writer.writerow([_("line"), _("reason"), _("detail")])
    labels = dict(job.problems.model._meta.get_field("reason").choices)
    for line, reason, detail in job.problems.order_by("line", "id").values_list(
            "line", "reason", "detail").iterator(chunk_size=5000):
        yield writer.writerow([line, labels.get(reason, reason), detail])


def report_response(job) -> StreamingHttpResponse:
    response = StreamingHttpResponse(report_rows(job), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-problems.csv"'
    return response


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def import_report(request, pk, import_pk):
    return report_response(queries.access_import(request.viewer, pk, import_pk))


urlpatterns = [
    path("<int:pk>/imports/new/", import_upload, name="import-upload"),
    path("<int:pk>/imports/<int:import_pk>/", import_detail, name="import-detail"),
    path("<int:pk>/imports/<int:import_pk>/columns/", import_map, name="import-map"),
    path("<int:pk>/imports/<int:import_pk>/confirm/", import_confirm, name="import-confirm"),
    path("<int:pk>/imports/<int:import_pk>/resume/", import_resume, name="import-resume"),
    path("<int:pk>/imports/<int:import_pk>/rollback/", import_rollback, name="import-rollback"),
    path("<int:pk>/imports/<int:import_pk>/cancel/", import_cancel, name="import-cancel"),
    path("<int:pk>/imports/<int:import_pk>/report.csv", import_report, name="import-report"),
]
