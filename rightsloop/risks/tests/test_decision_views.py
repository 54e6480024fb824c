import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_input
from rightsloop.risks import actions
from rightsloop.risks.models import ContextEvent, Mitigation, Risk, StrategicDecision
from rightsloop.risks.tests.factories import make_mitigation, make_risk, past_the_gate

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()

COMPLETE = {
    "risk_picture": "Location data could expose journalists to the security services.",
    "mitigation_plan": "Retention cut to 30 days; law enforcement requests reviewed by legal.",
    "remedy_plan": "A grievance channel run with a local partner, and legal aid for anyone harmed.",
    "communication": "formal_report",
    "communication_plan": "In the annual human rights report.",
    "communication_is_safe": True,
    "outcome": "go",
    "no_engagement_reason": "",
}


def severe_risk(by, **fields):
    return make_risk(by, **{"title": "Surveillance of journalists", "scale": 5, "scope": 4,
                            "irremediability": 4, "likelihood": 2, **fields})


def make_decision(by, *, risks=(), engagements=(), **fields):
    values = {"title": "Enter the Kenyan market", "category": "business_model", **COMPLETE}
    values.update(fields)
    return actions.create_strategic_decision(
        plan=actions.DecisionPlan(risks=list(risks), engagements=list(engagements), **values), by=by)


def form_data(**fields):
    data = {"title": "Enter the Kenyan market", "category": "business_model", **COMPLETE,
            "communication_is_safe": "on"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


# Strategic decisions -------------------------------------------------------

def test_the_form_walks_the_four_steps(hr_lead, sign_in):
    severe_risk(hr_lead)
    make_risk(hr_lead, title="Mild risk")
    page = sign_in(hr_lead).get("/risks/decisions/new/").content.decode()
    for heading in ("Step 1: the risks as they stand today", "Step 2: what will reduce the risks, and what will not",
                    "Step 3: how harm would be put right", "Step 4: whether and how to tell people",
                    "Who was consulted"):
        assert f"<legend><h2>{heading}</h2></legend>" in page
    assert page.count("<fieldset") >= 6
    assert "Surveillance of journalists (Messenger), severity 13/15, severe" in page
    assert "Mild risk (Messenger), severity 8/15" in page
    assert page.index("Surveillance of journalists") < page.index("Mild risk")
    assert "formal public reporting is required" in page


def test_create_a_decision_through_the_form(hr_lead, sign_in):
    risk = severe_risk(hr_lead)
    engagement = make_engagement(hr_lead, title="Nairobi workshop")
    client = sign_in(hr_lead)
    response = client.post("/risks/decisions/new/", form_data(risks=[risk.pk], engagements=[engagement.pk]))
    decision = StrategicDecision.objects.get()
    assert response.status_code == 302 and response.url == f"/risks/decisions/{decision.pk}/"
    assert decision.organisation == hr_lead.organisation and decision.status == "draft"
    assert decision.remedy_plan == COMPLETE["remedy_plan"] and decision.communication_is_safe is True
    assert list(decision.risks.all()) == [risk] and list(decision.engagements.all()) == [engagement]
    assert AuditEntry.objects.filter(action="strategic_decision.created").count() == 1
    page = client.get(response.url).content.decode()
    assert "Nairobi workshop" in page and "Surveillance of journalists" in page
    assert "Mark decided" in page
    # The severe risk has no mitigation: the page flags it and points to where mitigations are added.
    assert "Blocks the decision" in page and f'href="/risks/{risk.pk}/"' in page


def test_form_errors_rerender_with_400_and_save_nothing(hr_lead, outsider, sign_in):
    foreign_risk = make_risk(outsider, title="Their risk")
    client = sign_in(hr_lead)
    response = client.post("/risks/decisions/new/", form_data(title="", category="nonsense", risks=[foreign_risk.pk]))
    page = response.content.decode()
    assert response.status_code == 400
    assert "This field is required." in page and "Select a valid choice" in page
    assert "Their risk" not in page
    assert not StrategicDecision.objects.exists()


def test_decide_is_refused_while_a_step_is_missing(hr_lead, sign_in):
    decision = make_decision(hr_lead, risks=[make_risk(hr_lead)], remedy_plan="", communication="",
                             no_engagement_reason="Market research only so far.")
    client = sign_in(hr_lead)
    response = client.post(f"/risks/decisions/{decision.pk}/decide/")
    page = response.content.decode()
    assert response.status_code == 400
    assert "The decision cannot be marked as taken yet" in page
    assert "Step 3: say how remedy would be delivered if the harm occurs." in page
    assert "Step 4: choose how the decision will be communicated." in page
    decision.refresh_from_db()
    assert decision.status == "draft" and decision.decided_at is None
    assert not AuditEntry.objects.filter(action="strategic_decision.decided").exists()


def test_a_severe_risk_blocks_until_it_has_a_remedy_plan(hr_lead, sign_in):
    risk = severe_risk(hr_lead)
    Risk.objects.filter(pk=risk.pk).update(owner_level="executive")  # below the board: the team may take it
    decision = make_decision(hr_lead, risks=[risk], no_engagement_reason="Defenders asked us not to convene them.")
    client = sign_in(hr_lead)
    refused = client.post(f"/risks/decisions/{decision.pk}/decide/")
    assert refused.status_code == 400
    assert "is not mitigated and has no remedy plan" in refused.content.decode()
    assert StrategicDecision.objects.get(pk=decision.pk).status == "draft"
    # A planned mitigation does not act yet; a remedy plan on "cannot be mitigated" unblocks it.
    make_mitigation(hr_lead, risk, action="Encrypt location data", status="planned")
    assert client.post(f"/risks/decisions/{decision.pk}/decide/").status_code == 400
    make_mitigation(hr_lead, risk, action="Lawful interception cannot be refused", status="cannot_mitigate",
                    reason="The licence requires it.", remedy_plan="Legal aid fund with a local partner.")
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Blocks the decision" not in page and "the decision may be taken" in page
    response = client.post(f"/risks/decisions/{decision.pk}/decide/")
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == "decided" and decision.decided_by == hr_lead.user


def test_a_severe_risk_requires_formal_reporting(hr_lead, sign_in):
    risk = severe_risk(hr_lead)
    make_mitigation(hr_lead, risk, status="in_progress")
    decision = make_decision(hr_lead, risks=[risk], communication="public_statement",
                             no_engagement_reason="Urgent government demand.")
    client = sign_in(hr_lead)
    form = client.get(f"/risks/decisions/{decision.pk}/edit/").content.decode()
    assert "A linked risk is severe: formal public reporting is required." in form
    response = client.post(f"/risks/decisions/{decision.pk}/decide/")
    assert response.status_code == 400
    assert "A linked risk is severe: formal reporting is required." in response.content.decode()
    assert StrategicDecision.objects.get(pk=decision.pk).status == "draft"


def test_a_decided_decision_is_read_only(hr_lead, sign_in):
    risk = make_risk(hr_lead)
    decision = make_decision(hr_lead, risks=[risk], no_engagement_reason="Internal restructuring only.")
    actions.take_strategic_decision(decision=decision, by=hr_lead)
    client = sign_in(hr_lead)
    edit = client.get(f"/risks/decisions/{decision.pk}/edit/", follow=True)
    assert "can no longer be changed" in edit.content.decode()
    response = client.post(f"/risks/decisions/{decision.pk}/edit/", form_data(title="Rewritten history"))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.title == "Enter the Kenyan market" and decision.status == "decided"
    page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Mark decided" not in page and f"/risks/decisions/{decision.pk}/edit/" not in page


def test_edit_keeps_the_links_and_changes_the_steps(hr_lead, sign_in):
    risk, other = make_risk(hr_lead, title="First"), make_risk(hr_lead, title="Second")
    decision = make_decision(hr_lead, risks=[risk], remedy_plan="")
    client = sign_in(hr_lead)
    form = client.get(f"/risks/decisions/{decision.pk}/edit/").content.decode()
    assert f'value="{risk.pk}"' in form and "checked" in form
    response = client.post(f"/risks/decisions/{decision.pk}/edit/",
                           form_data(risks=[risk.pk, other.pk], remedy_plan="Compensation fund."))
    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.remedy_plan == "Compensation fund." and set(decision.risks.all()) == {risk, other}


@pytest.mark.parametrize("role", ["decision_maker", "board", "auditor"])
def test_roles_without_risks_edit_cannot_prepare_or_take_decisions(role, hr_lead, sign_in, request):
    viewer = request.getfixturevalue(role)
    decision = make_decision(hr_lead, risks=[make_risk(hr_lead)], no_engagement_reason="None needed.")
    client = sign_in(viewer)
    assert client.get(f"/risks/decisions/{decision.pk}/").status_code == 200
    assert client.get("/risks/decisions/new/").status_code == 403
    assert client.post("/risks/decisions/new/", form_data()).status_code == 403
    assert client.post(f"/risks/decisions/{decision.pk}/edit/", form_data(title="Changed")).status_code == 403
    assert client.post(f"/risks/decisions/{decision.pk}/decide/").status_code == 403
    assert client.post("/risks/events/new/", {"title": "x", "kind": "new_law", "countries": "KE",
                                               "occurred_on": "2026-11-01"}).status_code == 403
    decision.refresh_from_db()
    assert decision.status == "draft" and decision.title == "Enter the Kenyan market"
    assert StrategicDecision.objects.count() == 1 and not ContextEvent.objects.exists()
    assert "Mark decided" not in client.get(f"/risks/decisions/{decision.pk}/").content.decode()


def test_another_organisations_decision_is_not_found(hr_lead, outsider, sign_in):
    decision = make_decision(outsider, title="Their decision")
    event = actions.record_context_event(title="Their event", kind="new_law", occurred_on=TODAY,
                                         countries_touched=["KE"], by=outsider)
    client = sign_in(hr_lead)
    for url in (f"/risks/decisions/{decision.pk}/", f"/risks/decisions/{decision.pk}/edit/",
                f"/risks/events/{event.pk}/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/risks/decisions/{decision.pk}/decide/").status_code == 404
    assert StrategicDecision.objects.get(pk=decision.pk).status == "draft"
    assert "Their decision" not in client.get("/risks/decisions/").content.decode()
    assert "Their event" not in client.get("/risks/events/").content.decode()


def test_who_was_heard_counts_the_decisions_and_the_engagements_inputs(hr_lead, board, sign_in):
    engagement = make_engagement(hr_lead, title="Nairobi workshop")
    make_input(hr_lead, engagement, text="Please keep location data short.")
    make_input(hr_lead, engagement, text="Police ask for data.")
    elsewhere = make_input(hr_lead, make_engagement(hr_lead, title="Other"), text="Linked directly.")
    decision = make_decision(hr_lead, risks=[make_risk(hr_lead, markets=["KE"])], engagements=[engagement])
    actions.link_inputs(target=decision, inputs=[elsewhere], by=hr_lead)
    page = sign_in(hr_lead).get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "3 input(s) from 0 voices" in page
    assert "Linked directly." in page
    board_page = sign_in(board).get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "3 input(s) from 0 voices" in board_page
    assert "Nairobi workshop" not in board_page and "1 engagement consulted." in board_page
    assert "Linked directly." not in board_page and "Police ask" not in board_page


def test_the_list_filters_by_status_and_category(hr_lead, sign_in):
    draft = make_decision(hr_lead, title="Draft entry", category="market_entry", markets=["KE"],
                          risks=[make_risk(hr_lead)])
    taken = make_decision(hr_lead, title="Taken sale", category="high_risk_sale", risks=[make_risk(hr_lead)],
                          no_engagement_reason="Confidential tender.")
    actions.take_strategic_decision(decision=past_the_gate(taken), by=hr_lead)
    client = sign_in(hr_lead)
    everything = client.get("/risks/decisions/").content.decode()
    assert draft.title in everything and taken.title in everything
    decided = client.get("/risks/decisions/?status=decided").content.decode()
    assert taken.title in decided and draft.title not in decided
    entries = client.get("/risks/decisions/?category=market_entry").content.decode()
    assert draft.title in entries and taken.title not in entries


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_list_pages_make_a_bounded_number_of_queries(hr_lead, sign_in):
    client = sign_in(hr_lead)
    risk = make_risk(hr_lead, markets=["KE"])
    make_mitigation(hr_lead, risk)

    def add(n):
        for i in range(n):
            make_decision(hr_lead, title=f"Decision {i}", risks=[risk, make_risk(hr_lead)])
            actions.record_context_event(title=f"Event {i}", kind="new_law", occurred_on=TODAY,
                                         countries_touched=["KE"], by=hr_lead)

    add(2)
    few = (_queries(client, "/risks/decisions/"), _queries(client, "/risks/events/"))
    add(8)
    assert (_queries(client, "/risks/decisions/"), _queries(client, "/risks/events/")) == few
    decision = StrategicDecision.objects.first()
    few_risks = _queries(client, f"/risks/decisions/{decision.pk}/")
    actions.update_strategic_decision(decision=decision, by=hr_lead, plan=actions.DecisionPlan(
        title=decision.title, category=decision.category,
        risks=[risk, *[make_risk(hr_lead, markets=["UG"]) for _ in range(5)]]))
    assert _queries(client, f"/risks/decisions/{decision.pk}/") == few_risks


# Context events ------------------------------------------------------------

def test_a_context_event_flags_mitigations_and_mails_their_owners(hr_lead, decision_maker, sign_in,
                                                                  django_capture_on_commit_callbacks):
    kenya = make_risk(hr_lead, title="Kenyan data requests", markets=["KE"], product="Messenger")
    touched = make_mitigation(hr_lead, kenya, action="Transparency report", owner=decision_maker.user)
    by_product = make_mitigation(hr_lead, make_risk(hr_lead, markets=["FR"], product="Maps"),
                                 action="Blur faces")
    untouched = make_mitigation(hr_lead, make_risk(hr_lead, markets=["FR"], product="Messenger"),
                                action="Nothing to do with it")
    client = sign_in(hr_lead)
    form = client.get("/risks/events/new/").content.decode()
    assert 'value="Maps"' in form and 'value="Messenger"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/risks/events/new/", {
            "title": "New data retention law", "kind": "new_law", "countries": "ke", "products": ["Maps"],
            "occurred_on": "2026-11-01", "description": "Operators must keep metadata for two years.",
        })
    event = ContextEvent.objects.get()
    assert response.status_code == 302 and response.url == f"/risks/events/{event.pk}/"
    assert event.countries == ["KE"] and event.products == ["Maps"]
    flagged = set(Mitigation.objects.filter(needs_reassessment=True, flagged_by=event))
    assert flagged == {touched, by_product}
    assert not Mitigation.objects.get(pk=untouched.pk).needs_reassessment
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [decision_maker.user.email, hr_lead.user.email])
    mine = next(message for message in mail.outbox if message.to == [decision_maker.user.email])
    assert "New data retention law" in mine.subject
    page = client.get(response.url).content.decode()
    assert "2 mitigation(s) were flagged for reassessment and their 2 owner(s) notified by email." in page
    assert "Transparency report" in page and "Blur faces" in page and "Nothing to do with it" not in page
    assert page.count("Not yet") == 2
    touched.refresh_from_db()
    actions.reassess_mitigation(mitigation=touched, judgement="effective", note="Reassessed against the new law",
                                by=decision_maker)
    assert client.get(response.url).content.decode().count("Not yet") == 1
    listing = client.get("/risks/events/").content.decode()
    assert "New data retention law" in listing and "1 awaiting reassessment" in listing


def test_a_bad_country_code_is_a_field_error(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/risks/events/new/", {
        "title": "Shutdown", "kind": "conflict", "countries": "KE, XX", "occurred_on": "2026-11-01"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Unknown country code: XX." in page and 'value="Shutdown"' in page
    assert not ContextEvent.objects.exists()


def test_an_event_must_name_countries_or_products(hr_lead, sign_in):
    response = sign_in(hr_lead).post("/risks/events/new/", {
        "title": "Something", "kind": "other", "occurred_on": "2026-11-01"})
    assert response.status_code == 400
    assert "Name the countries or the products the event touches." in response.content.decode()
    assert not ContextEvent.objects.exists()


def test_an_event_touching_nothing_says_so(hr_lead, sign_in, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = sign_in(hr_lead).post("/risks/events/new/", {
            "title": "Election unrest", "kind": "conflict", "countries": "NO",
            "occurred_on": datetime.date(2026, 10, 1).isoformat()}, follow=True)
    assert "It touches no mitigation on the register." in response.content.decode()
    assert not mail.outbox
