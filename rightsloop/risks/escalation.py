"""Which level must own a risk, from the organisation's escalation rules (R2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .vocabulary import LEVEL_ORDER, OwnerLevel

# Used until an organisation sets its own: severe and likely risks reach the board; severe, or
# serious and likely, reach the executive.
DEFAULT_RULES = {
    OwnerLevel.BOARD: (12, 3),
    OwnerLevel.EXECUTIVE: (9, 2),
}


@dataclass(frozen=True)
class Threshold:
    level: str
    min_severity: int
    min_likelihood: int


def thresholds(rules: Iterable[Threshold] | None) -> list[Threshold]:
    chosen = list(rules or [])
    if not chosen:
        chosen = [Threshold(level, sev, lik) for level, (sev, lik) in DEFAULT_RULES.items()]
    return sorted(chosen, key=lambda t: -LEVEL_ORDER[t.level])


def level_for(*, severity: int, likelihood: int, rules: Iterable[Threshold] | None = None) -> str:
    """The highest level whose thresholds the risk meets on both severity and likelihood; else the team."""
    for threshold in thresholds(rules):
        if severity >= threshold.min_severity and likelihood >= threshold.min_likelihood:
            return threshold.level
    return OwnerLevel.TEAM


def is_escalation(before: str, after: str) -> bool:
    return LEVEL_ORDER[after] > LEVEL_ORDER[before]
