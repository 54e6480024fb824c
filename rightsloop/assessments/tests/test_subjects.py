"""A partner's own data: exported with the rest of what is held about them, and cleared by their erasure."""

import pytest

from rightsloop.assessments import actions, queries
from rightsloop.assessments.models import AssessmentPartner, TrainingQuestion
from rightsloop.stakeholders.actions import erase_stakeholder
from rightsloop.stakeholders.subjects import export
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_assessment, make_session

pytestmark = pytest.mark.django_db


def test_export_and_erasure(hr_lead):
    assessment = make_assessment(hr_lead, title="Digital ID in Kenya")
    person = make_stakeholder(hr_lead, name="Baraka Otieno", kind="expert")
    partner = actions.add_partner(assessment=assessment, stakeholder=person, role="interpreter",
                                  languages=["sw", "en"], by=hr_lead)
    session = make_session(hr_lead, assessment, attendees=[partner])
    actions.record_question(session=session, question="Tutalindwa vipi?", asked_by=partner, answer="Kwa siri.",
                            by=hr_lead)
    exported = export(person)["assessments"]
    assert exported["partnerships"][0]["assessment"] == "Digital ID in Kenya"
    assert exported["partnerships"][0]["trainings_attended"][0]["title"] == session.title
    assert exported["questions_asked"] == [{"session": session.title, "question": "Tutalindwa vipi?",
                                            "answer": "Kwa siri."}]
    erase_stakeholder(stakeholder=person, reason="Asked to be forgotten", by=hr_lead)
    question = TrainingQuestion.objects.get()
    assert (question.question, question.answer, question.asked_by) == ("", "", None)
    partner = AssessmentPartner.objects.get()
    assert partner.role == "interpreter" and partner.languages == []
    assert "Baraka" not in queries.partner_name(partner)
