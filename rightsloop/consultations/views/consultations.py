"""The consultation list, opening one, its settings, and its overview page (the way through C1 to C3)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.forms import copy_errors
from rightsloop.core.pagination import paginate
from rightsloop.engagements.queries import access_engagement
from rightsloop.engagements.vocabulary import EngagementType

from .. import queries
from ..actions import consultations as actions
from ..forms import ConsultationForm, SettingsForm
from ..models import Consultation, ImportState


def posted(request):
    return request.POST if request.method == "POST" else None


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def consultation_list(request):
    viewer = request.viewer
    page = paginate(request, queries.visible_consultations(viewer))
    return render(request, "consultations/list.html", {
        "page": page, "can_analyse": viewer.can(Capability.CONSULTATIONS_ANALYSE)})


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_http_methods(["GET", "POST"])
def consultation_create(request):
    form = ConsultationForm(posted(request))
    if form.is_valid():
        try:
            consultation = actions.open_consultation(**form.cleaned_data, by=request.viewer)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Consultation opened. Next: import its responses."))
            return redirect("consultations:detail", consultation.pk)
    return render(request, "consultations/form.html", {"form": form})


@requires(Capability.CONSULTATIONS_ANALYSE)
@require_http_methods(["GET", "POST"])
def consultation_settings(request, pk):
    consultation = queries.access_consultation(request.viewer, pk)
    form = SettingsForm(posted(request), instance=consultation)
    if request.method == "POST" and form.is_valid():
        # The form validated a copy; the action writes and audits the change.
        consultation.refresh_from_db()
        try:
            actions.change_settings(consultation=consultation, by=request.viewer,
                                    **{name: form.cleaned_data[name] for name in SettingsForm.Meta.fields})
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("consultations:detail", consultation.pk)
    return render(request, "consultations/settings.html", {"form": form, "consultation": consultation},
                  status=400 if form.errors else 200)


@requires(Capability.CONSULTATIONS_VIEW)
@require_GET
def consultation_detail(request, pk):
    viewer = request.viewer
    consultation = queries.access_consultation(viewer, pk)
    imports = list(consultation.imports.all()[:5])
    return render(request, "consultations/detail.html", {
        "consultation": consultation,
        "imports": imports,
        "import_waiting": any(i.state in (ImportState.CHECKED, ImportState.INTERRUPTED) for i in imports),
        "candidate_count": consultation.themes.filter(status="candidate").count(),
        "final_count": consultation.themes.final().count(),
        "can_analyse": viewer.can(Capability.CONSULTATIONS_ANALYSE),
    })


@requires(Capability.CONSULTATIONS_VIEW)
@require_POST
def for_engagement(request, engagement_pk):
    """From a public-consultation engagement to its consultation, setting the consultation up on first use."""
    viewer = request.viewer
    engagement = access_engagement(viewer, engagement_pk)
    if engagement.type != EngagementType.PUBLIC_CONSULTATION:
        raise Http404
    consultation = Consultation.objects.filter(engagement=engagement).first()
    if consultation is None:
        if not viewer.can(Capability.CONSULTATIONS_ANALYSE):
            raise PermissionDenied(_("Your role does not allow setting up a consultation."))
        consultation = actions.consultation_of(engagement=engagement, by=viewer)
    return redirect("consultations:detail", consultation.pk)
