"""The loop-closure panel the home dashboard shows."""

from django.utils import timezone

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer

from . import queries


def loop_panel_context(viewer: Viewer) -> dict:
    today = timezone.localdate()
    return {
        "metrics": queries.loop_metrics(viewer, today),
        "overdue": queries.leave_out_hidden_people(list(queries.overdue_loops(viewer, today)), viewer),
        "due_soon": queries.leave_out_hidden_people(list(queries.loops_due_soon(viewer, today)), viewer),
        "show_engagements": viewer.can(Capability.ENGAGEMENTS_VIEW),
        "today": today,
    }
