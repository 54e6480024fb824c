"""The public face of a published consultation: what we heard and what we did, and the receipt-code lookup.

No sign-in, no JavaScript, no personal data: counts, themes and decisions only. Representative quotes are
left out on purpose: a respondent's own words can identify them (a street, an employer, a turn of phrase),
and publishing them was not what they agreed to when they answered.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import render
from django.urls import path
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from rightsloop.core import languages

from .. import loop, queries
from ..fingerprints import normalise_receipt, receipt_key
from ..models import Consultation, Response, ThemeAssignment, ThemeStatus

# Receipt lookups allowed per client address in a window: enough for someone mistyping their code a few
# times, far too few to try codes at random. Counted in Django's cache, like sign-in failures are counted by
# django-axes, per address as axes resolves it (proxy settings included).
LOOKUPS_ALLOWED = 20
LOOKUP_WINDOW_SECONDS = 10 * 60


def _language(request) -> str:
    """A language chosen by link (?lang=), so switching needs no form, cookie or script on a public page."""
    chosen = request.GET.get("lang", "")
    available = [code for code, _name in settings.LANGUAGES]
    return chosen if chosen in available else translation.get_language() or settings.LANGUAGE_CODE


def _public_context(request, consultation: Consultation, language: str) -> dict:
    return {
        "consultation": consultation,
        "title": consultation.engagement.title,
        "organisation": consultation.organisation.name,
        "language": language,
        "languages": [(code, name) for code, name in settings.LANGUAGES],
    }


@login_not_required
@require_GET
def heard(request, token):
    consultation = queries.published_consultation(token)
    language = _language(request)
    with translation.override(language):
        context = _public_context(request, consultation, language)
        themes = loop.theme_outcomes(consultation)
        campaigns = loop.campaigns(consultation, themes)
        in_campaigns = sum(campaign.size for campaign in campaigns)
        context.update({
            "themes": themes,
            "campaigns": campaigns,
            "in_campaigns": in_campaigns,
            "campaign_share": 100 * in_campaigns / consultation.responses_count if consultation.responses_count else 0,
            "response_languages": [(languages.name(code), n) for code, n in queries.response_languages(consultation)],
            "withheld": loop.withheld_themes(consultation),
        })
        return render(request, "consultations/public/heard.html", context)


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("Your receipt code"), max_length=64,
                           help_text=_("As you received it when you answered. Spaces, dashes and capitals do not "
                                       "matter."),
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "spellcheck": "false"}))

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not normalise_receipt(code):
            raise forms.ValidationError(_("Type the code as it was given to you: letters and digits."))
        return code


def _count_lookup(request) -> bool:
    """Count one lookup from the client's address; False once it has used up its lookups for the window."""
    from axes.helpers import get_client_ip_address

    key = f"consultation-receipt-lookups:{get_client_ip_address(request) or 'unknown'}"
    cache.add(key, 0, LOOKUP_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, LOOKUP_WINDOW_SECONDS)
        count = 1
    return count <= LOOKUPS_ALLOWED


def _themes_of_receipt(consultation: Consultation, code: str) -> list[loop.ThemeOutcome] | None:
    """The outcomes on the themes the response with this code fell under; None when no response has it."""
    key = receipt_key(consultation.organisation_id, code)
    responses = list(Response.objects.filter(consultation=consultation, receipt_index=key)
                     .values_list("id", flat=True)[:20]) if key else []
    if not responses:
        return None
    theme_ids = set(ThemeAssignment.objects.filter(response_id__in=responses, theme__status=ThemeStatus.FINAL)
                    .values_list("theme_id", flat=True))
    return [outcome for outcome in loop.theme_outcomes(consultation) if outcome.theme_id in theme_ids]


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def receipt(request, token):
    consultation = queries.published_consultation(token)
    if not consultation.issues_receipts:
        raise Http404
    language = _language(request)
    with translation.override(language):
        context = _public_context(request, consultation, language)
        form = ReceiptForm(request.POST if request.method == "POST" else None)
        status = 200
        if request.method == "POST":
            if not form.is_valid():
                status = 400
            elif not _count_lookup(request):
                context["limited"] = True
                status = 429
            else:
                found = _themes_of_receipt(consultation, form.cleaned_data["code"])
                # The same answer for every code we do not hold, malformed or merely wrong: no hint either way.
                context.update({
                    "looked_up": True, "not_found": found is None, "yours": found or [],
                    "others": loop.theme_outcomes(consultation) if found == [] else [],
                })
                form = ReceiptForm()
        context["form"] = form
        return render(request, "consultations/public/receipt.html", context, status=status)


urlpatterns = [
    path("<str:token>/", heard, name="heard"),
    path("<str:token>/receipt/", receipt, name="receipt"),
]
