"""Shared assessments (G3): several organisations of one installation run one assessment together.

A lead organisation turns one of its assessments (assessments.Assessment) into a `SharedAssessment`; other
organisations join only by an `SpaceInvitation` their human rights lead accepts, and then are a current
`SharedMember`. What is shared is explicit and lives here or is read through here: the assessment, the
engagements held in it (`SharedEngagement` for those a member adds), their standing inputs, the findings, and
the pool of local partners (`PoolPartner`), each in it only while their consent to the pool stands.
`PartnerRequest` is the one invitation per partner per engagement, whichever member asked; it counts in the
partner's engagement load for every member (collaboration.load). Nothing else of a member's register is ever
read for another member.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation

from .vocabulary import PoolConsentMethod


class SharedAssessmentQuerySet(models.QuerySet):
    def joined_by(self, organisation: Organisation):
        """The shared assessments the organisation is a current member of (a member that left sees none)."""
        return self.filter(members__organisation=organisation, members__left_at__isnull=True)


class SharedAssessment(models.Model):
    """One assessment of the lead organisation, opened to other organisations of this installation."""

    # Deleting the assessment itself ends the sharing; the members' engagements stay in their own registers.
    assessment = models.OneToOneField("assessments.Assessment", on_delete=models.CASCADE, related_name="shared",
                                      verbose_name=_("assessment"))
    lead = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="led_shared_assessments",
                             verbose_name=_("lead organisation"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SharedAssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("shared assessment")
        verbose_name_plural = _("shared assessments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"shared assessment {self.pk}"


class SharedMemberQuerySet(models.QuerySet):
    def current(self):
        return self.filter(left_at__isnull=True)


class SharedMember(models.Model):
    """An organisation taking part in a shared assessment, from accepting until it leaves."""

    shared = models.ForeignKey(SharedAssessment, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shared_memberships")
    joined_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    left_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    objects = SharedMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("member of a shared assessment")
        verbose_name_plural = _("members of shared assessments")
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shared", "organisation"], condition=models.Q(
            left_at__isnull=True), name="one_current_shared_membership")]
        indexes = [models.Index(fields=["organisation", "left_at"], name="shared_member_org")]

    def __str__(self) -> str:
        return f"organisation {self.organisation_id} in shared assessment {self.shared_id}"


class SpaceInvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True)


class SpaceInvitation(models.Model):
    """A member's invitation to another organisation; it is a member only once its human rights lead accepts."""

    shared = models.ForeignKey(SharedAssessment, on_delete=models.CASCADE, related_name="invitations")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="shared_invitations",
                                     verbose_name=_("invited organisation"))
    invited_by_organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    objects = SpaceInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation to a shared assessment")
        verbose_name_plural = _("invitations to shared assessments")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(
            fields=["shared", "organisation"],
            condition=models.Q(accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True),
            name="one_open_space_invitation")]

    def __str__(self) -> str:
        return f"invitation {self.pk} of organisation {self.organisation_id}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.declined_at is None and self.withdrawn_at is None


class SharedEngagement(models.Model):
    """An engagement a member holds inside the shared assessment: its inputs become the members' to read."""

    shared = models.ForeignKey(SharedAssessment, on_delete=models.CASCADE, related_name="shared_engagements")
    # An engagement belongs to at most one shared assessment; it stays there when its organisation leaves.
    engagement = models.OneToOneField("engagements.Engagement", on_delete=models.CASCADE, related_name="shared_in")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("shared engagement")
        verbose_name_plural = _("shared engagements")
        ordering = ["added_at", "id"]

    def __str__(self) -> str:
        return f"engagement {self.engagement_id} in shared assessment {self.shared_id}"


class PoolPartnerQuerySet(models.QuerySet):
    def in_pool(self):
        """Partners whose consent to the pool stands (withdrawing takes them out at once) and who were not erased."""
        return self.filter(withdrawn_at__isnull=True, stakeholder__erased_at__isnull=True)


class PoolPartner(models.Model):
    """A member's stakeholder in the shared pool of local partners, with their recorded consent to being there.

    Only the partner's shown name (a pseudonym when their safety level asks for it), organisation, country,
    languages and role are shown to the other members; nothing else of the register.
    """

    shared = models.ForeignKey(SharedAssessment, on_delete=models.CASCADE, related_name="pool")
    # Erasure keeps the row (and in_pool() leaves the erased out); a deleted register row takes its entry along.
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                    related_name="pool_entries", verbose_name=_("stakeholder"))
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=24)
    languages = models.JSONField(_("working languages"), default=list, blank=True)
    consent_method = models.CharField(_("how they consented"), max_length=16, choices=PoolConsentMethod.choices)
    consent_given_on = models.DateField(_("consent given on"))
    contributed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                       related_name="+")
    contributed_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("consent withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    objects = PoolPartnerQuerySet.as_manager()

    class Meta:
        verbose_name = _("partner in the shared pool")
        verbose_name_plural = _("partners in the shared pool")
        ordering = ["contributed_at", "id"]
        constraints = [models.UniqueConstraint(fields=["shared", "stakeholder"], condition=models.Q(
            withdrawn_at__isnull=True), name="one_pool_entry_per_partner")]

    def __str__(self) -> str:
        return f"pool partner {self.pk}"

    @property
    def in_pool(self) -> bool:
        return self.withdrawn_at is None


class PartnerRequest(models.Model):
    """The one invitation of a pool partner to one engagement of the shared assessment, whichever member asked."""

    partner = models.ForeignKey(PoolPartner, on_delete=models.CASCADE, related_name="requests")
    # The partner's stakeholder, kept here so the load reads requests by person on one index.
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE, related_name="+")
    engagement = models.ForeignKey("engagements.Engagement", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+",
                                     verbose_name=_("asked by"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("request to a pool partner")
        verbose_name_plural = _("requests to pool partners")
        ordering = ["-requested_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["stakeholder", "engagement"],
                                               name="one_request_per_partner_and_engagement")]
        indexes = [models.Index(fields=["stakeholder", "requested_at", "engagement"], name="partner_request_load")]

    def __str__(self) -> str:
        return f"request of partner {self.partner_id} to engagement {self.engagement_id}"
