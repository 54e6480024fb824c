"""The salient risks panel the home dashboard shows."""

from django.utils import timezone

from rightsloop.accounts.viewer import Viewer

from . import queries


def risk_panel_context(viewer: Viewer) -> dict:
    today = timezone.localdate()
    visible = queries.visible_risks(viewer).open()
    offer = queries.pending_defaults_offer(viewer)
    return {
        # Newer default escalation rules await the organisation's answer: say how many risks they would move.
        "defaults_offer": offer,
        "defaults_moves": len(queries.level_moves(viewer.organisation, None)) if offer else 0,
        "severe": queries.severe_count(viewer),
        "due_count": visible.due_for_review(today).count(),
        "due": list(queries.due_for_review(viewer, today)),
        "board_count": visible.filter(owner_level="board").count(),
        "board": list(queries.board_risks(viewer)),
        "today": today,
    }
