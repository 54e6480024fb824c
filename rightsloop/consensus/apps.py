from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsensusConfig(AppConfig):
    name = "rightsloop.consensus"
    label = "consensus"
    verbose_name = _("Consensus building")

    def ready(self) -> None:
        from rightsloop.core.registry import site

        from .audit_targets import TARGETS

        for target in TARGETS:
            site.add_audit_target(target)
