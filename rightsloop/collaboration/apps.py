from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollaborationConfig(AppConfig):
    name = "rightsloop.collaboration"
    label = "collaboration"
    verbose_name = _("Collaboration")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, site

        from .audit_targets import TARGETS as AUDIT_TARGETS

        site.add_menu(MenuEntry(_("Shared assessments"), "collaboration:index", "engagements.view", order=45))
        for target in AUDIT_TARGETS:
            site.add_audit_target(target)
