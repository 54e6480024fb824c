"""Forms of the risk register pages: filters, a risk, and the organisation's escalation rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.core import countries, rights
from rightsloop.core.widgets import FastSelect, SearchableSelectMultiple

from . import escalation, scales
from .actions import RiskPlan
from .queries import RiskFilters
from .vocabulary import Involvement, OwnerLevel

LEVEL_CHOICES = [(level, str(level)) for level in scales.LEVELS]


class DateInput(forms.DateInput):
    input_type = "date"


def country_codes(raw: str) -> list[str]:
    """Country codes from a comma- or space-separated list, upper-cased, in order, without repeats."""
    codes = [part.strip().upper() for part in raw.replace(";", ",").replace(" ", ",").split(",")]
    return list(dict.fromkeys(code for code in codes if code))


class CountryListField(forms.MultipleChoiceField):
    """Countries chosen from the searchable list, or typed as codes separated by commas ("KE, IN"), as before."""

    widget = SearchableSelectMultiple

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        values = [value] if isinstance(value, str) else list(value)
        return country_codes(",".join(str(v) for v in values))

    def validate(self, value) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        unknown = [code for code in value if countries.get(code) is None]
        if unknown:
            raise forms.ValidationError(_("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})


class RiskFilterForm(forms.Form):
    q = forms.CharField(label=_("Search titles"), required=False, max_length=100)
    # Long lists (34 rights, 250 countries) render without a template per option (core.widgets.FastSelect).
    right = forms.ChoiceField(label=_("Right"), required=False, widget=FastSelect)
    grouping = forms.ChoiceField(label=_("Family of rights"), required=False)
    market = forms.ChoiceField(label=_("Market"), required=False, widget=FastSelect)
    product = forms.CharField(label=_("Product or service"), required=False, max_length=200)
    level = forms.ChoiceField(label=_("Owned at"), required=False, choices=[("", _("Any")), *OwnerLevel.choices])
    band = forms.TypedChoiceField(label=_("Severity band"), required=False, coerce=int, empty_value=None,
                                  choices=[("", _("Any")), *LEVEL_CHOICES])
    likelihood = forms.TypedChoiceField(label=_("Likelihood"), required=False, coerce=int, empty_value=None,
                                        choices=[("", _("Any")), *LEVEL_CHOICES])
    severe = forms.BooleanField(label=_("Severe only"), required=False)
    due_for_review = forms.BooleanField(label=_("Review due only"), required=False)
    awaiting_reassessment = forms.BooleanField(label=_("Mitigations awaiting reassessment only"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=[
        ("priority", _("Priority (severity first, then likelihood)")),
        ("review", _("Next review date")),
        ("title", _("Title")),
    ])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["right"].choices = [("", _("Any")), *rights.choices()]
        self.fields["grouping"].choices = [("", _("Any")), *((g.code, g.name) for g in rights.GROUPINGS)]
        self.fields["market"].choices = [("", _("Any")), *countries.choices()]

    def filters(self) -> RiskFilters:
        if not self.is_valid():
            return RiskFilters()
        data = self.cleaned_data
        return RiskFilters(q=data["q"], right=data["right"], grouping=data["grouping"], market=data["market"],
                           product=data["product"],
                           level=data["level"], severe=data["severe"], due_for_review=data["due_for_review"],
                           awaiting_reassessment=data["awaiting_reassessment"],
                           band=data["band"], likelihood=data["likelihood"])

    def sort_order(self) -> str:
        return (self.cleaned_data.get("sort") if self.is_valid() else "") or "priority"


def rating_field(scale: scales.Scale) -> forms.TypedChoiceField:
    """A rating as radio buttons, each level with its written definition beside it."""
    return forms.TypedChoiceField(label=scale.name, help_text=scale.question, coerce=int,
                                  choices=scale.choices(), widget=forms.RadioSelect)


class RiskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    rights = forms.MultipleChoiceField(label=_("Rights affected"), widget=SearchableSelectMultiple,
                                       help_text=_("Internationally recognised human rights (taxonomy %(version)s)."
                                                   ) % {"version": rights.VERSION})
    product = forms.CharField(label=_("Product or service"), max_length=200)
    use_context = forms.CharField(label=_("Use context"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                  help_text=_("Who uses it, how, and where the harm could arise."))
    markets = CountryListField(label=_("Markets"), required=False,
                               help_text=_("The countries where the product is used."))
    affected_groups = forms.CharField(label=_("Affected groups"), required=False,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    involvement = forms.ChoiceField(label=_("Our involvement"), choices=Involvement.choices,
                                    widget=forms.RadioSelect)
    scale = rating_field(scales.SCALE)
    scope = rating_field(scales.SCOPE)
    irremediability = rating_field(scales.IRREMEDIABILITY)
    likelihood = rating_field(scales.LIKELIHOOD)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    review_on = forms.DateField(label=_("Next review"), widget=DateInput)
    reason = forms.CharField(label=_("Why it changes"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept in the risk's history with your name and the time."))

    def __init__(self, *args, organisation, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rights"].choices = rights.choices()
        self.fields["markets"].choices = countries.choices()
        self.fields["owner"].queryset = User.objects.filter(
            memberships__organisation=organisation, memberships__is_active=True, is_active=True,
        ).order_by("username").distinct()
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        if creating:
            del self.fields["reason"]

    @property
    def severity_fields(self):
        return [self[name] for name in ("scale", "scope", "irremediability")]

    def plan(self) -> RiskPlan:
        data = self.cleaned_data
        return RiskPlan(
            title=data["title"], product=data["product"], involvement=data["involvement"],
            scale=data["scale"], scope=data["scope"], irremediability=data["irremediability"],
            likelihood=data["likelihood"], review_on=data["review_on"], description=data["description"],
            use_context=data["use_context"], affected_groups=data["affected_groups"], owner=data["owner"],
            rights=list(data["rights"]), markets=list(data["markets"]),
        )


def risk_initial(risk) -> dict:
    initial = {name: getattr(risk, name) for name in (
        "title", "description", "product", "use_context", "affected_groups", "involvement",
        "scale", "scope", "irremediability", "likelihood", "owner", "review_on")}
    initial["rights"] = risk.rights_codes
    initial["markets"] = list(risk.market_codes)
    return initial


FIELD_LABELS = {
    "min_severity": _("Severity at least"),
    "min_likelihood": _("and likelihood at least"),
    "min_severity_any_likelihood": _("Or severity at least, whatever the likelihood"),
    "min_irremediability": _("Or irremediability at least"),
    "min_severity_if_irremediable": _("with severity at least, whatever the likelihood"),
}
FIELD_HELP = {
    "min_likelihood": _("1 means any likelihood."),
    "min_severity_any_likelihood": _("Leave empty for no such condition."),
    "min_irremediability": _("5 is irreversible: the harm cannot be put right. Leave both empty for no such "
                             "condition."),
}


class EscalationForm(forms.Form):
    """Each level's rule: severity with likelihood, and the severity-first conditions, all as numbers."""

    LEVELS = (OwnerLevel.BOARD, OwnerLevel.EXECUTIVE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for level in self.LEVELS:
            for name, (low, high) in escalation.FIELD_RANGES.items():
                self.fields[f"{level}_{name}"] = forms.IntegerField(
                    label=FIELD_LABELS[name], help_text=FIELD_HELP.get(name, ""), min_value=low, max_value=high,
                    required=name not in escalation.OPTIONAL_FIELDS)

    @classmethod
    def initial_for(cls, thresholds) -> dict:
        chosen = {t.level: t for t in thresholds}
        return {f"{level}_{name}": getattr(chosen[level], name)
                for level in cls.LEVELS if level in chosen for name in escalation.FIELD_RANGES}

    def clean(self):
        data = super().clean()
        if not self.errors:
            for name, message in escalation.problems(self.rules()).items():
                self.add_error(name if name in self.fields else None, message)
        return data

    def rules(self) -> list[escalation.Threshold]:
        data = self.cleaned_data
        return [escalation.Threshold(str(level), **{name: data[f"{level}_{name}"] for name in escalation.FIELD_RANGES})
                for level in self.LEVELS]

    def level_fields(self):
        return [(level.label, [self[f"{level}_{name}"] for name in escalation.FIELD_RANGES])
                for level in self.LEVELS]


class BoardReviewForm(forms.Form):
    reviewed_on = forms.DateField(label=_("Reviewed at the board meeting of"), widget=DateInput)
    note = forms.CharField(label=_("What the board concluded"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
