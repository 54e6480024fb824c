"""Every state change of engagements, inputs, decisions and loop closure; views, API and tasks call these."""

from .decisions import record_decision
from .engagements import (
    EngagementPlan,
    add_briefing,
    add_participant,
    create_engagement,
    remove_participant,
    update_engagement,
)
from .feedback import (
    complete_email_delivery,
    mark_feedback_delivered,
    remind_overdue_loop_owners,
    send_feedback_by_email,
)
from .inputs import record_input, triage_input

__all__ = [
    "EngagementPlan",
    "add_briefing",
    "add_participant",
    "complete_email_delivery",
    "create_engagement",
    "mark_feedback_delivered",
    "record_decision",
    "record_input",
    "remind_overdue_loop_owners",
    "remove_participant",
    "send_feedback_by_email",
    "triage_input",
    "update_engagement",
]
