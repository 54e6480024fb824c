"""Forms of the analysis pages: start a run, shape the theme set, pick examples, link risks and rights, review."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.roles import Function
from rightsloop.core import rights as rights_taxonomy
from rightsloop.risks import queries as risk_queries

from .actions.analysis import MAX_THEMES
from .actions.themes import MAX_PARTS
from .models import ThemeStatus

MAX_SEED = 2**31 - 1


class DiscoveryForm(forms.Form):
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=MAX_SEED, required=False, initial=0,
                              help_text=_("The same seed and settings give the same themes."))
    themes = forms.IntegerField(label=_("Number of themes"), min_value=2, max_value=MAX_THEMES, required=False,
                                help_text=_("Leave blank to let the data decide."))

    def parameters(self) -> dict:
        return {"seed": self.cleaned_data["seed"] or 0, "themes": self.cleaned_data["themes"] or None}


class AssignmentForm(forms.Form):
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=MAX_SEED, required=False, initial=0)


class ThemeForm(forms.Form):
    label = forms.CharField(label=_("Label"), max_length=200)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                  max_length=5000)


class RouteForm(forms.Form):
    owning_function = forms.ChoiceField(
        label=_("Route the decision to"), required=False, choices=[("", _("Not routed")), *Function.choices],
        help_text=_("The decision makers of this function will find the theme in their list and decide it. The "
                    "human rights team can always decide it."))


class MergeForm(forms.Form):
    themes = forms.ModelMultipleChoiceField(label=_("Themes to merge (the first keeps its place)"), queryset=None,
                                            widget=forms.CheckboxSelectMultiple)
    label = forms.CharField(label=_("Label of the merged theme"), max_length=200, required=False)

    def __init__(self, *args, consultation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["themes"].queryset = consultation.themes.order_by("position", "id")

    def clean_themes(self):
        themes = list(self.cleaned_data["themes"])
        if len(themes) < 2:
            raise forms.ValidationError(_("Choose at least two themes to merge."))
        return themes


class SplitForm(forms.Form):
    parts = forms.IntegerField(label=_("Split into"), min_value=2, max_value=MAX_PARTS, initial=2)
    seed = forms.IntegerField(label=_("Seed"), min_value=0, max_value=MAX_SEED, required=False, initial=0)


class LinksForm(forms.Form):
    risks = forms.ModelMultipleChoiceField(label=_("Salient risks"), queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)
    rights = forms.MultipleChoiceField(label=_("Rights"), choices=(), required=False,
                                       widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risks"].queryset = risk_queries.visible_risks(viewer).filter(
            organisation=viewer.organisation, closed_at__isnull=True).order_by("title")
        self.fields["rights"].choices = rights_taxonomy.choices()


class ExampleForm(forms.Form):
    ADD, CONFIRM, UNCONFIRM, REMOVE, MOVE = "add", "confirm", "unconfirm", "remove", "move"
    action = forms.ChoiceField(choices=[(ADD, _("Add as example")), (CONFIRM, _("Confirm")),
                                        (UNCONFIRM, _("Unconfirm")), (REMOVE, _("Remove")), (MOVE, _("Move"))])
    to = forms.ModelChoiceField(label=_("Move to"), queryset=None, required=False)

    def __init__(self, *args, theme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = theme.consultation.themes.exclude(pk=theme.pk).order_by("position", "id")

    def clean(self):
        data = super().clean()
        if data.get("action") == self.MOVE and not data.get("to"):
            self.add_error("to", _("Choose the theme to move the example to."))
        return data


class ReviewForm(forms.Form):
    themes = forms.MultipleChoiceField(label=_("Themes"), choices=(), required=False,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("None chosen: the response goes to “other”."))
    make_example = forms.BooleanField(label=_("Also make it a confirmed example"), required=False)

    def __init__(self, *args, final_themes, **kwargs):
        """final_themes: the consultation's final themes, read once for every form of the queue page."""
        super().__init__(*args, **kwargs)
        self.by_pk = {str(theme.pk): theme for theme in final_themes}
        self.fields["themes"].choices = [(str(theme.pk), theme.label) for theme in final_themes]

    def clean_themes(self):
        return [self.by_pk[pk] for pk in self.cleaned_data["themes"]]


def final_themes_of(consultation) -> list:
    return list(consultation.themes.filter(status=ThemeStatus.FINAL).order_by("position", "id"))


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Words in the response"), max_length=200)
