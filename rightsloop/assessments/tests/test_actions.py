"""The assessment actions: what they save, what they refuse, and the audit entries they write."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from rightsloop.assessments import actions
from rightsloop.assessments.models import Assessment, AssessmentPhase, TrainingQuestion
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement
from rightsloop.risks.models import RiskChange
from rightsloop.risks.tests.factories import make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_assessment, make_phase, make_session

D = datetime.date
pytestmark = pytest.mark.django_db




def test_create_keeps_sorted_codes_and_audits(hr_lead):
    assessment = make_assessment(hr_lead, countries=["ug", " KE", "KE"])
    assert assessment.countries == ["KE", "UG"] and assessment.owner == hr_lead.user
    entry = AuditEntry.objects.about(assessment).get()
    assert entry.action == "assessment.created" and "countries" in entry.changed_fields


@pytest.mark.parametrize("codes", [["XK1"], ["ZZ"], ["KE", "ZZ"], []])
def test_unknown_or_missing_country_is_a_field_error_and_nothing_is_saved(hr_lead, codes):
    with pytest.raises(ValidationError) as error:
        make_assessment(hr_lead, countries=codes)
    assert "countries" in error.value.message_dict
    if codes:
        assert "ZZ" in str(error.value) or "XK1" in str(error.value)
    assert not Assessment.objects.exists() and not AuditEntry.objects.filter(action="assessment.created").exists()


def test_end_before_start_and_blank_title_are_refused_together(hr_lead):
    with pytest.raises(ValidationError) as error:
        make_assessment(hr_lead, title=" ", starts_on=D(2027, 1, 1), ends_on=D(2026, 1, 1))
    assert set(error.value.message_dict) >= {"title", "ends_on"}


def test_owner_must_be_a_member(hr_lead, outsider):
    with pytest.raises(ValidationError) as error:
        make_assessment(hr_lead, owner=outsider.user)
    assert "owner" in error.value.message_dict


def test_roles_that_only_read_cannot_start_one(auditor, decision_maker):
    for viewer in (auditor, decision_maker):
        with pytest.raises(PermissionDenied):
            make_assessment(viewer)


def test_update_audits_only_what_changed(hr_lead):
    assessment = make_assessment(hr_lead)
    plan = actions.AssessmentPlan(title=assessment.title, technology=assessment.technology, countries=["KE", "TZ"],
                                  starts_on=assessment.starts_on, ends_on=assessment.ends_on, region="East Africa",
                                  status="in_progress")
    actions.update_assessment(assessment=assessment, plan=plan, by=hr_lead)
    entry = AuditEntry.objects.filter(action="assessment.updated").get()
    assert sorted(entry.changed_fields) == ["countries", "status"]


def test_phase_is_one_of_each_kind_done_means_full_progress(hr_lead):
    assessment = make_assessment(hr_lead)
    make_phase(hr_lead, assessment, "analysis", progress=30)
    phase = make_phase(hr_lead, assessment, "analysis", progress=60, done=True)
    assert AssessmentPhase.objects.count() == 1
    assert phase.progress == 100 and phase.done_on is not None
    make_phase(hr_lead, assessment, "scoping")
    assert [p.kind for p in assessment.phases.all()] == ["scoping", "analysis"]
    actions_ = [e.action for e in AuditEntry.objects.about(assessment).order_by("sequence")]
    assert actions_.count("assessment.phase_planned") == 2 and "assessment.phase_changed" in actions_


@pytest.mark.parametrize("fields,name", [({"progress": 101}, "progress"), ({"progress": -1}, "progress"),
                                         ({"kind": "nap"}, "kind"), ({"ends_on": D(2026, 8, 1)}, "ends_on")])
def test_bad_phases_are_refused(hr_lead, fields, name):
    assessment = make_assessment(hr_lead)
    with pytest.raises(ValidationError) as error:
        make_phase(hr_lead, assessment, **fields)
    assert name in error.value.message_dict and not AssessmentPhase.objects.exists()


def test_partner_with_role_and_languages(hr_lead, outsider):
    assessment = make_assessment(hr_lead)
    person = make_stakeholder(hr_lead, kind="expert")
    partner = actions.add_partner(assessment=assessment, stakeholder=person, role="facilitator",
                                  languages=["SW", "en"], by=hr_lead)
    assert partner.languages == ["en", "sw"]
    with pytest.raises(ValidationError):  # twice
        actions.add_partner(assessment=assessment, stakeholder=person, role="facilitator", by=hr_lead)
    with pytest.raises(ValidationError) as error:
        actions.add_partner(assessment=assessment, stakeholder=make_stakeholder(outsider), role="facilitator",
                            by=hr_lead)
    assert "stakeholder" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.change_partner(partner=partner, role="interpreter", languages=["xx9"], by=hr_lead)
    assert "languages" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        actions.change_partner(partner=partner, role="boss", languages=[], by=hr_lead)
    assert "role" in error.value.message_dict


def test_training_session_with_sealed_file_attendance_and_questions(hr_lead, settings):
    assessment = make_assessment(hr_lead)
    partner = actions.add_partner(assessment=assessment, stakeholder=make_stakeholder(hr_lead), role="facilitator",
                                  languages=["sw"], by=hr_lead)
    upload = SimpleUploadedFile("slides.txt", b"Haki za binadamu", content_type="text/plain")
    session = make_session(hr_lead, assessment, attendees=[partner], material_file=upload)
    assert list(session.attendees.all()) == [partner]
    assert session.material_file_name == "slides.txt"
    stored = (settings.MEDIA_ROOT / session.material_file.name).read_bytes()
    assert b"Haki" not in stored and stored.startswith(b"RLSEALED")
    with session.material_file.open("rb") as handle:
        assert handle.read() == b"Haki za binadamu"
    question = actions.record_question(session=session, question="Tutawalindaje wanaohojiwa?", asked_by=partner,
                                       by=hr_lead)
    raw = TrainingQuestion.objects.values_list("question_sealed", flat=True).get()
    assert b"Tutawalindaje" not in bytes(raw)
    actions.answer_question(question=question, answer="Kwa majina bandia.", by=hr_lead)
    question.refresh_from_db()
    assert question.answer == "Kwa majina bandia." and question.answered_at
    actions.set_attendance(session=session, attendees=[], by=hr_lead)
    assert not session.attendees.exists()
    done = {e.action for e in AuditEntry.objects.about(assessment)}
    assert {"assessment.training_recorded", "assessment.question_recorded", "assessment.question_answered",
            "assessment.attendance_changed"} <= done
    # Removing the partner keeps the question, untied.
    actions.remove_partner(partner=partner, by=hr_lead)
    question.refresh_from_db()
    assert question.asked_by is None and question.question


def test_session_refuses_bad_language_and_other_assessments_partners(hr_lead):
    first, second = make_assessment(hr_lead), make_assessment(hr_lead)
    stranger = actions.add_partner(assessment=second, stakeholder=make_stakeholder(hr_lead), role="interpreter",
                                   by=hr_lead)
    with pytest.raises(ValidationError) as error:
        make_session(hr_lead, first, language="klingon")
    assert "language" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        make_session(hr_lead, first, attendees=[stranger])
    assert "attendees" in error.value.message_dict
    with pytest.raises(ValidationError):
        actions.record_question(session=make_session(hr_lead, first), question=" ", by=hr_lead)


def test_engagements_of_the_same_organisation_only(hr_lead, outsider):
    assessment = make_assessment(hr_lead)
    mine, theirs = make_engagement(hr_lead), make_engagement(outsider)
    assert actions.link_engagements(assessment=assessment, engagements=[mine], by=hr_lead) == [mine.pk]
    assert actions.link_engagements(assessment=assessment, engagements=[mine], by=hr_lead) == []
    with pytest.raises(ValidationError) as error:
        actions.link_engagements(assessment=assessment, engagements=[theirs], by=hr_lead)
    assert "engagement_ids" in error.value.message_dict
    assert list(assessment.engagements.all()) == [mine]
    assert actions.unlink_engagement(assessment=assessment, engagement=mine, by=hr_lead)
    assert not assessment.engagements.exists()


def test_finding_becomes_a_new_risk_through_the_risks_actions(hr_lead):
    assessment = make_assessment(hr_lead)
    finding = actions.record_finding(assessment=assessment, title="Scores penalise women's phone sharing",
                                     countries=["UG"], by=hr_lead)
    plan = actions.risk_actions.RiskPlan(title=finding.title, product="Credit scoring", involvement="cause",
                                         scale=4, scope=3, irremediability=3, likelihood=4,
                                         review_on=D(2027, 6, 1), rights=["non_discrimination"], markets=[])
    risk = actions.finding_becomes_risk(finding=finding, plan=plan, by=hr_lead)
    finding.refresh_from_db()
    assert finding.risk == risk and finding.risk_link == "created"
    assert risk.market_codes == ["UG"]
    assert RiskChange.objects.filter(risk=risk).count() == 1
    assert AuditEntry.objects.filter(action="risk.registered").exists()
    with pytest.raises(ValidationError):
        actions.finding_becomes_risk(finding=finding, plan=plan, by=hr_lead)


def test_finding_updates_an_existing_risk_and_refuses_a_foreign_one(hr_lead, outsider):
    assessment = make_assessment(hr_lead)
    finding = actions.record_finding(assessment=assessment, title="Agents keep ID copies", by=hr_lead)
    risk = make_risk(hr_lead, markets=["IN"])
    foreign = make_risk(outsider)
    plan = actions.risk_plan_of(risk)
    with pytest.raises(ValidationError) as error:
        actions.finding_updates_risk(finding=finding, risk=foreign, plan=plan, reason="seen", by=hr_lead)
    assert "risk_id" in error.value.message_dict
    plan.likelihood = 5
    actions.finding_updates_risk(finding=finding, risk=risk, plan=plan, reason="Seen in Kampala", by=hr_lead)
    risk.refresh_from_db()
    assert risk.likelihood == 5 and sorted(risk.market_codes) == ["IN", "KE", "UG"]
    finding.refresh_from_db()
    assert finding.risk_link == "updated" and finding.risk == risk
    assert RiskChange.objects.filter(risk=risk, reason="Seen in Kampala").exists()


def test_finding_countries_must_be_the_assessments(hr_lead):
    assessment = make_assessment(hr_lead)
    with pytest.raises(ValidationError) as error:
        actions.record_finding(assessment=assessment, title="x", countries=["BR"], by=hr_lead)
    assert "countries" in error.value.message_dict


def test_decision_maker_cannot_turn_a_finding_into_a_risk(hr_lead, auditor):
    assessment = make_assessment(hr_lead)
    finding = actions.record_finding(assessment=assessment, title="x", by=hr_lead)
    with pytest.raises(PermissionDenied):
        actions.finding_becomes_risk(finding=finding, plan=None, by=auditor)
