from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "rightsloop.assessments"
    label = "assessments"
    verbose_name = _("Assessments")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, SubjectData, site

        from . import subjects
        from .audit_targets import TARGETS

        # Beside the engagements, with the same readers: an assessment names its local partners.
        site.add_menu(MenuEntry(_("Assessments"), "assessments:list", "engagements.view", order=32))
        site.add_subject_data(SubjectData(key="assessments", export=subjects.export, erase=subjects.erase))
        for target in TARGETS:
            site.add_audit_target(target)
