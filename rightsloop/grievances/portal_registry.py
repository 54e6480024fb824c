"""What the grievances app adds to the stakeholder portal: a section where anyone may raise a grievance (so it
is always in the menu) and follow the cases they raised or filed as a proxy."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from rightsloop.core.registry import PortalSection, site

    site.add_portal_section(PortalSection(key="grievances", label=_("Grievances"),
                                          urls="rightsloop.grievances.portal_urls", order=40))
