from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcingConfig(AppConfig):
    name = "rightsloop.resourcing"
    label = "resourcing"
    verbose_name = _("Resourcing")
