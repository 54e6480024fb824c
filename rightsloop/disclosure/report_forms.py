from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.risks.models import Risk

from .report_models import NARRATIVE_FIELDS, Report


class NewReportForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=16, help_text=_("A year (2026) or a quarter (2026-Q3)."))
    title = forms.CharField(label=_("Title"), max_length=200)


class NarrativeForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["title", *(name for name, _section in NARRATIVE_FIELDS)]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name, _section in NARRATIVE_FIELDS}
        help_texts = {name: _("Written for publication: it appears as you write it, except that the names of "
                              "people who may not be named publicly read “[withheld]”.")
                      for name, _section in NARRATIVE_FIELDS}


class IssueForm(forms.Form):
    public_title = forms.CharField(label=_("Title for publication"), max_length=200)
    summary = forms.CharField(label=_("Summary for publication"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    risk = forms.ModelChoiceField(label=_("The risk of the register it stands for"), required=False,
                                  queryset=Risk.objects.none(),
                                  help_text=_("Its rights and severity appear beside the title; its title does not."))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = Risk.objects.for_organisation(organisation).open().by_priority()
