"""Forms of the handler's pages: the list's filters and one form per action on a case."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rightsloop.core import countries, rights
from rightsloop.stakeholders.vocabulary import AtRisk

from . import stages
from .actions import cases
from .case_queries import CaseFilters
from .vocabulary import Channel, MessageVia, Stage

ANY = ("", pgettext_lazy("filter", "Any"))


class CaseFilterForm(forms.Form):
    stage = forms.ChoiceField(label=_("Stage"), required=False, choices=[ANY, *Stage.choices])
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[ANY, *Channel.choices])
    country = forms.ChoiceField(label=_("Country"), required=False)
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
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rights"].choices = rights.choices()
        self.fields["country"].choices = [("", _("Not known")), *countries.choices()]

