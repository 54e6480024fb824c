"""The fixed lists engagements, inputs and decisions are described with."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EngagementType(models.TextChoices):
    INTERVIEW = "interview", _("Interview")
    WORKSHOP = "workshop", _("Workshop")
    ADVISORY_COUNCIL = "advisory_council", _("Advisory council session")
    SURVEY = "survey", _("Survey")
    PUBLIC_CONSULTATION = "public_consultation", _("Public consultation")
    REGIONAL_ASSESSMENT = "regional_assessment", _("Regional assessment")
    # The remedy of one or more grievances, designed with the affected people (grievances.RemedyPlan).
    REMEDY_DIALOGUE = "remedy_dialogue", _("Remedy dialogue")


class Phase(models.TextChoices):
    """Phases of human rights due diligence an engagement serves."""

    IDENTIFY = "identify", _("Identify and assess")
    ACT = "act", _("Act (mitigate)")
    TRACK = "track", _("Track")
    COMMUNICATE = "communicate", _("Communicate")
    REMEDY = "remedy", _("Remedy")


class InformationHandling(models.TextChoices):
    CHATHAM_HOUSE = "chatham_house", _("Chatham House rule: use what is said, never who said it")
    CONFIDENTIAL = "confidential", _("Confidential: kept within the human rights team and named owners")
    ATTRIBUTABLE = "attributable", _("Attributable internally, with each person's consent")
    ON_RECORD = "on_record", _("On the record: may be published")


class Attribution(models.TextChoices):
    ATTRIBUTED = "attributed", _("Attributed to the speaker")
    ANONYMISED = "anonymised", _("Anonymised")


class Outcome(models.TextChoices):
    ADOPTED = "adopted", _("Adopted")
    PARTLY_ADOPTED = "partly_adopted", _("Partly adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
    UNDER_CONSIDERATION = "under_consideration", _("Under consideration")


class LoopState(models.TextChoices):
    NOT_STARTED = "not_started", _("No inputs yet")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("Queued for sending")
    SENT = "sent", _("Sent by email")
    DELIVERED = "delivered", _("Delivered by another channel")
    FAILED = "failed", _("Sending failed")
