"""Forms of the agreement pages: they parse and check input, then hand typed terms to the actions."""

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from rightsloop.engagements.vocabulary import EngagementType

from .agreements import AgreementTerms
from .models import AgreementState, Answer, AnswerVia, BriefingTopic, TheyMay, WeMay

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ALLOWED, NOT_ALLOWED = "yes", "no"
PERMISSION_CHOICES = [(NOT_ALLOWED, _("Not allowed")), (ALLOWED, _("Allowed"))]


def _month_choices() -> list[tuple[int, str]]:
    return sorted(MONTHS.items())


def _text(label, rows: int = 2, help_text: str = ""):
    return forms.CharField(label=label, required=False, max_length=10000, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}))


class AgreementForm(forms.Form):
    """Every term of one version; permissions each way are a field per permission."""

    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    review_on = forms.DateField(label=_("Review date"), widget=DATE,
                                help_text=_("The owner is reminded a month before."))
    engagements_expected = forms.IntegerField(label=_("Engagements expected over the next 12 months"),
                                              required=False, min_value=0, max_value=366)
    engagement_kinds = forms.MultipleChoiceField(label=_("Which kinds"), required=False,
                                                 choices=EngagementType.choices, widget=forms.CheckboxSelectMultiple)
    indicative_months = forms.TypedMultipleChoiceField(
        label=_("Indicative months"), required=False, coerce=int, choices=_month_choices,
        widget=forms.CheckboxSelectMultiple)
    briefing_topics = forms.MultipleChoiceField(label=_("We commit to brief them on"), required=False,
                                                choices=BriefingTopic.choices, widget=forms.CheckboxSelectMultiple)
    briefing_notes = _text(_("Briefing: anything else"))
    feedback_within_days = forms.IntegerField(
        label=_("We tell them what became of their input within (days)"), required=False, min_value=1,
        max_value=365)
    loop_closure_notes = _text(_("How we close the loop"))
    our_handling = _text(_("How we treat their sensitive information"))
    their_handling = _text(_("How they treat our sensitive information"))
    attribution_notes = _text(_("Attribution: anything else"))
    nda_scope = _text(_("What the NDA covers"), rows=3,
                      help_text=_("Leave empty for no NDA. An NDA always ends: give its sunset date."))
    nda_sunset_on = forms.DateField(label=_("The NDA ends on"), required=False, widget=DATE,
                                    help_text=_("After this date they may speak openly about the engagement."))
    compensation_terms = _text(_("Compensation"),
                               help_text=_("What we pay for their time, or that they chose to be unpaid."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One field per permission, each way, placed after "their handling".
        for prefix, codes in (("we_may", WeMay), ("they_may", TheyMay)):
            for code, label in codes.choices:
                self.fields[f"{prefix}__{code}"] = forms.ChoiceField(
                    label=(_("We: %(rule)s") if prefix == "we_may" else _("They: %(rule)s")) % {"rule": label},
                    choices=PERMISSION_CHOICES, initial=NOT_ALLOWED, required=False, widget=forms.RadioSelect)
        order = [name for name in self.fields if name not in ("attribution_notes", "nda_scope", "nda_sunset_on",
                                                                "compensation_terms")]
        self.order_fields([*order, "attribution_notes", "nda_scope", "nda_sunset_on", "compensation_terms"])

    @classmethod
    def initial_of(cls, terms: AgreementTerms) -> dict:
        initial = {name: value for name, value in terms.__dict__.items() if name not in ("we_may", "they_may")}
        for prefix in ("we_may", "they_may"):
            for code, allowed in getattr(terms, prefix).items():
                initial[f"{prefix}__{code}"] = ALLOWED if allowed else NOT_ALLOWED
        return initial

    def terms(self) -> AgreementTerms:
        data = self.cleaned_data
        permissions = {
            prefix: {code: data.get(f"{prefix}__{code}") == ALLOWED for code in codes.values}
            for prefix, codes in (("we_may", WeMay), ("they_may", TheyMay))
        }
        return AgreementTerms(
            starts_on=data["starts_on"], review_on=data["review_on"],
            engagements_expected=data.get("engagements_expected"),
            engagement_kinds=list(data.get("engagement_kinds") or []),
            indicative_months=list(data.get("indicative_months") or []),
            briefing_topics=list(data.get("briefing_topics") or []),
            briefing_notes=data.get("briefing_notes", ""), feedback_within_days=data.get("feedback_within_days"),
            loop_closure_notes=data.get("loop_closure_notes", ""), our_handling=data.get("our_handling", ""),
            their_handling=data.get("their_handling", ""), we_may=permissions["we_may"],
            they_may=permissions["they_may"], attribution_notes=data.get("attribution_notes", ""),
            nda_scope=data.get("nda_scope", ""), nda_sunset_on=data.get("nda_sunset_on"),
            compensation_terms=data.get("compensation_terms", ""),
        )


class AgreementFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("Any state")), *AgreementState.choices])
    review_due = forms.BooleanField(label=_("Review due within a month (or overdue)"), required=False)
    sunset_soon = forms.BooleanField(label=_("NDA ends within a month"), required=False)


OFFLINE_VIA = [(code, label) for code, label in AnswerVia.choices if code != AnswerVia.PORTAL]


class OfflineAnswerForm(forms.Form):
    """The stakeholder's answer as a member of staff heard it."""

    answer = forms.ChoiceField(label=_("Their answer"), choices=Answer.choices, widget=forms.RadioSelect)
    via = forms.ChoiceField(label=_("How it reached you"), choices=OFFLINE_VIA)
    comment = forms.CharField(label=_("Their comment, in their words"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Needed when they ask for changes."))


class EndForm(forms.Form):
    reason = forms.CharField(label=_("Why it ends"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class OwnerForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner of the relationship"), queryset=None, required=False,
                                   empty_label=_("Nobody named: the human rights lead stands in"))

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
