"""What a strategic decision still needs before it may be marked decided, and whose sign-off it awaits (R3)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import scales
from .vocabulary import ACTING, Communication, DecisionOutcome, OwnerLevel


@dataclass(frozen=True)
class LinkedRisk:
    title: str
    severity: int
    mitigation_statuses: tuple[str, ...]
    has_remedy_plan: bool  # a mitigation in not_mitigated/cannot_mitigate carries a remedy plan


def missing_for_decision(
    *,
    risk_picture: str,
    mitigation_plan: str,
    remedy_plan: str,
    communication: str,
    communication_plan: str,
    communication_is_safe: bool,
    engaged: bool,
    no_engagement_reason: str,
    risks: list[LinkedRisk],
    outcome: str = "",
    deferred_to: datetime.date | None = None,
    conditions: int = 0,
    today: datetime.date | None = None,
) -> dict[str, str]:
    """Say, field by field, what stops the decision from being taken; an empty dict means it may be.

    `conditions` counts the conditions not dropped; `today` is what a deferral date must lie after.
    """
    missing: dict[str, str] = {}
    if outcome not in DecisionOutcome.values:
        missing["outcome"] = _("Record the outcome: go, go with conditions, no-go, or deferred to a date.")
    elif outcome == DecisionOutcome.GO_WITH_CONDITIONS and conditions < 1:
        missing["conditions"] = _("A go with conditions needs at least one condition, with an owner and a due date.")
    elif outcome != DecisionOutcome.GO_WITH_CONDITIONS and conditions:
        missing["conditions"] = _(
            "Conditions are recorded but the outcome is not “go, with conditions”: change the outcome or drop them.")
    if outcome == DecisionOutcome.DEFERRED and (deferred_to is None or (today is not None and deferred_to <= today)):
        missing["deferred_to"] = _("A deferred decision needs the date it is deferred to, after today.")
    if not risk_picture.strip():
        missing["risk_picture"] = _("Step 1: describe the current picture of the human rights risks.")
    if not risks:
        missing["risks"] = _("Step 1: link the salient risks this decision affects.")
    if not mitigation_plan.strip():
        missing["mitigation_plan"] = _("Step 2: say how the risks are mitigated, and which are not or cannot be.")
    if not remedy_plan.strip():
        missing["remedy_plan"] = _("Step 3: say how remedy would be delivered if the harm occurs.")
    if not communication:
        missing["communication"] = _("Step 4: choose how the decision will be communicated.")
    elif communication != Communication.NOT_COMMUNICATED and not communication_plan.strip():
        missing["communication_plan"] = _("Step 4: describe how it will be communicated.")
    severe = [risk for risk in risks if scales.is_severe(risk.severity)]
    if severe and communication and communication != Communication.FORMAL_REPORT:
        missing["communication"] = _("A linked risk is severe: formal reporting is required.")
    if not communication_is_safe:
        missing["communication_is_safe"] = _(
            "Confirm that the communication endangers no one: stakeholders, defenders, staff or partners.")
    if not engaged and not no_engagement_reason.strip():
        missing["engagements"] = _("Link the engagements whose stakeholders were consulted, or say why none were.")
    for risk in severe:
        acting = any(status in ACTING for status in risk.mitigation_statuses)
        if not acting and not risk.has_remedy_plan:
            missing["risks"] = _(
                "The severe risk “%(title)s” is not mitigated and has no remedy plan: add a mitigation, or "
                "record that it cannot be mitigated together with a remedy plan."
            ) % {"title": risk.title}
            break
    return missing



def board_sign_off_needed(owner_levels: Iterable[str]) -> bool:
    """A decision touching any risk the board must own counts as taken only once a board member signs it off."""
    return any(level == OwnerLevel.BOARD for level in owner_levels)
