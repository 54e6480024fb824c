"""What the case part of the grievances app adds to the site registry: the handlers' menu entry, and the cases
a stakeholder raised in their subject access export and their erasure (subjects.py)."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from rightsloop.accounts.roles import Capability
    from rightsloop.core.registry import MenuEntry, SubjectData, site

    from . import subjects

    site.add_menu(MenuEntry(_("Grievances"), "grievances:list", Capability.GRIEVANCES_HANDLE, order=44))
    site.add_subject_data(SubjectData(key="grievances", export=subjects.export, erase=subjects.erase))
