from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsensusConfig(AppConfig):
    name = "rightsloop.consensus"
    label = "consensus"
    verbose_name = _("Consensus building")

    def ready(self) -> None:
        from rightsloop.core.registry import MenuEntry, SubjectData, site

        from . import subjects
        from .audit_targets import TARGETS

        # Beside the engagements and assessments, with the same readers: exercises live inside engagements.
        site.add_menu(MenuEntry(_("Consensus"), "consensus:exercises", "engagements.view", order=33))
        # Claims a person holds and their part in exercises (X5): exported with the rest, cleared by erasure.
        site.add_subject_data(SubjectData(key="consensus", export=subjects.export, erase=subjects.erase))
        for target in TARGETS:
            site.add_audit_target(target)
