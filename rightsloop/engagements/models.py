"""Engagements (E1), the inputs heard in them (E2), decisions on those inputs (E3) and loop closure (E4)."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.roles import Function
from rightsloop.core import sealed_files
from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import OrganisationKey, Sealed, SealedModel
from rightsloop.stakeholders.models import AffectedGroup, Stakeholder

from .vocabulary import (
    Attribution,
    DeliveryStatus,
    EngagementType,
    InformationHandling,
    LoopState,
    Outcome,
    Phase,
)


def seen_closed(hidden: models.QuerySet[Stakeholder] | None = None) -> models.Q:
    """Engagements whose loop is closed for a viewer who may not know of the `hidden` people.

    The stored state counts everyone. For such a viewer a loop that is open only because a hidden person
    has not been told is closed: every input has a decision and every participant they may know of who gave
    one has been told (the stored counters of each participant; no recount of inputs or reports).
    """
    closed = models.Q(loop_state=LoopState.CLOSED)
    if hidden is None:
        return closed
    hidden_open = Participation.objects.filter(
        stakeholder__in=hidden, inputs_count__gt=0, loop_closed=False).values("engagement_id")
    seen_open = Participation.objects.filter(
        engagement=models.OuterRef("pk"), inputs_count__gt=0, loop_closed=False).exclude(stakeholder__in=hidden)
    return closed | (models.Q(loop_state=LoopState.OPEN, decided_count=models.F("inputs_count"),
                              pk__in=hidden_open) & ~models.Exists(seen_open))


class EngagementQuerySet(OrganisationScopedQuerySet):
    """hidden: the people the viewer may not know of (stakeholders.queries.hidden_from); None counts everyone."""

    def active(self):
        """Engagements that were not cancelled: lists and figures count only these."""
        return self.filter(cancelled_at__isnull=True)

    def cancelled(self):
        return self.filter(cancelled_at__isnull=False)

    def loop_closed(self, hidden: models.QuerySet[Stakeholder] | None = None):
        return self.filter(seen_closed(hidden))

    def loop_not_closed(self, hidden: models.QuerySet[Stakeholder] | None = None):
        return self.exclude(seen_closed(hidden))

    def loop_open(self, hidden: models.QuerySet[Stakeholder] | None = None):
        return self.loop_not_closed(hidden).filter(loop_state=LoopState.OPEN)

    # A cancelled engagement owes nobody a report: it is never overdue nor due.
    def overdue(self, today: datetime.date, hidden: models.QuerySet[Stakeholder] | None = None):
        # Past its feedback date, or owing someone the next step a decision promised by a date now passed.
        return self.loop_not_closed(hidden).active().filter(
            models.Q(feedback_due_on__lt=today) | models.Q(broken_promises__gt=0))

    def due_between(self, start: datetime.date, end: datetime.date,
                    hidden: models.QuerySet[Stakeholder] | None = None):
        return self.loop_not_closed(hidden).active().filter(feedback_due_on__gte=start, feedback_due_on__lte=end)


class Engagement(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="engagements")
    title = models.CharField(_("title"), max_length=200)
    type = models.CharField(_("type"), max_length=24, choices=EngagementType.choices)
    phases = models.JSONField(_("due diligence phases"), default=list)
    purpose = models.TextField(_("purpose"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    location = models.CharField(_("where"), max_length=200, blank=True)
    information_handling = models.CharField(
        _("information handling"), max_length=16, choices=InformationHandling.choices,
        default=InformationHandling.CHATHAM_HOUSE,
    )
    handling_notes = models.TextField(_("handling notes"), blank=True)
    attending_functions = models.JSONField(_("decision makers attending"), default=list, blank=True)
    # Fixed when the engagement is created: the promise made to participants.
    feedback_due_on = models.DateField(_("feedback due"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # Loop bookkeeping, maintained by engagements.loops.refresh_loop() inside actions.
    inputs_count = models.PositiveIntegerField(default=0, editable=False)
    decided_count = models.PositiveIntegerField(default=0, editable=False)
    participants_with_inputs = models.PositiveIntegerField(default=0, editable=False)
    participants_closed = models.PositiveIntegerField(default=0, editable=False)
    loop_state = models.CharField(max_length=16, choices=LoopState.choices,
                                  default=LoopState.NOT_STARTED, editable=False)
    loop_closed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Promises of a next step (engagements.promises) past their date with no decision since: the loop is open.
    broken_promises = models.PositiveIntegerField(default=0, editable=False)

    # A mistaken engagement, cancelled before any report was sent: kept, viewable, left out of lists and figures.
    cancelled_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", editable=False)
    cancellation_reason = models.TextField(_("why it was cancelled"), blank=True, editable=False)

    objects = EngagementQuerySet.as_manager()

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["-starts_on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "loop_state", "feedback_due_on"], name="engagement_loop"),
            models.Index(fields=["organisation", "-starts_on"], name="engagement_org_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The end date cannot be before the start date.")
        if not self.phases:
            errors["phases"] = _("Choose at least one due diligence phase.")
        elif any(phase not in Phase.values for phase in self.phases):
            errors["phases"] = _("Unknown due diligence phase.")
        if any(function not in Function.values for function in self.attending_functions):
            errors["attending_functions"] = _("Unknown function.")
        if self.feedback_due_on and self.ends_on and self.feedback_due_on < self.ends_on:
            errors["feedback_due_on"] = _("Feedback cannot be due before the engagement ends.")
        if errors:
            raise ValidationError(errors)

    @property
    def phase_labels(self) -> list[str]:
        return [str(Phase(p).label) for p in self.phases if p in Phase.values]

    @property
    def function_labels(self) -> list[str]:
        return [str(Function(f).label) for f in self.attending_functions if f in Function.values]

    @property
    def share_decided(self) -> float | None:
        return self.decided_count / self.inputs_count if self.inputs_count else None

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_overdue(self, today: datetime.date) -> bool:
        if self.cancelled_at is not None:
            return False
        return self.loop_state != LoopState.CLOSED and (self.feedback_due_on < today or self.broken_promises > 0)


def briefing_file_name(instance: BriefingMaterial, _filename: str) -> str:
    """Where a briefing file is sealed: under its organisation, with a random name (the original is on the row)."""
    return sealed_files.file_name("briefings", instance.engagement.organisation_id)


class BriefingMaterial(models.Model):
    """What participants were given beforehand to understand the technology and the questions.

    An uploaded file is sealed at rest under the organisation's key (core.sealed_files).
    """

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="briefings")
    title = models.CharField(_("title"), max_length=200)
    link = models.URLField(_("link"), blank=True)
    file = models.FileField(_("file"), upload_to=briefing_file_name, storage=sealed_files.sealed_storage,
                            max_length=300, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    description = models.TextField(_("description"), blank=True)
    shared_on = models.DateField(_("shared on"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("briefing material")
        verbose_name_plural = _("briefing materials")
        ordering = ["shared_on", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if not self.link and not self.file:
            raise ValidationError(_("Give a link or upload a file."))


class ParticipationQuerySet(models.QuerySet):
    def with_inputs(self):
        return self.filter(inputs_count__gt=0)


class Participation(SealedModel, models.Model):
    """A stakeholder taking part in an engagement, directly or through a proxy."""

    sealed_fields = ("direct_override_reason",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="participations")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, related_name="participations")
    via_proxy = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="proxied_participations", verbose_name=_("through proxy"))
    # A credible proxy taking part for affected groups it represents (stakeholders.Representation): what it
    # relays is recorded against the group (Input.group), with this participation as the channel.
    speaks_for = models.ManyToManyField(AffectedGroup, blank=True, related_name="participations",
                                        verbose_name=_("speaks for"))
    # A high-safety stakeholder engaged directly: who allowed it, and why.
    # Why a high-safety person was engaged directly tends to describe them: sealed under their key.
    direct_override_reason = Sealed(_("reason for engaging directly"))
    direct_override_reason_sealed = models.BinaryField(default=b"", editable=False)
    direct_override_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+")
    direct_override_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    # Loop bookkeeping, maintained by engagements.loops.
    inputs_count = models.PositiveIntegerField(default=0, editable=False)
    undecided_count = models.PositiveIntegerField(default=0, editable=False)
    last_decision_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_feedback_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_feedback_covers = models.DateTimeField(null=True, blank=True, editable=False)
    loop_closed = models.BooleanField(default=False, editable=False)
    # Promises of a next step made on their inputs, past their date with no decision since (engagements.promises).
    broken_promises = models.PositiveIntegerField(default=0, editable=False)

    objects = ParticipationQuerySet.as_manager()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["engagement", "stakeholder"], name="one_participation"),
            models.CheckConstraint(condition=~models.Q(via_proxy=models.F("stakeholder")),
                                   name="proxy_is_someone_else"),
        ]
        # Engagement load (S3): a stakeholder's requests in a rolling window are counted from this index.
        indexes = [models.Index(fields=["stakeholder", "added_at", "engagement"], name="participation_load")]

    def __str__(self) -> str:
        return f"{self.stakeholder_id} in {self.engagement_id}"

    def sealing_key(self):
        return self.stakeholder.sealing_key()

    @property
    def engaged_directly_by_override(self) -> bool:
        return self.direct_override_by_id is not None

    @property
    def needs_feedback(self) -> bool:
        return self.inputs_count > 0 and not self.loop_closed

    @property
    def ready_for_feedback(self) -> bool:
        return self.needs_feedback and self.undecided_count == 0


class Tag(models.Model):
    """A theme an organisation tags inputs with."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("name"), max_length=60)
    slug = models.SlugField(max_length=60, allow_unicode=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organisation", "slug"], name="one_tag_per_slug")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.slug = slugify(self.name, allow_unicode=True)[:60]
        super().save(*args, **kwargs)


class InputQuerySet(OrganisationScopedQuerySet):
    def standing(self):
        """Inputs that stand: neither withdrawn nor merged into another. Letters and figures count only these."""
        return self.filter(withdrawn_at__isnull=True, merged_into__isnull=True)

    def withdrawn(self):
        return self.filter(withdrawn_at__isnull=False)

    def merged_away(self):
        return self.filter(merged_into__isnull=False)

    def awaiting_decision(self):
        return self.filter(outcome="")

    def decided(self):
        return self.exclude(outcome="")

    def routed_to(self, function: str):
        return self.filter(owning_function=function)

    def untriaged(self):
        return self.filter(owning_function="")


class Input(SealedModel, models.Model):
    """One thing a stakeholder told us; what they said is sealed under their key (or the organisation's)."""

    sealed_fields = ("text", "withdrawal_reason")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="inputs")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="inputs")
    speaker = models.ForeignKey(Participation, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="inputs", verbose_name=_("who said it"))
    # Words a proxy relayed for an affected group belong to the group: the speaker is then the proxy's own
    # participation (the channel, and whom the feedback goes to), never a person of the group.
    group = models.ForeignKey(AffectedGroup, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="inputs", verbose_name=_("affected group it speaks for"))
    attribution = models.CharField(_("attribution"), max_length=16, choices=Attribution.choices,
                                   default=Attribution.ANONYMISED)
    text = Sealed(_("what was said"))
    text_sealed = models.BinaryField(default=b"", editable=False)
    language = models.CharField(_("language"), max_length=3, blank=True)
    # True when `language` was detected from the text rather than said by whoever recorded it: a corrected
    # text is detected again, a language someone stated is kept.
    language_detected = models.BooleanField(default=False, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="inputs", verbose_name=_("tags"))
    owning_function = models.CharField(_("owning function"), max_length=16, choices=Function.choices,
                                       blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    # Set by the client (API header or form token) so a retried submission is recorded once.
    idempotency_key = models.CharField(max_length=64, blank=True, editable=False)
    triaged_at = models.DateTimeField(null=True, blank=True)

    # The standing decision, copied from the newest Decision row by record_decision().
    current_decision = models.ForeignKey("Decision", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True, editable=False)
    decided_at = models.DateTimeField(null=True, blank=True, editable=False)

    # Mending mistakes (engagements.actions.inputs): an input is never deleted. A withdrawn one keeps its row
    # and its reason; one recorded twice points at the input that was kept. Neither stands any more
    # (InputQuerySet.standing): letters, loops and figures leave them out.
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", editable=False)
    # Why it was withdrawn may describe the speaker: sealed under the same key as their words.
    withdrawal_reason = Sealed(_("why it was withdrawn"))
    withdrawal_reason_sealed = models.BinaryField(default=b"", editable=False)
    # Indexed only where set (below): an index over every input's empty merged_into would lead SQLite without
    # statistics to read every input of every organisation for `standing()` (merged_into IS NULL).
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_from", editable=False, db_index=False,
                                    verbose_name=_("merged into"))
    merged_at = models.DateTimeField(null=True, blank=True, editable=False)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+", editable=False)
    # How many times it was edited; each edit keeps the version before it as an InputVersion row.
    version = models.PositiveSmallIntegerField(default=1, editable=False)

    objects = InputQuerySet.as_manager()

    class Meta:
        verbose_name = _("input")
        verbose_name_plural = _("inputs")
        ordering = ["recorded_at", "id"]
        indexes = [
            models.Index(fields=["organisation", "outcome", "owning_function"], name="input_queue"),
            models.Index(fields=["engagement", "recorded_at"], name="input_engagement"),
            models.Index(fields=["speaker", "outcome"], name="input_speaker"),
            models.Index(fields=["merged_into"], name="input_merged_into",
                         condition=models.Q(merged_into__isnull=False)),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "idempotency_key"], condition=~models.Q(idempotency_key=""),
                name="one_input_per_idempotency_key",
            ),
            # A group is heard through someone: the proxy who relayed its words.
            models.CheckConstraint(condition=models.Q(group__isnull=True) | models.Q(speaker__isnull=False),
                                   name="relayed_input_has_proxy"),
        ]

    def __str__(self) -> str:
        return f"input {self.pk}"

    def sealing_key(self):
        # A group's words are not the proxy's: erasing the proxy must not erase what the group said.
        if self.speaker_id is None or self.group_id is not None:
            return OrganisationKey(self.organisation_id)
        return self.speaker.stakeholder.sealing_key()

    @property
    def is_relayed(self) -> bool:
        return self.group_id is not None

    @property
    def is_decided(self) -> bool:
        return bool(self.outcome)

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_merged(self) -> bool:
        return self.merged_into_id is not None

    @property
    def stands(self) -> bool:
        return not self.is_withdrawn and not self.is_merged


class InputVersion(SealedModel, models.Model):
    """An input as it read before one edit: append-only, so what was first recorded is never lost.

    The words are sealed under the key of whoever they were then attributed to, so erasing that person
    erases their words from the history too.
    """

    sealed_fields = ("text",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    input = models.ForeignKey(Input, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveSmallIntegerField()
    text = Sealed(_("what was said"))
    text_sealed = models.BinaryField(default=b"", editable=False)
    speaker = models.ForeignKey(Participation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    group = models.ForeignKey(AffectedGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    attribution = models.CharField(max_length=16, choices=Attribution.choices)
    tags = models.JSONField(default=list)
    # Who replaced this version, when, and which of its fields they changed.
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    replaced_at = models.DateTimeField()
    changed_fields = models.JSONField(default=list)

    class Meta:
        verbose_name = _("earlier version of an input")
        verbose_name_plural = _("earlier versions of inputs")
        ordering = ["input", "-version"]
        constraints = [models.UniqueConstraint(fields=["input", "version"], name="one_input_version")]

    def __str__(self) -> str:
        return f"input {self.input_id} v{self.version}"

    def sealing_key(self):
        if self.speaker_id is None or self.group_id is not None:
            return OrganisationKey(self.organisation_id)
        return self.speaker.stakeholder.sealing_key()


class Decision(models.Model):
    """A decision on an input; revisions add rows, so the history is the table itself."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    input = models.ForeignKey(Input, on_delete=models.CASCADE, related_name="decisions")
    revision = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(_("decision"), max_length=24, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    next_step_due = models.DateField(_("next step by"), null=True, blank=True)
    function = models.CharField(_("function"), max_length=16, choices=Function.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ["input", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["input", "revision"], name="one_decision_per_revision"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} (rev {self.revision})"


class FeedbackReportQuerySet(OrganisationScopedQuerySet):
    def delivered(self):
        return self.filter(status__in=[DeliveryStatus.SENT, DeliveryStatus.DELIVERED])


class FeedbackReport(SealedModel, models.Model):
    """What we told one participant about their inputs, as it was when we told them (sealed under their key)."""

    sealed_fields = ("body", "body_html", "personal_note")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="feedback_reports")
    participation = models.ForeignKey(Participation, on_delete=models.CASCADE, related_name="reports")
    language = models.CharField(_("language"), max_length=8)
    subject = models.CharField(_("subject"), max_length=200)
    body = Sealed(_("report"))
    body_sealed = models.BinaryField(default=b"", editable=False)
    # The same letter as HTML (the email's HTML part); empty for reports made before letters had one.
    body_html = Sealed(_("report as HTML"))
    body_html_sealed = models.BinaryField(default=b"", editable=False)
    # The owner's own word to the reader, as it was in the letter (it may speak of them: sealed).
    personal_note = Sealed(_("personal note"))
    personal_note_sealed = models.BinaryField(default=b"", editable=False)
    # The letter sent is a human translation the owner attached, into `language`.
    translated = models.BooleanField(default=False)
    # Where the letter told the reader their reply goes (the email's Reply-To).
    reply_to = models.EmailField(blank=True)
    channel = models.CharField(_("channel"), max_length=24)
    status = models.CharField(_("status"), max_length=16, choices=DeliveryStatus.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # The newest decision this report reflects: a later decision re-opens the loop.
    covers_decisions_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Days from the end of the engagement to this participant's first report.
    days_to_feedback = models.IntegerField(null=True, blank=True)
    is_first = models.BooleanField(default=False)
    failure = models.CharField(max_length=300, blank=True)

    objects = FeedbackReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("feedback report")
        verbose_name_plural = _("feedback reports")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organisation", "is_first", "days_to_feedback"], name="feedback_days"),
            # The dashboard's median days to feedback. SQLite cannot use feedback_days for it, because
            # Django writes is_first=True as a bare "is_first" term; this partial index holds only first
            # reports, ordered by days, and covers the query (is_first is listed so it need not read rows).
            models.Index(
                fields=["organisation", "days_to_feedback", "is_first"],
                condition=models.Q(is_first=True, days_to_feedback__isnull=False),
                name="feedback_first_days",
            ),
        ]

    def __str__(self) -> str:
        return self.subject

    def sealing_key(self):
        return self.participation.stakeholder.sealing_key()


class LetterDraft(SealedModel, models.Model):
    """What the owner adds to a participant's next feedback letter before it goes: a personal note, and a human
    translation where we have none into the language the person prefers. Used up when the letter is sent."""

    sealed_fields = ("personal_note", "translation")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    participation = models.OneToOneField(Participation, on_delete=models.CASCADE, related_name="letter_draft")
    personal_note = Sealed(_("personal note"))
    personal_note_sealed = models.BinaryField(default=b"", editable=False)
    translation = Sealed(_("translation of the letter"))
    translation_sealed = models.BinaryField(default=b"", editable=False)
    translation_language = models.CharField(_("language of the translation"), max_length=8, blank=True)
    # A digest of the letter the translation was made from: once the letter changes (a new decision, another
    # note) the translation no longer says the same and is not sent.
    translation_of = models.CharField(max_length=64, blank=True, editable=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("letter draft")
        verbose_name_plural = _("letter drafts")

    def __str__(self) -> str:
        return f"draft for {self.participation_id}"

    def sealing_key(self):
        return self.participation.stakeholder.sealing_key()


class LoopReminder(models.Model):
    """One reminder about an overdue loop sent to its owner on one day; makes the daily job idempotent."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="reminders")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["engagement", "sent_on"], name="one_reminder_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.engagement_id} {self.sent_on}"


# Engagement load thresholds (S3) live in their own module; imported here so the app registers the model.
from .load_models import LoadThresholds  # noqa: E402,F401
from .promises import Promise  # noqa: E402,F401
