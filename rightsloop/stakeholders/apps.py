from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "rightsloop.stakeholders"
    label = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, RetentionRule, site

        from . import retention

        site.add_menu(MenuEntry(_("Stakeholders"), "stakeholders:list", "stakeholders.view", order=20))
        site.add_menu(MenuEntry(_("Affected groups"), "stakeholders:group-list", "stakeholders.view", order=21))
        site.add_retention(RetentionRule(
            key="inactive_stakeholders", label=_("People with no activity (erased after)"),
            default_days=5 * 365, purge=retention.purge_inactive,
        ))
        site.add_retention(RetentionRule(
            key="identity_consent_refused", label=_("People who refused or withdrew consent to be kept (erased after)"),
            default_days=30, purge=retention.purge_withdrawn,
        ))
