"""Forms of rating rounds: open a round, answer one (portal and offline), the smallest group shown."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.core import countries
from rightsloop.stakeholders.vocabulary import Kind

from .models import DIMENSIONS
from .ratings import Chooser


class RoundForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(label=_("Closes on"), widget=forms.DateInput(attrs={"type": "date"}))
    stakeholder_ids = forms.CharField(
        label=_("Stakeholders by number"), required=False, max_length=20000,
        help_text=_("Register numbers separated by commas or spaces. Leave empty to choose by the filters below."))
    kind = forms.ChoiceField(label=_("Everyone of this kind"), required=False,
                             choices=[("", _("Any kind")), *Kind.choices])
    region = forms.ChoiceField(label=_("Everyone in this region"), required=False)
    global_south = forms.ChoiceField(label=_("Global South"), required=False, choices=[
        ("", _("Either")), ("yes", _("Global South only")), ("no", _("Global North only"))])
    language = forms.CharField(label=_("Everyone speaking this language (ISO 639 code)"), required=False,
                               max_length=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("Any region")), *countries.regions()]

    def clean_stakeholder_ids(self) -> tuple[int, ...]:
        raw = self.cleaned_data["stakeholder_ids"].replace(",", " ").split()
        if not all(item.isdigit() and 0 < int(item) < 2**63 for item in raw):
            raise forms.ValidationError(_("Use register numbers only, separated by commas or spaces."))
        return tuple(sorted({int(item) for item in raw}))

    def chooser(self) -> Chooser:
        data = self.cleaned_data
        return Chooser(stakeholder_ids=data["stakeholder_ids"], kind=data["kind"], region=data["region"],
                       global_south={"yes": True, "no": False}.get(data["global_south"]),
                       language=data["language"].strip().lower())


QUESTIONS = {
    "trust": (_("How much do you trust us to act in good faith?"), _("not at all"), _("completely")),
    "influence": (_("Did your input change anything?"), _("nothing at all"), _("a great deal")),
    "burden": (_("Is the time and effort we ask of you reasonable?"), _("far too much"), _("easily manageable")),
    "usefulness": (_("How useful is working with us for you?"), _("not useful"), _("very useful")),
    "safety": (_("How safe do you feel engaging with us?"), _("not safe at all"), _("completely safe")),
}


def _scale(low, high) -> list[tuple[str, str]]:
    return [("1", f"1: {low}"), ("2", "2"), ("3", "3"), ("4", "4"), ("5", f"5: {high}")]


class RatingForm(forms.Form):
    """The five questions as radio buttons (no script needed), and an optional comment."""

    comment = forms.CharField(label=_("Anything you want to add (optional)"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        comment = self.fields.pop("comment")
        for name in DIMENSIONS:
            question, low, high = QUESTIONS[name]
            self.fields[name] = forms.TypedChoiceField(label=question, choices=_scale(low, high), coerce=int,
                                                       widget=forms.RadioSelect)
        self.fields["comment"] = comment

    def scores(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] for name in DIMENSIONS}


class SettingsForm(forms.Form):
    smallest_group = forms.IntegerField(
        label=_("Smallest group shown"), min_value=3, max_value=50,
        help_text=_("Aggregates of fewer answers than this are hidden, so no one rater can be singled out."))
