"""Pages of engagement load (S3): thresholds, the most solicited stakeholders, overlaps, one stakeholder's load."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from rightsloop.accounts.permissions import requires
from rightsloop.accounts.roles import Capability
from rightsloop.stakeholders.queries import access_stakeholder, hidden_from, shown_name

from . import load
from .views import copy_errors


class ThresholdsForm(forms.Form):
    warn_90 = forms.IntegerField(
        label=_("Requests allowed in 90 days"), min_value=0, max_value=1000,
        help_text=_("Inviting a stakeholder asked more often than this in the last 90 days shows a warning first."))
    warn_365 = forms.IntegerField(
        label=_("Requests allowed in 365 days"), min_value=0, max_value=10000,
        help_text=_("The same over the last year."))

    def clean(self):
        data = super().clean()
        if data.get("warn_90") is not None and data.get("warn_365") is not None and data["warn_365"] < data["warn_90"]:
            self.add_error("warn_365", _("A year cannot allow fewer requests than 90 days do."))
        return data


@requires(Capability.ORGANISATION_MANAGE, Capability.RELATIONSHIPS_EDIT)
@require_http_methods(["GET", "POST"])
def load_settings(request):
    viewer = request.viewer
    current = load.thresholds_of(viewer.organisation)
    form = ThresholdsForm(request.POST or None, initial={"warn_90": current.warn_90, "warn_365": current.warn_365})
    if request.method == "POST" and form.is_valid():
        try:
            load.set_thresholds(organisation=viewer.organisation, by=viewer, **form.cleaned_data)
        except ValidationError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("engagements:load-settings")
    return render(request, "engagements/load/settings.html", {"form": form},
                  status=400 if form.errors else 200)


def _named(items, viewer):
    return [(item, shown_name(item.stakeholder, viewer)) for item in items]


@requires(Capability.RELATIONSHIPS_VIEW)
def most_solicited(request):
    viewer = request.viewer
    rows = load.most_solicited(viewer.organisation, hidden=hidden_from(viewer))
    return render(request, "engagements/load/most_solicited.html", {
        "rows": _named(rows, viewer), "thresholds": load.thresholds_of(viewer.organisation),
        "can_change": viewer.can(Capability.ORGANISATION_MANAGE) or viewer.can(Capability.RELATIONSHIPS_EDIT),
        "can_see_people": viewer.can(Capability.STAKEHOLDERS_VIEW),
    })


@requires(Capability.ENGAGEMENTS_VIEW)
def overlaps(request):
    viewer = request.viewer
    found = load.overlaps(viewer.organisation, hidden=hidden_from(viewer))
    return render(request, "engagements/load/overlaps.html", {
        "overlaps": _named(found, viewer), "month": timezone.localdate().replace(day=1),
        "can_see_people": viewer.can(Capability.STAKEHOLDERS_VIEW),
    })


def load_context(viewer, stakeholder) -> dict:
    """What the load part of a stakeholder's page shows: counts, thresholds, the chart and who asked."""
    leave_out = hidden_from(viewer)
    current = load.load_of(stakeholder, leave_out=leave_out)
    return {
        "load": current,
        "chart": load.monthly_chart(load.monthly(stakeholder, leave_out=leave_out), current.thresholds),
        "stakeholder": stakeholder,
    }


@requires(Capability.ENGAGEMENTS_VIEW)
def stakeholder_load(request, pk: int):
    viewer = request.viewer
    stakeholder = access_stakeholder(viewer, pk)
    return render(request, "engagements/load/stakeholder.html", {
        **load_context(viewer, stakeholder), "shown_name": shown_name(stakeholder, viewer),
    })
