"""The shared kernel: organisations (tenancy) and the audit log."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """A company running human rights due diligence; every record belongs to one."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), unique=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    feedback_days = models.PositiveSmallIntegerField(
        _("days to close the loop"),
        default=settings.RIGHTSLOOP_DEFAULT_FEEDBACK_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Default number of days after an engagement by which every participant "
                    "must hear what became of their input."),
    )
    # Where a stakeholder's reply to a feedback letter goes; empty: to the engagement's owner.
    feedback_reply_to = models.EmailField(
        _("reply address for feedback letters"), blank=True,
        help_text=_("Replies to feedback letters go here. Leave empty to send them to each engagement's owner."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganisationScopedQuerySet(models.QuerySet):
    """Base for every tenant-owned model: reads start from an organisation."""

    def for_organisation(self, organisation: Organisation):
        return self.filter(organisation=organisation)


class AuditEntryQuerySet(OrganisationScopedQuerySet):
    def about(self, target: models.Model):
        return self.filter(target_type=target._meta.label_lower, target_id=str(target.pk))


class AuditEntry(models.Model):
    """Who did what to which record, and when; written only through core.audit.record(), never changed.

    Entries form one hash chain (core.audit): `entry_hash` seals every field below and `previous_hash`
    under the audit key, and the database refuses UPDATE and DELETE of these rows (migration 0005).
    """

    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="audit_entries", null=True
    )
    # No constraint and no cascade: removing a user must not touch (UPDATE) their audit entries.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    # Never a protected value: summaries name records and fields, not what people said.
    summary = models.CharField(max_length=300, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    # Set by core.audit.record() in UTC, not auto_now_add, so that it is part of the seal.
    at = models.DateTimeField(db_index=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["organisation", "-sequence"], name="audit_org_sequence"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class AuditChainHead(models.Model):
    """The audit chain's last sequence and hash, sealed; its one row is locked by every append."""

    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64)
    seal = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("audit chain head")
        verbose_name_plural = _("audit chain heads")
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_audit_chain_head")]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.entry_hash[:12]}"


class DataKey(models.Model):
    """An organisation's data key, stored only wrapped by the key encryption key (core.keys)."""

    class Purpose(models.TextChoices):
        SEALING = "sealing", _("Sealing sensitive fields")
        BLIND_INDEX = "blind_index", _("Blind index for exact lookups")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="data_keys")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    version = models.PositiveIntegerField(default=1)
    wrapped = models.BinaryField()
    kek_id = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data key")
        verbose_name_plural = _("data keys")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "purpose", "version"], name="one_data_key_version"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.purpose}/v{self.version} (under {self.kek_id})"


class RetentionSetting(models.Model):
    """An organisation's own retention period for one kind of record (core.registry RetentionRule)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="retention_settings")
    rule = models.CharField(max_length=40)
    keep_days = models.PositiveIntegerField(
        _("keep for (days)"), validators=[MinValueValidator(1), MaxValueValidator(36500)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("retention setting")
        verbose_name_plural = _("retention settings")
        constraints = [models.UniqueConstraint(fields=["organisation", "rule"], name="one_retention_setting")]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.rule}: {self.keep_days} days"


class TaskWatch(models.Model):
    """What core.supervision knows of one background task while a worker runs it: who, since when, still alive.

    The task queue's own row (django_tasks_db) says only that a task is running; this one adds the worker's
    process and a heartbeat, so a task whose worker died can be told from one that is slow, and taken up again.
    """

    task_result_id = models.CharField(max_length=64, unique=True)  # the queue's id for this run of the task
    task_name = models.CharField(max_length=300)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    heartbeat_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    overdue_at = models.DateTimeField(null=True, blank=True)  # when it was reported running past its limit
    resumed_at = models.DateTimeField(null=True, blank=True)  # when its worker was found stopped and it was requeued
    resumed_as = models.CharField(max_length=64, blank=True)

    class Meta:
        indexes = [models.Index(fields=["finished_at", "heartbeat_at"], name="task_watch_open")]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_result_id} (pid {self.pid} on {self.host})"
