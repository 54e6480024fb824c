"""How long the text of feedback reports is kept once delivered (the fact of delivery stays), and the removal of
briefing files no record refers to."""

from rightsloop.core import sealed_files

from .models import BriefingMaterial, FeedbackReport


def purge_report_bodies(organisation, cutoff) -> int:
    # The letter in both its forms, and the personal note in it.
    return (
        FeedbackReport.objects.for_organisation(organisation)
        .filter(delivered_at__lt=cutoff)
        .exclude(body_sealed=b"", body_html_sealed=b"", personal_note_sealed=b"")
        .update(body_sealed=b"", body_html_sealed=b"", personal_note_sealed=b"")
    )


def purge_unreferenced_briefing_files(organisation, cutoff) -> int:
    """Sealed briefing files no briefing names (an upload whose transaction rolled back), older than the period."""
    named = set(BriefingMaterial.objects.filter(engagement__organisation=organisation).exclude(file="")
                .values_list("file", flat=True))
    return sealed_files.remove_unreferenced(area="briefings", organisation_id=organisation.pk, referenced=named,
                                            older_than=cutoff)
