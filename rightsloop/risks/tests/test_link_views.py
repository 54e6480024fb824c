"""Links between inputs and risks, mitigations and decisions from both sides, and who was heard."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.models import Input
from rightsloop.engagements.representation import who_was_heard
from rightsloop.engagements.tests.factories import (
    make_engagement,
    make_group,
    make_input,
    make_participation,
    make_relayed_input,
)
from rightsloop.risks import actions
from rightsloop.risks.tests.factories import make_mitigation, make_risk
from rightsloop.stakeholders import actions as stakeholder_actions
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


def _decision(by, risk):
    return actions.create_strategic_decision(plan=actions.DecisionPlan(
        title="Enter the Kenyan market", category="market_entry", risks=[risk]), by=by)


@pytest.fixture
def heard_world(hr_lead):
    engagement = make_engagement(hr_lead, title="Rider forum Nairobi")
    other = make_engagement(hr_lead, title="Expert roundtable")
    amina = make_stakeholder(hr_lead, name="Amina Rider")
    stakeholder_actions.record_consent(stakeholder=amina, scope="attribute_inputs", granted=True, method="verbal",
                                       given_on=engagement.starts_on, by=hr_lead)
    rider = make_participation(hr_lead, engagement, amina)
    expert = make_participation(hr_lead, other, make_stakeholder(hr_lead, name="Prof Expert", kind="expert"))
    return {
        "engagement": engagement, "other": other,
        "said": make_input(hr_lead, engagement, rider, text="Tracking continues after my shift ends",
                           attribution="attributed"),
        "pay": make_input(hr_lead, engagement, rider, text="Pay is deducted without notice"),
        "expert": make_input(hr_lead, other, expert, text="Retention beyond 30 days is disproportionate"),
    }


def test_link_and_unlink_inputs_from_a_risk(hr_lead, sign_in, heard_world):
    risk = make_risk(hr_lead, title="Riders tracked after shifts")
    client = sign_in(hr_lead)
    url = f"/risks/{risk.pk}/inputs/"
    page = client.get(url).content.decode()
    assert all(text in page for text in ("Tracking continues", "Pay is deducted", "Retention beyond 30 days"))
    assert "Amina Rider" in page and "Rider forum Nairobi" in page
    found = client.get(url, {"q": "tracking", "engagement": heard_world["engagement"].pk}).content.decode()
    assert "Tracking continues" in found and "Pay is deducted" not in found
    by_title = client.get(url, {"q": "roundtable"}).content.decode()
    assert "Retention beyond" in by_title and "Tracking continues" not in by_title
    only = client.get(url, {"engagement": heard_world["other"].pk}).content.decode()
    assert "Retention beyond" in only and "Tracking continues" not in only
    said, expert = heard_world["said"], heard_world["expert"]
    response = client.post(url, {"operation": "link", "inputs": [said.pk, expert.pk]})
    assert response.status_code == 302 and response.url == url
    assert set(risk.inputs.all()) == {said, expert}
    entry = AuditEntry.objects.get(action="inputs.linked", target_id=str(risk.pk))
    assert entry.summary == "2 input(s)"
    linked = client.get(url, {"linked": "yes"}).content.decode()
    assert "Tracking continues" in linked and "Pay is deducted" not in linked
    # The risk page lists them, with an unlink button that returns to it.
    detail = client.get(f"/risks/{risk.pk}/").content.decode()
    assert "Tracking continues" in detail and 'name="operation" value="unlink"' in detail
    response = client.post(url, {"operation": "unlink", "inputs": [said.pk], "next": f"/risks/{risk.pk}/"})
    assert response.status_code == 302 and response.url == f"/risks/{risk.pk}/"
    assert list(risk.inputs.all()) == [expert]
    assert AuditEntry.objects.filter(action="inputs.unlinked", target_id=str(risk.pk)).count() == 1
    # Off-site "next" is ignored.
    response = client.post(url, {"operation": "unlink", "inputs": [expert.pk], "next": "https://evil.example/"})
    assert response.url == url and not risk.inputs.exists()


def test_picker_refuses_bad_choices_and_roles(hr_lead, decision_maker, auditor, outsider, sign_in, heard_world):
    risk = make_risk(hr_lead)
    client = sign_in(hr_lead)
    url = f"/risks/{risk.pk}/inputs/"
    assert client.post(url, {"operation": "link"}).status_code == 400
    assert client.post(url, {"operation": "explode", "inputs": [heard_world["said"].pk]}).status_code == 400
    foreign_engagement = make_engagement(outsider)
    foreign = make_input(outsider, foreign_engagement, text="Foreign text")
    response = client.post(url, {"operation": "link", "inputs": [heard_world["said"].pk, foreign.pk]})
    assert response.status_code == 400 and not risk.inputs.exists()
    assert "Foreign text" not in client.get(url).content.decode()
    for viewer in (decision_maker, auditor):
        assert sign_in(viewer).get(url).status_code == 403
        assert sign_in(viewer).post(url, {"operation": "link", "inputs": [heard_world["said"].pk]}).status_code == 403
    assert not risk.inputs.exists()
    assert sign_in(outsider).get(url).status_code == 404


def test_link_inputs_to_a_mitigation_and_a_decision(hr_lead, sign_in, heard_world):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk, action="Stop tracking at shift end")
    decision = _decision(hr_lead, risk)
    client = sign_in(hr_lead)
    said = heard_world["said"]
    assert client.post(f"/risks/mitigations/{mitigation.pk}/inputs/",
                       {"operation": "link", "inputs": [said.pk]}).status_code == 302
    assert client.post(f"/risks/decisions/{decision.pk}/inputs/",
                       {"operation": "link", "inputs": [said.pk]}).status_code == 302
    assert list(mitigation.inputs.all()) == [said] and list(decision.inputs.all()) == [said]
    assert AuditEntry.objects.filter(action="inputs.linked", target_type__icontains="mitigation").exists()
    assert AuditEntry.objects.filter(action="inputs.linked", target_type__icontains="decision").exists()
    decision_page = client.get(f"/risks/decisions/{decision.pk}/").content.decode()
    assert "Tracking continues" in decision_page and f"/risks/decisions/{decision.pk}/inputs/" in decision_page
    # Seen from the input.
    page = client.get(f"/risks/inputs/{said.pk}/links/").content.decode()
    assert "Stop tracking at shift end" in page and "Enter the Kenyan market" in page


def test_link_and_unlink_from_the_input_side(hr_lead, decision_maker, board, sign_in, heard_world):
    risk = make_risk(hr_lead, title="Riders tracked after shifts")
    mitigation = make_mitigation(hr_lead, risk, action="Stop tracking at shift end")
    decision = _decision(hr_lead, risk)
    said = heard_world["said"]
    client = sign_in(hr_lead)
    url = f"/risks/inputs/{said.pk}/links/"
    page = client.get(url).content.decode()
    assert "Tracking continues after my shift ends" in page and "Not linked to any risk." in page
    assert f'value="risk:{risk.pk}"' in page and f'value="mitigation:{mitigation.pk}"' in page
    for target in (f"risk:{risk.pk}", f"mitigation:{mitigation.pk}", f"decision:{decision.pk}"):
        response = client.post(url, {"operation": "link", "target": target})
        assert response.status_code == 302 and response.url == url
    assert list(said.risks.all()) == [risk] and list(said.mitigations.all()) == [mitigation]
    assert list(said.strategic_decisions.all()) == [decision]
    assert AuditEntry.objects.filter(action="inputs.linked").count() == 3
    page = client.get(url).content.decode()
    assert "Not linked to any risk." not in page and f"/risks/{risk.pk}/" in page
    response = client.post(url, {"operation": "unlink", "target": f"risk:{risk.pk}"})
    assert response.status_code == 302 and not said.risks.exists()
    assert AuditEntry.objects.filter(action="inputs.unlinked", target_id=str(risk.pk)).count() == 1
    # Bad targets: form errors, nothing changed.
    for bad in ("risk:abc", "stakeholder:1", f"risk:{risk.pk + 1000}", ""):
        assert client.post(url, {"operation": "link", "target": bad}).status_code == 400, bad
    assert not said.risks.exists()
    # A decision maker whose function owns the input sees the page but may not change links.
    dm = sign_in(decision_maker)
    seen = dm.get(url)
    assert seen.status_code == 200 and "Stop tracking at shift end" in seen.content.decode()
    assert 'name="operation"' not in seen.content.decode()
    assert dm.post(url, {"operation": "link", "target": f"risk:{risk.pk}"}).status_code == 403
    assert not said.risks.exists()
    # The board sees no inputs: not found.
    assert sign_in(board).get(url).status_code == 404
    # The engagement's input list points to the page.
    inputs_page = client.get(f"/engagements/{heard_world['engagement'].pk}/inputs/").content.decode()
    assert url in inputs_page


def test_an_input_routed_elsewhere_is_not_found_for_a_decision_maker(hr_lead, decision_maker, sign_in):
    engagement = make_engagement(hr_lead)
    legal = make_input(hr_lead, engagement, text="Legal only", owning_function="legal")
    assert sign_in(decision_maker).get(f"/risks/inputs/{legal.pk}/links/").status_code == 404


def test_a_high_safety_stakeholder_is_never_named_on_link_pages(hr_lead, admin, sign_in):
    engagement = make_engagement(hr_lead, title="Defenders consultation")
    proxy = make_stakeholder(hr_lead, name="Defenders Coalition", kind="proxy")
    person = make_stakeholder(hr_lead, name="Secret Defender Name", safety_level="high")
    make_participation(hr_lead, engagement, person, via_proxy=proxy)
    # What the proxy relays is the group's (issue 12), never recorded against the person at risk.
    group = make_group(hr_lead, proxy, members=[person], name="Defenders in the capital")
    item = make_relayed_input(hr_lead, engagement, proxy, group, text="Accounts of defenders were surveilled")
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk)
    decision = _decision(hr_lead, risk)
    for target in (risk, mitigation, decision):
        actions.link_inputs(target=target, inputs=[item], by=hr_lead)
    indicator = actions.add_indicator(mitigation=mitigation, name="Surveillance reports", by=hr_lead)
    actions.record_evidence(indicator=indicator, observed_on=engagement.starts_on, value="3", input=item,
                            by=hr_lead)
    urls = [f"/risks/{risk.pk}/", f"/risks/{risk.pk}/inputs/", f"/risks/mitigations/{mitigation.pk}/inputs/",
            f"/risks/decisions/{decision.pk}/inputs/", f"/risks/decisions/{decision.pk}/",
            f"/risks/inputs/{item.pk}/links/", f"/risks/indicators/{indicator.pk}/evidence/add/",
            f"/engagements/{engagement.pk}/"]
    for viewer in (admin, hr_lead):  # admin holds no grant; even the grant holder sees a pseudonym here
        client = sign_in(viewer)
        for url in urls:
            response = client.get(url)
            body = response.content.decode()
            assert response.status_code == 200, url
            assert "Secret Defender Name" not in body, (viewer, url)
        for url in (f"/risks/inputs/{item.pk}/links/", f"/risks/{risk.pk}/inputs/", f"/risks/{risk.pk}/"):
            body = client.get(url).content.decode()
            assert "Accounts of defenders were surveilled" in body, url
            # The words show as the group's, through its proxy (not named: it gave no consent to be).
            assert "Defenders in the capital, through a proxy" in body, (viewer, url)
            assert "Anonymised participant" not in body, url


def test_who_was_heard_include_shows_breakdowns_and_gaps(hr_lead, heard_world):
    expert_only = who_was_heard(Input.objects.filter(pk=heard_world["expert"].pk), markets=["KE"])
    html = render_to_string("risks/includes/who_was_heard.html", {"heard": expert_only, "board_view": False})
    assert "No affected voices" in html
    assert "By kind of stakeholder" in html and "Expert stakeholder" in html
    assert "By region" in html and "By language" in html and "Global South" in html
    assert "By at-risk attribute" in html
    assert "1 input(s) from 1 voice" in html
    assert "Prof Expert" not in html
    everyone = who_was_heard(Input.objects.all(), markets=["KE"])
    html = render_to_string("risks/includes/who_was_heard.html", {"heard": everyone, "board_view": False})
    assert "No affected voices" not in html and "Affected stakeholder" in html
    assert "3 input(s) from 2 voices" in html
    board = render_to_string("risks/includes/who_was_heard.html", {"heard": expert_only, "board_view": True})
    assert "No affected voices" in board and "1 input(s) from 1 voice" in board
    assert "By kind of stakeholder" not in board and "Expert stakeholder" not in board and "<table" not in board
    nobody = who_was_heard(Input.objects.none())
    assert "Nobody has been heard" in render_to_string("risks/includes/who_was_heard.html", {"heard": nobody})


def test_engagement_page_shows_who_was_heard_against_linked_risks_markets(hr_lead, sign_in, heard_world):
    engagement = heard_world["engagement"]
    page = sign_in(hr_lead).get(f"/engagements/{engagement.pk}/").content.decode()
    assert "Who was heard" in page and "2 input(s) from 1 voice" in page
    assert "No voices from the markets" not in page
    risk = make_risk(hr_lead, markets=["BR"])
    actions.link_inputs(target=risk, inputs=[heard_world["said"]], by=hr_lead)
    page = sign_in(hr_lead).get(f"/engagements/{engagement.pk}/").content.decode()
    assert "No voices from the markets concerned (BR)" in page


def _many_inputs(by, n):
    engagement = make_engagement(by)
    return [make_input(by, engagement, make_participation(by, engagement, make_stakeholder(by)), text=f"Said {i}")
            for i in range(n)]


def test_picker_query_count_is_bounded(hr_lead, sign_in):
    risk = make_risk(hr_lead)
    client = sign_in(hr_lead)
    first = _many_inputs(hr_lead, 3)
    actions.link_inputs(target=risk, inputs=first[:2], by=hr_lead)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/risks/{risk.pk}/inputs/").status_code == 200
    more = _many_inputs(hr_lead, 20)
    actions.link_inputs(target=risk, inputs=more, by=hr_lead)
    with CaptureQueriesContext(connection) as many:
        page = client.get(f"/risks/{risk.pk}/inputs/")
    assert page.status_code == 200 and page.content.decode().count('name="inputs"') == 23
    assert len(many) == len(few)


def test_input_links_query_count_is_bounded(hr_lead, sign_in):
    item = _many_inputs(hr_lead, 1)[0]
    client = sign_in(hr_lead)
    url = f"/risks/inputs/{item.pk}/links/"

    def link(n):
        for _i in range(n):
            risk = make_risk(hr_lead)
            actions.link_inputs(target=risk, inputs=[item], by=hr_lead)
            actions.link_inputs(target=make_mitigation(hr_lead, risk), inputs=[item], by=hr_lead)
            actions.link_inputs(target=_decision(hr_lead, risk), inputs=[item], by=hr_lead)
            make_mitigation(hr_lead, make_risk(hr_lead))

    link(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    link(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)
