"""The salient risks panel the home dashboard shows."""

from django.utils import timezone

from rightsloop.accounts.viewer import Viewer

from . import queries


def risk_panel_context(viewer: Viewer) -> dict:
    today = timezone.localdate()
    visible = queries.visible_risks(viewer).open()
    return {
        "severe": queries.severe_count(viewer),
        "due_count": visible.due_for_review(today).count(),
        "due": list(queries.due_for_review(viewer, today)),
        "board_count": visible.filter(owner_level="board").count(),
        "board": list(queries.board_risks(viewer)),
        "today": today,
    }
