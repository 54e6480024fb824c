"""The person's answer to a proposed remedy: they agree to it, or say what is wrong with it.

A remedy the affected had no say in is not the remedy M3 asks for: while a case is at "remedy proposed", the
person (through the follow-up page, the portal or the API with their receipt) or a handler recording what they said
by phone or through a proxy answers. Agreeing moves the case to "remedy agreed". Not agreeing keeps it at "remedy
proposed" for the handler to revise: what they said is a message on the case and, when the case has a remedy plan,
a proposal of theirs in the plan's remedy dialogue, so a decision on it closes the loop like any other input.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from ..models import CaseMessage, Grievance, StageChange
from ..vocabulary import MessageDirection, MessageVia, Stage

NOTE_MAX = 5_000


def _check(grievance: Grievance, by: Viewer | None, via: str) -> None:
    if via not in MessageVia.values:
        raise ValidationError({"via": [_("Unknown way of receiving this.")]})
    if by is not None:
        if by.organisation.pk != grievance.organisation_id or not by.can(Capability.GRIEVANCES_HANDLE):
            raise PermissionDenied(_("Only the people handling grievances may record this answer."))
        if grievance.exclusions.filter(user=by.user).exists():
            raise PermissionDenied(_("You are excluded from this case."))
    if grievance.is_erased:
        raise ValidationError({"__all__": [_("This case was erased; it can no longer change.")]})


@transaction.atomic
def answer_proposed_remedy(*, grievance: Grievance, agree: bool, note: str = "", via: str,
                           by: Viewer | None = None) -> Grievance:
    """Record the person's answer to the remedy proposed on their case (see the module's docstring)."""
    _check(grievance, by, via)
    case = Grievance.objects.select_for_update().get(pk=grievance.pk)
    note = (note or "").strip()
    if "\x00" in note or "\ufffd" in note:
        raise ValidationError({"note": [_("Some characters of this text could not be read. Type it again.")]})
    if len(note) > NOTE_MAX:
        raise ValidationError({"note": [_("Keep this under %(limit)s characters.") % {"limit": f"{NOTE_MAX:,}"}]})
    if case.stage == Stage.REMEDY_AGREED and agree:
        return case  # the same answer sent twice
    if case.stage != Stage.REMEDY_PROPOSED:
        raise ValidationError({"__all__": [_("There is no proposed remedy waiting for an answer on this case.")]})
    if not agree and not note:
        raise ValidationError({"note": [_("Tell us what is wrong with the proposed remedy, or what you would want "
                                          "instead.")]})
    now = timezone.now()
    if note:
        from rightsloop.core.languages import detect

        CaseMessage.objects.create(grievance=case, direction=MessageDirection.FROM_COMPLAINANT, via=via, text=note,
                                   language=detect(note),
                                   author=by.user if by else None, created_at=now)
    if agree:
        with translation.override(case.complainant_language):
            told = _("You agreed to the proposed remedy. We will tell you as each part is done.")
        StageChange.objects.create(grievance=case, from_stage=case.stage, to_stage=Stage.REMEDY_AGREED, note=told,
                                   by=by.user if by else None, at=now)
        case.stage, case.stage_changed_at = Stage.REMEDY_AGREED, now
        case.save(update_fields=["stage", "stage_changed_at"])
    elif case.remedy_plan_id is not None:
        from .remedy import record_proposal

        record_proposal(plan=case.remedy_plan, grievance=case, text=note, via=via, by=by)
    audit.record(organisation=case.organisation, by=by, action="grievance.remedy_answered", target=case,
                 summary=f"{'agreed' if agree else 'not agreed'} via {via}",
                 changed_fields=["stage"] if agree else ["messages"])
    grievance.stage, grievance.stage_changed_at = case.stage, case.stage_changed_at
    return case
