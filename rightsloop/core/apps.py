from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "rightsloop.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from .registry import MenuEntry, site

        site.add_menu(MenuEntry(_("Audit log"), "core:audit", "audit.view", order=950))
        site.add_menu(MenuEntry(_("Organisation"), "core:organisation", "organisation.manage", order=960))
