"""Mending mistakes through the API: the same actions as the pages, with 400s for bad input."""

import pytest

from rightsloop.core.models import AuditEntry
from rightsloop.engagements import actions
from rightsloop.engagements.models import Engagement, Input
from rightsloop.stakeholders.tests.factories import make_stakeholder

from .factories import make_engagement, make_input, make_participation

pytestmark = pytest.mark.django_db


def test_correct_an_input_and_read_its_versions(hr_lead, api):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation, text="Delete locaton history.", tags=["retention"])
    lead = api(hr_lead)
    corrected = lead.post(f"/api/v1/inputs/{item.pk}/corrections", {"text": "Delete location history."})
    assert corrected.status_code == 200, corrected.content
    body = corrected.json()
    assert body["text"] == "Delete location history." and body["version"] == 2
    assert body["speaker_id"] == participation.pk and body["tags"] == ["retention"]  # left out: kept
    versions = lead.get(f"/api/v1/inputs/{item.pk}/versions").json()
    assert [(v["version"], v["text"], v["changed_fields"]) for v in versions] == [
        (1, "Delete locaton history.", ["text"])]
    assert lead.post(f"/api/v1/inputs/{item.pk}/corrections", {"text": ""}).status_code == 400
    assert lead.post(f"/api/v1/inputs/{item.pk}/corrections", {"attribution": "attributed"}).status_code == 400


def test_withdraw_merge_and_cancel(hr_lead, api):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    keep, twice, wrong = (make_input(hr_lead, engagement, participation) for _ in range(3))
    lead = api(hr_lead)
    assert lead.post(f"/api/v1/inputs/{wrong.pk}/withdrawal", {"reason": ""}).status_code == 400
    withdrawn = lead.post(f"/api/v1/inputs/{wrong.pk}/withdrawal", {"reason": "Typed against the wrong person."})
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn"] is True
    assert lead.post(f"/api/v1/inputs/{wrong.pk}/withdrawal", {"reason": "Again."}).status_code == 400
    merged = lead.post(f"/api/v1/inputs/{keep.pk}/merge", {"duplicate_id": twice.pk})
    assert merged.status_code == 200 and merged.json()["id"] == keep.pk
    assert Input.objects.get(pk=twice.pk).merged_into_id == keep.pk
    assert lead.post(f"/api/v1/inputs/{keep.pk}/merge", {"duplicate_id": keep.pk}).status_code == 400
    listed = lead.get(f"/api/v1/engagements/{engagement.pk}/inputs").json()
    assert [row["id"] for row in listed["items"]] == [keep.pk]
    assert lead.post(f"/api/v1/engagements/{engagement.pk}/cancellation", {"reason": ""}).status_code == 400
    cancelled = lead.post(f"/api/v1/engagements/{engagement.pk}/cancellation", {"reason": "Created twice."})
    assert cancelled.status_code == 200 and cancelled.json()["cancelled_at"]
    assert lead.get("/api/v1/engagements").json()["items"] == []
    assert [e["id"] for e in lead.get("/api/v1/engagements?cancelled=true").json()["items"]] == [engagement.pk]
    assert set(AuditEntry.objects.filter(action__in=["input.withdrawn", "input.merged", "engagement.cancelled"])
               .values_list("action", flat=True)) == {"input.withdrawn", "input.merged", "engagement.cancelled"}


def test_cancelling_after_a_report_is_a_400(hr_lead, api):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    item = make_input(hr_lead, engagement, participation)
    actions.record_decision(input=item, outcome="adopted", rationale="", by=hr_lead)
    actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    refused = api(hr_lead).post(f"/api/v1/engagements/{engagement.pk}/cancellation", {"reason": "Oops."})
    assert refused.status_code == 400 and "already sent" in refused.content.decode()
    assert not Engagement.objects.get().is_cancelled


def test_a_decision_maker_may_not_mend(decision_maker, hr_lead, api):
    item = make_input(hr_lead, make_engagement(hr_lead))
    assert api(decision_maker).post(f"/api/v1/inputs/{item.pk}/withdrawal", {"reason": "x"}).status_code == 403
    assert Input.objects.get(pk=item.pk).stands
