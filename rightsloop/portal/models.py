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
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    channel = models.CharField(_("channel"), max_length=16, choices=LinkChannel.choices)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    issued_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

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
        if self.expires_at <= timezone.now():
            return "expired"
        return "live"
