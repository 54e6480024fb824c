"""Forms of the assessment pages; each hands plain values to an action (actions.py), which checks them again."""

from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.core import countries
from rightsloop.core import languages as language_names
from rightsloop.core.widgets import SearchableSelectMultiple
from rightsloop.risks.forms import CountryListField

from .actions import AssessmentPlan, PhasePlan
from .vocabulary import PartnerRole, PhaseKind, Status


class DateInput(forms.DateInput):
    input_type = "date"


def _members(organisation):
    return User.objects.filter(memberships__organisation=organisation, memberships__is_active=True,
                               is_active=True).order_by("username").distinct()


class AssessmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    technology = forms.CharField(label=_("Technology"), max_length=200,
                                 help_text=_("The product, feature or technology assessed, e.g. credit scoring "
                                             "from mobile-money records."))
    countries = CountryListField(label=_("Countries"), help_text=_("One or more countries; type or choose them."))
    region = forms.CharField(label=_("Region"), max_length=120, required=False,
                             help_text=_("Optional: a name for the region, such as East Africa."))
    scope = forms.CharField(label=_("Scope"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text=_("What is assessed and what is not, and the people it may affect."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none())
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = countries.choices()
        self.fields["owner"].queryset = _members(organisation)
        self.fields["owner"].label_from_instance = lambda user: user.display_name

    def plan(self) -> AssessmentPlan:
        data = self.cleaned_data
        return AssessmentPlan(title=data["title"], technology=data["technology"], countries=list(data["countries"]),
                              region=data["region"], scope=data["scope"], starts_on=data["starts_on"],
                              ends_on=data["ends_on"], owner=data["owner"], status=data["status"])


def assessment_initial(assessment) -> dict:
    return {name: getattr(assessment, name) for name in (
        "title", "technology", "countries", "region", "scope", "starts_on", "ends_on", "owner", "status")}


class PhaseForm(forms.Form):
    kind = forms.ChoiceField(label=_("Phase"), choices=PhaseKind.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), widget=DateInput)
    progress = forms.IntegerField(label=_("Progress (percent)"), min_value=0, max_value=100, initial=0)
    done = forms.BooleanField(label=_("Done"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def plan(self) -> PhasePlan:
        data = self.cleaned_data
        return PhasePlan(kind=data["kind"], starts_on=data["starts_on"], ends_on=data["ends_on"],
                         progress=data["progress"], done=data["done"], notes=data["notes"])


class LanguagesField(forms.MultipleChoiceField):
    widget = SearchableSelectMultiple

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.choices = language_names.choices()


class PartnerForm(forms.Form):
    stakeholder = forms.ModelChoiceField(label=_("Stakeholder"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices)
    languages = LanguagesField(label=_("Working languages"), required=False)

    def __init__(self, *args, candidates, names: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stakeholder"].queryset = candidates
        self.fields["stakeholder"].label_from_instance = lambda stakeholder: names.get(stakeholder.pk, "")


class PartnerChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=PartnerRole.choices)
    languages = LanguagesField(label=_("Working languages"), required=False)


class AttendeesField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    title = forms.CharField(label=_("Title"), max_length=200)
    language = forms.ChoiceField(label=_("Language"))
    material = forms.CharField(label=_("Material"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               help_text=_("What was taught, or an outline of it."))
    material_file = forms.FileField(label=_("Material file"), required=False,
                                    help_text=_("Slides or handouts; kept encrypted, 20 MB at most."))
    attended = AttendeesField(label=_("Attended"), queryset=None, required=False)

    def __init__(self, *args, partners, names: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_names.choices()
        self.fields["attended"].queryset = partners
        self.fields["attended"].label_from_instance = lambda partner: names.get(partner.pk, "")


class AttendanceForm(forms.Form):
    attended = AttendeesField(label=_("Attended"), queryset=None, required=False)

    def __init__(self, *args, partners, names: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].queryset = partners
        self.fields["attended"].label_from_instance = lambda partner: names.get(partner.pk, "")


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("Question"), widget=forms.Textarea(attrs={"rows": 2}))
    asked_by = forms.ModelChoiceField(label=_("Asked by"), queryset=None, required=False,
                                      empty_label=_("Not recorded"))
    answer = forms.CharField(label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, partners, names: dict[int, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["asked_by"].queryset = partners
        self.fields["asked_by"].label_from_instance = lambda partner: names.get(partner.pk, "")


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 2}))


class EngagementsForm(forms.Form):
    engagements = forms.ModelMultipleChoiceField(label=_("Engagements held inside the assessment"), queryset=None,
                                                 widget=SearchableSelectMultiple)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagements"].queryset = candidates
        self.fields["engagements"].label_from_instance = lambda engagement: (
            f"{engagement.title} ({engagement.starts_on:%Y-%m-%d})")


class FindingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    countries = forms.MultipleChoiceField(label=_("Where"), required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text=_("None ticked: all the assessment's countries."))

    def __init__(self, *args, assessment, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = [
            (code, country.local_name if (country := countries.get(code)) else code) for code in assessment.countries]


class LinkRiskForm(forms.Form):
    risk = forms.ModelChoiceField(label=_("Salient risk"), queryset=None)

    def __init__(self, *args, risks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["risk"].queryset = risks
