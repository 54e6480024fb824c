"""The grievance mechanism's panel on the home dashboard: counts only, for whoever oversees the mechanism."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer

from .models import FINISHED_STAGES, Grievance
from .vocabulary import Stage

# The stages of an open case, named rather than "not finished" so the query reads the index's open stages only.
OPEN_STAGES = tuple(stage for stage in Stage.values if stage not in FINISHED_STAGES)


def counts(organisation, today: datetime.date) -> dict[str, int]:
    """Open cases, awaiting acknowledgement, late (acknowledgement, response), escalated, appealed: one query.

    Every count is of open cases, so the query reads only the open stages of the organisation's index
    `grievance_org_open`, which holds every column the counts test (an index-only read, however many cases were
    ever closed). Counting a column of that index (not the id) keeps PostgreSQL off the table.
    """
    return Grievance.objects.for_organisation(organisation).filter(stage__in=OPEN_STAGES).aggregate(
        open=Count("stage"),
        awaiting_acknowledgement=Count("stage", filter=Q(stage=Stage.RECEIVED)),
        acknowledgement_overdue=Count("stage", filter=Q(stage=Stage.RECEIVED, acknowledge_due_on__lt=today)),
        response_overdue=Count("stage", filter=Q(responded_at__isnull=True, respond_due_on__lt=today)),
        escalated=Count("stage", filter=Q(escalation_level__gt=0)),
        escalated_to_administrators=Count("stage", filter=Q(escalation_level__gte=2)),
        appealed=Count("stage", filter=Q(appeals_count__gt=0)),
    )


def panel_context(viewer: Viewer) -> dict:
    today = timezone.localdate()
    return {
        **counts(viewer.organisation, today),
        "handles": viewer.can(Capability.GRIEVANCES_HANDLE),
        "configures": viewer.can(Capability.GRIEVANCES_CONFIGURE),
        "today": today,
    }
