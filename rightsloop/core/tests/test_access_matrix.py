"""Who may reach what: every route, every role, an own and a foreign object, against one table.

MATRIX below is the single statement of access. Each row is a route name from the resolver and an
HTTP method; each column is a role (a decision maker's function is product); each cell is what the
role gets for its own organisation's object. Another organisation's object answers what
`foreign_outcome` derives from that cell, and exactly what an id that does not exist answers: 404
wherever the role could see or act on its own object, never 200 and never a 403 that a missing id
would not give. A route in the resolver without a row fails the suite, naming the row to add.

Pages are tried with GET and POST (an empty form); API operations with their own method, a bearer
token per role (anonymous: no token) and a body valid enough for the schema, so that the answer is
the access check's. Every request runs in a rolled-back savepoint (access_worlds.send), so one world
serves them all. The same table, read with a high-safety stakeholder in place of the ordinary one,
says what grant holders get; a member without a grant gets what a foreign object gets.
"""

import pytest
from django.core.cache import cache
from django.test import Client

from rightsloop.accounts.models import ApiToken
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_organisation
from rightsloop.core.models import AuditEntry
from rightsloop.grievances.actions.cases import exclude_handler
from rightsloop.stakeholders.pseudonyms import pseudonym
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .access_worlds import (
    FOLLOW_UP,
    FOREIGN,
    LEGAL,
    MEMBER_ROLES,
    MISSING_ID,
    NO_TOKEN,
    NOT_FOUND,
    OK,
    OWN,
    PROTECTED,
    PROTECTED_SWAP,
    REFUSED,
    ROLES,
    SIGN_IN,
    UNSWAPPED,
    build_world,
    foreign_outcome,
    give_tokens,
    ids_for,
    matches,
    member,
    names_a_stakeholder,
    new_builder,
    objects_of,
    outcome_of,
    routes,
    send,
    swappable,
)
from .access_worlds import FORBIDDEN as NO
from .access_worlds import NOT_ALLOWED as POST_ONLY

pytestmark = pytest.mark.django_db

# NO is 403 whatever the id (the role lacks the capability); REFUSED is 403 on an object the role
# may see but not change so (a foreign one is 404). OK includes a 400 for an empty or invalid form.
# POST_ONLY is 405, a GET to a route that only takes POST. The decision maker's function is product.
#                                                   admin      hr_lead    decision   board      auditor    anonymous
MATRIX: dict[tuple[str, str], tuple[str, str, str, str, str, str]] = {
    # Dashboard, audit log, organisation settings
    ("core:home", "GET"):                          (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("core:home", "POST"):                         (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("core:audit", "GET"):                         (OK,        NO,        NO,        NO,        OK,        SIGN_IN),
    ("core:audit", "POST"):                        (OK,        NO,        NO,        NO,        OK,        SIGN_IN),
    ("core:audit-export", "GET"):                  (OK,        NO,        NO,        NO,        OK,        SIGN_IN),
    ("core:audit-export", "POST"):                 (POST_ONLY, NO,        NO,        NO,        POST_ONLY, SIGN_IN),
    ("api:list_audit_log", "GET"):                 (OK,        NO,        NO,        NO,        OK,        NO_TOKEN),
    ("core:organisation", "GET"):                  (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("core:organisation", "POST"):                 (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("set_language", "GET"):                       (OK,        OK,        OK,        OK,        OK,        OK),
    ("set_language", "POST"):                      (OK,        OK,        OK,        OK,        OK,        OK),
    # Sign-in and the second factor (a verified session is sent on; signing out ends at the sign-in page)
    ("accounts:sign-in", "GET"):                   (OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:sign-in", "POST"):                  (OK,        OK,        OK,        OK,        OK,        OK),
    ("accounts:sign-out", "GET"):                  (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("accounts:sign-out", "POST"):                 (SIGN_IN,   SIGN_IN,   SIGN_IN,   SIGN_IN,   SIGN_IN,   SIGN_IN),
    ("accounts:verify", "GET"):                    (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:verify", "POST"):                   (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:enrol", "GET"):                     (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:enrol", "POST"):                    (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    # One's own account (every role)
    ("accounts:account", "GET"):                   (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:account", "POST"):                  (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:replace-authenticator", "GET"):     (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:replace-authenticator", "POST"):    (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:renew-recovery-codes", "GET"):      (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:renew-recovery-codes", "POST"):     (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:change-password", "GET"):           (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:change-password", "POST"):          (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:switch-organisation", "GET"):       (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("accounts:switch-organisation", "POST"):      (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:api-tokens", "GET"):                (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:api-tokens", "POST"):               (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:api-token-revoke", "GET"):          (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:api-token-revoke", "POST"):         (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    # Members (administrators only)
    ("accounts:members", "GET"):                   (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:members", "POST"):                  (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:member-add", "GET"):                (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:member-add", "POST"):               (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:member-edit", "GET"):               (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:member-edit", "POST"):              (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    # Invitations: administrators invite and withdraw; each person answers only those addressed to their
    # own account, which no member of the worlds is (so every id is simply not found to them).
    ("accounts:member-invite", "GET"):             (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:member-invite", "POST"):            (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:invitation-withdraw", "GET"):       (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:invitation-withdraw", "POST"):      (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    ("accounts:invitations", "GET"):               (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:invitations", "POST"):              (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("accounts:invitation-accept", "GET"):         (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("accounts:invitation-accept", "POST"):        (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, SIGN_IN),
    ("accounts:invitation-decline", "GET"):        (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("accounts:invitation-decline", "POST"):       (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, SIGN_IN),
    # Stakeholder register (decision makers and the board never see it)
    ("stakeholders:list", "GET"):                  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:list", "POST"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:create", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:create", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:detail", "GET"):                (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:detail", "POST"):               (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:edit", "GET"):                  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:edit", "POST"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:reveal", "GET"):                (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("stakeholders:reveal", "POST"):               (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:hide", "GET"):                  (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("stakeholders:hide", "POST"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:export", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:export", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:erase", "GET"):                 (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:erase", "POST"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:grant-add", "GET"):             (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:grant-add", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:grant-revoke", "GET"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:grant-revoke", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:consent-add", "GET"):           (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:consent-add", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:consent-withdraw", "GET"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:consent-withdraw", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:duplicate-dismiss", "GET"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:duplicate-dismiss", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # Affected groups and the proxies that speak for them (stakeholders/group_views.py)
    ("stakeholders:group-list", "GET"):            (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:group-list", "POST"):           (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("stakeholders:group-create", "GET"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:group-create", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:group-detail", "GET"):          (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("stakeholders:group-detail", "POST"):         (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("stakeholders:group-edit", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:group-edit", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:group-delete", "GET"):          (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:group-delete", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:group-member-remove", "GET"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:group-member-remove", "POST"):  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:membership-add", "GET"):        (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:membership-add", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:representation-add", "GET"):    (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:representation-add", "POST"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:representation-edit", "GET"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:representation-edit", "POST"):  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:representation-end", "GET"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("stakeholders:representation-end", "POST"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # Engagements, inputs, loop closure
    ("engagements:list", "GET"):                   (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:list", "POST"):                  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:create", "GET"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:create", "POST"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:register", "GET"):                     (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:register", "POST"):                    (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("risks:detail", "GET"):                       (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:detail", "POST"):                      (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    # Risk register pages (helper A): create, edit, escalation rules
    ("risks:create", "GET"):                       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:create", "POST"):                      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:edit", "GET"):                         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:edit", "POST"):                        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:escalation", "GET"):                   (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:escalation", "POST"):                  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:escalation-defaults", "GET"):          (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("risks:escalation-defaults", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:escalation-keep", "GET"):              (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("risks:escalation-keep", "POST"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # Strategic decisions and context events (risks/decision_views.py): every role reads, the team edits
    ("risks:decisions", "GET"):                    (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:decisions", "POST"):                   (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("risks:decision-create", "GET"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:decision-create", "POST"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:decision-detail", "GET"):              (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:decision-detail", "POST"):             (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("risks:decision-edit", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:decision-edit", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:decision-decide", "GET"):              (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("risks:decision-decide", "POST"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # Outcome, conditions and sign-off: only the board signs off (the world's draft answers 400), the team is refused
    ("risks:decision-sign-off", "GET"):            (NO,        NO,        NO,        POST_ONLY, NO,        SIGN_IN),
    ("risks:decision-sign-off", "POST"):           (NO,        NO,        NO,        OK,        NO,        SIGN_IN),
    ("risks:decision-decline", "GET"):             (NO,        NO,        NO,        POST_ONLY, NO,        SIGN_IN),
    ("risks:decision-decline", "POST"):            (NO,        NO,        NO,        OK,        NO,        SIGN_IN),
    # The local-voices gate (G2): only the board or the administrator overrides; the team sets the thresholds
    ("risks:decision-local-voices-override", "GET"): (POST_ONLY, NO,      NO,        POST_ONLY, NO,        SIGN_IN),
    ("risks:decision-local-voices-override", "POST"): (OK,       NO,        NO,        OK,        NO,        SIGN_IN),
    ("risks:decision-local-voices-withdraw", "GET"): (POST_ONLY, NO,       NO,        POST_ONLY, NO,        SIGN_IN),
    ("risks:decision-local-voices-withdraw", "POST"): (OK,       NO,        NO,        OK,        NO,        SIGN_IN),
    ("risks:local-voice-thresholds", "GET"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:local-voice-thresholds", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:condition-add", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:condition-add", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:condition-edit", "GET"):               (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:condition-edit", "POST"):              (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:events", "GET"):                       (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:events", "POST"):                      (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("risks:event-create", "GET"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:event-create", "POST"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:event-detail", "GET"):                 (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:event-detail", "POST"):                (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    # Mitigations, indicators, evidence and input links (helper E): the team edits; a mitigation's owner may
    # change their own (the world's belongs to the builder, so other roles are refused); input pages need the
    # input to be visible (the board sees no inputs, so not found).
    ("risks:mitigation-add", "GET"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:mitigation-add", "POST"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:mitigation-edit", "GET"):              (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:mitigation-edit", "POST"):             (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    # A mitigation's own page (effectiveness, calls to reassess, history) is for every role that sees risks;
    # assessing and reassessing it is for the team and its owner (the world's mitigation awaits reassessment).
    ("risks:mitigation-detail", "GET"):            (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:mitigation-detail", "POST"):           (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("risks:my-mitigations", "GET"):               (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:my-mitigations", "POST"):              (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("risks:mitigation-assess", "GET"):            (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:mitigation-assess", "POST"):           (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:mitigation-reassess", "GET"):          (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:mitigation-reassess", "POST"):         (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:indicator-add", "GET"):                (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:indicator-add", "POST"):               (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:evidence-add", "GET"):                 (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:evidence-add", "POST"):                (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   SIGN_IN),
    ("risks:link-inputs", "GET"):                  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:link-inputs", "POST"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:mitigation-link-inputs", "GET"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:mitigation-link-inputs", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:decision-link-inputs", "GET"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:decision-link-inputs", "POST"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:input-links", "GET"):                  (OK,        OK,        OK,        NOT_FOUND, OK,        SIGN_IN),
    ("risks:input-links", "POST"):                 (OK,        OK,        REFUSED,   NOT_FOUND, REFUSED,   SIGN_IN),
    ("engagements:detail", "GET"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:detail", "POST"):                (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:edit", "GET"):                   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:edit", "POST"):                  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:participant-add", "GET"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:participant-add", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:participants-add", "GET"):       (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("engagements:participants-add", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:participant-remove", "GET"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:participant-remove", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:briefing-add", "GET"):           (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("engagements:briefing-add", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:briefing-file", "GET"):          (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:briefing-file", "POST"):         (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:inputs", "GET"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:inputs", "POST"):                (OK,        OK,        NO,        NO,        REFUSED,   SIGN_IN),
    ("engagements:input-triage", "GET"):           (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("engagements:input-triage", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:queue", "GET"):                  (OK,        OK,        OK,        NO,        NO,        SIGN_IN),
    ("engagements:queue", "POST"):                 (OK,        OK,        OK,        NO,        NO,        SIGN_IN),
    ("engagements:input-decide", "GET"):           (OK,        OK,        OK,        NO,        OK,        SIGN_IN),
    ("engagements:input-decide", "POST"):          (OK,        OK,        OK,        NO,        REFUSED,   SIGN_IN),
    # Mending mistakes: correct, withdraw, merge an input; cancel an engagement (each a confirmation page first)
    ("engagements:input-edit", "GET"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:input-edit", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:input-versions", "GET"):         (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:input-versions", "POST"):        (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:input-withdraw", "GET"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:input-withdraw", "POST"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:input-merge", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:input-merge", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:cancel", "GET"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:cancel", "POST"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:feedback", "GET"):               (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:feedback", "POST"):              (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:feedback-participant", "GET"):   (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:feedback-participant", "POST"):  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:feedback-letter-pdf", "GET"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:feedback-letter-pdf", "POST"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:feedback-send-ready", "GET"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:feedback-send-ready", "POST"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # Engagement load (S3)
    ("engagements:load-settings", "GET"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:load-settings", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("engagements:load-most-solicited", "GET"):    (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:load-most-solicited", "POST"):   (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:load-overlaps", "GET"):          (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:load-overlaps", "POST"):         (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:load-stakeholder", "GET"):       (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("engagements:load-stakeholder", "POST"):      (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("api:stakeholder_load", "GET"):               (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_load_thresholds", "GET"):            (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:put_load_thresholds", "PUT"):            (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # The portal's load section (engagements/load_portal_urls.py): only a portal session opens it
    ("portal:load:index", "GET"):                  (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:load:index", "POST"):                 (NO,        NO,        NO,        NO,        NO,        NO),
    # JSON API: a role without the capability for a list or a change gets 403; an object read it may not
    # make is simply not found (404), as is a change to a stakeholder without stakeholders.edit.
    # Relationship quality (P2): aggregates for relationship viewers; one stakeholder's own ratings (and
    # recording or acknowledging them) for the human rights lead and the relationship's owner only (the
    # administrator owns none here: 404); the smallest group shown is the administrator's setting
    ("relationships:ratings", "GET"):              (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("relationships:ratings", "POST"):             (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("relationships:rating-round-create", "GET"):  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-round-create", "POST"): (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-round", "GET"):         (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("relationships:rating-round", "POST"):        (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("relationships:rating-round-close", "GET"):   (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-round-close", "POST"):  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-record", "GET"):        (NOT_FOUND, OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-record", "POST"):       (NOT_FOUND, OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:stakeholder-ratings", "GET"):  (NOT_FOUND, OK,        NO,        NO,        NOT_FOUND, SIGN_IN),
    ("relationships:stakeholder-ratings", "POST"): (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("relationships:rating-flag-seen", "GET"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-flag-seen", "POST"):    (NOT_FOUND, OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-settings", "GET"):      (POST_ONLY, NO,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:rating-settings", "POST"):     (OK,        NO,        NO,        NO,        NO,        SIGN_IN),
    # Relationship agreements (P1, relationships/agreement_views.py): read with relationships.view, changed with
    # relationships.edit; owners of relationships likewise
    ("relationships:agreement-list", "GET"):       (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("relationships:agreement-list", "POST"):      (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("relationships:agreement-create", "GET"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-create", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-detail", "GET"):     (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("relationships:agreement-detail", "POST"):    (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("relationships:agreement-edit", "GET"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-edit", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-propose", "GET"):    (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-propose", "POST"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-answer", "GET"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-answer", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-revise", "GET"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-revise", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-review", "GET"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-review", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-end", "GET"):        (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("relationships:agreement-end", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:relationship-owner", "GET"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("relationships:relationship-owner", "POST"):  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # The portal's agreement section: only a portal session opens it; staff and anonymous get the 403 "ended" page
    ("portal:agreement:index", "GET"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:agreement:index", "POST"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:agreement:answer", "GET"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:agreement:answer", "POST"):           (NO,        NO,        NO,        NO,        NO,        NO),
    # Agreements through the API (relationships/agreement_api.py): changes by a role without relationships.edit
    # find nothing (404), as for groups
    ("api:list_agreements", "GET"):                (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_agreement", "POST"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_agreement", "GET"):                  (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:update_agreement", "PUT"):               (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:propose_agreement", "POST"):             (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:answer_agreement", "POST"):              (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:revise_agreement", "POST"):              (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:review_agreement", "POST"):              (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:end_agreement", "POST"):                 (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    # The portal's rating form: only a portal session opens it; staff and anonymous get the 403 "ended" page
    ("portal:ratings:index", "GET"):               (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:ratings:index", "POST"):              (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:ratings:answer", "GET"):              (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:ratings:answer", "POST"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:ratings:thanks", "GET"):              (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:ratings:thanks", "POST"):             (NO,        NO,        NO,        NO,        NO,        NO),
    # The resourcing ledger (P3): read by whoever sees the register, changed with payments.edit; the portal's
    # payments section opens only in a portal session (staff and anonymous get the 403 "ended" page)
    ("resourcing:ledger", "GET"):                  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("resourcing:ledger", "POST"):                 (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("resourcing:totals", "GET"):                  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("resourcing:totals", "POST"):                 (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("resourcing:export", "GET"):                  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("resourcing:export", "POST"):                 (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("resourcing:payment-create", "GET"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:payment-create", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:grant-create", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:grant-create", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:payment", "GET"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("resourcing:payment", "POST"):                (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("resourcing:payment-edit", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:payment-edit", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:payment-move", "GET"):            (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("resourcing:payment-move", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:grant", "GET"):                   (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("resourcing:grant", "POST"):                  (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("resourcing:grant-move", "GET"):              (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("resourcing:grant-move", "POST"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:tranche-add", "GET"):             (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("resourcing:tranche-add", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("resourcing:tranche-move", "GET"):            (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("resourcing:tranche-move", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("portal:payments:index", "GET"):              (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:payments:index", "POST"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:payments:answer", "GET"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:payments:answer", "POST"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:payments:grant-answer", "GET"):       (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:payments:grant-answer", "POST"):      (NO,        NO,        NO,        NO,        NO,        NO),
    ("api:api-root", "GET"):                       (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ("api:openapi-json", "GET"):                   (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:openapi-view", "GET"):                   (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:list_stakeholders", "GET"):              (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:search_stakeholders", "POST"):           (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_stakeholder", "POST"):            (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_stakeholder", "GET"):                (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:reveal_stakeholder", "POST"):            (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:update_stakeholder", "PATCH"):           (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    # Relationship quality (relationships/rating_api.py)
    ("api:list_rounds", "GET"):                    (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_round", "POST"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_round", "GET"):                      (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:close_round", "POST"):                   (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:list_ratings", "GET"):                   (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:record_rating", "POST"):                 (NOT_FOUND, OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:rating_trend", "GET"):                   (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    # Affected groups (stakeholders/group_api.py): reads need stakeholders.view, changes stakeholders.edit
    ("api:list_groups", "GET"):                    (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_group", "POST"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_group", "GET"):                      (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:update_group", "PATCH"):                 (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:delete_group", "DELETE"):                (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:list_group_members", "GET"):             (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:add_group_member", "POST"):              (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:remove_group_member", "DELETE"):         (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:list_group_representations", "GET"):     (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:add_group_representation", "POST"):      (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:update_group_representation", "PATCH"):  (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:end_group_representation", "POST"):      (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:list_group_risks", "GET"):               (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:link_group_risks", "POST"):              (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:unlink_group_risks", "POST"):            (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:list_consents", "GET"):                  (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:stakeholder_timeline", "GET"):           (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:add_consent", "POST"):                   (OK,        OK,        NOT_FOUND, NOT_FOUND, NOT_FOUND, NO_TOKEN),
    ("api:export_stakeholder", "GET"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:export_stakeholder_with_reason", "POST"): (OK,       OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:erase_stakeholder", "POST"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_engagements", "GET"):               (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_engagement", "POST"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_engagement", "GET"):                 (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:engagement_heard", "GET"):               (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:update_engagement", "PUT"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_participants", "GET"):              (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:add_participant", "POST"):               (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_inputs", "GET"):                    (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:record_input", "POST"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:triage_input", "PATCH"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_decision", "GET"):                   (OK,        OK,        OK,        NOT_FOUND, OK,        NO_TOKEN),
    ("api:decide", "POST"):                        (OK,        OK,        OK,        NOT_FOUND, REFUSED,   NO_TOKEN),
    ("api:correct_input", "POST"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:input_versions", "GET"):                 (OK,        OK,        OK,        NOT_FOUND, OK,        NO_TOKEN),
    ("api:withdraw_input", "POST"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:merge_input", "POST"):                   (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:cancel_engagement", "POST"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_feedback", "GET"):                  (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:deliver_feedback", "POST"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:set_letter_note", "PUT"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:attach_letter_translation", "PUT"):      (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:remove_letter_translation", "DELETE"):   (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:letter_pdf", "GET"):                     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:send_ready_reports", "POST"):            (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:loop_metrics", "GET"):                   (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:list_promises", "GET"):                  (OK,        OK,        OK,        NO,        OK,        NO_TOKEN),
    # The risks API (risks/api.py): reads for every role with risks.view (the board sees no input), writes
    # for risks.edit; a mitigation's owner may change it (REFUSED for the others).
    ("api:list_rights", "GET"):                    (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:list_risks", "GET"):                     (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:create_risk", "POST"):                   (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_risk", "GET"):                       (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:risk_heard", "GET"):                     (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:update_risk", "PATCH"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:risk_history", "GET"):                   (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:list_mitigations", "GET"):               (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:my_mitigations", "GET"):                 (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:add_mitigation", "POST"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:update_mitigation", "PATCH"):            (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   NO_TOKEN),
    ("api:mitigation_history", "GET"):             (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:list_assessments", "GET"):               (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:assess_mitigation", "POST"):             (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   NO_TOKEN),
    ("api:reassess_mitigation", "POST"):           (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   NO_TOKEN),
    ("api:list_reassessment_flags", "GET"):        (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:list_risk_inputs", "GET"):               (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:link_risk_inputs", "POST"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:unlink_risk_inputs", "DELETE"):          (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_input_links", "GET"):               (OK,        OK,        OK,        NOT_FOUND, OK,        NO_TOKEN),
    ("api:link_input", "POST"):                    (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:unlink_input", "DELETE"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_strategic_decisions", "GET"):       (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:create_strategic_decision", "POST"):     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_strategic_decision", "GET"):         (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:decision_heard", "GET"):                 (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:update_strategic_decision", "PATCH"):    (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:decide_strategic_decision", "POST"):     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:sign_off_strategic_decision", "POST"):   (NO,        NO,        NO,        OK,        NO,        NO_TOKEN),
    ("api:decline_strategic_decision", "POST"):    (NO,        NO,        NO,        OK,        NO,        NO_TOKEN),
    ("api:override_local_voices", "POST"):         (OK,        NO,        NO,        OK,        NO,        NO_TOKEN),
    ("api:withdraw_local_voices_override", "DELETE"): (OK,      NO,        NO,        OK,        NO,        NO_TOKEN),
    ("api:get_local_voice_thresholds", "GET"):     (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:put_local_voice_thresholds", "PUT"):     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_decision_conditions", "GET"):       (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:add_decision_condition", "POST"):        (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:update_decision_condition", "PATCH"):    (OK,        OK,        REFUSED,   REFUSED,   REFUSED,   NO_TOKEN),
    ("api:list_context_events", "GET"):            (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:record_context_event", "POST"):          (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_context_event", "GET"):              (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    # Escalation rules (risks/api.py): every risk reader reads and previews, the team changes and answers
    ("api:get_escalation_rules", "GET"):           (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:set_escalation_rules", "PUT"):           (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:preview_escalation_rules", "POST"):      (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:adopt_default_escalation_rules", "POST"): (OK,       OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:keep_escalation_rules", "POST"):         (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # Export and import of the risk register (risks/transfer_views.py)
    ("risks:export", "GET"):                       (OK,        OK,        OK,        OK,        OK,        SIGN_IN),
    ("risks:export", "POST"):                      (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, SIGN_IN),
    ("risks:import", "GET"):                       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("risks:import", "POST"):                      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # Public consultations (consultations/): the team and auditors read, the team runs them.
    ("consultations:list", "GET"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:list", "POST"):                (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:create", "GET"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:create", "POST"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:detail", "GET"):               (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:detail", "POST"):              (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:settings", "GET"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:settings", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_consultations", "GET"):             (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    ("api:open_consultation", "POST"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_consultation", "GET"):               (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:change_consultation_settings", "PATCH"): (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("consultations:for-engagement", "GET"):       (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:for-engagement", "POST"):      (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    # Consultation imports (consultations/views/imports.py, api/imports.py)
    ("consultations:import-upload", "GET"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-upload", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-detail", "GET"):        (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:import-detail", "POST"):       (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:import-map", "GET"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-map", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-confirm", "GET"):       (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-confirm", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-resume", "GET"):        (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-resume", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-rollback", "GET"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-rollback", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-cancel", "GET"):        (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-cancel", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:import-report", "GET"):        (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:import-report", "POST"):       (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("api:upload_import", "POST"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_imports", "GET"):                   (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:get_import", "GET"):                     (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:map_import_columns", "PUT"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_import_problems", "GET"):           (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:import_report", "GET"):                  (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:confirm_import", "POST"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:resume_import", "POST"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:rollback_import", "POST"):               (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:rollback_import_preview", "GET"):        (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:cancel_import", "POST"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # Consultation analysis and themes (consultations/views/themes.py, api/themes.py)
    ("consultations:analysis", "GET"):             (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:analysis", "POST"):            (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:theme-detail", "GET"):         (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:theme-detail", "POST"):        (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:campaigns", "GET"):            (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:campaigns", "POST"):           (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:review", "GET"):               (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:review", "POST"):              (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:discovery-start", "GET"):      (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:discovery-start", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:assignment-start", "GET"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:assignment-start", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:themes-finalise", "GET"):      (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:themes-finalise", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-add", "GET"):            (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-add", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:themes-merge", "GET"):         (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:themes-merge", "POST"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-edit", "GET"):           (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-edit", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-route", "GET"):          (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-route", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-split", "GET"):          (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-split", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-delete", "GET"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-delete", "POST"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-links", "GET"):          (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-links", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-example", "GET"):        (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:theme-example", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:review-response", "GET"):      (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:review-response", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:start_theme_discovery", "POST"):         (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:start_theme_assignment", "POST"):        (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_analysis_runs", "GET"):             (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:list_themes", "GET"):                    (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:add_theme", "POST"):                     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:merge_themes", "POST"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:finalise_themes", "POST"):               (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_theme", "GET"):                      (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:rename_theme", "PATCH"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:delete_theme", "DELETE"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:split_theme", "POST"):                   (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:link_theme", "PUT"):                     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:route_theme", "PUT"):                    (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:theme_example", "POST"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:search_theme_responses", "GET"):         (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:review_queue", "GET"):                   (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:review_response", "POST"):               (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_duplicate_groups", "GET"):          (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    # Consultation decisions and messages (consultations/views/outcomes.py, api/outcomes.py)
    ("consultations:decisions", "GET"):            (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:decisions", "POST"):           (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    # The world's theme is routed to product: its decision makers decide it (consultations/tests/factories.py).
    ("consultations:theme-decide", "GET"):         (OK,        OK,        OK,        NO,        NO,        SIGN_IN),
    ("consultations:theme-decide", "POST"):        (OK,        OK,        OK,        NO,        NO,        SIGN_IN),
    ("consultations:themes-to-decide", "GET"):     (OK,        OK,        OK,        NO,        NO,        SIGN_IN),
    ("consultations:themes-to-decide", "POST"):    (POST_ONLY, POST_ONLY, POST_ONLY, NO,        NO,        SIGN_IN),
    ("consultations:messages", "GET"):             (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consultations:messages", "POST"):            (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consultations:messages-start", "GET"):       (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:messages-start", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consultations:messages-resume", "GET"):      (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consultations:messages-resume", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_theme_decisions", "GET"):           (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:decide_theme", "POST"):                  (OK,        OK,        OK,        NO,        NO,        NO_TOKEN),
    ("api:themes_to_decide", "GET"):               (OK,        OK,        OK,        NO,        NO,        NO_TOKEN),
    ("api:message_status", "GET"):                 (OK,        OK,        NOT_FOUND, NOT_FOUND, OK,        NO_TOKEN),
    ("api:start_messages", "POST"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:resume_messages", "POST"):               (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # The resourcing ledger's API (resourcing/api.py)
    ("api:list_payments", "GET"):                  (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_payment", "POST"):                (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:payment_totals", "GET"):                 (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_payment", "GET"):                    (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:update_payment", "PATCH"):               (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:move_payment", "POST"):                  (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:list_grants", "GET"):                    (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_grant", "POST"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_grant", "GET"):                      (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:move_grant", "POST"):                    (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:add_tranche", "POST"):                   (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:move_tranche", "POST"):                  (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    # Consultation public pages (consultations/views/public.py)
    # No sign-in: every role and anonymous visitors alike; an unpublished one (the foreign world's) is 404.
    ("consultation_public:heard", "GET"):          (OK,        OK,        OK,        OK,        OK,        OK),
    ("consultation_public:heard", "POST"):         (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("consultation_public:receipt", "GET"):        (OK,        OK,        OK,        OK,        OK,        OK),
    ("consultation_public:receipt", "POST"):       (OK,        OK,        OK,        OK,        OK,        OK),
    # The stakeholder portal (portal/): its pages open only in a portal session (a followed link), so staff and
    # anonymous visitors alike get the 403 "your link has expired or was used" page before any lookup. The door
    # (enter) answers anyone: the world's live link shows its button and opens a session; signing out is open.
    ("portal:home", "GET"):                        (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:home", "POST"):                       (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:enter", "GET"):                       (OK,        OK,        OK,        OK,        OK,        OK),
    ("portal:enter", "POST"):                      (OK,        OK,        OK,        OK,        OK,        OK),
    ("portal:language", "GET"):                    (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:language", "POST"):                   (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:sign-out", "GET"):                    (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("portal:sign-out", "POST"):                   (OK,        OK,        OK,        OK,        OK,        OK),
    ("portal:signed-out", "GET"):                  (OK,        OK,        OK,        OK,        OK,        OK),
    ("portal:signed-out", "POST"):                 (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("portal:said:index", "GET"):                  (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:said:index", "POST"):                 (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:said:report", "GET"):                 (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:said:report", "POST"):                (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:engagements:index", "GET"):           (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:engagements:index", "POST"):          (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:engagements:briefing-file", "GET"):   (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:engagements:briefing-file", "POST"):  (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:details:index", "GET"):               (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:details:index", "POST"):              (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:details:consent-withdraw", "GET"):    (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:details:consent-withdraw", "POST"):   (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:details:erasure", "GET"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:details:erasure", "POST"):            (NO,        NO,        NO,        NO,        NO,        NO),
    # Portal links and erasure requests, staff side (portal/staff_views.py, portal/api.py): links are listed with
    # stakeholders.view, issued and revoked with portal.links; erasure requests are answered with stakeholders.edit
    ("portal:staff:links", "GET"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("portal:staff:links", "POST"):                (OK,        OK,        NO,        NO,        REFUSED,   SIGN_IN),
    ("portal:staff:link-revoke", "GET"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("portal:staff:link-revoke", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("portal:staff:erasure-requests", "GET"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("portal:staff:erasure-requests", "POST"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("portal:staff:erasure-confirm", "GET"):       (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("portal:staff:erasure-confirm", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("portal:staff:erasure-decline", "GET"):       (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("portal:staff:erasure-decline", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_portal_links", "GET"):              (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:issue_portal_link", "POST"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:revoke_portal_link", "POST"):            (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # The grievance mechanism, staff side (grievances/): a case's content is for grievances.handle alone (the human
    # rights lead); recording one received elsewhere is grievances.record (administrators too); figures are
    # grievances.oversee (administrators, the board, auditors too), the settings grievances.configure. The capability
    # comes first, so a role without it gets 403 whatever the id; a handler kept out of a case gets 404 (tested below).
    ("grievances:list", "GET"):                    (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:list", "POST"):                   (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:record", "GET"):                  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:record", "POST"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # The receipt of a recorded grievance, shown once after the redirect (nothing to show here: still 200)
    ("grievances:recorded", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:recorded", "POST"):               (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:case", "GET"):                    (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:case", "POST"):                   (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:acknowledge", "GET"):             (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:acknowledge", "POST"):            (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:move", "GET"):                    (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:move", "POST"):                   (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:assign", "GET"):                  (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:assign", "POST"):                 (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:exclude", "GET"):                 (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:exclude", "POST"):                (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:message", "GET"):                 (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:message", "POST"):                (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:outcome", "GET"):                 (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:outcome", "POST"):                (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:rights-review", "GET"):           (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:rights-review", "POST"):          (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:classify", "GET"):                (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:classify", "POST"):               (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:attachment", "GET"):              (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:attachment", "POST"):             (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    # Oversight (grievances/deadline_views.py): settings, a case's links to the register, a risk made from a case
    # (the lead also holds risks.edit), recurring themes (counts only); a theme's risk page without a theme chosen
    # is 404
    ("grievances:settings", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:settings", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:links", "GET"):                   (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:links", "POST"):                  (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:make-risk", "GET"):               (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:make-risk", "POST"):              (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:themes", "GET"):                  (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("grievances:themes", "POST"):                 (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("grievances:theme-risk", "GET"):              (NO,        NOT_FOUND, NO,        NO,        NO,        SIGN_IN),
    ("grievances:theme-risk", "POST"):             (NO,        NOT_FOUND, NO,        NO,        NO,        SIGN_IN),
    # Remedy plans (grievances/remedy_views.py): for the case's handlers only
    ("grievances:plan-create", "GET"):             (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan-create", "POST"):            (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan", "GET"):                    (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan", "POST"):                   (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan-add-case", "GET"):           (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan-add-case", "POST"):          (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan-remove-case", "GET"):        (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan-remove-case", "POST"):       (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan-proposal", "GET"):           (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:plan-proposal", "POST"):          (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:proposal-decision", "GET"):       (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:proposal-decision", "POST"):      (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-add", "GET"):              (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-add", "POST"):             (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-edit", "GET"):             (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-edit", "POST"):            (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-delivered", "GET"):        (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-delivered", "POST"):       (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-confirmation", "GET"):     (NO,        POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:action-confirmation", "POST"):    (NO,        OK,        NO,        NO,        NO,        SIGN_IN),
    # The UNGP 31 self-check (grievances/selfcheck_views.py): figures for oversight, the assessment for configuration
    ("grievances:self-check", "GET"):              (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("grievances:self-check", "POST"):             (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("grievances:assess", "GET"):                  (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("grievances:assess", "POST"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # The public grievance pages (/g/<slug>/, grievances/public_views.py, remedy_public_views.py): no sign-in, the same
    # for staff and anonymous visitors. The slug is the organisation's public address, so the other organisation's
    # pages answer as the own one's (UNSWAPPED; an unknown slug is 404, tested below). The intake takes an empty form
    # back (400); the follow-up pages need a follow-up session (a receipt shown in this browser): without one they
    # send to the receipt form before any lookup, whatever the action's id; leaving ends there too.
    ("grievances-public:intake", "GET"):           (OK,        OK,        OK,        OK,        OK,        OK),
    ("grievances-public:intake", "POST"):          (OK,        OK,        OK,        OK,        OK,        OK),
    ("grievances-public:receipt", "GET"):          (OK,        OK,        OK,        OK,        OK,        OK),
    ("grievances-public:receipt", "POST"):         (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:follow-up-sign-in", "GET"):(OK,        OK,        OK,        OK,        OK,        OK),
    ("grievances-public:follow-up-sign-in", "POST"):(OK,        OK,        OK,        OK,        OK,        OK),
    ("grievances-public:follow-up", "GET"):        (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:follow-up", "POST"):       (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:follow-up-reply", "GET"):  (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:follow-up-reply", "POST"): (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:follow-up-files", "GET"):  (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:follow-up-files", "POST"): (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:follow-up-satisfaction", "GET"):
        (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:follow-up-satisfaction", "POST"):
        (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:follow-up-appeal", "GET"): (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:follow-up-appeal", "POST"):(FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:follow-up-leave", "GET"):  (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:follow-up-leave", "POST"): (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:remedy", "GET"):           (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:remedy", "POST"):          (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:remedy-propose", "GET"):   (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:remedy-propose", "POST"):  (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:remedy-agree", "GET"):     (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:remedy-agree", "POST"):    (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    ("grievances-public:remedy-answer", "GET"):    (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("grievances-public:remedy-answer", "POST"):   (FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP, FOLLOW_UP),
    # The portal's grievance section (grievances/portal_section.py): only a portal session opens it; staff and
    # anonymous visitors get the 403 "ended" page before any lookup
    ("portal:grievances:index", "GET"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:index", "POST"):           (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:raise", "GET"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:raise", "POST"):           (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:receipt", "GET"):          (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:receipt", "POST"):         (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:case", "GET"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:case", "POST"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:reply", "GET"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:reply", "POST"):           (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:satisfaction", "GET"):     (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:satisfaction", "POST"):    (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:appeal", "GET"):           (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:appeal", "POST"):          (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:remedy-agree", "GET"):     (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:remedy-agree", "POST"):    (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:remedy-propose", "GET"):   (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:remedy-propose", "POST"):  (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:remedy-answer", "GET"):    (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:grievances:remedy-answer", "POST"):   (NO,        NO,        NO,        NO,        NO,        NO),
    # The grievance API (grievances/api_*.py): the same capabilities; the person's own operations
    # (/public/grievances/{slug}…) take no token: the receipt in the body opens the case, for whoever sends it
    ("api:list_grievances", "GET"):                (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:record_grievance", "POST"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:grievance_record", "POST"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_grievance", "GET"):                  (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:acknowledge_grievance", "POST"):         (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:move_grievance", "POST"):                (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:assign_grievance", "POST"):              (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:exclude_from_grievance", "POST"):        (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:add_grievance_message", "POST"):         (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:record_grievance_outcome", "POST"):      (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:review_grievance_rights", "POST"):       (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:classify_grievance", "POST"):            (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_grievance_messages", "GET"):        (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_grievance_links", "GET"):           (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:link_grievance", "POST"):                (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:unlink_grievance", "DELETE"):            (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:make_grievance_risk", "POST"):           (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_grievance_settings", "GET"):         (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:put_grievance_settings", "PUT"):         (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_grievance_themes", "GET"):          (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:get_self_check", "GET"):                 (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:post_assessment", "POST"):               (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:create_remedy_plan", "POST"):            (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_remedy_plan", "GET"):                (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:add_remedy_plan_case", "POST"):          (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:add_remedy_proposal", "POST"):           (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:add_remedy_action", "POST"):             (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:update_remedy_action", "PATCH"):         (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:deliver_remedy_action", "POST"):         (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:confirm_remedy_action", "POST"):         (NO,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:public_grievance_submit", "POST"):       (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:public_grievance_follow_up", "POST"):    (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:public_grievance_reply", "POST"):        (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:public_grievance_satisfaction", "POST"): (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:public_grievance_appeal", "POST"):       (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:propose_remedy_by_receipt", "POST"):     (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:confirm_remedy_by_receipt", "POST"):     (OK,        OK,        OK,        OK,        OK,        OK),
    ("api:agree_remedy_by_receipt", "POST"):       (OK,        OK,        OK,        OK,        OK,        OK),
    # The board view (oversight/): figures, packs and briefings for oversight; recording briefings for the team
    ("oversight:board", "GET"):                    (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("oversight:board", "POST"):                   (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("oversight:refresh", "GET"):                  (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("oversight:refresh", "POST"):                 (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("oversight:packs", "GET"):                    (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("oversight:packs", "POST"):                   (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("oversight:pack-download", "GET"):            (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("oversight:pack-download", "POST"):           (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("oversight:briefings", "GET"):                (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("oversight:briefings", "POST"):               (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("oversight:briefing-create", "GET"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("oversight:briefing-create", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("oversight:briefing-edit", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("oversight:briefing-edit", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    # The board's review of a risk (risks/views.py): a board member, or the administrator as its secretary
    ("risks:board-review", "GET"):                 (POST_ONLY, NO,        NO,        POST_ONLY, NO,        SIGN_IN),
    ("risks:board-review", "POST"):                (OK,        NO,        NO,        OK,        NO,        SIGN_IN),
    ("api:get_board", "GET"):                      (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:list_packs", "GET"):                     (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:request_pack", "POST"):                  (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:get_pack", "GET"):                       (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:list_briefings", "GET"):                 (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:record_briefing", "POST"):               (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # The open data (disclosure/): its settings for those who publish it (an empty form is refused, 400); its public
    # files (/open-data/<slug>/, public_views.py) the same for everyone, staff or not. As for the grievance pages, the
    # slug is the organisation's public address (UNSWAPPED): the other organisation's files answer as the own one's,
    # an unknown slug, or one that does not publish, 404 (tested below and in disclosure/tests).
    ("disclosure:open-data", "GET"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("disclosure:open-data", "POST"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("disclosure:open-data-rebuild", "GET"):       (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("disclosure:open-data-rebuild", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("open-data:index", "GET"):                    (OK,        OK,        OK,        OK,        OK,        OK),
    ("open-data:index", "POST"):                   (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("open-data:datapackage", "GET"):              (OK,        OK,        OK,        OK,        OK,        OK),
    ("open-data:datapackage", "POST"):             (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("open-data:csv", "GET"):                      (OK,        OK,        OK,        OK,        OK,        OK),
    ("open-data:csv", "POST"):                     (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("open-data:json", "GET"):                     (OK,        OK,        OK,        OK,        OK,        OK),
    ("open-data:json", "POST"):                    (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("api:get_open_data", "GET"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:put_open_data", "PUT"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # Public reports (disclosure/report_*.py): drafted and reviewed by the team, approved and published by an
    # administrator or a board member; the world's report is a draft of version 2 (approving or publishing a draft
    # is refused with a 400, not a 403, to those who may).
    ("reports:list", "GET"):                       (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("reports:list", "POST"):                      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("reports:detail", "GET"):                     (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("reports:detail", "POST"):                    (OK,        OK,        NO,        REFUSED,   REFUSED,   SIGN_IN),
    ("reports:preview", "GET"):                    (OK,        OK,        NO,        OK,        OK,        SIGN_IN),
    ("reports:preview", "POST"):                   (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("reports:issue-add", "GET"):                  (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("reports:issue-add", "POST"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("reports:issue-edit", "GET"):                 (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("reports:issue-edit", "POST"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("reports:issue-remove", "GET"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("reports:issue-remove", "POST"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("reports:review", "GET"):                     (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("reports:review", "POST"):                    (OK,        OK,        NO,        REFUSED,   REFUSED,   SIGN_IN),
    ("reports:approve", "GET"):                    (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("reports:approve", "POST"):                   (OK,        REFUSED,   NO,        OK,        REFUSED,   SIGN_IN),
    ("reports:publish", "GET"):                    (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("reports:publish", "POST"):                   (OK,        REFUSED,   NO,        OK,        REFUSED,   SIGN_IN),
    ("reports:new-version", "GET"):                (POST_ONLY, POST_ONLY, NO,        POST_ONLY, POST_ONLY, SIGN_IN),
    ("reports:new-version", "POST"):               (OK,        OK,        NO,        REFUSED,   REFUSED,   SIGN_IN),
    ("reports-public:index", "GET"):               (OK,        OK,        OK,        OK,        OK,        OK),
    ("reports-public:index", "POST"):              (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("reports-public:report", "GET"):              (OK,        OK,        OK,        OK,        OK,        OK),
    ("reports-public:report", "POST"):             (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("reports-public:pdf", "GET"):                 (OK,        OK,        OK,        OK,        OK,        OK),
    ("reports-public:pdf", "POST"):                (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("reports-public:json", "GET"):                (OK,        OK,        OK,        OK,        OK,        OK),
    ("reports-public:json", "POST"):               (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("reports-public:report-version", "GET"):      (OK,        OK,        OK,        OK,        OK,        OK),
    ("reports-public:report-version", "POST"):     (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("reports-public:pdf-version", "GET"):         (OK,        OK,        OK,        OK,        OK,        OK),
    ("reports-public:pdf-version", "POST"):        (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("reports-public:json-version", "GET"):        (OK,        OK,        OK,        OK,        OK,        OK),
    ("reports-public:json-version", "POST"):       (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("api:list_reports", "GET"):                   (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:create_report", "POST"):                 (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_report", "GET"):                     (OK,        OK,        NO,        OK,        OK,        NO_TOKEN),
    ("api:update_report", "PATCH"):                (OK,        OK,        NO,        REFUSED,   REFUSED,   NO_TOKEN),
    ("api:add_issue", "POST"):                     (OK,        OK,        NO,        REFUSED,   REFUSED,   NO_TOKEN),
    ("api:review_report", "POST"):                 (OK,        OK,        NO,        REFUSED,   REFUSED,   NO_TOKEN),
    ("api:approve_report", "POST"):                (OK,        REFUSED,   NO,        OK,        REFUSED,   NO_TOKEN),
    ("api:publish_report", "POST"):                (OK,        REFUSED,   NO,        OK,        REFUSED,   NO_TOKEN),
    ("api:new_report_version", "POST"):            (OK,        OK,        NO,        REFUSED,   REFUSED,   NO_TOKEN),
    # Shared assessments (collaboration/): reading takes engagements.view, changing engagements.edit, putting
    # one's stakeholders in the pool stakeholders.edit (the same roles). Past the access check, only the human
    # rights team answers an invitation (an administrator gets the action's 400, counted as OK).
    ("collaboration:index", "GET"):                (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("collaboration:index", "POST"):               (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("collaboration:share", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:share", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:detail", "GET"):               (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("collaboration:detail", "POST"):              (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("collaboration:invite", "GET"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:invite", "POST"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:leave", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:leave", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:engagement-add", "GET"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:engagement-add", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:heard", "GET"):                (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("collaboration:heard", "POST"):               (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("collaboration:engagements", "GET"):          (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("collaboration:engagements", "POST"):         (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("collaboration:partners", "GET"):             (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("collaboration:partners", "POST"):            (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("collaboration:engagement", "GET"):           (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("collaboration:engagement", "POST"):          (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("collaboration:partner-add", "GET"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:partner-add", "POST"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:partner", "GET"):              (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("collaboration:partner", "POST"):             (OK,        OK,        NO,        NO,        REFUSED,   SIGN_IN),
    ("collaboration:partner-withdraw", "GET"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:partner-withdraw", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:invitation-accept", "GET"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:invitation-accept", "POST"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:invitation-decline", "GET"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("collaboration:invitation-decline", "POST"):  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_shared_assessments", "GET"):        (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:share_assessment", "POST"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_shared_invitations", "GET"):        (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:accept_shared_invitation", "POST"):      (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:decline_shared_invitation", "POST"):     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:withdraw_pool_consent", "POST"):         (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:get_shared_assessment", "GET"):          (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:invite_organisation", "POST"):           (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:leave_shared_assessment", "POST"):       (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:shared_heard", "GET"):                   (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_shared_engagements", "GET"):        (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:share_engagement", "POST"):              (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_shared_inputs", "GET"):             (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_pool_partners", "GET"):             (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:contribute_partner", "POST"):            (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:pool_partner_load", "GET"):              (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:request_pool_partner", "POST"):          (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    # Regional and country assessments (assessments/): read with engagements.view (they name local partners),
    # changed with engagements.edit; a finding goes into the risk register with risks.edit as well
    ("assessments:list", "GET"):                   (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("assessments:list", "POST"):                  (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("assessments:detail", "GET"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("assessments:detail", "POST"):                (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("assessments:heard", "GET"):                  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("assessments:heard", "POST"):                 (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("assessments:session", "GET"):                (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("assessments:session", "POST"):               (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("assessments:session-material", "GET"):       (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("assessments:session-material", "POST"):      (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("assessments:finding", "GET"):                (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("assessments:finding", "POST"):               (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("assessments:create", "GET"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:create", "POST"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:edit", "GET"):                   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:edit", "POST"):                  (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:phase-add", "GET"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:phase-add", "POST"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:phase-edit", "GET"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:phase-edit", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:phase-remove", "GET"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:phase-remove", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:partner-add", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:partner-add", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:partner-edit", "GET"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:partner-edit", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:partner-remove", "GET"):         (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:partner-remove", "POST"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:session-add", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:session-add", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:engagements", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:engagements", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:engagement-remove", "GET"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:engagement-remove", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:finding-add", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:finding-add", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:finding-new-risk", "GET"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:finding-new-risk", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:finding-update-risk", "GET"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:finding-update-risk", "POST"):   (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:session-attendance", "GET"):     (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("assessments:session-attendance", "POST"):    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:question-add", "GET"):           (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("assessments:question-add", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("assessments:question-answer", "GET"):        (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("assessments:question-answer", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_regional_assessments", "GET"):      (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_assessment", "GET"):                 (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_assessment_phases", "GET"):         (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_assessment_partners", "GET"):       (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_training_sessions", "GET"):         (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_training_session", "GET"):           (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_assessment_engagements", "GET"):    (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_assessment_findings", "GET"):       (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_assessment_finding", "GET"):         (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:assessment_heard", "GET"):               (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_assessment", "POST"):             (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:update_assessment", "PATCH"):            (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:set_assessment_phase", "PUT"):           (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:remove_assessment_phase", "DELETE"):     (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:add_assessment_partner", "POST"):        (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:change_assessment_partner", "PATCH"):    (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:remove_assessment_partner", "DELETE"):   (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:record_training_session", "POST"):       (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:upload_training_material", "POST"):      (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:set_training_attendees", "PUT"):         (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:record_training_question", "POST"):      (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:answer_training_question", "POST"):      (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:link_assessment_engagements", "POST"):   (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:unlink_assessment_engagement", "DELETE"):(OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:record_assessment_finding", "POST"):     (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:assessment_finding_new_risk", "POST"):   (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:assessment_finding_update_risk", "POST"):(OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    # Competing claims (consensus/views/claims.py, consensus/api/claims.py): read with engagements, recorded by the
    # human rights team; whoever may change strategic decisions says how one weighed a claim, and the weighings
    # (the decision's rationale, no identities) are read with the decision
    ("consensus:claims", "GET"):                   (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:claims", "POST"):                  (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consensus:claims-on-risk", "GET"):           (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:claims-on-risk", "POST"):          (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consensus:claims-on-decision", "GET"):       (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:claims-on-decision", "POST"):      (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consensus:claim-new", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:claim-new", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:claim-edit", "GET"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:claim-edit", "POST"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:claim-remove", "GET"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:claim-remove", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:claim-weigh", "GET"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:claim-weigh", "POST"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_claims", "GET"):                    (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_claim", "GET"):                      (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_claim", "POST"):                  (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:update_claim", "PATCH"):                 (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:delete_claim", "DELETE"):                (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:weigh_claim", "PUT"):                    (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:list_claim_weighings", "GET"):           (OK,        OK,        OK,        OK,        OK,        NO_TOKEN),
    # Consensus exercises, the facilitator's side (consensus/views/exercises.py, consensus/api/exercises.py)
    ("consensus:exercises", "GET"):                (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:exercises", "POST"):               (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    # Pol.is files (consensus/polis.py): imported into an empty exercise by those who change exercises, exported
    # (numbers only, never names) to those who read them
    ("consensus:polis-import", "GET"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:polis-import", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:polis-export", "GET"):             (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:polis-export", "POST"):            (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("api:import_polis", "POST"):                  (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:export_polis", "GET"):                   (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("consensus:exercise", "GET"):                 (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:exercise", "POST"):                (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consensus:exercise-new", "GET"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:exercise-new", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:exercise-edit", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:exercise-edit", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:exercise-open", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:exercise-open", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:exercise-close", "GET"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:exercise-close", "POST"):          (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:statement-add", "GET"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:statement-add", "POST"):           (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:statement-moderate", "GET"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:statement-moderate", "POST"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:participants-invite", "GET"):      (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:participants-invite", "POST"):     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:link-reissue", "GET"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:link-reissue", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:link-free", "GET"):                (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:link-free", "POST"):               (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:link-revoke", "GET"):              (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:link-revoke", "POST"):             (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:room", "GET"):                     (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:room", "POST"):                    (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_consensus_exercises", "GET"):       (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_consensus_exercise", "GET"):         (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_exercise_statements", "GET"):       (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:list_exercise_participants", "GET"):     (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:create_consensus_exercise", "POST"):     (OK,        OK,        NO,        NO,        NO,        NO_TOKEN),
    ("api:update_consensus_exercise", "PATCH"):    (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:open_consensus_exercise", "POST"):       (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:close_consensus_exercise", "POST"):      (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:add_exercise_statement", "POST"):        (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:moderate_exercise_statement", "POST"):   (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:invite_exercise_participants", "POST"):  (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:add_exercise_link_participants", "POST"):(OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:reissue_voting_link", "POST"):           (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:free_voting_link", "POST"):              (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:revoke_voting_link", "POST"):            (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:add_exercise_room_participants", "POST"):(OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:record_exercise_room_votes", "POST"):    (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    # Voting (consensus/public_urls.py): the participant's signed link, the same for staff and anonymous visitors
    # (an empty form re-renders with its errors, 400); the portal's exercises open only in a portal session
    ("consensus-public:vote", "GET"):              (OK,        OK,        OK,        OK,        OK,        OK),
    ("consensus-public:vote", "POST"):             (OK,        OK,        OK,        OK,        OK,        OK),
    ("consensus-public:write", "GET"):             (POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY, POST_ONLY),
    ("consensus-public:write", "POST"):            (OK,        OK,        OK,        OK,        OK,        OK),
    ("portal:exercises:index", "GET"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:exercises:index", "POST"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:exercises:vote", "GET"):              (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:exercises:vote", "POST"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:exercises:write", "GET"):             (NO,        NO,        NO,        NO,        NO,        NO),
    ("portal:exercises:write", "POST"):            (NO,        NO,        NO,        NO,        NO,        NO),
    ("api:list_exercise_votes", "GET"):            (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:next_statement_for_participant", "GET"): (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:record_exercise_votes", "POST"):         (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    # Results (consensus/views/results.py, consensus/api/runs.py): read with engagements.view; analysing and turning
    # findings into inputs take engagements.edit, telling the participants feedback.send
    ("consensus:results", "GET"):                  (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:results", "POST"):                 (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consensus:runs", "GET"):                     (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:runs", "POST"):                    (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consensus:run", "GET"):                      (OK,        OK,        NO,        NO,        OK,        SIGN_IN),
    ("consensus:run", "POST"):                     (POST_ONLY, POST_ONLY, NO,        NO,        POST_ONLY, SIGN_IN),
    ("consensus:analyse", "GET"):                  (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consensus:analyse", "POST"):                 (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:send-outcome", "GET"):             (POST_ONLY, POST_ONLY, NO,        NO,        NO,        SIGN_IN),
    ("consensus:send-outcome", "POST"):            (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:results-to-inputs", "GET"):        (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("consensus:results-to-inputs", "POST"):       (OK,        OK,        NO,        NO,        NO,        SIGN_IN),
    ("api:list_exercise_analysis_runs", "GET"):    (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_analysis_run", "GET"):               (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_analysis_map", "GET"):               (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:get_exercise_outcome", "GET"):           (OK,        OK,        NO,        NO,        OK,        NO_TOKEN),
    ("api:request_exercise_analysis", "POST"):     (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:analysis_results_to_inputs", "POST"):    (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
    ("api:send_exercise_outcome", "POST"):         (OK,        OK,        NO,        NO,        REFUSED,   NO_TOKEN),
}  # fmt: skip


def expected(route, method: str, role: str) -> str:
    return MATRIX[(route.name, method)][ROLES.index(role)]


@pytest.fixture
def worlds(sign_in):
    """Own and foreign organisations: a member per role holding grants on the own high-safety people,
    and one per role without."""
    own_org, other_org = make_organisation("Kestrel Networks"), make_organisation("Other Company")
    members = {role: member(own_org, role, sign_in) for role in MEMBER_ROLES}
    without_grant = {role: member(own_org, role, sign_in) for role in MEMBER_ROLES}
    own = build_world(new_builder(own_org), OWN, grant_holders=[m.viewer for m in members.values()])
    foreign = build_world(new_builder(other_org), FOREIGN)
    give_tokens(own, [*members.values(), *without_grant.values()])
    give_tokens(foreign, [])
    return {"members": {**members, "anonymous": None}, "without_grant": without_grant, "own": own, "foreign": foreign}


def test_every_route_has_a_row():
    found = {(route.name, method) for route in routes() for method in route.methods}
    missing = sorted(found - MATRIX.keys())
    stale = sorted(MATRIX.keys() - found)
    assert not missing, (
        f"Routes with no access rule: {missing}. Add a row for each to MATRIX in "
        "rightsloop/core/tests/test_access_matrix.py (and, if it takes an id, to ROUTE_OBJECTS in access_worlds.py)."
    )
    assert not stale, f"MATRIX rows for routes that no longer exist: {stale}. Remove them."


def _problems(response, body, want, where) -> list[str]:
    problems = []
    if not matches(want, response):
        problems.append(f"{where}: expected {want}, got {outcome_of(response)} ({response.status_code})")
    for marker in (FOREIGN, PROTECTED):
        if marker in body:
            problems.append(f"{where}: the response shows {marker}")
    return problems


def test_access_matrix(worlds):
    own, foreign = worlds["own"], worlds["foreign"]
    problems, cells = [], 0
    for route in routes():
        # An organisation's slug and a grievance's receipt stay the own world's (access_worlds.UNSWAPPED).
        params = frozenset(swappable(route))
        for method in route.methods:
            for role in ROLES:
                who = worlds["members"][role]
                want = expected(route, method, role)
                response, body = send(who, route, method, ids_for(route, own, who))
                problems += _problems(response, body, want, f"{method} {route.name} as {role}, own object")
                cells += 1
                if not params:
                    continue
                response, body = send(who, route, method, ids_for(route, own, who, foreign=foreign,
                                                                   foreign_params=params))
                problems += _problems(response, body, foreign_outcome(want),
                                      f"{method} {route.name} as {role}, foreign object")
                missing, _body = send(who, route, method, {**ids_for(route, own, who),
                                                           **dict.fromkeys(params, MISSING_ID)})
                if missing.status_code != response.status_code:
                    problems.append(f"{method} {route.name} as {role}: a foreign id answers {response.status_code}, "
                                    f"a missing one {missing.status_code}")
                cells += 1
    print(f"access matrix: {len(MATRIX)} rows x {len(ROLES)} roles, {cells} cells checked")
    assert not problems, "\n".join(problems)


def test_high_safety_stakeholders_exist_only_for_grant_holders(worlds):
    """Each page and endpoint naming a high-safety person: a grant holder gets the matrix's answer, anyone
    else what a foreign object gets (404 where the role could otherwise see it)."""
    own = worlds["own"]
    problems, cells = [], 0
    for route in routes():
        if not names_a_stakeholder(route):
            continue
        for method in route.methods:
            for role in MEMBER_ROLES:
                want = expected(route, method, role)
                for who, should in ((worlds["members"][role], want), (worlds["without_grant"][role],
                                                                      foreign_outcome(want))):
                    response, body = send(who, route, method, ids_for(route, own, who, swap=PROTECTED_SWAP))
                    holder = "grant holder" if who is worlds["members"][role] else "no grant"
                    problems += _problems(response, body, should, f"{method} {route.name} as {role} ({holder})")
                    cells += 1
    print(f"high-safety stakeholder: {cells} cells checked")
    assert cells > 100
    assert not problems, "\n".join(problems)


def _code(stakeholder) -> str:
    return pseudonym(stakeholder.pk).rsplit(" ", 1)[-1]


def test_lists_and_searches_leave_out_high_safety_people_without_a_grant(worlds):
    """The register (pages and API) and its searches never tell a member without a grant that a protected
    person exists; engagement pages name participants by pseudonym only (see the reveal test)."""
    own = worlds["own"]
    protected = [own.objects["protected"], own.objects["protected_first"]]
    engagement = own.objects["engagement"]
    # A look-alike registered by a grant holder is flagged as a possible duplicate of a protected person.
    lookalike = make_stakeholder(own.builder, name="Someone Else", email="defender@example.net")
    assert lookalike.duplicate_flags.filter(other__in=protected).exists()
    pages = ["/stakeholders/", "/stakeholders/?safety_level=high", "/stakeholders/?q=defender",
             f"/stakeholders/{lookalike.pk}/", f"/engagements/{engagement.pk}/?find=defender"]
    api = ["/api/v1/stakeholders", "/api/v1/stakeholders?safety_level=high", "/api/v1/stakeholders?q=defender"]
    # Searches for people are posted (their text never goes in an address); the page they lead to is read.
    posted = {"/stakeholders/?q=defender": ("/stakeholders/", {"q": "defender"}),
              f"/engagements/{engagement.pk}/?find=defender": (f"/engagements/{engagement.pk}/", {"find": "defender"})}

    def read(who, url, **bearer):
        if url in posted:
            return who.page.post(*posted[url], follow=True)
        if url == "/api/v1/stakeholders?q=defender":
            return who.page.post("/api/v1/stakeholders/search", {"q": "defender"}, content_type="application/json",
                                 **bearer)
        return who.page.get(url, **bearer)

    for role in ("admin", "hr_lead", "auditor"):
        for who, holder in ((worlds["without_grant"][role], False), (worlds["members"][role], True)):
            for url in pages + api:
                bearer = {"HTTP_AUTHORIZATION": f"Bearer {who.api_token}"} if url in api else {}
                response = read(who, url, **bearer)
                body = response.content.decode()
                assert response.status_code in (200, 403), (role, url, response.status_code)
                assert PROTECTED not in body, (role, holder, url)
                if holder:
                    continue
                # Not even the engagement they take part in shows them (issue 11, High 4).
                for person in protected:
                    assert _code(person) not in body, (role, url)
                    assert f"/stakeholders/{person.pk}/" not in body, (role, url)
                    assert f'"id": {person.pk},' not in body, (role, url)
    # A grant holder finds them in the register and in searches, by pseudonym.
    hr_lead = worlds["members"]["hr_lead"]
    for url in ("/stakeholders/?safety_level=high", f"/engagements/{engagement.pk}/?find=defender",
                f"/stakeholders/{lookalike.pk}/"):
        page = read(hr_lead, url).content.decode()
        assert _code(protected[1]) in page and PROTECTED not in page, url
    # Registering a look-alike warns of the protected person, by pseudonym.
    form = hr_lead.page.post("/stakeholders/new/", {
        "name": "Another", "kind": "affected", "entity_type": "person", "country": "KE", "safety_level": "normal",
        "email": "defender@example.net", "preferred_channel": "email"}).content.decode()
    assert "same email address" in form
    assert all(_code(person) in form for person in protected) and PROTECTED not in form


def test_a_protected_identity_is_named_only_after_an_audited_reveal(worlds):
    own = worlds["own"]
    holder = worlds["members"]["hr_lead"]
    protected = own.objects["protected"]
    for route in routes():
        if "GET" not in route.methods:
            continue
        for swap in (PROTECTED_SWAP, {"participation": "protected_participation"}):
            _response, body = send(holder, route, "GET", ids_for(route, own, holder, swap=swap))
            assert PROTECTED not in body, route.name
    reason = "Preparing the safe follow-up meeting"
    holder.page.post(f"/stakeholders/{protected.pk}/reveal/", {"reason": reason})
    assert PROTECTED in holder.page.get(f"/stakeholders/{protected.pk}/").content.decode()
    api = holder.page.post(f"/api/v1/stakeholders/{protected.pk}/reveal", {"reason": reason},
                           content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {holder.api_token}")
    assert PROTECTED in api.json()["name"]
    revealed = AuditEntry.objects.filter(action="identity.revealed", target_id=str(protected.pk))
    assert list(revealed.values_list("summary", flat=True)) == [reason, reason]


def test_decision_makers_see_only_inputs_routed_to_their_function(worlds):
    own = worlds["own"]
    deciding = worlds["members"]["decision_maker"]
    legal = own.objects["legal_input"]
    for url in (f"/engagements/inputs/{legal.pk}/decide/",):
        assert deciding.page.get(url).status_code == 404
        assert deciding.page.post(url, {"outcome": "adopted"}).status_code == 404
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {deciding.api_token}"}
    assert deciding.page.get(f"/api/v1/inputs/{legal.pk}/decision", **bearer).status_code == 404
    assert deciding.page.post(f"/api/v1/inputs/{legal.pk}/decision", {"outcome": "not_adopted", "rationale": "x"},
                              content_type="application/json", **bearer).status_code == 404
    queue = deciding.page.get("/engagements/decisions/").content.decode()
    assert "said this" in queue and LEGAL not in queue
    # Nothing any route shows the decision maker mentions the input routed elsewhere.
    for route in routes():
        for method in route.methods:
            _response, body = send(deciding, route, method, ids_for(route, own, deciding))
            assert LEGAL not in body, (method, route.name)


def test_the_board_sees_only_metrics_and_risks(worlds):
    own = worlds["own"]
    board = worlds["members"]["board"]
    # The board owns escalated risks, so risk titles and mitigations are for its eyes; nothing about
    # the people heard (names, inputs, engagements) is.
    board_may_see = (f"{OWN} risk", f"{OWN} mitigation", f"{OWN} decision", f"{OWN} event",
                     # ... and its own briefings (who spoke to it is counted, never named, to the board).
                     f"{OWN} board briefing", f"{OWN} what the board learnt", f"{OWN} board pack",
                     # ... and the public report it approves: words written for publication.
                     f"{OWN} report",
                     # ... and the competing claims a decision weighs, with how it weighed them: never who holds them
                     # (consensus/claim_columns.py).
                     f"{OWN} other side", f"{OWN} side", f"{OWN} group claim", f"{OWN} claim", f"{OWN} evidence",
                     f"{OWN} would accept", f"{OWN} weighed")
    # A published consultation's public page shows everyone its title and themes (never what anyone wrote).
    public_may_see = (f"{OWN} consultation", f"{OWN} theme", f"{OWN} report")
    for route in routes():
        # Whoever sends a grievance's receipt is the person who raised it, and reads their case: not the board.
        # Likewise whoever opens a voting link is its participant, and reads their exercise's statements.
        if {"grievance_receipt", "voting_token"} & set(objects_of(route).values()):
            continue
        for method in route.methods:
            _response, body = send(board, route, method, ids_for(route, own, board))
            # The open data labels a published consultation's themes with those same words.
            public = public_may_see if route.name.startswith(
                ("consultation_public:", "open-data:", "reports-public:")) else ()
            for seen in board_may_see + public:
                body = body.replace(seen, "")
            assert OWN not in body, (method, route.name)
    home = board.page.get("/").content.decode()
    assert "Closing the loop" in home
    metrics = board.page.get("/api/v1/metrics/loop", HTTP_AUTHORIZATION=f"Bearer {board.api_token}")
    # The engagement's two inputs, and the remedy proposal of the grievance (an input of its remedy dialogue, whose
    # decision closes the loop like any other's: grievances/actions/remedy.py).
    assert metrics.status_code == 200 and metrics.json()["inputs_total"] == 3


def test_api_tokens_are_personal(worlds):
    own = worlds["own"]
    admin = worlds["members"]["admin"]
    colleague = own.tokens[worlds["members"]["hr_lead"].viewer.user.pk]
    assert admin.page.post(f"/accounts/tokens/{colleague.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=colleague.pk).revoked_at is None


def test_switching_to_an_organisation_one_is_not_a_member_of_does_nothing(worlds):
    hr_lead = worlds["members"]["hr_lead"]
    foreign_org = worlds["foreign"].builder.organisation
    hr_lead.page.post("/accounts/organisation/", {"organisation": foreign_org.pk})
    assert FOREIGN not in hr_lead.page.get("/stakeholders/").content.decode()
    assert OWN in hr_lead.page.get("/stakeholders/").content.decode()


def test_the_matrix_roles_are_the_products_roles():
    assert set(MEMBER_ROLES) == set(Role.values)
    # Public pages (consultation_public:, grievances-public:, open-data:, consensus-public:) need no sign-in, so a
    # method they do not take is refused (405) to anyone; a grievance's follow-up page without a follow-up session
    # sends to the receipt form.
    public = {key for key in MATRIX if key[0].startswith(
        ("consultation_public:", "grievances-public:", "open-data:", "reports-public:", "consensus-public:"))}
    # The stakeholder portal (portal:, not portal:staff:) has a door of its own: without a portal session
    # anyone, anonymous or staff, gets its 403 "link expired or used" page, never the staff sign-in.
    portal = {key for key in MATRIX if key[0].startswith("portal:") and not key[0].startswith("portal:staff:")}
    assert {row[ROLES.index("anonymous")] for key, row in MATRIX.items() if key not in public | portal} <= {
        SIGN_IN, NO_TOKEN, OK, NOT_FOUND}
    assert {MATRIX[key][ROLES.index("anonymous")] for key in public} <= {OK, NOT_FOUND, POST_ONLY, FOLLOW_UP}
    assert {cell for key, row in MATRIX.items() if key not in public for cell in row} <= {
        OK, NO, REFUSED, NOT_FOUND, SIGN_IN, NO_TOKEN, POST_ONLY}
    assert {MATRIX[key][ROLES.index("anonymous")] for key in portal} <= {OK, NO, POST_ONLY}
    assert all(len(row) == len(ROLES) for row in MATRIX.values())
    assert NO != REFUSED


# What a grievance handler kept out of a case must not reach: the case, its file, its remedy plan, the plan's
# proposals and actions (access_worlds.grievance_world).
CASE_KINDS = frozenset({"grievance", "attachment", "remedy_plan", "proposal", "remedy_action", "delivered_action"})


def test_a_handler_kept_out_of_a_case_finds_nothing_of_it(worlds):
    """A handler excluded from a case (named in it: a conflict of interest) gets what another organisation's case
    gets, 404, on every staff page and operation naming the case or what hangs on it, and the lists leave it out."""
    own = worlds["own"]
    kept_out = worlds["members"]["hr_lead"]
    case = own.objects["grievance"]
    exclude_handler(grievance=case, user=kept_out.viewer.user, reason="Named in the case", by=own.builder)
    words = f"{OWN} grievance description"
    problems, cells = [], 0
    for route in routes():
        kinds = set(objects_of(route).values())
        if not kinds & CASE_KINDS or kinds & UNSWAPPED:  # the public side is the person's, not a handler's
            continue
        for method in route.methods:
            want = foreign_outcome(expected(route, method, "hr_lead"))
            response, body = send(kept_out, route, method, ids_for(route, own, kept_out))
            where = f"{method} {route.name} as the excluded handler"
            problems += _problems(response, body, want, where)
            if words in body:
                problems.append(f"{where}: the response shows the case's words")
            cells += 1
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {kept_out.api_token}"}
    listed = kept_out.page.get("/grievances/")
    assert listed.status_code == 200 and f"/grievances/{case.pk}/" not in listed.content.decode()
    assert f"/grievances/{own.objects['spare_grievance'].pk}/" in listed.content.decode()
    api = kept_out.page.get("/api/v1/grievances", **bearer).json()
    assert case.pk not in [item["id"] for item in api["items"]] and api["items"]
    print(f"excluded handler: {cells} cells checked")
    assert cells > 40
    assert not problems, "\n".join(problems)


def test_grievance_pages_are_public_and_a_receipt_opens_its_case_at_its_own_organisation_only(worlds):
    """The public grievance pages and operations (/g/<slug>/, /api/v1/public/grievances/<slug>…) answer anyone, for
    any organisation, as the matrix says; an unknown slug is 404, as a missing id is. A receipt opens its case only at
    its own organisation's address: another organisation's receipt opens nothing (and shows nothing) here."""
    cache.clear()  # wrong receipts are counted in the cache (grievances/throttle.py): start from none
    own, foreign = worlds["own"], worlds["foreign"]
    hr_lead = worlds["members"]["hr_lead"]
    public = [route for route in routes() if "organisation_slug" in objects_of(route).values()]
    assert len(public) >= 20
    problems = []
    for route in public:
        for method in route.methods:
            for role, who in (("anonymous", None), ("hr_lead", hr_lead)):
                want = expected(route, method, role)
                where = f"{method} {route.name} as {role}"
                # The other organisation's pages, with its own objects, answer as the own one's do.
                response, body = send(who, route, method, ids_for(route, foreign, who))
                problems += [problem.replace(FOREIGN, OWN) for problem in _problems(response, body.replace(
                    FOREIGN, ""), want, f"{where}, the other organisation's pages")]
                if OWN in body:
                    problems.append(f"{where}: the other organisation's page shows {OWN}")
                unknown, _body = send(who, route, method, {**ids_for(route, own, who), "slug": "no-such-org"})
                allowed = {404, 405} if want == POST_ONLY else {404}
                if unknown.status_code not in allowed:
                    problems.append(f"{where}: an unknown organisation answers {unknown.status_code}")
    assert not problems, "\n".join(problems)

    client = Client()
    slugs = {world.marker: world.builder.organisation.slug for world in (own, foreign)}
    receipts = {world.marker: world.objects["grievance_receipt"] for world in (own, foreign)}
    for here, theirs in ((OWN, FOREIGN), (FOREIGN, OWN)):
        api = client.post(f"/api/v1/public/grievances/{slugs[here]}/follow-up", {"receipt": receipts[theirs]},
                          content_type="application/json")
        assert api.status_code == 404, (here, api.content)
        page = client.post(f"/g/{slugs[here]}/follow-up/", {"receipt": receipts[theirs]})
        assert page.status_code == 400 and theirs not in page.content.decode() and here not in page.content.decode()
        assert outcome_of(client.get(f"/g/{slugs[here]}/case/")) == FOLLOW_UP
    # Each receipt opens its own case, at its own organisation's address.
    api = client.post(f"/api/v1/public/grievances/{slugs[OWN]}/follow-up", {"receipt": receipts[OWN]},
                      content_type="application/json")
    label = own.objects["grievance"].label
    assert api.status_code == 200 and api.json()["case"] == label
    assert client.post(f"/g/{slugs[OWN]}/follow-up/", {"receipt": receipts[OWN]}).status_code == 303
    page = client.get(f"/g/{slugs[OWN]}/case/")
    assert page.status_code == 200 and label in page.content.decode() and FOREIGN not in page.content.decode()
    # The other organisation's follow-up pages know nothing of the case this browser follows.
    assert outcome_of(client.get(f"/g/{slugs[FOREIGN]}/case/")) == FOLLOW_UP
