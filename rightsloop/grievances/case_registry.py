"""What the case part of the grievances app adds to the site registry: the handlers' menu entry."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from rightsloop.accounts.roles import Capability
    from rightsloop.core.registry import MenuEntry, site

    site.add_menu(MenuEntry(_("Grievances"), "grievances:list", Capability.GRIEVANCES_HANDLE, order=44))
