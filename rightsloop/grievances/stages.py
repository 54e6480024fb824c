"""Which stage may follow which, and what the person is told to expect next (UNGP 31 "predictable").

Pure rules, no database: the actions check them, the pages and the follow-up page read them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .vocabulary import Stage

# The moves a handler may make. Closing is possible from any open stage once the person was answered;
# an appeal (actions) re-opens a closed or not-admissible case to ASSESSING with a different handler.
NEXT: dict[str, tuple[str, ...]] = {
    Stage.RECEIVED: (Stage.ACKNOWLEDGED,),
    Stage.ACKNOWLEDGED: (Stage.ASSESSING,),
    Stage.ASSESSING: (Stage.NOT_ADMISSIBLE, Stage.INVESTIGATING),
    Stage.INVESTIGATING: (Stage.REMEDY_PROPOSED, Stage.CLOSED),
    Stage.REMEDY_PROPOSED: (Stage.REMEDY_AGREED, Stage.INVESTIGATING, Stage.CLOSED),
    Stage.REMEDY_AGREED: (Stage.REMEDY_DELIVERING, Stage.REMEDY_PROPOSED),
    Stage.REMEDY_DELIVERING: (Stage.CLOSED, Stage.REMEDY_AGREED),
    Stage.NOT_ADMISSIBLE: (),
    Stage.CLOSED: (),
}

# Stages an appeal can re-open.
APPEALABLE = (Stage.NOT_ADMISSIBLE, Stage.CLOSED)

# Reaching one of these is the substantive response the deadline asks for.
SUBSTANTIVE = (Stage.NOT_ADMISSIBLE, Stage.REMEDY_PROPOSED, Stage.CLOSED)


def allowed(current: str, target: str) -> bool:
    return target in NEXT.get(current, ())


# What each stage means, in plain words for the person who raised the case.
MEANING = {
    Stage.RECEIVED: _("We have your grievance. Someone will confirm they are looking at it."),
    Stage.ACKNOWLEDGED: _("A person handling grievances has read it and will assess it."),
    Stage.ASSESSING: _("We are checking whether this mechanism can deal with it, and what we need to know."),
    Stage.NOT_ADMISSIBLE: _("This mechanism cannot deal with it. We have said why, and where else you can go."),
    Stage.INVESTIGATING: _("We are finding out what happened. We may ask you questions here."),
    Stage.REMEDY_PROPOSED: _("We have proposed a remedy. Tell us whether it is right for you."),
    Stage.REMEDY_AGREED: _("The remedy is agreed. We will tell you as each part is done."),
    Stage.REMEDY_DELIVERING: _("The remedy is being delivered. Tell us whether each part was really done."),
    Stage.CLOSED: _("The case is closed. You can still tell us how satisfied you are, or appeal."),
}


@dataclass(frozen=True)
class NextStep:
    """What happens next and by when, as far as the mechanism can promise it."""

    text: str
    by: datetime.date | None


def next_step(*, stage: str, acknowledge_due_on: datetime.date, respond_due_on: datetime.date,
              responded: bool, action_due_on: datetime.date | None = None) -> NextStep | None:
    """The indicative time for the next step of a case in `stage`; None once nothing more is owed."""
    if stage == Stage.RECEIVED:
        return NextStep(str(_("Acknowledgement")), acknowledge_due_on)
    if stage in (Stage.ACKNOWLEDGED, Stage.ASSESSING, Stage.INVESTIGATING) and not responded:
        return NextStep(str(_("A substantive response")), respond_due_on)
    if stage in (Stage.ACKNOWLEDGED, Stage.ASSESSING, Stage.INVESTIGATING):
        return NextStep(str(_("The next update")), None)
    if stage == Stage.REMEDY_PROPOSED:
        return NextStep(str(_("Your answer to the proposed remedy")), None)
    if stage in (Stage.REMEDY_AGREED, Stage.REMEDY_DELIVERING):
        return NextStep(str(_("The next remedy action")), action_due_on)
    return None
