"""A stakeholder who also answered a consultation from their address: their responses are in their subject access
export, and erasing them clears what they wrote and their address (X5)."""

import json

import pytest

from rightsloop.stakeholders.actions import erase_stakeholder, export_subject
from rightsloop.stakeholders.tests.factories import make_stakeholder

from ..models import Respondent, Response
from .test_outcomes import PERSONAL, consultation_with_themes, person, send_all

pytestmark = pytest.mark.django_db
ADDRESS = "Amina.Odhiambo@Example.net"


def test_the_export_holds_their_responses_with_themes_and_decisions(hr_lead):
    amina = make_stakeholder(hr_lead, email=ADDRESS.lower())
    consultation, *_ = consultation_with_themes(hr_lead, [person(1, contact=f" {ADDRESS} "), person(2),
                                                          person(3, contact=ADDRESS.upper())])
    send_all(consultation, hr_lead)
    document = export_subject(stakeholder=amina, by=hr_lead)
    [entry] = document["consultations"]
    assert entry["consultation"] == consultation.engagement.title and entry["told_the_outcome"]
    assert [(row["line"], row["said"]) for row in entry["responses"]] == [
        (2, f"{PERSONAL} response 1"), (4, f"{PERSONAL} response 3")]
    assert entry["responses"][0]["themes"] == [{"theme": "Privacy matters", "decision": {
        "outcome": "adopted", "rationale": "We encrypt by default from May.", "next_step": "",
        "next_step_due": None}}]
    assert f"{PERSONAL} response 2" not in json.dumps(document)
    # Someone else, or someone without an address, holds nothing here.
    assert export_subject(stakeholder=make_stakeholder(hr_lead), by=hr_lead)["consultations"] == []
    assert export_subject(stakeholder=make_stakeholder(hr_lead, email=""), by=hr_lead)["consultations"] == []


def test_erasure_clears_what_they_wrote_and_their_address_but_keeps_the_counts(hr_lead, outsider):
    amina = make_stakeholder(hr_lead, email=ADDRESS)
    consultation, privacy, _cost = consultation_with_themes(hr_lead, [person(1, contact=ADDRESS), person(2)])
    # The same address in another organisation's consultation is not this stakeholder's.
    elsewhere, *_ = consultation_with_themes(outsider, [person(7, contact=ADDRESS)])
    erase_stakeholder(stakeholder=amina, reason="asked to be forgotten", by=hr_lead)
    erased = Response.objects.get(consultation=consultation, line=2)
    assert erased.text == "" and erased.respondent.contact == "" and erased.respondent.contact_index == ""
    assert Response.objects.get(consultation=consultation, line=3).text == f"{PERSONAL} response 2"
    assert consultation.responses.count() == 2 and privacy.assignments.filter(response=erased).exists()
    assert Respondent.objects.get(consultation=elsewhere).contact == ADDRESS
