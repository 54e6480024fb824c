"""Forms of the mechanism's settings, the links from a case to the risk register, and the themes' period."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rightsloop.core.access import MAX_ID
from rightsloop.engagements.models import Engagement

from . import themes
from .actions import links
from .actions import settings as settings_actions

# The settings page offers the organisation's newest engagements (and those already chosen), not all of them.
ENGAGEMENT_CHOICES = 300


class SettingsForm(forms.Form):
    intake_open = forms.BooleanField(
        label=_("The public grievance page takes new grievances"), required=False,
        help_text=_("When closed, the page still lets people follow their cases with their receipt."))
    acknowledge_days = forms.IntegerField(
        label=_("Days to acknowledge a grievance"), min_value=settings_actions.ACKNOWLEDGE_DAYS[0],
        max_value=settings_actions.ACKNOWLEDGE_DAYS[1])
    respond_days = forms.IntegerField(
        label=_("Days to a substantive response"), min_value=settings_actions.RESPOND_DAYS[0],
        max_value=settings_actions.RESPOND_DAYS[1],
        help_text=_("A decision on whether the grievance is admissible, or a proposed remedy, counted from receipt."))
    escalate_after_days = forms.IntegerField(
        label=_("Days late before the administrators are told"), min_value=settings_actions.ESCALATE_AFTER_DAYS[0],
        max_value=settings_actions.ESCALATE_AFTER_DAYS[1],
        help_text=_("A late case goes to everyone who handles grievances at once; still late this many days after "
                    "its due date, to the organisation's administrators too."))
    products = forms.CharField(
        label=_("Products and services shown on the public page"), required=False,
        widget=forms.Textarea(attrs={"rows": 5}), max_length=settings_actions.MAX_PRODUCTS * 201,
        help_text=_("One per line. People may also name another."))
    mechanism_engagements = forms.ModelMultipleChoiceField(
        label=_("Engagements held on the mechanism itself"), required=False, queryset=Engagement.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Consultations with the people the mechanism is for, about how it works (UNGP 31: based on "
                    "engagement and dialogue)."))

    def __init__(self, *args, organisation, chosen_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        own = Engagement.objects.for_organisation(organisation)
        newest = list(own.order_by("-starts_on", "-id").values_list("pk", flat=True)[:ENGAGEMENT_CHOICES])
        field = self.fields["mechanism_engagements"]
        # Offered: the newest and those already chosen; any engagement of the organisation is accepted.
        field.queryset = own.order_by("-starts_on", "-id")
        self.offered = own.filter(pk__in=[*newest, *chosen_ids]).order_by("-starts_on", "-id").only(
            "id", "title", "starts_on")
        field.widget.choices = [(engagement.pk, f"{engagement.title} ({engagement.starts_on:%Y-%m-%d})")
                                for engagement in self.offered]

    def clean_products(self) -> list[str]:
        return settings_actions.clean_products(self.cleaned_data["products"].splitlines())


class LinkForm(forms.Form):
    LINK = "link"
    UNLINK = "unlink"

    operation = forms.ChoiceField(choices=[(LINK, _("Link")), (UNLINK, _("Unlink"))])
    kind = forms.ChoiceField(choices=[(links.RISK, _("Salient risk")), (links.MITIGATION, _("Mitigation")),
                                      (links.DECISION, _("Strategic decision"))])
    target = forms.IntegerField(min_value=1, max_value=MAX_ID)


class ThemesForm(forms.Form):
    months = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False,
                                    empty_value=themes.DEFAULT_MONTHS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["months"].choices = [(months, gettext("the last %(n)s months") % {"n": months})
                                         for months in themes.PERIODS]

    def months_chosen(self) -> int:
        return (self.cleaned_data.get("months") if self.is_valid() else None) or themes.DEFAULT_MONTHS


class ThemeKeyForm(forms.Form):
    """The group a theme's risk page is for, as the themes page names it in the address."""

    dimension = forms.ChoiceField(choices=list(themes.DIMENSIONS.items()))
    product = forms.CharField(required=False, max_length=200)
    right = forms.CharField(required=False, max_length=40)
    country = forms.CharField(required=False, max_length=2)
    months = forms.TypedChoiceField(coerce=int, required=False, empty_value=themes.DEFAULT_MONTHS,
                                    choices=[(months, str(months)) for months in themes.PERIODS])
