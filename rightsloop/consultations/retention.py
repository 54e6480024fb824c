"""How long respondents' contact addresses are kept: only as long as telling them the outcome needs.

An address is taken for one purpose, to tell the respondent what became of their words. Once the outcome has been
sent and the organisation's period has passed, the address is erased. Who was written to stays known only as a
keyed fingerprint on the message record, so nobody is written to twice and nothing readable is left.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.core import sealed_files

from .models import ImportState, MessageRun, Respondent, ResponseImport, SendingState


def purge_sent_contacts(organisation, cutoff) -> int:
    """Erase the contacts of consultations whose every sending ended before the cutoff; returns how many."""
    runs = MessageRun.objects.filter(consultation__organisation=organisation)
    sent = runs.filter(state=SendingState.DONE, finished_at__lt=cutoff).values("consultation_id")
    # A sending still running, interrupted or finished within the period keeps the addresses it may yet need.
    recent = runs.filter(~Q(state=SendingState.DONE) | Q(finished_at__isnull=True) | Q(finished_at__gte=cutoff))
    respondents = (Respondent.objects.filter(organisation=organisation, consultation_id__in=sent)
                   .exclude(consultation_id__in=recent.values("consultation_id"))
                   .exclude(contact_index=""))
    return respondents.update(contact_sealed=b"", contact_index="", consented=False)


NOT_CONFIRMED = (ImportState.UPLOADED, ImportState.CHECKING, ImportState.CHECKED, ImportState.FAILED)
FINISHED = (ImportState.APPLIED, ImportState.ROLLED_BACK, ImportState.CANCELLED)


def purge_import_files(organisation, cutoff) -> int:
    """Delete uploaded files of responses nobody will import any more; returns how many were deleted.

    - an import never confirmed within the period is cancelled and its file deleted;
    - an interrupted import left alone for the period keeps its responses (it can still be rolled back), but its
      file is deleted, so it can no longer be resumed;
    - a finished import whose file survived (a crash between the state change and the deletion) loses it now;
    - a sealed file no import names (an upload whose transaction rolled back) is deleted after the period.
    """
    imports = ResponseImport.objects.filter(organisation=organisation).exclude(file="")
    now = timezone.now()
    done = 0
    for job in imports.filter(state__in=NOT_CONFIRMED, created_at__lt=cutoff):
        ResponseImport.objects.filter(pk=job.pk, state=job.state).update(
            state=ImportState.CANCELLED, finished_at=now,
            message=_("Cancelled: it was not confirmed within the retention period, and its file was deleted."))
        done += _delete_file(job)
    stale = imports.filter(Q(state__in=FINISHED)
                           | Q(state__in=(ImportState.INTERRUPTED, ImportState.APPLYING, ImportState.ROLLING_BACK),
                               heartbeat_at__lt=cutoff))
    for job in stale:
        done += _delete_file(job)
    named = set(ResponseImport.objects.filter(organisation=organisation).exclude(file="")
                .values_list("file", flat=True))
    return done + sealed_files.remove_unreferenced(area="consultation-imports", organisation_id=organisation.pk,
                                                   referenced=named, older_than=cutoff)


def _delete_file(job: ResponseImport) -> int:
    job.file.storage.delete(job.file.name)
    return ResponseImport.objects.filter(pk=job.pk, file=job.file.name).update(file="")
