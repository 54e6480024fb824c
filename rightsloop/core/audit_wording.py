"""What each audit action means, in words a reader of the audit log understands (docs/security/x3-audit.md).

Every action the code writes has one sentence here, grouped by the area of the product it belongs to:
`core/tests/test_audit_wording.py` reads the source for every action written and fails on one without a
sentence. `%(who)s` is the member who acted (or Rightsloop itself), `%(target)s` the record it concerns,
named as the reader may see it (core.audit_log).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Wording:
    action: str
    area: Promise
    sentence: Promise


ACCOUNTS = _("Members and sign-in")
ORGANISATION = _("Organisation and safeguards")
STAKEHOLDERS = _("Stakeholders")
ENGAGEMENTS = _("Engagements and the loop")
RISKS = _("Risks and decisions")
CONSULTATIONS = _("Consultations")
RELATIONSHIPS = _("Relationships")
RESOURCING = _("Payments and grants")
GRIEVANCES = _("Grievances and remedy")
PORTAL = _("Stakeholder portal")
OVERSIGHT = _("Oversight and reporting")
ASSESSMENTS = _("Regional and country assessments")
COLLABORATION = _("Shared assessments")
CONSENSUS = _("Consensus building")

_TABLE: dict[Promise, dict[str, Promise]] = {
    ACCOUNTS: {
        "member.added": _("%(who)s gave %(target)s access to the organisation"),
        "member.changed": _("%(who)s changed the role or access of %(target)s"),
        "invitation.sent": _("%(who)s invited someone to join the organisation"),
        "invitation.withdrawn": _("%(who)s withdrew an invitation"),
        "invitation.accepted": _("%(who)s accepted an invitation to join the organisation"),
        "invitation.declined": _("%(who)s declined an invitation to join the organisation"),
        "sign_in.succeeded": _("%(target)s signed in"),
        "sign_in.failed": _("A sign-in as %(target)s failed"),
        "sign_in.code_refused": _("A sign-in as %(target)s was refused: wrong second-factor code"),
        "mfa.enrolled": _("%(who)s set up an authenticator app for %(target)s"),
        "mfa.replaced": _("%(who)s replaced the authenticator app of %(target)s"),
        "mfa.removed": _("%(who)s removed the authenticator app of %(target)s"),
        "mfa.code_refused": _("A second-factor code for %(target)s was refused"),
        "mfa.recovery_code_used": _("%(target)s used a recovery code"),
        "mfa.recovery_codes_renewed": _("%(who)s renewed the recovery codes of %(target)s"),
        "password.changed": _("%(who)s changed the password of %(target)s"),
        "password.change_refused": _("A password change for %(target)s was refused: wrong current password"),
        "api_token.issued": _("%(who)s issued an API token"),
        "api_token.expired": _("An API token expired"),
        "api_token.revoked": _("%(who)s revoked an API token"),
    },
    ORGANISATION: {
        "organisation.created": _("%(who)s created the organisation"),
        "organisation.updated": _("%(who)s changed the organisation's settings"),
        "retention.changed": _("%(who)s changed how long records are kept"),
        "retention.purged": _("%(who)s deleted records past their retention period"),
        "keys.rotated": _("%(who)s rotated the encryption keys"),
        "backup.created": _("%(who)s made a backup"),
        "backup.restored": _("%(who)s restored a backup"),
        "demo.deleted": _("%(who)s emptied the demo organisation"),
        "demo.reloaded": _("%(who)s loaded the demo organisation again"),
        "audit_log.exported": _("%(who)s exported the audit log"),
    },
    STAKEHOLDERS: {
        "stakeholder.registered": _("%(who)s registered %(target)s"),
        "stakeholder.updated": _("%(who)s changed the record of %(target)s"),
        "stakeholder.erased": _("%(who)s erased the personal data of %(target)s"),
        "stakeholder.exported": _("%(who)s exported the personal data of %(target)s"),
        "stakeholder.duplicate_dismissed": _("%(who)s said %(target)s is not a duplicate"),
        "consent.recorded": _("%(who)s recorded the consent of %(target)s"),
        "consent.withdrawn": _("%(who)s recorded that %(target)s withdrew consent"),
        "grant.given": _("%(who)s gave a colleague access to %(target)s"),
        "grant.revoked": _("%(who)s revoked a colleague's access to %(target)s"),
        "identity.revealed": _("%(who)s revealed the identity of %(target)s"),
        "identity.read": _("%(who)s read the revealed identity of %(target)s"),
        "group.created": _("%(who)s created the affected group %(target)s"),
        "group.updated": _("%(who)s changed the affected group %(target)s"),
        "group.deleted": _("%(who)s deleted the affected group %(target)s"),
        "group.member_added": _("%(who)s added a member to the affected group %(target)s"),
        "group.member_removed": _("%(who)s removed a member from the affected group %(target)s"),
        "group.risks_linked": _("%(who)s linked risks to the affected group %(target)s"),
        "group.risks_unlinked": _("%(who)s unlinked risks from the affected group %(target)s"),
        "group.representation_added": _("%(who)s recorded that %(target)s represents a group"),
        "group.representation_updated": _("%(who)s changed how %(target)s represents a group"),
        "group.representation_ended": _("%(who)s ended the representation of a group by %(target)s"),
    },
    ENGAGEMENTS: {
        "engagement.created": _("%(who)s created the engagement %(target)s"),
        "engagement.updated": _("%(who)s changed the engagement %(target)s"),
        "engagement.cancelled": _("%(who)s cancelled the engagement %(target)s"),
        "briefing.added": _("%(who)s added briefing material to %(target)s"),
        "participant.added": _("%(who)s added a participant: %(target)s"),
        "participant.removed": _("%(who)s removed a participant: %(target)s"),
        "participant.safety_override": _("%(who)s engaged a protected participant directly: %(target)s"),
        "input.recorded": _("%(who)s recorded %(target)s"),
        "input.triaged": _("%(who)s triaged %(target)s"),
        "input.edited": _("%(who)s mended %(target)s"),
        "input.withdrawn": _("%(who)s withdrew %(target)s"),
        "input.merged": _("%(who)s merged a duplicate into %(target)s"),
        "decision.recorded": _("%(who)s recorded a decision on %(target)s"),
        "decision.revised": _("%(who)s revised the decision on %(target)s"),
        "promise.reminder_sent": _("%(who)s reminded the owner of a promised next step on %(target)s"),
        "promise.broken": _("A promised next step on %(target)s passed its date without a new decision"),
        "feedback.queued": _("%(who)s queued a feedback report for %(target)s"),
        "feedback.sent": _("%(who)s sent a feedback report for %(target)s"),
        "feedback.ready_sent": _("%(who)s sent every ready feedback report of %(target)s"),
        "feedback.delivered": _("A feedback report for %(target)s was delivered"),
        "feedback.failed": _("A feedback report for %(target)s could not be sent"),
        "feedback.withheld": _("%(who)s withheld a feedback report for %(target)s"),
        "feedback.note_set": _("%(who)s wrote a personal note in the feedback letter for %(target)s"),
        "feedback.note_cleared": _("%(who)s removed the personal note from the feedback letter for %(target)s"),
        "feedback.translation_attached": _("%(who)s attached a translation of the feedback letter for %(target)s"),
        "feedback.translation_removed": _("%(who)s removed the translation of the feedback letter for %(target)s"),
        "feedback.letter_downloaded": _("%(who)s downloaded the feedback letter for %(target)s"),
        "loop.reminder_sent": _("%(who)s reminded the owner of %(target)s of overdue loops"),
        "load.thresholds_changed": _("%(who)s changed the engagement load thresholds"),
    },
    RISKS: {
        "risk.registered": _("%(who)s registered the risk %(target)s"),
        "risk.changed": _("%(who)s changed the risk %(target)s"),
        "risk.escalated": _("%(who)s escalated the risk %(target)s"),
        "risk.deescalated": _("%(who)s lowered the escalation of the risk %(target)s"),
        "risk.board_reviewed": _("%(who)s recorded the board's review of the risk %(target)s"),
        "risks.imported": _("%(who)s imported the risk register"),
        "inputs.linked": _("%(who)s linked inputs to %(target)s"),
        "inputs.unlinked": _("%(who)s unlinked inputs from %(target)s"),
        "escalation.rules_changed": _("%(who)s changed the escalation rules"),
        "escalation.defaults_adopted": _("%(who)s adopted the default escalation rules"),
        "escalation.defaults_declined": _("%(who)s declined the default escalation rules"),
        "mitigation.added": _("%(who)s added the mitigation %(target)s"),
        "mitigation.changed": _("%(who)s changed the mitigation %(target)s"),
        "mitigation.assessed": _("%(who)s assessed the effectiveness of %(target)s"),
        "mitigation.reassessed": _("%(who)s reassessed %(target)s after a change of context"),
        "indicator.added": _("%(who)s added an effectiveness indicator to %(target)s"),
        "evidence.recorded": _("%(who)s recorded evidence for %(target)s"),
        "context_event.recorded": _("%(who)s recorded the change of context %(target)s"),
        "strategic_decision.created": _("%(who)s opened the strategic decision %(target)s"),
        "strategic_decision.changed": _("%(who)s changed the strategic decision %(target)s"),
        "strategic_decision.decided": _("%(who)s took the strategic decision %(target)s"),
        "strategic_decision.put_to_board": _("%(who)s put the strategic decision %(target)s to the board"),
        "strategic_decision.signed_off": _("%(who)s signed off the strategic decision %(target)s"),
        "strategic_decision.sign_off_declined": _("%(who)s declined to sign off the strategic decision %(target)s"),
        "strategic_decision.sign_off_voided": _("A sign-off of the strategic decision %(target)s no longer counts"),
        "strategic_decision.local_voices_overridden": _(
            "%(who)s let the strategic decision %(target)s go ahead before local voices were heard"),
        "strategic_decision.local_voices_override_withdrawn": _(
            "%(who)s withdrew the local-voices override of the strategic decision %(target)s"),
        "local_voice_thresholds.changed": _("%(who)s changed how many local voices each market needs"),
        "decision_condition.added": _("%(who)s added a condition to %(target)s"),
        "decision_condition.changed": _("%(who)s changed a condition of %(target)s"),
    },
    CONSULTATIONS: {
        "consultation.open": _("%(who)s opened the consultation %(target)s"),
        "consultation.settings": _("%(who)s changed the settings of the consultation %(target)s"),
        "consultation.import.upload": _("%(who)s uploaded responses to %(target)s"),
        "consultation.import.map": _("%(who)s mapped the columns of an import into %(target)s"),
        "consultation.import.check": _("%(who)s checked an import into %(target)s"),
        "consultation.import.confirm": _("%(who)s confirmed an import into %(target)s"),
        "consultation.import.apply": _("%(who)s imported responses into %(target)s"),
        "consultation.import.resume": _("%(who)s resumed an import into %(target)s"),
        "consultation.import.cancel": _("%(who)s cancelled an import into %(target)s"),
        "consultation.import.rollback": _("%(who)s asked to roll back an import into %(target)s"),
        "consultation.import.rolled_back": _("%(who)s rolled back an import into %(target)s"),
        "consultation.discovery_started": _("%(who)s started finding themes in %(target)s"),
        "consultation.discovery_done": _("Themes were found in %(target)s"),
        "consultation.assignment_started": _("%(who)s started sorting responses into the themes of %(target)s"),
        "consultation.assignment_done": _("Responses were sorted into the themes of %(target)s"),
        "consultation.run_resumed": _("%(who)s resumed the analysis of %(target)s"),
        "consultation.theme_added": _("%(who)s added the theme %(target)s"),
        "consultation.theme_renamed": _("%(who)s renamed the theme %(target)s"),
        "consultation.theme_label_confirmed": _("%(who)s confirmed the label of the theme %(target)s"),
        "consultation.theme_deleted": _("%(who)s deleted the theme %(target)s"),
        "consultation.theme_split": _("%(who)s split the theme %(target)s"),
        "consultation.themes_merged": _("%(who)s merged themes into %(target)s"),
        "consultation.themes_finalised": _("%(who)s finalised the themes of %(target)s"),
        "consultation.theme_rights": _("%(who)s mapped the theme %(target)s to rights"),
        "consultation.theme_risks": _("%(who)s mapped the theme %(target)s to salient risks"),
        "consultation.theme_stance_reviewed": _("%(who)s reviewed the stance counts of the theme %(target)s"),
        "consultation.theme_stance_unreviewed": _("%(who)s reopened the stance counts of the theme %(target)s"),
        "consultation.example_added": _("%(who)s added a representative quote to %(target)s"),
        "consultation.example_confirmed": _("%(who)s confirmed a representative quote of %(target)s"),
        "consultation.example_unconfirmed": _("%(who)s unconfirmed a representative quote of %(target)s"),
        "consultation.example_moved": _("%(who)s moved a representative quote of %(target)s"),
        "consultation.example_removed": _("%(who)s removed a representative quote from %(target)s"),
        "consultation.response_reviewed": _("%(who)s reviewed a response in %(target)s"),
        "consultation.theme_routed": _("%(who)s routed the theme %(target)s to a function"),
        "consultation.theme_decided": _("%(who)s decided on the theme %(target)s"),
        "consultation.theme_revised": _("%(who)s revised the decision on the theme %(target)s"),
        "consultation.messages_started": _("%(who)s started telling the respondents of %(target)s what became of it"),
        "consultation.messages_resumed": _("%(who)s resumed the messages to the respondents of %(target)s"),
        "consultation.messages_done": _("Every respondent of %(target)s was sent their message"),
        "consultation.messages_interrupted": _("The messages to the respondents of %(target)s were interrupted"),
    },
    RELATIONSHIPS: {
        "agreement.drafted": _("%(who)s drafted %(target)s"),
        "agreement.draft_changed": _("%(who)s changed the draft of %(target)s"),
        "agreement.revised": _("%(who)s revised %(target)s"),
        "agreement.proposed": _("%(who)s proposed %(target)s to the stakeholder"),
        "agreement.accepted": _("%(who)s recorded that the stakeholder accepted %(target)s"),
        "agreement.declined": _("%(who)s recorded that the stakeholder declined %(target)s"),
        "agreement.changes_requested": _("%(who)s recorded that the stakeholder asked for changes to %(target)s"),
        "agreement.under_review": _("%(who)s put %(target)s under review"),
        "agreement.in_force": _("%(target)s came into force"),
        "agreement.ended": _("%(who)s ended %(target)s"),
        "agreement.reminder_sent": _("%(who)s reminded the owners of %(target)s of a date"),
        "agreement.sunset_told": _("%(who)s told the stakeholder that the confidentiality of %(target)s ends"),
        "relationship.owner_set": _("%(who)s chose who owns the relationship with %(target)s"),
        "rating_settings.changed": _("%(who)s changed how relationships are rated"),
        "rating_round.opened": _("%(who)s opened the rating round %(target)s"),
        "rating_round.closed": _("%(who)s closed the rating round %(target)s"),
        "rating_round.invitation_sent": _("%(who)s invited a stakeholder to rate the relationship (%(target)s)"),
        "rating_round.reminder_sent": _("%(who)s reminded a stakeholder to rate the relationship (%(target)s)"),
        "rating.recorded": _("%(who)s recorded a rating of the relationship (%(target)s)"),
        "rating.changed": _("%(who)s changed a rating of the relationship (%(target)s)"),
        "rating.flagged": _("A rating raised a flag (%(target)s)"),
        "rating.flag_sent": _("%(who)s told the relationship owner about a flag (%(target)s)"),
        "rating.flag_seen": _("%(who)s saw a flag raised by a rating (%(target)s)"),
    },
    RESOURCING: {
        "payment.offered": _("%(who)s offered %(target)s"),
        "payment.changed": _("%(who)s changed %(target)s"),
        "payment.accepted": _("%(who)s recorded that %(target)s was accepted"),
        "payment.declined": _("%(who)s recorded that %(target)s was declined"),
        "payment.approved": _("%(who)s approved %(target)s"),
        "payment.paid": _("%(who)s recorded %(target)s as paid"),
        "payment.cancelled": _("%(who)s cancelled %(target)s"),
        "grant.offered": _("%(who)s offered %(target)s"),
        "grant.accepted": _("%(who)s recorded that %(target)s was accepted"),
        "grant.declined": _("%(who)s recorded that %(target)s was declined"),
        "grant.approved": _("%(who)s approved %(target)s"),
        "grant.paid": _("%(who)s recorded %(target)s as paid"),
        "grant.cancelled": _("%(who)s cancelled %(target)s"),
        "grant.tranche_added": _("%(who)s added a tranche to %(target)s"),
        "grant.tranche_planned": _("%(who)s planned a tranche of %(target)s"),
        "grant.tranche_approved": _("%(who)s approved a tranche of %(target)s"),
        "grant.tranche_paid": _("%(who)s recorded a tranche of %(target)s as paid"),
        "grant.tranche_cancelled": _("%(who)s cancelled a tranche of %(target)s"),
    },
    GRIEVANCES: {
        "grievance.received": _("%(target)s was received"),
        "grievance.read": _("%(who)s opened %(target)s"),
        "grievance.attachment_read": _("%(who)s opened an attachment of %(target)s"),
        "grievance.classified": _("%(who)s classified %(target)s"),
        "grievance.rights_reviewed": _("%(who)s reviewed the rights concerned by %(target)s"),
        "grievance.stage_changed": _("%(who)s moved %(target)s to another stage"),
        "grievance.handler_assigned": _("%(who)s assigned a handler to %(target)s"),
        "grievance.handler_excluded": _("%(who)s excluded a colleague from %(target)s"),
        "grievance.message_to_complainant": _("%(who)s wrote to the person who raised %(target)s"),
        "grievance.message_from_complainant": _("%(who)s recorded a message from the person who raised %(target)s"),
        "grievance.message_internal": _("%(who)s added an internal note to %(target)s"),
        "grievance.messages_seen": _("The person who raised %(target)s read its messages"),
        "grievance.attachment_from_complainant": _("The person who raised %(target)s sent a file"),
        "grievance.appealed": _("%(target)s was appealed"),
        "grievance.satisfaction": _("The person who raised %(target)s said how satisfied they are"),
        "grievance.outcome_recorded": _("%(who)s recorded the outcome of %(target)s"),
        "grievance.remedy_answered": _("The person who raised %(target)s answered the proposed remedy"),
        "grievance.linked": _("%(who)s linked %(target)s to a salient risk"),
        "grievance.unlinked": _("%(who)s unlinked %(target)s from a salient risk"),
        "grievance.risk_made": _("%(who)s registered a salient risk from %(target)s"),
        "grievance.reminder_sent": _("%(who)s reminded the handlers of a deadline of %(target)s"),
        "grievance.escalated": _("%(target)s was escalated: a deadline passed"),
        "grievance.escalation_sent": _("%(who)s told the escalation contacts about %(target)s"),
        "grievance.escalation_cleared": _("The escalation of %(target)s ended"),
        "grievance.erased": _("%(who)s erased the personal data of %(target)s"),
        "grievance.settings_changed": _("%(who)s changed the grievance mechanism's settings"),
        "grievance.self_assessed": _("%(who)s assessed the grievance mechanism against the effectiveness criteria"),
        "remedy_plan.created": _("%(who)s created the remedy plan %(target)s"),
        "remedy_plan.case_added": _("%(who)s added a case to the remedy plan %(target)s"),
        "remedy_plan.case_removed": _("%(who)s removed a case from the remedy plan %(target)s"),
        "remedy_plan.proposal_recorded": _("%(who)s recorded a remedy proposal from the affected for %(target)s"),
        "remedy_plan.proposals_erased": _("%(who)s erased the remedy proposals of an erased person in %(target)s"),
        "remedy_action.added": _("%(who)s added the corrective action %(target)s"),
        "remedy_action.updated": _("%(who)s changed the corrective action %(target)s"),
        "remedy_action.delivered": _("%(who)s recorded the corrective action %(target)s as delivered"),
        "remedy_action.confirmed": _("The affected confirmed that %(target)s was done"),
        "remedy_action.disputed": _("The affected disputed that %(target)s was done as agreed"),
        "remedy_action.reminder_sent": _("%(who)s reminded the owner of the corrective action %(target)s"),
    },
    PORTAL: {
        "portal.link_issued": _("%(who)s issued a portal sign-in link for %(target)s"),
        "portal.link_sent": _("%(who)s sent a portal sign-in link to %(target)s"),
        "portal.link_failed": _("A portal sign-in link for %(target)s could not be sent"),
        "portal.link_withheld": _("A portal sign-in link for %(target)s was withheld"),
        "portal.link_revoked": _("%(who)s revoked a portal sign-in link of %(target)s"),
        "portal.signed_in": _("%(target)s signed in to the portal"),
        "portal.sign_in_refused": _("A portal sign-in was refused"),
        "portal.erasure_requested": _("%(target)s asked for their data to be erased"),
        "portal.erasure_confirmed": _("%(who)s confirmed the erasure %(target)s asked for"),
        "portal.erasure_declined": _("%(who)s declined the erasure %(target)s asked for"),
    },
    OVERSIGHT: {
        "board_briefing.recorded": _("%(who)s recorded a board briefing or training"),
        "board_briefing.changed": _("%(who)s changed a board briefing or training"),
        "board_pack.requested": _("%(who)s asked for a board pack"),
        "board_pack.downloaded": _("%(who)s downloaded a board pack"),
        "report.created": _("%(who)s started the public report %(target)s"),
        "report.changed": _("%(who)s changed the public report %(target)s"),
        "report.issue_saved": _("%(who)s wrote about a salient issue in %(target)s"),
        "report.issue_removed": _("%(who)s removed a salient issue from %(target)s"),
        "report.reviewed": _("%(who)s reviewed the public report %(target)s"),
        "report.approved": _("%(who)s approved the public report %(target)s"),
        "report.published": _("%(who)s published the public report %(target)s"),
        "report.new_version": _("%(who)s started a new version of the public report %(target)s"),
        "open_data.changed": _("%(who)s changed the open data settings"),
        "open_data.published": _("%(who)s started publishing open data"),
        "open_data.withdrawn": _("%(who)s withdrew the open data"),
        "open_data.released": _("%(who)s released a new edition of the open data"),
    },
    COLLABORATION: {
        "shared_assessment.created": _("%(who)s shared an assessment with other organisations: %(target)s"),
        "shared_assessment.invited": _("%(who)s invited another organisation to %(target)s"),
        "shared_assessment.joined": _("%(who)s accepted the invitation to %(target)s"),
        "shared_assessment.declined": _("%(who)s declined the invitation to %(target)s"),
        "shared_assessment.left": _("%(who)s took the organisation out of %(target)s"),
        "shared_assessment.engagement_added": _("%(who)s held an engagement inside %(target)s"),
        "pool.partner_added": _("%(who)s put %(target)s in a shared pool of partners, with their consent"),
        "pool.consent_withdrawn": _("%(who)s recorded that %(target)s withdrew their consent to the shared pool"),
        "pool.partner_requested": _("%(who)s asked %(target)s, from the shared pool, to an engagement"),
    },
    CONSENSUS: {
        "claim.recorded": _("%(who)s recorded a competing claim: %(target)s"),
        "claim.changed": _("%(who)s changed the competing claim %(target)s"),
        "claim.removed": _("%(who)s removed a competing claim"),
        "claim.weighed": _("%(who)s said how a decision weighed the competing claim %(target)s"),
        "exercise.created": _("%(who)s set up the consensus exercise %(target)s"),
        "exercise.changed": _("%(who)s changed the consensus exercise %(target)s"),
        "exercise.opened": _("%(who)s opened the consensus exercise %(target)s for votes"),
        "exercise.closed": _("%(who)s closed the consensus exercise %(target)s"),
        "exercise.statement_added": _("%(who)s added a statement to the consensus exercise %(target)s"),
        "exercise.statement_moderated": _("%(who)s moderated a statement of the consensus exercise %(target)s"),
        "exercise.participant_invited": _("%(who)s gave someone a voting link to the consensus exercise %(target)s"),
        "exercise.link_freed": _("%(who)s freed a voting link of the consensus exercise %(target)s for another "
                                 "device"),
        "exercise.link_revoked": _("%(who)s revoked a voting link of the consensus exercise %(target)s"),
        "exercise.link_reissued": _("%(who)s gave a new voting link (the old one no longer works) in the "
                                     "consensus exercise %(target)s"),
        "exercise.room_votes_recorded": _("%(who)s recorded a room's votes in the consensus exercise %(target)s"),
        "exercise.votes_recorded": _("%(who)s sent participants' votes through the API to the consensus exercise "
                                     "%(target)s"),
        "exercise.polis_imported": _("%(who)s imported a Pol.is conversation into the consensus exercise %(target)s"),
        "exercise.polis_exported": _("%(who)s exported the consensus exercise %(target)s in Pol.is's format"),
        "exercise.analysis_requested": _("%(who)s asked for a new analysis of the consensus exercise %(target)s"),
        "exercise.results_to_inputs": _("%(who)s turned findings of the consensus exercise %(target)s into inputs"),
        "exercise.outcome_sent": _("%(who)s told the participants of the consensus exercise %(target)s what became "
                                   "of it"),
    },
    ASSESSMENTS: {
        "assessment.created": _("%(who)s started the assessment %(target)s"),
        "assessment.updated": _("%(who)s changed the assessment %(target)s"),
        "assessment.phase_planned": _("%(who)s planned a phase of the assessment %(target)s"),
        "assessment.phase_changed": _("%(who)s changed a phase of the assessment %(target)s"),
        "assessment.phase_removed": _("%(who)s removed a phase of the assessment %(target)s"),
        "assessment.partner_added": _("%(who)s added a local partner to the assessment %(target)s"),
        "assessment.partner_changed": _("%(who)s changed a local partner's role or languages in the assessment "
                                        "%(target)s"),
        "assessment.partner_removed": _("%(who)s removed a local partner from the assessment %(target)s"),
        "assessment.training_recorded": _("%(who)s recorded a partner training session of the assessment "
                                          "%(target)s"),
        "assessment.training_material_added": _("%(who)s added the material of a partner training session of the "
                                                "assessment %(target)s"),
        "assessment.attendance_changed": _("%(who)s changed who attended a training session of the assessment "
                                           "%(target)s"),
        "assessment.question_recorded": _("%(who)s recorded a question asked in a training session of the "
                                          "assessment %(target)s"),
        "assessment.question_answered": _("%(who)s answered a question asked in a training session of the "
                                          "assessment %(target)s"),
        "assessment.engagements_linked": _("%(who)s added engagements to the assessment %(target)s"),
        "assessment.engagement_unlinked": _("%(who)s took an engagement out of the assessment %(target)s"),
        "assessment.finding_recorded": _("%(who)s recorded a finding of the assessment %(target)s"),
        "assessment.finding_became_risk": _("%(who)s registered a salient risk from a finding of the assessment "
                                            "%(target)s"),
        "assessment.finding_updated_risk": _("%(who)s updated a salient risk from a finding of the assessment "
                                             "%(target)s"),
    },
}

WORDINGS: dict[str, Wording] = {
    action: Wording(action, area, sentence) for area, actions in _TABLE.items() for action, sentence in actions.items()
}

SOMEONE = pgettext_lazy("audit log: an unnamed actor", "someone")

# What an action's record is, unnamed, for the filter's option labels ("Someone registered a stakeholder"): by the
# action's longest matching start. A sentence that already says what its record is ("the risk %(target)s") keeps
# an ellipsis.
_KIND_NOUNS: dict[str, Promise] = {
    "member": _("a member"), "mfa": _("a member"), "password": _("a member"), "sign_in": _("a member"),
    "stakeholder": _("a stakeholder"), "consent": _("a stakeholder"), "identity": _("a stakeholder"),
    "group.representation": _("a stakeholder"), "grant.given": _("a stakeholder"),
    "grant.revoked": _("a stakeholder"), "relationship": _("a stakeholder"), "portal": _("a stakeholder"),
    "briefing": _("an engagement"), "loop": _("an engagement"),
    "feedback": _("a participant"), "feedback.ready_sent": _("an engagement"),
    "input": _("an input"), "decision.": _("an input"), "promise": _("an input"), "inputs.": _("a salient risk"),
    "mitigation": _("a mitigation"), "indicator": _("a mitigation"), "evidence": _("a mitigation"),
    "decision_condition": _("a strategic decision"), "consultation": _("a consultation"),
    "agreement": _("an agreement"), "rating": _("a stakeholder"), "payment": _("a payment"), "grant": _("a grant"),
    "grievance": _("a grievance case"), "remedy_plan": _("a remedy plan"), "remedy_action": _("a corrective action"),
    "report": _("a public report"), "assessment": _("an assessment"),
    "shared_assessment": _("a shared assessment"), "pool": _("a partner"),
}
_NAMES_ITS_KIND = re.compile(r"\bthe (engagement|risk|mitigation|strategic decision|change of context|theme|"
                             r"consultation|affected group|public report|remedy plan|corrective action|rating round|"
                             r"assessment) "
                             r"%\(target\)s")


def wording(action: str) -> Wording | None:
    return WORDINGS.get(action)


def grouped_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The actions as a select's option groups: one per area, each action named by its sentence."""
    return [
        (str(area), sorted(((action, describe_kind(action)) for action in actions), key=lambda choice: choice[1]))
        for area, actions in _TABLE.items()
    ]


def describe_kind(action: str) -> str:
    """The sentence of an action with nobody and nothing in particular: "Someone recorded a decision on an input"."""
    found = WORDINGS.get(action)
    if found is None:
        return action
    with translation.override("en"):
        says_its_kind = bool(_NAMES_ITS_KIND.search(str(found.sentence)))
    starts = [start for start in _KIND_NOUNS if action.startswith(start)]
    noun = _KIND_NOUNS[max(starts, key=len)] if starts and not says_its_kind else "…"
    text = str(found.sentence) % {"who": SOMEONE, "target": noun}
    return text[:1].upper() + text[1:]
