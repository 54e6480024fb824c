"""How the audit log names risks, mitigations, strategic decisions and changes of context (core.audit_log)."""

from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from rightsloop.core.registry import AuditTarget

from . import queries
from .models import DecisionCondition, Evidence, Indicator, Mitigation


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
    AuditTarget(
        label="risks.decisioncondition", title=_("Condition of a strategic decision"),
        noun=_("a strategic decision"),
        visible=lambda viewer: DecisionCondition.objects.filter(
            decision__in=queries.visible_decisions(viewer)).select_related("decision"),
        name=lambda condition: f"“{condition.decision.title}”",
        url=lambda condition: reverse("risks:decision-detail", args=[condition.decision_id]),
    ),
    AuditTarget(
        label="risks.indicator", title=_("Effectiveness indicator"), noun=_("a mitigation"),
        visible=lambda viewer: Indicator.objects.filter(mitigation__in=_mitigations(viewer)).select_related(
            "mitigation__risk"),
        name=lambda indicator: f"“{Truncator(indicator.mitigation.action).chars(80)}”",
        url=lambda indicator: reverse("risks:mitigation-detail", args=[indicator.mitigation_id]),
    ),
    AuditTarget(
        label="risks.evidence", title=_("Evidence of effectiveness"), noun=_("a mitigation"),
        visible=lambda viewer: Evidence.objects.filter(indicator__mitigation__in=_mitigations(viewer))
        .select_related("indicator__mitigation"),
        name=lambda evidence: f"“{Truncator(evidence.indicator.mitigation.action).chars(80)}”",
        url=lambda evidence: reverse("risks:mitigation-detail", args=[evidence.indicator.mitigation_id]),
    ),
)
