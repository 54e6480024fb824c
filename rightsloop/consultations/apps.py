from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "rightsloop.consultations"
    label = "consultations"
    verbose_name = _("Public consultations")

    def ready(self) -> None:
        from rightsloop.core.evidence import Question
        from rightsloop.core.registry import EvidenceSource, MenuEntry, RetentionRule, SubjectData, site

        from . import evidence, retention, subjects

        site.add_menu(MenuEntry(_("Consultations"), "consultations:list", "consultations.view", order=45))
        # Decision makers see no consultation, only the themes routed to their function (views.outcomes).
        site.add_menu(MenuEntry(_("Themes to decide"), "consultations:themes-to-decide", "decisions.queue", order=41))
        site.add_retention(RetentionRule(
            key="consultation_contacts",
            label=_("Respondents' contact addresses, once the outcome was sent to them (erased after)"),
            default_days=90, purge=retention.purge_sent_contacts,
        ))
        site.add_retention(RetentionRule(
            key="consultation_import_files",
            label=_("Uploaded files of responses not imported, or no longer needed (deleted after)"),
            default_days=30, purge=retention.purge_import_files,
        ))
        site.add_subject_data(SubjectData(key="consultations", export=subjects.export, erase=subjects.erase,
                                          reads_identity=True))
        site.add_evidence(EvidenceSource(key=evidence.SOURCE_KEY, question=Question.MECHANISMS,
                                         collect=evidence.collect, order=30))
        # The public report (O2) and the open data (O3): published consultations' themes and decisions.
        from .public_data import TABLES

        for table in TABLES:
            site.add_public_table(table)

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
