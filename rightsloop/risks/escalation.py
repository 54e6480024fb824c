"""Which level must own a risk, from the organisation's escalation rules (R2).

For human rights risks severity comes first (UN Guiding Principles 14 and 24: scale, scope and
irremediable character decide priority, and likelihood never outweighs them). A rule therefore has two
ways in: the usual "severity at least S and likelihood at least L", and severity-first conditions that
lift a risk to the level whatever its likelihood: "severity at least S" alone, or "irremediability at
least I with severity at least S". A harm that cannot be put right does not become acceptable because
it is unlikely.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import scales
from .vocabulary import LEVEL_ORDER, OwnerLevel

SEVERITY_RANGE = (3, 15)
RATING_RANGE = (1, 5)
# The rule levels; the human rights team owns whatever no rule lifts.
RULE_LEVELS = (OwnerLevel.EXECUTIVE, OwnerLevel.BOARD)


@dataclass(frozen=True)
class Threshold:
    """One level's rule: met when the risk meets any of its conditions."""

    level: str
    min_severity: int
    min_likelihood: int
    # Severity first: a risk this severe reaches the level whatever its likelihood (None: no such condition).
    min_severity_any_likelihood: int | None = None
    # ...and so does one this hard to put right with at least this severity (both or neither).
    min_irremediability: int | None = None
    min_severity_if_irremediable: int | None = None

    def is_met(self, *, severity: int, likelihood: int, irremediability: int) -> bool:
        if severity >= self.min_severity and likelihood >= self.min_likelihood:
            return True
        if self.min_severity_any_likelihood is not None and severity >= self.min_severity_any_likelihood:
            return True
        return (self.min_irremediability is not None and self.min_severity_if_irremediable is not None
                and irremediability >= self.min_irremediability and severity >= self.min_severity_if_irremediable)


# The defaults every organisation has until it sets its own rules. Version 2 puts severity first: every
# severe risk reaches the executive and every severe risk that cannot be put right reaches the board,
# however unlikely; a risk near the top of the severity scale (13 of 15) goes to the board on severity alone.
DEFAULTS_VERSION = 2
DEFAULT_RULES = (
    Threshold(OwnerLevel.BOARD, 12, 3, min_severity_any_likelihood=13,
              min_irremediability=5, min_severity_if_irremediable=scales.SEVERE),
    Threshold(OwnerLevel.EXECUTIVE, 9, 2, min_severity_any_likelihood=scales.SEVERE,
              min_irremediability=4, min_severity_if_irremediable=9),
)
# Version 1, the defaults before severity came first: likelihood could keep a 15/15 risk with the team.
# Organisations that relied on them were given them as their own rules, and offered version 2.
OLD_DEFAULT_RULES = (
    Threshold(OwnerLevel.BOARD, 12, 3),
    Threshold(OwnerLevel.EXECUTIVE, 9, 2),
)


def thresholds(rules: Iterable[Threshold] | None) -> list[Threshold]:
    """The organisation's rules, or the defaults when it has none, highest level first."""
    chosen = list(rules or []) or list(DEFAULT_RULES)
    return sorted(chosen, key=lambda t: -LEVEL_ORDER[t.level])


def level_for(*, severity: int, likelihood: int, irremediability: int,
              rules: Iterable[Threshold] | None = None) -> str:
    """The highest level whose rule the risk meets; else the human rights team."""
    for threshold in thresholds(rules):
        if threshold.is_met(severity=severity, likelihood=likelihood, irremediability=irremediability):
            return threshold.level
    return OwnerLevel.TEAM


def is_escalation(before: str, after: str) -> bool:
    return LEVEL_ORDER[after] > LEVEL_ORDER[before]


# Fields a rule is written with, and the range each may take (the severity-first ones may be left empty).
FIELD_RANGES = {
    "min_severity": SEVERITY_RANGE,
    "min_likelihood": RATING_RANGE,
    "min_severity_any_likelihood": SEVERITY_RANGE,
    "min_irremediability": RATING_RANGE,
    "min_severity_if_irremediable": SEVERITY_RANGE,
}
OPTIONAL_FIELDS = ("min_severity_any_likelihood", "min_irremediability", "min_severity_if_irremediable")


OUT_OF_RANGE = {
    "min_severity": _("Severity runs from 3 to 15."),
    "min_likelihood": _("Likelihood runs from 1 to 5."),
    "min_severity_any_likelihood": _("Severity runs from 3 to 15; leave it empty for no such condition."),
    "min_irremediability": _("Irremediability runs from 1 to 5; leave it empty for no such condition."),
    "min_severity_if_irremediable": _("Severity runs from 3 to 15; leave it empty for no such condition."),
}


def problems(rules: Iterable[Threshold]) -> dict[str, Promise]:
    """What is wrong with a set of rules, by field (`<level>_<field>`); empty when they can be saved."""
    found: dict[str, Promise] = {}
    by_level: dict[str, Threshold] = {}
    for rule in rules:
        if rule.level not in RULE_LEVELS:
            found["level"] = _("Rules are set for the executive and the board.")
            continue
        if rule.level in by_level:
            found["level"] = _("One rule per level.")
        by_level[rule.level] = rule
        for name, (low, high) in FIELD_RANGES.items():
            value = getattr(rule, name)
            if value is None and name in OPTIONAL_FIELDS:
                continue
            if value is None or not low <= value <= high:
                found[f"{rule.level}_{name}"] = OUT_OF_RANGE[name]
        if (rule.min_irremediability is None) != (rule.min_severity_if_irremediable is None):
            missing = "min_irremediability" if rule.min_irremediability is None else "min_severity_if_irremediable"
            found.setdefault(f"{rule.level}_{missing}", _(
                "Give both the irremediability and the severity it applies from, or neither."))
    executive, board = by_level.get(OwnerLevel.EXECUTIVE), by_level.get(OwnerLevel.BOARD)
    if executive and board and not found:
        # A lower level never demands more than a higher one: what lifts a risk to the board lifts it to
        # the executive too, so the levels stay nested.
        for name in FIELD_RANGES:
            above, below = getattr(board, name), getattr(executive, name)
            if above is not None and (below is None or below > above):
                found[f"{OwnerLevel.EXECUTIVE}_{name}"] = _(
                    "The executive may not demand more than the board: whatever lifts a risk to the board "
                    "must lift it to the executive too.")
    return found
