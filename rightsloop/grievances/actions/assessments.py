"""The organisation's own judgement of its grievance mechanism against each UNGP 31 criterion.

Assessments are appended, never edited: the newest per criterion stands, the earlier ones are its history,
so the board and an auditor can see how the organisation's view moved with the figures.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.models import Organisation

from ..models import SelfAssessment
from ..vocabulary import Assessment, Criterion

NOTES_MAX = 5000


@transaction.atomic
def assess(*, organisation: Organisation, criterion: str, assessment: str, notes: str, by: Viewer) -> SelfAssessment:
    """Record the organisation's assessment of one criterion, with its evidence and notes."""
    if not by.can(Capability.GRIEVANCES_CONFIGURE) or by.organisation.pk != organisation.pk:
        raise PermissionDenied(_("Only someone who configures the grievance mechanism may assess it."))
    notes = (notes or "").strip()
    errors: dict[str, list[str]] = {}
    if criterion not in Criterion.values:
        errors["criterion"] = [_("Unknown criterion.")]
    if assessment not in Assessment.values:
        errors["assessment"] = [_("Choose one of the assessments offered.")]
    if len(notes) > NOTES_MAX:
        errors["notes"] = [_("Keep the notes under %(max)s characters.") % {"max": NOTES_MAX}]
    if "\x00" in notes:
        errors["notes"] = [_("Text may not contain NUL characters.")]
    if errors:
        raise ValidationError(errors)
    row = SelfAssessment.objects.create(organisation=organisation, criterion=criterion, assessment=assessment,
                                        notes=notes, by=by.user, at=timezone.now())
    # The notes are the organisation's own words about its mechanism: named as a field, never copied here.
    audit.record(organisation=organisation, by=by, action="grievance.self_assessed", target=row,
                 summary=f"UNGP 31 self-assessment of {criterion}: {assessment}",
                 changed_fields=["criterion", "assessment", "notes"])
    return row
