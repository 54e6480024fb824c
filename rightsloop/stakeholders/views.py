from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.pagination import paginate, query_without_page

from . import actions, queries
from .duplicates import find_likely_duplicates
from .forms import ConfirmDistinctForm, ConsentForm, StakeholderFilterForm, StakeholderForm
from .models import ConsentRecord, DuplicateFlag
from .profiles import StakeholderProfile


def _copy_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@requires(Capability.STAKEHOLDERS_VIEW)
def stakeholder_list(request):
    form = StakeholderFilterForm(request.GET or None)
    page = paginate(request, queries.stakeholder_list(request.viewer, form.filters()))
    context = {"form": form, "page": page, "query": query_without_page(request),
               "can_edit": request.viewer.can(Capability.STAKEHOLDERS_EDIT)}
    if request.htmx and request.htmx.target == "stakeholder-results":
        return render(request, "stakeholders/list.html#results", context)
    return render(request, "stakeholders/list.html", context)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def stakeholder_create(request):
    form = StakeholderForm(request.POST or None)
    confirm = ConfirmDistinctForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        profile = form.profile()
        duplicates = find_likely_duplicates(
            organisation=request.viewer.organisation, name=profile.name, email=profile.email,
            country=profile.country,
        )
        confirmed = confirm.is_valid() and confirm.cleaned_data["confirm_distinct"]
        if not duplicates or confirmed:
            try:
                stakeholder, flagged = actions.register_stakeholder(profile=profile, by=request.viewer)
            except ValidationError as error:
                _copy_errors(form, error)
            else:
                if flagged:
                    messages.warning(request, _("Registered, and flagged as a possible duplicate for review."))
                else:
                    messages.success(request, _("Stakeholder registered."))
                return redirect("stakeholders:detail", pk=stakeholder.pk)
    return render(request, "stakeholders/form.html", {
        "form": form, "confirm": confirm, "duplicates": duplicates, "creating": True,
    })


def _detail_context(request, stakeholder, consent_form=None) -> dict:
    return {
        "stakeholder": stakeholder,
        "consents": queries.consent_history(stakeholder),
        "consent_state": queries.consent_state(stakeholder),
        "flags": queries.open_duplicate_flags(stakeholder),
        "participations": stakeholder.participations.select_related("engagement").order_by(
            "-engagement__starts_on"
        ),
        "consent_form": consent_form or ConsentForm(initial={"given_on": timezone.localdate()}),
        "can_edit": request.viewer.can(Capability.STAKEHOLDERS_EDIT),
        "masked": queries.shown_name(stakeholder, request.viewer) != stakeholder.name,
    }


@requires(Capability.STAKEHOLDERS_VIEW)
def stakeholder_detail(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    return render(request, "stakeholders/detail.html", _detail_context(request, stakeholder))


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    initial = StakeholderForm.initial_from(StakeholderProfile.of(stakeholder))
    form = StakeholderForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_stakeholder(stakeholder=stakeholder, profile=form.profile(), by=request.viewer)
        except ValidationError as error:
            _copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("stakeholders:detail", pk=stakeholder.pk)
    return render(request, "stakeholders/form.html", {"form": form, "stakeholder": stakeholder})


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def consent_add(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    form = ConsentForm(request.POST)
    if form.is_valid():
        actions.record_consent(stakeholder=stakeholder, by=request.viewer, **form.cleaned_data)
        messages.success(request, _("Consent recorded."))
        return redirect("stakeholders:detail", pk=stakeholder.pk)
    return render(request, "stakeholders/detail.html", _detail_context(request, stakeholder, form), status=400)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def consent_withdraw(request, pk: int, consent_pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    consent = get_object_or_404(ConsentRecord, pk=consent_pk, stakeholder=stakeholder)
    actions.withdraw_consent(consent=consent, by=request.viewer)
    messages.success(request, _("Consent marked as withdrawn."))
    return redirect("stakeholders:detail", pk=stakeholder.pk)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def duplicate_dismiss(request, pk: int, flag_pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    flag = get_object_or_404(DuplicateFlag, pk=flag_pk, stakeholder=stakeholder)
    actions.dismiss_duplicate_flag(flag=flag, by=request.viewer)
    messages.success(request, _("Marked as a different stakeholder."))
    return redirect("stakeholders:detail", pk=stakeholder.pk)
