"""How long respondents' contact addresses are kept: only as long as telling them the outcome needs.

An address is taken for one purpose, to tell the respondent what became of their words. Once the outcome has been
sent and the organisation's period has passed, the address is erased. Who was written to stays known only as a
keyed fingerprint on the message record, so nobody is written to twice and nothing readable is left.
"""

from __future__ import annotations

from django.db.models import Q

from .models import MessageRun, Respondent, SendingState


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
