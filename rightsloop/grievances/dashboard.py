"""The grievance mechanism's panel on the home dashboard: counts only, for whoever oversees the mechanism."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer

from .models import FINISHED_STAGES, Grievance
from .vocabulary import Stage


def counts(organisation, today: datetime.date) -> dict[str, int]:
    """Open cases, awaiting acknowledgement, late (acknowledgement, response), escalated, appealed: one query."""
    open_case = ~Q(stage__in=FINISHED_STAGES)
    return Grievance.objects.for_organisation(organisation).aggregate(
        open=Count("pk", filter=open_case),
        awaiting_acknowledgement=Count("pk", filter=Q(stage=Stage.RECEIVED)),
        acknowledgement_overdue=Count("pk", filter=Q(stage=Stage.RECEIVED, acknowledge_due_on__lt=today)),
        response_overdue=Count("pk", filter=open_case & Q(responded_at__isnull=True, respond_due_on__lt=today)),
        escalated=Count("pk", filter=open_case & Q(escalation_level__gt=0)),
        escalated_to_administrators=Count("pk", filter=open_case & Q(escalation_level__gte=2)),
        appealed=Count("pk", filter=open_case & Q(appeals_count__gt=0)),
    )


def panel_context(viewer: Viewer) -> dict:
    today = timezone.localdate()
    return {
        **counts(viewer.organisation, today),
        "handles": viewer.can(Capability.GRIEVANCES_HANDLE),
        "configures": viewer.can(Capability.GRIEVANCES_CONFIGURE),
        "today": today,
    }
