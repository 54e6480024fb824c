from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StakeholdersConfig(AppConfig):
    name = "rightsloop.stakeholders"
    label = "stakeholders"
    verbose_name = _("Stakeholders")

    def ready(self) -> None:
        from rightsloop.core.evidence import Question
        from rightsloop.core.registry import EvidenceSource, MenuEntry, RetentionRule, site

        from . import evidence, retention

        site.add_menu(MenuEntry(_("Stakeholders"), "stakeholders:list", "stakeholders.view", order=20))
        site.add_menu(MenuEntry(_("Affected groups"), "stakeholders:group-list", "stakeholders.view", order=21))
        site.add_retention(RetentionRule(
            key="inactive_stakeholders", label=_("People with no activity (erased after)"),
            default_days=5 * 365, purge=retention.purge_inactive,
        ))
        site.add_retention(RetentionRule(
            key="identity_consent_refused", label=_("People who refused or withdrew consent to be kept (erased after)"),
            default_days=30, purge=retention.purge_withdrawn,
        ))
        # The board's first question (O1): whom the register knows of, against the countries of the salient risks.
        site.add_evidence(EvidenceSource(key=evidence.SOURCE, question=Question.KNOW_STAKEHOLDERS,
                                         collect=evidence.collect_register, order=10))

        # The audit log names this app's records as the reader may see them (core.audit_log).
        from rightsloop.core.registry import site as audit_registry

        from .audit_targets import TARGETS as AUDIT_TARGETS

        for audit_target in AUDIT_TARGETS:
            audit_registry.add_audit_target(audit_target)
