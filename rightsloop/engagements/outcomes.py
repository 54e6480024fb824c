"""The rules a decision on an input must satisfy, as one pure function the form, API and action share."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext as _

from .vocabulary import Outcome

NEEDS_RATIONALE = frozenset({Outcome.PARTLY_ADOPTED, Outcome.NOT_ADOPTED})
MAX_CONSIDERATION_DAYS = 730


def decision_errors(
    *,
    outcome: str,
    rationale: str,
    next_step: str,
    next_step_due: datetime.date | None,
    today: datetime.date,
) -> dict[str, str]:
    """Say what is missing or wrong in a decision, field by field; an empty dict means it may be recorded.

    Not adopting (even in part) needs a rationale, because telling people why is
    what closing the loop means. Still considering needs a next step and a date
    in the future, because "we are thinking about it" with no date never closes.
    """
    errors: dict[str, str] = {}
    if outcome not in Outcome.values:
        errors["outcome"] = _("Choose adopted, partly adopted, not adopted or under consideration.")
        return errors
    if outcome in NEEDS_RATIONALE and not rationale.strip():
        errors["rationale"] = _("Explain why: a decision not to adopt, in full or in part, needs a rationale.")
    if outcome == Outcome.UNDER_CONSIDERATION:
        if not next_step.strip():
            errors["next_step"] = _("Say what happens next: through what process is it being considered?")
        if next_step_due is None:
            errors["next_step_due"] = _("Give the date by which the next step will be done.")
        elif next_step_due < today:
            errors["next_step_due"] = _("The date of the next step cannot be in the past.")
        elif next_step_due > today + datetime.timedelta(days=MAX_CONSIDERATION_DAYS):
            errors["next_step_due"] = _("Choose a date within two years.")
    return errors
