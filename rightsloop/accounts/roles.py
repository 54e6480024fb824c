"""Roles a user holds in an organisation, the functions decisions are routed to, and what each role may do."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    HR_LEAD = "hr_lead", _("Human rights team")
    DECISION_MAKER = "decision_maker", _("Decision maker")
    BOARD = "board", _("Board member")
    AUDITOR = "auditor", _("Auditor")


class Function(models.TextChoices):
    """The internal functions that own inputs and attend engagements."""

    PRODUCT = "product", _("Product")
    ENGINEERING = "engineering", _("Engineering")
    LEGAL = "legal", _("Legal")
    COMMERCIAL = "commercial", _("Commercial")
    POLICY = "policy", _("Policy")
    OTHER = "other", _("Other")


class Capability:
    """Named permissions; views and API endpoints ask for one, never for a role."""

    DASHBOARD_VIEW = "dashboard.view"
    STAKEHOLDERS_VIEW = "stakeholders.view"
    STAKEHOLDERS_EDIT = "stakeholders.edit"
    ENGAGEMENTS_VIEW = "engagements.view"
    ENGAGEMENTS_EDIT = "engagements.edit"
    INPUTS_RECORD = "inputs.record"
    DECISIONS_QUEUE = "decisions.queue"
    DECISIONS_ANY = "decisions.any"
    FEEDBACK_VIEW = "feedback.view"
    FEEDBACK_SEND = "feedback.send"
    SAFETY_OVERRIDE = "safety.override"
    AUDIT_VIEW = "audit.view"
    MEMBERS_MANAGE = "members.manage"
    ORGANISATION_MANAGE = "organisation.manage"
    RISKS_VIEW = "risks.view"
    RISKS_EDIT = "risks.edit"
    # Sign off (or decline) a strategic decision touching a risk the board must own; only the board may.
    DECISIONS_SIGN_OFF = "decisions.sign_off"
    # Let a market entry or high-risk sale be taken before local voices were heard (G2), with a reason that the
    # board's view shows: the board, or the administrator on its behalf; never the team that prepares it.
    LOCAL_VOICES_OVERRIDE = "decisions.local_voices_override"
    CONSULTATIONS_VIEW = "consultations.view"
    CONSULTATIONS_ANALYSE = "consultations.analyse"
    # Relationships (P1, P2): agreements, rating rounds and the aggregates of ratings.
    RELATIONSHIPS_VIEW = "relationships.view"
    RELATIONSHIPS_EDIT = "relationships.edit"
    # One stakeholder's own ratings: the human rights lead (and the relationship's owner, checked per object).
    RATINGS_INDIVIDUAL = "ratings.individual"
    # The resourcing ledger (P3): compensation, honoraria, expenses and grants.
    PAYMENTS_VIEW = "payments.view"
    PAYMENTS_EDIT = "payments.edit"
    PAYMENTS_APPROVE = "payments.approve"
    # Portal links (P4): issue, show and revoke a stakeholder's sign-in link.
    PORTAL_LINKS = "portal.links"
    # Grievances (M1-M3). Case content (what happened, who, the messages) is for handlers only: the human
    # rights team, minus anyone excluded from a case. Decision makers and the board never see it.
    GRIEVANCES_HANDLE = "grievances.handle"
    # Record a grievance received by hotline, SMS, letter, in person or through an NGO (then see no more of it
    # without grievances.handle).
    GRIEVANCES_RECORD = "grievances.record"
    # The mechanism's figures without case content: the UNGP 31 self-check, counts, recurring themes.
    GRIEVANCES_OVERSEE = "grievances.oversee"
    # The mechanism's settings (deadlines, the public page open or closed) and the organisation's own assessment.
    GRIEVANCES_CONFIGURE = "grievances.configure"
    # Oversight (O1): the board view and its board packs; aggregates and links, no personal data.
    OVERSIGHT_VIEW = "oversight.view"
    # Record the board's briefings and trainings (the board secretary's or the human rights team's task).
    BOARD_BRIEFINGS_RECORD = "oversight.briefings"
    # Record that the board reviewed a risk at a meeting: a board member, or the administrator as its secretary.
    RISKS_BOARD_REVIEW = "risks.board_review"
    # Publish the organisation's open data (O3) or withdraw it, choose its licence, rebuild it now.
    OPEN_DATA_MANAGE = "disclosure.open_data"
    # Public reports (O2): read drafts and published versions; draft and review them; approve and publish them.
    REPORTS_VIEW = "reports.view"
    REPORTS_EDIT = "reports.edit"
    REPORTS_PUBLISH = "reports.publish"


_READ_ALL = {
    Capability.DASHBOARD_VIEW,
    Capability.RISKS_VIEW,
    Capability.STAKEHOLDERS_VIEW,
    Capability.ENGAGEMENTS_VIEW,
    Capability.FEEDBACK_VIEW,
    Capability.CONSULTATIONS_VIEW,
    Capability.RELATIONSHIPS_VIEW,
    Capability.PAYMENTS_VIEW,
    Capability.GRIEVANCES_OVERSEE,
    Capability.OVERSIGHT_VIEW,
    Capability.REPORTS_VIEW,
}
_RUN_HRDD = _READ_ALL | {
    Capability.STAKEHOLDERS_EDIT,
    Capability.ENGAGEMENTS_EDIT,
    Capability.INPUTS_RECORD,
    Capability.DECISIONS_QUEUE,
    Capability.DECISIONS_ANY,
    Capability.FEEDBACK_SEND,
    Capability.SAFETY_OVERRIDE,
    Capability.RISKS_EDIT,
    Capability.CONSULTATIONS_ANALYSE,
    Capability.RELATIONSHIPS_EDIT,
    Capability.PAYMENTS_EDIT,
    Capability.PAYMENTS_APPROVE,
    Capability.PORTAL_LINKS,
    Capability.GRIEVANCES_RECORD,
    Capability.GRIEVANCES_CONFIGURE,
    Capability.BOARD_BRIEFINGS_RECORD,
    Capability.OPEN_DATA_MANAGE,
    Capability.REPORTS_EDIT,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(
        _RUN_HRDD
        | {Capability.AUDIT_VIEW, Capability.MEMBERS_MANAGE, Capability.ORGANISATION_MANAGE,
           Capability.RISKS_BOARD_REVIEW, Capability.REPORTS_PUBLISH, Capability.LOCAL_VOICES_OVERRIDE}
    ),
    Role.HR_LEAD: frozenset(_RUN_HRDD | {Capability.RATINGS_INDIVIDUAL, Capability.GRIEVANCES_HANDLE}),
    # Decision makers see the inputs routed to their function, not the register.
    # Risks carry no personal data: decision makers see them (they own mitigations), the board
    # sees them to oversee the severe ones.
    Role.DECISION_MAKER: frozenset({Capability.DASHBOARD_VIEW, Capability.DECISIONS_QUEUE, Capability.RISKS_VIEW}),
    Role.BOARD: frozenset({Capability.DASHBOARD_VIEW, Capability.RISKS_VIEW, Capability.DECISIONS_SIGN_OFF,
                           Capability.LOCAL_VOICES_OVERRIDE,
                           Capability.GRIEVANCES_OVERSEE, Capability.OVERSIGHT_VIEW,
                           Capability.RISKS_BOARD_REVIEW, Capability.REPORTS_VIEW, Capability.REPORTS_PUBLISH}),
    Role.AUDITOR: frozenset(_READ_ALL | {Capability.AUDIT_VIEW}),
}
