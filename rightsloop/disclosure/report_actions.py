"""Every change to a public report: drafting, its salient issues, review, approval, publication, a new version.

The way to publication is draft → reviewed (by the human rights team) → approved (by a role that may publish:
an administrator or a board member) → published (a numbered version, kept as published). Any change to the text
sends an approved or reviewed draft back to draft: what is approved is what is published.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from rightsloop.accounts.roles import Capability
from rightsloop.accounts.viewer import Viewer
from rightsloop.core import audit
from rightsloop.core.periods import Period, PeriodError

from . import reports
from .report_models import NARRATIVE_FIELDS, PublicIssue, Report, ReportStatus, ReportVersion

TEXT_FIELDS = ("title", *(name for name, _section in NARRATIVE_FIELDS))
MAX_ISSUES = 30


def _require(by: Viewer, capability: str, message: str) -> None:
    if not by.can(capability):
        raise PermissionDenied(message)


def _editable(report: Report) -> None:
    if report.status == ReportStatus.PUBLISHED:
        raise ValidationError(_("Version %(n)s of this report is published and cannot be changed. Start a new "
                                "version: the published one stays as it was, at its own address.")
                              % {"n": report.version})


def _back_to_draft(report: Report) -> None:
    if report.status in (ReportStatus.REVIEWED, ReportStatus.APPROVED):
        report.status = ReportStatus.DRAFT
        report.reviewed_by = report.reviewed_at = report.approved_by = report.approved_at = None


@transaction.atomic
def create_report(*, period: str, title: str, by: Viewer) -> Report:
    _require(by, Capability.REPORTS_EDIT, _("Your role does not draft public reports."))
    try:
        parsed = Period.parse(period)
    except PeriodError as error:
        raise ValidationError({"period": str(error)}) from None
    if not parsed.has_started(timezone.localdate()):
        raise ValidationError({"period": _("%(period)s has not started yet.") % {"period": parsed.label}})
    if not title.strip():
        raise ValidationError({"title": _("Give the report a title.")})
    if Report.objects.filter(organisation=by.organisation, period=parsed.key).exists():
        raise ValidationError({"period": _("There is already a report for %(period)s: open it to continue.")
                               % {"period": parsed.label}})
    report = Report.objects.create(organisation=by.organisation, period=parsed.key, title=title.strip(),
                                   created_by=by.user)
    audit.record(organisation=by.organisation, by=by, action="report.created", target=report,
                 summary=f"period {parsed.key}")
    return report


@transaction.atomic
def update_report(*, report: Report, by: Viewer, **texts: str) -> Report:
    """Change the title and the narrative written for publication."""
    _require(by, Capability.REPORTS_EDIT, _("Your role does not draft public reports."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    unknown = set(texts) - set(TEXT_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})
    if "title" in texts and not texts["title"].strip():
        raise ValidationError({"title": _("Give the report a title.")})
    before = audit.snapshot(report, TEXT_FIELDS)
    for name, value in texts.items():
        setattr(report, name, value.strip())
    changed = audit.changed(report, before, TEXT_FIELDS)
    if changed:
        _back_to_draft(report)
        report.save()
        audit.record(organisation=report.organisation, by=by, action="report.changed", target=report,
                     changed_fields=changed)
    return report


@transaction.atomic
def save_issue(*, report: Report, public_title: str, summary: str = "", risk=None, issue: PublicIssue | None = None,
               position: int | None = None, by: Viewer) -> PublicIssue:
    """Add a salient issue to the report, or change one, in words written for publication."""
    _require(by, Capability.REPORTS_EDIT, _("Your role does not draft public reports."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if not public_title.strip():
        raise ValidationError({"public_title": _("Give the issue a title for publication.")})
    if risk is not None and risk.organisation_id != report.organisation_id:
        raise ValidationError({"risk": _("Unknown risk.")})
    if issue is None:
        if report.issues.count() >= MAX_ISSUES:
            raise ValidationError(_("A report names at most %(n)s salient issues.") % {"n": MAX_ISSUES})
        issue = PublicIssue(report=report, position=report.issues.count() if position is None else position)
    elif issue.report_id != report.pk:
        raise ValidationError(_("Unknown issue."))
    issue.public_title, issue.summary, issue.risk = public_title.strip(), summary.strip(), risk
    if position is not None:
        issue.position = position
    issue.save()
    _back_to_draft(report)
    report.save()
    audit.record(organisation=report.organisation, by=by, action="report.issue_saved", target=report,
                 summary=f"issue #{issue.pk}" + (f", risk #{risk.pk}" if risk else ""))
    return issue


@transaction.atomic
def remove_issue(*, issue: PublicIssue, by: Viewer) -> None:
    _require(by, Capability.REPORTS_EDIT, _("Your role does not draft public reports."))
    report = Report.objects.select_for_update().get(pk=issue.report_id)
    _editable(report)
    issue.delete()
    _back_to_draft(report)
    report.save()
    audit.record(organisation=report.organisation, by=by, action="report.issue_removed", target=report)


@transaction.atomic
def mark_reviewed(*, report: Report, by: Viewer) -> Report:
    _require(by, Capability.REPORTS_EDIT, _("Only the human rights team reviews a public report."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if report.status != ReportStatus.DRAFT:
        raise ValidationError(_("Only a draft is reviewed; this one is %(status)s.")
                              % {"status": report.get_status_display().lower()})
    _check_not_empty(report)
    report.status, report.reviewed_by, report.reviewed_at = ReportStatus.REVIEWED, by.user, timezone.now()
    report.save()
    audit.record(organisation=report.organisation, by=by, action="report.reviewed", target=report)
    return report


@transaction.atomic
def approve(*, report: Report, by: Viewer) -> Report:
    _require(by, Capability.REPORTS_PUBLISH, _("Only an administrator or a board member may approve a report for "
                                               "publication: ask one of them."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if report.status != ReportStatus.REVIEWED:
        raise ValidationError(_("A report is approved once it has been reviewed; this one is %(status)s.")
                              % {"status": report.get_status_display().lower()})
    report.status, report.approved_by, report.approved_at = ReportStatus.APPROVED, by.user, timezone.now()
    report.save()
    audit.record(organisation=report.organisation, by=by, action="report.approved", target=report)
    return report


def _check_not_empty(report: Report) -> None:
    if reports.is_empty(reports.content(report)):
        raise ValidationError(_("There is nothing to publish for %(period)s: nothing was recorded and no "
                                "section is written.") % {"period": Period.parse(report.period).label})


@transaction.atomic
def publish(*, report: Report, by: Viewer) -> ReportVersion:
    """Publish the approved report as its next version: its content is fixed now and never recomputed."""
    _require(by, Capability.REPORTS_PUBLISH, _("Only an administrator or a board member may publish a report."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    _editable(report)
    if report.status != ReportStatus.APPROVED:
        raise ValidationError(_("A report is published once it has been reviewed and approved; this one is "
                                "%(status)s.") % {"status": report.get_status_display().lower()})
    now = timezone.now()
    version = ReportVersion.objects.create(
        report=report, number=report.version, language=get_language() or "", published_at=now,
        published_by=by.user, content=reports.content(report, published_at=now, number=report.version))
    report.status = ReportStatus.PUBLISHED
    report.save()
    audit.record(organisation=report.organisation, by=by, action="report.published", target=report,
                 summary=f"version {version.number}")
    from .report_tasks import render_report_pdf

    transaction.on_commit(lambda: render_report_pdf.enqueue(version.pk))
    return version


@transaction.atomic
def start_new_version(*, report: Report, by: Viewer) -> Report:
    """Open the published report as a draft of its next version; the published ones stay as they were."""
    _require(by, Capability.REPORTS_EDIT, _("Your role does not draft public reports."))
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status != ReportStatus.PUBLISHED:
        raise ValidationError(_("Only a published report gets a new version; this one is still being prepared."))
    report.status, report.version = ReportStatus.DRAFT, report.version + 1
    report.reviewed_by = report.reviewed_at = report.approved_by = report.approved_at = None
    report.save()
    audit.record(organisation=report.organisation, by=by, action="report.new_version", target=report,
                 summary=f"version {report.version}")
    return report
