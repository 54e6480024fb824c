"""Forms of the mitigation pages: mitigations, indicators, evidence, effectiveness assessments and input links."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.engagements.models import Input

from .models import Evidence, Indicator
from .vocabulary import UNMITIGATED, Effectiveness, MitigationStatus


class DateInput(forms.DateInput):
    input_type = "date"


def members_of(organisation):
    return User.objects.filter(memberships__organisation=organisation, memberships__is_active=True,
                               is_active=True).distinct().order_by("username")


class MitigationForm(forms.Form):
    action = forms.CharField(label=_("Action"), widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("What is done against the risk, or what stands in its way."))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(),
                                   help_text=_("Answers for the action and is told when it must be reassessed."))
    status = forms.ChoiceField(label=_("Status"), choices=MitigationStatus.choices)
    due_on = forms.DateField(label=_("Due"), required=False, widget=DateInput)
    reason = forms.CharField(label=_("Why it is not, or cannot be, mitigated"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Required when the status is “not mitigated” or “cannot be mitigated”."))
    remedy_plan = forms.CharField(label=_("Remedy plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("How harm would be put right if it occurs. Required when the risk "
                                              "is left unmitigated."))

    why = forms.CharField(label=_("Why this changes"), max_length=500, required=False,
                          help_text=_("Kept in the mitigation's history with who changed it and when."))

    def __init__(self, *args, organisation, changing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organisation)
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        # A change needs its reason; a new mitigation's first history entry may say one but need not.
        self.fields["why"].required = changing
        self.fields["why"].error_messages["required"] = _("Say why the mitigation changes: its history keeps it.")
        if not changing:
            self.fields["why"].label = _("Why it is added (optional)")
        # Their help texts say when they apply; js/forms.js hides them for any other status.
        for name in ("reason", "remedy_plan"):
            self.fields[name].widget.attrs["data-shown-for"] = "status:" + " ".join(sorted(UNMITIGATED))

    def clean(self):
        data = super().clean()
        if data.get("status") in UNMITIGATED:
            if not (data.get("reason") or "").strip():
                self.add_error("reason", _("Say why the risk is not, or cannot be, mitigated."))
            if not (data.get("remedy_plan") or "").strip():
                self.add_error("remedy_plan",
                               _("A risk left unmitigated needs a remedy plan: how harm would be put right."))
        return data


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Indicator"), max_length=200,
                           help_text=_("What shows whether the mitigation works."))
    target = forms.CharField(label=_("Target"), max_length=200, required=False)


class InputChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Input) -> str:
        text = obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"
        return f"{obj.engagement.title} · {obj.recorded_at:%Y-%m-%d} · {text}"


class EvidenceForm(forms.Form):
    value = forms.CharField(label=_("Value"), max_length=200)
    observed_on = forms.DateField(label=_("Observed on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    input = InputChoiceField(label=_("View from the ground"), required=False, queryset=Input.objects.none(),
                             help_text=_("A stakeholder input this evidence rests on (inputs linked to the risk "
                                         "or mitigation are listed first)."))

    def __init__(self, *args, inputs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["input"].queryset = inputs


class InputSearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100,
                        help_text=_("Themes and engagement titles; once an engagement is chosen, also what was "
                                    "said."))
    engagement = forms.IntegerField(label=_("Engagement"), required=False, min_value=1, max_value=2**31 - 1,
                                    widget=forms.Select)
    linked = forms.ChoiceField(label=_("Show"), required=False, choices=[
        ("", _("All inputs")), ("yes", _("Linked only")), ("no", _("Not linked only"))])

    def __init__(self, *args, engagements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].widget.choices = [("", _("Any engagement")),
                                                    *((e.pk, e.title) for e in engagements)]


class LinkForm(forms.Form):
    """Which inputs to link or unlink: ids, checked against what the viewer may see in the view."""

    LINK, UNLINK = "link", "unlink"
    operation = forms.ChoiceField(choices=[(LINK, LINK), (UNLINK, UNLINK)])
    inputs = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True,
                                            error_messages={"required": _("Choose at least one input.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids are validated as numbers here and against the visible inputs by the view.
        self.fields["inputs"].valid_value = lambda value: str(value).isdigit() and 0 < int(value) < 2**31


class TargetLinkForm(forms.Form):
    """From an input: which risks, mitigations or decisions to link it to or unlink it from."""

    operation = forms.ChoiceField(choices=[("link", "link"), ("unlink", "unlink")])
    target = forms.RegexField(regex=r"^(risk|mitigation|decision):[1-9][0-9]{0,9}$",
                              error_messages={"invalid": _("Choose a risk, mitigation or decision."),
                                              "required": _("Choose a risk, mitigation or decision.")})


class InputsChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Input) -> str:
        return InputChoiceField.label_from_instance(self, obj)


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Evidence) -> str:
        return f"{obj.indicator.name}: {obj.value} ({obj.observed_on:%Y-%m-%d})"


class AssessmentForm(forms.Form):
    """A dated judgement of a mitigation's effectiveness, citing its indicators, evidence and inputs."""

    judgement = forms.ChoiceField(label=_("Effectiveness"), choices=Effectiveness.choices, widget=forms.RadioSelect)
    reasoning = forms.CharField(label=_("Reasoning"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
                                help_text=_("What the judgement rests on; kept as written."))
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DateInput)
    indicators = forms.ModelMultipleChoiceField(label=_("Indicators cited"), required=False,
                                                queryset=Indicator.objects.none(),
                                                widget=forms.CheckboxSelectMultiple)
    evidence = EvidenceChoiceField(label=_("Evidence cited"), required=False, queryset=Evidence.objects.none(),
                                   widget=forms.CheckboxSelectMultiple)
    inputs = InputsChoiceField(label=_("Views from the ground"), required=False, queryset=Input.objects.none(),
                               widget=forms.CheckboxSelectMultiple,
                               help_text=_("What stakeholders said about how the mitigation works (inputs linked "
                                           "to the risk or the mitigation)."))

    def __init__(self, *args, mitigation, inputs, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicators"].queryset = mitigation.indicators.all()
        self.fields["evidence"].queryset = (Evidence.objects.filter(indicator__mitigation=mitigation)
                                            .select_related("indicator").order_by("indicator_id", "-observed_on"))
        self.fields["inputs"].queryset = inputs
        for name in ("indicators", "evidence", "inputs"):
            if not self.fields[name].queryset.exists():
                del self.fields[name]

    def clean_assessed_on(self):
        day = self.cleaned_data["assessed_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("An assessment cannot be dated in the future."))
        return day

    def citations(self) -> dict:
        return {name: list(self.cleaned_data.get(name) or []) for name in ("indicators", "evidence", "inputs")}


class ReassessmentForm(AssessmentForm):
    """Clearing a context event's flag: what was reassessed, and the judgement it led to."""

    reasoning = None
    note = forms.CharField(label=_("What was reassessed"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("What you looked at again in the light of the event, and what it showed."))
    field_order = ["note", "judgement", "assessed_on", "indicators", "evidence", "inputs"]
