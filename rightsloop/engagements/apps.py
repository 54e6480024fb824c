from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EngagementsConfig(AppConfig):
    name = "rightsloop.engagements"
    label = "engagements"
    verbose_name = _("Engagements")

    def ready(self) -> None:
        from rightsloop.core.evidence import Question
        from rightsloop.core.registry import (
            DashboardPanel,
            EvidenceSource,
            MenuEntry,
            PortalSection,
            RetentionRule,
            Schedule,
            SubjectData,
            site,
        )

        from . import evidence, retention, subjects
        from .dashboard import loop_panel_context, trends_panel_context
        from .tasks import remind_overdue_loops

        site.add_menu(MenuEntry(_("Engagements"), "engagements:list", "engagements.view", order=30))
        site.add_menu(MenuEntry(_("Decisions"), "engagements:queue", "decisions.queue", order=40))
        site.add_panel(DashboardPanel(
            key="loop", template="engagements/dashboard_panel.html", context=loop_panel_context,
            capability="dashboard.view", order=10,
        ))
        site.add_panel(DashboardPanel(
            key="trends", template="engagements/dashboard_trends.html", context=trends_panel_context,
            capability="dashboard.view", order=15,
        ))
        site.add_schedule(Schedule(key="remind-overdue-loops", task=remind_overdue_loops, cron="0 7 * * *"))
        # Promised next steps: reminders before the date, broken promises re-open loops (before the loop reminders).
        from .tasks import keep_track_of_promises

        site.add_schedule(Schedule(key="keep-track-of-promises", task=keep_track_of_promises, cron="30 6 * * *"))
        # Engagement load (S3): the stakeholder sees how often we asked them.
        from .load_portal_urls import shown as asked_this_year

        site.add_portal_section(PortalSection(key="load", label=_("How often we asked you"),
                                              urls="rightsloop.engagements.load_portal_urls", order=60,
                                              shown=asked_this_year))
        site.add_subject_data(SubjectData(key="engagements", export=subjects.export, erase=subjects.erase))
        # A stakeholder's timeline: invitations, inputs, decisions, reports and where each loop stands.
        from rightsloop.core.registry import TimelineSource

        from . import timeline

        site.add_timeline(TimelineSource(key="engagements", entries=timeline.entries, standing=timeline.standing,
                                         order=10))
        site.add_retention(RetentionRule(
            key="feedback_report_text", label=_("Text of delivered feedback reports (cleared after)"),
            default_days=2 * 365, purge=retention.purge_report_bodies,
        ))
        site.add_retention(RetentionRule(
            key="briefing_file_leftovers",
            label=_("Briefing files no briefing refers to, left by an interrupted upload (deleted after)"),
            default_days=1, purge=retention.purge_unreferenced_briefing_files,
        ))
        # The board's view (O1): who was heard in the period, and whether inputs are decided and reported back.
        site.add_evidence(EvidenceSource(key=evidence.HEARD, question=Question.KNOW_STAKEHOLDERS,
                                         collect=evidence.collect_heard, order=20))
        site.add_evidence(EvidenceSource(key=evidence.MECHANISMS, question=Question.MECHANISMS,
                                         collect=evidence.collect_mechanisms, order=10))
        # The public report (O2) and the open data (O3): counts per quarter, small ones hidden by disclosure.tables.
        from .public_data import TABLES

        for table in TABLES:
            site.add_public_table(table)

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
