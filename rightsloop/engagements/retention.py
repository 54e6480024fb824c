"""How long the text of feedback reports is kept once delivered: the fact of delivery stays."""

from .models import FeedbackReport


def purge_report_bodies(organisation, cutoff) -> int:
    return (
        FeedbackReport.objects.for_organisation(organisation)
        .filter(delivered_at__lt=cutoff).exclude(body_sealed=b"")
        .update(body_sealed=b"")
    )
