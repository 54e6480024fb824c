from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "rightsloop.risks"
    label = "risks"
    verbose_name = _("Salient risks")

    def ready(self) -> None:
        from rightsloop.core import charts
        from rightsloop.core.evidence import Question
        from rightsloop.core.registry import DashboardPanel, EvidenceSource, MenuEntry, site

        from . import evidence, heatmap
        from .dashboard import decision_panel_context, my_mitigations_panel_context, risk_panel_context

        site.add_menu(MenuEntry(_("Salient risks"), "risks:register", "risks.view", order=50))
        site.add_panel(DashboardPanel(
            key="risks", template="risks/dashboard_panel.html", context=risk_panel_context,
            capability="risks.view", order=20,
        ))
        site.add_panel(DashboardPanel(
            key="strategic-decisions", template="risks/decisions/dashboard_panel.html",
            context=decision_panel_context, capability="risks.view", order=21,
        ))
        # Shown only to someone who owns mitigations (the template is empty otherwise).
        site.add_panel(DashboardPanel(
            key="my-mitigations", template="risks/my_mitigations_panel.html", context=my_mitigations_panel_context,
            capability="risks.view", order=22,
        ))
        site.add_evidence(EvidenceSource("risks.board", Question.BOARD_ENGAGED, evidence.board_oversight, order=10))
        site.add_evidence(EvidenceSource("risks.monitoring", Question.MONITORING, evidence.monitoring, order=10))
        charts.register_kind("heat_map", heatmap.chart)
        # The public report (O2) and the open data (O3): open risks by right and severity band.
        from .public_data import TABLES

        for table in TABLES:
            site.add_public_table(table)

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
