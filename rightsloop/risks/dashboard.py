"""The salient risks and strategic decisions panels the home dashboard shows."""

from django.utils import timezone

from rightsloop.accounts.roles import Capability
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
        "awaiting_count": queries.awaiting_reassessment(viewer).count(),
        "awaiting": list(queries.awaiting_reassessment(viewer)[:10]),
        "today": today,
    }


def decision_panel_context(viewer: Viewer) -> dict:
    """What strategic decisions wait for: the board's sign-off, conditions past due, deferrals whose date came."""
    today = timezone.localdate()
    awaiting = queries.awaiting_sign_off(viewer)
    against = (queries.visible_decisions(viewer).with_against_severe_risk()
               .filter(against_severe_risk=True).exclude(status="draft").order_by("-updated_at", "-id"))
    return {
        # A board member is asked for their own sign-off; everyone else sees what the board has yet to sign.
        "signs_off": viewer.can(Capability.DECISIONS_SIGN_OFF),
        "awaiting_count": awaiting.count(),
        "awaiting": list(awaiting[:10]),
        "overdue": list(queries.overdue_conditions(viewer, today)),
        "deferred": list(queries.deferral_passed(viewer, today)[:10]),
        "against": list(against[:10]),
        "today": today,
    }


def my_mitigations_panel_context(viewer: Viewer) -> dict:
    """For someone who owns mitigations: how many are due or flagged, and the next few by due date."""
    today = timezone.localdate()
    counts = queries.my_mitigation_counts(viewer, today)
    return {
        "counts": counts,
        "next": list(queries.my_mitigations(viewer, today)[:5]) if counts["open"] else [],
    }
