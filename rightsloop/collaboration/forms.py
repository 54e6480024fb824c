"""The forms of shared assessments: each parses, the actions decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.assessments.vocabulary import PartnerRole
from rightsloop.core import languages as language_codes

from .vocabulary import PoolConsentMethod


class ShareForm(forms.Form):
    assessment = forms.ModelChoiceField(queryset=None, label=_("Assessment to share"))

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessment"].queryset = assessments


class InviteForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organisation to invite"), coerce=int, choices=())

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = [("", "—")] + [(o.pk, o.name) for o in organisations]


class EngagementForm(forms.Form):
    engagement = forms.ModelChoiceField(queryset=None, label=_("Engagement to hold inside the assessment"))

    def __init__(self, *args, engagements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engagement"].queryset = engagements


class PartnerForm(forms.Form):
    stakeholder = forms.ModelChoiceField(queryset=None, label=_("Stakeholder"))
    role = forms.ChoiceField(label=_("Role in the assessment"), choices=PartnerRole.choices)
    languages = forms.MultipleChoiceField(label=_("Working languages"), required=False, choices=(),
                                          help_text=_("Empty: the languages of their profile."))
    consent_method = forms.ChoiceField(label=_("How they consented to being in the shared pool"),
                                       choices=PoolConsentMethod.choices)
    consent_given_on = forms.DateField(label=_("Consent given on"), widget=forms.DateInput(attrs={"type": "date"}),
                                       initial=timezone.localdate)
    consent_confirmed = forms.BooleanField(label=_(
        "They agreed that the other members see their name (a code name if their safety level asks for it), "
        "organisation, country, languages and role, and may ask them to take part."))

    def __init__(self, *args, stakeholders, label_of, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["stakeholder"]
        field.queryset = stakeholders
        field.label_from_instance = label_of
        self.fields["languages"].choices = language_codes.choices()


class RequestForm(forms.Form):
    shared_engagement = forms.TypedChoiceField(label=_("Engagement"), coerce=int, choices=())
    confirm_load = forms.BooleanField(label=_("Ask anyway: I have seen how often they were asked"), required=False)

    def __init__(self, *args, engagements, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["shared_engagement"].choices = [("", "—")] + [
            (e.pk, f"{e.title} ({e.organisation.name})") for e in engagements]
