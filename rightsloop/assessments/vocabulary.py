"""The words of a regional or country assessment (G1): its status, its phases and the partners' roles."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Status(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("assessment status", "Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", pgettext_lazy("assessment status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("assessment status", "Cancelled")


class PhaseKind(models.TextChoices):
    """The phases of an assessment in the order they usually run (B-Tech practice four)."""

    SCOPING = "scoping", _("Scoping")
    PARTNER_TRAINING = "partner_training", _("Partner training")
    DATA_COLLECTION = "data_collection", _("Data collection")
    ANALYSIS = "analysis", _("Analysis")
    VALIDATION = "validation", _("Validation with partners")
    REPORTING = "reporting", _("Reporting")


# Where each phase sits on the timeline: the order above, kept apart from the stored value.
PHASE_ORDER = {kind: position for position, kind in enumerate(PhaseKind.values)}


class PartnerRole(models.TextChoices):
    RESEARCH_PARTNER = "research_partner", _("Local research partner")
    FACILITATOR = "facilitator", _("Facilitator")
    INTERPRETER = "interpreter", _("Interpreter")
    COMMUNITY_LIAISON = "community_liaison", _("Community liaison")
    EXPERT_ADVISER = "expert_adviser", _("Expert adviser")
    OTHER = "other", pgettext_lazy("partner role", "Other")


class RiskLink(models.TextChoices):
    """What a finding did to the risk register."""

    CREATED = "created", _("Became a new salient risk")
    UPDATED = "updated", _("Updated a salient risk")
