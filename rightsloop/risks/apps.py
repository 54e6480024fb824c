from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RisksConfig(AppConfig):
    name = "rightsloop.risks"
    label = "risks"
    verbose_name = _("Salient risks")

    def ready(self) -> None:
        from rightsloop.core.registry import DashboardPanel, MenuEntry, site

        from .dashboard import decision_panel_context, risk_panel_context

        site.add_menu(MenuEntry(_("Salient risks"), "risks:register", "risks.view", order=50))
        site.add_panel(DashboardPanel(
            key="risks", template="risks/dashboard_panel.html", context=risk_panel_context,
            capability="risks.view", order=20,
        ))
        site.add_panel(DashboardPanel(
            key="strategic-decisions", template="risks/decisions/dashboard_panel.html",
            context=decision_panel_context, capability="risks.view", order=21,
        ))
