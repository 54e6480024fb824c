"""Staff pages about the portal: a stakeholder's links (issue, show once, revoke) and erasure requests.

Signed-in members only (the usual staff sign-in, not a portal session), under /portal/staff/.
"""

from __future__ import annotations

import segno
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.core.confirmation import Confirmation, asks_first
from rightsloop.core.forms import copy_errors
from rightsloop.stakeholders.queries import access_stakeholder, shown_name, visible_stakeholders

from . import queries
from .actions import details as detail_actions
from .actions import links as link_actions
from .forms import DeclineErasureForm, IssueLinkForm


def _links_page(request, stakeholder, form, *, issued=None, status=200):
    viewer = request.viewer
    context = {
        "stakeholder": stakeholder,
        "shown_name": shown_name(stakeholder, viewer),
        "links": list(queries.links_of(stakeholder)),
        "form": form,
        "can_issue": viewer.can(Capability.PORTAL_LINKS) and not stakeholder.is_erased,
        "email_allowed": link_actions.email_permitted(stakeholder) if not stakeholder.is_erased else False,
        "issued": issued,
    }
    if issued is not None and issued.url:
        # Drawn on the server as inline SVG (no script, nothing from another origin); black modules on white.
        # Safe to mark: segno writes only path data for the link (never its text) and escapes the title.
        context["qr_svg"] = mark_safe(segno.make(issued.url, error="m").svg_inline(
            scale=4, dark="#000", light="#fff", title=_("QR code of the portal link")))
    return render(request, "portal/staff/links.html", context, status=status)


@requires(Capability.STAKEHOLDERS_VIEW)
@require_http_methods(["GET", "POST"])
def links(request, stakeholder_pk: int):
    """A stakeholder's portal links; POST issues one, and the page answering it shows the link once."""
    stakeholder = access_stakeholder(request.viewer, stakeholder_pk)
    email_allowed = not stakeholder.is_erased and link_actions.email_permitted(stakeholder)
    if request.method == "GET":
        return _links_page(request, stakeholder, IssueLinkForm(email_allowed=email_allowed))
    if not request.viewer.can(Capability.PORTAL_LINKS):
        raise PermissionDenied(_("Your role does not let you issue portal links."))
    form = IssueLinkForm(request.POST, email_allowed=email_allowed)
    if form.is_valid():
        try:
            issued = link_actions.issue_portal_link(viewer=request.viewer, stakeholder=stakeholder,
                                                    channel=form.cleaned_data["channel"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            if issued.url is None:
                messages.success(request, _("The link is on its way by email."))
                return redirect("portal:staff:links", stakeholder_pk=stakeholder.pk)
            # Rendered, not redirected: the token exists only in this response, never in a URL or the session.
            return _links_page(request, stakeholder, IssueLinkForm(email_allowed=email_allowed), issued=issued)
    return _links_page(request, stakeholder, form, status=400)


def _revoking_link(request, link_pk: int) -> Confirmation:
    link = queries.access_link(request.viewer, link_pk, visible=visible_stakeholders(request.viewer))
    return Confirmation(
        title=_("Revoke this portal link?"),
        losses=[_("The link no longer opens the portal, and a portal session it opened ends now: the stakeholder "
                  "needs a new link to see their inputs, agreement and payments.")],
        kept=[_("The revocation is audited; you can send a new link.")],
        confirm_label=_("Revoke the link"),
        back_url=reverse("portal:staff:links", kwargs={"stakeholder_pk": link.stakeholder_id}))


@requires(Capability.PORTAL_LINKS)
@asks_first(_revoking_link)
@require_POST
def link_revoke(request, link_pk: int):
    link = queries.access_link(request.viewer, link_pk, visible=visible_stakeholders(request.viewer))
    link_actions.revoke_portal_link(viewer=request.viewer, link=link)
    messages.success(request, _("The link was revoked; a portal session it opened ends now."))
    return redirect("portal:staff:links", stakeholder_pk=link.stakeholder_id)


@requires(Capability.STAKEHOLDERS_EDIT)
@require_GET
def erasure_requests(request):
    viewer = request.viewer
    pending = list(queries.pending_erasure_requests(viewer, visible=visible_stakeholders(viewer)))
    return render(request, "portal/staff/erasure_requests.html", {
        "rows": [(item, shown_name(item.stakeholder, viewer)) for item in pending],
        "decline_form": DeclineErasureForm(), "blank_form": DeclineErasureForm(),
    })


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def erasure_confirm(request, request_pk: int):
    viewer = request.viewer
    found = queries.access_erasure_request(viewer, request_pk, visible=visible_stakeholders(viewer))
    try:
        detail_actions.confirm_erasure_request(viewer=viewer, request=found)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The person was erased, as they asked."))
    return redirect("portal:staff:erasure-requests")


@requires(Capability.STAKEHOLDERS_EDIT)
@require_POST
def erasure_decline(request, request_pk: int):
    viewer = request.viewer
    found = queries.access_erasure_request(viewer, request_pk, visible=visible_stakeholders(viewer))
    form = DeclineErasureForm(request.POST)
    if form.is_valid():
        try:
            detail_actions.decline_erasure_request(viewer=viewer, request=found, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("The request was declined; the person sees your reason in their portal."))
            return redirect("portal:staff:erasure-requests")
    pending = list(queries.pending_erasure_requests(viewer, visible=visible_stakeholders(viewer)))
    return render(request, "portal/staff/erasure_requests.html", {
        "rows": [(item, shown_name(item.stakeholder, viewer)) for item in pending],
        "decline_form": form, "blank_form": DeclineErasureForm(), "failed_pk": found.pk,
    }, status=400)


urlpatterns = [
    path("stakeholders/<int:stakeholder_pk>/links/", links, name="links"),
    path("links/<int:link_pk>/revoke/", link_revoke, name="link-revoke"),
    path("erasure-requests/", erasure_requests, name="erasure-requests"),
    path("erasure-requests/<int:request_pk>/confirm/", erasure_confirm, name="erasure-confirm"),
    path("erasure-requests/<int:request_pk>/decline/", erasure_decline, name="erasure-decline"),
]
