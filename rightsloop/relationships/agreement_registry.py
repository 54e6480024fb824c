"""What agreements (P1) add to the site: menu, schedules, subject data, portal section."""

from django.utils.translation import gettext_lazy as _


def register() -> None:
    from rightsloop.core.registry import MenuEntry, PortalSection, Schedule, SubjectData, site

    from . import agreement_subjects
    from .agreement_portal_urls import has_agreement
    from .agreement_tasks import remind_agreements

    site.add_menu(MenuEntry(_("Agreements"), "relationships:agreement-list", "relationships.view", order=50))
    site.add_schedule(Schedule(key="remind-agreements", task=remind_agreements, cron="30 6 * * *"))
    site.add_subject_data(SubjectData(key="agreements", export=agreement_subjects.export,
                                      erase=agreement_subjects.erase))
    site.add_portal_section(PortalSection(key="agreement", label=_("Your agreement"),
                                          urls="rightsloop.relationships.agreement_portal_urls", order=30,
                                          shown=has_agreement))
