"""What a strategic decision still needs before it may be marked decided (R3), as one pure function."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import scales
from .vocabulary import ACTING, Communication


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
) -> dict[str, str]:
    """Say, field by field, what stops the decision from being taken; an empty dict means it may be."""
    missing: dict[str, str] = {}
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

