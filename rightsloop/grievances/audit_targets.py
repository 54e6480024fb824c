"""How the audit log names grievance cases: by their staff number, linked for their handlers only (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget

from . import queries

TARGETS = (
    AuditTarget(
        label="grievances.grievance", title=gettext_lazy("Grievance case"), noun=gettext_lazy("a grievance case"),
        visible=queries.cases_for, name=lambda case: _("case G-%(number)s") % {"number": case.number},
        url=lambda case: reverse("grievances:case", args=[case.pk]),
    ),
)
