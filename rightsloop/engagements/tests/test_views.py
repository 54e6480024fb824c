import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.engagements import actions
from rightsloop.engagements.models import Engagement, FeedbackReport, Input, Participation
from rightsloop.engagements.tests.factories import (
    make_engagement,
    make_group,
    make_input,
    make_participation,
    make_relayed_input,
)
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_plan_an_engagement(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/engagements/new/", {
        "title": "Content moderation in Amharic", "type": "workshop", "phases": ["identify", "act"],
        "starts_on": "2026-12-01", "ends_on": "2026-12-02", "information_handling": "chatham_house",
        "owner": hr_lead.user.pk, "attending_functions": ["product", "policy"],
    })
    engagement = Engagement.objects.get()
    assert response.status_code == 302 and response.url == f"/engagements/{engagement.pk}/"
    assert engagement.feedback_due_on == datetime.date(2026, 12, 2) + datetime.timedelta(days=60)
    assert engagement.phases == ["act", "identify"]


def test_plan_errors_rerender(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/engagements/new/", {
        "title": "Kept title", "type": "workshop", "starts_on": "2026-12-05", "ends_on": "2026-12-01",
        "information_handling": "chatham_house", "owner": hr_lead.user.pk,
    })
    page = response.content.decode()
    assert response.status_code == 200
    assert "This field is required." in page and "The end date cannot be before the start date." in page
    assert 'value="Kept title"' in page
    assert not Engagement.objects.exists()


def test_invite_a_protected_stakeholder_through_a_proxy(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, name="At Risk Person", safety_level="high", country="KE")
    proxy = make_stakeholder(hr_lead, name="Kenya Defenders Coalition", kind="proxy", country="KE")
    client = sign_in(hr_lead)
    search = client.post(f"/engagements/{engagement.pk}/", {"find": "risk"}, follow=True)
    assert "risk" not in search.redirect_chain[0][0]  # the address names the search by id only
    assert f"/engagements/{engagement.pk}/participants/add/{person.pk}/" in search.content.decode()
    url = f"/engagements/{engagement.pk}/participants/add/{person.pk}/"
    page = client.get(url).content.decode()
    assert "Kenya Defenders Coalition" in page and "This stakeholder is at high risk" in page
    assert "Kenya Defenders Coalition" in client.post(url, {"proxy_q": "defenders"}, follow=True).content.decode()
    assert "Kenya Defenders Coalition" not in client.post(url, {"proxy_q": "nobody"}, follow=True).content.decode()
    refused = client.post(url, {"via_proxy": ""})
    assert refused.status_code == 400 and not Participation.objects.exists()
    assert client.post(url, {"via_proxy": proxy.pk}).status_code == 302
    assert Participation.objects.get().via_proxy == proxy


def test_record_an_input_live_with_htmx(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    client = sign_in(hr_lead)
    response = client.post(f"/engagements/{engagement.pk}/inputs/", {
        "speaker": participation.pk, "text": "Moderators do not read Swahili slang.", "tags": "moderation",
        "owning_function": "policy", "idempotency_key": "abc123",
    }, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in page
    assert 'hx-swap-oob="afterbegin:#input-list"' in page
    assert "Moderators do not read Swahili slang." in page
    assert 'id="input-form"' in page and "Moderators do not read" not in page.split('id="input-form"')[1].split(
        "</form>")[0]
    again = client.post(f"/engagements/{engagement.pk}/inputs/", {
        "speaker": participation.pk, "text": "Moderators do not read Swahili slang.", "idempotency_key": "abc123",
    }, HTTP_HX_REQUEST="true")
    assert "Already recorded." in again.content.decode()
    assert Input.objects.count() == 1


def test_record_an_input_without_javascript(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    client = sign_in(hr_lead)
    response = client.post(f"/engagements/{engagement.pk}/inputs/", {"text": "From the floor."})
    assert response.status_code == 302
    assert "From the floor." in client.get(f"/engagements/{engagement.pk}/inputs/").content.decode()


def test_empty_input_keeps_the_form(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    response = sign_in(hr_lead).post(f"/engagements/{engagement.pk}/inputs/", {"text": "", "tags": "kept tag"},
                                     HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    page = response.content.decode()
    assert "This field is required." in page and 'value="kept tag"' in page


def test_live_triage_with_htmx(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement, owning_function="")
    response = sign_in(hr_lead).post(f"/engagements/inputs/{item.pk}/triage/", {
        f"triage-{item.pk}-owning_function": "engineering", f"triage-{item.pk}-tags": "security, retention",
    }, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert f'id="input-{item.pk}"' in response.content.decode()
    item.refresh_from_db()
    assert item.owning_function == "engineering"
    assert sorted(t.name for t in item.tags.all()) == ["retention", "security"]


def test_inputs_page_reads_in_constant_queries(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    people = [make_participation(hr_lead, engagement, make_stakeholder(hr_lead)) for _ in range(3)]
    for number in range(6):
        make_input(hr_lead, engagement, people[number % 3], tags=["x"])
    client = sign_in(hr_lead)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/engagements/{engagement.pk}/inputs/")
    for number in range(20):
        item = make_input(hr_lead, engagement, people[number % 3], tags=[f"t{number}"])
        actions.record_decision(input=item, outcome="adopted", by=hr_lead)
    for _ in range(10):  # more people in the "who said it" list must not mean more queries
        make_participation(hr_lead, engagement, make_stakeholder(hr_lead), via_proxy=make_stakeholder(
            hr_lead, kind="proxy"))
    with CaptureQueriesContext(connection) as many:
        client.get(f"/engagements/{engagement.pk}/inputs/")
    assert len(many) == len(few)


def test_decision_without_rationale_is_refused_and_keeps_what_was_typed(hr_lead, decision_maker, sign_in):
    item = make_input(hr_lead, make_engagement(hr_lead), owning_function="product")
    client = sign_in(decision_maker)
    response = client.post(f"/engagements/inputs/{item.pk}/decide/", {"outcome": "not_adopted",
                                                                        "next_step": "kept text"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "a decision not to adopt, in full or in part, needs a rationale" in page
    assert "kept text" in page
    item.refresh_from_db()
    assert item.outcome == ""
    response = client.post(f"/engagements/inputs/{item.pk}/decide/", {
        "outcome": "under_consideration", "next_step": "Privacy review board",
        "next_step_due": (TODAY + datetime.timedelta(days=14)).isoformat()})
    assert response.status_code == 302 and response.url == "/engagements/decisions/"
    item.refresh_from_db()
    assert item.outcome == "under_consideration"


def test_decision_makers_cannot_reach_other_functions_inputs(hr_lead, legal_decision_maker, sign_in):
    item = make_input(hr_lead, make_engagement(hr_lead), owning_function="product")
    client = sign_in(legal_decision_maker)
    assert client.get(f"/engagements/inputs/{item.pk}/decide/").status_code == 404
    assert client.post(f"/engagements/inputs/{item.pk}/decide/", {"outcome": "adopted"}).status_code == 404
    assert client.get(f"/engagements/{item.engagement_id}/").status_code == 403


def test_decision_queue_page(hr_lead, decision_maker, sign_in):
    engagement = make_engagement(hr_lead, title="Credit scoring interviews")
    make_input(hr_lead, engagement, owning_function="product", text="Explain why my loan was refused.")
    make_input(hr_lead, engagement, owning_function="legal", text="Not for product.")
    page = sign_in(decision_maker).get("/engagements/decisions/").content.decode()
    assert "Explain why my loan was refused." in page and "Not for product." not in page
    assert "Inputs routed to Product" in page


def test_feedback_preview_and_send(hr_lead, sign_in, django_capture_on_commit_callbacks):
    engagement = make_engagement(hr_lead, title="Mobile money fraud")
    person = make_stakeholder(hr_lead, name="Grace Atieno", email="grace@example.net")
    participation = make_participation(hr_lead, engagement, person)
    item = make_input(hr_lead, engagement, participation, text="Agents keep our PINs.")
    actions.record_decision(input=item, outcome="adopted", rationale="Agents now never see PINs.", by=hr_lead)
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/feedback/{participation.pk}/"
    page = client.get(url).content.decode()
    assert "Agents keep our PINs." in page and "Agents now never see PINs." in page and "Send by email" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"do": "email"})
    assert response.status_code == 302
    assert mail.outbox[0].to == ["grace@example.net"]
    assert FeedbackReport.objects.get().status == "sent"
    overview = client.get(f"/engagements/{engagement.pk}/feedback/").content.decode()
    assert "Told" in overview


def test_feedback_page_offers_no_email_for_high_safety(hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, safety_level="high", email="hidden@example.net")
    participation = make_participation(hr_lead, engagement, person, override_reason="Met at their request")
    make_input(hr_lead, engagement, participation)
    client = sign_in(hr_lead)
    url = f"/engagements/{engagement.pk}/feedback/{participation.pk}/"
    page = client.get(url).content.decode()
    assert "Send by email" not in page and 'value="in_person"' in page
    assert client.post(url, {"do": "email"}).status_code == 400
    assert client.post(url, {"do": "deliver", "channel": "in_person"}).status_code == 302
    assert FeedbackReport.objects.get().channel == "in_person"


def test_dashboard_shows_loop_metrics_in_constant_queries(hr_lead, sign_in):
    client = sign_in(hr_lead)
    overdue = make_engagement(hr_lead, title="Late loop", starts_on=TODAY - datetime.timedelta(days=80),
                              feedback_due_on=TODAY - datetime.timedelta(days=2))
    make_input(hr_lead, overdue)
    with CaptureQueriesContext(connection) as few:
        page = client.get("/").content.decode()
    assert "Late loop" in page and "Overdue loops" in page
    for number in range(8):
        engagement = make_engagement(hr_lead, title=f"Late {number}", starts_on=TODAY - datetime.timedelta(days=80),
                                     feedback_due_on=TODAY - datetime.timedelta(days=number + 1))
        make_input(hr_lead, engagement)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


@pytest.mark.parametrize("role", ["board", "decision_maker", "auditor"])
def test_every_role_has_a_dashboard(request, role, sign_in):
    response = sign_in(request.getfixturevalue(role)).get("/")
    assert response.status_code == 200 and "Closing the loop" in response.content.decode()


def test_board_cannot_open_engagements(board, hr_lead, sign_in):
    engagement = make_engagement(hr_lead)
    client = sign_in(board)
    assert client.get("/engagements/").status_code == 403
    assert client.get(f"/engagements/{engagement.pk}/inputs/").status_code == 403


def test_protected_people_appear_only_by_pseudonym_and_only_to_grant_holders(hr_lead, auditor, sign_in):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead, name="Hidden Defender", safety_level="high", email="hd@example.net",
                              phone="+254700000000")
    proxy = make_stakeholder(hr_lead, kind="proxy", name="Visible Proxy")
    participation = make_participation(hr_lead, engagement, person, via_proxy=proxy)
    group = make_group(hr_lead, proxy, members=[person], name="Defenders in the north")
    make_relayed_input(hr_lead, engagement, proxy, group)
    feedback = f"/engagements/{engagement.pk}/feedback/"
    pages = ("/stakeholders/", f"/stakeholders/{person.pk}/", f"/engagements/{engagement.pk}/", feedback,
             f"{feedback}{participation.pk}/", f"/engagements/{engagement.pk}/inputs/")
    for viewer in (hr_lead, auditor):
        client = sign_in(viewer)
        for url in pages:
            response = client.get(url)
            page = response.content.decode()
            assert "Hidden Defender" not in page and "hd@example.net" not in page and "+254700000000" not in page, url
    auditor_client = sign_in(auditor)
    assert auditor_client.get(f"/stakeholders/{person.pk}/").status_code == 404
    assert "Protected stakeholder" not in auditor_client.get("/stakeholders/").content.decode()
    # Without a grant the engagement does not show them either, not even by pseudonym (issue 11, High 4).
    assert "Protected stakeholder" not in auditor_client.get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Protected stakeholder" in sign_in(hr_lead).get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Protected stakeholder" in sign_in(hr_lead).get("/stakeholders/").content.decode()
