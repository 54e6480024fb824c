"""The words of consensus building (E5): claims, exercises, statements, votes and analysis runs."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ExerciseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("exercise status", "Draft")
    OPEN = "open", pgettext_lazy("exercise status", "Open for votes")
    CLOSED = "closed", pgettext_lazy("exercise status", "Closed")


class Moderation(models.TextChoices):
    """What the facilitator made of a statement; only accepted statements are voted on."""

    PENDING = "pending", _("Awaiting moderation")
    ACCEPTED = "accepted", pgettext_lazy("statement moderation", "Accepted")
    REJECTED = "rejected", pgettext_lazy("statement moderation", "Rejected")
    # About the exercise itself ("this question is biased"): shown to the facilitator, never voted on or
    # analysed, as Pol.is does with its meta comments.
    META = "meta", _("About the exercise (meta)")


class VoteValue(models.IntegerChoices):
    # The signs of Pol.is's export: 1 agree, -1 disagree, 0 pass.
    AGREE = 1, _("Agree")
    DISAGREE = -1, _("Disagree")
    PASS = 0, pgettext_lazy("vote", "Pass / unsure")


class VoteChannel(models.TextChoices):
    LINK = "link", _("Own voting link")
    PORTAL = "portal", _("Stakeholder portal")
    ROOM = "room", _("Recorded in the room by the facilitator")
    IMPORT = "import", _("Imported from Pol.is")
    API = "api", _("API")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    # Too few voters or statements for groups: a result in its own right, with the reason in `message`.
    NOT_ENOUGH = "not_enough", _("Not enough votes yet")
    FAILED = "failed", _("Failed")


class ResultKind(models.TextChoices):
    CONSENSUS_AGREE = "consensus_agree", _("Common ground: everyone agrees")
    CONSENSUS_DISAGREE = "consensus_disagree", _("Common ground: everyone disagrees")
    DIVISIVE = "divisive", _("Divides the groups")
    REPRESENTATIVE = "representative", _("Represents one group")
