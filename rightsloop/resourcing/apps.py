from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcingConfig(AppConfig):
    name = "rightsloop.resourcing"
    label = "resourcing"
    verbose_name = _("Resourcing")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, PortalSection, SubjectData, site

        from . import subjects
        from .portal_urls import has_payments

        site.add_menu(MenuEntry(_("Payments"), "resourcing:ledger", "payments.view", order=55))
        site.add_subject_data(SubjectData(key="resourcing", export=subjects.export, erase=subjects.erase))
        site.add_portal_section(PortalSection(key="payments", label=_("Your payments"),
                                              urls="rightsloop.resourcing.portal_urls", order=50, shown=has_payments))

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
