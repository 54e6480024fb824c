from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from . import actions
from .forms import ApiTokenForm, MemberForm, MembershipForm
from .middleware import SESSION_ORGANISATION_KEY
from .models import ApiToken, Membership
from .permissions import requires
from .roles import Capability


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


@require_POST
def switch_organisation(request):
    chosen = request.POST.get("organisation")
    membership = next((m for m in request.memberships if str(m.organisation_id) == chosen), None)
    if membership is not None:
        request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
    return redirect("core:home")


@requires(Capability.MEMBERS_MANAGE)
def members(request):
    memberships = (
        Membership.objects.filter(organisation=request.viewer.organisation)
        .select_related("user").order_by("-is_active", "user__username")
    )
    return render(request, "accounts/members.html", {"memberships": memberships})


@requires(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_add(request):
    form = MemberForm(request.POST or None, organisation=request.viewer.organisation)
    if request.method == "POST" and form.is_valid():
        actions.add_member(organisation=request.viewer.organisation, by=request.viewer, **form.cleaned_data)
        messages.success(request, _("Member added."))
        return redirect("accounts:members")
    return render(request, "accounts/member_form.html", {"form": form})


@requires(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk,
                                   organisation=request.viewer.organisation)
    form = MembershipForm(request.POST or None, initial={
        "role": membership.role, "function": membership.function, "is_active": membership.is_active})
    if request.method == "POST" and form.is_valid():
        if membership.user_id == request.viewer.user.pk and not form.cleaned_data["is_active"]:
            form.add_error("is_active", _("You cannot remove your own access."))
        else:
            actions.change_member(membership=membership, by=request.viewer, **form.cleaned_data)
            messages.success(request, _("Changes saved."))
            return redirect("accounts:members")
    return render(request, "accounts/member_form.html", {"form": form, "membership": membership})


@require_http_methods(["GET", "POST"])
def api_tokens(request):
    viewer = request.viewer
    if viewer is None:
        return redirect("core:home")
    membership = get_object_or_404(Membership, user=viewer.user, organisation=viewer.organisation)
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        _token, raw = actions.issue_api_token(membership=membership, name=form.cleaned_data["name"], by=viewer)
        form = ApiTokenForm()
    tokens = membership.api_tokens.order_by("-created_at")
    return render(request, "accounts/api_tokens.html", {"form": form, "tokens": tokens, "raw": raw})


@require_POST
def api_token_revoke(request, pk: int):
    viewer = request.viewer
    token = get_object_or_404(ApiToken, pk=pk, membership__user=viewer.user,
                              membership__organisation=viewer.organisation)
    actions.revoke_api_token(token=token, by=viewer)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:api-tokens")
