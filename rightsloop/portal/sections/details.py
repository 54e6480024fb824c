"""Portal section "details": contact details, consent, and a request to be erased."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import queries
from ..access import portal_view
from ..actions import details as actions
from ..forms import ContactDetailsForm


def _page(request, form, status=200):
    stakeholder = request.portal.stakeholder
    return render(request, "portal/details/index.html", {
        "form": form,
        "consents": list(queries.current_consents(stakeholder)),
        "erasure": queries.erasure_request(stakeholder),
    }, status=status)


@portal_view
@require_http_methods(["GET", "POST"])
def index(request):
    stakeholder = request.portal.stakeholder
    if request.method == "GET":
        initial = {name: getattr(stakeholder, name) for name in actions.CONTACT_FIELDS}
        return _page(request, ContactDetailsForm(initial=initial, current_language=stakeholder.preferred_language))
    form = ContactDetailsForm(request.POST, current_language=stakeholder.preferred_language)
    if form.is_valid():
        try:
            changed = actions.update_own_details(stakeholder=stakeholder,
                                                 details=actions.ContactDetails(**form.cleaned_data))
        except ValidationError as error:
            for field, problems in getattr(error, "message_dict", {"__all__": error.messages}).items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, _("Your details were saved.") if changed else _("Nothing was changed."))
            return redirect("portal:details:index")
    return _page(request, form, status=400)


@portal_view
@require_http_methods(["GET", "POST"])
def withdraw_consent(request, consent_pk: int):
    """GET asks first, saying what withdrawing changes, and changes nothing; POST withdraws."""
    stakeholder = request.portal.stakeholder
    consent = queries.access_consent(stakeholder, consent_pk)
    if request.method == "GET":
        return render(request, "portal/details/withdraw_consent.html", {"consent": consent})
    actions.withdraw_own_consent(stakeholder=stakeholder, consent=consent)
    messages.success(request, _("Your consent was withdrawn. We will act on it from now on."))
    return redirect("portal:details:index")


@portal_view
@require_POST
def request_erasure(request):
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm that you want your record erased."))
        return redirect("portal:details:index")
    actions.request_erasure(stakeholder=request.portal.stakeholder)
    messages.success(request, _("We received your request. A member of staff will confirm it; you will not "
                                "be able to use this portal after that."))
    return redirect("portal:details:index")


urlpatterns = [
    path("", index, name="index"),
    path("consents/<int:consent_pk>/withdraw/", withdraw_consent, name="consent-withdraw"),
    path("erasure/", request_erasure, name="erasure"),
]
