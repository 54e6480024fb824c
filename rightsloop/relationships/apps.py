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

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
