"""The open data (O3): whether an organisation publishes it, under which licence, and the releases built for it.

A release holds every registered public table as published (disclosure.tables: small counts already hidden,
codes without words, so it can be served in any language), and the data package describing them. Only the
newest `RELEASES_KEPT` releases of an organisation are kept; older ones are deleted when a new one is built.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet

# Releases kept per organisation: the one served and two before it, for the settings page to compare with.
RELEASES_KEPT = 3


class Licence(models.TextChoices):
    """Open licences for data, by their SPDX identifiers."""

    CC_BY_4 = "CC-BY-4.0", _("Creative Commons Attribution 4.0 (CC BY 4.0)")
    CC_BY_SA_4 = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0 (CC BY-SA 4.0)")
    CC0 = "CC0-1.0", _("Creative Commons Zero: public domain dedication (CC0 1.0)")
    ODC_BY = "ODC-By-1.0", _("Open Data Commons Attribution License 1.0 (ODC-By)")
    ODBL = "ODbL-1.0", _("Open Data Commons Open Database License 1.0 (ODbL)")


LICENCE_URLS = {
    Licence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/",
    Licence.CC_BY_SA_4: "https://creativecommons.org/licenses/by-sa/4.0/",
    Licence.CC0: "https://creativecommons.org/publicdomain/zero/1.0/",
    Licence.ODC_BY: "https://opendatacommons.org/licenses/by/1-0/",
    Licence.ODBL: "https://opendatacommons.org/licenses/odbl/1-0/",
}


class OpenDataSettings(models.Model):
    """Whether the organisation publishes its open data, and under which licence; absent means not published."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="open_data")
    published = models.BooleanField(_("publish the open data"), default=False)
    licence = models.CharField(_("licence"), max_length=16, choices=Licence.choices, default=Licence.CC_BY_4)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    changed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("open data settings")
        verbose_name_plural = _("open data settings")

    def __str__(self) -> str:
        return f"open data of {self.organisation_id}: {'published' if self.published else 'not published'}"


class OpenDataRelease(models.Model):
    """One build of the open data package: the published tables and their data package, as served until the next."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    generated_at = models.DateTimeField()
    # The period covered: every completed quarter, so [starts_on, ends_before).
    starts_on = models.DateField()
    ends_before = models.DateField()
    licence = models.CharField(max_length=16, choices=Licence.choices)
    # {table key: PublishedTable.stored()}: codes and published values only, never a hidden count.
    tables = models.JSONField(default=dict)
    # The Frictionless data package (datapackage.json) as built, in English; served labelled in the reader's
    # language (datapackage.describe).
    datapackage = models.JSONField(default=dict)
    # {table key: number of rows}, and how many of them are hidden.
    row_counts = models.JSONField(default=dict)
    rows_total = models.PositiveIntegerField(default=0)
    rows_hidden = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("open data release")
        verbose_name_plural = _("open data releases")
        ordering = ["-generated_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-generated_at"], name="open_data_release_newest")]

    def __str__(self) -> str:
        return f"open data of {self.organisation_id} at {self.generated_at:%Y-%m-%d %H:%M}"


# The public reports (O2) live in their own module; importing them here makes them this app's models.
from .report_models import PublicIssue, Report, ReportVersion  # noqa: E402, F401
