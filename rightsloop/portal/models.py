"""The stakeholder portal (P4): signed sign-in links and what the portal records."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet


class LinkChannel(models.TextChoices):
    EMAIL = "email", _("sent by email")
    HANDED_OVER = "handed_over", _("handed over")


class PortalLinkQuerySet(OrganisationScopedQuerySet):
    def live(self):
        """Links that may still be followed: unused, unrevoked, unexpired, for a person not erased."""
        return self.filter(used_at=None, revoked_at=None, expires_at__gt=timezone.now(),
                           stakeholder__erased_at=None)


class PortalLink(models.Model):
    """A single-use sign-in link to the portal. Only a SHA-256 digest of its token is kept: the token itself
    exists in the link we send or hand over, so a copy of the database opens nobody's portal."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                    related_name="portal_links")
    # Null while an emailed link waits for its task: the token is drawn at sending time, so that it is never
    # written anywhere (the task queue included) but in the message itself.
    token_digest = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=LinkChannel.choices)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    # Emailed links: when the message left, or why it did not.
    sent_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=200, blank=True)

    objects = PortalLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["organisation", "stakeholder", "-issued_at"], name="portal_link_person")]

    def __str__(self) -> str:
        return f"portal link {self.pk}"

    @property
    def state(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.used_at:
            return "used"
        if self.channel == LinkChannel.EMAIL and self.failure:
            return "failed"
        if self.expires_at <= timezone.now():
            return "expired"
        return "live"


class ErasureState(models.TextChoices):
    PENDING = "pending", _("waiting for staff")
    CONFIRMED = "confirmed", _("confirmed: erased")
    DECLINED = "declined", _("declined")


class ErasureRequestQuerySet(OrganisationScopedQuerySet):
    def pending(self):
        return self.filter(state=ErasureState.PENDING)


class ErasureRequest(models.Model):
    """A stakeholder's own request, made in the portal, to be erased. Staff confirm it (the existing erasure
    action then runs) or decline it with a reason the stakeholder is told."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    # Kept after erasure: the stakeholder row stays (anonymous), and this row says the person asked for it.
    stakeholder = models.ForeignKey("stakeholders.Stakeholder", on_delete=models.CASCADE,
                                    related_name="erasure_requests")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=ErasureState.choices, default=ErasureState.PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    # Why staff declined (a legal hold, say); shown to the stakeholder, so it must not name anyone else.
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = ErasureRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("erasure request")
        verbose_name_plural = _("erasure requests")
        ordering = ["requested_at", "id"]
        indexes = [models.Index(fields=["organisation", "state", "requested_at"], name="erasure_request_queue")]
        constraints = [
            # One open request per person: asking twice changes nothing.
            models.UniqueConstraint(fields=["stakeholder"], condition=models.Q(state="pending"),
                                    name="one_pending_erasure_request"),
        ]

    def __str__(self) -> str:
        return f"erasure request {self.pk}"
