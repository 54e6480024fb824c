from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "rightsloop.consultations"
    label = "consultations"
    verbose_name = _("Public consultations")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, site

        site.add_menu(MenuEntry(_("Consultations"), "consultations:list", "consultations.view", order=45))
