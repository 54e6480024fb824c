"""How the audit log names risks, mitigations, strategic decisions and changes of context (core.audit_log)."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from rightsloop.core.registry import AuditTarget

from . import queries
from .models import Mitigation


def _mitigations(viewer):
    return Mitigation.objects.filter(risk__in=queries.visible_risks(viewer)).select_related("risk")


TARGETS = (
    AuditTarget(
        label="risks.risk", title=_("Salient risk"), noun=_("a salient risk"),
        visible=queries.visible_risks, name=lambda risk: f"“{risk.title}”",
        url=lambda risk: reverse("risks:detail", args=[risk.pk]),
        search=lambda viewer, text: queries.visible_risks(viewer).filter(title__icontains=text),
    ),
    AuditTarget(
        label="risks.mitigation", title=_("Mitigation"), noun=_("a mitigation"),
        visible=_mitigations,
        name=lambda mitigation: f"“{Truncator(mitigation.action).chars(80)}” ({mitigation.risk.title})",
        url=lambda mitigation: reverse("risks:mitigation-detail", args=[mitigation.pk]),
        search=lambda viewer, text: _mitigations(viewer).filter(action__icontains=text),
    ),
    AuditTarget(
        label="risks.strategicdecision", title=_("Strategic decision"), noun=_("a strategic decision"),
        visible=queries.visible_decisions, name=lambda decision: f"“{decision.title}”",
        url=lambda decision: reverse("risks:decision-detail", args=[decision.pk]),
        search=lambda viewer, text: queries.visible_decisions(viewer).filter(title__icontains=text),
    ),
    AuditTarget(
        label="risks.contextevent", title=_("Change of context"), noun=_("a change of context"),
        visible=queries.visible_events, name=lambda event: f"“{event.title}”",
        url=lambda event: reverse("risks:event-detail", args=[event.pk]),
        search=lambda viewer, text: queries.visible_events(viewer).filter(title__icontains=text),
    ),
)
