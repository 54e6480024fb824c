"""Relationship agreements (P1): the ground rules between the organisation and one stakeholder.

An `Agreement` is the standing arrangement; its terms live in numbered `AgreementVersion`s, each proposed
and answered on its own (a new version needs a new acceptance), and none is ever deleted. The version the
stakeholder last accepted governs (`accepted_version`) until a newer one is accepted or the agreement ends.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import Sealed, SealedModel

__all__ = [
    "Agreement",
    "AgreementReminder",
    "AgreementState",
    "AgreementVersion",
    "Answer",
    "AnswerVia",
    "BriefingTopic",
    "ReminderKind",
    "TheyMay",
    "WeMay",
]


class AgreementState(models.TextChoices):
    DRAFTED = "drafted", _("Drafted")
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CHANGES_REQUESTED = "changes_requested", _("Changes requested")
    IN_FORCE = "in_force", _("In force")
    UNDER_REVIEW = "under_review", _("Under review")
    ENDED = "ended", _("Ended")


class Answer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    CHANGES_REQUESTED = "changes_requested", _("Asked for changes")


class AnswerVia(models.TextChoices):
    """How the stakeholder's answer reached us: their own portal, or told to staff who recorded it."""

    PORTAL = "portal", _("In the portal")
    IN_PERSON = "in_person", _("In person")
    EMAIL = "email", _("By email")
    PHONE = "phone", _("By phone")
    LETTER = "letter", _("By letter")
    VIA_PROXY = "via_proxy", _("Through a proxy")


class BriefingTopic(models.TextChoices):
    BUSINESS_MODEL = "business_model", _("Our business model")
    GOVERNANCE = "governance", _("Our governance")
    SALIENT_RISKS = "salient_risks", _("Our salient human rights risks")
    TECHNOLOGIES = "technologies", _("Our technologies")


class WeMay(models.TextChoices):
    """What the organisation may say about the stakeholder and the relationship."""

    NAME_AS_ENGAGED = "name_as_engaged", _("May name them as a stakeholder we engage with")
    NAME_AS_ADVISER = "name_as_adviser", _("May name them as an adviser")
    QUOTE = "quote", _("May quote what they said, attributed to them")
    USE_LOGO = "use_logo", _("May show their logo")


class TheyMay(models.TextChoices):
    """What the stakeholder may say about the organisation and the relationship."""

    NAME_US = "name_us", _("May name us as a company they engage with")
    NAME_AS_ADVISEE = "name_as_advisee", _("May say they advise us")
    QUOTE_STAFF = "quote_staff", _("May quote our staff")
    DESCRIBE_CONTENT = "describe_content", _("May describe what was discussed (outside any NDA)")


class AgreementQuerySet(OrganisationScopedQuerySet):
    def open(self):
        return self.exclude(state=AgreementState.ENDED)


class Agreement(models.Model):
    """The standing agreement with one stakeholder; at most one that has not ended per stakeholder."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="agreements")
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                    related_name="agreements")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(_("state"), max_length=20, choices=AgreementState.choices,
                             default=AgreementState.DRAFTED)
    # The newest version (the one being drafted, proposed or answered) and the one that governs.
    current_version = models.ForeignKey("AgreementVersion", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+")
    accepted_version = models.ForeignKey("AgreementVersion", on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="+")
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["stakeholder"], condition=~Q(state="ended"),
                                    name="one_open_agreement_per_stakeholder"),
        ]
        indexes = [
            models.Index(fields=["organisation", "state"]),
            # The agreements list, newest change first, a page at a time: read in order, never sorted whole.
            models.Index(fields=["organisation", "-updated_at", "-id"], name="agreement_newest"),
        ]

    def __str__(self) -> str:
        return f"agreement {self.pk}"


class AgreementVersion(SealedModel, models.Model):
    """One numbered set of terms, with the stakeholder's answer to it; kept for ever once proposed."""

    sealed_fields = ("comment",)

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.PositiveSmallIntegerField()
    starts_on = models.DateField(_("starts on"))
    review_on = models.DateField(_("review date"))
    # Expected engagement over the twelve months from the start.
    engagements_expected = models.PositiveSmallIntegerField(_("engagements expected in 12 months"), null=True,
                                                            blank=True)
    engagement_kinds = models.JSONField(_("kinds of engagement"), default=list, blank=True)
    indicative_months = models.JSONField(_("indicative months"), default=list, blank=True)
    # What the organisation commits to brief them on.
    briefing_topics = models.JSONField(_("we will brief them on"), default=list, blank=True)
    briefing_notes = models.TextField(_("briefing: more detail"), blank=True)
    # How and when loops are closed.
    feedback_within_days = models.PositiveSmallIntegerField(_("feedback within (days)"), null=True, blank=True)
    loop_closure_notes = models.TextField(_("how we close the loop"), blank=True)
    # Sensitive information, each way.
    our_handling = models.TextField(_("how we treat their sensitive information"), blank=True)
    their_handling = models.TextField(_("how they treat our sensitive information"), blank=True)
    # Attribution, each way: {code: true|false}; a code absent was not agreed, which means not allowed.
    we_may = models.JSONField(_("what we may say about them"), default=dict, blank=True)
    they_may = models.JSONField(_("what they may say about us"), default=dict, blank=True)
    attribution_notes = models.TextField(_("attribution: more detail"), blank=True)
    nda_scope = models.TextField(_("what the NDA covers"), blank=True)
    nda_sunset_on = models.DateField(_("NDA ends on"), null=True, blank=True)
    compensation_terms = models.TextField(_("compensation"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    proposed_at = models.DateTimeField(null=True, blank=True)
    answer = models.CharField(_("answer"), max_length=20, choices=Answer.choices, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_via = models.CharField(_("answer received"), max_length=16, choices=AnswerVia.choices, blank=True)
    # Staff who recorded an answer given offline or through the API; empty when the stakeholder answered
    # in the portal themselves.
    answer_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                           blank=True, related_name="+")
    # The stakeholder's own words (a comment or the changes they ask for): sealed under their key, so erasing
    # them makes it unreadable, and cleared by erasure as well.
    comment = Sealed(_("comment"))
    comment_sealed = models.BinaryField(default=b"", editable=False)

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["agreement_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="one_agreement_version_number"),
        ]

    def __str__(self) -> str:
        return f"agreement {self.agreement_id} v{self.number}"

    def sealing_key(self):
        return self.agreement.stakeholder.sealing_key()

    @property
    def has_nda(self) -> bool:
        return bool(self.nda_scope.strip())

    @property
    def is_proposed_or_answered(self) -> bool:
        return self.proposed_at is not None

    # Labels for pages, in the language active when they are read (the portal's is the stakeholder's).
    def engagement_kind_labels(self) -> list[str]:
        from rightsloop.engagements.vocabulary import EngagementType

        labels = dict(EngagementType.choices)
        return [str(labels.get(code, code)) for code in self.engagement_kinds]

    def month_labels(self) -> list[str]:
        from django.utils.dates import MONTHS

        return [str(MONTHS.get(month, month)) for month in self.indicative_months]

    def briefing_topic_labels(self) -> list[str]:
        labels = dict(BriefingTopic.choices)
        return [str(labels.get(code, code)) for code in self.briefing_topics]

    def we_may_rules(self) -> list[tuple[str, bool]]:
        return [(str(label), self.we_may.get(code) is True) for code, label in WeMay.choices]

    def they_may_rules(self) -> list[tuple[str, bool]]:
        return [(str(label), self.they_may.get(code) is True) for code, label in TheyMay.choices]


class ReminderKind(models.TextChoices):
    REVIEW_DUE = "review_due", _("Review date approaching")
    SUNSET_SOON = "sunset_soon", _("NDA sunset approaching")
    SUNSET_PASSED = "sunset_passed", _("NDA sunset passed (to the stakeholder)")


class AgreementReminder(models.Model):
    """One reminder about one date of one agreement, claimed before it is sent, so it goes out once."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    # The date the reminder is about (review or sunset): a new date, after a new version, earns a new reminder.
    about = models.DateField()
    sent_on = models.DateField()
    # Where it went: "email" or, when no safe channel exists, "owner" (the owner was asked to tell them).
    channel = models.CharField(max_length=16, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agreement", "kind", "about"], name="one_agreement_reminder"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} {self.kind} {self.about}"
