from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Invitation, Membership, User
from .roles import Function, Role


class _RoleFields(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    function = forms.ChoiceField(label=_("Function"), required=False,
                                 choices=[("", _("— none —")), *Function.choices],
                                 help_text=_("Required for decision makers."))

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.DECISION_MAKER and not data.get("function"):
            self.add_error("function", _("A decision maker needs a function."))
        return data


class NewAccountForm(_RoleFields):
    """A new account; Rightsloop chooses its username, so nothing typed here can match someone else's account."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"))
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput,
                               help_text=_("Give it to the person with their username; they change it later."))
    field_order = ["first_name", "last_name", "email", "role", "function", "password"]

    def clean(self):
        data = super().clean()
        if data.get("password"):
            try:
                password_validation.validate_password(data["password"], User(
                    email=data.get("email", ""), first_name=data.get("first_name", ""),
                    last_name=data.get("last_name", "")))
            except forms.ValidationError as error:
                self.add_error("password", error)
        return data


class InvitationForm(_RoleFields):
    """Invite someone who already has a Rightsloop account, by the username and email address they sign in with.

    The form answers the same whether or not such an account exists; it refuses only what the administrator
    can already see: a member of this organisation, or an invitation to the same username still waiting.
    """

    username = forms.CharField(label=_("Their username"), max_length=150)
    email = forms.EmailField(label=_("Their email address"),
                             help_text=_("The invitation reaches the account only if both match."))
    field_order = ["username", "email", "role", "function"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if Membership.objects.filter(organisation=self.organisation, user__username__iexact=username).exists():
            raise forms.ValidationError(_("This person is already a member of this organisation."))
        if Invitation.objects.filter(organisation=self.organisation, username__iexact=username).waiting().exists():
            raise forms.ValidationError(_("An invitation to this username is already waiting."))
        return username


class MembershipForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    function = forms.ChoiceField(label=_("Function"), required=False,
                                 choices=[("", _("— none —")), *Function.choices])
    is_active = forms.BooleanField(label=_("Active"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.DECISION_MAKER and not data.get("function"):
            self.add_error("function", _("A decision maker needs a function."))
        return data


def api_token_days_offered() -> list[int]:
    """The lives a new token may get: a week, a month, and the longest the settings allow."""
    longest = settings.RIGHTSLOOP_API_TOKEN_DAYS
    return sorted({days for days in (7, 30) if days < longest} | {longest})


class CodeForm(forms.Form):
    """One code: six digits from the authenticator app, or one of the recovery codes."""

    code = forms.CharField(
        label=_("Code"), max_length=32, strip=True,
        help_text=_("The six digits your authenticator app shows now, or one of your recovery codes."),
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false", "autofocus": True,
        }),
    )


class ApiTokenForm(CodeForm):
    """A new token, confirmed with a fresh code: a signed-in session alone does not mint a lasting credential."""

    name = forms.CharField(label=_("What is this token for?"), max_length=100)
    days = forms.TypedChoiceField(label=_("Expires after"), coerce=int)
    field_order = ["name", "days", "code"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = api_token_days_offered()
        self.fields["days"].choices = [
            (days, ngettext("%(days)d day", "%(days)d days", days) % {"days": days}) for days in offered]
        self.fields["days"].initial = offered[-1]
        self.fields["code"].widget.attrs.pop("autofocus", None)
        self.fields["code"].help_text = _(
            "To create a token, confirm it is you: the six digits your authenticator app shows now, "
            "or one of your recovery codes.")


class NewAuthenticatorCodeForm(CodeForm):
    """The first code from a new authenticator, which confirms it was set up right."""

    code = forms.CharField(
        label=_("Code from the app"), max_length=32, strip=True,
        help_text=_("The six digits the app shows for Rightsloop after you added the secret."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
