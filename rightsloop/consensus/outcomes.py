"""What became of an exercise's findings: each result turned into an input, and the decision standing on it.

Read by the results page, the API, the outcome email and the participants' voting pages; nothing here writes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from rightsloop.engagements.vocabulary import Outcome

from .models import Exercise, ExerciseResult
from .vocabulary import ResultKind


@dataclass(frozen=True)
class ResultOutcome:
    statement_number: int
    statement_text: str
    kind: str
    group: int
    group_label: str         # "" for a finding about everyone
    input_id: int
    outcome: str             # "" while undecided
    rationale: str
    next_step: str
    next_step_due: datetime.date | None
    decided_at: datetime.datetime | None

    @property
    def kind_label(self) -> str:
        return str(ResultKind(self.kind).label)

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)

    @property
    def outcome_label(self) -> str:
        return str(Outcome(self.outcome).label) if self.outcome else _("Not decided yet")


def _group_label(results: dict, group: int) -> str:
    if group < 0:
        return ""
    for entry in (results or {}).get("groups", []):
        if entry.get("id") == group:
            return str(entry.get("label", ""))
    return ""


def outcome_for(exercise: Exercise) -> list[ResultOutcome]:
    """Every finding of the exercise turned into an input, with its decision (or none yet), oldest first.

    An input merged into another is answered by the one it was merged into; a withdrawn one is left out.
    """
    rows = (ExerciseResult.objects.filter(run__exercise=exercise, input__withdrawn_at__isnull=True)
            .select_related("statement", "run", "input__current_decision", "input__merged_into__current_decision")
            .order_by("created_at", "id"))
    found = []
    for row in rows:
        answered = row.input.merged_into if row.input.merged_into_id else row.input
        decision = answered.current_decision
        found.append(ResultOutcome(
            statement_number=row.statement.number, statement_text=row.statement.text, kind=row.kind,
            group=row.group, group_label=_group_label(row.run.results, row.group), input_id=row.input_id,
            outcome=decision.outcome if decision else "", rationale=decision.rationale if decision else "",
            next_step=decision.next_step if decision else "",
            next_step_due=decision.next_step_due if decision else None,
            decided_at=decision.decided_at if decision else None))
    return found
