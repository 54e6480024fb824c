import secrets
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=settings.LANGUAGES)
    feedback_days = forms.IntegerField(
        label=_("Days to close the loop"), min_value=1, max_value=365,
        help_text=_("Applies to engagements created from now on; existing due dates never move."),
    )
    feedback_reply_to = forms.EmailField(
        label=_("Reply address for feedback letters"), required=False, max_length=254,
        help_text=_("Replies to feedback letters go here. Leave empty to send them to each engagement's owner."),
    )


class AuditFilterForm(forms.Form):
    """The audit log's filters: whom, what kind of action, which record, when. Every choice is a select."""

    actor = forms.ChoiceField(label=_("Person"), required=False)
    action = forms.ChoiceField(label=_("What happened"), required=False)
    target_kind = forms.ChoiceField(label=_("Kind of record"), required=False)
    search = forms.CharField(
        label=_("Record"), required=False, max_length=100,
        help_text=_("A record's name (an engagement, a risk, a theme...), a word of the entry's details, or a "
                    "record number."))
    since = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisation, **kwargs):
        from rightsloop.accounts.models import Membership

        from .audit_log import SYSTEM, target_kinds
        from .audit_wording import grouped_choices

        super().__init__(*args, **kwargs)
        members = (Membership.objects.filter(organisation=organisation).select_related("user")
                   .order_by("user__first_name", "user__last_name", "user__username"))
        self.fields["actor"].choices = [("", _("Anyone")), (SYSTEM, _("Rightsloop itself (automatic)"))] + [
            (str(member.user_id), member.user.display_name) for member in members]
        self.fields["action"].choices = [("", _("Any action")), *grouped_choices()]
        self.fields["target_kind"].choices = [("", _("Any kind")), *target_kinds()]

    def clean_search(self):
        return "".join(ch for ch in self.cleaned_data["search"] if ch.isprintable()).strip()

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period comes before its start."))
        return cleaned

    def filters(self):
        """The valid filters (none when the form is unbound)."""
        from .audit_log import Filters

        if not self.is_bound:
            return Filters()
        data = self.cleaned_data
        return Filters(actor=data["actor"], action=data["action"], target_kind=data["target_kind"],
                       search=data["search"], since=data["since"], until=data["until"])


# Searches for people (names, email addresses) are posted, kept in the session under a random id, and named in the
# address only by that id: addresses end up in access logs, proxies and browser history.
SEARCHES_KEY = "rightsloop.searches"
KEPT_SEARCHES = 20


def remember_search(request, text: str) -> str:
    """Keep a search in the session; returns the random id that stands for it in addresses."""
    searches = dict(request.session.get(SEARCHES_KEY, {}))
    key = secrets.token_urlsafe(9)
    searches[key] = text
    request.session[SEARCHES_KEY] = dict(list(searches.items())[-KEPT_SEARCHES:])
    return key


def remembered_search(request, key: str) -> str:
    return request.session.get(SEARCHES_KEY, {}).get(key, "") if key else ""


def search_text(request, name: str, max_length: int = 100) -> str:
    """A free-text search, trimmed and without control characters: posted, or the one the address names by id.

    A search text written in the address itself is ignored (see remember_search).
    """
    if request.method == "POST" and name in request.POST:
        raw = request.POST[name]
    else:
        raw = remembered_search(request, request.GET.get(name, ""))
    return "".join(ch for ch in raw[:max_length] if ch.isprintable()).strip()


def posted_search(request, name: str):
    """When a search was posted: a redirect to this page naming it by id (None otherwise)."""
    if request.method != "POST" or name not in request.POST:
        return None
    text = search_text(request, name)
    return redirect(f"{request.path}?{urlencode({name: remember_search(request, text)})}" if text else request.path)


class RetentionForm(forms.Form):
    """One period per kind of record the organisation keeps; empty means the default."""

    def __init__(self, *args, periods, **kwargs):
        super().__init__(*args, **kwargs)
        for period in periods:
            self.fields[period.rule.key] = forms.IntegerField(
                label=period.rule.label, required=False, min_value=1, max_value=36500,
                initial=period.keep_days if period.customised else None,
                help_text=_("Days. Empty: the default of %(days)s days.") % {"days": period.rule.default_days},
            )


def copy_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's errors on the form fields they name (the rest above the form), so the page re-renders."""
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)
