"""Grievances (M1), their handling (M2) and remedies designed with the affected (M3), and the UNGP 31 self-check.

Everything a person told us about a case (what happened, who was affected, what they want, their identity,
the messages both ways, the notes on each stage, the names of their files) is sealed under the case's own
key, wrapped by the organisation's: erasing a case destroys that key and every sealed row of it becomes
unreadable at once. What stays readable is what the figures need: stage, dates, channel, country, product,
language, rights, at-risk groups.
"""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.core import sealed_files, sealing
from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import OrganisationKey, Sealed, SealedModel
from rightsloop.engagements.models import Engagement, Input
from rightsloop.risks.models import Mitigation, Risk, StrategicDecision
from rightsloop.stakeholders.models import AffectedGroup, Stakeholder

from .selfcheck_facts import in_time, stay_seconds
from .vocabulary import (
    ActionStatus,
    Assessment,
    Channel,
    ConfirmationAnswer,
    Criterion,
    MessageDirection,
    MessageVia,
    Mode,
    RaisedBy,
    RemedyType,
    Satisfaction,
    Stage,
)

# Stages in which the case is finished for the deadlines: nothing more is owed to the person.
FINISHED_STAGES = (Stage.CLOSED, Stage.NOT_ADMISSIBLE)


class GrievanceSettings(models.Model):
    """One organisation's mechanism: whether the public page takes grievances, and its own deadlines."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="grievance_settings")
    intake_open = models.BooleanField(
        _("the public grievance page takes new grievances"), default=True,
        help_text=_("When closed, the page still lets people follow their cases with their receipt."))
    acknowledge_days = models.PositiveSmallIntegerField(
        _("days to acknowledge"), default=7, validators=[MinValueValidator(1), MaxValueValidator(60)])
    respond_days = models.PositiveSmallIntegerField(
        _("days to a substantive response"), default=90, validators=[MinValueValidator(1), MaxValueValidator(365)])
    # An overdue case goes to the whole team at once; still overdue this many days later, to the administrators.
    escalate_after_days = models.PositiveSmallIntegerField(
        _("days overdue before escalating to the administrators"), default=7,
        validators=[MinValueValidator(1), MaxValueValidator(90)])
    # Products and services a person can choose from on the public page (they may also write their own).
    products = models.JSONField(_("products and services"), default=list, blank=True)
    # Engagements held on the mechanism itself (UNGP 31 "based on engagement and dialogue").
    mechanism_engagements = models.ManyToManyField(Engagement, blank=True, related_name="+",
                                                   verbose_name=_("engagements on the mechanism itself"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("grievance mechanism settings")
        verbose_name_plural = _("grievance mechanism settings")

    def __str__(self) -> str:
        return f"grievance settings of {self.organisation_id}"

    @classmethod
    def of(cls, organisation: Organisation) -> GrievanceSettings:
        found, _created = cls.objects.get_or_create(organisation=organisation)
        return found


class RemedyPlan(models.Model):
    """The remedy for one case or a group of cases, designed with the affected people.

    Their own proposals are inputs of `engagement` (a remedy dialogue), so decisions on them close the loop
    like any other input; the corrective actions are `RemedyAction`s they confirm or dispute.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="remedy_plans")
    title = models.CharField(_("title"), max_length=200)
    engagement = models.OneToOneField(Engagement, on_delete=models.PROTECT, null=True, blank=True,
                                      related_name="remedy_plan", verbose_name=_("remedy dialogue"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("remedy plan")
        verbose_name_plural = _("remedy plans")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"remedy plan {self.pk}"


class GrievanceQuerySet(OrganisationScopedQuerySet):
    def open(self):
        return self.exclude(stage__in=FINISHED_STAGES)

    def awaiting_acknowledgement(self):
        return self.filter(stage=Stage.RECEIVED)

    def acknowledgement_overdue(self, today: datetime.date):
        return self.filter(stage=Stage.RECEIVED, acknowledge_due_on__lt=today)

    def response_overdue(self, today: datetime.date):
        return self.open().filter(responded_at__isnull=True, respond_due_on__lt=today)

    def overdue(self, today: datetime.date):
        return self.filter(
            models.Q(stage=Stage.RECEIVED, acknowledge_due_on__lt=today)
            | (~models.Q(stage__in=FINISHED_STAGES) & models.Q(responded_at__isnull=True, respond_due_on__lt=today)))

    def handled_by(self, user) -> GrievanceQuerySet:
        """Cases the user may open as a handler: every case of the organisation except those they are excluded from."""
        return self.exclude(exclusions__user=user)


class Grievance(SealedModel, models.Model):
    """One case: a grievance raised by an affected person, on behalf of others, or by the company's own staff."""

    sealed_fields = ("description", "affected_people", "wanted_outcome", "when_text", "complainant_name",
                     "complainant_contact", "represents", "not_admissible_reasons", "outcome_summary",
                     "satisfaction_note")

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="grievances")
    # What staff call the case (G-42); numbered per organisation.
    number = models.PositiveIntegerField(editable=False)
    # The receipt's first part: which case a receipt claims to open (digits, not secret). The rest of the
    # receipt is checked against `receipt_hash` (Argon2id); nothing else of the receipt is kept.
    reference = models.CharField(max_length=16, editable=False)
    receipt_hash = models.CharField(max_length=200, editable=False)
    # A digest of the submission's idempotency key (the form's one-time token, or the API's Idempotency-Key):
    # the same submission sent twice makes one case.
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    # This case's own key, wrapped by the organisation's data key; erasure destroys it.
    sealed_key = models.BinaryField(default=b"", editable=False)

    mode = models.CharField(_("how they came forward"), max_length=16, choices=Mode.choices, default=Mode.ANONYMOUS)
    raised_by = models.CharField(_("raised by"), max_length=16, choices=RaisedBy.choices, default=RaisedBy.AFFECTED)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.WEB)
    # The language the text is in (detected, ISO 639), and the interface language they used.
    language = models.CharField(_("language"), max_length=3, blank=True)
    interface_language = models.CharField(max_length=8, blank=True)
    country = models.CharField(_("where it happened (country)"), max_length=2, blank=True)
    occurred_on = models.DateField(_("when it happened"), null=True, blank=True)
    product = models.CharField(_("product or service"), max_length=200, blank=True)
    description = Sealed(_("what happened"))
    description_sealed = models.BinaryField(default=b"", editable=False)
    when_text = Sealed(_("when it happened, in their words"))
    when_text_sealed = models.BinaryField(default=b"", editable=False)
    affected_people = Sealed(_("who was affected"))
    affected_people_sealed = models.BinaryField(default=b"", editable=False)
    wanted_outcome = Sealed(_("what they want to happen"))
    wanted_outcome_sealed = models.BinaryField(default=b"", editable=False)
    # Confidential and named cases only; never asked for, never kept for anonymous ones.
    complainant_name = Sealed(_("name"))
    complainant_name_sealed = models.BinaryField(default=b"", editable=False)
    complainant_contact = Sealed(_("how to reach them"))
    complainant_contact_sealed = models.BinaryField(default=b"", editable=False)
    # A complainant known in the register (named cases recorded by staff, a proxy filing through the portal).
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="grievances", verbose_name=_("stakeholder"))
    # Filed by a credible proxy on behalf of a community: the proxy, the group, and whom else it represents.
    proxy = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="grievances_filed", verbose_name=_("filed by proxy"))
    on_behalf_of = models.ForeignKey(AffectedGroup, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="grievances", verbose_name=_("on behalf of"))
    represents = Sealed(_("whom it represents"))
    represents_sealed = models.BinaryField(default=b"", editable=False)
    supported_by_adviser = models.BooleanField(_("supported by a proxy or adviser"), default=False)
    at_risk = models.JSONField(_("groups at risk among the affected"), default=list, blank=True)
    rights = models.JSONField(_("rights at stake"), default=list, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.RECEIVED)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("received"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # The first substantive response: a decision on admissibility, or a proposed remedy.
    responded_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Fixed at receipt from the organisation's settings: the promise made to the person.
    acknowledge_due_on = models.DateField(_("acknowledgement due"))
    respond_due_on = models.DateField(_("substantive response due"))
    # Whether each promise was kept (the answer's date on or before the due date), None while unanswered: kept by
    # save() for the self-check's counts (selfcheck_facts.py; refresh_deadlines() after a bulk write).
    acknowledged_in_time = models.BooleanField(null=True, editable=False)
    responded_in_time = models.BooleanField(null=True, editable=False)
    # 0: on time or with its handler; 1: overdue, the whole team told; 2: still overdue, the administrators told.
    escalation_level = models.PositiveSmallIntegerField(default=0)
    escalated_at = models.DateTimeField(null=True, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+", verbose_name=_("handler"))
    appeals_count = models.PositiveSmallIntegerField(default=0)
    not_admissible_reasons = Sealed(_("why it is not admissible, and where else to go"))
    not_admissible_reasons_sealed = models.BinaryField(default=b"", editable=False)
    outcome_summary = Sealed(_("outcome"))
    outcome_summary_sealed = models.BinaryField(default=b"", editable=False)
    # The outcome checked against international human rights standards (UNGP 31 "rights-compatible").
    rights_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+")
    rights_reviewed_at = models.DateTimeField(null=True, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=Satisfaction.choices, blank=True)
    satisfaction_note = Sealed(_("what they said about the outcome"))
    satisfaction_note_sealed = models.BinaryField(default=b"", editable=False)
    satisfaction_at = models.DateTimeField(null=True, blank=True)
    remedy_plan = models.ForeignKey(RemedyPlan, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="grievances", verbose_name=_("remedy plan"))
    # What the case fed into: the risk register, mitigations, strategic decisions.
    risks = models.ManyToManyField(Risk, blank=True, related_name="grievances", verbose_name=_("salient risks"))
    mitigations = models.ManyToManyField(Mitigation, blank=True, related_name="grievances",
                                         verbose_name=_("mitigations"))
    decisions = models.ManyToManyField(StrategicDecision, blank=True, related_name="grievances",
                                       verbose_name=_("strategic decisions"))
    # Cleared by erasure: the key is destroyed, the figures stay.
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = GrievanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("grievance")
        verbose_name_plural = _("grievances")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="one_grievance_number"),
            models.UniqueConstraint(fields=["organisation", "reference"], name="one_grievance_reference"),
            models.UniqueConstraint(fields=["organisation", "submission_key"], condition=~models.Q(submission_key=""),
                                    name="one_grievance_per_submission"),
        ]
        indexes = [
            models.Index(fields=["organisation", "-received_at", "-id"], name="grievance_org_newest"),
            # Covers the dashboard panel's counts of the open cases (an index-only read of the open stages).
            models.Index(fields=["organisation", "stage", "acknowledge_due_on", "respond_due_on", "responded_at",
                                 "escalation_level", "appeals_count"], name="grievance_org_open"),
            models.Index(fields=["organisation", "acknowledge_due_on", "acknowledged_in_time"],
                         name="grievance_org_ack_due"),
            models.Index(fields=["organisation", "respond_due_on", "responded_in_time"], name="grievance_org_resp_due"),
            models.Index(fields=["organisation", "responded_at", "respond_due_on"], name="grievance_org_respond"),
            models.Index(fields=["organisation", "handler", "stage"], name="grievance_org_handler"),
            models.Index(fields=["organisation", "product", "country"], name="grievance_org_product"),
        ]

    def __str__(self) -> str:
        # Never the content: str() ends up in logs and error reports.
        return f"G-{self.number}"

    def save(self, *args, **kwargs):
        fresh_key = self.ensure_case_key()
        sealed_columns = self.seal_pending()
        self.acknowledged_in_time = in_time(self.acknowledged_at, self.acknowledge_due_on)
        self.responded_in_time = in_time(self.responded_at, self.respond_due_on)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = set(kwargs["update_fields"]) | set(sealed_columns) | (
                {"sealed_key"} if fresh_key else set())
            if kwargs["update_fields"] & {"acknowledged_at", "acknowledge_due_on"}:
                kwargs["update_fields"].add("acknowledged_in_time")
            if kwargs["update_fields"] & {"responded_at", "respond_due_on"}:
                kwargs["update_fields"].add("responded_in_time")
        super(SealedModel, self).save(*args, **kwargs)

    @property
    def label(self) -> str:
        return f"G-{self.number}"

    @property
    def complainant_language(self) -> str:
        """The language to write to the complainant in (docs/languages.md's fall-back order): the interface
        language they used, the language they wrote in, the main languages of the country it happened in, the
        organisation's default, English."""
        from rightsloop.core.languages import stakeholder_language

        return stakeholder_language([self.interface_language, self.language], country=self.country,
                                    organisation_language=self.organisation.default_language)

    def ensure_case_key(self) -> bool:
        if bytes(self.sealed_key or b"") or self.erased_at is not None:
            return False
        wrapped, key = sealing.new_person_key(self.organisation_id, self.uid)
        self.sealed_key = wrapped
        self.__dict__["_case_key"] = key
        return True

    def sealing_key(self):
        if "_case_key" not in self.__dict__:
            wrapped = bytes(self.sealed_key or b"")
            self.__dict__["_case_key"] = (
                sealing.unwrap_person_key(self.organisation_id, self.uid, wrapped) if wrapped else None)
        return self.__dict__["_case_key"]

    @property
    def is_finished(self) -> bool:
        return self.stage in FINISHED_STAGES

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class CaseSealed(SealedModel):
    """Rows of a case whose words are sealed under the case's key."""

    def sealing_key(self):
        return self.grievance.sealing_key()


class StageChange(CaseSealed, models.Model):
    """One move of a case from stage to stage; `note` is what the person is told about it."""

    sealed_fields = ("note",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="stage_changes")
    # The case's, copied when the row is written (save()), so a period's changes are read without the cases.
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", editable=False)
    from_stage = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    note = Sealed(_("what we tell them"))
    note_sealed = models.BinaryField(default=b"", editable=False)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField()
    # How long the case had been in `from_stage` when it left it: since the change into it, or the receipt for
    # the first stage (None for the receipt's own row). Written once with the row (save()).
    stayed_seconds = models.BigIntegerField(null=True, editable=False)

    class Meta:
        verbose_name = _("stage change")
        verbose_name_plural = _("stage changes")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["grievance", "at"], name="stage_change_case"),
            models.Index(fields=["organisation", "at"], name="stage_change_org_at"),
            # Covers the stays behind each stage's median (read newest first, stayed_seconds from the index).
            models.Index(fields=["organisation", "from_stage", "at", "stayed_seconds"], name="stage_change_org_stage"),
        ]

    def __str__(self) -> str:
        return f"{self.grievance_id}: {self.from_stage} → {self.to_stage}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            if self.organisation_id is None:
                self.organisation_id = self.grievance.organisation_id
            if self.stayed_seconds is None and self.from_stage:
                self.stayed_seconds = stay_seconds(self.at, self.entered_at())
        super().save(*args, **kwargs)

    def entered_at(self) -> datetime.datetime | None:
        """When the case entered `from_stage`: the latest change into it written before this one, or the receipt."""
        earlier = StageChange.objects.filter(grievance_id=self.grievance_id, to_stage=self.from_stage,
                                             at__lte=self.at)
        if self.pk is not None:
            earlier = earlier.filter(models.Q(at__lt=self.at) | models.Q(at=self.at, pk__lt=self.pk))
        found = earlier.order_by("-at", "-pk").values_list("at", flat=True).first()
        return found if found is not None else self.grievance.received_at


class CaseMessage(CaseSealed, models.Model):
    """A message to or from the person who raised the case, or an internal note between handlers."""

    sealed_fields = ("text",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(max_length=20, choices=MessageDirection.choices)
    via = models.CharField(max_length=16, choices=MessageVia.choices, default=MessageVia.FOLLOW_UP)
    text = Sealed(_("message"))
    text_sealed = models.BinaryField(default=b"", editable=False)
    language = models.CharField(max_length=3, blank=True)
    # A question awaits the person's answer; the next message from them answers it.
    is_question = models.BooleanField(_("asks them a question"), default=False)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    submission_key = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField()
    # When the person opened the follow-up page after this message was written.
    seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("case message")
        verbose_name_plural = _("case messages")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["grievance", "created_at"], name="case_message_case")]
        constraints = [
            models.UniqueConstraint(fields=["grievance", "submission_key"], condition=~models.Q(submission_key=""),
                                    name="one_case_message_per_submission"),
        ]

    def __str__(self) -> str:
        return f"message {self.pk} on {self.grievance_id}"


def attachment_file_name(instance: CaseAttachment, _filename: str) -> str:
    return sealed_files.file_name("grievances", instance.grievance.organisation_id)


class CaseAttachment(CaseSealed, models.Model):
    """A file given with a case: sealed at rest, downloaded as an attachment only, never shown inline."""

    sealed_fields = ("file_name",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_file_name, storage=sealed_files.sealed_storage, max_length=300)
    # The name they gave it can say who they are: sealed like the rest of the case.
    file_name = Sealed(_("file name"))
    file_name_sealed = models.BinaryField(default=b"", editable=False)
    # The type read from the file's first bytes, not the name or what the browser claimed.
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    from_complainant = models.BooleanField(default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    uploaded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return f"attachment {self.pk} of {self.grievance_id}"


class HandlerExclusion(models.Model):
    """A handler kept out of a case: named in it (conflict of interest), or the handler of an appealed decision."""

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="exclusions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("handler exclusion")
        verbose_name_plural = _("handler exclusions")
        constraints = [models.UniqueConstraint(fields=["grievance", "user"], name="one_exclusion_per_handler")]

    def __str__(self) -> str:
        return f"{self.user_id} kept out of {self.grievance_id}"


class Appeal(CaseSealed, models.Model):
    """The person asks for the outcome to be looked at again: the case re-opens with a different handler."""

    sealed_fields = ("reason",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="appeals")
    reason = Sealed(_("why they appeal"))
    reason_sealed = models.BinaryField(default=b"", editable=False)
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    previous_handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                         blank=True, related_name="+")
    new_handler = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    via = models.CharField(max_length=16, choices=MessageVia.choices, default=MessageVia.FOLLOW_UP)
    filed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"appeal {self.pk} of {self.grievance_id}"


class CaseReminder(models.Model):
    """One reminder or escalation notice about a case, claimed before it is sent so it is sent once."""

    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=32)  # acknowledge_due, respond_due, escalated_1, escalated_2, action_due…
    due_on = models.DateField()
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["grievance", "kind", "due_on"], name="one_case_reminder")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.grievance_id} on {self.due_on}"


class RemedyAction(SealedModel, models.Model):
    """A corrective action of a remedy plan, with its owner and due date, confirmed or disputed by the affected."""

    sealed_fields = ("description",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    plan = models.ForeignKey(RemedyPlan, on_delete=models.CASCADE, related_name="actions")
    remedy_type = models.CharField(_("type of remedy"), max_length=16, choices=RemedyType.choices)
    description = Sealed(_("what will be done"))
    description_sealed = models.BinaryField(default=b"", editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    status = models.CharField(max_length=16, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    delivered_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    disputed_at = models.DateTimeField(null=True, blank=True)
    # The proposal of the affected this action answers, when it answers one.
    proposal = models.ForeignKey(Input, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("remedy action")
        verbose_name_plural = _("remedy actions")
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["plan", "status"], name="remedy_action_plan")]

    def __str__(self) -> str:
        return f"remedy action {self.pk}"

    def sealing_key(self):
        return OrganisationKey(self.plan.organisation_id)


class ActionConfirmation(CaseSealed, models.Model):
    """The affected person's word on whether an action was delivered; a dispute re-opens the action."""

    sealed_fields = ("note",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    action = models.ForeignKey(RemedyAction, on_delete=models.CASCADE, related_name="confirmations")
    grievance = models.ForeignKey(Grievance, on_delete=models.CASCADE, related_name="confirmations")
    answer = models.CharField(max_length=16, choices=ConfirmationAnswer.choices)
    note = Sealed(_("what they said"))
    note_sealed = models.BinaryField(default=b"", editable=False)
    via = models.CharField(max_length=16, choices=MessageVia.choices, default=MessageVia.FOLLOW_UP)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("confirmation")
        verbose_name_plural = _("confirmations")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.answer} on action {self.action_id}"


class SelfAssessment(models.Model):
    """The organisation's own judgement of one UNGP 31 criterion at one time; the newest per criterion stands."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="grievance_assessments")
    criterion = models.CharField(_("criterion"), max_length=24, choices=Criterion.choices)
    assessment = models.CharField(_("our assessment"), max_length=16, choices=Assessment.choices)
    notes = models.TextField(_("evidence and notes"), blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["organisation", "criterion", "-at"], name="self_assessment_newest")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.assessment}"
