"""The fixed lists risks, mitigations, context events and strategic decisions are described with."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Involvement(models.TextChoices):
    CAUSE = "cause", _("Causes")
    CONTRIBUTE = "contribute", _("Contributes to")
    DIRECTLY_LINKED = "directly_linked", _("Directly linked to")


class OwnerLevel(models.TextChoices):
    """Who must own a risk, from escalation rules: higher levels for more severe, likelier risks."""

    TEAM = "team", _("Human rights team")
    EXECUTIVE = "executive", _("Executive")
    BOARD = "board", _("Board")


LEVEL_ORDER = {OwnerLevel.TEAM: 0, OwnerLevel.EXECUTIVE: 1, OwnerLevel.BOARD: 2}


class MitigationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    NOT_MITIGATED = "not_mitigated", _("Not mitigated (yet)")
    CANNOT_MITIGATE = "cannot_mitigate", _("Cannot be mitigated")


UNMITIGATED = frozenset({MitigationStatus.NOT_MITIGATED, MitigationStatus.CANNOT_MITIGATE})


class Effectiveness(models.TextChoices):
    """How well a mitigation works, as its latest assessment judged it."""

    EFFECTIVE = "effective", _("Effective")
    PARTLY_EFFECTIVE = "partly_effective", _("Partly effective")
    NOT_EFFECTIVE = "not_effective", _("Not effective")
    NOT_YET_KNOWN = "not_yet_known", _("Not yet known")
ACTING = frozenset({MitigationStatus.IN_PROGRESS, MitigationStatus.DONE})


class EventKind(models.TextChoices):
    NEW_LAW = "new_law", _("New law or regulation")
    THREAT_TO_STAFF = "threat_to_staff", _("Threat to staff or partners")
    USAGE_CHANGE = "usage_change", _("Change in how the product is used")
    CONFLICT = "conflict", _("Conflict, unrest or shutdown")
    OTHER = "other", _("Other")


class DecisionCategory(models.TextChoices):
    BUSINESS_MODEL = "business_model", _("Business model change")
    MARKET_ENTRY = "market_entry", _("Market entry or growth")
    GEOGRAPHIC_EXPANSION = "geographic_expansion", _("Geographic expansion")
    CAPITAL_INVESTMENT = "capital_investment", _("Capital investment")
    PRODUCT_DESIGN = "product_design", _("Major product design")
    GOVERNMENT_DEMAND = "government_demand", _("Response to a government demand")
    HIGH_RISK_SALE = "high_risk_sale", _("Sale to a high-risk customer")


class DecisionStatus(models.TextChoices):
    DRAFT = "draft", _("Being prepared")
    # Put forward by the team, not yet counting as taken: a linked risk is owned at board level.
    AWAITING_BOARD = "awaiting_board", _("Awaiting board sign-off")
    DECIDED = "decided", _("Decided")


class DecisionOutcome(models.TextChoices):
    GO = "go", _("Go")
    GO_WITH_CONDITIONS = "go_with_conditions", _("Go, with conditions")
    NO_GO = "no_go", _("No-go")
    DEFERRED = "deferred", _("Deferred")


# The outcomes that let the business go ahead, and so may be taken against a risk.
GOING_AHEAD = frozenset({DecisionOutcome.GO, DecisionOutcome.GO_WITH_CONDITIONS})
# The kinds of decision where going ahead against a severe risk that cannot be mitigated must show everywhere.
EXPOSED_CATEGORIES = frozenset({DecisionCategory.MARKET_ENTRY, DecisionCategory.GEOGRAPHIC_EXPANSION,
                                DecisionCategory.HIGH_RISK_SALE})
# The kinds of decision that name their markets and may not be taken before local voices from them were heard
# (G2, risks/gate.py), unless the gate is overridden with a reason.
GATED_CATEGORIES = EXPOSED_CATEGORIES


class ConditionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    DROPPED = "dropped", _("Dropped")


# Closing a condition this way needs a note saying why.
NEEDS_NOTE = frozenset({ConditionStatus.NOT_MET, ConditionStatus.DROPPED})


class SignOffVerdict(models.TextChoices):
    SIGNED = "signed", _("Signed off")
    # In context: the bare word is also an agreement's, an answer's and a payment's state, which the
    # catalogues word differently (a refused sign-off is not a declined offer).
    DECLINED = "declined", pgettext_lazy("board sign-off", "Declined")


class Communication(models.TextChoices):
    FORMAL_REPORT = "formal_report", _("Formal public reporting")
    PUBLIC_STATEMENT = "public_statement", _("Public statement")
    STAKEHOLDERS_ONLY = "stakeholders_only", _("Told to the stakeholders engaged")
    NOT_COMMUNICATED = "not_communicated", _("Not communicated")
