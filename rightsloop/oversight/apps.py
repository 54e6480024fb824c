from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OversightConfig(AppConfig):
    name = "rightsloop.oversight"
    label = "oversight"
    verbose_name = _("Board oversight")

    def ready(self) -> None:
        from rightsloop.core.evidence import Question
        from rightsloop.core.registry import EvidenceSource, MenuEntry, Schedule, site

        from . import evidence, tasks

        site.add_menu(MenuEntry(_("Board"), "oversight:board", "oversight.view", order=15))
        site.add_evidence(EvidenceSource("oversight.briefings", Question.SKILLS, evidence.board_knowledge))
        site.add_schedule(Schedule("refresh-board-figures", tasks.refresh_all_board_figures, "*/15 * * * *"))
