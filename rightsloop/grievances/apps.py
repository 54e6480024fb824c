from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrievancesConfig(AppConfig):
    name = "rightsloop.grievances"
    label = "grievances"
    verbose_name = _("Grievances")

    def ready(self) -> None:
        from . import registrations

        registrations.register()
