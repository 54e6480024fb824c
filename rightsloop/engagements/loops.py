"""Whether a loop is closed: recomputed from inputs, decisions and reports whenever one of them changes.

A participant's loop is closed when every input they gave has a decision and a
report reflecting the newest of those decisions has reached them. An
engagement's loop is closed when every input has a decision and every
participant who gave one has been told. What a proxy relayed for an affected group
counts for the proxy's own participation (its speaker), so that loop closes when the
proxy got the report to pass on. Actions call refresh_loop() inside their
transaction, so the stored state can never disagree with the rows it sums.

A decision under consideration promised a next step by a date (engagements.promises):
once the daily round finds that date passed with no decision since, the promise is
broken and the loop it was made in is open again, for the participant and the
engagement, until a new decision.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Max, Q
from django.utils import timezone

from .models import Engagement, FeedbackReport, Participation
from .promises import Promise
from .vocabulary import DeliveryStatus, LoopState

PARTICIPATION_FIELDS = [
    "inputs_count", "undecided_count", "last_decision_at", "last_feedback_at",
    "last_feedback_covers", "loop_closed", "broken_promises",
]
ENGAGEMENT_FIELDS = [
    "inputs_count", "decided_count", "participants_with_inputs", "participants_closed",
    "loop_state", "loop_closed_at", "broken_promises",
]


def participant_loop_closed(
    *, inputs: int, undecided: int, last_decision_at, last_feedback_covers, erased: bool = False,
    broken_promises: int = 0,
) -> bool:
    if erased:
        # An erased person can no longer be told anything; their inputs still need decisions,
        # which the engagement's own rule checks.
        return inputs > 0
    if inputs == 0 or undecided > 0 or broken_promises > 0 or last_feedback_covers is None:
        return False
    return last_decision_at is None or last_feedback_covers >= last_decision_at


def engagement_loop_state(*, inputs: int, decided: int, with_inputs: int, closed: int,
                          broken_promises: int = 0) -> str:
    if inputs == 0:
        return LoopState.NOT_STARTED
    if decided == inputs and closed == with_inputs and not broken_promises:
        return LoopState.CLOSED
    return LoopState.OPEN


def refresh_participation(participation: Participation) -> None:
    # Withdrawn and merged-away inputs no longer stand: nobody is owed a word on them.
    counts = participation.inputs.standing().aggregate(
        total=Count("id"), undecided=Count("id", filter=Q(outcome="")), last=Max("decided_at")
    )
    reports = FeedbackReport.objects.filter(
        participation=participation, status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED]
    ).aggregate(last=Max("delivered_at"), covers=Max("covers_decisions_until"))
    broken = Promise.objects.lapsed().filter(input__in=participation.inputs.standing()).count()
    participation.inputs_count = counts["total"]
    participation.undecided_count = counts["undecided"]
    participation.last_decision_at = counts["last"]
    participation.last_feedback_at = reports["last"]
    participation.last_feedback_covers = reports["covers"]
    participation.loop_closed = participant_loop_closed(
        inputs=counts["total"], undecided=counts["undecided"],
        last_decision_at=counts["last"], last_feedback_covers=reports["covers"],
        erased=participation.stakeholder.erased_at is not None, broken_promises=broken,
    )
    participation.broken_promises = broken
    participation.save(update_fields=PARTICIPATION_FIELDS)


def refresh_loop(engagement: Engagement, participations: Iterable[Participation] = ()) -> Engagement:
    """Recompute the named participants' loops, then the engagement's; call inside the action's transaction."""
    # Lock the engagement so concurrent actions count each other's rows, and start from its stored state.
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    for participation in participations:
        refresh_participation(participation)
    inputs = engagement.inputs.standing().aggregate(total=Count("id"), decided=Count("id", filter=~Q(outcome="")))
    people = engagement.participations.aggregate(
        with_inputs=Count("id", filter=Q(inputs_count__gt=0)),
        closed=Count("id", filter=Q(loop_closed=True)),
    )
    broken = Promise.objects.lapsed().filter(input__in=engagement.inputs.standing()).count()
    state = engagement_loop_state(
        inputs=inputs["total"], decided=inputs["decided"],
        with_inputs=people["with_inputs"], closed=people["closed"], broken_promises=broken,
    )
    engagement.broken_promises = broken
    engagement.inputs_count = inputs["total"]
    engagement.decided_count = inputs["decided"]
    engagement.participants_with_inputs = people["with_inputs"]
    engagement.participants_closed = people["closed"]
    if state == LoopState.CLOSED and engagement.loop_state != LoopState.CLOSED:
        engagement.loop_closed_at = timezone.now()
    elif state != LoopState.CLOSED:
        engagement.loop_closed_at = None
    engagement.loop_state = state
    engagement.save(update_fields=ENGAGEMENT_FIELDS)
    return engagement
