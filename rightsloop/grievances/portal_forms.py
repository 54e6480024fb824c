"""Forms of the grievances section of the stakeholder portal. They parse and explain; the rules (the mandate to
file for a group, no anonymity in the portal) live in actions.portal and actions.intake.

Answering, satisfaction and appeal reuse the public follow-up page's forms (intake_forms), and the remedy part
the remedy forms: the same questions, asked the same way, wherever the person follows their case.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rightsloop.core import countries
from rightsloop.core.widgets import FastSelect
from rightsloop.stakeholders.vocabulary import AtRisk

from .actions.intake import DESCRIPTION_MAX, TEXT_LIMITS, GrievanceReport
from .intake_forms import AppealForm, ReplyForm, SatisfactionForm, TextField, new_token
from .remedy_forms import AnswerForm, ProposalForm, RemedyAgreementForm
from .vocabulary import Mode, RaisedBy

__all__ = ["AnswerForm", "AppealForm", "ProposalForm", "RaiseForm", "RemedyAgreementForm", "ReplyForm",
           "SatisfactionForm"]

MODE_CHOICES = [
    (Mode.CONFIDENTIAL.value, _("Confidential: only the people handling grievances know it is me")),
    (Mode.NAMED.value, _("Named: my identity may be shared where dealing with the case needs it")),
]
FOR_MYSELF = ""


class RaiseForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    mode = forms.ChoiceField(label=_("How do you come forward?"), choices=MODE_CHOICES, initial=Mode.CONFIDENTIAL,
                             widget=forms.RadioSelect,
                             error_messages={"required": _("Choose confidential or named."),
                                             "invalid_choice": _(
                                                 "The portal knows who you are, so a grievance raised here cannot "
                                                 "be anonymous. Choose confidential or named, or use the public "
                                                 "grievance page to stay anonymous.")})
    # The group's id as typed: the action says plainly when it is not a group they represent today (a
    # ChoiceField would only say "not one of the available choices").
    on_behalf_of = forms.CharField(label=_("For whom do you raise this?"), required=False, max_length=20,
                                   widget=forms.Select)
    represents = TextField(label=_("Whom you represent in this case"), limit=TEXT_LIMITS["represents"],
                           help_text=_("For a group: which of its people this is about (a village, the workers of "
                                       "one site…), or the whole group. Do not name anyone who has not agreed."))
    description = TextField(label=_("What happened?"), limit=DESCRIPTION_MAX, required=True,
                            help_text=_("In your own words and your own language. Up to 20,000 characters."),
                            widget=forms.Textarea(attrs={"rows": 8}),
                            error_messages={"required": _("Tell us what happened: this is the one thing we "
                                                          "need.")})
    country = forms.ChoiceField(label=_("Where did it happen? (country)"), required=False, widget=FastSelect)
    occurred_on = forms.DateField(label=_("When did it happen? (date)"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("If you know the day. Otherwise say it in words below."))
    when_text = TextField(label=_("When, in your words"), limit=TEXT_LIMITS["when_text"])
    product = TextField(label=_("Which product or service?"), limit=TEXT_LIMITS["product"])
    affected_people = TextField(label=_("Who was affected?"), limit=TEXT_LIMITS["affected_people"],
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("You do not need to name anyone."))
    wanted_outcome = TextField(label=_("What would you like to happen?"), limit=TEXT_LIMITS["wanted_outcome"],
                               widget=forms.Textarea(attrs={"rows": 3}))
    at_risk = forms.MultipleChoiceField(label=_("Are any of the people affected in one of these groups?"),
                                        required=False, choices=AtRisk.choices, widget=forms.CheckboxSelectMultiple,
                                        help_text=_("Optional. It helps us take extra care."))
    supported_by_adviser = forms.BooleanField(
        label=_("Someone (an organisation, a lawyer, a relative) is helping me with this"), required=False)

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = list(groups)
        self.fields["country"].choices = [("", pgettext_lazy("country", "Not stated")), *countries.choices()]
        # Only a proxy with a current mandate is shown the choice (the page hides it otherwise); a group posted
        # anyway reaches the action, which refuses it plainly rather than filing it as their own.
        self.fields["on_behalf_of"].widget.choices = [
            (FOR_MYSELF, _("Myself: I was affected")),
            *((str(group.pk), _("The group I represent: %(group)s") % {"group": group.name})
              for group in self.groups)]
        if not self.is_bound:
            self.fields["token"].initial = new_token()

    def clean_on_behalf_of(self):
        chosen = (self.cleaned_data.get("on_behalf_of") or "").strip()
        return chosen or None

    def report(self, *, language: str) -> GrievanceReport:
        data = self.cleaned_data
        return GrievanceReport(
            mode=data["mode"], raised_by=RaisedBy.AFFECTED, description=data["description"],
            country=data["country"], occurred_on=data["occurred_on"], when_text=data["when_text"],
            product=data["product"], affected_people=data["affected_people"], wanted_outcome=data["wanted_outcome"],
            represents=data["represents"], at_risk=list(data["at_risk"]),
            supported_by_adviser=data["supported_by_adviser"], interface_language=language)

    def main_fields(self):
        names = ("description", "country", "occurred_on", "when_text", "product", "affected_people",
                 "wanted_outcome", "at_risk", "supported_by_adviser")
        return [self[name] for name in names]
