from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RelationshipsConfig(AppConfig):
    name = "rightsloop.relationships"
    label = "relationships"
    verbose_name = _("Relationships")

    def ready(self) -> None:
        from . import agreement_registry, evidence_registry, rating_registry

        agreement_registry.register()
        rating_registry.register()
        evidence_registry.register()
