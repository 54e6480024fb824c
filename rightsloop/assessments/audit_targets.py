"""How the audit log names assessments (core.audit_log): every change to one is written against it."""

from django.urls import reverse
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget

from . import queries

TARGETS = (
    AuditTarget(
        label="assessments.assessment", title=gettext_lazy("Assessment"), noun=gettext_lazy("an assessment"),
        visible=queries.visible_assessments,
        name=lambda assessment: assessment.title,
        url=lambda assessment: reverse("assessments:detail", args=[assessment.pk]),
    ),
)
