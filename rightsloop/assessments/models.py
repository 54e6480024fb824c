"""Regional and country assessments (G1): one technology assessed in one or more countries over months.

An assessment has a timeline of phases, local partners (stakeholders with a role and their languages), a
training phase for those partners (sessions, material, attendance, questions), the engagements held inside
it, and findings that become or update salient risks. Who was heard is read from its engagements' inputs
(queries.heard_in), never stored here.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.core import sealed_files
from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import OrganisationKey, Sealed, SealedModel

from .vocabulary import PHASE_ORDER, PartnerRole, PhaseKind, RiskLink, Status


class AssessmentQuerySet(OrganisationScopedQuerySet):
    def open(self):
        """Assessments still running or about to: the list shows them first."""
        return self.filter(status__in=[Status.PLANNED, Status.IN_PROGRESS])


class Assessment(models.Model):
    """An assessment of one technology in named countries or a region, run by one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="assessments")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    technology = models.CharField(_("technology"), max_length=200)
    # ISO 3166 alpha-2 codes, upper case, sorted; checked against core.countries by the actions.
    countries = models.JSONField(_("countries"), default=list)
    region = models.CharField(_("region"), max_length=120, blank=True,
                              help_text=_("Optional: a name for the region, such as East Africa."))
    scope = models.TextField(_("scope"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    # Engagements held inside the assessment; only the organisation's own (actions check it).
    engagements = models.ManyToManyField("engagements.Engagement", blank=True, related_name="assessments",
                                         verbose_name=_("engagements"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["-starts_on", "-id"]
        indexes = [models.Index(fields=["organisation", "status", "starts_on"])]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="assessment_ends_after_start")]

    def __str__(self) -> str:
        return self.title


class AssessmentPhase(models.Model):
    """One phase of an assessment's timeline: its dates, how far along it is, and whether it is done."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="phases")
    kind = models.CharField(_("phase"), max_length=24, choices=PhaseKind.choices)
    # Derived from kind on save (vocabulary.PHASE_ORDER), so phases sort in the order they run.
    position = models.PositiveSmallIntegerField(default=0, editable=False)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    progress = models.PositiveSmallIntegerField(_("progress (percent)"), default=0,
                                                validators=[MaxValueValidator(100)])
    done_on = models.DateField(_("done on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["position", "starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind"], name="one_phase_of_each_kind"),
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="phase_ends_after_start"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="phase_progress_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} of assessment {self.assessment_id}"

    def save(self, *args, **kwargs):
        self.position = PHASE_ORDER.get(self.kind, len(PHASE_ORDER))
        super().save(*args, **kwargs)

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class AssessmentPartner(models.Model):
    """A local partner of an assessment: a stakeholder of the organisation, their role and working languages."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="partners")
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                    related_name="assessment_partnerships", verbose_name=_("stakeholder"))
    role = models.CharField(_("role"), max_length=24, choices=PartnerRole.choices)
    # ISO 639 codes (core.languages), lower case, sorted.
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment partner")
        verbose_name_plural = _("assessment partners")
        ordering = ["added_at", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "stakeholder"],
                                               name="one_partnership_per_assessment")]

    def __str__(self) -> str:
        return f"partner {self.stakeholder_id} of assessment {self.assessment_id}"


def training_file_name(instance: TrainingSession, _filename: str) -> str:
    """Where training material is sealed: under its organisation, with a random name (the original is on the row)."""
    return sealed_files.file_name("assessment-training", instance.assessment.organisation_id)


class TrainingSession(models.Model):
    """A session of the partner-training phase: when, in which language, the material, and who attended."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="training_sessions")
    held_on = models.DateField(_("held on"))
    title = models.CharField(_("title"), max_length=200)
    language = models.CharField(_("language"), max_length=8)
    material = models.TextField(_("material"), blank=True)
    material_file = models.FileField(_("material file"), upload_to=training_file_name,
                                      storage=sealed_files.sealed_storage, max_length=300, blank=True)
    material_file_name = models.CharField(_("file name"), max_length=255, blank=True)
    attendees = models.ManyToManyField(AssessmentPartner, blank=True, related_name="sessions_attended",
                                       verbose_name=_("attended"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["held_on", "id"]

    def __str__(self) -> str:
        return self.title


class TrainingQuestion(SealedModel, models.Model):
    """A question a partner asked in a training session, and the answer given; both sealed at rest."""

    sealed_fields = ("question", "answer")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="questions")
    asked_by = models.ForeignKey(AssessmentPartner, on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="questions_asked", verbose_name=_("asked by"))
    question = Sealed(_("question"))
    question_sealed = models.BinaryField(default=b"", editable=False)
    answer = Sealed(_("answer"))
    answer_sealed = models.BinaryField(default=b"", editable=False)
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("training question")
        verbose_name_plural = _("training questions")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"question {self.pk}"

    def sealing_key(self):
        # The organisation's key: a partner's role ending must not make the question unreadable.
        return OrganisationKey(self.organisation_id)


class Finding(models.Model):
    """What the assessment found; it may become a new salient risk or update one, and keeps that link."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # Where it was found, among the assessment's countries; empty: all of them.
    countries = models.JSONField(_("countries"), default=list, blank=True)
    risk = models.ForeignKey("risks.Risk", on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="assessment_findings", verbose_name=_("salient risk"))
    risk_link = models.CharField(_("effect on the risk register"), max_length=8, choices=RiskLink.choices,
                                 blank=True)
    linked_at = models.DateTimeField(null=True, blank=True, editable=False)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.title
