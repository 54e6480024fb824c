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


class AuditFilterForm(forms.Form):
    action = forms.CharField(label=_("Action"), required=False, max_length=64)
    actor = forms.CharField(label=_("User"), required=False, max_length=150)
    target = forms.CharField(label=_("Record (type:id)"), required=False, max_length=130)


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
