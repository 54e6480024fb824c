"""How the audit log names consultations and their themes (core.audit_log)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rightsloop.core.registry import AuditTarget

from . import queries
from .models import ResponseImport, Theme


def _themes(viewer):
    return Theme.objects.filter(consultation__in=queries.visible_consultations(viewer)).select_related(
        "consultation__engagement")


TARGETS = (
    AuditTarget(
        label="consultations.consultation", title=gettext_lazy("Consultation"), noun=gettext_lazy("a consultation"),
        visible=queries.visible_consultations, name=lambda consultation: f"“{consultation.engagement.title}”",
        url=lambda consultation: reverse("consultations:detail", args=[consultation.pk]),
        search=lambda viewer, text: queries.visible_consultations(viewer).filter(engagement__title__icontains=text),
    ),
    AuditTarget(
        label="consultations.theme", title=gettext_lazy("Theme"), noun=gettext_lazy("a theme"),
        visible=_themes,
        name=lambda theme: _("“%(theme)s” in “%(consultation)s”") % {
            "theme": theme.label, "consultation": theme.consultation.engagement.title},
        url=lambda theme: reverse("consultations:detail", args=[theme.consultation_id]),
        search=lambda viewer, text: _themes(viewer).filter(label__icontains=text),
    ),
    AuditTarget(
        label="consultations.responseimport", title=gettext_lazy("Import"), noun=gettext_lazy("a consultation"),
        visible=lambda viewer: ResponseImport.objects.filter(
            consultation__in=queries.visible_consultations(viewer)).select_related("consultation__engagement"),
        name=lambda job: f"“{job.consultation.engagement.title}”",
        url=lambda job: reverse("consultations:detail", args=[job.consultation_id]),
    ),
)
