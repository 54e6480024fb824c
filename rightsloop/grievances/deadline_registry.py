"""What the deadline part of the grievances app adds to the site registry: the daily round of deadlines and the
mechanism's panel on the home dashboard."""


def register() -> None:
    from rightsloop.accounts.roles import Capability
    from rightsloop.core.registry import DashboardPanel, Schedule, site

    from .dashboard import panel_context
    from .tasks import grievance_deadlines

    site.add_schedule(Schedule(key="grievance-deadlines", task=grievance_deadlines, cron="15 6 * * *"))
    site.add_panel(DashboardPanel(key="grievances", template="grievances/oversight/dashboard_panel.html",
                                  context=panel_context, capability=Capability.GRIEVANCES_OVERSEE, order=25))
