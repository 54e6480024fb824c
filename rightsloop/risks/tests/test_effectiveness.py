"""Mitigation effectiveness (R4): dated assessments, the change trail, and reassessment after a context event."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from rightsloop.accounts.roles import Role
from rightsloop.accounts.tests.factories import make_member
from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.risks import actions, history, transfer
from rightsloop.risks.models import MitigationAssessment, MitigationChange, ReassessmentFlag
from rightsloop.risks.tests.factories import make_mitigation, make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _law(by, title="Data localisation law", country="KE"):
    return actions.record_context_event(title=title, kind="new_law", occurred_on=TODAY, countries_touched=[country],
                                        by=by)


def _said(by, text="The police still read our chats", **speaker):
    engagement = make_engagement(by)
    stakeholder = make_stakeholder(by, **speaker) if speaker else make_stakeholder(by)
    return make_input(by, engagement, make_participation(by, engagement, stakeholder), text=text)


# The change trail ---------------------------------------------------------------------------------------------

def test_adding_writes_the_first_entry_and_each_change_only_the_fields_it_moved(hr_lead, decision_maker):
    risk = make_risk(hr_lead)
    mitigation = actions.add_mitigation(risk=risk, action="Encrypt user data at rest", owner=hr_lead.user,
                                        by=hr_lead)
    first = MitigationChange.objects.get()
    assert (first.before, first.reason, first.changed_by) == ({}, "added", hr_lead.user)
    assert first.after["action"] == "Encrypt user data at rest" and first.after["effectiveness"] == "not_yet_known"

    mitigation = actions.update_mitigation(
        mitigation=mitigation, action="Encrypt user data at rest", status="in_progress",
        due_on=datetime.date(2027, 5, 1), reason="", remedy_plan="", owner=decision_maker.user,
        why="Handed to the product team", by=hr_lead)
    change = MitigationChange.objects.order_by("id").last()
    assert change.changed_fields == ["due_on", "owner_id", "status"]
    assert (change.before["status"], change.after["status"]) == ("planned", "in_progress")
    assert change.after["due_on"] == "2027-05-01" and change.reason == "Handed to the product team"
    assert AuditEntry.objects.filter(action="mitigation.changed", target_id=str(mitigation.pk)).count() == 1

    # The same values again: nothing changed, so no reason is needed and nothing is written.
    actions.update_mitigation(mitigation=mitigation, action="Encrypt user data at rest", status="in_progress",
                              due_on=datetime.date(2027, 5, 1), reason="", remedy_plan="", by=decision_maker)
    assert MitigationChange.objects.count() == 2

    # A change without a reason is refused, and nothing is saved.
    with pytest.raises(ValidationError) as refused:
        actions.update_mitigation(mitigation=mitigation, action="Encrypt everything", status="done", due_on=None,
                                  reason="", remedy_plan="", by=decision_maker)
    assert set(refused.value.message_dict) == {"why"}
    mitigation.refresh_from_db()
    assert (mitigation.action, mitigation.status, MitigationChange.objects.count()) == (
        "Encrypt user data at rest", "in_progress", 2)

    changed, added = history.mitigation_entries(list(mitigation.changes.all()))
    assert added.registered and ("Action", "—", "Encrypt user data at rest") in added.rows
    rows = {label: (old, new) for label, old, new in changed.rows}
    assert rows["Owner"] == (hr_lead.user.display_name, decision_maker.user.display_name)
    assert rows["Status"] == ("Planned", "In progress")
    assert rows["Due"] == ("—", "2027-05-01")


def test_a_context_event_keeps_its_call_and_a_line_in_the_history(hr_lead, django_capture_on_commit_callbacks):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead, markets=["KE"]))
    untouched = make_mitigation(hr_lead, make_risk(hr_lead, markets=["BR"]))
    with django_capture_on_commit_callbacks(execute=True):
        event = _law(hr_lead)
    # The owner's mail leads straight to the reassessment.
    assert f"/risks/mitigations/{mitigation.pk}/reassess/" in mail.outbox[0].body
    flag = ReassessmentFlag.objects.get()
    assert (flag.mitigation_id, flag.event, flag.answered_by) == (mitigation.pk, event, None)
    change = mitigation.changes.first()
    assert change.changed_fields == ["flagged_by_id", "needs_reassessment"]
    assert "Data localisation law" in change.reason
    assert not untouched.changes.exclude(before={}).exists()
    entry = history.mitigation_entries([change])[0]
    assert ("Flagged by", "—", "Data localisation law") in entry.rows
    assert ("Needs reassessment", "No", "Yes") in entry.rows


# Assessments ---------------------------------------------------------------------------------------------------

def test_the_latest_assessment_by_date_is_the_effectiveness_and_assessments_are_kept_as_written(hr_lead):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead))
    indicator = actions.add_indicator(mitigation=mitigation, name="Requests refused", by=hr_lead)
    reading = actions.record_evidence(indicator=indicator, observed_on=TODAY, value="90 %", by=hr_lead)
    said = _said(hr_lead)
    assessment = actions.assess_mitigation(
        mitigation=mitigation, judgement="effective", assessed_on=TODAY, reasoning="Nine in ten refused",
        indicators=[indicator], evidence=[reading], inputs=[said], by=hr_lead)
    mitigation.refresh_from_db()
    assert mitigation.effectiveness == "effective"
    assert (list(assessment.evidence.all()), list(assessment.inputs.all())) == ([reading], [said])
    # Recorded later for an earlier day: kept, but it does not overrule the newer judgement.
    actions.assess_mitigation(mitigation=mitigation, judgement="not_effective",
                              assessed_on=TODAY - datetime.timedelta(days=30), reasoning="Last month", by=hr_lead)
    mitigation.refresh_from_db()
    assert mitigation.effectiveness == "effective" and mitigation.assessments.count() == 2
    change = mitigation.changes.first()
    assert change.changed_fields == ["effectiveness"] and "Nine in ten refused" in change.reason
    assert AuditEntry.objects.filter(action="mitigation.assessed").count() == 2
    with pytest.raises(ValueError):
        assessment.reasoning = "Rewritten"
        assessment.save()
    with pytest.raises(ValueError):
        assessment.delete()
    with pytest.raises(ValueError):
        change.delete()


def test_an_assessment_needs_a_judgement_reasoning_and_a_day_not_in_the_future(hr_lead):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead))
    with pytest.raises(ValidationError) as refused:
        actions.assess_mitigation(mitigation=mitigation, judgement="great", reasoning=" ",
                                  assessed_on=TODAY + datetime.timedelta(days=1), by=hr_lead)
    assert set(refused.value.message_dict) == {"judgement", "reasoning", "assessed_on"}
    assert not MitigationAssessment.objects.exists()


def test_only_the_owner_and_the_team_assess(hr_lead, decision_maker, legal_decision_maker, board):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead), owner=decision_maker.user)
    actions.assess_mitigation(mitigation=mitigation, judgement="partly_effective", assessed_on=TODAY,
                              reasoning="Half the requests", by=decision_maker)
    for someone in (legal_decision_maker, board):
        with pytest.raises(PermissionDenied):
            actions.assess_mitigation(mitigation=mitigation, judgement="effective", assessed_on=TODAY,
                                      reasoning="x", by=someone)


def test_citations_stay_within_the_mitigation_and_the_organisation(hr_lead, outsider):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead))
    other = make_mitigation(hr_lead, make_risk(hr_lead))
    elsewhere = actions.add_indicator(mitigation=other, name="Elsewhere", by=hr_lead)
    foreign_input = _said(outsider)
    foreign_reading = actions.record_evidence(indicator=elsewhere, observed_on=TODAY, value="1", by=hr_lead)
    with pytest.raises(ValidationError) as refused:
        actions.assess_mitigation(mitigation=mitigation, judgement="effective", assessed_on=TODAY, reasoning="x",
                                  indicators=[elsewhere], evidence=[foreign_reading], inputs=[foreign_input],
                                  by=hr_lead)
    assert set(refused.value.message_dict) == {"indicators", "evidence", "inputs"}
    assert not MitigationAssessment.objects.exists()


# Reassessment ---------------------------------------------------------------------------------------------------

def test_reassessing_needs_a_note_and_answers_every_open_call(hr_lead):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead, markets=["KE"]))
    first = _law(hr_lead, title="Data localisation law")
    second = _law(hr_lead, title="Interception decree")
    assert ReassessmentFlag.objects.filter(mitigation=mitigation).count() == 2
    with pytest.raises(ValidationError) as refused:
        actions.reassess_mitigation(mitigation=mitigation, judgement="not_effective", note="  ", by=hr_lead)
    assert set(refused.value.message_dict) == {"note"}
    mitigation.refresh_from_db()
    assert mitigation.needs_reassessment
    assessment = actions.reassess_mitigation(mitigation=mitigation, judgement="not_effective",
                                             note="Data must now stay in the country, where keys can be demanded",
                                             by=hr_lead)
    assert assessment.answers == second
    assert set(ReassessmentFlag.objects.values_list("event", "answered_by")) == {
        (first.pk, assessment.pk), (second.pk, assessment.pk)}
    mitigation.refresh_from_db()
    assert (mitigation.needs_reassessment, mitigation.effectiveness, mitigation.flagged_by) == (
        False, "not_effective", second)
    change = mitigation.changes.first()
    assert change.changed_fields == ["effectiveness", "needs_reassessment"]
    assert change.reason.startswith("Reassessed, judged Not effective")
    # Nothing left to reassess: refused, so the trail never shows an answer without a call.
    with pytest.raises(ValidationError):
        actions.reassess_mitigation(mitigation=mitigation, judgement="effective", note="Again", by=hr_lead)
    # A third event raises a new call; the answered ones stay answered.
    _law(hr_lead, title="Emergency powers")
    assert ReassessmentFlag.objects.filter(answered_by__isnull=True).count() == 1


# Pages -------------------------------------------------------------------------------------------------------

def test_the_mitigation_page_shows_effectiveness_calls_and_history(hr_lead, board, sign_in):
    risk = make_risk(hr_lead, markets=["KE"], title="Chats handed to police")
    mitigation = make_mitigation(hr_lead, risk, action="Encrypt chats end to end")
    indicator = actions.add_indicator(mitigation=mitigation, name="Readable chats", by=hr_lead)
    reading = actions.record_evidence(indicator=indicator, observed_on=TODAY, value="None", by=hr_lead)
    actions.assess_mitigation(mitigation=mitigation, judgement="effective", assessed_on=TODAY,
                              reasoning="No chat readable by us", evidence=[reading], by=hr_lead)
    _law(hr_lead, title="Lawful access act")
    said = _said(hr_lead, text="Officers asked for my keys at the border", name="Amina Rider")
    actions.link_inputs(target=risk, inputs=[said], by=hr_lead)
    client = sign_in(hr_lead)
    url = f"/risks/mitigations/{mitigation.pk}/"
    page = client.get(url).content.decode()
    assert "Lawful access act" in page and "Not yet" in page and f"/risks/mitigations/{mitigation.pk}/reassess/" in page
    assert "No chat readable by us" in page and "Effective" in page and "added the mitigation" in page
    form = client.get(f"/risks/mitigations/{mitigation.pk}/reassess/").content.decode()
    assert "Officers asked for my keys" in form and "Readable chats: None" in form
    response = client.post(f"/risks/mitigations/{mitigation.pk}/reassess/", {
        "note": "The act lets the police demand keys", "judgement": "not_effective",
        "assessed_on": TODAY.isoformat(), "inputs": [said.pk], "evidence": [reading.pk]})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "judged Not effective" in page and "reassessment after “Lawful access act”" in page
    assert "Officers asked for my keys" in page and "Anonymised participant" in page
    # The board reads the trail but not the input behind it, nor who said it.
    board_page = sign_in(board).get(url).content.decode()
    assert "The act lets the police demand keys" in board_page
    assert "Officers asked for my keys" not in board_page and "Amina Rider" not in board_page
    assert "a stakeholder input you may not read" in board_page


def test_a_protected_speaker_cited_is_not_named_to_someone_without_a_grant(hr_lead, organisation, sign_in):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead))
    engagement = make_engagement(hr_lead)
    defender = make_stakeholder(hr_lead, name="Nur Begum", safety_level="high")
    said = make_input(hr_lead, engagement, make_participation(
        hr_lead, engagement, defender, override_reason="She asked to speak to us herself, at our office"),
                      text="They still find us through the app")
    actions.assess_mitigation(mitigation=mitigation, judgement="not_effective", assessed_on=TODAY,
                              reasoning="People are still found", inputs=[said], by=hr_lead)
    colleague = make_member(organisation, Role.HR_LEAD)
    page = sign_in(colleague).get(f"/risks/mitigations/{mitigation.pk}/").content.decode()
    assert "People are still found" in page
    assert "Nur Begum" not in page


def test_dashboard_and_register_show_mitigations_awaiting_reassessment(hr_lead, sign_in, api):
    flagged_risk = make_risk(hr_lead, markets=["KE"], title="Chats handed to police")
    calm_risk = make_risk(hr_lead, markets=["BR"], title="Quiet risk")
    flagged = make_mitigation(hr_lead, flagged_risk, action="Encrypt chats end to end")
    make_mitigation(hr_lead, flagged_risk, action="Second flagged")
    make_mitigation(hr_lead, calm_risk)
    _law(hr_lead, title="Lawful access act")
    client = sign_in(hr_lead)
    home = client.get("/").content.decode()
    assert "Mitigations awaiting reassessment" in home and "Lawful access act" in home
    assert f"/risks/mitigations/{flagged.pk}/" in home
    register = client.get("/risks/").content.decode()
    assert "2 mitigations await reassessment" in register
    only = client.get("/risks/", {"awaiting_reassessment": "on"}).content.decode()
    assert "Chats handed to police" in only and "Quiet risk" not in only
    listed = api(hr_lead).get("/api/v1/risks", {"awaiting_reassessment": "true"}).json()
    assert [(r["id"], r["mitigations_awaiting_reassessment"]) for r in listed["items"]] == [(flagged_risk.pk, 2)]
    one = api(hr_lead).get(f"/api/v1/risks/{calm_risk.pk}").json()
    assert one["mitigations_awaiting_reassessment"] == 0
    exported = client.get("/risks/export/", {"format": "json"})
    rows = {row["title"]: row for row in __import__("json").loads(b"".join(exported).decode())["risks"]}
    assert rows["Chats handed to police"]["mitigations_awaiting_reassessment"] == 2
    assert rows["Quiet risk"]["mitigations_awaiting_reassessment"] == 0
    assert "mitigations_awaiting_reassessment" in transfer.READ_ONLY
    actions.reassess_mitigation(mitigation=flagged, judgement="partly_effective", note="Keys stay on phones",
                                by=hr_lead)
    assert "1 mitigation awaits reassessment" in client.get("/risks/").content.decode()


def test_the_register_and_the_mitigation_page_do_not_grow_queries(hr_lead, sign_in, django_assert_max_num_queries):
    client = sign_in(hr_lead)
    risks = [make_risk(hr_lead, markets=["KE"]) for _ in range(3)]

    def grow(n):
        for risk in risks:
            for _i in range(n):
                make_mitigation(hr_lead, risk)
    grow(1)
    _law(hr_lead)
    mitigation = risks[0].mitigations.first()
    for day in range(3):
        actions.assess_mitigation(mitigation=mitigation, judgement="effective", reasoning="ok", by=hr_lead,
                                  assessed_on=TODAY - datetime.timedelta(days=day), inputs=[_said(hr_lead)])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as few_register:
        assert client.get("/risks/").status_code == 200
    with CaptureQueriesContext(connection) as few_page:
        assert client.get(f"/risks/mitigations/{mitigation.pk}/").status_code == 200
    grow(15)
    _law(hr_lead, title="Second law")
    for day in range(10):
        actions.assess_mitigation(mitigation=mitigation, judgement="partly_effective", reasoning="ok", by=hr_lead,
                                  assessed_on=TODAY - datetime.timedelta(days=day), inputs=[_said(hr_lead)])
    with django_assert_max_num_queries(len(few_register)):
        assert "16 mitigations await reassessment" in client.get("/risks/").content.decode()
    with django_assert_max_num_queries(len(few_page)):
        assert client.get(f"/risks/mitigations/{mitigation.pk}/").status_code == 200


# API ------------------------------------------------------------------------------------------------------------

def test_api_assessments_reassessment_history_and_flags(hr_lead, decision_maker, board, api):
    risk = make_risk(hr_lead, markets=["KE"])
    mitigation = make_mitigation(hr_lead, risk, owner=decision_maker.user)
    indicator = actions.add_indicator(mitigation=mitigation, name="Readable chats", by=hr_lead)
    reading = actions.record_evidence(indicator=indicator, observed_on=TODAY, value="None", by=hr_lead)
    said = _said(hr_lead)
    client = api(decision_maker)
    base = f"/api/v1/mitigations/{mitigation.pk}"
    bad = client.post(f"{base}/assessments", {"judgement": "brilliant", "reasoning": ""})
    assert bad.status_code == 400 and {"judgement", "reasoning"} <= set(str(bad.json()["errors"]).split("'"))
    made = client.post(f"{base}/assessments", {"judgement": "effective", "reasoning": "No chat readable",
                                                "indicator_ids": [indicator.pk], "evidence_ids": [reading.pk]})
    assert made.status_code == 201, made.json()
    assert made.json()["judgement"] == "effective" and made.json()["evidence_ids"] == [reading.pk]
    assert api(board).post(f"{base}/assessments", {"judgement": "effective", "reasoning": "x"}).status_code == 403
    assert client.post(f"{base}/reassessment", {"judgement": "effective", "note": "x"}).status_code == 400

    event = _law(hr_lead)
    assert client.patch(base, {"reassessed": True}).status_code == 400
    missing_note = client.post(f"{base}/reassessment", {"judgement": "not_effective"})
    assert missing_note.status_code == 400 and "note" in str(missing_note.json()["errors"])
    empty_note = client.post(f"{base}/reassessment", {"judgement": "not_effective", "note": ""})
    assert empty_note.status_code == 400
    assert api(hr_lead).get(f"/api/v1/risks/{risk.pk}/mitigations").json()[0]["needs_reassessment"]
    done = client.post(f"{base}/reassessment", {"judgement": "not_effective", "note": "Keys can be demanded",
                                                 "input_ids": [said.pk]})
    assert done.status_code == 201
    assert done.json()["answers_event_id"] == event.pk and done.json()["input_ids"] == [said.pk]
    listed = api(board).get(f"{base}/assessments").json()
    assert [a["judgement"] for a in listed] == ["not_effective", "effective"]
    # The board may not read the input, so it is counted, not shown.
    assert (listed[0]["input_ids"], listed[0]["inputs_not_shown"]) == ([], 1)
    flags = api(board).get(f"{base}/reassessment-flags").json()
    assert [(f["event_id"], f["answered_by_assessment_id"]) for f in flags] == [(event.pk, done.json()["id"])]
    trail = api(board).get(f"{base}/history").json()["items"]
    assert [sorted(c["changed_fields"]) for c in trail][:3] == [
        ["effectiveness", "needs_reassessment"], ["flagged_by_id", "needs_reassessment"], ["effectiveness"]]
    assert api(hr_lead).get(f"/api/v1/risks/{risk.pk}/mitigations").json()[0]["effectiveness"] == "not_effective"


def test_api_cannot_cite_another_organisations_input_or_another_mitigations_evidence(hr_lead, outsider, api):
    mitigation = make_mitigation(hr_lead, make_risk(hr_lead))
    other = make_mitigation(hr_lead, make_risk(hr_lead))
    elsewhere = actions.add_indicator(mitigation=other, name="Elsewhere", by=hr_lead)
    reading = actions.record_evidence(indicator=elsewhere, observed_on=TODAY, value="1", by=hr_lead)
    foreign = _said(outsider)
    client = api(hr_lead)
    base = f"/api/v1/mitigations/{mitigation.pk}/assessments"
    for body in ({"input_ids": [foreign.pk]}, {"evidence_ids": [reading.pk]}, {"indicator_ids": [elsewhere.pk]}):
        answer = client.post(base, {"judgement": "effective", "reasoning": "x", **body})
        assert answer.status_code == 404, body
    assert not MitigationAssessment.objects.exists()
    assert api(outsider).get(base).status_code == 404
    assert api(outsider).get(f"/api/v1/mitigations/{mitigation.pk}/history").status_code == 404
