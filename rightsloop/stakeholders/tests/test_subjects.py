"""X5: subject access export, erasure by crypto-shredding, and replaying erasures after a restore."""

import json
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from rightsloop.core.models import AuditEntry
from rightsloop.engagements import actions as engagement_actions
from rightsloop.engagements.models import Engagement, FeedbackReport, Input
from rightsloop.engagements.tests.factories import make_engagement, make_input, make_participation
from rightsloop.stakeholders import actions
from rightsloop.stakeholders.models import Stakeholder
from rightsloop.stakeholders.profiles import StakeholderProfile
from rightsloop.stakeholders.subjects import read_erasure_log
from rightsloop.stakeholders.tests.factories import make_stakeholder

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def erasure_log(tmp_path, settings):
    settings.RIGHTSLOOP_ERASURE_LOG = str(tmp_path / "erasures.jsonl")
    return tmp_path / "erasures.jsonl"


@pytest.fixture
def heard(hr_lead):
    """Someone who spoke, was decided on and was told."""
    person = make_stakeholder(hr_lead, name="Halima Yusuf", email="halima@example.org", languages=["so"],
                              at_risk=["migrant_or_refugee"], country="KE")
    engagement = make_engagement(hr_lead, title="Remittances workshop")
    participation = make_participation(hr_lead, engagement, person)
    item = make_input(hr_lead, engagement, participation, text="Fees eat a fifth of what I send home.")
    engagement_actions.record_decision(input=item, outcome="partly_adopted", rationale="Fees capped at 3 %.",
                                       by=hr_lead)
    participation.refresh_from_db()
    engagement_actions.mark_feedback_delivered(participation=participation, channel="in_person", by=hr_lead)
    return person, engagement, item


def test_export_holds_everything_about_the_person(hr_lead, heard, sign_in):
    person, _engagement, _item = heard
    response = sign_in(hr_lead).get(f"/stakeholders/{person.pk}/export.json")
    document = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment")
    assert document["stakeholder"]["name"] == "Halima Yusuf"
    assert document["stakeholder"]["languages"] == ["so"]
    [taking_part] = document["engagements"]
    assert taking_part["inputs"][0]["said"] == "Fees eat a fifth of what I send home."
    assert taking_part["inputs"][0]["decision"]["rationale"] == "Fees capped at 3 %."
    assert "Halima Yusuf" in taking_part["feedback_reports"][0]["body"]
    assert AuditEntry.objects.filter(action="stakeholder.exported", target_id=str(person.pk)).count() == 1


def test_export_command(hr_lead, heard):
    person, _engagement, _item = heard
    out = StringIO()
    call_command("export_subject", str(person.uid), stdout=out)
    assert json.loads(out.getvalue())["stakeholder"]["email"] == "halima@example.org"


def test_erasure_destroys_the_person_and_keeps_anonymous_facts(hr_lead, heard, erasure_log):
    person, engagement, item = heard
    actions.erase_stakeholder(stakeholder=person, reason="Asked to be forgotten", by=hr_lead)
    person = Stakeholder.objects.get(pk=person.pk)
    assert person.is_erased and bytes(person.sealed_key) == b""
    assert person.name == "" and person.email == "" and person.email_index == ""
    assert person.traits.count() == 0 and person.consents.count() == 0 and person.name_tokens.count() == 0
    assert person.region_code == "002" and person.kind == "affected"  # aggregates survive
    stored = Input.objects.get(pk=item.pk)
    assert stored.text == "" and stored.outcome == "partly_adopted"
    assert FeedbackReport.objects.get().body == ""
    assert Engagement.objects.get(pk=engagement.pk).decided_count == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_sealed, email_sealed FROM stakeholders_stakeholder WHERE id = %s", [person.pk])
        assert all(bytes(value) == b"" for value in cursor.fetchone())
    [line] = read_erasure_log(erasure_log)
    assert line["stakeholder"] == str(person.uid) and "Halima" not in erasure_log.read_text()
    actions.erase_stakeholder(stakeholder=person, reason="again", by=hr_lead)
    assert len(read_erasure_log(erasure_log)) == 1


def test_restoring_an_older_backup_then_replaying_the_log_erases_again(hr_lead, heard, erasure_log):
    person, _engagement, item = heard
    # The state a pre-erasure backup holds: every sealed column and the person's wrapped key.
    columns = ("sealed_key", "name_sealed", "email_sealed", "email_index", "country")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM stakeholders_stakeholder WHERE id = %s",  # noqa: S608
                       [person.pk])
        before = cursor.fetchone()
        cursor.execute("SELECT text_sealed FROM engagements_input WHERE id = %s", [item.pk])
        said_before = cursor.fetchone()[0]
    actions.erase_stakeholder(stakeholder=person, reason="Asked to be forgotten", by=hr_lead)
    # "Restore" that backup's rows: the person is readable again...
    Stakeholder.objects.filter(pk=person.pk).update(erased_at=None, **dict(zip(columns, before, strict=True)))
    Input.objects.filter(pk=item.pk).update(text_sealed=said_before)
    assert Stakeholder.objects.get(pk=person.pk).name == "Halima Yusuf"
    # ...until the erasure log, kept outside the database, is replayed.
    out = StringIO()
    call_command("replay_erasures", stdout=out)
    assert "1 person(s) erased again" in out.getvalue()
    assert Stakeholder.objects.get(pk=person.pk).name == ""
    assert Input.objects.get(pk=item.pk).text == ""
    call_command("replay_erasures", stdout=out)
    assert "0 person(s) erased again" in out.getvalue()


def test_erased_people_close_their_part_of_the_loop(hr_lead):
    engagement = make_engagement(hr_lead)
    person = make_stakeholder(hr_lead)
    participation = make_participation(hr_lead, engagement, person)
    item = make_input(hr_lead, engagement, participation)
    engagement_actions.record_decision(input=item, outcome="adopted", by=hr_lead)
    assert Engagement.objects.get(pk=engagement.pk).loop_state == "open"
    actions.erase_stakeholder(stakeholder=person, reason="forget me", by=hr_lead)
    assert Engagement.objects.get(pk=engagement.pk).loop_state == "closed"


def test_erasure_through_the_api(hr_lead, heard, api):
    person, _engagement, _item = heard
    client = api(hr_lead)
    assert client.post(f"/api/v1/stakeholders/{person.pk}/erasure", {"reason": ""}).status_code == 400
    assert client.post(f"/api/v1/stakeholders/{person.pk}/erasure", {"reason": "asked"}).status_code == 200
    assert client.get(f"/api/v1/stakeholders/{person.pk}").json()["email"] == ""


def test_erased_people_cannot_be_changed(hr_lead, heard):
    person, _engagement, _item = heard
    actions.erase_stakeholder(stakeholder=person, reason="asked", by=hr_lead)
    with pytest.raises(ValidationError):
        actions.update_stakeholder(stakeholder=Stakeholder.objects.get(pk=person.pk),
                                   profile=StakeholderProfile(name="Back", kind="affected"), by=hr_lead)
