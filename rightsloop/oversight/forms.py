from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.models import User
from rightsloop.core.periods import Period, PeriodError, recent
from rightsloop.core.widgets import FastSelectMultiple
from rightsloop.engagements.models import Participation
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.queries import shown_name, visible_stakeholders

from .models import BriefingKind

# The stakeholders offered as having spoken to the board: those engaged in the last two years, most recent first.
OFFERED_SINCE_DAYS = 730
OFFERED_AT_MOST = 400


def period_choices(today: datetime.date) -> list[tuple[str, str]]:
    quarters = recent(today, "quarter", 8)
    years = recent(today, "year", 4)
    return [(str(_("Quarters")), [(p.key, p.label) for p in quarters]),
            (str(_("Years")), [(p.key, p.label) for p in years])]


class PeriodForm(forms.Form):
    period = forms.CharField(label=_("Period"), max_length=16)

    def clean_period(self) -> Period:
        try:
            period = Period.parse(self.cleaned_data["period"])
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        if not period.has_started(timezone.localdate()):
            raise forms.ValidationError(_("%(period)s has not started yet.") % {"period": period.label})
        return period


class DateInput(forms.DateInput):
    input_type = "date"


class BriefingForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    kind = forms.ChoiceField(label=_("Kind"), choices=BriefingKind.choices)
    topic = forms.CharField(label=_("Topic"), max_length=200)
    attendees = forms.ModelMultipleChoiceField(label=_("Board members who attended"), required=False,
                                               queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple)
    stakeholders = forms.ModelMultipleChoiceField(
        label=_("Stakeholders who spoke to the board"), required=False, queryset=Stakeholder.objects.none(),
        widget=FastSelectMultiple(attrs={"size": 8}),
        help_text=_("Stakeholders engaged in the last two years. A person at risk appears under their pseudonym "
                    "and is never named in the board's figures."))
    given_by = forms.CharField(label=_("Given by"), max_length=200, required=False,
                               help_text=_("The trainer or the team who briefed the board."))
    material = forms.CharField(label=_("Material"), max_length=300, required=False,
                               help_text=_("Where the slides, papers or recording are kept."))
    notes = forms.CharField(label=_("What the board asked and learnt"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, viewer, board_members, chosen=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = board_members
        self.fields["attendees"].label_from_instance = lambda user: user.display_name
        since = timezone.now() - datetime.timedelta(days=OFFERED_SINCE_DAYS)
        engaged = (Participation.objects.filter(engagement__organisation=viewer.organisation, added_at__gte=since)
                   .order_by("-added_at").values_list("stakeholder_id", flat=True)[:OFFERED_AT_MOST * 3])
        offered = list(dict.fromkeys(engaged))[:OFFERED_AT_MOST] + [person.pk for person in chosen]
        self.fields["stakeholders"].queryset = visible_stakeholders(viewer).filter(pk__in=offered)
        self.fields["stakeholders"].label_from_instance = lambda person: shown_name(person, viewer)
