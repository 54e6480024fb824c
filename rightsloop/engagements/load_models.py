"""What an organisation counts as too many requests to one stakeholder (S3 engagement load)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation

# The defaults the issue names: more than 4 requests in 90 days warns; a year allows about one a month.
DEFAULT_WARN_90 = 4
DEFAULT_WARN_365 = 12


class LoadThresholds(models.Model):
    """One row per organisation once someone changes the defaults; without it the defaults apply."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="load_thresholds")
    warn_90 = models.PositiveSmallIntegerField(
        _("requests allowed in 90 days"), default=DEFAULT_WARN_90,
        help_text=_("Asking a stakeholder more often than this within 90 days shows a warning first."))
    warn_365 = models.PositiveSmallIntegerField(
        _("requests allowed in 365 days"), default=DEFAULT_WARN_365,
        help_text=_("Asking a stakeholder more often than this within a year shows a warning first."))
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("engagement load thresholds")
        verbose_name_plural = _("engagement load thresholds")

    def __str__(self) -> str:
        return f"load thresholds of {self.organisation_id}"

    def clean(self) -> None:
        if self.warn_90 is not None and self.warn_365 is not None and self.warn_365 < self.warn_90:
            raise ValidationError({"warn_365": _(
                "A year cannot allow fewer requests than 90 days do.")})
