"""Pol.is files in and out: import a conversation into an empty exercise, download an exercise as Pol.is's zip."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability

from .. import polis, queries
from ..actions import polis as actions

LIMIT_MB = polis.MAX_FILE_BYTES // (1024 * 1024)


class PolisImportForm(forms.Form):
    """Either the three CSV files of Pol.is's export (comments.csv needed), or the export's zip."""

    archive = forms.FileField(label=gettext_lazy("Pol.is export (zip)"), required=False, help_text=gettext_lazy(
        "The zip Pol.is gives for download; or leave this empty and choose the CSV files below."))
    comments = forms.FileField(label=gettext_lazy("comments.csv"), required=False)
    votes = forms.FileField(label=gettext_lazy("votes.csv"), required=False, help_text=gettext_lazy(
        "The event log of every vote; with it each participant's latest vote counts."))
    participants_votes = forms.FileField(label=gettext_lazy("participants-votes.csv"), required=False,
                                         help_text=gettext_lazy("Each participant's final votes; used when "
                                                                "votes.csv is not there."))

    def clean(self):
        data = super().clean()
        if not data.get("archive") and not data.get("comments"):
            raise forms.ValidationError(_("Choose the Pol.is zip, or at least its comments.csv."))
        return data


def _detail_url(exercise) -> str:
    try:
        return reverse("consensus:exercise", args=[exercise.pk])
    except NoReverseMatch:  # the exercise pages are another area's; until they exist, come back here
        return reverse("consensus:polis-import", args=[exercise.pk])


def _import(form: PolisImportForm, exercise, viewer) -> actions.Imported | None:
    files = form.cleaned_data
    try:
        given = (actions.files_of_zip(files["archive"]) if files.get("archive") else
                 {name: files.get(name) for name in ("comments", "votes", "participants_votes")})
        return actions.import_polis(exercise=exercise, by=viewer, **given)
    except ValidationError as error:
        for name, problems in error.message_dict.items():
            target = name if name in form.fields and not files.get("archive") else None
            form.add_error(target, problems)
    return None


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def polis_import(request, pk):
    exercise = queries.access_exercise(request.viewer, pk, for_update=True)
    form = PolisImportForm(*((request.POST, request.FILES) if request.method == "POST" else ()))
    if request.method == "POST" and form.is_valid():
        imported = _import(form, exercise, request.viewer)
        if imported is not None:
            messages.success(request, _("Imported %(statements)s statements, %(participants)s participants and "
                                        "%(votes)s votes from Pol.is.") % {
                "statements": imported.statements, "participants": imported.participants, "votes": imported.votes})
            return redirect(_detail_url(exercise))
    return render(request, "consensus/polis/import.html", {
        "exercise": exercise, "form": form, "limit_mb": LIMIT_MB, "back": _detail_url(exercise),
    }, status=400 if request.method == "POST" else 200)


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def polis_export(request, pk):
    exercise = queries.access_exercise(request.viewer, pk)
    response = HttpResponse(actions.export_polis(exercise=exercise, by=request.viewer), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="exercise-{exercise.pk}-polis.zip"'
    return response


urlpatterns = [
    path("exercises/<int:pk>/polis/import/", polis_import, name="polis-import"),
    path("exercises/<int:pk>/polis/export/", polis_export, name="polis-export"),
]
