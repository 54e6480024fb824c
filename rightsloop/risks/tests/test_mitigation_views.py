"""Mitigation pages: add, change (incl. explicit unmitigated states), reassess, indicators and evidence."""

import datetime

import pytest
from django.utils import timezone

from rightsloop.core.models import AuditEntry
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.risks import actions
from rightsloop.risks.models import Evidence, Indicator, Mitigation, MitigationAssessment, ReassessmentFlag
from rightsloop.risks.tests.factories import make_mitigation, make_risk
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _form(owner, **fields):
    values = {"action": "Limit retention of location data to 30 days", "owner": owner.pk, "status": "planned",
              "due_on": "2027-03-01", "reason": "", "remedy_plan": ""}
    values.update(fields)
    return values


def test_add_a_mitigation(hr_lead, sign_in):
    risk = make_risk(hr_lead, title="Location data handed to police")
    client = sign_in(hr_lead)
    page = client.get(f"/risks/{risk.pk}/mitigations/add/")
    assert page.status_code == 200 and "Location data handed to police" in page.content.decode()
    response = client.post(f"/risks/{risk.pk}/mitigations/add/", _form(hr_lead.user))
    mitigation = Mitigation.objects.get()
    assert response.status_code == 302
    assert response.url == f"/risks/mitigations/{mitigation.pk}/"
    assert (mitigation.risk, mitigation.status, mitigation.due_on) == (risk, "planned", datetime.date(2027, 3, 1))
    assert AuditEntry.objects.filter(action="mitigation.added", target_id=str(mitigation.pk)).exists()
    detail = client.get(f"/risks/{risk.pk}/").content.decode()
    assert "Limit retention of location data to 30 days" in detail
    assert f"/risks/mitigations/{mitigation.pk}/edit/" in detail


@pytest.mark.parametrize("status", ["not_mitigated", "cannot_mitigate"])
def test_unmitigated_without_reason_and_remedy_plan_is_refused_and_nothing_saved(hr_lead, sign_in, status):
    risk = make_risk(hr_lead)
    client = sign_in(hr_lead)
    response = client.post(f"/risks/{risk.pk}/mitigations/add/", _form(hr_lead.user, status=status))
    page = response.content.decode()
    assert response.status_code == 400
    assert "needs a remedy plan" in page and "Say why the risk is not" in page
    assert not Mitigation.objects.exists()
    # With a reason but no remedy plan, still refused.
    response = client.post(f"/risks/{risk.pk}/mitigations/add/",
                           _form(hr_lead.user, status=status, reason="The law requires the data."))
    assert response.status_code == 400 and not Mitigation.objects.exists()
    response = client.post(f"/risks/{risk.pk}/mitigations/add/", _form(
        hr_lead.user, status=status, reason="The law requires the data.",
        remedy_plan="Fund legal aid for users whose data is handed over."))
    assert response.status_code == 302
    saved = Mitigation.objects.get()
    assert saved.status == status and saved.remedy_plan.startswith("Fund legal aid")
    detail = client.get(f"/risks/{risk.pk}/").content.decode()
    assert "Fund legal aid for users whose data is handed over." in detail
    assert "The law requires the data." in detail


def test_edit_to_cannot_mitigate_needs_a_remedy_plan(hr_lead, sign_in):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk, action="Encrypt backups")
    client = sign_in(hr_lead)
    url = f"/risks/mitigations/{mitigation.pk}/edit/"
    assert "Encrypt backups" in client.get(url).content.decode()
    response = client.post(url, _form(hr_lead.user, action="Encrypt backups", status="cannot_mitigate",
                                      reason="Hardware cannot do it"))
    assert response.status_code == 400 and "needs a remedy plan" in response.content.decode()
    mitigation.refresh_from_db()
    assert (mitigation.status, mitigation.reason) == ("planned", "")
    response = client.post(url, _form(hr_lead.user, action="Encrypt backups", status="in_progress"))
    assert response.status_code == 400 and "Say why the mitigation changes" in response.content.decode()
    response = client.post(url, _form(hr_lead.user, action="Encrypt backups", status="in_progress",
                                      why="The vendor shipped the feature"))
    assert response.status_code == 302
    mitigation.refresh_from_db()
    assert mitigation.status == "in_progress"
    assert AuditEntry.objects.filter(action="mitigation.changed", target_id=str(mitigation.pk)).exists()


def test_edit_rejects_an_owner_from_elsewhere(hr_lead, outsider, sign_in):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk)
    response = sign_in(hr_lead).post(f"/risks/mitigations/{mitigation.pk}/edit/",
                                     _form(outsider.user, action="Changed"))
    assert response.status_code == 400
    mitigation.refresh_from_db()
    assert mitigation.owner == hr_lead.user and mitigation.action != "Changed"


def test_an_owner_may_change_their_own_mitigation_but_not_add_one(hr_lead, decision_maker, sign_in):
    risk = make_risk(hr_lead)
    mine = make_mitigation(hr_lead, risk, action="Product team action", owner=decision_maker.user)
    theirs = make_mitigation(hr_lead, risk, action="Team action")
    client = sign_in(decision_maker)
    assert client.get(f"/risks/{risk.pk}/mitigations/add/").status_code == 403
    assert client.post(f"/risks/{risk.pk}/mitigations/add/", _form(decision_maker.user)).status_code == 403
    assert Mitigation.objects.count() == 2
    assert client.get(f"/risks/mitigations/{theirs.pk}/edit/").status_code == 403
    assert client.post(f"/risks/mitigations/{theirs.pk}/edit/",
                       _form(decision_maker.user, status="done")).status_code == 403
    assert client.get(f"/risks/mitigations/{mine.pk}/edit/").status_code == 200
    response = client.post(f"/risks/mitigations/{mine.pk}/edit/",
                           _form(decision_maker.user, action="Product team action", status="done",
                                 why="Shipped early"))
    assert response.status_code == 302
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.status == "done" and theirs.status == "planned"
    # The owner may add indicators to their own mitigation, not to others'.
    assert client.post(f"/risks/mitigations/{mine.pk}/indicators/add/", {"name": "Complaints"}).status_code == 302
    assert client.post(f"/risks/mitigations/{theirs.pk}/indicators/add/", {"name": "X"}).status_code == 403
    assert list(Indicator.objects.values_list("mitigation_id", flat=True)) == [mine.pk]
    # Their risk page offers to change their mitigation only.
    detail = client.get(f"/risks/{risk.pk}/").content.decode()
    assert f"/risks/mitigations/{mine.pk}/edit/" in detail
    assert f"/risks/mitigations/{theirs.pk}/edit/" not in detail
    assert f"/risks/{risk.pk}/mitigations/add/" not in detail


def test_other_organisations_mitigations_are_not_found(hr_lead, outsider, sign_in):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk)
    indicator = actions.add_indicator(mitigation=mitigation, name="Requests refused", by=hr_lead)
    client = sign_in(outsider)
    for url in (f"/risks/{risk.pk}/mitigations/add/", f"/risks/mitigations/{mitigation.pk}/edit/",
                f"/risks/mitigations/{mitigation.pk}/indicators/add/",
                f"/risks/indicators/{indicator.pk}/evidence/add/"):
        assert client.get(url).status_code == 404, url
    for url in (f"/risks/mitigations/{mitigation.pk}/", f"/risks/mitigations/{mitigation.pk}/assess/",
                f"/risks/mitigations/{mitigation.pk}/reassess/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/risks/mitigations/{mitigation.pk}/reassess/",
                       {"note": "x", "judgement": "effective", "assessed_on": TODAY}).status_code == 404


def test_a_context_event_flags_and_only_a_reassessment_with_a_note_clears(hr_lead, decision_maker, board, sign_in):
    risk = make_risk(hr_lead, markets=["KE"])
    mitigation = make_mitigation(hr_lead, risk, owner=decision_maker.user)
    event = actions.record_context_event(title="New data retention law", kind="new_law", occurred_on=TODAY,
                                         countries_touched=["KE"], by=hr_lead)
    mitigation.refresh_from_db()
    assert mitigation.needs_reassessment
    url = f"/risks/mitigations/{mitigation.pk}/reassess/"
    board_page = sign_in(board).get(f"/risks/{risk.pk}/").content.decode()
    assert "Needs reassessment" in board_page and "New data retention law" in board_page
    assert url not in board_page
    assert sign_in(board).post(url, {"note": "x", "judgement": "effective"}).status_code == 403
    client = sign_in(decision_maker)
    assert url in client.get(f"/risks/{risk.pk}/").content.decode()
    assert client.get(url).status_code == 200
    # Without a note (or without a judgement) the form comes back with the field's error, nothing cleared.
    response = client.post(url, {"note": "  ", "judgement": "not_effective", "assessed_on": TODAY})
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(url, {"note": "Checked the retention job against the law", "assessed_on": TODAY})
    assert response.status_code == 400
    mitigation.refresh_from_db()
    assert mitigation.needs_reassessment and not MitigationAssessment.objects.exists()
    response = client.post(url, {"note": "Checked the retention job against the law: it keeps 90 days",
                                 "judgement": "not_effective", "assessed_on": TODAY})
    assert response.status_code == 302 and response.url == f"/risks/mitigations/{mitigation.pk}/"
    mitigation.refresh_from_db()
    assert (mitigation.needs_reassessment, mitigation.effectiveness) == (False, "not_effective")
    assessment = MitigationAssessment.objects.get()
    assert assessment.answers == event and assessment.assessed_by == decision_maker.user
    assert ReassessmentFlag.objects.get().answered_by == assessment
    assert AuditEntry.objects.filter(action="mitigation.reassessed", target_id=str(mitigation.pk)).count() == 1
    # Nothing left to clear: the page sends the owner to an ordinary assessment, and a post is refused.
    assert client.get(url).url == f"/risks/mitigations/{mitigation.pk}/assess/"
    again = client.post(url, {"note": "Again", "judgement": "effective", "assessed_on": TODAY})
    assert again.status_code == 400 and "not awaiting reassessment" in again.content.decode()
    assert AuditEntry.objects.filter(action="mitigation.reassessed").count() == 1
    assert "Needs reassessment" not in client.get(f"/risks/{risk.pk}/").content.decode()
    page = client.get(f"/risks/mitigations/{mitigation.pk}/").content.decode()
    assert "New data retention law" in page and "judged Not effective" in page
    assert "it keeps 90 days" in page


def test_reassess_action_refuses_others(hr_lead, decision_maker):
    risk = make_risk(hr_lead)
    mitigation = make_mitigation(hr_lead, risk)
    Mitigation.objects.filter(pk=mitigation.pk).update(needs_reassessment=True)
    from django.core.exceptions import PermissionDenied
    with pytest.raises(PermissionDenied):
        actions.reassess_mitigation(mitigation=mitigation, judgement="effective", note="Looked again",
                                    by=decision_maker)
    assert Mitigation.objects.get(pk=mitigation.pk).needs_reassessment


def test_indicator_and_evidence_from_an_input(hr_lead, board, sign_in):
    risk = make_risk(hr_lead, title="Riders tracked after shifts")
    mitigation = make_mitigation(hr_lead, risk)
    engagement = make_engagement(hr_lead, title="Rider forum")
    speaker = make_participation(hr_lead, engagement, make_stakeholder(hr_lead, name="Amina Rider"))
    said = make_input(hr_lead, engagement, speaker, text="Tracking stopped after my shift last month")
    unlinked = make_input(hr_lead, engagement, speaker, text="Unrelated remark about pay")
    actions.link_inputs(target=risk, inputs=[said], by=hr_lead)
    client = sign_in(hr_lead)
    assert client.post(f"/risks/mitigations/{mitigation.pk}/indicators/add/", {"name": ""}).status_code == 400
    assert not Indicator.objects.exists()
    response = client.post(f"/risks/mitigations/{mitigation.pk}/indicators/add/",
                           {"name": "Riders reporting tracking after shifts", "target": "none"})
    indicator = Indicator.objects.get()
    assert response.status_code == 302 and indicator.mitigation == mitigation
    url = f"/risks/indicators/{indicator.pk}/evidence/add/"
    form = client.get(url).content.decode()
    assert "Tracking stopped after my shift" in form and "Unrelated remark" not in form
    # An input not linked to the risk or mitigation cannot be chosen: nothing saved.
    bad = client.post(url, {"value": "2 of 40", "observed_on": "2026-10-01", "input": unlinked.pk})
    assert bad.status_code == 400 and not Evidence.objects.exists()
    assert client.post(url, {"value": "", "observed_on": "2026-10-01"}).status_code == 400
    response = client.post(url, {"value": "2 of 40", "observed_on": "2026-10-01", "note": "Forum poll",
                                 "input": said.pk})
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.input, evidence.value, evidence.recorded_by) == (said, "2 of 40", hr_lead.user)
    client.post(url, {"value": "0 of 38", "observed_on": "2026-11-01"})
    detail = client.get(f"/risks/{risk.pk}/").content.decode()
    assert "Riders reporting tracking after shifts" in detail
    assert detail.index("2 of 40") < detail.index("0 of 38")
    assert "View from the ground" in detail and f"/risks/inputs/{said.pk}/links/" in detail
    # The board sees the evidence, but not the input behind it.
    board_page = sign_in(board).get(f"/risks/{risk.pk}/").content.decode()
    assert "2 of 40" in board_page
    assert f"/risks/inputs/{said.pk}/links/" not in board_page and "Tracking stopped" not in board_page


def test_the_mitigations_include_queries_do_not_grow(hr_lead, sign_in):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    risk = make_risk(hr_lead)
    engagement = make_engagement(hr_lead)
    item = make_input(hr_lead, engagement)
    actions.link_inputs(target=risk, inputs=[item], by=hr_lead)

    def add(n):
        for _i in range(n):
            m = make_mitigation(hr_lead, risk)
            indicator = actions.add_indicator(mitigation=m, name="Indicator", by=hr_lead)
            actions.record_evidence(indicator=indicator, observed_on=TODAY, value="1", input=item, by=hr_lead)

    client = sign_in(hr_lead)
    add(2)
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/risks/{risk.pk}/").status_code == 200
    add(8)
    with CaptureQueriesContext(connection) as many:
        assert client.get(f"/risks/{risk.pk}/").status_code == 200
    assert len(many) == len(few)
