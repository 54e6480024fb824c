from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "rightsloop.portal"
    label = "portal"
    verbose_name = _("Stakeholder portal")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, PortalSection, SubjectData, site

        from . import subjects

        site.add_subject_data(SubjectData(key="portal", export=subjects.export, erase=subjects.erase))
        # Stakeholders asked in their portal to be erased: staff confirm or decline (stakeholders.edit).
        site.add_menu(MenuEntry(_("Erasure requests"), "portal:staff:erasure-requests", "stakeholders.edit",
                                order=910))

        site.add_portal_section(PortalSection(
            key="said", label=_("What became of what you said"), urls="rightsloop.portal.sections.said", order=10))
        site.add_portal_section(PortalSection(
            key="engagements", label=_("Upcoming engagements"), urls="rightsloop.portal.sections.engagements",
            order=20))
        from .sections.exercises import has_exercises

        site.add_portal_section(PortalSection(
            key="exercises", label=_("Have your say: vote on statements"), urls="rightsloop.portal.sections.exercises",
            order=25, shown=has_exercises))
        site.add_portal_section(PortalSection(
            key="details", label=_("Your details and consent"), urls="rightsloop.portal.sections.details",
            order=90))

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
