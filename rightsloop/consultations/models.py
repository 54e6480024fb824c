"""Public consultations (C1 to C3): responses imported at scale, themes found in them, decisions per theme, and
the message that tells each respondent what became of what they said.

A consultation is an engagement of type public_consultation with one Consultation row beside it. Responses are
not Inputs: a consultation holds up to millions of them, from people we never register as stakeholders, so they
live in their own narrow table, written in bulk. What a respondent wrote and how to reach them are sealed under
the organisation's key; the additional data of each seal names the import and the line, so no row's ciphertext
can be moved onto another row.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.roles import Function
from rightsloop.core import sealed_files
from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import OrganisationKey, Sealed, SealedModel
from rightsloop.engagements.models import Engagement
from rightsloop.engagements.vocabulary import Outcome


def new_public_token() -> str:
    # Unguessable, so an unpublished consultation's public address reveals nothing by enumeration.
    return secrets.token_urlsafe(12)


class Consultation(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="consultations")
    engagement = models.OneToOneField(Engagement, on_delete=models.CASCADE, related_name="consultation")
    question = models.TextField(_("question asked"), blank=True)
    yes_no = models.BooleanField(
        _("asks to agree or disagree with a proposal"), default=False,
        help_text=_("Stance (for, against, unclear) is then shown within every theme."))
    issues_receipts = models.BooleanField(
        _("respondents received a receipt code"), default=False,
        help_text=_("They can then look up the outcome on the public page with their code."))
    public_token = models.CharField(max_length=24, unique=True, default=new_public_token, editable=False)
    published = models.BooleanField(_("public page published"), default=False)
    review_threshold = models.FloatField(
        _("review below this confidence"), default=0.5,
        help_text=_("Responses assigned with a lower confidence wait in the review queue."))
    themes_final_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Counters kept by the actions, so list pages never count a million rows.
    responses_count = models.PositiveIntegerField(default=0, editable=False)
    respondents_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.engagement.title


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded, columns to map")
    CHECKING = "checking", _("Checking rows")
    CHECKED = "checked", _("Checked, waiting for confirmation")
    APPLYING = "applying", _("Importing")
    INTERRUPTED = "interrupted", _("Interrupted: resume or roll back")
    APPLIED = "applied", _("Imported")
    ROLLING_BACK = "rolling_back", _("Rolling back")
    ROLLED_BACK = "rolled_back", _("Rolled back")
    FAILED = "failed", _("Stopped: the file cannot be read")
    CANCELLED = "cancelled", _("Cancelled")


def import_file_name(instance: ResponseImport, _filename: str) -> str:
    """Where an uploaded file is sealed: under its organisation, with a random name (the original is on the row)."""
    return sealed_files.file_name("consultation-imports", instance.organisation_id)


class ResponseImport(models.Model):
    """One uploaded file of responses, from upload through check and confirmation to applied (or rolled back).

    The file is sealed at rest under the organisation's key (core.sealed_files) and deleted once the import is
    applied, rolled back or cancelled; `file` is then empty.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="imports")
    file = models.FileField(upload_to=import_file_name, storage=sealed_files.sealed_storage, max_length=300,
                            blank=True)
    original_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8)  # csv, jsonl, xlsx
    size = models.BigIntegerField(default=0)
    columns = models.JSONField(default=list)
    mapping = models.JSONField(default=dict, blank=True)
    state = models.CharField(max_length=16, choices=ImportState.choices, default=ImportState.UPLOADED)
    only_valid = models.BooleanField(default=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_good = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)  # rows read so far in the current phase
    checkpoint_line = models.PositiveIntegerField(default=0)  # last line applied, where a resume starts
    message = models.TextField(blank=True)
    phase_started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class ProblemReason(models.TextChoices):
    MISSING_TEXT = "missing_text", _("No response text")
    TOO_LONG = "too_long", _("Response text too long")
    ENCODING = "encoding", _("Unreadable characters (not UTF-8)")
    BAD_CONTACT = "bad_contact", _("Contact is not a valid email address")
    BAD_ROW = "bad_row", _("Row cannot be read")
    FORMULA = "formula", _("Cell holds a formula, not a value")


class ImportProblem(models.Model):
    """A bad row found by the check: its line in the file and why it cannot be imported."""

    response_import = models.ForeignKey(ResponseImport, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=16, choices=ProblemReason.choices)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["line", "id"]
        indexes = [models.Index(fields=["response_import", "line"], name="import_problem_line")]

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


class LineSealed(SealedModel):
    """Rows sealed under the organisation's key, bound to their import and line."""

    def sealing_key(self):
        return OrganisationKey(self.organisation_id)

    def sealing_aad(self, name: str) -> bytes:
        return f"{self._meta.label_lower}|{name}|{self.response_import_id}|{self.line}".encode()


class Respondent(LineSealed, models.Model):
    """Someone who answered; keyed by their respondent id (or, without one, by their response's line)."""

    sealed_fields = ("contact",)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="respondents")
    response_import = models.ForeignKey(ResponseImport, on_delete=models.CASCADE, related_name="respondents")
    line = models.PositiveIntegerField()
    # Keyed fingerprints (core.sealing.blind_index): equal ids or addresses match without being readable.
    key = models.CharField(max_length=32)
    contact = Sealed(_("contact"))
    contact_sealed = models.BinaryField(default=b"", editable=False)
    contact_index = models.CharField(max_length=32, blank=True)
    # Settled from all their responses (actions.imports.settle_consent): a refusal in any response wins over any
    # yes, so a person who said no once is never written to on the strength of another row.
    consented = models.BooleanField(default=False)
    refused = models.BooleanField(default=False)
    language = models.CharField(max_length=8, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "key"], name="one_respondent_per_key"),
        ]
        indexes = [models.Index(fields=["consultation", "contact_index"], name="respondent_contact")]

    def __str__(self) -> str:
        return f"respondent {self.pk}"


class Stance(models.TextChoices):
    FOR = "for", _("For the proposal")
    AGAINST = "against", _("Against the proposal")
    UNCLEAR = "unclear", _("Stance unclear")


class ContactConsent(models.TextChoices):
    """What one response said about being contacted; an empty cell (or no consent column) says nothing."""

    GIVEN = "yes", _("Agreed to be contacted")
    REFUSED = "no", _("Refused to be contacted")


class ResponseQuerySet(models.QuerySet):
    def in_discovery(self):
        """Responses theme discovery looks at: one per group of duplicates or campaign."""
        return self.filter(excluded=False)


class Response(LineSealed, models.Model):
    sealed_fields = ("text",)

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="responses")
    response_import = models.ForeignKey(ResponseImport, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="responses")
    line = models.PositiveIntegerField()
    text = Sealed(_("response"))
    text_sealed = models.BinaryField(default=b"", editable=False)
    length = models.PositiveIntegerField(default=0)
    language_given = models.CharField(max_length=8, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)  # given, else detected
    stance = models.CharField(max_length=8, choices=Stance.choices, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    receipt_index = models.CharField(max_length=32, blank=True)
    consent = models.CharField(max_length=3, choices=ContactConsent.choices, blank=True)
    # Set by the duplicates stage: the group this response belongs to, and whether discovery skips it.
    duplicate_group = models.ForeignKey("DuplicateGroup", on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="members")
    excluded = models.BooleanField(default=False)

    objects = ResponseQuerySet.as_manager()

    class Meta:
        ordering = ["response_import_id", "line"]
        constraints = [
            models.UniqueConstraint(fields=["response_import", "line"], name="one_response_per_line"),
        ]
        indexes = [
            models.Index(fields=["consultation", "id"], name="response_consultation"),
            models.Index(fields=["consultation", "receipt_index"], name="response_receipt"),
        ]

    def __str__(self) -> str:
        return f"response {self.pk}"


class DuplicateKind(models.TextChoices):
    """How alike a group's responses are; only a template with its members' own edits is called a campaign.

    The values stay as they were (the API speaks them); the labels say what each kind shows and no more: the
    same text many times is not evidence that anyone organised it (analysis.duplicates.group_kind).
    """

    EXACT = "exact", _("Identical answers")
    NEAR = "near", _("Near-identical answers")
    CAMPAIGN = "campaign", _("Organised campaign")


class DuplicateGroupQuerySet(models.QuerySet):
    def campaigns(self):
        return self.filter(kind=DuplicateKind.CAMPAIGN)


class DuplicateGroup(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="duplicate_groups")
    run = models.ForeignKey("AnalysisRun", on_delete=models.CASCADE, related_name="duplicate_groups")
    kind = models.CharField(max_length=8, choices=DuplicateKind.choices)
    size = models.PositiveIntegerField()
    # Distinct texts among the members (after normalisation): 1 for identical answers, many for a campaign.
    variants = models.PositiveIntegerField(default=1)
    representative = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")

    objects = DuplicateGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-size", "id"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.size})"


class RunKind(models.TextChoices):
    DISCOVERY = "discovery", _("Theme discovery")
    ASSIGNMENT = "assignment", _("Assignment to final themes")


class RunState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class AnalysisRun(models.Model):
    """One run of the analysis, stored with the parameters that repeat it and the time each stage took."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="runs")
    kind = models.CharField(max_length=12, choices=RunKind.choices)
    parameters = models.JSONField(default=dict)
    state = models.CharField(max_length=8, choices=RunState.choices, default=RunState.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    stage_seconds = models.JSONField(default=dict)
    message = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} run {self.pk}"


class ThemeStatus(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    FINAL = "final", _("Final")


class ThemeQuerySet(models.QuerySet):
    def final(self):
        return self.filter(status=ThemeStatus.FINAL)

    def routed_to(self, function: str):
        return self.filter(owning_function=function)

    def routed(self):
        return self.exclude(owning_function="")

    def awaiting_decision(self):
        return self.filter(current_decision__isnull=True)

    def decided(self):
        return self.filter(current_decision__isnull=False)

    def label_confirmed(self):
        return self.filter(label_confirmed_at__isnull=False)

    def label_unconfirmed(self):
        return self.filter(label_confirmed_at__isnull=True)


class Theme(models.Model):
    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="themes")
    run = models.ForeignKey(AnalysisRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="themes")
    label = models.CharField(_("label"), max_length=200)
    key_terms = models.JSONField(default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(max_length=12, choices=ThemeStatus.choices, default=ThemeStatus.CANDIDATE)
    size = models.PositiveIntegerField(default=0)
    languages = models.JSONField(default=dict, blank=True)
    stance = models.JSONField(default=dict, blank=True)
    rights = models.JSONField(_("rights"), default=list, blank=True)  # codes from core.rights
    risks = models.ManyToManyField("risks.Risk", blank=True, related_name="consultation_themes",
                                   verbose_name=_("salient risks"))
    # The standing decision, copied from the newest ThemeDecision by the decide action.
    current_decision = models.ForeignKey("ThemeDecision", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+")
    outcome = models.CharField(max_length=24, choices=Outcome.choices, blank=True, editable=False)
    # The function whose decision makers decide the theme (actions.outcomes.route_theme), as for an input; the
    # human rights team may decide any theme.
    owning_function = models.CharField(_("owning function"), max_length=16, choices=Function.choices, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Who wrote or confirmed the label, and when (actions.themes.rename_theme, confirm_label). Discovery labels a
    # theme with its key terms: a machine's words, never published (public page, open data, messages) until a
    # person has made them theirs.
    label_confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+", editable=False)
    label_confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The analyst read the model's for/against/unclear counts and stands by them (actions.themes.review_stance):
    # only then does the public page show them.
    stance_reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+", editable=False)
    stance_reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ThemeQuerySet.as_manager()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label_confirmed(self) -> bool:
        return self.label_confirmed_at is not None

    @property
    def stance_reviewed(self) -> bool:
        return self.stance_reviewed_at is not None


class ThemeExample(models.Model):
    """A response the analyst confirmed (or discovery proposed) as showing what a theme is about."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="examples")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="examples")
    confirmed = models.BooleanField(default=False)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")

    class Meta:
        ordering = ["-confirmed", "id"]
        constraints = [models.UniqueConstraint(fields=["theme", "response"], name="one_example_per_theme")]

    def __str__(self) -> str:
        return f"example {self.response_id} of theme {self.theme_id}"


class AssignmentSource(models.TextChoices):
    DISCOVERED = "discovered", _("Placed by theme discovery")
    ASSIGNED = "assigned", _("Assigned by the model")
    REVIEWED = "reviewed", _("Confirmed by an analyst")


class ThemeAssignment(models.Model):
    """A response placed in a theme (theme empty: "other"), with how sure the placement is."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="assignments")
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, null=True, blank=True, related_name="assignments")
    source = models.CharField(max_length=12, choices=AssignmentSource.choices)
    confidence = models.FloatField(default=1.0)
    needs_review = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["theme", "source"], name="assignment_theme"),
            models.Index(fields=["consultation", "source", "needs_review"], name="assignment_review"),
            models.Index(fields=["response"], name="assignment_response"),
        ]

    def __str__(self) -> str:
        return f"response {self.response_id} in theme {self.theme_id}"


class ThemeDecision(models.Model):
    """What the company decided about one theme; the same outcomes as for a single input."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="decisions")
    revision = models.PositiveSmallIntegerField(default=1)
    outcome = models.CharField(_("decision"), max_length=24, choices=Outcome.choices)
    rationale = models.TextField(_("rationale"), blank=True)
    next_step = models.TextField(_("next step"), blank=True)
    next_step_due = models.DateField(_("next step by"), null=True, blank=True)
    # The function the theme was routed to when decided (empty: decided by the human rights team unrouted).
    function = models.CharField(max_length=16, choices=Function.choices, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["-revision"]
        constraints = [
            models.UniqueConstraint(fields=["theme", "revision"], name="one_theme_decision_per_revision"),
            models.CheckConstraint(
                condition=~models.Q(outcome=Outcome.NOT_ADOPTED) | ~models.Q(rationale=""),
                name="theme_not_adopted_has_rationale"),
            models.CheckConstraint(
                condition=~models.Q(outcome=Outcome.UNDER_CONSIDERATION)
                | (~models.Q(next_step="") & models.Q(next_step_due__isnull=False)),
                name="theme_under_consideration_has_next_step"),
        ]

    def __str__(self) -> str:
        return f"{self.outcome} (revision {self.revision})"


class SendingState(models.TextChoices):
    RUNNING = "running", _("Sending")
    INTERRUPTED = "interrupted", _("Interrupted: resume to send the rest")
    DONE = "done", _("Sent")


class MessageRun(models.Model):
    """One sending of the loop-closure messages; a resumed run carries on where it stopped."""

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="message_runs")
    state = models.CharField(max_length=12, choices=SendingState.choices, default=SendingState.RUNNING)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # What the task check (core.supervision) said of the run: resumed after its worker stopped, running long.
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"messages {self.pk}"


class RespondentMessage(models.Model):
    """The one loop-closure message an address gets for a consultation.

    Unique per (consultation, contact address fingerprint): "never twice to the same person" is a constraint, even
    when one person answered under two respondent ids. The message is claimed (row written) before it is handed
    to the mail backend, so a crash between the two can lose a message but never send one twice.
    """

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(MessageRun, on_delete=models.CASCADE, related_name="messages")
    respondent = models.ForeignKey(Respondent, on_delete=models.CASCADE, related_name="messages")
    contact_index = models.CharField(max_length=32)
    language = models.CharField(max_length=8)
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["consultation", "contact_index"], name="one_message_per_address"),
        ]

    def __str__(self) -> str:
        return f"message to respondent {self.respondent_id}"
