"""No page or endpoint shows, or lets anyone change, another organisation's data.

Every URL pattern is enumerated from the resolver; each object id in it is filled
with another organisation's object (alone, and mixed with the caller's own ids).
A route with a parameter this test does not know fails the suite, so new routes
must be added here.
"""

import datetime
import itertools
import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from rightsloop.accounts.actions import invite_member, issue_api_token
from rightsloop.accounts.models import ApiToken, Membership
from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.api_client import ApiClient
from rightsloop.accounts.tests.factories import make_member
from rightsloop.assessments.tests.worlds import assessment_objects
from rightsloop.collaboration.tests.worlds import shared_objects
from rightsloop.consensus.tests.worlds import consensus_objects
from rightsloop.consultations.tests.factories import consultation_world
from rightsloop.core import sealed_files
from rightsloop.disclosure import report_actions
from rightsloop.disclosure.report_models import Report, ReportVersion
from rightsloop.disclosure.reports import content as report_content
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.grievances.actions import intake as grievance_intake
from rightsloop.grievances.actions import remedy as grievance_remedy
from rightsloop.oversight import actions as oversight_actions
from rightsloop.oversight.models import BoardPack
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

from .access_worlds import body_of

pytestmark = pytest.mark.django_db

MARKER = "Zebra-Marker-7731"


def routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def build_world(viewer, marker):
    """One organisation's full set of objects, every name carrying the marker."""
    today = timezone.localdate()
    proxy = make_stakeholder(viewer, name=f"{marker} proxy", kind="proxy", email=f"p@{marker}.example")
    person = make_stakeholder(viewer, name=f"{marker} person", email=f"x@{marker}.example")
    twin = make_stakeholder(viewer, name=f"{marker} twin", email=f"x@{marker}.example")
    engagement = make_engagement(viewer, title=f"{marker} engagement")
    participation = make_participation(viewer, engagement, person)
    item = make_input(viewer, engagement, participation, text=f"{marker} said this")
    engagement_actions.record_decision(input=item, outcome="not_adopted", rationale=f"{marker} why", by=viewer)
    participation.refresh_from_db()
    engagement_actions.mark_feedback_delivered(participation=participation, channel="in_person", by=viewer)
    consent = stakeholder_actions.record_consent(stakeholder=person, scope="contact", granted=True,
                                                 method="verbal", given_on=today, by=viewer)
    briefing = engagement_actions.add_briefing(engagement=engagement, title=f"{marker} briefing",
                                               link="https://example.org/brief", shared_on=today, by=viewer)
    protected = make_stakeholder(viewer, name=f"{marker} defender", safety_level="high")
    membership = Membership.objects.get(user=viewer.user, organisation=viewer.organisation)
    token, _raw = issue_api_token(membership=membership, name=marker, by=viewer)
    invitation = invite_member(organisation=viewer.organisation, username=f"{marker}-invitee",
                               email=f"i@{marker}.example", role=Role.BOARD, by=viewer)
    risk = make_risk(viewer, title=f"{marker} risk")
    mitigation = make_mitigation(viewer, risk, action=f"{marker} mitigation")
    indicator = risk_actions.add_indicator(mitigation=mitigation, name=f"{marker} indicator", by=viewer)
    decision = risk_actions.create_strategic_decision(plan=risk_actions.DecisionPlan(
        title=f"{marker} decision", category="market_entry", risks=[risk]), by=viewer)
    condition = decision_actions.add_condition(decision=decision, text=f"{marker} condition", owner=viewer.user,
                                               due_on=today, by=viewer)
    event = risk_actions.record_context_event(title=f"{marker} event", kind="new_law", occurred_on=today,
                                              countries_touched=["KE"], by=viewer)
    # The other organisation's consultation stays unpublished: its public pages are then as unknown as any id.
    consultation = consultation_world(viewer, marker, published=marker != MARKER)
    group = make_group(viewer, name=f"{marker} group")
    stakeholder_groups.add_member(group=group, stakeholder=person, by=viewer)
    representation = stakeholder_groups.represent(proxy=proxy, group=group,
                                                  mandate=stakeholder_groups.Mandate(f"{marker} mandate"), by=viewer)
    # The stakeholder's side (issue 13): an agreement, a rating round whose low answer flags the person, an
    # offered payment and grant with its tranche, a portal link and an erasure request.
    terms = agreement_actions.AgreementTerms(
        starts_on=today, review_on=today + datetime.timedelta(days=365), nda_scope=f"{marker} NDA scope",
        nda_sunset_on=today + datetime.timedelta(days=90))
    agreement = agreement_actions.create_agreement(stakeholder=person, by=viewer, terms=terms)
    rating_round = rating_actions.open_round(viewer=viewer, title=f"{marker} rating round", opens_on=today,
                                             closes_on=today,
                                             chooser=rating_actions.Chooser(stakeholder_ids=(person.pk,)))
    rating = rating_actions.record_rating(round=rating_round, stakeholder=person, by=viewer,
                                          scores={"trust": 1, "influence": 3, "burden": 3, "usefulness": 3,
                                                  "safety": 3})
    ledger_grant = make_grant(viewer, person, funder=f"{marker} funder", purpose=f"{marker} purpose")
    portal_link, portal_token = portal_links.mint(stakeholder=person)
    if marker == MARKER:
        # A link is a bearer credential: whoever holds a live one may open it, whatever their organisation.
        # The other organisation's is revoked, so its token must answer as one nobody issued.
        PortalLink.objects.filter(pk=portal_link.pk).update(revoked_at=timezone.now())
    # A grievance (issue 14) raised on the public page with a file, its receipt, its remedy plan with a proposal and
    # an action. The words are sealed; they carry the marker.
    submitted = grievance_intake.submit_grievance(
        organisation=viewer.organisation, channel="web", submission_key=f"{marker} grievance",
        report=grievance_intake.GrievanceReport(mode="anonymous", raised_by="affected",
                                                description=f"{marker} grievance description"),
        attachments=[SimpleUploadedFile("letter.pdf", f"%PDF-1.4 {marker}\n".encode())])
    grievance = submitted.grievance
    handler = make_member(viewer.organisation, Role.HR_LEAD)  # only the human rights lead handles grievances
    plan = grievance_remedy.create_plan(grievances=[grievance], title=f"{marker} remedy plan", by=handler)
    proposal, _created = grievance_remedy.record_proposal(plan=plan, grievance=grievance, via="staff", by=handler,
                                                          text=f"{marker} proposal")
    remedy_action = grievance_remedy.add_action(plan=plan, remedy_type="restitution", description=f"{marker} action",
                                                owner=handler.user, due_on=today + datetime.timedelta(days=30),
                                                by=handler)
    # A public report (issue 15), published as version 1 and drafting version 2 with a salient issue.
    report = report_actions.create_report(period="2025", title=f"{marker} report", by=viewer)
    report_actions.update_report(report=report, by=viewer, commitment=f"{marker} commitment")
    report_issue = report_actions.save_issue(report=report, public_title=f"{marker} issue", by=viewer)
    ReportVersion.objects.create(report=report, number=1, language="en", published_at=timezone.now(),
                                 published_by=viewer.user, content=report_content(report, number=1))
    Report.objects.filter(pk=report.pk).update(version=2)
    # The board's records (issue 15): a briefing and a prepared board pack (its file written directly).
    board_briefing = oversight_actions.record_briefing(held_on=today, kind="briefing", topic=f"{marker} briefing",
                                                       attendees=[], by=viewer)
    board_pack = BoardPack.objects.create(organisation=viewer.organisation, period="2026-Q1", language="en",
                                          status="ready", progress=100)
    board_pack.file.save(sealed_files.file_name("board-packs", viewer.organisation.pk),
                         ContentFile(f"%PDF-1.4 {marker}".encode()))
    return {
        **consultation,
        **assessment_objects(viewer, marker, proxy),
        **consensus_objects(viewer, marker, {"engagement": engagement, "participation": participation, "risk": risk,
                                             "decision": decision, "group": group}),
        **shared_objects(viewer, marker),
        "board_briefing": board_briefing, "board_pack": board_pack,
        "report": report, "report_issue": report_issue,
        "grievance": grievance, "grievance_receipt": submitted.receipt, "attachment": grievance.attachments.get(),
        "remedy_plan": plan, "proposal": proposal, "remedy_action": remedy_action,
        "agreement": agreement, "rating_round": rating_round, "rating_flag": rating.flag,
        "payment": make_payment(viewer, person, description=f"{marker} payment"),
        "ledger_grant": ledger_grant, "tranche": ledger_grant.tranches.first(),
        "portal_link": portal_link, "portal_token": portal_token,
        "erasure_request": portal_details.request_erasure(stakeholder=person),
        "group": group, "representation": representation,
        "risk": risk, "mitigation": mitigation, "indicator": indicator, "decision": decision, "event": event,
        "condition": condition,
        "stakeholder": person, "proxy": proxy, "flag": twin.duplicate_flags.get(), "consent": consent,
        "engagement": engagement, "participation": participation, "input": item, "briefing": briefing,
        "membership": membership, "token": token, "grant": protected.grants.get(), "invitation": invitation,
    }


def object_for(route: str, param: str, world) -> int | str:
    """Which object an id parameter of a route stands for."""
    if route.startswith(("shared-assessments/", "api/v1/shared-assessments/")):  # shared assessments (G3)
        for params, key in ((("pk", "shared_id"), "shared"), (("engagement_pk", "engagement_id"), "shared_engagement"),
                            (("partner_pk", "partner_id"), "pool_partner"),
                            (("invitation_pk", "invitation_id"), "shared_invitation")):
            if param in params:
                return world[key].pk
    if param == "slug":  # the public grievance pages' organisation (never swapped: see `variants`)
        return world["grievance"].organisation.slug
    if param == "table":  # a table of the open data, by its key (never swapped: see `variants`)
        return "engagements-by-type"
    if param == "period":  # a published report's period, part of its public address (never swapped)
        return world["report"].period
    if param == "number":  # the number of a published report's version, part of its public address
        return 1
    if param == "issue_pk":
        return world["report_issue"].pk
    if param == "report_id":  # the public reports API (disclosure/report_api.py)
        return world["report"].pk
    for params, key in ((("grievance_id", "case_pk"), "grievance"), (("plan_id",), "remedy_plan"),
                        (("action_id", "action_pk"), "remedy_action"), (("attachment_pk",), "attachment"),
                        (("input_pk",), "proposal")):
        if param in params:
            return world[key].pk
    if param in ("group_id", "representation_id"):  # affected groups (stakeholders/group_api.py)
        return world[param.removesuffix("_id")].pk
    # Consensus exercises (consensus/views/exercises.py, consensus/api/exercises.py): the exercise, its statement and
    # its link-only voter; participant_id there is an exercise's participant, not an engagement's.
    if route.startswith(("consensus/exercises/", "api/v1/consensus/exercises/")):
        for params, key in ((("pk", "exercise_id"), "exercise"), (("statement_pk", "statement_id"), "statement"),
                            (("participant_pk", "participant_id"), "link_voter"), (("run_pk", "run_id"), "run")):
            if param in params:
                return world[key].pk
    if param in ("stakeholder_id", "stakeholder_pk"):
        return world["stakeholder"].pk
    if param in ("engagement_id",):
        return world["engagement"].pk
    if param in ("participant_id", "participation_pk"):
        return world["participation"].pk
    if param == "input_id":
        return world["input"].pk
    if param == "consent_pk":
        return world["consent"].pk
    if param == "flag_pk":
        return world["flag"].pk
    if param == "briefing_pk":
        return world["briefing"].pk
    if param == "grant_pk":
        return world["grant"].pk
    if param == "token" and route.startswith("vote/"):  # a voting link: its holder's credential (never swapped)
        return world["voting_token"]
    if param == "participant_number":  # a participant's number in the exercise, not an id (never swapped)
        return world["voter"].number
    if param == "token" and route.startswith("portal/"):  # a portal link (the foreign one is always tried)
        return world["portal_token"]
    if param == "token":  # the public pages of a consultation (consultations/views/public.py)
        return world["consultation"].public_token
    for params, key in ((("agreement_id",), "agreement"), (("round_id",), "rating_round"),
                        (("payment_id",), "payment"), (("grant_id",), "ledger_grant"),
                        (("tranche_id", "tranche_pk"), "tranche"), (("link_id", "link_pk"), "portal_link"),
                        (("request_pk",), "erasure_request"), (("engagement_pk",), "engagement")):
        if param in params and not (param == "engagement_pk" and route.startswith("consultations/")):
            return world[key].pk
    if param == "report_pk":  # a portal page: staff without a portal session get 403 whatever the id
        return world["participation"].pk
    for params, key in ((("consultation_id",), "consultation"), (("import_id", "import_pk"), "response_import"),
                        (("theme_id", "theme_pk"), "theme"), (("response_id", "response_pk"), "response")):
        if param in params:
            return world[key].pk
    if param == "engagement_pk" and route.startswith("consultations/"):
        return world["consultation_engagement"].pk
    for name in ("risk", "mitigation", "decision", "event", "condition"):  # the risks API (risks/api.py)
        if param == f"{name}_id":
            return world[name].pk
    if param == "pack_id":  # the board view (oversight/api.py)
        return world["board_pack"].pk
    if route.startswith(("assessments/", "api/v1/assessments/")):  # regional and country assessments
        for params, key in ((("pk", "assessment_id"), "regional_assessment"), (("phase_pk", "phase_id"),
                            "assessment_phase"), (("partner_pk", "partner_id"), "assessment_partner"),
                            (("session_pk", "session_id"), "training_session"),
                            (("question_pk", "question_id"), "training_question"),
                            (("finding_pk", "finding_id"), "finding"), (("engagement_pk",), "held_engagement")):
            if param in params:
                return world[key].pk
    # Competing claims (consensus/views/claims.py, consensus/api/claims.py)
    if param in ("claim_id", "claim_pk") or (param == "pk" and route.startswith("consensus/claims/")):
        return world["claim"].pk
    if param in ("risk_pk", "decision_pk"):
        return world[param.removesuffix("_pk")].pk
    if param == "pk":
        for prefix, key in (("oversight/packs/", "board_pack"), ("oversight/briefings/", "board_briefing"),
                            ("reports/", "report"),
                            ("accounts/members/invitations/", "invitation"), ("accounts/invitations/", "invitation"),
                            ("accounts/members/", "membership"), ("accounts/tokens/", "token"),
                            ("stakeholders/groups/representations/", "representation"),
                            ("stakeholders/groups/", "group"), ("stakeholders/", "stakeholder"),
                            ("relationships/ratings/rounds/", "rating_round"),
                            ("relationships/ratings/stakeholders/", "stakeholder"),
                            ("relationships/ratings/flags/", "rating_flag"),
                            ("resourcing/payments/", "payment"), ("resourcing/grants/", "ledger_grant"),
                            ("engagements/load/stakeholders/", "stakeholder"),
                            ("portal/ratings/", "rating_round"), ("portal/payments/grants/", "ledger_grant"),
                            ("portal/exercises/", "exercise"),
                            ("portal/grievances/", "grievance"), ("grievances/plans/", "remedy_plan"),
                            ("grievances/actions/", "remedy_action"), ("grievances/", "grievance"),
                            ("portal/payments/", "payment"),
                            ("risks/mitigations/", "mitigation"),
                            ("risks/decisions/conditions/", "condition"),
                            ("risks/decisions/", "decision"), ("risks/events/", "event"),
                            ("risks/indicators/", "indicator"),
                            ("risks/", "risk"), ("engagements/inputs/", "input"),
                            ("consultations/", "consultation"),
                            ("engagements/", "engagement")):
            if route.startswith(prefix):
                return world[key].pk
    raise AssertionError(f"No isolation rule for parameter {param!r} of route {route!r}: add one here.")


def fill(route: str, foreign, own, foreign_params) -> str:
    def replace(match):
        param = match.group(2)
        world = foreign if param in foreign_params else own
        return str(object_for(route, param, world))

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


@pytest.fixture
def two_worlds(organisation, other_organisation):
    mine = make_member(organisation, Role.ADMIN)
    theirs = make_member(other_organisation, Role.ADMIN)
    return mine, build_world(mine, "Own-Organisation-Data"), build_world(theirs, MARKER)


def variants(route):
    # An organisation's slug is its public address: anyone may open its grievance pages (and its open data, whose
    # tables are named by a key the same everywhere), so neither is swapped.
    # A voting link is its holder's credential, as a receipt is (a foreign one opens that organisation's exercise to
    # whoever holds it), and a participant's number is a number within the exercise, not an id: neither is swapped.
    params = [param for param in re.findall(r"<(?:\w+:)?(\w+)>", route)
              if param not in ("slug", "table", "period", "number", "participant_number")
              and not (param == "token" and route.startswith("vote/"))]
    for size in range(1, len(params) + 1):
        yield from (set(chosen) for chosen in itertools.combinations(params, size))


def test_no_route_reaches_another_organisations_objects(two_worlds, sign_in):
    viewer, own, foreign = two_worlds
    page_client = sign_in(viewer)
    # The browser also follows its own organisation's grievance (its receipt shown once), so the follow-up pages
    # look up the ids they are given instead of sending to the receipt form.
    slug = own["grievance"].organisation.slug
    assert page_client.post(f"/g/{slug}/follow-up/", {"receipt": own["grievance_receipt"]}).status_code == 303
    assert page_client.get(f"/g/{slug}/case/").status_code == 200
    api_client = ApiClient(viewer)
    checked = 0
    for route in routes():
        if "<" not in route:
            continue
        for foreign_params in variants(route):
            url = fill(route, foreign, own, foreign_params)
            client = api_client if route.startswith("api/") else page_client
            for method in ("get", "post", "patch", "put"):
                if method in ("patch", "put") and not route.startswith("api/"):
                    continue
                response = getattr(client, method)(url) if method == "get" else getattr(client, method)(url, {})
                assert response.status_code in (400, 403, 404, 405), (method, url, response.status_code)
                assert MARKER not in response.content.decode(errors="replace"), (method, url)
                checked += 1
    assert page_client.get(f"/g/{slug}/case/").status_code == 200, "the follow-up ended on the way"
    assert checked > 50


def test_lists_and_dashboards_show_nothing_of_another_organisation(two_worlds, sign_in):
    viewer, _own, _foreign = two_worlds
    page_client = sign_in(viewer)
    api_client = ApiClient(viewer)
    for route in routes():
        if "<" in route or route.startswith("api/v1/docs"):
            continue
        url = "/" + route
        client = api_client if route.startswith("api/") else page_client
        response = client.get(url)
        assert MARKER not in body_of(response), url  # body_of: the audit log's CSV export is streamed
    for url in ("/stakeholders/?q=zebra", "/engagements/?q=zebra", "/engagements/decisions/?show=decided",
                "/audit/?action=stakeholder", "/api/v1/stakeholders?q=zebra", "/api/v1/engagements?q=zebra"):
        client = api_client if url.startswith("/api/") else page_client
        assert MARKER not in client.get(url).content.decode(), url


def test_foreign_tokens_cannot_be_revoked(two_worlds, sign_in):
    viewer, _own, foreign = two_worlds
    sign_in(viewer).post(f"/accounts/tokens/{foreign['token'].pk}/revoke/")
    assert ApiToken.objects.get(pk=foreign["token"].pk).revoked_at is None

