"""Forms of remedy plans: the handlers' pages and the affected person's follow-up section."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from rightsloop.engagements.actions.inputs import MAX_INPUT_LENGTH
from rightsloop.engagements.forms import DateInput, DecisionForm

from .actions.remedy import MAX_DESCRIPTION_LENGTH, MAX_NOTE_LENGTH
from .vocabulary import ConfirmationAnswer, MessageVia, RemedyType

__all__ = [
    "ActionForm", "AnswerForm", "CaseChoiceForm", "DecisionForm", "PlanForm", "ProposalForm", "StaffAnswerForm",
    "StaffProposalForm",
]

# How a member writes down what the person said: by phone, letter or in person, or through their proxy.
STAFF_VIA = [(MessageVia.STAFF.value, MessageVia.STAFF.label), (MessageVia.PROXY.value, MessageVia.PROXY.label)]


class CaseLabelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label


class CaseLabelMultipleChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.label


class PlanCaseChoice(forms.TypedChoiceField):
    """One of the plan's cases, from a list read once (a page with a form per action reads the cases once)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, **kwargs)
        self.cases: dict[int, object] = {}

    def set_cases(self, cases) -> None:
        self.cases = {case.pk: case for case in cases}
        self.choices = [("", "---------"), *((case.pk, case.label) for case in self.cases.values())]

    def clean(self, value):
        number = super().clean(value)
        return self.cases[number]


class OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class PlanForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200,
                            help_text=_("Seen by the case handlers only; the affected people see the actions."))
    others = CaseLabelMultipleChoice(
        label=_("Group other cases into this plan"), queryset=None, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Open cases with the same harm, whose people will shape and check one remedy together."))

    def __init__(self, *args, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["others"].queryset = others


class CaseChoiceForm(forms.Form):
    grievance = CaseLabelChoice(label=_("Case"), queryset=None)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grievance"].queryset = cases


def one_time_key() -> str:
    return secrets.token_urlsafe(24)


class ProposalForm(forms.Form):
    """The affected person's own proposal; the hidden key makes a form posted twice one proposal."""

    text = forms.CharField(label=_("What would put this right for you?"), max_length=MAX_INPUT_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 4}),
                           help_text=_("In your own words and language. We will answer each proposal and say why."))
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission_key", one_time_key())
        super().__init__(*args, **kwargs)


class StaffProposalForm(ProposalForm):
    grievance = PlanCaseChoice(label=_("From the people of case"))
    via = forms.ChoiceField(label=_("Received"), choices=STAFF_VIA)

    field_order = ["grievance", "via", "text"]

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grievance"].set_cases(cases)
        self.fields["text"].label = _("What they proposed")
        self.fields["text"].help_text = _("Their words, as close as you can.")


class ActionForm(forms.Form):
    remedy_type = forms.ChoiceField(label=_("Type of remedy"), choices=RemedyType.choices)
    description = forms.CharField(label=_("What will be done"), max_length=MAX_DESCRIPTION_LENGTH,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("In words the affected people understand: they are shown it."))
    owner = OwnerChoice(label=_("Owner"), queryset=None)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    proposal = forms.ModelChoiceField(label=_("Answers the proposal"), queryset=None, required=False)

    def __init__(self, *args, owners, proposals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["proposal"].queryset = proposals
        self.fields["proposal"].label_from_instance = lambda item: _("Proposal %(number)s") % {"number": item.pk}


class AnswerForm(forms.Form):
    """Was the action done? Asked of the affected person once it is marked delivered."""

    answer = forms.ChoiceField(label=_("Was this done?"), choices=ConfirmationAnswer.choices,
                               widget=forms.RadioSelect)
    note = forms.CharField(label=_("Anything you want to add (optional)"), required=False, max_length=MAX_NOTE_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 2}))


class RemedyAgreementForm(forms.Form):
    """Does the proposed remedy suit the person? Asked while the case is at "remedy proposed"."""

    agree = forms.TypedChoiceField(
        label=_("Is this remedy right for you?"), widget=forms.RadioSelect, coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes, I agree to it")), ("no", _("No, it is not right for me"))])
    note = forms.CharField(label=_("What is wrong with it, or what would you want instead? (needed if you do not "
                                   "agree)"), required=False, max_length=MAX_NOTE_LENGTH,
                           widget=forms.Textarea(attrs={"rows": 3}))


class StaffAnswerForm(AnswerForm):
    grievance = PlanCaseChoice(label=_("Answer of the people of case"))
    via = forms.ChoiceField(label=_("Received"), choices=STAFF_VIA)

    field_order = ["grievance", "via", "answer", "note"]

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grievance"].set_cases(cases)
        self.fields["answer"].label = _("What they said")


def owners_of(organisation):
    """Who may own a remedy action: the organisation's active members."""
    return (get_user_model().objects.filter(memberships__organisation=organisation, memberships__is_active=True,
                                            is_active=True).distinct().order_by("first_name", "last_name", "username"))
