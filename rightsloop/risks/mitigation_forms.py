"""Forms of the mitigation pages: mitigations, their effectiveness indicators and evidence, and input links."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.engagements.models import Input

from .vocabulary import UNMITIGATED, MitigationStatus


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

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organisation)
        self.fields["owner"].label_from_instance = lambda user: user.display_name

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
