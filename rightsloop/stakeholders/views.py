from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors, remember_search, remembered_search
from rightsloop.core.pagination import paginate

from . import actions, group_views, queries, reveals, timeline
from .duplicates import find_likely_duplicates
from .forms import (
    ConfirmDistinctForm,
    ConsentForm,
    ErasureForm,
    GrantForm,
    RegistrationConsentForm,
    RevealForm,
    StakeholderFilterForm,
    StakeholderForm,
)
from .profiles import StakeholderProfile


@requires(Capability.STAKEHOLDERS_VIEW)
@require_http_methods(["GET", "POST"])
def stakeholder_list(request):
    """The register with its filters; the search text travels in a POST body, never in the address.

    Addresses end up in access logs, proxies and browser history, and the search is a name or an email
    address. A search is posted; the page it leads to names it by a random id kept in the session
    (`?search=…`), so paging and the back button work while the text stays out of every URL. A `q` in
    the address is ignored.
    """
    posted = request.method == "POST"
    data = (request.POST if posted else request.GET).copy()
    key = data.pop("search", [""])[-1] if not posted else ""
    data["q"] = data.get("q", "") if posted else remembered_search(request, key)
    form = StakeholderFilterForm(data if (posted or request.GET) else None)
    filters = form.filters()
    params = data.copy()
    for name in ("q", "page", "csrfmiddlewaretoken"):
        params.pop(name, None)
    if filters.q:
        params["search"] = remember_search(request, filters.q) if posted else key
    query = params.urlencode()
    address = reverse("stakeholders:list") + (f"?{query}" if query else "")
    if posted and not request.htmx:
        return redirect(address)
    page = paginate(request, queries.stakeholder_list(request.viewer, filters),
                    count=queries.stakeholder_count(request.viewer, filters))
    context = {"form": form, "page": page, "query": query,
               "can_edit": request.viewer.can(Capability.STAKEHOLDERS_EDIT)}
    if request.htmx and request.htmx.target == "stakeholder-results":
        response = render(request, "stakeholders/list.html#results", context)
        response["HX-Push-Url"] = address
        return response
    return render(request, "stakeholders/list.html", context)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def stakeholder_create(request):
    form = StakeholderForm(request.POST or None, organisation=request.viewer.organisation)
    consent = RegistrationConsentForm(request.POST or None, prefix="consent",
                                      initial={"given_on": timezone.localdate()})
    confirm = ConfirmDistinctForm(request.POST or None)
    duplicates = []
    if request.method == "POST" and all([form.is_valid(), consent.is_valid()]):
        profile = form.profile()
        duplicates = find_likely_duplicates(
            candidates=queries.visible_stakeholders(request.viewer), organisation_id=request.viewer.organisation.pk,
            name=profile.name, email=profile.email, country=profile.country,
        )
        confirmed = confirm.is_valid() and confirm.cleaned_data["confirm_distinct"]
        if not duplicates or confirmed:
            try:
                stakeholder, flagged = actions.register_stakeholder(profile=profile, by=request.viewer,
                                                                    speaks_for=form.speaks_for(),
                                                                    consents=consent.answers())
            except ValidationError as error:
                copy_errors(form, error)
            else:
                if flagged:
                    messages.warning(request, _("Registered, and flagged as a possible duplicate for review."))
                else:
                    messages.success(request, _("Stakeholder registered."))
                return redirect("stakeholders:detail", pk=stakeholder.pk)
    return render(request, "stakeholders/form.html", {
        "form": form, "consent_form": consent, "confirm": confirm, "duplicates": duplicates, "creating": True,
    })


def _detail_context(request, stakeholder, consent_form=None, *, revealed: bool = False) -> dict:
    viewer = request.viewer
    protected = reveals.is_protected(stakeholder)
    holds_grant = protected and queries.holds_grant(viewer, stakeholder)
    return {
        "stakeholder": stakeholder,
        "shown_name": queries.shown_name(stakeholder, viewer, revealed=revealed),
        "protected": protected,
        "revealed": revealed,
        "reveal_form": RevealForm(),
        "grants": stakeholder.grants.active().select_related("user", "granted_by") if holds_grant else [],
        "grant_form": GrantForm(organisation=viewer.organisation) if holds_grant and viewer.can(
            Capability.STAKEHOLDERS_EDIT) else None,
        "consents": queries.consent_history(stakeholder),
        "consent_state": queries.consent_state(stakeholder),
        "flags": queries.open_duplicate_flags(stakeholder, viewer),
        "participations": stakeholder.participations.select_related("engagement").order_by(
            "-engagement__starts_on"
        ),
        "consent_form": consent_form or ConsentForm(initial={"given_on": timezone.localdate()}),
        "can_edit": viewer.can(Capability.STAKEHOLDERS_EDIT) and not stakeholder.is_erased,
        "masked": protected and not revealed,
        "erasure_form": ErasureForm(),
        **group_views.stakeholder_groups_context(request, stakeholder),
        **_timeline_context(request, stakeholder),
    }


TIMELINE_PAGE = 20


def _timeline_context(request, stakeholder) -> dict:
    """The person's history, oldest first, a page at a time (?timeline=<page>), and where each loop stands."""
    entries = timeline.timeline(request.viewer, stakeholder)
    page = Paginator(entries, TIMELINE_PAGE).get_page(request.GET.get("timeline"))
    return {"timeline": page, "standing": timeline.standing(request.viewer, stakeholder)}


def _revealed(request, stakeholder) -> bool:
    """Whether this page may show a protected identity now; every view that does is audited."""
    if not reveals.is_protected(stakeholder) or not reveals.is_revealed(request, stakeholder):
        return False
    actions.record_identity_read(stakeholder=stakeholder, by=request.viewer, where=request.path)
    return True


@requires(Capability.STAKEHOLDERS_VIEW)
def stakeholder_detail(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    return render(request, "stakeholders/detail.html",
                  _detail_context(request, stakeholder, revealed=_revealed(request, stakeholder)))


@requires(Capability.STAKEHOLDERS_VIEW)
@require_POST
def stakeholder_reveal(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    form = RevealForm(request.POST)
    if not reveals.is_protected(stakeholder):
        return redirect("stakeholders:detail", pk=stakeholder.pk)
    if not form.is_valid():
        return render(request, "stakeholders/detail.html",
                      {**_detail_context(request, stakeholder), "reveal_form": form}, status=400)
    actions.reveal_identity(stakeholder=stakeholder, reason=form.cleaned_data["reason"], by=request.viewer)
    reveals.remember(request, stakeholder)
    return redirect("stakeholders:detail", pk=stakeholder.pk)


@requires(Capability.STAKEHOLDERS_VIEW)
@require_POST
def stakeholder_hide(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    reveals.forget(request, stakeholder)
    return redirect("stakeholders:detail", pk=stakeholder.pk)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def grant_add(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    form = GrantForm(request.POST, organisation=request.viewer.organisation)
    if form.is_valid():
        try:
            actions.grant_access(stakeholder=stakeholder, by=request.viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Access granted."))
            return redirect("stakeholders:detail", pk=stakeholder.pk)
    return render(request, "stakeholders/detail.html",
                  {**_detail_context(request, stakeholder), "grant_form": form}, status=400)


def _revoking(request, pk: int, grant_pk: int) -> Confirmation:
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    grant = queries.access_grant(request.viewer, stakeholder, grant_pk)
    own = grant.user_id == request.viewer.user.pk
    return Confirmation(
        title=_("Revoke %(user)s's access?") % {"user": grant.user.display_name},
        losses=[_("%(user)s will no longer see this protected person: they disappear from their lists, searches, "
                  "engagements and figures, and their pages answer “not found”.") % {"user": grant.user.display_name},
                *([_("This is your own access: you will lose sight of this person as soon as you confirm.")]
                  if own else [])],
        kept=[_("The grant, who gave it, why and when, and its revocation stay in the audit log.")],
        confirm_label=_("Revoke access"), back_url=reverse("stakeholders:detail", args=[stakeholder.pk]))


@requires(Capability.STAKEHOLDERS_EDIT)
@asks_first(_revoking)
@require_POST
def grant_revoke(request, pk: int, grant_pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    grant = queries.access_grant(request.viewer, stakeholder, grant_pk)
    actions.revoke_access(grant=grant, by=request.viewer)
    messages.success(request, _("Access revoked."))
    return redirect("stakeholders:list" if grant.user_id == request.viewer.user.pk else "stakeholders:detail",
                    **({} if grant.user_id == request.viewer.user.pk else {"pk": stakeholder.pk}))


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def stakeholder_edit(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    if reveals.is_protected(stakeholder) and not _revealed(request, stakeholder):
        messages.warning(request, _("Reveal this identity, with a reason, before changing it."))
        return redirect("stakeholders:detail", pk=stakeholder.pk)
    initial = StakeholderForm.initial_from(StakeholderProfile.of(stakeholder))
    # A proxy that already speaks for a group manages its groups on its page; only a stakeholder becoming
    # a proxy is asked for one here.
    needs_group = not stakeholder.representations.current().exists()
    form = StakeholderForm(request.POST or None, initial=initial, organisation=request.viewer.organisation,
                           needs_group=needs_group)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_stakeholder(stakeholder=stakeholder, profile=form.profile(), by=request.viewer,
                                       speaks_for=form.speaks_for())
        except ValidationError as error:
            copy_errors(form, error)
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


# What stops when a consent is withdrawn, by its scope.
CONSENT_LOSSES = {
    "contact": _("We may no longer contact this person: invitations and feedback reach them only through a proxy "
                 "or not at all."),
    "store_identity": _("We may no longer keep their name and contact details: erase or anonymise their record."),
    "attribute_inputs": _("What they say from now on is recorded anonymised; inputs already attributed stay as "
                          "they are unless corrected."),
    "quote_publicly": _("Their words may no longer be quoted in public reports."),
}


def _withdrawing_consent(request, pk: int, consent_pk: int) -> Confirmation:
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    consent = queries.access_consent(request.viewer, stakeholder, consent_pk)
    return Confirmation(
        title=_("Mark this consent withdrawn: “%(scope)s”?") % {"scope": consent.get_scope_display()},
        losses=[CONSENT_LOSSES.get(consent.scope, _("What this consent allowed stops from today.")),
                _("A withdrawal cannot be undone here: record a new consent if the person gives it again.")],
        kept=[_("The consent as given, and its withdrawal, stay on the record and in the audit log.")],
        refusal=_("This consent was already withdrawn.") if consent.withdrawn_at else "",
        confirm_label=_("Mark withdrawn"), back_url=reverse("stakeholders:detail", args=[stakeholder.pk]))


@requires(Capability.STAKEHOLDERS_EDIT)
@asks_first(_withdrawing_consent)
@require_POST
def consent_withdraw(request, pk: int, consent_pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    consent = queries.access_consent(request.viewer, stakeholder, consent_pk)
    actions.withdraw_consent(consent=consent, by=request.viewer)
    messages.success(request, _("Consent marked as withdrawn."))
    return redirect("stakeholders:detail", pk=stakeholder.pk)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def duplicate_dismiss(request, pk: int, flag_pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    flag = queries.access_duplicate_flag(request.viewer, stakeholder, flag_pk)
    actions.dismiss_duplicate_flag(flag=flag, by=request.viewer)
    messages.success(request, _("Marked as a different stakeholder."))
    return redirect("stakeholders:detail", pk=stakeholder.pk)


@requires(Capability.STAKEHOLDERS_EDIT)
def stakeholder_export(request, pk: int):
    """A subject access export: everything held about this person, as a JSON download."""
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    if reveals.is_protected(stakeholder) and not _revealed(request, stakeholder):
        messages.warning(request, _("Reveal this identity, with a reason, before exporting their data."))
        return redirect("stakeholders:detail", pk=stakeholder.pk)
    document = actions.export_subject(stakeholder=stakeholder, by=request.viewer)
    response = JsonResponse(document, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = f'attachment; filename="stakeholder-{stakeholder.uid}.json"'
    return response


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def stakeholder_erase(request, pk: int):
    stakeholder = queries.access_stakeholder(request.viewer, pk)
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return render(request, "stakeholders/detail.html",
                      {**_detail_context(request, stakeholder), "erasure_form": form}, status=400)
    actions.erase_stakeholder(stakeholder=stakeholder, reason=form.cleaned_data["reason"], by=request.viewer)
    messages.success(request, _(
        "The stakeholder was erased. Their inputs, the decisions on them and the counts remain, anonymous."
    ))
    return redirect("stakeholders:detail", pk=stakeholder.pk)
