from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "rightsloop.stakeholders"
    label = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, site

        site.add_menu(MenuEntry(_("Stakeholders"), "stakeholders:list", "stakeholders.view", order=20))
