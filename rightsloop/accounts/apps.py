from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "rightsloop.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, site

        site.add_menu(MenuEntry(_("Members"), "accounts:members", "members.manage", order=900))
