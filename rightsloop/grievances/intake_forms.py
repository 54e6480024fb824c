"""The forms of the public grievance pages: raise a grievance, type a receipt, answer, add a file, say how
satisfied you are, appeal. They parse and explain; the rules themselves live in the actions."""

from __future__ import annotations

import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from rightsloop.core import countries
from rightsloop.core.widgets import FastSelect
from rightsloop.stakeholders.vocabulary import AtRisk

from . import attachments as attachment_rules
from . import receipts
from .actions.follow_up import MESSAGE_MAX, NOTE_MAX, REASON_MAX
from .actions.intake import DESCRIPTION_MAX, REPLACEMENT, TEXT_LIMITS
from .vocabulary import Mode, RaisedBy, Satisfaction

# The three ways to come forward, as links on the intake page (?way=…): the form then asks only for what that
# way needs, so an anonymous person is never shown a name field.
WAYS = {
    Mode.ANONYMOUS: _("Nothing that identifies you is asked for or kept. You follow your case with the receipt "
                      "you are given; we cannot contact you, so come back to read our answers."),
    Mode.CONFIDENTIAL: _("You give your name or a way to reach you. Only the people handling grievances can "
                         "see it, and it is kept encrypted."),
    Mode.NAMED: _("You give your name, and it may be shared where dealing with your case needs it (with the "
                  "team whose product is concerned, say)."),
}


def _readable(value: str) -> str:
    if REPLACEMENT in (value or ""):
        raise ValidationError(_("Some characters of this text could not be read (it is not valid UTF-8). Type or "
                                "paste it again."), code="broken_utf8")
    return value


class TextField(forms.CharField):
    """A text field that refuses broken UTF-8 (what a browser or client sent as undecodable bytes)."""

    def __init__(self, *, limit: int, **kwargs):
        self.limit = limit
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        _readable(value)
        if len(value) > self.limit:
            raise ValidationError(_("Keep this under %(limit)s characters; it has %(count)s. Say the most "
                                    "important first: you can add more later through the follow-up page.") % {
                "limit": f"{self.limit:,}", "count": f"{len(value):,}"}, code="too_long")
        return value


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.gif,.webp,.txt,"
                                                                        ".mp3,.m4a,.ogg,.opus,.wav"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [file for file in data if file]
        return [data] if data else []


def new_token() -> str:
    """The one-time token a form carries: the same form sent twice makes one case, with one receipt."""
    return secrets.token_urlsafe(24)


class IntakeForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    mode = forms.ChoiceField(choices=Mode.choices, widget=forms.HiddenInput)
    raised_by = forms.ChoiceField(label=_("Who is raising this?"), choices=RaisedBy.choices,
                                  initial=RaisedBy.AFFECTED, widget=forms.RadioSelect)
    description = TextField(label=_("What happened?"), limit=DESCRIPTION_MAX, required=True,
                            help_text=_("In your own words and your own language. Up to 20,000 characters."),
                            widget=forms.Textarea(attrs={"rows": 8}),
                            error_messages={"required": _("Tell us what happened: this is the one thing we "
                                                          "need.")})
    country = forms.ChoiceField(label=_("Where did it happen? (country)"), required=False, widget=FastSelect)
    occurred_on = forms.DateField(label=_("When did it happen? (date)"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("If you know the day. Otherwise say it in words below."))
    when_text = TextField(label=_("When, in your words"), limit=TEXT_LIMITS["when_text"],
                          help_text=_("For example: “since last March”, “every night for a week”."))
    product = TextField(label=_("Which product or service?"), limit=TEXT_LIMITS["product"])
    affected_people = TextField(label=_("Who was affected?"), limit=TEXT_LIMITS["affected_people"],
                                widget=forms.Textarea(attrs={"rows": 3}),
                                help_text=_("You, your family, a community, a group of workers… You do not need "
                                            "to name anyone."))
    represents = TextField(label=_("If you speak for others: whom?"), limit=TEXT_LIMITS["represents"],
                           help_text=_("A community, an association, a family."))
    wanted_outcome = TextField(label=_("What would you like to happen?"), limit=TEXT_LIMITS["wanted_outcome"],
                               widget=forms.Textarea(attrs={"rows": 3}))
    at_risk = forms.MultipleChoiceField(label=_("Are any of the people affected in one of these groups?"),
                                        required=False, choices=AtRisk.choices, widget=forms.CheckboxSelectMultiple,
                                        help_text=_("Optional. It helps us take extra care."))
    supported_by_adviser = forms.BooleanField(
        label=_("Someone (an organisation, a lawyer, a relative) is helping me with this"), required=False)
    complainant_name = TextField(label=_("Your name"), limit=TEXT_LIMITS["complainant_name"],
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}))
    complainant_contact = TextField(label=_("How can we reach you safely?"),
                                    limit=TEXT_LIMITS["complainant_contact"],
                                    help_text=_("A phone number, an email address, or a person or organisation "
                                                "who can pass on a message."))
    attachments = MultipleFileField(
        label=_("Files (optional)"),
        help_text=_("Up to %(n)d files of at most 10 MB each: PDF, pictures (PNG, JPEG, GIF, WebP), plain text, "
                    "or sound recordings (MP3, M4A, OGG, WAV).") % {"n": attachment_rules.MAX_FILES})

    def __init__(self, *args, mode: str, organisation_name: str, products: list[str] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.way = mode
        self.fields["mode"].initial = mode
        self.fields["country"].choices = [("", pgettext_lazy("country", "Not stated")), *countries.choices()]
        self.fields["raised_by"].choices = [
            (RaisedBy.AFFECTED, _("I am affected myself")),
            (RaisedBy.ON_BEHALF, _("I speak for someone else, or for a group")),
            (RaisedBy.STAFF, _("I work for %(organisation)s and raise a concern about its products") % {
                "organisation": organisation_name}),
        ]
        self.products = [str(product) for product in products if product]
        if mode == Mode.ANONYMOUS:
            del self.fields["complainant_name"]
            del self.fields["complainant_contact"]
        if not self.is_bound:
            self.fields["token"].initial = new_token()

    def clean(self):
        cleaned = super().clean()
        if self.way == Mode.ANONYMOUS and any(
                (self.data.get(name) or "").strip() for name in ("complainant_name", "complainant_contact")):
            raise ValidationError(_("You chose to stay anonymous, so we do not take a name or contact."))
        return cleaned

    def clean_mode(self):
        mode = self.cleaned_data["mode"]
        if mode != self.way:
            raise ValidationError(_("Choose how you come forward again."))
        return mode

    def identity_fields(self):
        return [self[name] for name in ("complainant_name", "complainant_contact") if name in self.fields]

    def main_fields(self):
        names = ("raised_by", "description", "country", "occurred_on", "when_text", "product", "affected_people",
                 "represents", "wanted_outcome", "at_risk", "supported_by_adviser")
        return [self[name] for name in names]


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=_("Your receipt"), max_length=receipts.MAX_TYPED,
        help_text=_("The 32 digits you were given, in groups of four. Spaces and dashes do not matter, and you can "
                    "type them in your own digits."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "spellcheck": "false",
                                      "dir": "ltr"}),
        error_messages={"required": _("Type your receipt.")})

    def clean_receipt(self):
        typed = _readable(self.cleaned_data["receipt"])
        if receipts.normalise(typed) is None:
            raise ValidationError(_("A receipt is 32 digits. Check that you copied all eight groups of four."))
        return typed


class ReplyForm(forms.Form):
    token = forms.CharField(widget=forms.HiddenInput, max_length=200)
    text = TextField(label=_("Your message"), limit=MESSAGE_MAX, required=True,
                     widget=forms.Textarea(attrs={"rows": 5}),
                     error_messages={"required": _("Write your message.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["token"].initial = new_token()


class AttachmentForm(forms.Form):
    attachments = MultipleFileField(
        label=_("Add files"),
        help_text=_("Up to %(n)d files of at most 10 MB each: PDF, pictures, plain text or sound recordings.") % {
            "n": attachment_rules.MAX_FILES})


class SatisfactionForm(forms.Form):
    satisfaction = forms.ChoiceField(label=_("How satisfied are you with the outcome?"), choices=Satisfaction.choices,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": _("Choose how satisfied you are.")})
    note = TextField(label=_("Anything you want to tell us about it (optional)"), limit=NOTE_MAX,
                     widget=forms.Textarea(attrs={"rows": 3}))


class AppealForm(forms.Form):
    reason = TextField(label=_("Why do you appeal?"), limit=REASON_MAX, required=True,
                       help_text=_("What you think was wrong with the outcome. A different person will look at your "
                                   "case again."),
                       widget=forms.Textarea(attrs={"rows": 4}),
                       error_messages={"required": _("Say briefly why you appeal.")})
