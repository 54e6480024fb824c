"""Decide on inputs; every revision is kept."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit

from ..loops import refresh_loop
from ..models import Decision, Input
from ..outcomes import decision_errors
from .promises import settle_promises


def may_decide(viewer: Viewer, input: Input) -> bool:
    if viewer.can(Capability.DECISIONS_ANY):
        return True
    return (
        viewer.can(Capability.DECISIONS_QUEUE)
        and bool(viewer.function)
        and input.owning_function == viewer.function
    )


@transaction.atomic
def record_decision(
    *,
    input: Input,
    outcome: str,
    rationale: str = "",
    next_step: str = "",
    next_step_due: datetime.date | None = None,
    by: Viewer,
) -> Decision:
    """Record (or revise) the decision on an input and re-open its loop until the speaker hears of it."""
    if not may_decide(by, input):
        raise PermissionDenied(_("Only the function this input is routed to can decide on it."))
    now = timezone.now()
    errors = decision_errors(
        outcome=outcome, rationale=rationale, next_step=next_step, next_step_due=next_step_due,
        today=timezone.localdate(now),
    )
    if errors:
        raise ValidationError(errors)
    input = Input.objects.select_for_update().get(pk=input.pk)
    if not input.stands:
        raise ValidationError({"outcome": _("This input was withdrawn or merged into another: it takes no decision.")})
    previous = input.decisions.aggregate(last=Max("revision"))["last"] or 0
    decision = Decision.objects.create(
        organisation=input.organisation,
        input=input,
        revision=previous + 1,
        outcome=outcome,
        rationale=rationale.strip(),
        next_step=next_step.strip() if outcome == "under_consideration" else "",
        next_step_due=next_step_due if outcome == "under_consideration" else None,
        function=input.owning_function,
        decided_by=by.user,
        decided_at=now,
    )
    input.current_decision = decision
    input.outcome = outcome
    input.decided_at = now
    input.save(update_fields=["current_decision", "outcome", "decided_at"])
    # A newer decision keeps the promise an earlier "under consideration" made; a new one makes its own.
    settle_promises(input=input, decision=decision)
    refresh_loop(input.engagement, [input.speaker] if input.speaker_id else [])
    audit.record(
        organisation=input.organisation, by=by,
        action="decision.revised" if previous else "decision.recorded", target=input,
        summary=f"{outcome} (revision {decision.revision})",
        changed_fields=["outcome", "rationale", "next_step", "next_step_due"],
    )
    return decision
