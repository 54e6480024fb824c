"""Rating rounds and ratings (P2): how stakeholders say the relationship feels, round after round."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealing import Sealed, SealedModel

__all__ = [
    "DIMENSIONS",
    "SMALLEST_GROUP",
    "Rating",
    "RatingFlag",
    "RatingInvitation",
    "RatingNotice",
    "RatingRound",
    "RatingSettings",
    "RatingTally",
]

# The five questions, each answered from 1 to 5 where 5 is always the good end (burden: 5 = light), so "low" means
# the same thing on every dimension.
DIMENSIONS = ("trust", "influence", "burden", "usefulness", "safety")
SMALLEST_GROUP = 5
SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class RatingSettings(models.Model):
    """The organisation's rules for rating aggregates; no row means the defaults."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="rating_settings")
    smallest_group = models.PositiveSmallIntegerField(
        _("smallest group shown"), default=SMALLEST_GROUP, validators=[MinValueValidator(3), MaxValueValidator(50)],
        help_text=_("Aggregates of fewer answers than this are hidden, so no one rater can be singled out."))

    class Meta:
        verbose_name = _("rating settings")
        verbose_name_plural = _("rating settings")

    def __str__(self) -> str:
        return f"rating settings {self.organisation_id}"


class RatingRoundQuerySet(OrganisationScopedQuerySet):
    def open_on(self, day: datetime.date):
        return self.filter(closed_at__isnull=True, opens_on__lte=day, closes_on__gte=day)


class RatingRound(models.Model):
    """One round of asking stakeholders how the relationship feels; the people in it are its invitations."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="rating_rounds")
    title = models.CharField(_("title"), max_length=200)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    # How the people were chosen, in words and codes (kind, region …), never names.
    chosen_by = models.JSONField(default=dict, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Kept by the actions (opening asks, a first answer counts), so lists never count 200,000 invitations.
    invited_count = models.PositiveIntegerField(default=0, editable=False)
    answered_count = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RatingRoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating round")
        verbose_name_plural = _("rating rounds")
        ordering = ["-opens_on", "-id"]
        indexes = [models.Index(fields=["organisation", "opens_on"], name="rating_round_org_opens")]
        constraints = [models.CheckConstraint(condition=models.Q(closes_on__gte=models.F("opens_on")),
                                              name="rating_round_closes_after_opening")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, day: datetime.date) -> bool:
        return self.closed_at is None and self.opens_on <= day <= self.closes_on

    def state(self, day: datetime.date) -> str:
        if self.closed_at is not None or day > self.closes_on:
            return "closed"
        return "open" if day >= self.opens_on else "scheduled"


class RatingInvitation(models.Model):
    """One stakeholder asked in one round; what the reminders and the "not answered yet" list read."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="invitations")
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                    related_name="rating_invitations")
    answered = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "stakeholder"], name="one_invitation_per_round")]
        indexes = [models.Index(fields=["round", "answered"], name="rating_invitation_round")]

    def __str__(self) -> str:
        return f"invitation {self.round_id}/{self.stakeholder_id}"


class RatingNotice(models.Model):
    """One message about a round sent (or handed to the owner) for one invitation; claimed before sending."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        REMINDER = "reminder", _("reminder")

    invitation = models.ForeignKey(RatingInvitation, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    # "email" when the link went to the stakeholder, "owner" when the owner was asked to hand it over.
    channel = models.CharField(max_length=16, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["invitation", "kind"], name="one_rating_notice_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} {self.invitation_id}"


class RatingQuerySet(OrganisationScopedQuerySet):
    def low(self):
        return self.filter(models.Q(trust__lte=2) | models.Q(influence__lte=2) | models.Q(burden__lte=2)
                           | models.Q(usefulness__lte=2) | models.Q(safety__lte=2))


class Rating(SealedModel, models.Model):
    """One stakeholder's answer in one round; may change until the round closes. The comment is sealed
    under the stakeholder's own key, so erasing them makes it unreadable."""

    sealed_fields = ("comment",)

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="ratings")
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE, related_name="ratings")
    trust = models.PositiveSmallIntegerField(_("trust"), validators=SCORE)
    influence = models.PositiveSmallIntegerField(_("influence felt"), validators=SCORE)
    burden = models.PositiveSmallIntegerField(_("burden"), validators=SCORE)
    usefulness = models.PositiveSmallIntegerField(_("usefulness"), validators=SCORE)
    safety = models.PositiveSmallIntegerField(_("safety"), validators=SCORE)
    comment = Sealed(_("comment"))
    comment_sealed = models.BinaryField(default=b"", editable=False)
    language = models.CharField(_("language"), max_length=8, blank=True)
    # The groups the rater belonged to when answering, copied so the trend page groups without a join.
    kind = models.CharField(max_length=16, blank=True)
    region_code = models.CharField(max_length=3, blank=True)
    global_south = models.BooleanField(null=True)
    # Empty when the stakeholder answered in the portal; the staff member who typed in an offline answer.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    answered_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "stakeholder"], name="one_rating_per_round"),
            *[models.CheckConstraint(condition=models.Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                                     name=f"rating_{name}_1_to_5") for name in DIMENSIONS],
        ]
        indexes = [
            # Covers the trend page's one GROUP BY: it reads this index, never the rows.
            models.Index(fields=["organisation", "round", "kind", "region_code", "global_south",
                                 *DIMENSIONS, "stakeholder"], name="rating_trend"),
            models.Index(fields=["stakeholder", "answered_at"], name="rating_stakeholder"),
        ]

    def __str__(self) -> str:
        return f"rating {self.pk}"

    def sealing_key(self):
        return self.stakeholder.sealing_key()

    def scores(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in DIMENSIONS}


class RatingFlag(models.Model):
    """A low or falling rating brought to the relationship owner's attention; emailed once."""

    class Reason(models.TextChoices):
        LOW = "low", _("low")
        FALLING = "falling", _("falling")
        LOW_AND_FALLING = "low_and_falling", _("low and falling")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="flag")
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                    related_name="rating_flags")
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # Dimension codes that were low or fell (never the comment).
    dimensions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    notified_at = models.DateTimeField(null=True, blank=True)
    seen_at = models.DateTimeField(null=True, blank=True)
    seen_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Only unseen flags are ever read by organisation (the trend page's newest 50), so a partial index
        # in that order serves both the filter and the sort and stays as small as the open backlog.
        indexes = [models.Index(fields=["organisation", "-created_at", "-id"], condition=models.Q(seen_at__isnull=True),
                                name="rating_flag_unseen_newest")]

    def __str__(self) -> str:
        return f"rating flag {self.pk}"


class RatingTally(models.Model):
    """Running totals of one group of raters in one round (their kind, region and Global South when they
    answered): how many answered and the sum of each score. Kept by the actions in the same transaction as
    the answer, so the trend page adds up a few hundred tallies instead of 200,000 ratings."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(RatingRound, on_delete=models.CASCADE, related_name="tallies")
    kind = models.CharField(max_length=16, blank=True)
    region_code = models.CharField(max_length=3, blank=True)
    # "yes", "no", or "" when the country is not recorded: not a nullable boolean, so the unique constraint
    # holds on every database (SQLite treats NULLs as distinct).
    global_south = models.CharField(max_length=3, blank=True)
    answers = models.PositiveIntegerField(default=0)
    trust = models.PositiveIntegerField(default=0)
    influence = models.PositiveIntegerField(default=0)
    burden = models.PositiveIntegerField(default=0)
    usefulness = models.PositiveIntegerField(default=0)
    safety = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "kind", "region_code", "global_south"],
                                               name="one_rating_tally_per_group")]
        indexes = [models.Index(fields=["organisation", "round"], name="rating_tally_round")]

    def __str__(self) -> str:
        return f"tally {self.round_id} {self.kind}/{self.region_code}/{self.global_south}"
