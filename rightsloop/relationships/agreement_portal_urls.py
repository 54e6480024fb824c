"""Portal section "agreement": the stakeholder reads their agreement and answers a proposal (no JavaScript)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from rightsloop.core.access import plausible_id
from rightsloop.portal.access import portal_view

from . import agreements, queries
from .models import Agreement, AgreementState, Answer, AnswerVia


class PortalAnswerForm(forms.Form):
    answer = forms.ChoiceField(label=gettext_lazy("Your answer"), widget=forms.RadioSelect, choices=[
        (Answer.ACCEPTED, gettext_lazy("Accept")), (Answer.DECLINED, gettext_lazy("Decline")),
        (Answer.CHANGES_REQUESTED, gettext_lazy("Ask for changes"))])
    comment = forms.CharField(
        label=gettext_lazy("Your comment"), required=False, max_length=agreements.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Needed if you ask for changes: say which. Declining costs you nothing: you will "
                               "be invited, heard and answered like anyone else."))
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=32767)


def has_agreement(stakeholder) -> bool:
    """Show the section once something was proposed to them; a draft is the organisation's own business."""
    return Agreement.objects.filter(stakeholder=stakeholder, versions__proposed_at__isnull=False).exists()


def _agreement_of(stakeholder) -> Agreement | None:
    return (Agreement.objects.filter(stakeholder=stakeholder, versions__proposed_at__isnull=False)
            .select_related("current_version", "accepted_version").order_by("-id").first())


def _page(request, form=None, status=200):
    stakeholder = request.portal.stakeholder
    agreement = _agreement_of(stakeholder)
    waiting = agreement is not None and agreement.state == AgreementState.PROPOSED
    if waiting and form is None:
        form = PortalAnswerForm(initial={"version": agreement.current_version.number})
    past = [] if agreement is None else [
        version for version in agreement.versions.filter(proposed_at__isnull=False).order_by("-number")
        if version.pk not in (agreement.current_version_id if waiting else None, agreement.accepted_version_id)]
    return render(request, "relationships/agreement_portal/index.html", {
        "agreement": agreement, "waiting": waiting, "form": form if waiting else None,
        "terms": queries.attribution_terms(stakeholder), "past": past, "states": AgreementState,
    }, status=status)


@portal_view
@require_GET
def index(request):
    return _page(request)


@portal_view
@require_POST
def answer(request, agreement_id: int):
    stakeholder = request.portal.stakeholder
    if not plausible_id(agreement_id):
        raise Http404
    agreement = Agreement.objects.filter(pk=agreement_id, stakeholder=stakeholder).select_related(
        "current_version").first()
    if agreement is None:
        raise Http404
    form = PortalAnswerForm(request.POST)
    if form.is_valid():
        if (agreement.state != AgreementState.PROPOSED
                or form.cleaned_data["version"] != agreement.current_version.number):
            messages.error(request, _("This proposal changed or was already answered; here is the latest."))
            return redirect("portal:agreement:index")
        try:
            agreements.answer_agreement(agreement=agreement, answer=form.cleaned_data["answer"],
                                        comment=form.cleaned_data["comment"], via=AnswerVia.PORTAL, by=None)
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, {
                Answer.ACCEPTED: _("Thank you: you accepted the agreement."),
                Answer.DECLINED: _("You declined the agreement. Nothing changes in how we engage with you."),
                Answer.CHANGES_REQUESTED: _("Thank you: we received the changes you ask for and will come back "
                                            "to you with a new version."),
            }[form.cleaned_data["answer"]])
            return redirect("portal:agreement:index")
    return _page(request, form, status=400)


urlpatterns = [
    path("", index, name="index"),
    path("<int:agreement_id>/answer/", answer, name="answer"),
]
