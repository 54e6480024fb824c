"""The board's own records (briefings and trainings), the remembered board figures and the board packs (O1)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealed_files import sealed_storage


class BriefingKind(models.TextChoices):
    BRIEFING = "briefing", _("Briefing")
    TRAINING = "training", _("Training")
    STAKEHOLDER_SESSION = "stakeholder_session", _("Stakeholders spoke to the board")
    VISIT = "visit", _("Field visit")


class BoardBriefing(models.Model):
    """A briefing, training or session with stakeholders the board held: question 4, its skills and knowledge."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    held_on = models.DateField(_("held on"))
    kind = models.CharField(_("kind"), max_length=24, choices=BriefingKind.choices)
    topic = models.CharField(_("topic"), max_length=200)
    attendees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", blank=True,
                                       verbose_name=_("board members who attended"))
    # Who spoke to the board. Read through the stakeholders app's visibility rules: a person at risk is named
    # only to those who may see them, and counted, never named, in the board figures.
    stakeholders = models.ManyToManyField("stakeholders.Stakeholder", related_name="+", blank=True,
                                          verbose_name=_("stakeholders who spoke to the board"))
    given_by = models.CharField(_("given by"), max_length=200, blank=True,
                                help_text=_("The trainer or the team who briefed the board."))
    material = models.CharField(_("material"), max_length=300, blank=True,
                                help_text=_("Where the slides, papers or recording are kept."))
    notes = models.TextField(_("what the board asked and learnt"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("board briefing")
        verbose_name_plural = _("board briefings")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "-held_on"], name="briefing_held")]
        constraints = [models.CheckConstraint(condition=~Q(topic=""), name="briefing_needs_topic")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.held_on}"


class BoardSnapshot(models.Model):
    """The board view's figures for one period, computed from every registered evidence source and kept until
    the organisation records a change (its latest audit entry) or the day turns.

    One per period and interface language: the figures carry their words and links.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8)
    language = models.CharField(max_length=16)
    version = models.CharField(max_length=64)
    computed_on = models.DateField()
    computed_at = models.DateTimeField()
    seconds = models.FloatField(default=0)
    evidence = models.JSONField(default=list)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "period", "language"],
                                               name="one_snapshot_per_period_language")]

    def __str__(self) -> str:
        return f"board figures {self.period} ({self.language})"


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RENDERING = "rendering", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class BoardPackQuerySet(OrganisationScopedQuerySet):
    def unfinished(self):
        return self.filter(status__in=[PackStatus.QUEUED, PackStatus.RENDERING])


class BoardPack(models.Model):
    """The board view of a period as a paginated PDF, rendered in the background and kept sealed at rest."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=8)
    language = models.CharField(_("language"), max_length=16)
    status = models.CharField(_("status"), max_length=16, choices=PackStatus.choices, default=PackStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=sealed_storage, blank=True, max_length=200)
    pages = models.PositiveIntegerField(null=True, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)

    objects = BoardPackQuerySet.as_manager()

    class Meta:
        verbose_name = _("board pack")
        verbose_name_plural = _("board packs")
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-requested_at"], name="board_pack_recent")]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="pack_progress_percent")]

    def __str__(self) -> str:
        return f"board pack {self.period} #{self.pk}"
