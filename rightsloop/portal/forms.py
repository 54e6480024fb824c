"""Forms of the portal (the stakeholder's own) and of the staff pages about it."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rightsloop.core import languages

from .models import LinkChannel


class ContactDetailsForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    messenger_handle = forms.CharField(label=_("Secure messenger handle"), required=False, max_length=100)
    postal_address = forms.CharField(label=_("Postal address"), required=False, max_length=2000,
                                     widget=forms.Textarea(attrs={"rows": 3}))
    preferred_language = forms.ChoiceField(label=_("Language we write to you in"), required=False)

    def __init__(self, *args, current_language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        codes = [code for code, _name in settings.LANGUAGES]
        if current_language and current_language not in codes:
            codes.append(current_language)  # keep a language the interface lacks, as staff recorded it
        self.fields["preferred_language"].choices = [("", _("Not stated"))] + [
            (code, languages.name(code)) for code in codes]


class IssueLinkForm(forms.Form):
    channel = forms.ChoiceField(label=_("How the link reaches them"), choices=LinkChannel.choices,
                                widget=forms.RadioSelect)

    def __init__(self, *args, email_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not email_allowed:
            self.fields["channel"].choices = [(LinkChannel.HANDED_OVER, LinkChannel.HANDED_OVER.label)]
        self.fields["channel"].initial = LinkChannel.EMAIL if email_allowed else LinkChannel.HANDED_OVER


class DeclineErasureForm(forms.Form):
    reason = forms.CharField(label=_("Why (the person will read this)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
