"""How the audit log names grievance cases: by their staff number, linked for their handlers only (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.accounts.roles import Capability
from rightsloop.core.registry import AuditTarget

from . import queries
from .models import RemedyAction, RemedyPlan


def _plans(viewer):
    """Remedy plans hold case content: named to the grievance handlers only."""
    if not viewer.can(Capability.GRIEVANCES_HANDLE):
        return RemedyPlan.objects.none()
    return RemedyPlan.objects.filter(organisation=viewer.organisation)


TARGETS = (
    AuditTarget(
        label="grievances.grievance", title=gettext_lazy("Grievance case"), noun=gettext_lazy("a grievance case"),
        visible=queries.cases_for, name=lambda case: _("case G-%(number)s") % {"number": case.number},
        url=lambda case: reverse("grievances:case", args=[case.pk]),
    ),
    AuditTarget(
        label="grievances.remedyplan", title=gettext_lazy("Remedy plan"), noun=gettext_lazy("a remedy plan"),
        visible=_plans, name=lambda plan: f"“{plan.title}”",
        url=lambda plan: reverse("grievances:plan", args=[plan.pk]),
    ),
    AuditTarget(
        label="grievances.remedyaction", title=gettext_lazy("Corrective action"),
        noun=gettext_lazy("a corrective action"),
        visible=lambda viewer: RemedyAction.objects.filter(plan__in=_plans(viewer)).select_related("plan"),
        name=lambda action: _("an action of “%(plan)s”") % {"plan": action.plan.title},
        url=lambda action: reverse("grievances:plan", args=[action.plan_id]),
    ),
)
