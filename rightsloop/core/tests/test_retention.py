"""X5 retention: per-organisation periods per kind of record, applied by an idempotent daily job."""

import datetime

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from rightsloop.core import retention
from rightsloop.core.models import AuditEntry
from rightsloop.core.tasks import purge_expired_records
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.models import FeedbackReport
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders import actions as stakeholder_actions
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture(autouse=True)
def erasure_log(tmp_path, settings):
    settings.RIGHTSLOOP_ERASURE_LOG = str(tmp_path / "erasures.jsonl")


def age(model, pk, **fields):
    model.objects.filter(pk=pk).update(**fields)


def test_inactive_people_are_erased_after_the_period(hr_lead):
    idle = make_stakeholder(hr_lead, name="Idle Person")
    busy = make_stakeholder(hr_lead, name="Busy Person")
    fresh = make_stakeholder(hr_lead, name="Fresh Person")
    long_ago = NOW - datetime.timedelta(days=6 * 365)
    age(Stakeholder, idle.pk, updated_at=long_ago)
    age(Stakeholder, busy.pk, updated_at=long_ago)
    make_participation(hr_lead, make_engagement(hr_lead), busy)  # engaged recently: kept
    counts = retention.purge(now=NOW)
    assert counts[(hr_lead.organisation.slug, "inactive_stakeholders")] == 1
    assert Stakeholder.objects.get(pk=idle.pk).is_erased
    assert not Stakeholder.objects.get(pk=busy.pk).is_erased and not Stakeholder.objects.get(pk=fresh.pk).is_erased
    assert retention.purge(now=NOW)[(hr_lead.organisation.slug, "inactive_stakeholders")] == 0


def test_refused_consent_to_be_kept_leads_to_erasure(hr_lead):
    person = make_stakeholder(hr_lead)
    kept = make_stakeholder(hr_lead)
    for who, answer in ((person, False), (kept, True)):
        stakeholder_actions.record_consent(stakeholder=who, scope="store_identity", granted=answer,
                                           method="written", given_on=datetime.date(2026, 1, 1), by=hr_lead)
    assert retention.purge(now=NOW)[(hr_lead.organisation.slug, "identity_consent_refused")] == 0  # too recent
    later = NOW + datetime.timedelta(days=31)
    assert retention.purge(now=later)[(hr_lead.organisation.slug, "identity_consent_refused")] == 1
    assert Stakeholder.objects.get(pk=person.pk).is_erased and not Stakeholder.objects.get(pk=kept.pk).is_erased


def test_report_text_is_cleared_and_the_delivery_kept(hr_lead):
    engagement = make_engagement(hr_lead)
    participation = make_participation(hr_lead, engagement, make_stakeholder(hr_lead))
    engagement_actions.record_decision(input=make_input(hr_lead, engagement, participation), outcome="adopted",
                                       by=hr_lead)
    participation.refresh_from_db()
    report = engagement_actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    retention.set_period(organisation=hr_lead.organisation, rule="feedback_report_text", keep_days=10, by=hr_lead)
    age(FeedbackReport, report.pk, delivered_at=NOW - datetime.timedelta(days=11))
    assert retention.purge(now=NOW)[(hr_lead.organisation.slug, "feedback_report_text")] == 1
    kept = FeedbackReport.objects.get(pk=report.pk)
    assert kept.body == "" and kept.status == "delivered"
    assert retention.purge(now=NOW)[(hr_lead.organisation.slug, "feedback_report_text")] == 0
    assert AuditEntry.objects.filter(action="retention.purged").count() == 1


def test_finished_task_results_are_pruned(db):
    old = DBTaskResult.objects.create(
        task_path="x.y", status="SUCCESSFUL", args_kwargs={"args": [], "kwargs": {}}, queue_name="default",
        backend_name="default", finished_at=NOW - datetime.timedelta(days=40))
    assert retention.purge(now=NOW)[("", "task_results")] == 1
    assert not DBTaskResult.objects.filter(pk=old.pk).exists()


def test_the_daily_task_is_idempotent(hr_lead):
    person = make_stakeholder(hr_lead)
    age(Stakeholder, person.pk, updated_at=NOW - datetime.timedelta(days=6 * 365))
    assert purge_expired_records.call() == 1
    assert purge_expired_records.call() == 0


def test_admins_set_periods_on_the_organisation_page(admin, sign_in):
    client = sign_in(admin)
    page = client.get("/organisation/").content.decode()
    assert "How long records are kept" in page
    bad = client.post("/organisation/", {"section": "retention", "feedback_report_text": "0"})
    assert bad.status_code == 200 and "greater than or equal to 1" in bad.content.decode()
    client.post("/organisation/", {"section": "retention", "feedback_report_text": "90"})
    periods = {p.rule.key: p.keep_days for p in retention.periods(admin.organisation)}
    assert periods["feedback_report_text"] == 90 and periods["inactive_stakeholders"] == 5 * 365
    assert AuditEntry.objects.filter(action="retention.changed").count() == 1
