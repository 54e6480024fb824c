import secrets

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.accounts.roles import Function, Role
from rightsloop.core.widgets import FastSelect, SearchableSelectMultiple
from rightsloop.stakeholders.vocabulary import Channel

from .actions import EngagementPlan
from .outcomes import decision_errors
from .vocabulary import Attribution, EngagementType, InformationHandling, LoopState, Outcome, Phase


class DateInput(forms.DateInput):
    input_type = "date"


def tag_names(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


class EngagementForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    type = forms.ChoiceField(label=_("Type"), choices=EngagementType.choices)
    phases = forms.MultipleChoiceField(label=_("Due diligence phases"), choices=Phase.choices,
                                       widget=forms.CheckboxSelectMultiple)
    purpose = forms.CharField(label=_("Purpose"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("What the company wants to learn, and which decision it informs."))
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DateInput,
                              help_text=_("Leave empty for a one-day engagement."))
    location = forms.CharField(label=_("Where"), required=False, max_length=200)
    information_handling = forms.ChoiceField(label=_("Information handling"), choices=InformationHandling.choices)
    handling_notes = forms.CharField(label=_("Handling notes"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    attending_functions = forms.MultipleChoiceField(
        label=_("Decision makers attending"), required=False, choices=Function.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Functions whose decision makers take part, so inputs can be triaged live."),
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(),
                                   help_text=_("Receives reminders while the loop is overdue."))
    feedback_due_on = forms.DateField(
        label=_("Feedback due"), required=False, widget=DateInput,
        help_text=_("Fixed once the engagement is created. Leave empty to use the organisation's default."),
    )
    participants = forms.TypedMultipleChoiceField(
        label=_("Invite participants"), required=False, coerce=int, widget=SearchableSelectMultiple,
        help_text=_("Several at once, each taking part directly; the newest of the register are listed, and the "
                    "engagement's page finds anyone else. People at high risk are never listed: invite them one by "
                    "one, through a proxy. Someone already asked often is not added but named, so you can look at "
                    "their load first."),
    )

    def __init__(self, *args, organisation, creating: bool, candidates: list[tuple[int, str]] | None = None,
                 **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is None:
            del self.fields["participants"]
        else:
            self.fields["participants"].choices = candidates
        self.fields["owner"].queryset = User.objects.filter(
            memberships__organisation=organisation, memberships__is_active=True,
            memberships__role__in=[Role.ADMIN, Role.HR_LEAD],
        ).order_by("username")
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        if not creating:
            del self.fields["feedback_due_on"]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        due = data.get("feedback_due_on")
        if due and (ends or starts) and due < (ends or starts):
            self.add_error("feedback_due_on", _("Feedback cannot be due before the engagement ends."))
        return data

    def plan(self) -> EngagementPlan:
        data = self.cleaned_data
        return EngagementPlan(
            title=data["title"], type=data["type"], phases=list(data["phases"]),
            purpose=data["purpose"], starts_on=data["starts_on"], ends_on=data.get("ends_on"),
            location=data["location"], information_handling=data["information_handling"],
            handling_notes=data["handling_notes"], attending_functions=list(data["attending_functions"]),
            feedback_due_on=data.get("feedback_due_on"), owner=data["owner"],
        )


class EngagementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    type = forms.ChoiceField(label=_("Type"), required=False,
                             choices=[("", _("Any")), *EngagementType.choices])
    loop_state = forms.ChoiceField(label=_("Loop"), required=False,
                                   choices=[("", _("Any")), *LoopState.choices])
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    cancelled = forms.BooleanField(label=_("Cancelled engagements"), required=False)


class ParticipantForm(forms.Form):
    via_proxy = forms.TypedChoiceField(label=_("Through a proxy"), required=False, coerce=int,
                                       empty_value=None, widget=forms.RadioSelect)
    override_reason = forms.CharField(
        label=_("Why engaging this person directly is safe and necessary"), required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only for a high-safety stakeholder engaged without a proxy. This is audited."),
    )
    confirm_load = forms.BooleanField(
        label=_("I have seen how often this stakeholder was asked already, and still invite them"),
        required=False)

    def __init__(self, *args, proxies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["via_proxy"].choices = [("", _("No proxy: engage directly"))] + [
            (proxy.pk, proxy.name) for proxy in proxies
        ]


class BriefingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    file = forms.FileField(label=_("File"), required=False)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    shared_on = forms.DateField(label=_("Shared on"), widget=DateInput)

    def clean(self):
        data = super().clean()
        if not data.get("link") and not data.get("file"):
            raise forms.ValidationError(_("Give a link or upload a file."))
        return data


def relay_value(participation_pk: int, group_pk: int) -> str:
    """The "who said it" value of a group's words relayed by a proxy: "<proxy's participation>:<group>"."""
    return f"{participation_pk}:{group_pk}"


def parse_speaker(value) -> tuple[int | None, int | None]:
    """(participation id, group id or None) from a "who said it" value."""
    if not value:
        return None, None
    participation, _sep, group = str(value).partition(":")
    return int(participation), int(group) if group else None


class InputForm(forms.Form):
    # A participant's id, or relay_value() for an affected group heard through its proxy.
    speaker = forms.ChoiceField(label=_("Who said it"), required=False, widget=FastSelect,
                                help_text=_("A group's words relayed by its proxy are recorded for the group, "
                                            "never for a person in it."))
    attribution = forms.ChoiceField(
        label=_("Attribution"), required=False,
        choices=[("", _("As their consent allows")), *Attribution.choices],
    )
    text = forms.CharField(label=_("What was said"), widget=forms.Textarea(attrs={"rows": 3}), max_length=20000)
    tags = forms.CharField(label=_("Themes"), required=False, max_length=300,
                           help_text=_("Separate with commas. The organisation's themes are suggested as you type."),
                           # The page's <datalist id="tag-suggestions"> (engagements/inputs.html).
                           widget=forms.TextInput(attrs={"list": "tag-suggestions", "autocomplete": "off",
                                                         "data-tags": ""}))
    owning_function = forms.ChoiceField(label=_("Route to"), required=False,
                                        choices=[("", _("Not yet routed")), *Function.choices])
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, speakers, relays=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("Not recorded")), *[(str(pk), label) for pk, label in speakers]]
        choices.extend(relays)  # labelled "<group>, through <proxy>" (FastSelect draws no option groups)
        self.fields["speaker"].choices = choices
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", secrets.token_urlsafe(24))


class InputFilterForm(forms.Form):
    group = forms.TypedChoiceField(label=_("Affected group"), required=False, coerce=int, empty_value=None)
    relayed = forms.ChoiceField(label=_("Heard"), required=False, choices=[
        ("", _("Any way")), ("yes", _("Through a proxy, for a group")), ("no", _("From participants"))])

    def __init__(self, *args, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [("", _("Any")), *((g.pk, g.name) for g in groups)]

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        relayed = {"yes": True, "no": False}.get(data.get("relayed") or "")
        return {"group": data.get("group"), "relayed": relayed}


class TriageForm(forms.Form):
    owning_function = forms.ChoiceField(label=_("Route to"), required=False,
                                        choices=[("", _("Not yet routed")), *Function.choices])
    tags = forms.CharField(label=_("Themes"), required=False, max_length=300)


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Outcome.choices, widget=forms.RadioSelect)
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What we did, or why not. Required unless the input is adopted in full."),
    )
    next_step = forms.CharField(label=_("Next step"), required=False, widget=forms.Textarea(
        attrs={"rows": 2, "data-shown-for": "outcome:under_consideration"}),
                                help_text=_("For decisions under consideration: through what process."))
    next_step_due = forms.DateField(label=_("Next step by"), required=False,
                                    widget=DateInput(attrs={"data-shown-for": "outcome:under_consideration"}),
                                    help_text=_("For decisions under consideration only."))

    def clean(self):
        data = super().clean()
        if "outcome" in data:
            errors = decision_errors(
                outcome=data["outcome"], rationale=data.get("rationale") or "",
                next_step=data.get("next_step") or "", next_step_due=data.get("next_step_due"),
                today=timezone.localdate(),
            )
            for field, message in errors.items():
                if field not in self.errors:
                    self.add_error(field, message)
        return data


class DeliveryForm(forms.Form):
    channel = forms.ChoiceField(label=_("Delivered by"))
    note = forms.CharField(label=_("Note"), required=False, max_length=300,
                           help_text=_("For example: read out in the follow-up call on 3 May."))

    def __init__(self, *args, channels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [
            (channel, Channel(channel).label) for channel in channels if channel != Channel.EMAIL
        ]


class PersonalNoteForm(forms.Form):
    # Not "note": the delivery form on the same page has a field of that name (and id).
    personal_note = forms.CharField(
        label=_("Personal note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Your own word to this person, shown in their letter after the thanks. Leave empty for none."),
    )


MAX_TRANSLATION_BYTES = 100_000


class TranslationForm(forms.Form):
    """A human translation of the whole letter, pasted or uploaded as a plain-text file."""

    language = forms.ChoiceField(label=_("Language of the translation"))
    text = forms.CharField(label=_("Translated letter"), required=False, max_length=MAX_TRANSLATION_BYTES,
                           widget=forms.Textarea(attrs={"rows": 12}))
    file = forms.FileField(label=_("Or upload it as a text file"), required=False,
                           help_text=_("Plain text (.txt), UTF-8."))

    def __init__(self, *args, language_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = language_choices

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return ""
        if upload.size > MAX_TRANSLATION_BYTES:
            raise forms.ValidationError(_("The file is too large for a letter."))
        try:
            return upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("The file is not plain text in UTF-8.")) from None

    def clean(self):
        cleaned = super().clean()
        text = (cleaned.get("text") or "").strip() or (cleaned.get("file") or "").strip()
        if not text and not self.errors:
            self.add_error("text", _("Paste or upload the translated letter."))
        cleaned["translation"] = text
        return cleaned
