"""Reads of remedy plans shared by the pages, the API, the follow-up section and the reminders.

Which case a proposal came from is in its input's idempotency key (actions.remedy): `remedy-g<case id>-<digest>`.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from rightsloop.accounts.viewer import Viewer
from rightsloop.core.access import plausible_id
from rightsloop.engagements.models import Input

from .models import ActionConfirmation, Grievance, GrievanceQuerySet, RemedyAction, RemedyPlan
from .queries import access_plan, cases_for
from .vocabulary import RemedyType

PROPOSAL_KEY_PREFIX = "remedy-g"


def proposal_prefix(grievance: Grievance) -> str:
    return f"{PROPOSAL_KEY_PREFIX}{grievance.pk}-"


def case_id_of(proposal: Input) -> int | None:
    """The case a proposal came from, or None for an input recorded on the dialogue some other way."""
    key = proposal.idempotency_key or ""
    if not key.startswith(PROPOSAL_KEY_PREFIX):
        return None
    number, _dash, _rest = key[len(PROPOSAL_KEY_PREFIX):].partition("-")
    return int(number) if number.isdigit() else None


def outcome_types(grievance: Grievance) -> list[RemedyType]:
    """The case's remedy outcome types: the types of the actions of its remedy plan, in the list's order."""
    if grievance.remedy_plan_id is None:
        return []
    used = set(RemedyAction.objects.filter(plan_id=grievance.remedy_plan_id).values_list("remedy_type", flat=True))
    return [kind for kind in RemedyType if kind.value in used]


def access_action(viewer: Viewer, pk) -> RemedyAction:
    """An action of a plan the member may open (queries.access_plan); 404 otherwise."""
    if not plausible_id(pk):
        raise Http404
    action = RemedyAction.objects.filter(pk=int(pk)).select_related("plan", "owner").first()
    if action is None:
        raise Http404
    plan = access_plan(viewer, action.plan_id)
    action.plan = plan
    return action


def plan_cases(plan: RemedyPlan) -> list[Grievance]:
    return list(plan.grievances.order_by("number"))


def cases_to_group(viewer: Viewer, *, leave_out: list[int] = ()) -> GrievanceQuerySet:
    """Open cases the member handles that have no remedy plan yet: the ones a plan may group."""
    return (cases_for(viewer).open().filter(remedy_plan__isnull=True, erased_at__isnull=True)
            .exclude(pk__in=list(leave_out)).order_by("number").only("id", "number", "stage"))


def plan_actions(plan: RemedyPlan) -> list[RemedyAction]:
    """The plan's actions with their owners and every confirmation (its case named), in due order."""
    confirmations = ActionConfirmation.objects.select_related("grievance").order_by("at", "id")
    return list(RemedyAction.objects.filter(plan=plan).select_related("owner", "plan")
                .prefetch_related(Prefetch("confirmations", queryset=confirmations)).order_by("due_on", "id"))


def _proposals(plan: RemedyPlan):
    return (Input.objects.filter(engagement_id=plan.engagement_id)
            .select_related("current_decision", "speaker__stakeholder").order_by("recorded_at", "id"))


def plan_proposals(plan: RemedyPlan, cases: list[Grievance]) -> list[Input]:
    """Every input of the plan's dialogue, each with `case` (its Grievance, or None) and its standing decision."""
    if plan.engagement_id is None:
        return []
    by_id = {case.pk: case for case in cases}
    found = list(_proposals(plan))
    missing = {case_id_of(item) for item in found} - set(by_id) - {None}
    if missing:  # cases taken out of the plan since: still named, so their loop can be seen closing
        by_id.update({case.pk: case for case in Grievance.objects.filter(pk__in=missing).only("id", "number")})
    for item in found:
        item.case = by_id.get(case_id_of(item))
    return found


def case_proposals(grievance: Grievance) -> list[Input]:
    """What this case's people proposed in its current plan, with the standing decisions."""
    plan = grievance.remedy_plan
    if plan is None or plan.engagement_id is None:
        return []
    return list(_proposals(plan).filter(idempotency_key__startswith=proposal_prefix(grievance)))


def answered_since_delivery(actions: list[RemedyAction], grievance: Grievance) -> dict[int, str]:
    """For each delivered action, this case's answer since it was last delivered (prefetched confirmations)."""
    answers = {}
    for action in actions:
        if action.delivered_at is None:
            continue
        for confirmation in action.confirmations.all():
            if confirmation.grievance_id == grievance.pk and confirmation.at >= action.delivered_at:
                answers[action.pk] = confirmation.answer
    return answers
