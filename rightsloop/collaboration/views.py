"""Pages of shared assessments: parse, call an action or a query, render."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors
from rightsloop.core.pagination import paginate
from rightsloop.stakeholders.queries import shown_name

from . import actions, load, queries
from .forms import EngagementForm, InviteForm, PartnerForm, RequestForm, ShareForm


def _errors_of(error: ValidationError) -> list[str]:
    return [message for messages_ in error.message_dict.values() for message in messages_] if hasattr(
        error, "error_dict") else list(error.messages)


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def index(request):
    viewer = request.viewer
    return render(request, "collaboration/index.html", {
        "shared_list": queries.shared_assessments(viewer),
        "invitations": queries.open_invitations_for(viewer),
        "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT),
        "can_answer": viewer.role == "hr_lead",
    })


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def share(request):
    viewer = request.viewer
    form = ShareForm(request.POST or None, assessments=queries.assessments_to_share(viewer))
    if request.method == "POST" and form.is_valid():
        try:
            shared = actions.share_assessment(assessment=form.cleaned_data["assessment"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The assessment is shared: invite the organisations that run it with you."))
            return redirect("collaboration:detail", pk=shared.pk)
    return render(request, "collaboration/form.html", {
        "form": form, "title": _("Share an assessment with other organisations"),
        "intro": _("Your organisation becomes the lead. Other organisations join only when their human rights "
                   "lead accepts your invitation; they see the assessment, its engagements, their inputs and "
                   "its findings, never your registers."),
        "submit": _("Share"), "back_url": reverse("collaboration:index")}, status=400 if form.errors else 200)


# How many engagements and partners the assessment's page shows; the rest are a click away, on pages of their own.
FIRST_SHOWN = 25


def _with_input_counts(engagements: list) -> list:
    counts = queries.input_counts(engagements)
    for engagement in engagements:
        engagement.standing_inputs = counts.get(engagement.pk, 0)
    return engagements


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def detail(request, pk: int):
    viewer = request.viewer
    shared = queries.access_shared(viewer, pk)
    engagements = queries.shared_engagements(shared)
    partners = queries.pool(shared)
    return render(request, "collaboration/detail.html", {
        "shared": shared,
        "assessment": shared.assessment,
        "phases": queries.phases(shared),
        "findings": queries.findings(shared),
        "members": queries.current_members(shared),
        "invitations": queries.invitations_sent(shared),
        "engagements": _with_input_counts(list(engagements[:FIRST_SHOWN])),
        "engagement_count": engagements.count(),
        "partners": queries.partner_cards(viewer, shared, partners[:FIRST_SHOWN]),
        "partner_count": partners.count(),
        "is_lead": shared.lead_id == viewer.organisation.pk,
        "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT),
        "can_contribute": viewer.can(Capability.STAKEHOLDERS_EDIT),
    })


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def heard(request, pk: int):
    shared = queries.access_shared(request.viewer, pk)
    found = queries.heard_across(shared)
    return render(request, "collaboration/heard.html", {
        "shared": shared, "heard": found,
        "heard_tables": [(_("Kinds of stakeholder"), found.by_kind), (_("Regions"), found.by_region),
                         (_("Languages"), found.by_language), (_("At-risk groups"), found.by_at_risk)]})


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def engagements(request, pk: int):
    shared = queries.access_shared(request.viewer, pk)
    page = paginate(request, queries.shared_engagements(shared), per_page=100)
    return render(request, "collaboration/engagements.html", {
        "shared": shared, "page": page, "engagements": _with_input_counts(list(page.object_list)),
        "can_edit": request.viewer.can(Capability.ENGAGEMENTS_EDIT)})


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def partners(request, pk: int):
    viewer = request.viewer
    shared = queries.access_shared(viewer, pk)
    page = paginate(request, queries.pool(shared), per_page=100)
    return render(request, "collaboration/partners.html", {
        "shared": shared, "page": page, "partners": queries.partner_cards(viewer, shared, page.object_list),
        "can_contribute": viewer.can(Capability.STAKEHOLDERS_EDIT)})


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def invite(request, pk: int):
    viewer = request.viewer
    shared = queries.access_shared(viewer, pk)
    posted = request.method == "POST"
    form = InviteForm(request.POST if posted else None, organisations=queries.invitable_organisations(shared))
    if posted:
        # The organisation is checked by the action, not the choice list: a removed one gets its own message.
        organisation_id = request.POST.get("organisation", "")
        form.is_valid()
        try:
            actions.invite_organisation(shared=shared, organisation_id=int(organisation_id)
                                        if organisation_id.isdigit() and len(organisation_id) < 19 else 0,
                                        by=viewer)
        except ValidationError as error:
            form.errors.clear()
            copy_errors(form, error)
        else:
            messages.success(request, _("Invitation sent. The organisation takes part once its human rights lead "
                                        "accepts."))
            return redirect("collaboration:detail", pk=shared.pk)
    return render(request, "collaboration/form.html", {
        "form": form, "title": _("Invite an organisation"), "shared": shared,
        "intro": _("Its human rights lead accepts or declines. Until then it sees nothing of the assessment."),
        "submit": _("Invite"), "back_url": reverse("collaboration:detail", args=[shared.pk])},
        status=400 if form.errors else 200)


def _describe_answer(request, invitation_pk: int, *, accept: bool) -> Confirmation:
    invitation = queries.access_invitation_to_me(request.viewer, invitation_pk)
    title = invitation.shared.assessment.title
    if accept:
        return Confirmation(
            title=_("Join “%(title)s”") % {"title": title},
            intro=_("%(organisation)s invites your organisation to run this assessment together.") % {
                "organisation": invitation.invited_by_organisation.name},
            losses=[_("The members will see the assessment, the engagements held in it, their inputs (speakers "
                      "named only when attributed and safe), its findings and its pool of partners."),
                    _("Engagements and partners you add are shared with them; partners only with their consent.")],
            kept=[_("Your registers, risks, decisions and stakeholders stay your own: no member sees them.")],
            confirm_label=_("Accept and join"), back_url=reverse("collaboration:index"))
    return Confirmation(
        title=_("Decline the invitation to “%(title)s”") % {"title": title},
        losses=[_("Your organisation will not take part; a member can invite it again later.")],
        confirm_label=_("Decline"), back_url=reverse("collaboration:index"))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
@asks_first(lambda request, invitation_pk: _describe_answer(request, invitation_pk, accept=True))
def invitation_accept(request, invitation_pk: int):
    invitation = queries.access_invitation_to_me(request.viewer, invitation_pk)
    try:
        member = actions.accept_invitation(invitation=invitation, by=request.viewer)
    except ValidationError as error:
        for message in _errors_of(error):
            messages.error(request, message)
        return render(request, "core/confirm.html", {
            "title": _("The invitation cannot be accepted"), "refusal": " ".join(_errors_of(error)),
            "back_url": reverse("collaboration:index")}, status=400)
    messages.success(request, _("Your organisation takes part now."))
    return redirect("collaboration:detail", pk=member.shared_id)


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
@asks_first(lambda request, invitation_pk: _describe_answer(request, invitation_pk, accept=False))
def invitation_decline(request, invitation_pk: int):
    invitation = queries.access_invitation_to_me(request.viewer, invitation_pk)
    try:
        actions.decline_invitation(invitation=invitation, by=request.viewer)
    except ValidationError as error:
        return render(request, "core/confirm.html", {
            "title": _("The invitation cannot be declined"), "refusal": " ".join(_errors_of(error)),
            "back_url": reverse("collaboration:index")}, status=400)
    messages.success(request, _("Invitation declined."))
    return redirect("collaboration:index")


def _describe_leave(request, pk: int) -> Confirmation:
    shared = queries.access_shared(request.viewer, pk)
    refusal = ""
    if shared.lead_id == request.viewer.organisation.pk:
        refusal = _("The lead organisation cannot leave the assessment it shared: it holds the assessment itself.")
    return Confirmation(
        title=_("Leave “%(title)s”") % {"title": shared.assessment.title}, refusal=refusal,
        losses=[_("Your organisation will no longer see the shared assessment, its engagements, inputs, findings "
                  "or pool."), _("Invitations your organisation sent that nobody answered are withdrawn.")],
        kept=[_("What your organisation contributed stays with the shared assessment: engagements held in it, "
                "their inputs, partners in the pool (on their consent) and requests made to them."),
              _("Your own records stay your own; you can still record a partner's withdrawal from the pool.")],
        confirm_label=_("Leave the assessment"), back_url=reverse("collaboration:detail", args=[shared.pk]))


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
@asks_first(_describe_leave)
def leave(request, pk: int):
    shared = queries.access_shared(request.viewer, pk)
    try:
        actions.leave(shared=shared, by=request.viewer)
    except ValidationError as error:
        return render(request, "core/confirm.html", {
            "title": _("You cannot leave"), "refusal": " ".join(_errors_of(error)),
            "back_url": reverse("collaboration:detail", args=[shared.pk])}, status=400)
    messages.success(request, _("Your organisation left the shared assessment."))
    return redirect("collaboration:index")


@requires(Capability.ENGAGEMENTS_EDIT)
@require_http_methods(["GET", "POST"])
def engagement_add(request, pk: int):
    viewer = request.viewer
    shared = queries.access_shared(viewer, pk)
    form = EngagementForm(request.POST or None, engagements=queries.engagements_to_share(viewer, shared))
    if request.method == "POST" and form.is_valid():
        try:
            actions.share_engagement(shared=shared, engagement=form.cleaned_data["engagement"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The engagement is held inside the shared assessment."))
            return redirect("collaboration:detail", pk=shared.pk)
    return render(request, "collaboration/form.html", {
        "form": form, "title": _("Hold an engagement inside the shared assessment"), "shared": shared,
        "intro": _("Every member will read the engagement and its standing inputs. Speakers are named only when "
                   "the input is attributed and they are at normal safety level."),
        "submit": _("Share the engagement"), "back_url": reverse("collaboration:detail", args=[shared.pk])},
        status=400 if form.errors else 200)


@requires(Capability.ENGAGEMENTS_VIEW)
@require_GET
def engagement(request, pk: int, engagement_pk: int):
    shared = queries.access_shared(request.viewer, pk)
    found = queries.access_shared_engagement(shared, engagement_pk)
    inputs, total = queries.shared_inputs(found)
    return render(request, "collaboration/engagement.html", {
        "shared": shared, "engagement": found, "inputs": inputs, "total": total,
        "own": found.organisation_id == request.viewer.organisation.pk})


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
def partner_add(request, pk: int):
    viewer = request.viewer
    shared = queries.access_shared(viewer, pk)
    form = PartnerForm(request.POST or None, stakeholders=queries.contributable_stakeholders(viewer, shared),
                       label_of=lambda stakeholder: shown_name(stakeholder, viewer))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.contribute_partner(shared=shared, stakeholder=data["stakeholder"], role=data["role"],
                                       languages=data["languages"], consent_method=data["consent_method"],
                                       consent_given_on=data["consent_given_on"], by=viewer)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The partner is in the shared pool."))
            return redirect("collaboration:detail", pk=shared.pk)
    return render(request, "collaboration/form.html", {
        "form": form, "title": _("Put a partner in the shared pool"), "shared": shared,
        "intro": _("Only with the partner's consent to being in the pool. The other members see their name (a code "
                   "name above normal safety level), organisation, country, languages and role; nothing else of "
                   "your register."),
        "submit": _("Put in the pool"), "back_url": reverse("collaboration:detail", args=[shared.pk])},
        status=400 if form.errors else 200)


@requires(Capability.ENGAGEMENTS_VIEW)
@require_http_methods(["GET", "POST"])
def partner(request, pk: int, partner_pk: int):
    viewer = request.viewer
    shared = queries.access_shared(viewer, pk)
    found = queries.access_pool_partner(shared, partner_pk)
    engagements = list(queries.shared_engagements(shared))
    form = RequestForm(request.POST or None, engagements=engagements)
    status = 200
    if request.method == "POST":
        if not viewer.can(Capability.ENGAGEMENTS_EDIT):
            raise PermissionDenied(_("Your role does not give access to this page."))
        if form.is_valid():
            chosen = next((e for e in engagements if e.pk == form.cleaned_data["shared_engagement"]), None)
            try:
                if chosen is None:
                    raise ValidationError({"shared_engagement": [
                        _("Choose an engagement of this shared assessment.")]})
                actions.request_partner(shared=shared, partner=found, engagement=chosen, by=viewer,
                                        confirm_load=form.cleaned_data["confirm_load"])
            except ValidationError as error:
                copy_errors(form, error)
            else:
                messages.success(request, _("The partner is asked. No other member will ask them again for this "
                                            "engagement."))
                return redirect("collaboration:partner", pk=shared.pk, partner_pk=found.pk)
        status = 400
    card = queries.card_of(viewer, found) if found.in_pool else None
    return render(request, "collaboration/partner.html", {
        "shared": shared, "partner": found, "card": card, "form": form,
        "load": load.pool_load(found, seen_by=viewer.organisation) if found.in_pool else None,
        "withdrawn": not found.in_pool,
        # Once out of the pool, a partner is nobody's to know of but their own organisation's.
        "shown_name": queries.shown_partner_name(found.stakeholder) if found.in_pool else _(
            "A partner who withdrew from the pool"),
        "can_edit": viewer.can(Capability.ENGAGEMENTS_EDIT)}, status=status)


def _describe_withdraw(request, partner_pk: int) -> Confirmation:
    found = queries.access_own_contribution(request.viewer, partner_pk)
    return Confirmation(
        title=_("%(name)s withdraws from the shared pool") % {"name": queries.shown_partner_name(found.stakeholder)},
        losses=[_("They leave the pool at once: no member sees them in it or can ask them through it.")],
        kept=[_("Requests already made stay in the record, and keep counting in their load."),
              _("They stay in your own register.")],
        refusal=_("Their withdrawal is recorded already.") if not found.in_pool else "",
        confirm_label=_("Record the withdrawal"), back_url=reverse("collaboration:index"))


@requires(Capability.STAKEHOLDERS_EDIT)
@require_http_methods(["GET", "POST"])
@asks_first(_describe_withdraw)
def partner_withdraw(request, partner_pk: int):
    found = queries.access_own_contribution(request.viewer, partner_pk)
    try:
        actions.withdraw_pool_consent(partner=found, by=request.viewer)
    except ValidationError as error:
        return render(request, "core/confirm.html", {
            "title": _("The withdrawal cannot be recorded"), "refusal": " ".join(_errors_of(error)),
            "back_url": reverse("collaboration:index")}, status=400)
    messages.success(request, _("Recorded: they are out of the shared pool."))
    return redirect("collaboration:index")

