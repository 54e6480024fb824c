"""Forms of the handler's pages: the list's filters and one form per action on a case."""

from __future__ import annotations

import secrets

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rightsloop.core import countries, rights
from rightsloop.core.widgets import FastSelect
from rightsloop.stakeholders.vocabulary import AtRisk

from . import attachments as attachment_rules
from . import stages
from .actions import cases, intake
from .case_queries import CaseFilters
from .vocabulary import Channel, MessageVia, Mode, RaisedBy, Stage

ANY = ("", pgettext_lazy("filter", "Any"))


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[ANY, *Stage.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[ANY, *Channel.choices])
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)
    overdue = forms.BooleanField(label=_("Overdue"), required=False)
    mine = forms.BooleanField(label=_("Mine"), required=False)
    unassigned = forms.BooleanField(label=_("Without a handler"), required=False)
    appealed = forms.BooleanField(label=_("Appealed"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [ANY, *countries.choices()]

    def filters(self) -> CaseFilters:
        if not self.is_valid():
            return CaseFilters()
        return CaseFilters(**self.cleaned_data)


class NoteField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("What we tell them"))
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", cases.NOTE_MAX)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        kwargs.setdefault("help_text", _("Shown to the person on their follow-up page, with the new stage."))
        super().__init__(**kwargs)


class AcknowledgeForm(forms.Form):
    note = NoteField()


class MoveForm(forms.Form):
    to = forms.ChoiceField(label=_("Move to"))
    note = NoteField()
    reasons = forms.CharField(
        label=_("Why it is not admissible, and where else they can go"), required=False,
        max_length=cases.NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when the case is not admissible; shown to the person."))

    def __init__(self, *args, current: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(code, Stage(code).label) for code in stages.NEXT.get(current, ())]


class HandlerForm(forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), required=False, queryset=None,
                                     empty_label=_("Nobody (release the case)"))

    def __init__(self, *args, handlers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = handlers
        self.fields["handler"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class ExclusionForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Keep out of this case"), queryset=None)
    reason = forms.CharField(label=_("Why (conflict of interest)"), max_length=cases.REASON_MAX,
                             help_text=_("Kept with the exclusion. An exclusion cannot be undone."))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members
        self.fields["user"].label_from_instance = lambda user: user.get_full_name() or user.get_username()


class MessageKind:
    MESSAGE = "message"
    QUESTION = "question"
    NOTE = "note"
    ANSWER_STAFF = "answer_staff"
    ANSWER_PROXY = "answer_proxy"


MESSAGE_KINDS = [
    (MessageKind.MESSAGE, _("A message to the person")),
    (MessageKind.QUESTION, _("A question to the person (awaits their answer)")),
    (MessageKind.NOTE, _("An internal note (never shown to them)")),
    (MessageKind.ANSWER_STAFF, _("What they told us by phone, letter or in person")),
    (MessageKind.ANSWER_PROXY, _("What they told us through their proxy")),
]


class MessageForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MESSAGE_KINDS, initial=MessageKind.MESSAGE)
    text = forms.CharField(label=pgettext_lazy("case message", "Text"), max_length=cases.MESSAGE_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}))


def send(kind: str, *, grievance, text: str, by):
    """Hand a message form's kind to the action that writes it."""
    if kind in (MessageKind.MESSAGE, MessageKind.QUESTION):
        return cases.send_message(grievance=grievance, text=text, is_question=kind == MessageKind.QUESTION, by=by)
    if kind == MessageKind.NOTE:
        return cases.add_internal_note(grievance=grievance, text=text, by=by)
    via = MessageVia.PROXY if kind == MessageKind.ANSWER_PROXY else MessageVia.STAFF
    return cases.record_message_from_complainant(grievance=grievance, text=text, via=via, by=by)


class OutcomeForm(forms.Form):
    summary = forms.CharField(label=_("Outcome"), max_length=cases.OUTCOME_MAX,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("What was found and what will be done; shown to the person. Changing it "
                                          "asks for a new rights review."))


class ClassificationForm(forms.Form):
    rights = forms.MultipleChoiceField(label=_("Rights at stake"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    at_risk = forms.MultipleChoiceField(label=_("Groups at risk among the affected"), required=False,
                                        choices=AtRisk.choices, widget=forms.CheckboxSelectMultiple)
    product = forms.CharField(label=_("Product or service"), required=False, max_length=cases.PRODUCT_MAX)
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rights"].choices = rights.choices()
        self.fields["country"].choices = [("", _("Not known")), *countries.choices()]



# Recording a grievance received by another channel ---------------------------------

# The channels staff record by hand (the web page, the portal and the API record themselves).
RECORDED_CHANNELS = (Channel.HOTLINE, Channel.SMS, Channel.LETTER, Channel.IN_PERSON, Channel.NGO, Channel.EMAIL)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Several files in one input; the rules on them (count, size, type) are the intake's own."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [file for file in data if file]
        return [data] if data else []


def _text_field(label, limit: int, *, rows: int = 0, required: bool = False, **kwargs):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput
    return forms.CharField(label=label, max_length=limit, required=required, widget=widget, **kwargs)


class RecordForm(forms.Form):
    """What a member types in from a hotline call, an SMS, a letter, a visit or an NGO's report."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    channel = forms.ChoiceField(label=_("How it reached us"),
                                choices=[(code, Channel(code).label) for code in RECORDED_CHANNELS])
    mode = forms.ChoiceField(label=_("How they come forward"), choices=Mode.choices, initial=Mode.ANONYMOUS,
                             widget=forms.RadioSelect)
    raised_by = forms.ChoiceField(label=_("Raised by"), choices=RaisedBy.choices, initial=RaisedBy.AFFECTED,
                                  widget=forms.RadioSelect)
    description = _text_field(_("What happened"), intake.DESCRIPTION_MAX, rows=8, required=True,
                              help_text=_("In their words, in their language."))
    country = forms.ChoiceField(label=_("Where it happened (country)"), required=False, widget=FastSelect)
    occurred_on = forms.DateField(label=_("When it happened (date)"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    when_text = _text_field(_("When, in their words"), intake.TEXT_LIMITS["when_text"])
    product = _text_field(_("Product or service"), intake.TEXT_LIMITS["product"])
    affected_people = _text_field(_("Who was affected"), intake.TEXT_LIMITS["affected_people"], rows=3)
    wanted_outcome = _text_field(_("What they want to happen"), intake.TEXT_LIMITS["wanted_outcome"], rows=3)
    at_risk = forms.MultipleChoiceField(label=_("Groups at risk among the affected"), required=False,
                                        choices=AtRisk.choices, widget=forms.CheckboxSelectMultiple)
    supported_by_adviser = forms.BooleanField(label=_("Supported by a proxy or adviser"), required=False)
    complainant_name = _text_field(_("Their name"), intake.TEXT_LIMITS["complainant_name"],
                                   help_text=_("Confidential and named cases only; leave empty when anonymous."))
    complainant_contact = _text_field(_("How to reach them safely"), intake.TEXT_LIMITS["complainant_contact"],
                                      help_text=_("Confidential and named cases only."))
    stakeholder = forms.IntegerField(label=_("The person in the stakeholder register (number)"), required=False,
                                     min_value=1, max_value=2**63 - 1,
                                     help_text=_("Only for a confidential or named case of someone already in the "
                                                 "register."))
    proxy = forms.IntegerField(label=_("Filed by a credible proxy (stakeholder number)"), required=False,
                               min_value=1, max_value=2**63 - 1)
    on_behalf_of = forms.ModelChoiceField(label=_("On behalf of an affected group"), required=False, queryset=None,
                                          empty_label=_("None"))
    represents = _text_field(_("Whom the proxy represents"), intake.TEXT_LIMITS["represents"],
                             help_text=_("For a proxy filing on behalf of a community: whom it speaks for, and why "
                                         "it may."))
    attachments = FilesField(label=_("Files (optional)"),
                             help_text=_("Up to %(n)d files of at most 10 MB each: PDF, pictures, plain text or "
                                         "sound recordings.") % {"n": attachment_rules.MAX_FILES})

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("Not known")), *countries.choices()]
        self.fields["on_behalf_of"].queryset = groups
        if not self.is_bound:
            self.fields["token"].initial = secrets.token_urlsafe(24)

    def report(self, *, language: str) -> intake.GrievanceReport:
        data = self.cleaned_data
        return intake.GrievanceReport(
            mode=data["mode"], raised_by=data["raised_by"], description=data["description"],
            country=data["country"], occurred_on=data["occurred_on"], when_text=data["when_text"],
            product=data["product"], affected_people=data["affected_people"], wanted_outcome=data["wanted_outcome"],
            complainant_name=data["complainant_name"], complainant_contact=data["complainant_contact"],
            represents=data["represents"], at_risk=list(data["at_risk"]),
            supported_by_adviser=data["supported_by_adviser"], interface_language=language)
