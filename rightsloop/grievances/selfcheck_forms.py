"""Forms of the self-check page: the period, and the organisation's assessment of one criterion."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .actions.assessments import NOTES_MAX
from .vocabulary import Assessment


class AssessmentForm(forms.Form):
    """One criterion's assessment; the page holds one per criterion, told apart by their prefix (the criterion)."""

    assessment = forms.ChoiceField(label=_("Our assessment"), choices=Assessment.choices, widget=forms.RadioSelect)
    notes = forms.CharField(label=_("Evidence and notes"), required=False, max_length=NOTES_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What the figures do not show: how you know, what you will change. "
                                        "Never the details of a case."))
