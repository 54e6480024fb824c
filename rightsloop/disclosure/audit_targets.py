"""How the audit log names public reports (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.roles import Capability
from rightsloop.core.registry import AuditTarget

from .report_models import Report


def _reports(viewer):
    if not viewer.can(Capability.REPORTS_VIEW):
        return Report.objects.none()
    return Report.objects.for_organisation(viewer.organisation)


TARGETS = (
    AuditTarget(
        label="disclosure.report", title=_("Public report"), noun=_("a public report"),
        visible=_reports, name=lambda report: f"“{report.title}”",
        url=lambda report: reverse("reports:detail", args=[report.pk]),
        search=lambda viewer, text: _reports(viewer).filter(title__icontains=text),
    ),
)
