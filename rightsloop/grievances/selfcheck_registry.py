"""What the self-check part of the grievances app adds to the site registry."""

from django.utils.translation import gettext_lazy as _

from rightsloop.accounts.roles import Capability
from rightsloop.core.registry import MenuEntry, site


def register() -> None:
    site.add_menu(MenuEntry(_("Grievance mechanism"), "grievances:self-check", Capability.GRIEVANCES_OVERSEE,
                            order=46))
