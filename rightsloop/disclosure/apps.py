from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisclosureConfig(AppConfig):
    name = "rightsloop.disclosure"
    label = "disclosure"
    verbose_name = _("Public disclosure")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, Schedule, site

        from . import tasks

        site.add_menu(MenuEntry(_("Open data"), "disclosure:open-data", "disclosure.open_data", order=90))
        site.add_menu(MenuEntry(_("Public reports"), "reports:list", "reports.view", order=88))
        # Every opted-in organisation's open data package, rebuilt once a day (docs/open-data.md).
        site.add_schedule(Schedule("publish-open-data", tasks.publish_all_open_data, "20 3 * * *"))

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
