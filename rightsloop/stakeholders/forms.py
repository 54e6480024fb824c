from django import forms
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.core import countries, languages, rights
from rightsloop.core.widgets import FastSelect, SearchableSelectMultiple, shown_for
from rightsloop.risks.models import Risk

from .groups import GroupPlan, Mandate, Speaks
from .models import AffectedGroup, Stakeholder
from .profiles import SCALAR_FIELDS, TRAIT_FIELDS, StakeholderProfile
from .vocabulary import (
    AtRisk,
    Channel,
    ConsentMethod,
    ConsentScope,
    EntityType,
    Kind,
    SafetyLevel,
    Technology,
)

SAFETY_HELP = _(
    "Normal: contact and exposure carry no particular risk. Elevated: exposure could bring "
    "reprisals; use only the channels they marked safe. High: exposure could endanger them; "
    "engage only through a proxy and never by email, phone or post."
)


MANDATE_FIELDS = ("group", "new_group", "legitimacy_basis", "evidence", "reviewed_on")


class StakeholderForm(forms.Form):
    entity_type = forms.ChoiceField(label=_("Person or organisation"), choices=EntityType.choices,
                                    widget=forms.RadioSelect, initial=EntityType.ORGANISATION)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect,
        help_text=_("Affected stakeholders and credible proxies count as affected voices; "
                    "experts and others do not."),
    )
    # For a credible proxy: the affected group it speaks for (an existing one, or a new one by name) and
    # its mandate. Asked only while the proxy speaks for no group yet; more are added on its page.
    group = forms.ChoiceField(label=_("Affected group it represents"), required=False, widget=FastSelect)
    new_group = forms.CharField(label=_("…or a new group"), required=False, max_length=200,
                                help_text=_("Describe the group; never name a person."))
    legitimacy_basis = forms.CharField(label=_("Basis of its legitimacy"), required=False, max_length=5000,
                                       widget=forms.Textarea(attrs={"rows": 2}),
                                       help_text=_("Why the group recognises this proxy as its representative."))
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 2}))
    reviewed_on = forms.DateField(label=_("Legitimacy reviewed on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))
    country = forms.ChoiceField(label=_("Country"), required=False, widget=FastSelect,
                                help_text=_("Region and Global South are derived from the country."))
    languages = forms.MultipleChoiceField(label=_("Languages"), required=False, widget=SearchableSelectMultiple)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), required=False, widget=FastSelect)
    rights = forms.MultipleChoiceField(label=_("Expertise: rights"), required=False,
                                       widget=SearchableSelectMultiple)
    technologies = forms.MultipleChoiceField(label=_("Expertise: technologies"), required=False,
                                             choices=Technology.choices, widget=forms.CheckboxSelectMultiple)
    at_risk = forms.MultipleChoiceField(label=_("At-risk attributes"), required=False,
                                        choices=AtRisk.choices, widget=forms.CheckboxSelectMultiple)
    safety_level = forms.ChoiceField(label=_("Safety level"), choices=SafetyLevel.choices,
                                     widget=forms.RadioSelect, initial=SafetyLevel.NORMAL, help_text=SAFETY_HELP)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    messenger_handle = forms.CharField(label=_("Secure messenger handle"), required=False, max_length=100)
    postal_address = forms.CharField(label=_("Postal address"), required=False,
                                     widget=forms.Textarea(attrs={"rows": 2}))
    preferred_channel = forms.ChoiceField(label=_("Preferred channel"), choices=Channel.choices,
                                          initial=Channel.EMAIL)
    safe_channels = forms.MultipleChoiceField(
        label=_("Channels they consider safe"), required=False, choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("At elevated or high safety, only these channels are used."),
    )
    accessibility_needs = forms.CharField(label=_("Accessibility needs"), required=False,
                                          widget=forms.Textarea(attrs={"rows": 2}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    affiliation = forms.TypedChoiceField(
        label=_("Organisation they belong to"), required=False, coerce=int, empty_value=None, widget=FastSelect,
        help_text=_("For a person: requests to them count towards their organisation's engagement load."))

    def __init__(self, *args, organisation=None, needs_group: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_group = needs_group
        self.groups = {str(g.pk): g for g in AffectedGroup.objects.for_organisation(organisation).order_by(
            "name", "id")} if organisation is not None and needs_group else {}
        self.fields["group"].choices = [("", _("— choose —")), *((pk, g.name) for pk, g in self.groups.items())]
        if not needs_group:
            for name in MANDATE_FIELDS:
                del self.fields[name]
        self.fields["country"].choices = [("", _("— not known —")), *countries.choices()]
        self.fields["languages"].choices = languages.choices()
        self.fields["preferred_language"].choices = [("", _("— none —")), *languages.choices()]
        self.fields["rights"].choices = rights.choices()
        self.fields["affiliation"].choices = [("", _("— none —")), *affiliation_choices(
            organisation, self.initial.get("affiliation"))]
        shown_for(self.fields["affiliation"], "entity_type", [EntityType.PERSON], _("For a person only."))

    def clean(self):
        data = super().clean()
        if data.get("kind") == Kind.PROXY and self.needs_group:
            chosen, new = data.get("group"), (data.get("new_group") or "").strip()
            if bool(chosen) == bool(new):
                self.add_error("group", _("Choose the affected group this proxy represents, or name a new one."))
            if not (data.get("legitimacy_basis") or "").strip():
                self.add_error("legitimacy_basis", _("Say why the group recognises this proxy."))
        return data

    def speaks_for(self) -> list[Speaks]:
        data = self.cleaned_data
        if data.get("kind") != Kind.PROXY or not self.needs_group:
            return []
        group = self.groups[data["group"]] if data.get("group") else data["new_group"].strip()
        return [Speaks(group=group, mandate=Mandate(
            legitimacy_basis=data["legitimacy_basis"], evidence=data.get("evidence") or "",
            reviewed_on=data.get("reviewed_on")))]

    def profile(self) -> StakeholderProfile:
        data = self.cleaned_data
        return StakeholderProfile(
            **{name: data.get(name) or "" for name in SCALAR_FIELDS},
            **{name: list(data.get(name) or []) for name in TRAIT_FIELDS},
            affiliation=data.get("affiliation"),
        )

    @classmethod
    def initial_from(cls, profile: StakeholderProfile) -> dict:
        return {name: getattr(profile, name) for name in StakeholderProfile.field_names()}


def affiliation_choices(organisation, current: int | None) -> list[tuple[int, str]]:
    """Organisations a person may belong to: the newest of the register, never a high-safety one (whose name
    would show to whoever opens the form), plus the one already chosen."""
    if organisation is None:
        return []
    candidates = Stakeholder.objects.for_organisation(organisation).filter(
        entity_type=EntityType.ORGANISATION, erased_at__isnull=True).exclude(safety_level=SafetyLevel.HIGH)
    chosen = list(candidates.order_by("-created_at", "-id")[:AFFILIATION_CHOICES])
    if current and all(s.pk != current for s in chosen):
        chosen += list(candidates.filter(pk=current))
    return sorted(((s.pk, s.name) for s in chosen), key=lambda choice: choice[1].casefold())


AFFILIATION_CHOICES = 300


class ConfirmDistinctForm(forms.Form):
    confirm_distinct = forms.BooleanField(
        label=_("I checked: this is a different stakeholder from the ones listed."), required=False
    )


class StakeholderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, widget=FastSelect)
    region = forms.ChoiceField(label=_("Region"), required=False, widget=FastSelect)
    global_south = forms.ChoiceField(label=_("Global South"), required=False, choices=[
        ("", _("Any")), ("yes", _("Global South")), ("no", _("Global North")),
    ])
    language = forms.ChoiceField(label=_("Language"), required=False, widget=FastSelect)
    safety_level = forms.ChoiceField(label=_("Safety level"), required=False, widget=FastSelect)
    at_risk = forms.ChoiceField(label=_("At-risk attribute"), required=False, widget=FastSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = [("", _("Any"))]
        self.fields["kind"].choices = any_ + list(Kind.choices)
        self.fields["region"].choices = any_ + countries.regions()
        self.fields["language"].choices = any_ + languages.choices()
        self.fields["safety_level"].choices = any_ + list(SafetyLevel.choices)
        self.fields["at_risk"].choices = any_ + list(AtRisk.choices)

    def filters(self):
        from .queries import StakeholderFilters

        if not self.is_valid():
            return StakeholderFilters()
        data = self.cleaned_data
        return StakeholderFilters(
            q=data["q"], kind=data["kind"], region=data["region"],
            global_south={"yes": True, "no": False}.get(data["global_south"]),
            language=data["language"], safety_level=data["safety_level"], at_risk=data["at_risk"],
        )


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(label=_("Consent to"), choices=ConsentScope.choices)
    granted = forms.TypedChoiceField(
        label=_("Answer"), coerce=lambda v: v == "yes", choices=[("yes", _("Granted")), ("no", _("Refused"))],
        widget=forms.RadioSelect, initial="yes",
    )
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    given_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)


class RegistrationConsentForm(forms.Form):
    """What the person already agreed or refused to, recorded with their registration (prefix "consent")."""

    scopes = forms.MultipleChoiceField(label=_("Consent to"), required=False, choices=ConsentScope.choices,
                                       widget=forms.CheckboxSelectMultiple,
                                       help_text=_("Leave empty if you have not asked yet."))
    granted = forms.TypedChoiceField(
        label=_("Answer"), coerce=lambda v: v == "yes", choices=[("yes", _("Granted")), ("no", _("Refused"))],
        widget=forms.RadioSelect, initial="yes", required=False, empty_value=True,
    )
    method = forms.ChoiceField(label=_("How"), required=False,
                               choices=[("", _("— choose —")), *ConsentMethod.choices])
    given_on = forms.DateField(label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    notes = forms.CharField(label=_("Notes"), required=False, max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("scopes"):
            if not data.get("method"):
                self.add_error("method", _("Say how the consent was given."))
            if not data.get("given_on"):
                self.add_error("given_on", _("Give the date of the consent."))
        return data

    def answers(self):
        from .actions import ConsentAnswer

        data = self.cleaned_data
        return [ConsentAnswer(scope=scope, granted=data["granted"], method=data["method"], given_on=data["given_on"],
                              notes=data.get("notes") or "") for scope in data.get("scopes") or []]


class RevealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you need to see who this is?"), min_length=10, max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the audit log with your name. The identity stays visible to you for 15 minutes."),
    )


class GrantForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Member"), queryset=User.objects.none())
    reason = forms.CharField(label=_("Why they need to know"), max_length=300)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            memberships__organisation=organisation, memberships__is_active=True).order_by("username")
        self.fields["user"].label_from_instance = lambda user: user.display_name


class ErasureForm(forms.Form):
    reason = forms.CharField(label=_("Why (for example: the person asked to be forgotten)"), max_length=300)
    confirm = forms.BooleanField(
        label=_("I understand: their name, contacts, what they said and what we told them are destroyed for good."),
    )


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200,
                           help_text=_("Describe the group (for example “women human rights defenders in the "
                                       "north”); never name a person."))
    description = forms.CharField(label=_("Description"), required=False, max_length=10000,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    countries = forms.MultipleChoiceField(label=_("Countries"), required=False, widget=SearchableSelectMultiple)
    languages = forms.MultipleChoiceField(label=_("Languages"), required=False, widget=SearchableSelectMultiple)
    at_risk = forms.MultipleChoiceField(label=_("At-risk attributes"), required=False, choices=AtRisk.choices,
                                        widget=forms.CheckboxSelectMultiple)
    size_estimate = forms.IntegerField(label=_("Indicative size"), required=False, min_value=0,
                                       max_value=2_000_000_000,
                                       help_text=_("Roughly how many people; leave empty if unknown."))
    risks = forms.ModelMultipleChoiceField(label=_("Salient risks that touch them"), required=False,
                                           queryset=Risk.objects.none(),
                                           widget=SearchableSelectMultiple)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = countries.choices()
        self.fields["languages"].choices = languages.choices()
        self.fields["risks"].queryset = Risk.objects.for_organisation(organisation).order_by("title", "id")
        self.fields["risks"].label_from_instance = lambda risk: risk.title

    def plan(self) -> GroupPlan:
        data = self.cleaned_data
        return GroupPlan(name=data["name"], description=data.get("description") or "",
                         countries=list(data.get("countries") or []), languages=list(data.get("languages") or []),
                         at_risk=list(data.get("at_risk") or []), size_estimate=data.get("size_estimate"))

    @classmethod
    def initial_from(cls, group) -> dict:
        return {**GroupPlan.of(group).__dict__, "risks": list(group.risks.all())}


class GroupChoiceForm(forms.Form):
    """Choose one of the organisation's groups (to add a person to it)."""

    group = forms.ChoiceField(label=_("Group"), widget=FastSelect)

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {str(g.pk): g for g in groups}
        self.fields["group"].choices = [("", _("— choose —")), *((pk, g.name) for pk, g in self.groups.items())]

    def chosen(self):
        return self.groups[self.cleaned_data["group"]]


class MandateForm(forms.Form):
    legitimacy_basis = forms.CharField(label=_("Basis of its legitimacy"), max_length=5000,
                                       widget=forms.Textarea(attrs={"rows": 2}),
                                       help_text=_("Why the group recognises this proxy as its representative."))
    evidence = forms.CharField(label=_("Evidence"), required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 2}),
                               help_text=_("What shows it: a mandate, membership, a track record, references."))
    reviewed_on = forms.DateField(label=_("Legitimacy reviewed on"), required=False,
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def mandate(self) -> Mandate:
        data = self.cleaned_data
        return Mandate(legitimacy_basis=data["legitimacy_basis"], evidence=data.get("evidence") or "",
                       reviewed_on=data.get("reviewed_on"))


class RepresentationForm(GroupChoiceForm, MandateForm):
    """A proxy speaks for one more group."""
