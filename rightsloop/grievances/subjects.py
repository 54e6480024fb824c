"""What the grievance mechanism holds about one stakeholder, for subject access exports and erasure (X5).

A person in the register who raised a grievance themselves (from the portal, or recorded by staff with their
record linked: `Grievance.stakeholder`) holds its words: what happened, who was affected, what they want, their
name and contact, the messages both ways, their appeals and files. Their export lists all of it; their erasure
erases those cases: the case's own key is destroyed (everything sealed under it becomes unreadable at once),
the words are cleared, the files deleted. What the figures count stays (stage, dates, channel, country,
product, rights), as for every erased record.

A proxy who filed for an affected group wrote those words, so its export lists them, but the case is the
group's: erasing the proxy leaves it, as it leaves what a proxy relayed in an engagement
(engagements/subjects.py). Anonymous cases are tied to no one and are never part of anyone's data.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from rightsloop.core import audit

from .actions.remedy import erase_case_proposals
from .models import ActionConfirmation, Appeal, CaseAttachment, CaseMessage, Grievance
from .vocabulary import MessageDirection

# Whether these were given is what the self-check counts (an outcome, the reasons for not admitting a case):
# they stay as sealed bytes whose key is gone, so the counts stay right and nobody can read them.
KEPT_UNREADABLE = ("not_admissible_reasons", "outcome_summary")


def _case(grievance: Grievance, *, filed_for_group: bool) -> dict:
    return {
        "case": grievance.label,
        "received_at": grievance.received_at.isoformat(),
        "channel": grievance.channel,
        "mode": grievance.mode,
        "stage": grievance.stage,
        "filed_for_group": grievance.on_behalf_of.name if filed_for_group and grievance.on_behalf_of_id else None,
        "country": grievance.country,
        "product": grievance.product,
        "what_happened": grievance.description,
        "when": grievance.when_text,
        "who_was_affected": grievance.affected_people,
        "what_they_want": grievance.wanted_outcome,
        "represents": grievance.represents,
        "name": grievance.complainant_name,
        "contact": grievance.complainant_contact,
        "not_admissible_reasons": grievance.not_admissible_reasons,
        "outcome": grievance.outcome_summary,
        "satisfaction": grievance.satisfaction,
        "satisfaction_note": grievance.satisfaction_note,
        # Internal notes are the handlers' working notes, never shown to the person; the messages both ways are.
        "messages": [{"direction": message.direction, "at": message.created_at.isoformat(), "text": message.text}
                     for message in grievance.messages.all() if message.direction != MessageDirection.INTERNAL],
        "appeals": [{"filed_at": appeal.filed_at.isoformat(), "reason": appeal.reason}
                    for appeal in grievance.appeals.all()],
        "files": [{"name": attachment.file_name, "type": attachment.content_type, "size": attachment.size,
                   "uploaded_at": attachment.uploaded_at.isoformat()} for attachment in grievance.attachments.all()],
    }


def export(stakeholder) -> list[dict]:
    """The cases the person raised, and those they filed for a group as its proxy, with their words."""
    cases = (Grievance.objects.filter(organisation_id=stakeholder.organisation_id, erased_at__isnull=True)
             .filter(Q(stakeholder=stakeholder) | Q(proxy=stakeholder)).select_related("on_behalf_of")
             .prefetch_related("messages", "appeals", "attachments").order_by("received_at", "id"))
    return [_case(grievance, filed_for_group=grievance.stakeholder_id != stakeholder.pk) for grievance in cases]


@transaction.atomic
def erase_case(grievance: Grievance, *, reason: str) -> None:
    """Erase one case's words: destroy its key, clear what is sealed under it, delete its files. Idempotent."""
    grievance = Grievance.objects.select_for_update().get(pk=grievance.pk)
    if grievance.is_erased:
        return
    now = timezone.now()
    erase_case_proposals(grievance=grievance, by=None)  # sealed under the organisation's key, not the case's
    for attachment in CaseAttachment.objects.filter(grievance=grievance):
        attachment.file.delete(save=False)
    CaseAttachment.objects.filter(grievance=grievance).delete()
    CaseMessage.objects.filter(grievance=grievance).update(text_sealed=b"")
    Appeal.objects.filter(grievance=grievance).update(reason_sealed=b"")
    ActionConfirmation.objects.filter(grievance=grievance).update(note_sealed=b"")
    cleared = {f"{name}_sealed": b"" for name in Grievance.sealed_fields if name not in KEPT_UNREADABLE}
    Grievance.objects.filter(pk=grievance.pk).update(sealed_key=b"", erased_at=now, submission_key="", **cleared)
    audit.record(organisation=grievance.organisation, by=None, action="grievance.erased", target=grievance,
                 summary=reason[:300], changed_fields=sorted(Grievance.sealed_fields))


def erase(stakeholder) -> int:
    """Erase every case the person raised themselves; cases they filed for a group as its proxy stay."""
    erased = 0
    for grievance in Grievance.objects.filter(stakeholder=stakeholder, erased_at__isnull=True):
        erase_case(grievance, reason=f"the person who raised {grievance.label} was erased")
        erased += 1
    return erased
