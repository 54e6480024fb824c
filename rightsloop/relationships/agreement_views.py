"""Staff pages of relationship agreements (P1) and relationship owners: parse, call an action, render."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.forms import copy_errors
from rightsloop.core.models import AuditEntry
from rightsloop.core.pagination import paginate
from rightsloop.stakeholders.queries import access_stakeholder, shown_name

from . import agreements, queries
from .agreement_forms import AgreementFilterForm, AgreementForm, EndForm, OfflineAnswerForm, OwnerForm
from .agreements import AgreementTerms
from .models import AgreementState


@requires(Capability.RELATIONSHIPS_VIEW)
@require_GET
def agreement_list(request):
    form = AgreementFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = queries.AgreementFilters(state=data.get("state", ""), review_due=bool(data.get("review_due")),
                                       sunset_soon=bool(data.get("sunset_soon")))
    page = paginate(request, queries.agreement_list(request.viewer, filters))
    for agreement in page.object_list:
        agreement.shown_name = shown_name(agreement.stakeholder, request.viewer)
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "relationships/agreements/list.html", {
        "form": form, "page": page, "query": params.urlencode(),
        "can_edit": request.viewer.can(Capability.RELATIONSHIPS_EDIT)})


@requires(Capability.RELATIONSHIPS_EDIT)
@require_http_methods(["GET", "POST"])
def agreement_create(request, stakeholder_id: int):
    stakeholder = access_stakeholder(request.viewer, stakeholder_id)
    existing = queries.open_agreement_of(stakeholder)
    if existing is not None:
        return redirect("relationships:agreement-detail", existing.pk)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            agreement = agreements.create_agreement(stakeholder=stakeholder, terms=form.terms(), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Agreement drafted. Propose it when the terms are ready."))
            return redirect("relationships:agreement-detail", agreement.pk)
    return render(request, "relationships/agreements/form.html", {
        "form": form, "stakeholder": stakeholder, "name": shown_name(stakeholder, request.viewer)})


@requires(Capability.RELATIONSHIPS_VIEW)
@require_GET
def agreement_detail(request, agreement_id: int):
    agreement = queries.access_agreement(request.viewer, agreement_id)
    can_edit = request.viewer.can(Capability.RELATIONSHIPS_EDIT)
    history = (AuditEntry.objects.for_organisation(request.viewer.organisation)
               .about(agreement).select_related("actor").order_by("-sequence")[:50])
    return render(request, "relationships/agreements/detail.html", {
        "agreement": agreement, "name": shown_name(agreement.stakeholder, request.viewer),
        "versions": queries.versions_of(agreement), "history": history,
        "terms": queries.terms_on(agreement, on=timezone.localdate()),
        "can_edit": can_edit, "states": AgreementState,
        "answer_form": OfflineAnswerForm() if can_edit and agreement.state == AgreementState.PROPOSED else None,
        "end_form": EndForm() if can_edit and agreement.state != AgreementState.ENDED else None,
        "revisable": can_edit and agreement.state in agreements.REVISABLE,
        "reviewable": can_edit and agreement.state in agreements.REVIEWABLE,
    })


@requires(Capability.RELATIONSHIPS_EDIT)
@require_http_methods(["GET", "POST"])
def agreement_edit(request, agreement_id: int):
    agreement = queries.access_agreement(request.viewer, agreement_id, for_update=True)
    if agreement.state != AgreementState.DRAFTED:
        messages.error(request, _("Only a draft can be changed; start a new version instead."))
        return redirect("relationships:agreement-detail", agreement.pk)
    initial = AgreementForm.initial_of(AgreementTerms.of(agreement.current_version))
    form = AgreementForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agreements.update_draft(agreement=agreement, terms=form.terms(), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Draft saved."))
            return redirect("relationships:agreement-detail", agreement.pk)
    return render(request, "relationships/agreements/form.html", {
        "form": form, "agreement": agreement, "stakeholder": agreement.stakeholder,
        "name": shown_name(agreement.stakeholder, request.viewer)})


def _step(request, agreement_id: int, step, done: str, **arguments):
    """Run one state change from a button and go back to the agreement, saying what happened or why not."""
    agreement = queries.access_agreement(request.viewer, agreement_id, for_update=True)
    try:
        step(agreement=agreement, by=request.viewer, **arguments)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)
    return redirect("relationships:agreement-detail", agreement.pk)


@requires(Capability.RELATIONSHIPS_EDIT)
@require_POST
def agreement_propose(request, agreement_id: int):
    return _step(request, agreement_id, agreements.propose_agreement,
                 _("Proposed. The stakeholder can answer in their portal, or you can record their answer here."))


@requires(Capability.RELATIONSHIPS_EDIT)
@require_POST
def agreement_revise(request, agreement_id: int):
    return _step(request, agreement_id, agreements.revise_agreement,
                 _("New version drafted. It needs their acceptance; the terms accepted before still apply."))


@requires(Capability.RELATIONSHIPS_EDIT)
@require_POST
def agreement_review(request, agreement_id: int):
    return _step(request, agreement_id, agreements.start_review, _("The agreement is under review."))


@requires(Capability.RELATIONSHIPS_EDIT)
@require_POST
def agreement_answer(request, agreement_id: int):
    agreement = queries.access_agreement(request.viewer, agreement_id, for_update=True)
    form = OfflineAnswerForm(request.POST)
    if form.is_valid():
        try:
            agreements.answer_agreement(agreement=agreement, answer=form.cleaned_data["answer"],
                                        comment=form.cleaned_data["comment"], via=form.cleaned_data["via"],
                                        by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Their answer is recorded."))
            return redirect("relationships:agreement-detail", agreement.pk)
    return render(request, "relationships/agreements/answer.html", {
        "form": form, "agreement": agreement, "name": shown_name(agreement.stakeholder, request.viewer)},
        status=400)


@requires(Capability.RELATIONSHIPS_EDIT)
@require_POST
def agreement_end(request, agreement_id: int):
    agreement = queries.access_agreement(request.viewer, agreement_id, for_update=True)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            agreements.end_agreement(agreement=agreement, reason=form.cleaned_data["reason"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The agreement has ended. An NDA it set still binds until its sunset."))
            return redirect("relationships:agreement-detail", agreement.pk)
    return render(request, "relationships/agreements/end.html", {
        "form": form, "agreement": agreement, "name": shown_name(agreement.stakeholder, request.viewer)},
        status=400)


@requires(Capability.RELATIONSHIPS_EDIT)
@require_http_methods(["GET", "POST"])
def relationship_owner(request, stakeholder_id: int):
    stakeholder = access_stakeholder(request.viewer, stakeholder_id)
    relationship = queries.relationship_of(stakeholder)
    form = OwnerForm(request.POST or None, owners=queries.possible_owners(request.viewer.organisation),
                     initial={"owner": relationship.owner_id if relationship else None})
    if request.method == "POST" and form.is_valid():
        try:
            agreements.set_owner(stakeholder=stakeholder, owner=form.cleaned_data["owner"], by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Owner saved."))
            return redirect("stakeholders:detail", stakeholder.pk)
    return render(request, "relationships/agreements/owner.html", {
        "form": form, "stakeholder": stakeholder, "name": shown_name(stakeholder, request.viewer),
        "owners": queries.owner_of(stakeholder)})
