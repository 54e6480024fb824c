"""The rating scales of a salient risk, each level with the definition shown beside it in the form.

Severity follows the UN Guiding Principles: how grave the harm is (scale), how many people it
reaches (scope), and how hard it is to put right (irremediability). Likelihood is rated apart.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

LEVELS = range(1, 6)


@dataclass(frozen=True)
class Scale:
    key: str
    name: Promise
    question: Promise
    definitions: dict[int, Promise]

    def choices(self) -> list[tuple[int, str]]:
        return [(level, f"{level} — {self.definitions[level]}") for level in LEVELS]


SCALE = Scale("scale", _("Scale"), _("How grave is the harm to the people affected?"), {
    1: _("Minimal: an inconvenience, easily absorbed"),
    2: _("Moderate: a real but limited effect on a right"),
    3: _("Serious: a right is substantially impaired"),
    4: _("Grave: a core right is denied, or physical or psychological harm"),
    5: _("Extreme: threat to life, liberty or physical integrity"),
})
SCOPE = Scale("scope", _("Scope"), _("How many people are, or could be, affected?"), {
    1: _("A few individuals"),
    2: _("A small group or community"),
    3: _("Many people in one market or group"),
    4: _("Large populations across several markets"),
    5: _("Most users, or whole societies"),
})
IRREMEDIABILITY = Scale("irremediability", _("Irremediability"), _("How hard is it to put the harm right?"), {
    1: _("Easily and fully reversible"),
    2: _("Reversible with some effort"),
    3: _("Reversible only with significant effort or time"),
    4: _("Hard to reverse; lasting effects"),
    5: _("Irreversible: cannot be put right"),
})
LIKELIHOOD = Scale("likelihood", _("Likelihood"), _("How likely is the harm to occur?"), {
    1: _("Rare: only in exceptional circumstances"),
    2: _("Unlikely: could occur, has not been seen"),
    3: _("Possible: has occurred in similar contexts"),
    4: _("Likely: expected to occur in some markets"),
    5: _("Almost certain: is occurring or will occur"),
})

SEVERITY_SCALES = (SCALE, SCOPE, IRREMEDIABILITY)
ALL_SCALES = (*SEVERITY_SCALES, LIKELIHOOD)
# A risk at or above this severity is "severe": formal reporting and a remedy plan are required.
SEVERE = 11


def severity(*, scale: int, scope: int, irremediability: int) -> int:
    """Severity from its three dimensions: their sum, 3 to 15."""
    return scale + scope + irremediability


def priority(*, severity: int, likelihood: int) -> int:
    """One sortable number: severity first, likelihood only among equally severe risks.

    Severity times 10, plus likelihood: as likelihood is at most 5, no amount of likelihood can lift a
    risk above a more severe one, so a severe, unlikely risk outranks a mild, likely one.
    """
    return severity * 10 + likelihood


def severity_band(severity: int) -> int:
    """The heat map's severity row (1 to 5) for a severity of 3 to 15."""
    return max(1, min(5, round(severity / 3)))


def is_severe(severity: int) -> bool:
    return severity >= SEVERE
