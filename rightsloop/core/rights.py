"""The shipped taxonomy of internationally recognised human rights, with stable codes.

Codes never change once published: stored records refer to them. A new right
gets a new code and the version moves on; a retired one stays, marked retired.
Sources are the articles of the Universal Declaration (UDHR), the International
Covenant on Civil and Political Rights (ICCPR) and the International Covenant on
Economic, Social and Cultural Rights (ICESCR), plus the Convention on the Rights
of the Child (CRC) for child rights.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

VERSION = "2026.1"


@dataclass(frozen=True)
class Right:
    code: str
    name: Promise
    sources: tuple[str, ...]
    retired: bool = False


TAXONOMY: tuple[Right, ...] = (
    Right("life", _("Right to life"), ("UDHR 3", "ICCPR 6")),
    Right("security_of_person", _("Liberty and security of person"), ("UDHR 3", "ICCPR 9")),
    Right("freedom_from_torture", _("Freedom from torture and cruel, inhuman or degrading treatment"),
          ("UDHR 5", "ICCPR 7")),
    Right("freedom_from_slavery", _("Freedom from slavery, servitude and forced labour"),
          ("UDHR 4", "ICCPR 8")),
    Right("non_discrimination", _("Equality and non-discrimination"),
          ("UDHR 2", "UDHR 7", "ICCPR 2", "ICCPR 26", "ICESCR 2")),
    Right("gender_equality", _("Equal rights of women and men"), ("ICCPR 3", "ICESCR 3")),
    Right("recognition_before_law", _("Recognition as a person before the law"), ("UDHR 6", "ICCPR 16")),
    Right("effective_remedy", _("Effective remedy"), ("UDHR 8", "ICCPR 2(3)")),
    Right("freedom_from_arbitrary_detention", _("Freedom from arbitrary arrest and detention"),
          ("UDHR 9", "ICCPR 9")),
    Right("fair_trial", _("Fair trial and due process"), ("UDHR 10", "UDHR 11", "ICCPR 14", "ICCPR 15")),
    Right("privacy", _("Privacy, family, home and correspondence"), ("UDHR 12", "ICCPR 17")),
    Right("freedom_of_movement", _("Freedom of movement"), ("UDHR 13", "ICCPR 12")),
    Right("asylum", _("Seek and enjoy asylum"), ("UDHR 14",)),
    Right("nationality", _("Nationality"), ("UDHR 15", "ICCPR 24(3)")),
    Right("family_life", _("Marriage and protection of the family"), ("UDHR 16", "ICCPR 23", "ICESCR 10")),
    Right("property", _("Property"), ("UDHR 17",)),
    Right("freedom_of_thought", _("Freedom of thought, conscience and religion"), ("UDHR 18", "ICCPR 18")),
    Right("freedom_of_expression", _("Freedom of opinion and expression, and access to information"),
          ("UDHR 19", "ICCPR 19")),
    Right("freedom_of_assembly", _("Peaceful assembly"), ("UDHR 20", "ICCPR 21")),
    Right("freedom_of_association", _("Freedom of association, including trade unions"),
          ("UDHR 20", "UDHR 23(4)", "ICCPR 22", "ICESCR 8")),
    Right("political_participation", _("Take part in public affairs, vote and be elected"),
          ("UDHR 21", "ICCPR 25")),
    Right("social_security", _("Social security"), ("UDHR 22", "ICESCR 9")),
    Right("work", _("Work and free choice of employment"), ("UDHR 23", "ICESCR 6")),
    Right("just_working_conditions", _("Just and favourable conditions of work"),
          ("UDHR 23", "UDHR 24", "ICESCR 7")),
    Right("adequate_standard_of_living", _("Adequate standard of living, including food and housing"),
          ("UDHR 25", "ICESCR 11")),
    Right("health", _("Highest attainable standard of health"), ("UDHR 25", "ICESCR 12")),
    Right("education", _("Education"), ("UDHR 26", "ICESCR 13", "ICESCR 14")),
    Right("cultural_life", _("Take part in cultural life and benefit from science"),
          ("UDHR 27", "ICESCR 15")),
    Right("minority_rights", _("Rights of minorities to their culture, religion and language"),
          ("ICCPR 27",)),
    Right("self_determination", _("Self-determination"), ("ICCPR 1", "ICESCR 1")),
    Right("child_rights", _("Rights of the child, including protection from exploitation"),
          ("ICCPR 24", "ICESCR 10(3)", "CRC")),
    Right("freedom_from_propaganda_for_war", _("Prohibition of propaganda for war and incitement to hatred"),
          ("ICCPR 20",)),
    Right("humane_detention", _("Humane treatment in detention"), ("ICCPR 10",)),
    Right("social_international_order", _("A social and international order in which rights can be realised"),
          ("UDHR 28",)),
)

_BY_CODE = {right.code: right for right in TAXONOMY}


@dataclass(frozen=True)
class Grouping:
    """A family of rights that technology companies commonly report against; codes are stable too."""

    code: str
    name: Promise
    rights: tuple[str, ...]


GROUPINGS: tuple[Grouping, ...] = (
    Grouping("privacy", _("Privacy"), ("privacy", "family_life")),
    Grouping("expression", _("Freedom of expression and information"),
             ("freedom_of_expression", "freedom_of_thought", "freedom_of_assembly", "freedom_of_association",
              "political_participation")),
    Grouping("non_discrimination", _("Non-discrimination and equality"),
             ("non_discrimination", "gender_equality", "minority_rights", "recognition_before_law")),
    Grouping("security", _("Security of person"),
             ("life", "security_of_person", "freedom_from_torture", "freedom_from_arbitrary_detention",
              "humane_detention", "freedom_from_slavery")),
    Grouping("child_rights", _("Child rights"), ("child_rights", "education")),
    Grouping("labour", _("Labour rights"),
             ("work", "just_working_conditions", "freedom_of_association", "freedom_from_slavery",
              "social_security")),
)


def groupings_of(code: str) -> list[str]:
    return [grouping.code for grouping in GROUPINGS if code in grouping.rights]


def get(code: str) -> Right | None:
    return _BY_CODE.get(code)


def is_known(code: str) -> bool:
    return code in _BY_CODE


def choices() -> list[tuple[str, str]]:
    return [(right.code, str(right.name)) for right in TAXONOMY if not right.retired]


def name(code: str) -> str:
    right = _BY_CODE.get(code)
    return str(right.name) if right else code
