"""Every state change of engagements, inputs, decisions and loop closure; views, API and tasks call these."""

from .decisions import record_decision
from .engagements import (
    EngagementPlan,
    add_briefing,
    add_participant,
    add_participants,
    cancel_engagement,
    create_engagement,
    remove_participant,
    update_engagement,
)
from .feedback import (
    ReadyPlan,
    attach_translation,
    complete_email_delivery,
    download_letter_pdf,
    mark_feedback_delivered,
    plan_ready_reports,
    remind_overdue_loop_owners,
    remove_translation,
    send_feedback_by_email,
    send_ready_reports,
    set_personal_note,
)
from .inputs import edit_input, merge_inputs, record_input, triage_input, withdraw_input

__all__ = [
    "EngagementPlan",
    "ReadyPlan",
    "add_briefing",
    "add_participant",
    "add_participants",
    "attach_translation",
    "cancel_engagement",
    "complete_email_delivery",
    "create_engagement",
    "download_letter_pdf",
    "edit_input",
    "mark_feedback_delivered",
    "merge_inputs",
    "plan_ready_reports",
    "record_decision",
    "record_input",
    "remind_overdue_loop_owners",
    "remove_participant",
    "remove_translation",
    "send_feedback_by_email",
    "send_ready_reports",
    "set_personal_note",
    "triage_input",
    "update_engagement",
    "withdraw_input",
]
