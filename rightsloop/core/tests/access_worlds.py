"""Two organisations full of marked objects, and requests that leave them as they were, for the access tests.

The access matrix (test_access_matrix.py) and the cross-organisation property test
(test_isolation_property.py) share this: every route of the resolver with its methods, the world of
objects whose ids fill each route, a member per role (signed in, and with an API token), and a
`send` that runs one request inside a rolled-back savepoint, so thousands of requests (erasures,
revocations, sign-outs) can share one world.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from rightsloop.accounts.actions import invite_member, issue_api_token
from rightsloop.accounts.models import Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.accounts.viewer import Viewer
from rightsloop.assessments.tests.worlds import assessment_world
from rightsloop.collaboration.tests.worlds import collaboration_world
from rightsloop.consensus.tests.worlds import consensus_world
from rightsloop.consultations.tests.factories import consultation_world
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.grievances.actions import intake as grievance_intake
from rightsloop.grievances.actions import links as grievance_links
from rightsloop.grievances.actions import remedy as grievance_remedy
from rightsloop.portal import links as portal_links
from rightsloop.portal.actions import details as portal_details
from rightsloop.portal.models import PortalLink
from rightsloop.relationships import agreements as agreement_actions
from rightsloop.relationships import ratings as rating_actions
from rightsloop.resourcing.tests.factories import make_grant, make_payment
from rightsloop.risks import actions as risk_actions
from rightsloop.risks import decision_actions
from rightsloop.risks.tests.factories import make_mitigation, make_risk
from rightsloop.stakeholders import actions as stakeholder_actions
from rightsloop.stakeholders import groups as stakeholder_groups
from rightsloop.stakeholders.tests.factories import make_group, make_stakeholder

# Every name, title and text of a world carries its organisation's marker; a response that shows
# another organisation's marker leaked it.
OWN = "Own-Org-Marker-2208"
FOREIGN = "Foreign-Org-Marker-4417"
# Inside the own world: the identity of the high-safety stakeholder (no test reveals it, so no
# response may ever show it), and the text of an input routed to legal (never for product's
# decision maker).
PROTECTED = "Protected-Identity-Marker-9302"
LEGAL = "Legal-Only-Input-Marker-5150"
# An id no object has: a foreign id must answer exactly as this one does.
MISSING_ID = 987_654_321

ROLES = ("admin", "hr_lead", "decision_maker", "board", "auditor", "anonymous")
MEMBER_ROLES = ROLES[:-1]

# Outcomes, as the matrix writes them.
OK = "ok"  # 2xx, a redirect other than to sign-in, or 400 (the role got past the access check)
FORBIDDEN = "forbidden"  # 403 whatever the id: the role lacks the capability (a foreign id answers 403 too)
REFUSED = "refused"  # 403 on an object the role may see but not change this way; a foreign id is 404
NOT_FOUND = "not_found"  # 404
SIGN_IN = "redirect_to_sign_in"  # 302 to the sign-in page
NO_TOKEN = "unauthorized"  # 401: the API without a bearer token
NOT_ALLOWED = "method_not_allowed"  # 405
# 302 or 303 to the public grievance pages' receipt form (/g/<slug>/follow-up/): a follow-up page without a
# follow-up session (a browser that showed no receipt), refused before any lookup, as SIGN_IN is for staff pages.
FOLLOW_UP = "redirect_to_follow_up_sign_in"


def foreign_outcome(own: str) -> str:
    """What another organisation's object (or a protected one without a grant) must answer.

    Where the role could act on its own object, or could see it, a foreign id is simply not found;
    a refusal that comes before any lookup (capability, method, sign-in) is the same for every id.
    """
    return NOT_FOUND if own in (OK, REFUSED, NOT_FOUND) else own


def outcome_of(response) -> str:
    status = response.status_code
    if status == 302 and response["Location"].startswith("/accounts/sign-in/"):
        return SIGN_IN
    if status == 302 and response["Location"].startswith(("/accounts/verify/", "/accounts/enrol/")):
        return f"redirect to the second factor ({response['Location']})"
    if status in (302, 303) and re.fullmatch(r"/g/[-\w]+/follow-up/", response["Location"]):
        return FOLLOW_UP
    if 200 <= status < 400 or status == 400:
        return OK
    return {401: NO_TOKEN, 403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(status, f"status {status}")


def matches(expected: str, response) -> bool:
    actual = outcome_of(response)
    return actual == expected or (expected == REFUSED and actual == FORBIDDEN)


def body_of(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# Routes ----------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    name: str  # "stakeholders:detail", "api:get_stakeholder"
    pattern: str  # "stakeholders/<int:pk>/"
    methods: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def params(self) -> list[str]:
        # Django's converters (<int:pk>), and ninja's untyped parameters (<slug>)
        return re.findall(r"<(?:\w+:)?(\w+)>", self.pattern)


def _api_methods() -> dict[str, str]:
    """Each API operation's url name and its HTTP method (django-ninja names one URL pattern per operation)."""
    from rightsloop.api import api

    methods = {}
    for _prefix, router in api._routers:  # ninja keeps its routers here, with no public accessor
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                (method,) = operation.methods
                methods[getattr(operation, "url_name", None) or operation.view_func.__name__] = method
    return methods


def routes() -> list[Route]:
    """Every URL pattern of the resolver: pages are tried with GET and POST, API operations with their method."""
    api_methods = _api_methods()

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace else str(pattern.name)
                yield name, prefix + str(pattern.pattern)

    found = []
    for name, pattern in walk(get_resolver().url_patterns):
        operation = name.removeprefix("api:")
        if name.startswith("api:") and operation in api_methods:
            methods = (api_methods[operation],)
        else:
            methods = ("GET", "POST") if not name.startswith("api:") else ("GET",)
        found.append(Route(name, pattern, methods))
    return sorted(found, key=lambda route: route.name)


# Which object fills each id of a route. Keys name objects of a World; body ids of API requests are
# written "body.<field>". A route whose id this does not cover fails the suite with a message.
ROUTE_OBJECTS: dict[str, dict[str, str]] = {
    "accounts:member-edit": {"pk": "membership"},
    # Engagement load (S3): one stakeholder's load page
    "engagements:load-stakeholder": {"pk": "stakeholder"},
    "accounts:api-token-revoke": {"pk": "token"},
    "accounts:invitation-withdraw": {"pk": "invitation"},
    "accounts:invitation-accept": {"pk": "invitation"},
    "accounts:invitation-decline": {"pk": "invitation"},
    "stakeholders:grant-add": {"pk": "protected"},
    "stakeholders:grant-revoke": {"pk": "protected", "grant_pk": "protected_grant"},
    "stakeholders:consent-withdraw": {"pk": "stakeholder", "consent_pk": "consent"},
    "stakeholders:duplicate-dismiss": {"pk": "twin", "flag_pk": "flag"},
    # Affected groups (stakeholders/group_views.py, group_api.py)
    "stakeholders:group-detail": {"pk": "group"},
    "stakeholders:group-edit": {"pk": "group"},
    "stakeholders:group-delete": {"pk": "group"},
    "stakeholders:group-member-remove": {"pk": "group", "stakeholder_pk": "stakeholder"},
    "stakeholders:representation-add": {"pk": "proxy"},
    "stakeholders:representation-edit": {"pk": "representation"},
    "stakeholders:representation-end": {"pk": "representation"},
    "api:add_group_member": {"body.stakeholder_id": "stakeholder"},
    "api:add_group_representation": {"body.proxy_id": "proxy"},
    "api:link_group_risks": {"body.risk_ids": "risk"},
    "api:unlink_group_risks": {"body.risk_ids": "risk"},
    "engagements:participant-add": {"pk": "engagement", "stakeholder_pk": "newcomer"},
    "engagements:participants-add": {"pk": "engagement"},
    "engagements:participant-remove": {"pk": "engagement", "participation_pk": "newcomer_participation"},
    "engagements:briefing-file": {"pk": "engagement", "briefing_pk": "briefing"},
    "engagements:feedback-participant": {"pk": "engagement", "participation_pk": "participation"},
    "engagements:input-triage": {"pk": "input"},
    "engagements:input-decide": {"pk": "input"},
    **{f"engagements:input-{name}": {"pk": "input"} for name in ("edit", "versions", "withdraw", "merge")},
    "api:add_participant": {"engagement_id": "engagement", "body.stakeholder_id": "newcomer",
                            "body.via_proxy_id": "proxy"},
    "api:record_input": {"engagement_id": "engagement", "body.speaker_id": "participation"},
    "api:merge_input": {"input_id": "input", "body.duplicate_id": "legal_input"},
    "api:deliver_feedback": {"engagement_id": "engagement", "participant_id": "participation"},
    # The feedback letter: its PDF, personal note and translation
    "engagements:feedback-letter-pdf": {"pk": "engagement", "participation_pk": "participation"},
    **{f"api:{name}": {"engagement_id": "engagement", "participant_id": "participation"}
       for name in ("set_letter_note", "attach_letter_translation", "remove_letter_translation", "letter_pdf")},
    # The risks API (risks/api.py): ids in request bodies
    "api:link_risk_inputs": {"body.input_ids": "input"},
    "api:unlink_risk_inputs": {"body.input_ids": "input"},
    "api:link_input": {"body.risk_ids": "risk"},
    "api:unlink_input": {"body.risk_ids": "risk"},
    # Strategic decisions and context events (risks/decision_views.py)
    "risks:decision-detail": {"pk": "decision"},
    "risks:decision-edit": {"pk": "decision"},
    "risks:decision-decide": {"pk": "decision"},
    # Outcome, conditions and the board's sign-off (risks/decision_views.py)
    "risks:decision-sign-off": {"pk": "decision"},
    "risks:decision-local-voices-override": {"pk": "decision"},
    "risks:decision-local-voices-withdraw": {"pk": "decision"},
    "risks:decision-decline": {"pk": "decision"},
    "risks:condition-add": {"pk": "decision"},
    "risks:condition-edit": {"pk": "condition"},
    "risks:event-detail": {"pk": "event"},
    # Mitigations, their indicators and evidence, and links to inputs (risks/mitigation_views.py, link_views.py)
    "risks:mitigation-edit": {"pk": "mitigation"},
    "risks:mitigation-detail": {"pk": "mitigation"},
    "risks:mitigation-assess": {"pk": "mitigation"},
    "risks:mitigation-reassess": {"pk": "mitigation"},
    "risks:indicator-add": {"pk": "mitigation"},
    "risks:evidence-add": {"pk": "indicator"},
    "risks:mitigation-link-inputs": {"pk": "mitigation"},
    "risks:decision-link-inputs": {"pk": "decision"},
    "consultations:for-engagement": {"engagement_pk": "consultation_engagement"},
    # The stakeholder portal (portal/): its pages answer staff 403 before any lookup, so the world's objects
    # of the same kind fill them (an input's id stands for a feedback report's); the door takes a link's token.
    "portal:enter": {"token": "portal_token"},
    "portal:said:report": {"report_pk": "input"},
    "portal:engagements:briefing-file": {"engagement_pk": "engagement", "briefing_pk": "briefing"},
    "portal:details:consent-withdraw": {"consent_pk": "consent"},
    "portal:staff:links": {"stakeholder_pk": "stakeholder"},
    "portal:staff:link-revoke": {"link_pk": "portal_link"},
    "portal:staff:erasure-confirm": {"request_pk": "erasure_request"},
    "portal:staff:erasure-decline": {"request_pk": "erasure_request"},
    "api:issue_portal_link": {"body.stakeholder_id": "stakeholder"},
    "api:revoke_portal_link": {"link_id": "portal_link"},
    # Relationship quality (P2): rating rounds, one stakeholder's ratings, flags; the portal's rating form
    "relationships:rating-round": {"pk": "rating_round"},
    "relationships:rating-round-close": {"pk": "rating_round"},
    "relationships:rating-record": {"pk": "rating_round", "stakeholder_pk": "stakeholder"},
    "relationships:stakeholder-ratings": {"pk": "stakeholder"},
    "relationships:rating-flag-seen": {"pk": "rating_flag"},
    "portal:ratings:answer": {"pk": "rating_round"},
    "portal:ratings:thanks": {"pk": "rating_round"},
    "api:record_rating": {"body.round_id": "rating_round", "body.stakeholder_id": "stakeholder"},
    # The resourcing ledger (resourcing/): payments, grants and their tranches; the portal's payments section
    "resourcing:payment-create": {"stakeholder_pk": "stakeholder"},
    "resourcing:grant-create": {"stakeholder_pk": "stakeholder"},
    "resourcing:payment": {"pk": "payment"},
    "resourcing:payment-edit": {"pk": "payment"},
    "resourcing:payment-move": {"pk": "payment"},
    "resourcing:grant": {"pk": "grant"},
    "resourcing:grant-move": {"pk": "grant"},
    "resourcing:tranche-add": {"pk": "grant"},
    "resourcing:tranche-move": {"pk": "grant", "tranche_pk": "tranche"},
    "portal:payments:answer": {"pk": "payment"},
    "portal:payments:grant-answer": {"pk": "grant"},
    "api:create_payment": {"body.stakeholder_id": "stakeholder"},
    "api:create_grant": {"body.grantee_id": "stakeholder"},
    # Relationship agreements (relationships/agreement_*.py): the person's drafted agreement
    "api:create_agreement": {"body.stakeholder_id": "stakeholder"},
    # The grievance mechanism (grievances/): staff pages of a case, its attachment, its remedy plan and actions.
    # A plan is created for the case in no plan yet; an action's confirmation is asked for a delivered action.
    **{f"grievances:{name}": {"pk": "grievance"} for name in (
        "case", "acknowledge", "move", "assign", "exclude", "message", "outcome", "rights-review", "classify",
        "links", "make-risk")},
    "grievances:attachment": {"pk": "grievance", "attachment_pk": "attachment"},
    "grievances:plan-create": {"case_pk": "spare_grievance"},
    **{f"grievances:{name}": {"pk": "remedy_plan"} for name in (
        "plan", "plan-add-case", "plan-proposal", "action-add")},
    "grievances:plan-remove-case": {"pk": "remedy_plan", "case_pk": "grievance"},
    "grievances:proposal-decision": {"pk": "remedy_plan", "input_pk": "proposal"},
    "grievances:action-edit": {"pk": "remedy_action"},
    "grievances:action-delivered": {"pk": "remedy_action"},
    "grievances:action-confirmation": {"pk": "delivered_action"},
    # The portal's grievance section answers staff 403 before any lookup; the world's case and action fill it.
    **{f"portal:grievances:{name}": {"pk": "grievance"} for name in (
        "case", "reply", "satisfaction", "appeal", "remedy-agree", "remedy-propose")},
    "portal:grievances:remedy-answer": {"pk": "grievance", "action_pk": "remedy_action"},
    "grievances-public:remedy-answer": {"action_pk": "delivered_action"},
    # Body ids whose refusal is a 404, as a path id's (foreign and missing alike). Those answered with a 400 field
    # message instead (a stakeholder, proxy or group of a recorded grievance, a handler, an owner, a proposal, an
    # engagement of the settings) are swapped by test_isolation_body_ids.py.
    "api:create_remedy_plan": {"body.case_ids": "spare_grievance"},
    "api:add_remedy_plan_case": {"body.case_id": "spare_grievance"},
    "api:add_remedy_proposal": {"body.case_id": "grievance"},
    "api:confirm_remedy_action": {"action_id": "delivered_action", "body.case_id": "grievance"},
    "api:link_grievance": {"body.id": "risk"},
    "api:unlink_grievance": {"body.id": "decision"},
    # The person's own operations: the receipt in the body opens their case (a credential, never swapped).
    **{f"api:{name}": {"body.receipt": "grievance_receipt"} for name in (
        "public_grievance_follow_up", "public_grievance_reply", "public_grievance_satisfaction",
        "public_grievance_appeal", "propose_remedy_by_receipt", "agree_remedy_by_receipt")},
    "api:confirm_remedy_by_receipt": {"body.receipt": "grievance_receipt", "body.action_id": "delivered_action"},
    # The board view (oversight/): a briefing of the board and a prepared board pack
    "oversight:briefing-edit": {"pk": "board_briefing"},
    "oversight:pack-download": {"pk": "board_pack"},
    # The open data (disclosure/public_urls.py): a table of the organisation's data package, by its key
    "open-data:csv": {"table": "open_data_table"},
    "open-data:json": {"table": "open_data_table"},
    # Public reports (disclosure/report_*.py): the builder's pages of the world's report and its issue; the public
    # addresses name the organisation by its slug, the period and the version (never swapped: public addresses)
    **{f"reports:{name}": {"pk": "report"} for name in (
        "detail", "preview", "issue-add", "review", "approve", "publish", "new-version")},
    "reports:issue-edit": {"pk": "report", "issue_pk": "report_issue"},
    "reports:issue-remove": {"pk": "report", "issue_pk": "report_issue"},
    **{f"reports-public:{name}": {"slug": "organisation_slug", "period": "report_period"}
       for name in ("report", "pdf", "json")},
    **{f"reports-public:{name}": {"slug": "organisation_slug", "period": "report_period", "number": "report_version"}
       for name in ("report-version", "pdf-version", "json-version")},
    "reports-public:index": {"slug": "organisation_slug"},
    "api:add_issue": {"body.risk_id": "risk"},
    # Shared assessments (collaboration/): the world's shared assessment, its engagement and pool partner, the
    # invitation addressed to the world's organisation; an organisation to invite is one of the installation's
    # (listed by name to every member that invites: never swapped)
    **{f"collaboration:{name}": {"pk": "shared"} for name in (
        "detail", "invite", "leave", "engagement-add", "partner-add", "engagements", "partners", "heard")},
    "collaboration:engagement": {"pk": "shared", "engagement_pk": "shared_engagement"},
    "collaboration:partner": {"pk": "shared", "partner_pk": "pool_partner"},
    "collaboration:partner-withdraw": {"partner_pk": "pool_partner"},
    "collaboration:invitation-accept": {"invitation_pk": "shared_invitation"},
    "collaboration:invitation-decline": {"invitation_pk": "shared_invitation"},
    "api:share_assessment": {"body.assessment_id": "assessment_to_share"},
    "api:accept_shared_invitation": {"invitation_id": "shared_invitation"},
    "api:decline_shared_invitation": {"invitation_id": "shared_invitation"},
    "api:withdraw_pool_consent": {"partner_id": "pool_partner"},
    **{f"api:{name}": {"shared_id": "shared"} for name in (
        "get_shared_assessment", "leave_shared_assessment", "list_shared_engagements", "list_pool_partners",
        "shared_heard")},
    "api:invite_organisation": {"shared_id": "shared", "body.organisation_id": "invitable_organisation"},
    "api:share_engagement": {"shared_id": "shared", "body.engagement_id": "spare_engagement"},
    "api:list_shared_inputs": {"shared_id": "shared", "engagement_id": "shared_engagement"},
    "api:contribute_partner": {"shared_id": "shared", "body.stakeholder_id": "newcomer"},
    "api:pool_partner_load": {"shared_id": "shared", "partner_id": "pool_partner"},
    "api:request_pool_partner": {"shared_id": "shared", "partner_id": "pool_partner",
                                 "body.engagement_id": "shared_engagement"},
    # Regional and country assessments (assessments/): the world's assessment, its phase, partner, training
    # session and question, the engagement held inside it and its finding (assessments/tests/worlds.py)
    **{f"assessments:{name}": {"pk": "regional_assessment"} for name in (
        "detail", "edit", "heard", "phase-add", "partner-add", "session-add", "engagements", "finding-add")},
    "assessments:phase-edit": {"pk": "regional_assessment", "phase_pk": "assessment_phase"},
    "assessments:phase-remove": {"pk": "regional_assessment", "phase_pk": "assessment_phase"},
    "assessments:partner-edit": {"pk": "regional_assessment", "partner_pk": "assessment_partner"},
    "assessments:partner-remove": {"pk": "regional_assessment", "partner_pk": "assessment_partner"},
    **{f"assessments:{name}": {"pk": "regional_assessment", "session_pk": "training_session"} for name in (
        "session", "session-attendance", "session-material", "question-add")},
    "assessments:question-answer": {"pk": "regional_assessment", "session_pk": "training_session",
                                    "question_pk": "training_question"},
    "assessments:engagement-remove": {"pk": "regional_assessment", "engagement_pk": "held_engagement"},
    **{f"assessments:{name}": {"pk": "regional_assessment", "finding_pk": "finding"} for name in (
        "finding", "finding-new-risk", "finding-update-risk")},
    **{f"api:{name}": {"assessment_id": "regional_assessment"} for name in (
        "get_assessment", "update_assessment", "list_assessment_phases", "set_assessment_phase",
        "list_assessment_partners", "list_training_sessions", "record_training_session",
        "list_assessment_engagements", "list_assessment_findings", "record_assessment_finding", "assessment_heard")},
    "api:remove_assessment_phase": {"assessment_id": "regional_assessment", "phase_id": "assessment_phase"},
    "api:add_assessment_partner": {"assessment_id": "regional_assessment", "body.stakeholder_id": "stakeholder"},
    **{f"api:{name}": {"assessment_id": "regional_assessment", "partner_id": "assessment_partner"} for name in (
        "change_assessment_partner", "remove_assessment_partner")},
    **{f"api:{name}": {"assessment_id": "regional_assessment", "session_id": "training_session"} for name in (
        "get_training_session", "upload_training_material", "set_training_attendees", "record_training_question")},
    "api:answer_training_question": {"assessment_id": "regional_assessment", "session_id": "training_session",
                                     "question_id": "training_question"},
    # An engagement of another organisation in the body is a 400 naming `engagement_ids` (test_isolation_body_ids).
    "api:link_assessment_engagements": {"assessment_id": "regional_assessment"},
    "api:unlink_assessment_engagement": {"assessment_id": "regional_assessment", "engagement_id": "held_engagement"},
    **{f"api:{name}": {"assessment_id": "regional_assessment", "finding_id": "finding"} for name in (
        "get_assessment_finding", "assessment_finding_new_risk")},
    "api:assessment_finding_update_risk": {"assessment_id": "regional_assessment", "finding_id": "finding",
                                           "body.risk_id": "risk"},
    # Competing claims (consensus/views/claims.py, consensus/api/claims.py): the world's claim on its risk, held by
    # its participant; the decision linked to that risk weighs it; a new claim is on the risk, held by the participant
    **{f"consensus:{name}": {"engagement_pk": "engagement"} for name in ("claims", "claim-new")},
    **{f"consensus:{name}": {"pk": "claim"} for name in ("claim-edit", "claim-remove")},
    "consensus:claims-on-risk": {"risk_pk": "risk"},
    "consensus:claims-on-decision": {"decision_pk": "decision"},
    "consensus:claim-weigh": {"decision_pk": "decision", "claim_pk": "claim"},
    **{f"api:{name}": {"claim_id": "claim"} for name in ("get_claim", "delete_claim")},
    "api:create_claim": {"body.engagement_id": "engagement", "body.matter_id": "risk",
                         "body.holder_id": "participation"},
    "api:update_claim": {"claim_id": "claim", "body.matter_id": "risk", "body.holder_id": "participation"},
    "api:weigh_claim": {"decision_id": "decision", "claim_id": "claim"},
    "api:list_claim_weighings": {"decision_id": "decision"},
    # Consensus exercises, the facilitator's side (consensus/views/exercises.py, consensus/api/exercises.py): the
    # world's exercise, its accepted statement, its link-only voter (consensus/tests/worlds.py)
    "consensus:exercise-new": {"engagement_pk": "engagement"},
    **{f"consensus:{name}": {"pk": "exercise"} for name in (
        "exercise", "exercise-edit", "exercise-open", "exercise-close", "statement-add", "participants-invite",
        "room")},
    "consensus:statement-moderate": {"pk": "exercise", "statement_pk": "pending_statement"},
    **{f"consensus:{name}": {"pk": "exercise", "participant_pk": "link_voter"} for name in (
        "link-reissue", "link-free", "link-revoke")},
    # A matter, a participant of the engagement or a statement of another organisation in a body is a 400 naming
    # the field (test_isolation_body_ids); the engagement an exercise is set up in is reached like a path id (404).
    "api:create_consensus_exercise": {"body.engagement_id": "engagement"},
    **{f"api:{name}": {"exercise_id": "exercise"} for name in (
        "get_consensus_exercise", "update_consensus_exercise", "open_consensus_exercise", "close_consensus_exercise",
        "list_exercise_statements", "add_exercise_statement", "list_exercise_participants",
        "add_exercise_link_participants", "add_exercise_room_participants")},
    "api:invite_exercise_participants": {"exercise_id": "exercise"},
    "api:moderate_exercise_statement": {"exercise_id": "exercise", "statement_id": "pending_statement"},
    **{f"api:{name}": {"exercise_id": "exercise", "participant_id": "link_voter"} for name in (
        "reissue_voting_link", "free_voting_link", "revoke_voting_link")},
    "api:record_exercise_room_votes": {"exercise_id": "exercise"},
    # Consensus results (consensus/views/results.py, consensus/api/runs.py): the world's exercise and its run
    **{f"consensus:{name}": {"pk": "exercise"} for name in ("results", "analyse", "send-outcome", "runs")},
    **{f"consensus:{name}": {"pk": "exercise", "run_pk": "run"} for name in ("run", "results-to-inputs")},
    **{f"api:{name}": {"exercise_id": "exercise"} for name in (
        "list_exercise_analysis_runs", "request_exercise_analysis", "get_exercise_outcome", "send_exercise_outcome")},
    **{f"api:{name}": {"exercise_id": "exercise", "run_id": "run"} for name in (
        "get_analysis_run", "get_analysis_map", "analysis_results_to_inputs")},
    # Pol.is files in and out (consensus/views/polis.py, consensus/api/polis.py): the world's exercise
    "consensus:polis-import": {"pk": "exercise"},
    "consensus:polis-export": {"pk": "exercise"},
    "api:import_polis": {"exercise_id": "exercise"},
    "api:export_polis": {"exercise_id": "exercise"},
    # Voting (consensus/public_urls.py, portal/sections/exercises.py, consensus/api/votes.py): the link-only voter's
    # signed link (a credential, never swapped), the world's exercise, its voter by number (a number, not an id)
    **{f"consensus-public:{name}": {"token": "voting_token"} for name in ("vote", "write")},
    **{f"portal:exercises:{name}": {"pk": "exercise"} for name in ("vote", "write")},
    **{f"api:{name}": {"exercise_id": "exercise"} for name in ("list_exercise_votes", "record_exercise_votes")},
    "api:next_statement_for_participant": {"exercise_id": "exercise", "participant_number": "voter_number"},
}
_BY_PARAM = {"stakeholder_id": "stakeholder", "engagement_id": "engagement", "input_id": "input",
             # Affected groups (stakeholders/group_api.py)
             "group_id": "group", "representation_id": "representation",
             # The risks API (risks/api.py)
             "risk_id": "risk", "mitigation_id": "mitigation", "decision_id": "decision", "event_id": "event",
             "condition_id": "condition",
             # Public consultations (consultations/)
             "consultation_id": "consultation", "import_id": "response_import", "import_pk": "response_import",
             "theme_id": "theme", "theme_pk": "theme", "response_id": "response", "response_pk": "response",
             "token": "public_token",
             # Relationship quality (relationships/rating_api.py)
             "round_id": "rating_round",
             # The resourcing ledger (resourcing/api.py)
             "payment_id": "payment", "grant_id": "grant", "tranche_id": "tranche",
             # Relationship agreements (relationships/agreement_*.py)
             "agreement_id": "agreement",
             # The grievance mechanism (grievances/api_*.py); the public pages and operations name the organisation
             # by its slug
             "grievance_id": "grievance", "plan_id": "remedy_plan", "action_id": "remedy_action",
             "slug": "organisation_slug",
             # The board view (oversight/api.py)
             "pack_id": "board_pack",
             # Public reports (disclosure/report_api.py)
             "report_id": "report"}
_PK_BY_PREFIX = (("stakeholders:", "stakeholder"), ("engagements:", "engagement"), ("risks:", "risk"),
                 ("consultations:", "consultation"))

# What stands for the same object when the route is asked about the high-safety stakeholder instead.
PROTECTED_SWAP = {
    "stakeholder": "protected", "twin": "protected", "newcomer": "protected", "flag": "protected_flag",
    "consent": "protected_consent", "protected": "protected", "protected_grant": "protected_grant",
}


# Kinds that are never replaced by another organisation's: an organisation's slug is its public address (anyone may
# open the grievance pages of any organisation, so the foreign one answers as the own one does, and an unknown
# slug 404: test_access_matrix checks that apart), and a grievance's receipt is the person's own credential, carried
# by the request as a bearer token is (a receipt opens its case at its own organisation only: checked apart too).
# An open data table is named by its key, the same in every organisation's data package.
UNSWAPPED = frozenset({"organisation_slug", "grievance_receipt", "open_data_table", "report_period",
                       "report_version", "invitable_organisation", "voting_token", "voter_number"})


def objects_of(route: Route) -> dict[str, str]:
    """Each id parameter of the route (path and API body) and the kind of world object that fills it."""
    explicit = ROUTE_OBJECTS.get(route.name, {})
    chosen = {}
    for param in route.params:
        if param in explicit:
            chosen[param] = explicit[param]
        elif param in _BY_PARAM:
            chosen[param] = _BY_PARAM[param]
        elif param == "pk" and route.name.startswith(tuple(p for p, _k in _PK_BY_PREFIX)):
            chosen[param] = next(kind for prefix, kind in _PK_BY_PREFIX if route.name.startswith(prefix))
        else:
            raise AssertionError(
                f"No object rule for id {param!r} of route {route.name} ({route.pattern}): "
                "add it to ROUTE_OBJECTS in rightsloop/core/tests/access_worlds.py."
            )
    chosen.update({param: kind for param, kind in explicit.items() if param.startswith("body.")})
    return chosen


def swappable(route: Route) -> dict[str, str]:
    """The id parameters of the route that another organisation's object, or a missing id, may fill."""
    return {param: kind for param, kind in objects_of(route).items() if kind not in UNSWAPPED}


def names_a_stakeholder(route: Route) -> bool:
    return any(kind in PROTECTED_SWAP for kind in objects_of(route).values())


# API request bodies: valid enough that the schema passes, so the answer is the access check's.
def api_body(route: Route, ids: dict[str, int]) -> dict:
    today = timezone.localdate().isoformat()
    engagement = {"title": "Matrix engagement", "type": "workshop", "phases": ["identify"], "starts_on": today}
    bodies = {
        "api:create_stakeholder": {"name": "Matrix person", "kind": "affected", "country": "KE"},
        "api:update_stakeholder": {},
        "api:add_consent": {"scope": "contact", "granted": True, "method": "verbal", "given_on": today},
        "api:erase_stakeholder": {"reason": "matrix test"},
        "api:search_stakeholders": {"q": "matrix"},
        # Affected groups (stakeholders/group_api.py)
        "api:create_group": {"name": "Matrix group", "countries": ["KE"]},
        "api:update_group": {"size_estimate": 10},
        "api:delete_group": {},
        "api:add_group_member": {"stakeholder_id": ids.get("body.stakeholder_id")},
        "api:remove_group_member": {},
        "api:add_group_representation": {"proxy_id": ids.get("body.proxy_id"), "legitimacy_basis": "Matrix"},
        "api:update_group_representation": {"evidence": "Matrix evidence"},
        "api:end_group_representation": {},
        "api:link_group_risks": {"risk_ids": [ids.get("body.risk_ids")]},
        "api:unlink_group_risks": {"risk_ids": [ids.get("body.risk_ids")]},
        # Too short a reason: a protected person's identity is refused (400), so no matrix answer shows it.
        "api:reveal_stakeholder": {"reason": "short"},
        "api:export_stakeholder_with_reason": {"reveal_reason": ""},
        "api:create_engagement": engagement,
        "api:update_engagement": engagement,
        "api:add_participant": {"stakeholder_id": ids.get("body.stakeholder_id"),
                                "via_proxy_id": ids.get("body.via_proxy_id")},
        "api:record_input": {"text": "Matrix input", "speaker_id": ids.get("body.speaker_id")},
        # Engagement load (S3)
        "api:put_load_thresholds": {"warn_90": 4, "warn_365": 12},
        "api:triage_input": {},
        "api:correct_input": {},
        "api:withdraw_input": {"reason": "Matrix withdrawal"},
        "api:merge_input": {"duplicate_id": ids.get("body.duplicate_id")},
        "api:cancel_engagement": {"reason": "Matrix cancellation"},
        "api:decide": {"outcome": "not_adopted", "rationale": "Out of scope for this product."},
        "api:deliver_feedback": {"channel": "in_person"},
        "api:set_letter_note": {"note": "Matrix note"},
        "api:attach_letter_translation": {"text": "Matrix translation", "language": "sw"},
        "api:remove_letter_translation": {},
        "api:send_ready_reports": {},
        # The risks API (risks/api.py)
        "api:create_risk": {"title": "Matrix risk", "product": "Messenger", "involvement": "cause", "scale": 2,
                            "scope": 2, "irremediability": 2, "likelihood": 2, "review_on": today,
                            "rights": ["privacy"], "markets": ["KE"]},
        "api:update_risk": {"likelihood": 4, "reason": "matrix test"},
        "api:add_mitigation": {"action": "Matrix mitigation"},
        "api:update_mitigation": {"status": "in_progress", "why": "matrix test"},
        "api:assess_mitigation": {"judgement": "effective", "reasoning": "Matrix assessment"},
        "api:reassess_mitigation": {"judgement": "effective", "note": "Matrix reassessment"},
        "api:link_risk_inputs": {"input_ids": [ids.get("body.input_ids")]},
        "api:unlink_risk_inputs": {"input_ids": [ids.get("body.input_ids")]},
        "api:link_input": {"risk_ids": [ids.get("body.risk_ids")]},
        "api:unlink_input": {"risk_ids": [ids.get("body.risk_ids")]},
        "api:create_strategic_decision": {"title": "Matrix decision", "category": "market_entry"},
        "api:update_strategic_decision": {"description": "Matrix change"},
        "api:decide_strategic_decision": {},
        "api:sign_off_strategic_decision": {"comment": "Matrix comment"},
        "api:override_local_voices": {"reason": "Matrix reason for the override"},
        "api:put_local_voice_thresholds": {"experts": 1, "affected": 1},
        "api:withdraw_local_voices_override": {},
        "api:decline_strategic_decision": {"comment": "Matrix comment"},
        "api:add_decision_condition": {"text": "Matrix condition", "due_on": today},
        "api:update_decision_condition": {"status": "met"},
        "api:record_context_event": {"title": "Matrix event", "kind": "new_law", "occurred_on": today,
                                     "countries": ["KE"]},
        "api:set_escalation_rules": {"rules": [{"level": "board", "min_severity": 12, "min_likelihood": 3}]},
        "api:preview_escalation_rules": {"rules": [{"level": "board", "min_severity": 12, "min_likelihood": 3}]},
        "api:adopt_default_escalation_rules": {},
        "api:keep_escalation_rules": {},
        # Public consultations (consultations/api/)
        "api:open_consultation": {"title": "Matrix consultation", "starts_on": today},
        "api:change_consultation_settings": {"review_threshold": 0.4},
        # Consultation imports (consultations/api/imports.py); the upload is multipart, so its JSON body is refused.
        "api:upload_import": {},
        "api:map_import_columns": {"text": "response"},
        "api:confirm_import": {"only_valid": True},
        "api:resume_import": {},
        "api:rollback_import": {},
        "api:cancel_import": {},
        # Consultation analysis and themes (consultations/api/themes.py)
        "api:start_theme_discovery": {"seed": 0},
        "api:start_theme_assignment": {"seed": 0},
        "api:add_theme": {"label": "Matrix theme"},
        "api:merge_themes": {"theme_ids": [ids.get("theme_id", 1), MISSING_ID]},
        "api:finalise_themes": {},
        "api:rename_theme": {"label": "Matrix label"},
        "api:delete_theme": {},
        "api:split_theme": {"parts": 2},
        "api:link_theme": {"rights": ["privacy"]},
        "api:route_theme": {"owning_function": "product"},
        "api:theme_example": {"action": "confirm"},
        "api:review_response": {"theme_ids": []},
        # Consultation decisions and messages (consultations/api/outcomes.py)
        "api:decide_theme": {"outcome": "adopted"},
        "api:start_messages": {},
        "api:resume_messages": {},
        # Portal links (portal/api.py)
        "api:issue_portal_link": {"stakeholder_id": ids.get("body.stakeholder_id"), "channel": "handed_over"},
        "api:revoke_portal_link": {},
        # Relationship quality (relationships/rating_api.py)
        "api:create_round": {"title": "Matrix round", "opens_on": today, "closes_on": today, "kind": "affected"},
        "api:close_round": {},
        "api:record_rating": {"round_id": ids.get("body.round_id"), "stakeholder_id": ids.get("body.stakeholder_id"),
                              "trust": 3, "influence": 3, "burden": 3, "usefulness": 3, "safety": 3},
    }
    # The resourcing ledger (resourcing/api.py)
    bodies.update({
        "api:create_payment": {"stakeholder_id": ids.get("body.stakeholder_id"), "kind": "honorarium",
                               "amount": "100.00", "currency": "EUR"},
        "api:update_payment": {"amount": "120.00"},
        "api:move_payment": {"to": "accepted"},
        "api:create_grant": {"grantee_id": ids.get("body.grantee_id"), "funder": "Matrix fund", "purpose": "Matrix",
                             "currency": "KES", "tranches": [{"due_on": today, "amount": "10.00"}]},
        "api:move_grant": {"to": "accepted"},
        "api:add_tranche": {"due_on": today, "amount": "10.00"},
        "api:move_tranche": {"to": "cancelled"},
    })
    # Relationship agreements (relationships/agreement_api.py)
    terms = {"starts_on": today, "review_on": (timezone.localdate() + datetime.timedelta(days=365)).isoformat()}
    bodies.update({
        "api:create_agreement": {"stakeholder_id": ids.get("body.stakeholder_id"), **terms},
        "api:update_agreement": terms,
        "api:propose_agreement": {},
        "api:answer_agreement": {"answer": "accepted", "via": "email"},
        "api:revise_agreement": {},
        "api:review_agreement": {},
        "api:end_agreement": {"reason": "Matrix end"},
    })
    # The grievance mechanism (grievances/api_*.py). Only the path and body ids of ROUTE_OBJECTS come from the world;
    # the other ids are ones no member has (a 400, past the access check).
    receipt = ids.get("body.receipt")
    bodies.update({
        "api:record_grievance": {"channel": "hotline", "description": "Matrix grievance"},
        "api:grievance_record": {"channel": "hotline", "description": "Matrix grievance"},
        "api:acknowledge_grievance": {"note": "Matrix acknowledgement"},
        "api:move_grievance": {"to": "investigating"},
        "api:assign_grievance": {"handler_id": None},
        "api:exclude_from_grievance": {"user_id": MISSING_ID, "reason": "Matrix exclusion"},
        "api:add_grievance_message": {"kind": "internal", "text": "Matrix note"},
        "api:record_grievance_outcome": {"summary": "Matrix outcome"},
        "api:review_grievance_rights": {},
        "api:classify_grievance": {"rights": ["privacy"], "country": "KE"},
        "api:link_grievance": {"kind": "risk", "id": ids.get("body.id")},
        "api:unlink_grievance": {"kind": "decision", "id": ids.get("body.id")},
        "api:make_grievance_risk": {"title": "Matrix risk", "involvement": "cause", "scale": 2, "scope": 2,
                                    "irremediability": 2, "likelihood": 2, "rights": ["privacy"]},
        "api:put_grievance_settings": {"intake_open": True, "acknowledge_days": 7, "respond_days": 90,
                                       "escalate_after_days": 7},
        "api:post_assessment": {"criterion": "accessible", "assessment": "partly"},
        # The board view: a pack for the running quarter; a briefing held today with nobody named
        "api:request_pack": {"period": today[:4]},
        # A public report for a period no world has yet; an issue named in words for publication
        "api:create_report": {"period": "2024", "title": "Matrix report"},
        "api:update_report": {"commitment": "Matrix commitment"},
        "api:add_issue": {"public_title": "Matrix issue", "risk_id": ids.get("body.risk_id")},
        **{f"api:{name}": {} for name in ("review_report", "approve_report", "publish_report",
                                          "new_report_version")},
        "api:record_briefing": {"held_on": today, "kind": "briefing", "topic": "Matrix briefing"},
        # Shared assessments (collaboration/api.py)
        "api:share_assessment": {"assessment_id": ids.get("body.assessment_id")},
        "api:accept_shared_invitation": {},
        "api:decline_shared_invitation": {},
        "api:withdraw_pool_consent": {},
        "api:leave_shared_assessment": {},
        "api:invite_organisation": {"organisation_id": ids.get("body.organisation_id")},
        "api:share_engagement": {"engagement_id": ids.get("body.engagement_id")},
        "api:contribute_partner": {"stakeholder_id": ids.get("body.stakeholder_id"), "role": "facilitator",
                                   "languages": ["sw"], "consent_method": "written", "consent_given_on": today},
        "api:request_pool_partner": {"engagement_id": ids.get("body.engagement_id")},
        # Regional and country assessments (assessments/api.py)
        "api:create_assessment": {"title": "Matrix assessment", "technology": "Matrix technology",
                                  "countries": ["KE"], "starts_on": today, "ends_on": today},
        "api:update_assessment": {"status": "in_progress"},
        "api:set_assessment_phase": {"kind": "analysis", "starts_on": today, "ends_on": today, "progress": 10},
        "api:remove_assessment_phase": {},
        "api:add_assessment_partner": {"stakeholder_id": ids.get("body.stakeholder_id"), "role": "interpreter",
                                       "languages": ["sw"]},
        "api:change_assessment_partner": {"role": "interpreter"},
        "api:remove_assessment_partner": {},
        "api:record_training_session": {"held_on": today, "title": "Matrix session", "language": "sw"},
        "api:upload_training_material": {},
        "api:set_training_attendees": {"attendee_ids": []},
        "api:record_training_question": {"question": "Matrix question"},
        "api:answer_training_question": {"answer": "Matrix answer"},
        "api:link_assessment_engagements": {"engagement_ids": [MISSING_ID]},
        "api:unlink_assessment_engagement": {},
        "api:record_assessment_finding": {"title": "Matrix finding"},
        "api:assessment_finding_new_risk": {"title": "Matrix risk", "product": "Messenger", "involvement": "cause",
                                            "scale": 2, "scope": 2, "irremediability": 2, "likelihood": 2,
                                            "review_on": today, "rights": ["privacy"]},
        "api:assessment_finding_update_risk": {"risk_id": ids.get("body.risk_id"), "likelihood": 4,
                                               "reason": "Matrix finding"},
        # Competing claims (consensus/api/claims.py)
        "api:create_claim": {"engagement_id": ids.get("body.engagement_id"), "matter": "risk",
                             "matter_id": ids.get("body.matter_id"), "side": "Matrix side", "holder": "participant",
                             "holder_id": ids.get("body.holder_id"), "rights": ["privacy"],
                             "statement": "Matrix claim"},
        "api:update_claim": {"side": "Matrix side", "matter": "risk", "matter_id": ids.get("body.matter_id"),
                             "holder": "participant", "holder_id": ids.get("body.holder_id")},
        "api:delete_claim": {},
        "api:weigh_claim": {"how_weighed": "Matrix weighing"},
        # Consensus exercises, the facilitator's side (consensus/api/exercises.py); the room's voter is number 2
        "api:create_consensus_exercise": {"engagement_id": ids.get("body.engagement_id"), "question": "Matrix?"},
        "api:update_consensus_exercise": {"description": "Matrix"},
        **{f"api:{name}": {} for name in ("open_consensus_exercise", "close_consensus_exercise",
                                          "reissue_voting_link", "free_voting_link", "revoke_voting_link")},
        "api:add_exercise_statement": {"text": "Matrix statement"},
        "api:moderate_exercise_statement": {"moderation": "accepted"},
        "api:invite_exercise_participants": {"participation_ids": [MISSING_ID]},
        "api:add_exercise_link_participants": {"count": 1},
        "api:add_exercise_room_participants": {"count": 1},
        "api:record_exercise_votes": {"votes": [{"participant": 0, "statement": 0, "value": 1}]},
        "api:record_exercise_room_votes": {"statement_id": MISSING_ID, "votes": [{"participant": 2, "value": 1}]},
        # Consensus results (consensus/api/runs.py)
        "api:request_exercise_analysis": {},
        "api:analysis_results_to_inputs": {"picks": [{"statement": 0, "kind": "consensus_agree"}]},
        "api:send_exercise_outcome": {},
        # Pol.is import (consensus/api/polis.py): the upload is multipart, so its JSON body is refused (400).
        "api:import_polis": {},
        # The open data (disclosure/api.py): withdrawn (rolled back like every request)
        "api:put_open_data": {"published": False},
        "api:create_remedy_plan": {"case_ids": [ids.get("body.case_ids")], "title": "Matrix plan"},
        "api:add_remedy_plan_case": {"case_id": ids.get("body.case_id")},
        "api:add_remedy_proposal": {"case_id": ids.get("body.case_id"), "text": "Matrix proposal"},
        "api:add_remedy_action": {"remedy_type": "restitution", "description": "Matrix action",
                                  "owner_id": MISSING_ID, "due_on": today},
        "api:update_remedy_action": {"description": "Matrix action changed"},
        "api:deliver_remedy_action": {},
        "api:confirm_remedy_action": {"case_id": ids.get("body.case_id"), "answer": "confirmed"},
        # The person's side (no token)
        "api:public_grievance_submit": {"description": "Matrix grievance"},
        "api:public_grievance_follow_up": {"receipt": receipt},
        "api:public_grievance_reply": {"receipt": receipt, "text": "Matrix reply"},
        "api:public_grievance_satisfaction": {"receipt": receipt, "satisfaction": "satisfied"},
        "api:public_grievance_appeal": {"receipt": receipt, "reason": "Matrix appeal"},
        "api:propose_remedy_by_receipt": {"receipt": receipt, "text": "Matrix proposal"},
        "api:confirm_remedy_by_receipt": {"receipt": receipt, "action_id": ids.get("body.action_id"),
                                          "answer": "confirmed"},
        "api:agree_remedy_by_receipt": {"receipt": receipt, "agree": True},
    })
    if route.name not in bodies:
        raise AssertionError(f"No request body for {route.methods[0]} {route.name}: add one to api_body().")
    return bodies[route.name]


# Worlds ----------------------------------------------------------------------

@dataclass
class Member:
    viewer: Viewer
    page: Client
    api_token: str


@dataclass
class World:
    marker: str
    builder: Viewer
    objects: dict[str, object] = field(default_factory=dict)
    tokens: dict[int, object] = field(default_factory=dict)  # user id -> that member's ApiToken

    def id_of(self, kind: str, member: Member | None) -> int:
        if kind == "token":
            if member is None or member.viewer.organisation != self.builder.organisation:
                return self.tokens[self.builder.user.pk].pk
            return self.tokens[member.viewer.user.pk].pk
        if kind == "public_token":
            return self.objects["consultation"].public_token
        if kind == "portal_token":  # the token of a portal link, itself stored nowhere
            return self.objects["portal_token"]
        if kind == "organisation_slug":  # the public grievance pages' address (/g/<slug>/)
            return self.builder.organisation.slug
        if kind == "voting_token":  # a participant's voting link, itself stored nowhere
            return self.objects["voting_token"]
        if kind == "voter_number":  # a participant's number in the exercise (0: the world's voter)
            return self.objects["voter"].number
        if kind == "grievance_receipt":  # the person's receipt of the world's case, itself stored nowhere
            return self.objects["grievance_receipt"]
        if kind == "open_data_table":  # a table of the open data, named by its key, the same for everyone
            return "engagements-by-type"
        if kind == "report_period":  # a published report's address: /r/<slug>/<period>/
            return self.objects["report"].period
        if kind == "report_version":  # the number of the world's published version
            return 1
        if kind == "invitable_organisation":  # any organisation of the installation may be invited by id
            return self.objects["invitable_organisation"].pk
        return self.objects[kind].pk


def build_world(builder: Viewer, marker: str, *, grant_holders: list[Viewer] = ()) -> World:
    """One organisation's objects, built through the actions; every name and text carries the marker."""
    today = timezone.localdate()
    world = World(marker=marker, builder=builder)
    o = world.objects
    o["proxy"] = make_stakeholder(builder, name=f"{marker} proxy", kind="proxy", email="proxy@example.net")
    o["stakeholder"] = make_stakeholder(builder, name=f"{marker} person", email="person@example.net",
                                        notes=f"{marker} notes")
    o["twin"] = make_stakeholder(builder, name=f"{marker} person", email="person@example.net")
    o["flag"] = o["twin"].duplicate_flags.get(other=o["stakeholder"])
    o["newcomer"] = make_stakeholder(builder, name=f"{marker} newcomer")
    o["consent"] = stakeholder_actions.record_consent(
        stakeholder=o["stakeholder"], scope="contact", granted=True, method="verbal", given_on=today, by=builder)
    o["engagement"] = make_engagement(builder, title=f"{marker} engagement")
    o["participation"] = make_participation(builder, o["engagement"], o["stakeholder"])
    o["input"] = make_input(builder, o["engagement"], o["participation"], text=f"{marker} said this",
                            owning_function="product")
    o["legal_input"] = make_input(builder, o["engagement"], o["participation"],
                                  text=f"{marker} {LEGAL} for legal only", owning_function="legal")
    o["briefing"] = engagement_actions.add_briefing(
        engagement=o["engagement"], title=f"{marker} briefing", shared_on=today, by=builder,
        file=SimpleUploadedFile("briefing.txt", f"{marker} briefing text".encode()))
    # Someone invited but silent (participant-remove succeeds on them), and the high-safety person.
    other_engagement = make_engagement(builder, title=f"{marker} second engagement")
    o["newcomer_participation"] = make_participation(builder, o["engagement"], make_stakeholder(
        builder, name=f"{marker} silent"))
    identity = f"{marker} {PROTECTED}" if marker == OWN else marker
    first = make_stakeholder(builder, name=f"{identity} defender", safety_level="high",
                             email="defender@example.net", notes=f"{identity} notes")
    o["protected"] = make_stakeholder(builder, name=f"{identity} defender", safety_level="high",
                                      email="defender@example.net", messenger_handle=f"{identity}")
    o["protected_first"] = first
    o["protected_flag"] = o["protected"].duplicate_flags.get(other=first)
    o["protected_consent"] = stakeholder_actions.record_consent(
        stakeholder=o["protected"], scope="contact", granted=True, method="verbal", given_on=today, by=builder)
    o["protected_grant"] = o["protected"].grants.active().get(user=builder.user)
    o["protected_participation"] = make_participation(builder, o["engagement"], o["protected"], via_proxy=o["proxy"])
    make_participation(builder, other_engagement, first, via_proxy=o["proxy"])
    for holder in grant_holders:
        for person in (first, o["protected"]):
            stakeholder_actions.grant_access(stakeholder=person, user=holder.user, reason="matrix member", by=builder)
    o["risk"] = make_risk(builder, title=f"{marker} risk", markets=["KE"])
    # An affected group with the person and the high-safety person as members, which the proxy speaks for
    # (besides the group the factory gave it, so ending this mandate or deleting the group is allowed).
    o["group"] = make_group(builder, name=f"{marker} group", description=f"{marker} group description")
    for person in (o["stakeholder"], o["protected"]):
        stakeholder_groups.add_member(group=o["group"], stakeholder=person, by=builder)
    o["representation"] = stakeholder_groups.represent(
        proxy=o["proxy"], group=o["group"], mandate=stakeholder_groups.Mandate(f"{marker} mandate"), by=builder)
    stakeholder_groups.link_risks(group=o["group"], risks=[o["risk"]], by=builder)
    # The proxy taking part in its own name, so that it can relay the group's words (api:record_input group_id).
    o["proxy_participation"] = make_participation(builder, o["engagement"], o["proxy"])
    o["spare_group"] = make_group(builder, name=f"{marker} spare group")
    o["mitigation"] = make_mitigation(builder, o["risk"], action=f"{marker} mitigation")
    # Named so that the board, who may see mitigations, may see it too (its text starts "<marker> mitigation").
    o["indicator"] = risk_actions.add_indicator(mitigation=o["mitigation"], name=f"{marker} mitigation indicator",
                                                by=builder)
    # Evidence an effectiveness assessment can cite (risks:mitigation-assess, api:assess_mitigation).
    o["evidence"] = risk_actions.record_evidence(indicator=o["indicator"], observed_on=today,
                                                 value=f"{marker} mitigation evidence", by=builder)
    # Strategic decisions and context events: a draft decision consulting the engagement, and an event
    # that flags the world's mitigation (its mail is sent on commit, which these tests never reach).
    o["decision"] = risk_actions.create_strategic_decision(plan=risk_actions.DecisionPlan(
        title=f"{marker} decision", category="market_entry", risks=[o["risk"]], engagements=[o["engagement"]]),
        by=builder)
    # A condition of that decision, owned by the builder; named so that whoever may see the decision may see it.
    o["condition"] = decision_actions.add_condition(decision=o["decision"], text=f"{marker} decision condition",
                                                    owner=builder.user, due_on=today, by=builder)
    o["event"] = risk_actions.record_context_event(title=f"{marker} event", kind="new_law", occurred_on=today,
                                                   countries_touched=["KE"], by=builder)
    o["membership"] = Membership.objects.get(user=builder.user, organisation=builder.organisation)
    # An invitation to an account outside both worlds: the organisation's administrators may withdraw it.
    o["invitation"] = invite_member(organisation=builder.organisation, username=f"{marker}-invitee",
                                    email="invitee@example.net", role=Role.BOARD, by=builder)
    # A public consultation with an applied import, a final theme and its responses (consultations/). Public
    # pages have no "other organisation": anyone may read a published one. The foreign world's stays
    # unpublished, so its public token must answer exactly as a token that does not exist (404).
    o.update(consultation_world(builder, marker, published=marker == OWN))
    # An open rating round asking the person and the high-safety person; the person's low answer flags them.
    o["rating_round"] = rating_actions.open_round(
        viewer=builder, title=f"{marker} rating round", opens_on=today, closes_on=today,
        chooser=rating_actions.Chooser(stakeholder_ids=(o["stakeholder"].pk, o["protected"].pk)))
    rating = rating_actions.record_rating(round=o["rating_round"], stakeholder=o["stakeholder"], by=builder,
                                          scores={"trust": 1, "influence": 3, "burden": 3, "usefulness": 3,
                                                  "safety": 3})
    o["rating_flag"] = rating.flag
    # The stakeholder portal (portal/): a live link for the person (the foreign world's is revoked, so its token
    # answers as one nobody issued) and their pending erasure request.
    o["portal_link"], o["portal_token"] = portal_links.mint(stakeholder=o["stakeholder"])
    if marker != OWN:
        PortalLink.objects.filter(pk=o["portal_link"].pk).update(revoked_at=timezone.now())
    o["erasure_request"] = portal_details.request_erasure(stakeholder=o["stakeholder"])
    # An offered payment and an offered grant to the person (the ledger, resourcing/).
    o["payment"] = make_payment(builder, o["stakeholder"], description=f"{marker} payment")
    o["grant"] = make_grant(builder, o["stakeholder"], funder=f"{marker} funder", purpose=f"{marker} purpose")
    o["tranche"] = o["grant"].tranches.first()
    # A drafted agreement with the person (relationships/agreements.py), its terms carrying the marker.
    o["agreement"] = agreement_actions.create_agreement(stakeholder=o["stakeholder"], by=builder,
                                                        terms=agreement_actions.AgreementTerms(
        starts_on=today, review_on=today + datetime.timedelta(days=365), nda_scope=f"{marker} NDA scope",
        nda_sunset_on=today + datetime.timedelta(days=90)))
    grievance_world(builder, marker, o)
    oversight_world(builder, marker, o)
    open_data_world(builder)
    report_world(builder, marker, o)
    collaboration_world(builder, marker, o)
    assessment_world(builder, marker, o)
    consensus_world(builder, marker, o)
    return world


def report_world(builder: Viewer, marker: str, o: dict) -> None:
    """A public report (disclosure/): version 1 published (written directly, with its PDF: publishing takes an
    approval by another role), version 2 in draft with a salient issue, its words carrying the marker."""
    from django.core.files.base import ContentFile

    from rightsloop.core import sealed_files
    from rightsloop.disclosure import report_actions, reports
    from rightsloop.disclosure.report_models import Report, ReportVersion

    report = report_actions.create_report(period="2025", title=f"{marker} report", by=builder)
    report_actions.update_report(report=report, by=builder, commitment=f"{marker} report commitment")
    o["report_issue"] = report_actions.save_issue(report=report, public_title=f"{marker} report issue",
                                                  risk=o["risk"], by=builder)
    version = ReportVersion.objects.create(report=report, number=1, language="en", published_at=timezone.now(),
                                           published_by=builder.user, content=reports.content(report, number=1))
    version.pdf.save(sealed_files.file_name("reports", builder.organisation.pk),
                     ContentFile(f"%PDF-1.4 {marker} report".encode()), save=False)
    version.save(update_fields=["pdf", "pdf_pages"])
    Report.objects.filter(pk=report.pk).update(version=2)
    report.refresh_from_db()
    o["report"] = report


def open_data_world(builder: Viewer) -> None:
    """The organisation publishes its open data (disclosure/): a release counting today's records, as one built
    after this quarter ends would (its public pages are the same for everyone, and show no marker but those of a
    published consultation, which its public page shows too)."""
    from rightsloop.disclosure import actions as disclosure_actions

    disclosure_actions.set_open_data(organisation=builder.organisation, published=True, by=builder)
    disclosure_actions.publish_open_data(organisation=builder.organisation,
                                         today=timezone.localdate() + datetime.timedelta(days=100))


def oversight_world(builder: Viewer, marker: str, o: dict) -> None:
    """The board's records (oversight/): a briefing where the person spoke, and a prepared board pack (its file
    written directly: rendering a PDF per world would only slow the matrix)."""
    from django.core.files.base import ContentFile

    from rightsloop.core import sealed_files
    from rightsloop.oversight import actions as oversight_actions
    from rightsloop.oversight.models import BoardPack, PackStatus

    o["board_member"] = make_member(builder.organisation, Role.BOARD).user
    o["board_briefing"] = oversight_actions.record_briefing(
        held_on=timezone.localdate(), kind="stakeholder_session", topic=f"{marker} board briefing", attendees=[],
        stakeholders=[o["stakeholder"]], notes=f"{marker} what the board learnt", by=builder)
    pack = BoardPack.objects.create(organisation=builder.organisation, period="2026-Q1", language="en",
                                    status=PackStatus.READY, progress=100, pages=1, size=20)
    pack.file.save(sealed_files.file_name("board-packs", builder.organisation.pk),
                   ContentFile(f"%PDF-1.4 {marker} board pack".encode()))
    o["board_pack"] = pack


def grievance_world(builder: Viewer, marker: str, o: dict) -> None:
    """The grievance mechanism's objects (grievances/): a case raised on the public page with a file, its receipt,
    a second case in no plan, a remedy plan for the first with a proposal of the affected, an open action and a
    delivered one, and a link to the decision. The words are sealed; each carries the marker."""
    today = timezone.localdate()

    def submit(what: str, **files):
        return grievance_intake.submit_grievance(
            organisation=builder.organisation, channel="web", submission_key=f"{marker} {what}",
            report=grievance_intake.GrievanceReport(
                mode="anonymous", raised_by="affected", description=f"{marker} {what} description",
                wanted_outcome=f"{marker} {what} wanted outcome", country="KE", product="FaceCheck"), **files)

    submitted = submit("grievance", attachments=[SimpleUploadedFile(
        f"{marker}-letter.pdf", f"%PDF-1.4 {marker} letter\n".encode(), content_type="application/pdf")])
    o["grievance"], o["grievance_receipt"] = submitted.grievance, submitted.receipt
    o["attachment"] = submitted.grievance.attachments.get()
    o["spare_grievance"] = submit("second grievance").grievance
    o["remedy_plan"] = grievance_remedy.create_plan(grievances=[o["grievance"]], title=f"{marker} remedy plan",
                                                    by=builder)
    o["proposal"], _created = grievance_remedy.record_proposal(
        plan=o["remedy_plan"], grievance=o["grievance"], text=f"{marker} remedy proposal", via="staff", by=builder)

    def action(what: str):
        return grievance_remedy.add_action(plan=o["remedy_plan"], remedy_type="restitution",
                                           description=f"{marker} {what}", owner=builder.user,
                                           due_on=today + datetime.timedelta(days=30), by=builder)

    o["remedy_action"] = action("remedy action")
    o["delivered_action"] = grievance_remedy.mark_delivered(action=action("delivered action"), by=builder)
    grievance_links.link(grievance=o["grievance"], target=o["decision"], by=builder)


def member(organisation, role: str, sign_in) -> Member:
    viewer = make_member(organisation, role)
    membership = Membership.objects.get(user=viewer.user, organisation=organisation)
    _token, raw = issue_api_token(membership=membership, name="access tests", by=None)
    return Member(viewer=viewer, page=sign_in(viewer), api_token=raw)


def give_tokens(world: World, members: list[Member]) -> None:
    """A revocable token for the builder and each member (the api-token-revoke route's objects)."""
    for viewer in [world.builder, *(m.viewer for m in members)]:
        membership = Membership.objects.get(user=viewer.user, organisation=viewer.organisation)
        # Only the builder's token carries the marker: a member may see their own token's name.
        name = f"{world.marker} token" if viewer == world.builder else "revocable token"
        world.tokens[viewer.user.pk] = issue_api_token(membership=membership, name=name, by=None)[0]


def new_builder(organisation) -> Viewer:
    return make_member(organisation, Role.HR_LEAD)


# Requests --------------------------------------------------------------------

def url_for(route: Route, ids: dict[str, int]) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(ids[match.group(1)]), route.pattern)


def send(member: Member | None, route: Route, method: str, ids: dict[str, int], *, htmx: bool = False):
    """One request as the member (None: anonymous), rolled back afterwards with the client's cookies."""
    client = member.page if member is not None and not route.is_api else Client()
    headers = {}
    if route.is_api and member is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {member.api_token}"
    if htmx:
        headers["HTTP_HX_REQUEST"] = "true"
    url = url_for(route, ids)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}
    with transaction.atomic():
        if route.is_api and method != "GET":
            response = client.generic(method, url, data=json.dumps(api_body(route, ids)),
                                      content_type="application/json", **headers)
        elif method == "GET":
            response = client.get(url, **headers)
        else:
            response = client.post(url, {}, **headers)
        body = body_of(response)
        transaction.set_rollback(True)
    client.cookies.clear()
    for name, value in cookies.items():
        client.cookies[name] = value
    return response, body


def ids_for(route: Route, world: World, member: Member | None, *, swap: dict[str, str] | None = None,
            foreign: World | None = None, foreign_params: frozenset[str] = frozenset()) -> dict[str, int]:
    """The ids filling the route: the world's objects, some swapped for others or taken from a foreign world."""
    ids = {}
    for param, kind in objects_of(route).items():
        kind = (swap or {}).get(kind, kind)
        source = foreign if param in foreign_params and foreign is not None else world
        ids[param] = source.id_of(kind, member)
    return ids

