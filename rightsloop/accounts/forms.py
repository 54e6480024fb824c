from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import User
from .roles import Function, Role


class MemberForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    function = forms.ChoiceField(label=_("Function"), required=False,
                                 choices=[("", _("— none —")), *Function.choices],
                                 help_text=_("Required for decision makers."))
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, required=False,
                               help_text=_("Leave empty for an existing user."))

    def __init__(self, *args, organisation, **kwargs):
        self.organisation = organisation
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("role") == Role.DECISION_MAKER and not data.get("function"):
            self.add_error("function", _("A decision maker needs a function."))
        username = data.get("username")
        if username:
            existing = User.objects.filter(username=username).first()
            if existing and existing.memberships.filter(organisation=self.organisation).exists():
                self.add_error("username", _("This user is already a member."))
            if existing is None:
                if not data.get("password"):
                    self.add_error("password", _("Set an initial password for a new user."))
                else:
                    try:
                        password_validation.validate_password(
                            data["password"], User(username=username, email=data.get("email", "")))
                    except forms.ValidationError as error:
                        self.add_error("password", error)
        return data


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
