"""Every state change of engagements, inputs, decisions and loop closure; views, API and tasks call these."""

from .decisions import record_decision
from .engagements import (
    EngagementPlan,
    add_briefing,
    add_participant,
    cancel_engagement,
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
from .inputs import edit_input, merge_inputs, record_input, triage_input, withdraw_input

__all__ = [
    "EngagementPlan",
    "add_briefing",
    "add_participant",
    "cancel_engagement",
    "complete_email_delivery",
    "create_engagement",
    "edit_input",
    "mark_feedback_delivered",
    "merge_inputs",
    "record_decision",
    "record_input",
    "remind_overdue_loop_owners",
    "remove_participant",
    "send_feedback_by_email",
    "triage_input",
    "update_engagement",
    "withdraw_input",
]
