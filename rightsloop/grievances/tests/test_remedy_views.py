"""Remedy plan pages: the handlers' plan page and its forms, and the affected person's follow-up section."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from rightsloop.engagements.models import Input
from rightsloop.grievances import follow_up
from rightsloop.grievances.actions import remedy
from rightsloop.grievances.models import ActionConfirmation, RemedyAction, RemedyPlan
from rightsloop.grievances.vocabulary import ActionStatus, RemedyType, Stage

from .factories_remedy import follow, make_case

pytestmark = pytest.mark.django_db

PROPOSAL = "Refund both fares to Amina and restore her account"


def _tomorrow():
    return timezone.localdate() + datetime.timedelta(days=1)


@pytest.fixture
def case(organisation):
    return make_case(organisation)


@pytest.fixture
def plan(case, hr_lead):
    return remedy.create_plan(grievances=[case], title="Refunds for FareApp", by=hr_lead)


def _action(plan, hr_lead, **fields):
    values = {"remedy_type": RemedyType.RESTITUTION, "description": "Refund the double charge",
              "owner": hr_lead.user, "due_on": _tomorrow()}
    values.update(fields)
    return remedy.add_action(plan=plan, by=hr_lead, **values)


# Staff pages --------------------------------------------------------------------------------------------------

def test_a_handler_opens_a_plan_grouping_another_case(organisation, case, hr_lead, sign_in):
    other = make_case(organisation)
    client = sign_in(hr_lead)
    page = client.get(f"/grievances/{case.pk}/plan/new/")
    assert page.status_code == 200
    assert other.label in page.content.decode()
    response = client.post(f"/grievances/{case.pk}/plan/new/", {"title": "Refunds", "others": [other.pk]})
    plan = RemedyPlan.objects.get()
    assert response.status_code == 302 and response.url == f"/grievances/plans/{plan.pk}/"
    assert set(plan.grievances.values_list("pk", flat=True)) == {case.pk, other.pk}
    # A case that already has a plan leads to it.
    assert client.get(f"/grievances/{case.pk}/plan/new/").url == f"/grievances/plans/{plan.pk}/"


def test_an_empty_title_renders_the_form_again(case, hr_lead, sign_in):
    response = sign_in(hr_lead).post(f"/grievances/{case.pk}/plan/new/", {"title": ""})
    assert response.status_code == 400
    assert not RemedyPlan.objects.exists()


def test_the_plan_page_shows_cases_proposals_decisions_and_actions_in_few_queries(
        organisation, plan, case, hr_lead, sign_in, django_assert_max_num_queries):
    for number in range(5):
        remedy.record_proposal(plan=plan, grievance=case, text=f"{PROPOSAL} {number}", via="follow_up")
        action = remedy.mark_delivered(action=_action(plan, hr_lead), by=hr_lead)
        remedy.confirm_or_dispute(action=action, grievance=case, answer="disputed", note=f"not yet {number}",
                                  via="follow_up")
    client = sign_in(hr_lead)
    with django_assert_max_num_queries(18):  # 14 whatever the number of proposals and actions
        page = client.get(f"/grievances/plans/{plan.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert case.label in text and f"{PROPOSAL} 4" in text and "not yet 4" in text
    assert "Refund the double charge" in text


def test_a_handler_records_a_proposal_and_decides_on_it(plan, case, hr_lead, sign_in):
    client = sign_in(hr_lead)
    response = client.post(f"/grievances/plans/{plan.pk}/proposals/", {
        "proposal-grievance": case.pk, "proposal-via": "staff", "proposal-text": PROPOSAL,
        "proposal-submission_key": "k1"})
    assert response.status_code == 302
    item = Input.objects.get()
    assert item.recorded_by == hr_lead.user
    bad = client.post(f"/grievances/plans/{plan.pk}/proposals/{item.pk}/decision/",
                      {f"d{item.pk}-outcome": "not_adopted"})
    assert bad.status_code == 400  # a rationale is required
    good = client.post(f"/grievances/plans/{plan.pk}/proposals/{item.pk}/decision/", {
        f"d{item.pk}-outcome": "not_adopted", f"d{item.pk}-rationale": "The account was closed by law"})
    assert good.status_code == 302
    item.refresh_from_db()
    assert item.outcome == "not_adopted"


def test_an_input_of_another_engagement_cannot_be_decided_here(organisation, plan, hr_lead, sign_in):
    other_case = make_case(organisation)
    other_plan = remedy.create_plan(grievances=[other_case], title="Other", by=hr_lead)
    item, _ = remedy.record_proposal(plan=other_plan, grievance=other_case, text=PROPOSAL, via="follow_up")
    response = sign_in(hr_lead).post(f"/grievances/plans/{plan.pk}/proposals/{item.pk}/decision/", {
        f"d{item.pk}-outcome": "adopted"})
    assert response.status_code == 404


def test_actions_are_added_delivered_and_answered_through_the_pages(plan, case, hr_lead, other_organisation,
                                                                   sign_in):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member

    client = sign_in(hr_lead)
    outsider = make_member(other_organisation, Role.HR_LEAD)
    refused = client.post(f"/grievances/plans/{plan.pk}/actions/", {
        "action-remedy_type": "apology", "action-description": "Say sorry", "action-owner": outsider.user.pk,
        "action-due_on": _tomorrow().isoformat()})
    assert refused.status_code == 400 and not RemedyAction.objects.exists()
    past = client.post(f"/grievances/plans/{plan.pk}/actions/", {
        "action-remedy_type": "apology", "action-description": "Say sorry", "action-owner": hr_lead.user.pk,
        "action-due_on": "2000-01-01"})
    assert past.status_code == 400 and "past" in past.content.decode()
    added = client.post(f"/grievances/plans/{plan.pk}/actions/", {
        "action-remedy_type": "apology", "action-description": "Say sorry", "action-owner": hr_lead.user.pk,
        "action-due_on": _tomorrow().isoformat()})
    assert added.status_code == 302
    action = RemedyAction.objects.get()
    early = client.post(f"/grievances/actions/{action.pk}/confirmation/", {
        f"a{action.pk}-grievance": case.pk, f"a{action.pk}-via": "proxy", f"a{action.pk}-answer": "confirmed"})
    assert early.status_code == 400 and "Only an action marked delivered" in early.content.decode()
    assert client.post(f"/grievances/actions/{action.pk}/delivered/").status_code == 302
    assert client.post(f"/grievances/actions/{action.pk}/delivered/").status_code == 400
    answered = client.post(f"/grievances/actions/{action.pk}/confirmation/", {
        f"a{action.pk}-grievance": case.pk, f"a{action.pk}-via": "proxy", f"a{action.pk}-answer": "confirmed"})
    assert answered.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.CONFIRMED
    assert ActionConfirmation.objects.get().recorded_by == hr_lead.user


def test_the_edit_page_changes_an_action(plan, hr_lead, sign_in):
    action = _action(plan, hr_lead)
    client = sign_in(hr_lead)
    assert client.get(f"/grievances/actions/{action.pk}/edit/").status_code == 200
    response = client.post(f"/grievances/actions/{action.pk}/edit/", {
        "remedy_type": "compensation", "description": "Pay 40 USD", "owner": hr_lead.user.pk,
        "due_on": _tomorrow().isoformat()})
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.description == "Pay 40 USD"


def test_only_handlers_of_the_organisation_reach_the_plan(plan, case, admin, decision_maker, outsider, sign_in):
    action_id = 0
    for viewer, status in ((admin, 403), (decision_maker, 403), (outsider, 404)):
        client = sign_in(viewer)
        assert client.get(f"/grievances/plans/{plan.pk}/").status_code == status
        assert client.get(f"/grievances/{case.pk}/plan/new/").status_code == status
        assert client.post(f"/grievances/actions/{action_id or 1}/delivered/").status_code == status


def test_an_excluded_handler_does_not_reach_the_plan(plan, case, organisation, sign_in):
    from rightsloop.accounts.roles import Role
    from rightsloop.accounts.tests.factories import make_member
    from rightsloop.grievances.models import HandlerExclusion

    other_handler = make_member(organisation, Role.HR_LEAD)
    HandlerExclusion.objects.create(grievance=case, user=other_handler.user, reason="named", at=timezone.now())
    assert sign_in(other_handler).get(f"/grievances/plans/{plan.pk}/").status_code == 404


def test_the_case_page_include_links_to_the_plan(plan, case):
    from django.template.loader import render_to_string

    case.refresh_from_db()
    html = render_to_string("grievances/remedy/_case_section.html", {"grievance": case})
    assert f"/grievances/plans/{plan.pk}/" in html
    fresh = make_case(case.organisation)
    assert f"/grievances/{fresh.pk}/plan/new/" in render_to_string("grievances/remedy/_case_section.html",
                                                                   {"grievance": fresh})


# The affected person's side -------------------------------------------------------------------------------------

def _person(grievance) -> Client:
    client = Client()
    follow(client, grievance)
    return client


def test_the_follow_up_section_is_registered_and_shows_nothing_without_a_plan(organisation, case, plan):
    fresh = make_case(organisation)
    assert follow_up.sections(None, fresh) == []
    case.refresh_from_db()
    (template, context), = follow_up.sections(None, case)
    assert template == "grievances/remedy/public_section.html"
    assert context["remedy_slug"] == organisation.slug


def test_the_public_page_is_small_has_no_script_and_offers_the_answers(organisation, plan, case, hr_lead,
                                                                      django_assert_max_num_queries):
    delivered = remedy.mark_delivered(action=_action(plan, hr_lead, description="Refund the double charge"),
                                      by=hr_lead)
    _action(plan, hr_lead, description="Publish a fix")
    item, _ = remedy.record_proposal(plan=plan, grievance=case, text=PROPOSAL, via="follow_up")
    from rightsloop.engagements.actions import record_decision

    record_decision(input=item, outcome="partly_adopted", rationale="Refund yes, account after review", by=hr_lead)
    for _more in range(5):
        remedy.mark_delivered(action=_action(plan, hr_lead), by=hr_lead)
        remedy.record_proposal(plan=plan, grievance=case, text="More", via="follow_up")
    client = _person(case)
    with django_assert_max_num_queries(14):  # 11 whatever the number of proposals and actions
        response = client.get(f"/g/{organisation.slug}/case/remedy/?lang=es")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<script" not in html.lower()
    assert len(response.content) < 50_000
    assert 'lang="es"' in html and 'dir="ltr"' in html
    assert "Refund the double charge" in html and "Publish a fix" in html
    assert PROPOSAL in html and "Refund yes, account after review" in html
    assert f"/g/{organisation.slug}/case/remedy/actions/{delivered.pk}/answer/" in html
    assert response.headers["Cache-Control"].startswith("max-age=0")


def test_the_person_proposes_confirms_and_disputes(organisation, plan, case, hr_lead):
    client = _person(case)
    base = f"/g/{organisation.slug}/case/remedy"
    client.get(f"{base}/?lang=fr")
    empty = client.post(f"{base}/proposals/", {"text": "  ", "submission_key": "s1"})
    assert empty.status_code == 400 and not Input.objects.exists()
    assert empty.headers["Content-Language"] == "fr"  # the language chosen before the post
    for _twice in range(2):
        sent = client.post(f"{base}/proposals/", {"text": PROPOSAL, "submission_key": "s1"})
        assert sent.status_code == 302 and sent.url.endswith("#remedy")
    assert Input.objects.count() == 1
    action = _action(plan, hr_lead)
    early = client.post(f"{base}/actions/{action.pk}/answer/", {f"a{action.pk}-answer": "confirmed"})
    assert early.status_code == 400
    remedy.mark_delivered(action=action, by=hr_lead)
    missing = client.post(f"{base}/actions/{action.pk}/answer/", {})
    assert missing.status_code == 400
    disputed = client.post(f"{base}/actions/{action.pk}/answer/", {f"a{action.pk}-answer": "disputed",
                                                                   f"a{action.pk}-note": "Only one fare"})
    assert disputed.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DISPUTED
    confirmation = ActionConfirmation.objects.get()
    assert (confirmation.via, confirmation.recorded_by, confirmation.note) == ("follow_up", None, "Only one fare")


def test_an_action_of_another_case_is_not_found(organisation, plan, case, hr_lead):
    other = make_case(organisation, stage=Stage.REMEDY_DELIVERING)
    other_plan = remedy.create_plan(grievances=[other], title="Other", by=hr_lead)
    theirs = remedy.mark_delivered(action=_action(other_plan, hr_lead), by=hr_lead)
    response = _person(case).post(f"/g/{organisation.slug}/case/remedy/actions/{theirs.pk}/answer/", {
        f"a{theirs.pk}-answer": "disputed"})
    assert response.status_code == 404
    assert not ActionConfirmation.objects.exists()


def test_a_case_of_another_organisation_is_not_followed_here(organisation, other_organisation, plan, case):
    response = _person(case).get(f"/g/{other_organisation.slug}/case/remedy/")
    assert response.status_code == 302


def test_without_a_followed_case_the_person_is_sent_to_sign_in(organisation, plan):
    client = Client()
    assert client.get(f"/g/{organisation.slug}/case/remedy/").status_code == 302
    assert client.post(f"/g/{organisation.slug}/case/remedy/proposals/", {"text": PROPOSAL}).status_code == 302
    assert not Input.objects.exists()
    assert Client().get("/g/no-such-organisation/case/remedy/").status_code == 404


def test_a_case_without_a_plan_gets_a_plain_page_and_404_on_posts(organisation):
    case = make_case(organisation)
    client = _person(case)
    page = client.get(f"/g/{organisation.slug}/case/remedy/")
    assert page.status_code == 200 and "no remedy plan" in page.content.decode()
    assert client.post(f"/g/{organisation.slug}/case/remedy/proposals/", {"text": PROPOSAL}).status_code == 404
