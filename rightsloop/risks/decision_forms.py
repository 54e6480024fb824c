"""Forms of the strategic decision pages (R3) and the context event pages (R4)."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.core import countries
from rightsloop.engagements.models import Engagement

from .actions import DecisionPlan
from .forms import CountryListField
from .mitigation_forms import members_of
from .models import Risk, StrategicDecision
from .vocabulary import (
    GATED_CATEGORIES,
    NEEDS_NOTE,
    Communication,
    ConditionStatus,
    DecisionCategory,
    DecisionOutcome,
    DecisionStatus,
    EventKind,
)


class DateInput(forms.DateInput):
    input_type = "date"


def split_list(raw: str) -> list[str]:
    """Items typed one per line or separated by commas."""
    return [part.strip() for part in raw.replace("\n", ",").split(",") if part.strip()]


class DecisionFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any")), *DecisionStatus.choices])
    category = forms.ChoiceField(label=_("Kind of decision"), required=False,
                                 choices=[("", _("Any")), *DecisionCategory.choices])
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", _("Any")), *DecisionOutcome.choices])


@dataclass
class Step:
    """A group of the decision form's fields with a heading and a plain explanation."""

    key: str
    heading: str
    help: str
    fields: list


STEPS = (
    ("about", _("The decision"),
     _("Name the decision and say in a few sentences what the company is about to do. A market entry, "
       "geographic expansion or sale to a high-risk customer names its markets: it cannot be taken until local "
       "experts and affected people from each were heard, in one of the market's main languages."),
     ("title", "category", "description", "markets")),
    ("picture", _("Step 1: the risks as they stand today"),
     _("Tick every salient risk this decision could create, make worse or make better, then describe how "
       "things look now: who could be harmed, where, how badly, and what is still unknown."),
     ("risks", "risk_picture")),
    ("mitigation", _("Step 2: what will reduce the risks, and what will not"),
     _("Say which actions will lower each linked risk. Be explicit about the risks that stay unmitigated for "
       "now or that cannot be mitigated at all. Individual mitigations are recorded on each risk's own page; "
       "a severe risk with no mitigation under way needs a remedy plan there before the decision can be taken."),
     ("mitigation_plan",)),
    ("remedy", _("Step 3: how harm would be put right"),
     _("If the harm happens anyway, how will the people affected get remedy: who acts, through which channel, "
       "how fast, and who pays."),
     ("remedy_plan",)),
    ("communication", _("Step 4: whether and how to tell people"),
     _("Choose how the decision will be communicated and describe the plan. When any linked risk is severe, "
       "formal public reporting is required. Before anything is published, check that it cannot put "
       "stakeholders, defenders, staff or partners in danger."),
     ("communication", "communication_plan", "communication_is_safe")),
    ("consulted", _("Who was consulted"),
     _("Choose the engagements whose stakeholders were consulted on this decision. If nobody was, say why."),
     ("engagements", "no_engagement_reason")),
    ("outcome", _("What was decided"),
     _("Go, go with conditions, no-go, or deferred to a date. The conditions of a go, each with an owner and a "
       "due date, are added on the decision's page. When a linked risk is owned at board level, a board member "
       "must sign the outcome off before the decision counts as taken."),
     ("outcome", "deferred_to")),
)


class DecisionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    category = forms.ChoiceField(label=_("Kind of decision"), choices=DecisionCategory.choices)
    description = forms.CharField(label=_("What is being decided"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    markets = CountryListField(
        label=_("Markets"), required=False,
        help_text=_("For a market entry, geographic expansion or sale to a high-risk customer: the countries it "
                    "concerns."))
    risks = forms.ModelMultipleChoiceField(
        label=_("Linked salient risks"), required=False, queryset=Risk.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Open risks of the register, most severe first. Severity runs from 3 to 15."),
    )
    risk_picture = forms.CharField(label=_("The current picture"), required=False,
                                   widget=forms.Textarea(attrs={"rows": 5}))
    mitigation_plan = forms.CharField(label=_("Mitigations, and the risks not or not yet mitigated"),
                                      required=False, widget=forms.Textarea(attrs={"rows": 5}))
    remedy_plan = forms.CharField(label=_("How remedy would be delivered"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    communication = forms.ChoiceField(label=_("How it will be communicated"), required=False,
                                      choices=[("", _("Not chosen yet")), *Communication.choices])
    communication_plan = forms.CharField(
        label=_("Communication plan"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Not needed if the decision is not communicated."))
    communication_is_safe = forms.BooleanField(
        label=_("The communication endangers no one (stakeholders, defenders, staff, partners)"), required=False)
    engagements = forms.ModelMultipleChoiceField(
        label=_("Engagements consulted"), required=False, queryset=Engagement.objects.none(),
        widget=forms.CheckboxSelectMultiple)
    no_engagement_reason = forms.CharField(label=_("Why no stakeholders were engaged"), required=False,
                                           widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", _("Not decided yet")), *DecisionOutcome.choices])
    deferred_to = forms.DateField(label=_("Deferred to"), required=False, widget=DateInput,
                                  help_text=_("Only for a deferred decision: when it will be taken up again."))

    def __init__(self, *args, organisation, decision: StrategicDecision | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Open risks, plus any closed one already linked so that saving does not silently drop it.
        linked = Q(strategic_decisions=decision) if decision is not None else Q(pk__in=[])
        self.fields["risks"].queryset = (Risk.objects.for_organisation(organisation)
                                         .filter(Q(closed_at__isnull=True) | linked).distinct().by_priority())
        self.fields["risks"].label_from_instance = risk_label
        self.fields["engagements"].queryset = (Engagement.objects.for_organisation(organisation)
                                               .order_by("-starts_on", "-id"))
        self.fields["engagements"].label_from_instance = lambda e: f"{e.title} ({e.starts_on})"
        self.fields["markets"].choices = countries.choices()

    def clean(self):
        data = super().clean()
        if data.get("category") in GATED_CATEGORIES and not data.get("markets"):
            self.add_error("markets", _("Name the markets this decision concerns."))
        return data

    def steps(self) -> list[Step]:
        return [Step(key, heading, help_text, [self[name] for name in names])
                for key, heading, help_text, names in STEPS]

    def plan(self) -> DecisionPlan:
        data = self.cleaned_data
        return DecisionPlan(
            title=data["title"], category=data["category"], description=data["description"],
            risk_picture=data["risk_picture"], mitigation_plan=data["mitigation_plan"],
            remedy_plan=data["remedy_plan"], communication=data["communication"],
            communication_plan=data["communication_plan"], communication_is_safe=data["communication_is_safe"],
            no_engagement_reason=data["no_engagement_reason"], risks=list(data["risks"]),
            engagements=list(data["engagements"]), outcome=data["outcome"],
            deferred_to=data["deferred_to"] if data["outcome"] == DecisionOutcome.DEFERRED else None,
            markets=list(data["markets"]),
        )

    @staticmethod
    def initial_for(decision: StrategicDecision) -> dict:
        initial = {name: getattr(decision, name) for name in (
            "title", "category", "description", "risk_picture", "mitigation_plan", "remedy_plan",
            "communication", "communication_plan", "communication_is_safe", "no_engagement_reason", "outcome",
            "deferred_to")}
        initial["risks"] = [risk.pk for risk in decision.risks.all()]
        initial["engagements"] = [engagement.pk for engagement in decision.engagements.all()]
        initial["markets"] = list(decision.markets.values_list("country", flat=True))
        return initial


class LocalVoicesOverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it may go ahead before local voices were heard"), max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept on the decision with your name and shown on the board's view."))


class LocalVoiceThresholdsForm(forms.Form):
    experts = forms.IntegerField(label=_("Local experts needed per market"), min_value=1, max_value=50)
    affected = forms.IntegerField(label=_("Affected stakeholders or credible proxies needed per market"),
                                  min_value=1, max_value=50)


class ConditionForm(forms.Form):
    """A condition of a "go": what must hold, who answers for it, by when, and (once known) whether it held."""

    text = forms.CharField(label=_("Condition"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=User.objects.none(),
                                   help_text=_("Answers for the condition and records whether it was met."))
    due_on = forms.DateField(label=_("Due"), widget=DateInput)
    status = forms.ChoiceField(label=_("Status"), choices=ConditionStatus.choices, initial=ConditionStatus.OPEN,
                               required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when the condition was not met or is dropped."))

    def __init__(self, *args, organisation, closing_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members_of(organisation)
        self.fields["owner"].label_from_instance = lambda user: user.display_name
        if closing_only:
            # Its owner records whether the condition was met; what it says, who and when are the team's.
            for name in ("text", "owner", "due_on"):
                self.fields[name].disabled = True

    def clean(self):
        data = super().clean()
        data["status"] = data.get("status") or ConditionStatus.OPEN  # a new condition is open
        if data.get("status") in NEEDS_NOTE and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the condition was not met or was dropped."))
        return data


class SignOffForm(forms.Form):
    comment = forms.CharField(label=_("Your comment"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("Recorded with your name: what the board weighed, or why it declines."))


def risk_label(risk: Risk) -> str:
    if risk.is_severe:
        return _("%(title)s (%(product)s), severity %(severity)s/15, severe") % {
            "title": risk.title, "product": risk.product, "severity": risk.severity}
    return _("%(title)s (%(product)s), severity %(severity)s/15") % {
        "title": risk.title, "product": risk.product, "severity": risk.severity}


class ContextEventForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of change"), choices=EventKind.choices)
    description = forms.CharField(label=_("What happened"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 4}))
    countries = forms.CharField(
        label=_("Countries"), required=False, max_length=500,
        help_text=_("Two-letter country codes, separated by commas, for example KE, ET."))
    products = forms.MultipleChoiceField(label=_("Products or services"), required=False,
                                         widget=forms.CheckboxSelectMultiple,
                                         help_text=_("The products named on the register's risks."))
    other_products = forms.CharField(
        label=_("Other products or services"), required=False, max_length=500,
        help_text=_("Separate with commas. Only risks on a product of that name are touched."))
    occurred_on = forms.DateField(label=_("Occurred on"), widget=DateInput)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        known = (Risk.objects.for_organisation(organisation).open().order_by("product")
                 .values_list("product", flat=True).distinct())
        self.fields["products"].choices = [(name, name) for name in known]

    def clean_countries(self) -> list[str]:
        codes = [code.upper() for code in split_list(self.cleaned_data["countries"])]
        unknown = [code for code in codes if countries.get(code) is None]
        if unknown:
            raise forms.ValidationError(_("Unknown country code: %(codes)s.") % {"codes": ", ".join(unknown)})
        return codes

    def clean(self):
        data = super().clean()
        data["all_products"] = [*data.get("products", []), *split_list(data.get("other_products") or "")]
        if "countries" in data and not data["countries"] and not data["all_products"]:
            self.add_error("countries", _("Name the countries or the products the event touches."))
        return data
