"""The public report (O2): a draft the human rights team writes for a period, reviewed, approved by a role that may
publish, and published as an immutable, numbered version at a public address.

Only the fields below marked "for publication" are ever free text in a report; everything else in it is counted,
coded or labelled by the product, and goes through small-count suppression (disclosure.tables).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from rightsloop.core.models import Organisation, OrganisationScopedQuerySet
from rightsloop.core.sealed_files import sealed_storage


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")


# The report's own words, each written for publication: (field, the report section it opens).
NARRATIVE_FIELDS = (
    ("commitment", "narrative_commitment"),
    ("governance", "narrative_governance"),
    ("salient_method", "salient_issues"),
    ("engagement_text", "engagement"),
    ("decisions_text", "decisions_not_adopted"),
    ("remedy_text", "remedy"),
    ("consultations_text", "consultations"),
    ("oversight_text", "oversight"),
)


class Report(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(_("period"), max_length=8)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    # The version being prepared; the published ones are ReportVersion rows.
    version = models.PositiveSmallIntegerField(default=1)
    # For publication: the company's own words, shown as written (after automatic redaction of names).
    commitment = models.TextField(_("Our commitment"), blank=True)
    governance = models.TextField(_("How respect for human rights is governed and embedded"), blank=True)
    salient_method = models.TextField(_("How we determined our salient issues"), blank=True)
    engagement_text = models.TextField(_("What stakeholder engagement changed"), blank=True)
    decisions_text = models.TextField(_("Why some input was not adopted"), blank=True)
    remedy_text = models.TextField(_("Remedy and grievances"), blank=True)
    consultations_text = models.TextField(_("What we heard, what we did"), blank=True)
    oversight_text = models.TextField(_("How the board oversees it"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)

    objects = OrganisationScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("public report")
        verbose_name_plural = _("public reports")
        ordering = ["-period", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "period"], name="one_report_per_period"),
            models.CheckConstraint(condition=~Q(title=""), name="report_needs_title"),
        ]

    def __str__(self) -> str:
        return f"report {self.period} v{self.version}"


class PublicIssue(models.Model):
    """A salient issue as the report names it: a title and a summary written for publication, tied to the risk
    of the register it stands for (whose rights and severity band the report shows)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="issues")
    risk = models.ForeignKey("risks.Risk", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             verbose_name=_("risk of the register"))
    public_title = models.CharField(_("title for publication"), max_length=200)
    summary = models.TextField(_("summary for publication"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=~Q(public_title=""), name="issue_needs_title")]

    def __str__(self) -> str:
        return self.public_title


class ReportVersion(models.Model):
    """A published version: what was published, exactly, kept as written; a correction is a new version."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    language = models.CharField(max_length=16)
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+")
    content = models.JSONField()
    pdf = models.FileField(storage=sealed_storage, blank=True, max_length=200)
    pdf_pages = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_version_number")]

    def __str__(self) -> str:
        return f"report {self.report_id} version {self.number}"

    def save(self, *args, **kwargs):
        # Written once, with its PDF attached in the same publishing transaction; never changed after.
        if not self._state.adding and set(kwargs.get("update_fields") or ()) != {"pdf", "pdf_pages"}:
            raise ValueError("A published version is kept as published; publish a new version instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A published version is never deleted.")
