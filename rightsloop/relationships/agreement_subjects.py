"""What agreements hold about one stakeholder, for subject access exports and erasure (X5)."""

from .models import Agreement, AgreementVersion


def export(stakeholder) -> list[dict]:
    agreements = (Agreement.objects.filter(stakeholder=stakeholder)
                  .prefetch_related("versions").order_by("id"))
    exported = []
    for agreement in agreements:
        exported.append({
            "state": agreement.state,
            "ended_on": agreement.ended_on.isoformat() if agreement.ended_on else None,
            "versions": [{
                "number": version.number,
                "starts_on": version.starts_on.isoformat(),
                "review_on": version.review_on.isoformat(),
                "engagements_expected": version.engagements_expected,
                "engagement_kinds": version.engagement_kinds,
                "indicative_months": version.indicative_months,
                "briefing_topics": version.briefing_topics,
                "briefing_notes": version.briefing_notes,
                "feedback_within_days": version.feedback_within_days,
                "loop_closure_notes": version.loop_closure_notes,
                "our_handling": version.our_handling,
                "their_handling": version.their_handling,
                "we_may": version.we_may,
                "they_may": version.they_may,
                "attribution_notes": version.attribution_notes,
                "nda_scope": version.nda_scope,
                "nda_sunset_on": version.nda_sunset_on.isoformat() if version.nda_sunset_on else None,
                "compensation_terms": version.compensation_terms,
                "proposed_at": version.proposed_at.isoformat() if version.proposed_at else None,
                "answer": version.answer,
                "answered_at": version.answered_at.isoformat() if version.answered_at else None,
                "answered_via": version.answered_via,
                "comment": version.comment,
            } for version in sorted(agreement.versions.all(), key=lambda v: v.number)],
        })
    return exported


def erase(stakeholder) -> int:
    """Clear the person's own words (their comments); the terms are the organisation's and stay."""
    return (AgreementVersion.objects.filter(agreement__stakeholder=stakeholder)
            .exclude(comment_sealed=b"").update(comment_sealed=b""))
