"""The loop-closure panel and the trends panel the home dashboard shows."""

from django.utils import timezone

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer

from . import queries, trends


def loop_panel_context(viewer: Viewer) -> dict:
    today = timezone.localdate()
    return {
        "metrics": queries.loop_metrics(viewer, today),
        "overdue": queries.leave_out_hidden_people(list(queries.overdue_loops(viewer, today)), viewer),
        "due_soon": queries.leave_out_hidden_people(list(queries.loops_due_soon(viewer, today)), viewer),
        "broken_promises": list(queries.broken_promises(viewer, today)),
        "show_engagements": viewer.can(Capability.ENGAGEMENTS_VIEW),
        "today": today,
    }


def trends_panel_context(viewer: Viewer) -> dict:
    trend = trends.trends(viewer, timezone.localdate())
    return {"trends": trend, "charts": trends.trend_charts(trend)}
