"""Pages of affected groups, and the group forms on a stakeholder's page (a person's groups, a proxy's mandates)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors

from . import groups, queries
from .forms import GroupChoiceForm, GroupForm, MandateForm, RepresentationForm
from .vocabulary import Kind


@requires(Capability.STAKEHOLDERS_VIEW)
@require_GET
def group_list(request):
    viewer = request.viewer
    return render(request, "stakeholders/groups/list.html", {
        "groups": queries.group_list(viewer),
        "can_edit": viewer.can(Capability.STAKEHOLDERS_EDIT),
    })


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def group_create(request):
    form = GroupForm(request.POST or None, organisation=request.viewer.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            group = groups.create_group(plan=form.plan(), by=request.viewer)
            groups.link_risks(group=group, risks=list(form.cleaned_data["risks"]), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Group recorded."))
            return redirect("stakeholders:group-detail", pk=group.pk)
    return render(request, "stakeholders/groups/form.html", {"form": form, "creating": True},
                  status=400 if form.errors else 200)


def _detail_context(request, group) -> dict:
    viewer = request.viewer
    today = timezone.localdate()
    representations = list(queries.group_representations(viewer, group))
    for representation in representations:
        representation.overdue = representation.review_overdue(today)
        representation.shown_proxy = queries.shown_name(representation.proxy, viewer)
    members = [(member, queries.shown_name(member, viewer)) for member in queries.group_members(viewer, group)]
    return {
        "group": group,
        "members": members,
        "representations": representations,
        "risks": group.risks.order_by("-priority", "id") if viewer.can(Capability.RISKS_VIEW) else None,
        "can_edit": viewer.can(Capability.STAKEHOLDERS_EDIT),
    }


@requires(Capability.STAKEHOLDERS_VIEW)
@require_GET
def group_detail(request, pk: int):
    group = queries.access_group(request.viewer, pk)
    return render(request, "stakeholders/groups/detail.html", _detail_context(request, group))


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def group_edit(request, pk: int):
    group = queries.access_group(request.viewer, pk, for_update=True)
    form = GroupForm(request.POST or None, initial=GroupForm.initial_from(group),
                     organisation=request.viewer.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            groups.update_group(group=group, plan=form.plan(), by=request.viewer)
            wanted = set(form.cleaned_data["risks"])
            linked = set(group.risks.all())
            groups.link_risks(group=group, risks=sorted(wanted - linked, key=lambda r: r.pk), by=request.viewer)
            groups.unlink_risks(group=group, risks=sorted(linked - wanted, key=lambda r: r.pk), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("stakeholders:group-detail", pk=group.pk)
    return render(request, "stakeholders/groups/form.html", {"form": form, "group": group},
                  status=400 if form.errors else 200)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def group_delete(request, pk: int):
    group = queries.access_group(request.viewer, pk, for_update=True)
    try:
        groups.delete_group(group=group, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("stakeholders:group-detail", pk=group.pk)
    messages.success(request, _("Group deleted."))
    return redirect("stakeholders:group-list")


def _removing_member(request, pk: int, stakeholder_pk: int) -> Confirmation:
    group = queries.access_group(request.viewer, pk)
    stakeholder = queries.access_group_member(request.viewer, group, stakeholder_pk)
    return Confirmation(
        title=_("Remove %(name)s from %(group)s?") % {"name": queries.shown_name(stakeholder, request.viewer),
                                                     "group": group.name},
        losses=[_("They are no longer counted as a member of the group: what a proxy relays for the group no "
                  "longer speaks for them, and the group's figures leave them out.")],
        kept=[_("The removal is audited; they can be added to the group again.")],
        confirm_label=_("Remove from the group"), back_url=reverse("stakeholders:group-detail", args=[group.pk]))


@requires(Capability.STAKEHOLDERS_EDIT)
@asks_first(_removing_member)
@require_POST
def group_member_remove(request, pk: int, stakeholder_pk: int):
    group = queries.access_group(request.viewer, pk, for_update=True)
    stakeholder = queries.access_group_member(request.viewer, group, stakeholder_pk)
    groups.remove_member(group=group, stakeholder=stakeholder, by=request.viewer)
    messages.success(request, _("Removed from the group."))
    return redirect("stakeholders:group-detail", pk=group.pk)


def stakeholder_groups_context(request, stakeholder) -> dict:
    """What a stakeholder's page shows of groups: a person's memberships, a proxy's mandates, and their forms."""
    viewer = request.viewer
    can_edit = viewer.can(Capability.STAKEHOLDERS_EDIT) and not stakeholder.is_erased
    choices = list(queries.groups_for_choice(viewer)) if can_edit else []
    member_of = list(queries.groups_of(viewer, stakeholder))
    is_proxy = stakeholder.kind == Kind.PROXY
    mandates = list(queries.mandates_of(viewer, stakeholder)) if is_proxy else []
    today = timezone.localdate()
    for mandate in mandates:
        mandate.overdue = mandate.review_overdue(today)
    joined = {g.pk for g in member_of}
    spoken = {m.group_id for m in mandates}
    return {
        "member_of": member_of,
        "mandates": mandates,
        "membership_form": GroupChoiceForm(groups=[g for g in choices if g.pk not in joined])
        if can_edit and len(joined) < len(choices) else None,
        "representation_form": RepresentationForm(groups=[g for g in choices if g.pk not in spoken])
        if can_edit and is_proxy else None,
    }


def _stakeholder_page(request, stakeholder, **forms):
    from .views import _detail_context

    context = _detail_context(request, stakeholder)
    context.update(forms)
    return render(request, "stakeholders/detail.html", context, status=400)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def membership_add(request, pk: int):
    """Add the stakeholder whose page this is to a group."""
    stakeholder = queries.access_stakeholder(request.viewer, pk, for_update=True)
    form = GroupChoiceForm(request.POST, groups=queries.groups_for_choice(request.viewer))
    if form.is_valid():
        try:
            groups.add_member(group=form.chosen(), stakeholder=stakeholder, by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Added to the group."))
            return redirect("stakeholders:detail", pk=stakeholder.pk)
    return _stakeholder_page(request, stakeholder, membership_form=form)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def representation_add(request, pk: int):
    """Record one more group the proxy whose page this is speaks for."""
    proxy = queries.access_stakeholder(request.viewer, pk, for_update=True)
    form = RepresentationForm(request.POST, groups=queries.groups_for_choice(request.viewer))
    if form.is_valid():
        try:
            groups.represent(proxy=proxy, group=form.chosen(), mandate=form.mandate(), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Representation recorded."))
            return redirect("stakeholders:detail", pk=proxy.pk)
    return _stakeholder_page(request, proxy, representation_form=form)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def representation_edit(request, pk: int):
    representation = queries.access_representation(request.viewer, pk, for_update=True)
    initial = {"legitimacy_basis": representation.legitimacy_basis, "evidence": representation.evidence,
               "reviewed_on": representation.reviewed_on}
    form = MandateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            groups.update_representation(representation=representation, mandate=form.mandate(), by=request.viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("stakeholders:group-detail", pk=representation.group_id)
    return render(request, "stakeholders/groups/representation_form.html", {
        "form": form, "representation": representation,
        "shown_proxy": queries.shown_name(representation.proxy, request.viewer),
    }, status=400 if form.errors else 200)


def _ending_representation(request, pk: int) -> Confirmation:
    representation = queries.access_representation(request.viewer, pk)
    return Confirmation(
        title=_("%(proxy)s no longer represents %(group)s?") % {
            "proxy": queries.shown_name(representation.proxy, request.viewer), "group": representation.group.name},
        losses=[_("The proxy can no longer relay this group's words in new engagements, nor be invited to speak "
                  "for it; the group may be left with no proxy.")],
        kept=[_("What the proxy already relayed stays the group's, and the representation stays on record, "
                "ended today.")],
        refusal="" if representation.is_current else _("This representation has already ended."),
        confirm_label=_("End the representation"),
        back_url=reverse("stakeholders:group-detail", args=[representation.group_id]))


@requires(Capability.STAKEHOLDERS_EDIT)
@asks_first(_ending_representation)
@require_POST
def representation_end(request, pk: int):
    representation = queries.access_representation(request.viewer, pk, for_update=True)
    try:
        groups.end_representation(representation=representation, by=request.viewer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The proxy no longer represents this group."))
    return redirect("stakeholders:group-detail", pk=representation.group_id)
