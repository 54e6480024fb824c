"""What the engagements app holds about one stakeholder, for subject access exports and erasure (X5)."""

from .loops import refresh_loop
from .models import Engagement, FeedbackReport, Input, Participation


def export(stakeholder) -> list[dict]:
    participations = Participation.objects.filter(stakeholder=stakeholder).select_related(
        "engagement", "stakeholder", "via_proxy").order_by("engagement__starts_on", "id")
    inputs = (Input.objects.filter(speaker__stakeholder=stakeholder)
              .select_related("speaker__stakeholder", "current_decision").prefetch_related("tags"))
    reports = FeedbackReport.objects.filter(participation__stakeholder=stakeholder).select_related(
        "participation__stakeholder")
    by_participation: dict[int, dict] = {}
    for participation in participations:
        engagement = participation.engagement
        by_participation[participation.pk] = {
            "engagement": engagement.title,
            "type": engagement.type,
            "starts_on": engagement.starts_on.isoformat(),
            "ends_on": engagement.ends_on.isoformat(),
            "through_proxy": participation.via_proxy_id is not None,
            "inputs": [],
            "feedback_reports": [],
        }
    for item in inputs:
        decision = item.current_decision
        by_participation[item.speaker_id]["inputs"].append({
            "said": item.text,
            "recorded_at": item.recorded_at.isoformat(),
            "attribution": item.attribution,
            "themes": [tag.name for tag in item.tags.all()],
            "decision": None if decision is None else {
                "outcome": decision.outcome, "rationale": decision.rationale, "next_step": decision.next_step,
                "next_step_due": decision.next_step_due.isoformat() if decision.next_step_due else None,
                "decided_at": decision.decided_at.isoformat(),
            },
        })
    for report in reports:
        by_participation[report.participation_id]["feedback_reports"].append({
            "language": report.language, "channel": report.channel, "status": report.status,
            "delivered_at": report.delivered_at.isoformat() if report.delivered_at else None,
            "subject": report.subject, "body": report.body,
        })
    return list(by_participation.values())


def erase(stakeholder) -> int:
    """Clear what the person said and what we told them; inputs, decisions and counts stay, anonymous."""
    cleared = Input.objects.filter(speaker__stakeholder=stakeholder).update(text_sealed=b"", language="")
    cleared += FeedbackReport.objects.filter(participation__stakeholder=stakeholder).update(body_sealed=b"")
    cleared += Participation.objects.filter(stakeholder=stakeholder).update(direct_override_reason_sealed=b"")
    # Nobody can tell an erased person anything any more: their part of each loop closes.
    for engagement in Engagement.objects.filter(participations__stakeholder=stakeholder).distinct():
        refresh_loop(engagement, list(engagement.participations.filter(stakeholder=stakeholder)
                                      .select_related("stakeholder")))
    return cleared
