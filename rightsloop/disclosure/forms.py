"""The open data's settings form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Licence


class OpenDataForm(forms.Form):
    published = forms.BooleanField(
        label=_("Publish our open data"), required=False,
        help_text=_("Anyone may then read the counts below at the public address, download them as CSV and JSON, "
                    "and reuse them under the licence chosen. Unticking it takes them off line at once."))
    licence = forms.ChoiceField(label=_("Licence"), choices=Licence.choices,
                                help_text=_("Under which terms others may reuse the data."))
