from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rightsloop.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deploy checks)
        from .registry import MenuEntry, RetentionRule, Schedule, site
        from .retention import purge_task_results
        from .supervision import watch_tasks  # also connects the heartbeat of running tasks
        from .tasks import purge_expired_records, purge_expired_sessions, refresh_planner_statistics

        site.add_menu(MenuEntry(_("Audit log"), "core:audit", "audit.view", order=950))
        site.add_menu(MenuEntry(_("Organisation"), "core:organisation", "organisation.manage", order=960))
        site.add_schedule(Schedule(key="purge-expired-records", task=purge_expired_records, cron="30 3 * * *"))
        site.add_schedule(Schedule(key="purge-expired-sessions", task=purge_expired_sessions, cron="15 * * * *"))
        site.add_schedule(Schedule(key="refresh-planner-statistics", task=refresh_planner_statistics,
                                   cron="45 2 * * *"))
        site.add_schedule(Schedule(key="watch-tasks", task=watch_tasks, cron="* * * * *", in_scheduler=True))
        site.add_retention(RetentionRule(
            key="task_results", label=_("Results of finished background tasks (deleted after)"),
            default_days=30, purge=purge_task_results, site_wide=True,
        ))

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
