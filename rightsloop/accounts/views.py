import time
from urllib.parse import urlencode

from axes.handlers.proxy import AxesProxyHandler
from axes.utils import reset as reset_failed_sign_ins
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.signals import user_login_failed
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from rightsloop.core.confirmation import Confirmation, asks_first

from . import actions, mfa, queries
from .devices import Authenticator, RecoveryCodes
from .forms import ApiTokenForm, CodeForm, InvitationForm, MembershipForm, NewAccountForm, NewAuthenticatorCodeForm
from .middleware import SESSION_ORGANISATION_KEY, mfa_not_required, start_session_clock
from .models import Membership
from .permissions import requires
from .roles import Capability
from .viewer import viewer_for

SESSION_PENDING_AUTHENTICATOR_KEY = "rightsloop.pending_authenticator"
SESSION_REAUTHENTICATED_AT_KEY = "rightsloop.reauthenticated_at"
# How long a code typed to confirm "it is really me" unlocks the authenticator replacement.
REAUTHENTICATION_SECONDS = 5 * 60


# --- Sign-in: password, then a code (or enrolment of a first authenticator) --------------------------------------


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _acting_viewer(request):
    return request.viewer or viewer_for(request.user, request.session.get(SESSION_ORGANISATION_KEY))


@never_cache
def throttled(request, response=None, credentials=None):
    """Answer a sign-in refused while its username or address cools off (django-axes' AXES_LOCKOUT_CALLABLE)."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Too many failed sign-ins for this account or from this network. Wait %(minutes)d minute, then try again.",
        "Too many failed sign-ins for this account or from this network. Wait %(minutes)d minutes, then try again.",
        minutes,
    ) % {"minutes": minutes}
    return render(request, "accounts/sign_in.html", {
        "form": AuthenticationForm(request), "throttled": message, "next": "",
    }, status=429)


def _sign_out_throttled(request):
    logout(request)
    request.viewer, request.memberships = None, []
    return throttled(request)


def _cooling_off(request):
    """Refuse a code while the user's name or address cools off; the password must be given again after it."""
    if AxesProxyHandler.is_locked(request, {"username": request.user.get_username()}):
        return _sign_out_throttled(request)
    return None


def _count_failure(request):
    """Count a wrong code or password like a failed sign-in; sign out once the name or address must cool off."""
    user_login_failed.send(
        sender=__name__, credentials={"username": request.user.get_username()}, request=request,
    )
    if getattr(request, "axes_locked_out", False):
        return _sign_out_throttled(request)
    return None


def _code_error(check: mfa.CodeCheck) -> str:
    if check.wait_until is not None:
        seconds = check.wait_seconds()
        return ngettext(
            "Too many wrong codes. Wait %(seconds)d second, then try again.",
            "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
            seconds,
        ) % {"seconds": seconds}
    return _("That code is wrong or has already been used. Enter the code your app shows now.")


def _refuse_code(request, form, check: mfa.CodeCheck, *, during_sign_in: bool):
    actions.record_code_refused(
        user=request.user, throttled=check.wait_until is not None, during_sign_in=during_sign_in,
        by=None if during_sign_in else request.viewer,
    )
    signed_out = _count_failure(request)
    if signed_out is None:
        form.add_error("code", _code_error(check))
    return signed_out


def _finish_sign_in(request, device) -> None:
    """The second factor is checked: mark the session verified under a new key, and clear the failure counts."""
    user = request.user
    otp_login(request, device)
    request.session.cycle_key()
    reset_failed_sign_ins(ip=getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR"),
                          username=user.get_username(), ip_or_username=True)
    by = _acting_viewer(request)
    if isinstance(device, RecoveryCodes):
        actions.record_recovery_code_used(user=user, by=by, purpose="to sign in")
    actions.record_sign_in(user=user, device=device, by=by)


def _after_sign_in(request, next_url: str) -> str:
    """Where a completed sign-in goes: past the invitations page first when any wait for this account."""
    if queries.open_invitations_for(request.user).exists():
        return _with_next("accounts:invitations", next_url)
    return next_url


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    """The password step; LoginView already refuses caching, hides the password from error reports and checks CSRF."""

    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        auth_login(self.request, user)  # a new session key and a new CSRF secret
        start_session_clock(self.request)
        step = "accounts:verify" if mfa.authenticator_for(user) else "accounts:enrol"
        return redirect(_with_next(step, self.get_success_url()))

    def form_invalid(self, form):
        username = self.request.POST.get("username", "")[:150]
        if username and self.request.POST.get("password"):
            actions.record_sign_in_refused(
                username=username, throttled=bool(getattr(self.request, "axes_locked_out", False)),
            )
        return super().form_invalid(form)


@method_decorator(mfa_not_required, name="dispatch")
class SignOutView(auth_views.LogoutView):
    pass


@mfa_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """The second step of sign-in: a code from the authenticator app, or a recovery code."""
    next_url = _next_url(request)
    if request.user.is_verified():
        return redirect(next_url)
    if mfa.authenticator_for(request.user) is None:
        return redirect(_with_next("accounts:enrol", next_url))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _cooling_off(request)
        if refused is not None:
            return refused
        check = mfa.check_code(user=request.user, code=form.cleaned_data["code"])
        if check.accepted:
            _finish_sign_in(request, check.device)
            if check.with_recovery_code:
                left = mfa.recovery_codes_left(request.user)
                messages.warning(request, ngettext(
                    "You signed in with a recovery code; %(count)d is left. If you lost your authenticator app, "
                    "replace it on your account page.",
                    "You signed in with a recovery code; %(count)d are left. If you lost your authenticator app, "
                    "replace it on your account page.",
                    left,
                ) % {"count": left})
            return redirect(_after_sign_in(request, next_url))
        signed_out = _refuse_code(request, form, check, during_sign_in=True)
        if signed_out is not None:
            return signed_out
    return render(request, "accounts/verify.html", {"form": form, "next": next_url})


def _pending_authenticator(request) -> Authenticator:
    """The new authenticator this session is setting up; its secret is never shown to another session."""
    pk = request.session.get(SESSION_PENDING_AUTHENTICATOR_KEY)
    device = None
    if isinstance(pk, int):
        device = Authenticator.objects.filter(pk=pk, user=request.user, confirmed=False).first()
    if device is None:
        device = mfa.new_pending_authenticator(request.user)
        request.session[SESSION_PENDING_AUTHENTICATOR_KEY] = device.pk
    return device


def _authenticator_page(request, template: str, device: Authenticator, form, **context):
    return render(request, template, {
        "form": form, "secret": mfa.grouped(mfa.secret(device)), "qr_code": mfa.qr_code_svg(device),
        "issuer": settings.OTP_TOTP_ISSUER, "username": request.user.get_username(), **context,
    })


def _show_recovery_codes(request, codes: list[str], continue_url: str):
    return render(request, "accounts/recovery_codes.html", {"codes": codes, "continue_url": continue_url})


@mfa_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    """At first sign-in: add an authenticator app, confirm it with a first code, and receive recovery codes."""
    next_url = _next_url(request)
    if mfa.authenticator_for(request.user) is not None:
        # A password alone never adds an authenticator to an account that already has one.
        return redirect(next_url if request.user.is_verified() else _with_next("accounts:verify", next_url))
    device = _pending_authenticator(request)
    form = NewAuthenticatorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        refused = _cooling_off(request)
        if refused is not None:
            return refused
        check = mfa.check_code(user=request.user, code=form.cleaned_data["code"], device=device)
        if check.accepted:
            codes = actions.confirm_authenticator(user=request.user, device=check.device, by=_acting_viewer(request))
            update_session_auth_hash(request, request.user)
            request.session.pop(SESSION_PENDING_AUTHENTICATOR_KEY, None)
            _finish_sign_in(request, check.device)
            return _show_recovery_codes(request, codes, _after_sign_in(request, next_url))
        signed_out = _refuse_code(request, form, check, during_sign_in=True)
        if signed_out is not None:
            return signed_out
    return _authenticator_page(request, "accounts/enrol.html", device, form, next=next_url)


# --- The account page: replace the authenticator, renew recovery codes, change the password ------------------------


@never_cache
def account(request):
    return render(request, "accounts/account.html", {
        "authenticator": mfa.authenticator_for(request.user),
        "recovery_codes_left": mfa.recovery_codes_left(request.user),
    })


def _confirm_it_is_you(request, form, *, purpose: str, step: str = "reauthenticate"):
    return render(request, "accounts/confirm_with_code.html", {"form": form, "purpose": purpose, "step": step})


def _reauthenticate(request, form):
    """Check a current code before an account change; returns (accepted, response to send instead)."""
    refused = _cooling_off(request)
    if refused is not None:
        return False, refused
    check = mfa.check_code(user=request.user, code=form.cleaned_data["code"])
    if check.accepted:
        if check.with_recovery_code:
            actions.record_recovery_code_used(
                user=request.user, by=request.viewer, purpose="to confirm an account change",
            )
        return True, None
    return False, _refuse_code(request, form, check, during_sign_in=False)


def _recently_reauthenticated(request) -> bool:
    at = request.session.get(SESSION_REAUTHENTICATED_AT_KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= REAUTHENTICATION_SECONDS


@never_cache
@require_http_methods(["GET", "POST"])
def replace_authenticator(request):
    """Replace the authenticator app: confirm with a current code, then set up the new app and confirm it."""
    purpose = _("Replace your authenticator app")
    step = request.POST.get("step")
    if request.method == "POST" and step == "reauthenticate":
        form = CodeForm(request.POST)
        if form.is_valid():
            accepted, response = _reauthenticate(request, form)
            if response is not None:
                return response
            if accepted:
                request.session[SESSION_REAUTHENTICATED_AT_KEY] = int(time.time())
                request.session.pop(SESSION_PENDING_AUTHENTICATOR_KEY, None)
                return redirect("accounts:replace-authenticator")
        return _confirm_it_is_you(request, form, purpose=purpose)
    if not _recently_reauthenticated(request):
        if request.method == "POST":
            messages.warning(request, _("That took too long. Confirm it is you again."))
        return _confirm_it_is_you(request, CodeForm(), purpose=purpose)
    device = _pending_authenticator(request)
    form = NewAuthenticatorCodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        refused = _cooling_off(request)
        if refused is not None:
            return refused
        check = mfa.check_code(user=request.user, code=form.cleaned_data["code"], device=device)
        if check.accepted:
            codes = actions.confirm_authenticator(user=request.user, device=check.device, by=request.viewer)
            update_session_auth_hash(request, request.user)
            otp_login(request, check.device)
            for key in (SESSION_PENDING_AUTHENTICATOR_KEY, SESSION_REAUTHENTICATED_AT_KEY):
                request.session.pop(key, None)
            messages.success(request, _("Your new authenticator app is set up. Every other session was signed out."))
            return _show_recovery_codes(request, codes, reverse("accounts:account"))
        signed_out = _refuse_code(request, form, check, during_sign_in=False)
        if signed_out is not None:
            return signed_out
    return _authenticator_page(request, "accounts/enrol.html", device, form, replacing=True)


@never_cache
@require_http_methods(["GET", "POST"])
def renew_recovery_codes(request):
    """New recovery codes after a current code; the old ones stop working."""
    purpose = _("Get new recovery codes")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accepted, response = _reauthenticate(request, form)
        if response is not None:
            return response
        if accepted:
            codes = actions.renew_recovery_codes(user=request.user, by=request.viewer)
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your old recovery codes no longer work. Every other session was signed out."))
            return _show_recovery_codes(request, codes, reverse("accounts:account"))
    return _confirm_it_is_you(request, form, purpose=purpose)


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def change_password(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST":
        refused = _cooling_off(request)
        if refused is not None:
            return refused
        if form.is_valid():
            actions.change_password(user=request.user, password=form.cleaned_data["new_password1"], by=request.viewer)
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed. Every other session was signed out."))
            return redirect("accounts:account")
        if "old_password" in form.errors:
            actions.record_password_change_refused(user=request.user, by=request.viewer)
            signed_out = _count_failure(request)
            if signed_out is not None:
                return signed_out
    return render(request, "accounts/password.html", {"form": form})


def csrf_failure(request, reason: str = ""):
    """Explain a refused form in the site's layout (CSRF_FAILURE_VIEW) instead of Django's page with inline styles.

    For a visitor who is not signed in the page holds no form and no token, so a stray post starts no session."""
    return render(request, "core/error.html", {
        "status": 403, "title": _("This form could not be accepted"),
        "message": _("The form was sent from another site, or the page it came from is too old. "
                     "Go back, reload the page and try again."),
        "sessionless": not getattr(getattr(request, "user", None), "is_authenticated", False),
    }, status=403)


@require_POST
def switch_organisation(request):
    chosen = request.POST.get("organisation")
    membership = next((m for m in request.memberships if str(m.organisation_id) == chosen), None)
    if membership is not None:
        request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
    return redirect("core:home")


@requires(Capability.MEMBERS_MANAGE)
def members(request):
    # Not "memberships": the layout's organisation switcher reads that name (core.context_processors).
    members = (
        Membership.objects.filter(organisation=request.viewer.organisation)
        .select_related("user").order_by("-is_active", "user__username")
    )
    return render(request, "accounts/members.html", {
        "members": members, "invitations": queries.waiting_invitations(request.viewer).order_by("created_at"),
    })


@requires(Capability.MEMBERS_MANAGE)
@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def member_add(request):
    """A new account; Rightsloop chooses the username, so the answer says nothing about other accounts."""
    form = NewAccountForm(request.POST or None, organisation=request.viewer.organisation)
    if request.method == "POST" and form.is_valid():
        membership = actions.create_account(organisation=request.viewer.organisation, by=request.viewer,
                                            **form.cleaned_data)
        messages.success(request, _(
            "Account created. The username is %(username)s: give it to the person with the initial password. "
            "They set up their authenticator app when they first sign in.") % {
            "username": membership.user.get_username()})
        return redirect("accounts:members")
    return render(request, "accounts/member_form.html", {"form": form})


@requires(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_invite(request):
    """Invite an existing account; the answer is the same whether or not it exists (see InvitationForm)."""
    form = InvitationForm(request.POST or None, organisation=request.viewer.organisation)
    if request.method == "POST" and form.is_valid():
        invitation = actions.invite_member(organisation=request.viewer.organisation, by=request.viewer,
                                           **form.cleaned_data)
        messages.success(request, _(
            "Invitation to %(username)s saved. Whoever signs in with this username and email address sees it "
            "until %(date)s and may accept or decline it.") % {
            "username": invitation.username, "date": date_format(timezone.localtime(invitation.expires_at).date())})
        return redirect("accounts:members")
    return render(request, "accounts/member_form.html", {"form": form, "inviting": True})


def _withdrawing_invitation(request, pk: int) -> Confirmation:
    invitation = queries.access_waiting_invitation(request.viewer, pk)
    return Confirmation(
        title=_("Withdraw the invitation to %(email)s?") % {"email": invitation.email},
        losses=[_("The invitation can no longer be accepted: no membership, no access to this organisation.")],
        kept=[_("The withdrawal is audited; you can invite the person again.")],
        confirm_label=_("Withdraw the invitation"), back_url=reverse("accounts:members"))


@requires(Capability.MEMBERS_MANAGE)
@asks_first(_withdrawing_invitation)
@require_POST
def invitation_withdraw(request, pk: int):
    invitation = queries.access_waiting_invitation(request.viewer, pk)
    actions.withdraw_invitation(invitation=invitation, by=request.viewer)
    messages.success(request, _("Invitation withdrawn."))
    return redirect("accounts:members")


# --- Invitations to the signed-in person --------------------------------------------------------------------------


@never_cache
def invitations(request):
    """Invitations addressed to this account, whatever organisation the person acts in now (or none)."""
    return render(request, "accounts/invitations.html", {
        "invitations": queries.open_invitations_for(request.user), "next": _next_url(request),
    })


@require_POST
def invitation_accept(request, pk: int):
    invitation = queries.access_open_invitation(request.user, pk)
    try:
        membership = actions.accept_invitation(invitation=invitation, user=request.user)
    except actions.AlreadyMember:
        messages.info(request, _("You are already a member of %(organisation)s.") % {
            "organisation": invitation.organisation.name})
        return redirect("accounts:invitations")
    except actions.InvitationClosed:
        raise Http404 from None
    request.session[SESSION_ORGANISATION_KEY] = membership.organisation_id
    messages.success(request, _("You joined %(organisation)s.") % {"organisation": membership.organisation.name})
    return redirect("core:home")


@require_POST
def invitation_decline(request, pk: int):
    invitation = queries.access_open_invitation(request.user, pk)
    try:
        actions.decline_invitation(invitation=invitation, user=request.user)
    except actions.InvitationClosed:
        raise Http404 from None
    messages.success(request, _("You declined the invitation from %(organisation)s.") % {
        "organisation": invitation.organisation.name})
    return redirect("accounts:invitations")


@requires(Capability.MEMBERS_MANAGE)
@require_http_methods(["GET", "POST"])
def member_edit(request, pk: int):
    membership = queries.access_membership(request.viewer, pk)
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


@never_cache
@require_http_methods(["GET", "POST"])
def api_tokens(request):
    """The member's tokens here; a new one needs a fresh code, since it outlives the session that makes it."""
    viewer = request.viewer
    if viewer is None:
        return redirect("core:home")
    membership = get_object_or_404(Membership, user=viewer.user, organisation=viewer.organisation)
    form = ApiTokenForm(request.POST or None)
    raw = None
    if request.method == "POST" and form.is_valid():
        accepted, response = _reauthenticate(request, form)
        if response is not None:
            return response
        if accepted:
            _token, raw = actions.issue_api_token(
                membership=membership, name=form.cleaned_data["name"], days=form.cleaned_data["days"], by=viewer)
            form = ApiTokenForm()
    tokens = membership.api_tokens.order_by("-created_at")
    return render(request, "accounts/api_tokens.html", {
        "form": form, "tokens": tokens, "raw": raw, "now": timezone.now()})


def _revoking_token(request, pk: int) -> Confirmation:
    token = queries.access_api_token(request.viewer, pk)
    return Confirmation(
        title=_("Revoke the API token “%(name)s”?") % {"name": token.name},
        losses=[_("Every program using this token is refused from now on (401); it cannot be turned back on. "
                  "Create a new token for them if they still need access.")],
        kept=[_("The token's record, with when it was revoked, stays in the list and the audit log.")],
        refusal=_("This token was already revoked.") if token.revoked_at else "",
        confirm_label=_("Revoke the token"), back_url=reverse("accounts:api-tokens"))


@asks_first(_revoking_token)
@require_POST
def api_token_revoke(request, pk: int):
    viewer = request.viewer
    token = queries.access_api_token(viewer, pk)
    actions.revoke_api_token(token=token, by=viewer)
    messages.success(request, _("Token revoked."))
    return redirect("accounts:api-tokens")
