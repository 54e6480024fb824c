"""The fixed lists grievances are described with (M1-M3)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Mode(models.TextChoices):
    """How the person comes forward: what of their identity is asked for and kept."""

    ANONYMOUS = "anonymous", _("Anonymous: nothing that identifies me")
    CONFIDENTIAL = "confidential", _("Confidential: my identity known only to the people handling my case")
    NAMED = "named", _("Named: my identity may be shared where the case needs it")


class RaisedBy(models.TextChoices):
    AFFECTED = "affected", _("The person affected")
    ON_BEHALF = "on_behalf", _("Someone on behalf of others (a proxy, an NGO, a family member)")
    STAFF = "staff", _("A member of the company's own staff")


class Channel(models.TextChoices):
    """Where the grievance reached the company."""

    WEB = "web", _("The public grievance page")
    API = "api", _("The API (another system)")
    PORTAL = "portal", _("The stakeholder portal")
    HOTLINE = "hotline", _("Hotline")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("Letter")
    IN_PERSON = "in_person", _("In person")
    NGO = "ngo", _("Through an NGO")
    EMAIL = "email", _("Email")


class Stage(models.TextChoices):
    RECEIVED = "received", pgettext_lazy("grievance stage", "Received")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("grievance stage", "Acknowledged")
    ASSESSING = "assessing", pgettext_lazy("grievance stage", "Being assessed")
    NOT_ADMISSIBLE = "not_admissible", pgettext_lazy("grievance stage", "Not admissible")
    INVESTIGATING = "investigating", pgettext_lazy("grievance stage", "Investigating")
    REMEDY_PROPOSED = "remedy_proposed", pgettext_lazy("grievance stage", "Remedy proposed")
    REMEDY_AGREED = "remedy_agreed", pgettext_lazy("grievance stage", "Remedy agreed")
    REMEDY_DELIVERING = "remedy_delivering", pgettext_lazy("grievance stage", "Remedy being delivered")
    CLOSED = "closed", pgettext_lazy("grievance stage", "Closed")


class MessageDirection(models.TextChoices):
    TO_COMPLAINANT = "to_complainant", _("To the person who raised it")
    FROM_COMPLAINANT = "from_complainant", _("From the person who raised it")
    INTERNAL = "internal", _("Internal note (never shown to them)")


class MessageVia(models.TextChoices):
    FOLLOW_UP = "follow_up", _("The follow-up page")
    PORTAL = "portal", _("The stakeholder portal")
    API = "api", _("The API")
    STAFF = "staff", _("Recorded by staff (phone, letter, in person)")
    PROXY = "proxy", _("Through a proxy")


class RemedyType(models.TextChoices):
    APOLOGY = "apology", _("Apology")
    RESTITUTION = "restitution", _("Restitution")
    COMPENSATION = "compensation", _("Compensation")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    CHANGE = "change", _("Change of product or policy")
    NON_REPETITION = "non_repetition", _("Guarantee of non-repetition")
    OTHER = "other", pgettext_lazy("remedy type", "Other")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("remedy action", "Planned")
    DELIVERED = "delivered", pgettext_lazy("remedy action", "Delivered, awaiting confirmation")
    CONFIRMED = "confirmed", pgettext_lazy("remedy action", "Confirmed delivered by the affected")
    DISPUTED = "disputed", pgettext_lazy("remedy action", "Disputed by the affected")


class ConfirmationAnswer(models.TextChoices):
    CONFIRMED = "confirmed", _("Yes, this was done")
    DISPUTED = "disputed", _("No, this was not done as agreed")


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    PARTLY = "partly", _("Partly satisfied")
    NOT_SATISFIED = "not_satisfied", _("Not satisfied")


class Criterion(models.TextChoices):
    """The effectiveness criteria of UN Guiding Principle 31."""

    LEGITIMATE = "legitimate", _("Legitimate")
    ACCESSIBLE = "accessible", _("Accessible")
    PREDICTABLE = "predictable", _("Predictable")
    EQUITABLE = "equitable", _("Equitable")
    TRANSPARENT = "transparent", _("Transparent")
    RIGHTS_COMPATIBLE = "rights_compatible", _("Rights-compatible")
    CONTINUOUS_LEARNING = "continuous_learning", _("A source of continuous learning")
    ENGAGEMENT = "engagement", _("Based on engagement and dialogue")


class Assessment(models.TextChoices):
    MEETS = "meets", _("Meets the criterion")
    PARTLY = "partly", _("Partly meets it")
    NOT_YET = "not_yet", _("Does not meet it yet")
