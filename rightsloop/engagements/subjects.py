"""What the engagements app holds about one stakeholder, for subject access exports and erasure (X5)."""

from .loops import refresh_loop
from .models import Engagement, FeedbackReport, Input, InputVersion, LetterDraft, Participation


def export(stakeholder) -> list[dict]:
    participations = Participation.objects.filter(stakeholder=stakeholder).select_related(
        "engagement", "stakeholder", "via_proxy").prefetch_related("speaks_for").order_by(
        "engagement__starts_on", "id")
    # A proxy's export lists what it relayed for a group (it said those words); a group's members' exports
    # never do, since nothing ties the group's words to any of them.
    inputs = (Input.objects.filter(speaker__stakeholder=stakeholder)
              .select_related("speaker__stakeholder", "group", "current_decision").prefetch_related("tags"))
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
            "speaks_for": [group.name for group in participation.speaks_for.all()],
            "inputs": [],
            "feedback_reports": [],
        }
    for item in inputs:
        decision = item.current_decision
        by_participation[item.speaker_id]["inputs"].append({
            "said": item.text,
            "recorded_at": item.recorded_at.isoformat(),
            "attribution": item.attribution,
            "relayed_for_group": item.group.name if item.group_id else None,
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
            "subject": report.subject, "body": report.body, "personal_note": report.personal_note,
            "translated": report.translated,
        })
    return list(by_participation.values())


def erase(stakeholder) -> int:
    """Clear what the person said and what we told them; inputs, decisions and counts stay, anonymous.

    What a proxy relayed for an affected group is the group's, sealed under the organisation's key: erasing
    the proxy keeps those words (the group was heard) and only the channel becomes a pseudonym.
    """
    cleared = Input.objects.filter(speaker__stakeholder=stakeholder, group__isnull=True).update(
        text_sealed=b"", language="", withdrawal_reason_sealed=b"")
    # Earlier versions of inputs that were once theirs (engagements.actions.inputs.edit_input).
    cleared += InputVersion.objects.filter(speaker__stakeholder=stakeholder, group__isnull=True).update(text_sealed=b"")
    cleared += FeedbackReport.objects.filter(participation__stakeholder=stakeholder).update(
        body_sealed=b"", body_html_sealed=b"", personal_note_sealed=b"")
    # A letter not yet sent: its note and translation were written for them.
    LetterDraft.objects.filter(participation__stakeholder=stakeholder).delete()
    cleared += Participation.objects.filter(stakeholder=stakeholder).update(direct_override_reason_sealed=b"")
    # Nobody can tell an erased person anything any more: their part of each loop closes.
    for engagement in Engagement.objects.filter(participations__stakeholder=stakeholder).distinct():
        refresh_loop(engagement, list(engagement.participations.filter(stakeholder=stakeholder)
                                      .select_related("stakeholder")))
    return cleared
